/* TLS for the TCP listener (armz+tls://), with GnuTLS: the server's
 * certificate and key, the CA that client certificates must come from, and
 * which clients may connect (libvirt's tls_allowed_dn_list). A client's
 * session is its transport (client.h): the framing code above never sees
 * TLS. */
#pragma once
#include <glib.h>
#include "rpc/client.h"

typedef struct _ArmzTlsContext ArmzTlsContext;

typedef struct {
    const char *ca_file;
    const char *cert_file;
    const char *key_file;
    gboolean verify;            /* FALSE: tls_no_verify_certificate */
    const char *const *allowed_dn; /* glob patterns; NULL: any, empty: none */
} ArmzTlsConfig;

/* Loads the certificates now, so that a missing or bad file stops the
 * daemon at start rather than failing every client. */
ArmzTlsContext *armz_tls_context_new(const ArmzTlsConfig *cfg, GError **error);
ArmzTlsContext *armz_tls_context_ref(ArmzTlsContext *ctx);
void armz_tls_context_unref(ArmzTlsContext *ctx);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzTlsContext, armz_tls_context_unref)

/* Makes CLIENT (just accepted, nothing read yet) speak TLS: the handshake,
 * the check of its certificate and libvirt's confirmation byte happen as
 * its first bytes are read. */
gboolean armz_tls_client_start(ArmzTlsContext *ctx, ArmzClient *client, GError **error);
