/* TLS transport of a client: a GnuTLS session over its socket. */
#include <errno.h>
#include <fnmatch.h>
#include <unistd.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/log.h"
#include "rpc/tls.h"

struct _ArmzTlsContext {
    gnutls_certificate_credentials_t creds;
    gboolean verify;
    GStrv allowed_dn;
};

typedef enum {
    TLS_HANDSHAKE,  /* GnuTLS handshake under way */
    TLS_CONFIRM,    /* certificate accepted: the byte telling the client so */
    TLS_OPEN,       /* RPC messages */
} TlsState;

typedef struct {
    ArmzTlsContext *ctx;
    gnutls_session_t session;
    TlsState state;
} TlsSession;

static void
tls_context_clear(ArmzTlsContext *ctx)
{
    if (ctx->creds)
        gnutls_certificate_free_credentials(ctx->creds);
    g_strfreev(ctx->allowed_dn);
}

ArmzTlsContext *
armz_tls_context_ref(ArmzTlsContext *ctx)
{
    return g_atomic_rc_box_acquire(ctx);
}

void
armz_tls_context_unref(ArmzTlsContext *ctx)
{
    if (ctx)
        g_atomic_rc_box_release_full(ctx, (GDestroyNotify)tls_context_clear);
}

/* libvirt's message for a certificate file it cannot use. */
static gboolean
check_readable(const char *what, const char *path, GError **error)
{
    if (access(path, R_OK) == 0)
        return TRUE;
    g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                _("Cannot read %s '%s': %s"), what, path, g_strerror(errno));
    return FALSE;
}

ArmzTlsContext *
armz_tls_context_new(const ArmzTlsConfig *cfg, GError **error)
{
    g_autoptr(ArmzTlsContext) ctx = g_atomic_rc_box_new0(ArmzTlsContext);
    int rc;

    if (!check_readable(_("CA certificate"), cfg->ca_file, error) ||
        !check_readable(_("certificate"), cfg->cert_file, error) ||
        !check_readable(_("private key"), cfg->key_file, error))
        return NULL;
    rc = gnutls_certificate_allocate_credentials(&ctx->creds);
    if (rc < 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("Unable to allocate x509 credentials: %s"), gnutls_strerror(rc));
        return NULL;
    }
    rc = gnutls_certificate_set_x509_trust_file(ctx->creds, cfg->ca_file, GNUTLS_X509_FMT_PEM);
    if (rc <= 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("Unable to set x509 CA certificate: %s: %s"), cfg->ca_file,
                    rc < 0 ? gnutls_strerror(rc) : _("no certificate in the file"));
        return NULL;
    }
    rc = gnutls_certificate_set_x509_key_file(ctx->creds, cfg->cert_file, cfg->key_file,
                                              GNUTLS_X509_FMT_PEM);
    if (rc < 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("Unable to set x509 key and certificate: %s, %s: %s"),
                    cfg->key_file, cfg->cert_file, gnutls_strerror(rc));
        return NULL;
    }
    ctx->verify = cfg->verify;
    if (cfg->allowed_dn)
        ctx->allowed_dn = g_strdupv((char **)cfg->allowed_dn);
    return g_steal_pointer(&ctx);
}

/* The distinguished name of the peer's first certificate, "C=..,CN=..". */
static char *
peer_dn(gnutls_session_t session, GError **error)
{
    const gnutls_datum_t *certs;
    unsigned int ncerts = 0;
    gnutls_x509_crt_t crt = NULL;
    size_t len = 0;
    char *dn = NULL;
    int rc;

    certs = gnutls_certificate_get_peers(session, &ncerts);
    if (!certs || ncerts == 0) {
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_AUTH_FAILED, _("no client certificate"));
        return NULL;
    }
    if (gnutls_x509_crt_init(&crt) < 0)
        goto bad;
    if ((rc = gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER)) < 0)
        goto bad;
    rc = gnutls_x509_crt_get_dn(crt, NULL, &len);
    if (rc != GNUTLS_E_SHORT_MEMORY_BUFFER)
        goto bad;
    dn = g_malloc0(len + 1);
    if ((rc = gnutls_x509_crt_get_dn(crt, dn, &len)) < 0)
        goto bad;
    gnutls_x509_crt_deinit(crt);
    return dn;
 bad:
    g_free(dn);
    if (crt)
        gnutls_x509_crt_deinit(crt);
    g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_AUTH_FAILED,
                        _("cannot read the client certificate"));
    return NULL;
}

/* As libvirt: signed by our CA, within its validity dates, and with a
 * distinguished name that tls_allowed_dn_list matches (when set). */
static gboolean
check_peer(ArmzTlsContext *ctx, gnutls_session_t session, GError **error)
{
    g_autofree char *dn = NULL;
    unsigned int status = 0;
    int rc;

    if (gnutls_certificate_type_get(session) != GNUTLS_CRT_X509) {
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_AUTH_FAILED,
                            _("only x509 certificates are supported"));
        return FALSE;
    }
    dn = peer_dn(session, error);
    if (!dn)
        return FALSE;
    rc = gnutls_certificate_verify_peers2(session, &status);
    if (rc < 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_AUTH_FAILED,
                    _("Unable to verify TLS peer: %s"), gnutls_strerror(rc));
        return FALSE;
    }
    if (status != 0) {
        gnutls_datum_t text = { 0 };

        gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &text, 0);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_AUTH_FAILED,
                    _("certificate '%s' failed verification: %s"), dn,
                    text.data ? (const char *)text.data : "?");
        gnutls_free(text.data);
        return FALSE;
    }
    if (ctx->allowed_dn) {
        for (char **p = ctx->allowed_dn; *p; p++)
            if (fnmatch(*p, dn, 0) == 0)
                return TRUE;
        g_set_error(error, ARMZ_ERROR, VIR_ERR_AUTH_FAILED,
                    _("Client's Distinguished Name '%s' is not on the list of allowed "
                      "clients (tls_allowed_dn_list)"), dn);
        return FALSE;
    }
    return TRUE;
}

static gboolean
would_block(ssize_t rc)
{
    return rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED;
}

/* The steps before RPC messages flow. FALSE with errno: EAGAIN to wait
 * for the socket, anything else to drop the client. The handshake and
 * the confirmation only write a few KiB to a socket nothing else wrote
 * to: they do not wait for it to become writable. */
static gboolean
advance(ArmzClient *client, TlsSession *ts)
{
    g_autoptr(GError) error = NULL;
    ssize_t rc;

    if (ts->state == TLS_HANDSHAKE) {
        rc = gnutls_handshake(ts->session);
        if (would_block(rc)) {
            errno = EAGAIN;
            return FALSE;
        }
        if (rc < 0) {
            armz_warn("client %" G_GUINT64_FORMAT ": TLS handshake failed: %s; closing it",
                      client->id, gnutls_strerror(rc));
            errno = ECONNRESET;
            return FALSE;
        }
        if (!check_peer(ts->ctx, ts->session, &error)) {
            if (ts->ctx->verify) {
                armz_warn("client %" G_GUINT64_FORMAT ": %s; closing it",
                          client->id, error->message);
                errno = EACCES;
                return FALSE;
            }
            armz_warn("client %" G_GUINT64_FORMAT ": %s; accepted anyway "
                      "(tls_no_verify_certificate)", client->id, error->message);
        }
        ts->state = TLS_CONFIRM;
    }
    if (ts->state == TLS_CONFIRM) {
        /* libvirt's client waits for this byte: without it, the server
         * refused its certificate. */
        rc = gnutls_record_send(ts->session, "\1", 1);
        if (would_block(rc)) {
            errno = EAGAIN;
            return FALSE;
        }
        if (rc != 1) {
            errno = EIO;
            return FALSE;
        }
        ts->state = TLS_OPEN;
        armz_debug("client %" G_GUINT64_FORMAT ": TLS session established", client->id);
    }
    return TRUE;
}

static ssize_t
map_result(ssize_t rc)
{
    if (rc >= 0)
        return rc;
    if (would_block(rc))
        errno = EAGAIN;
    else if (rc == GNUTLS_E_PREMATURE_TERMINATION)
        return 0; /* the peer closed without a TLS goodbye: end of input */
    else
        errno = EIO;
    return -1;
}

static ssize_t
tls_read(ArmzClient *client, void *buf, size_t len)
{
    TlsSession *ts = client->io_data;

    if (ts->state != TLS_OPEN && !advance(client, ts))
        return -1;
    return map_result(gnutls_record_recv(ts->session, buf, len));
}

static ssize_t
tls_write(ArmzClient *client, const void *buf, size_t len)
{
    TlsSession *ts = client->io_data;

    /* We only answer calls, which come after the handshake. */
    if (ts->state != TLS_OPEN) {
        errno = EIO;
        return -1;
    }
    return map_result(gnutls_record_send(ts->session, buf, len));
}

static gsize
tls_pending(ArmzClient *client)
{
    TlsSession *ts = client->io_data;

    return ts->state == TLS_OPEN ? gnutls_record_check_pending(ts->session) : 0;
}

static void
tls_free(gpointer data)
{
    TlsSession *ts = data;

    gnutls_deinit(ts->session);
    armz_tls_context_unref(ts->ctx);
    g_free(ts);
}

static const ArmzTransport tls_transport = {
    .read = tls_read,
    .write = tls_write,
    .pending = tls_pending,
    .free = tls_free,
};

gboolean
armz_tls_client_start(ArmzTlsContext *ctx, ArmzClient *client, GError **error)
{
    g_autofree TlsSession *ts = g_new0(TlsSession, 1);
    int rc;

    rc = gnutls_init(&ts->session, GNUTLS_SERVER | GNUTLS_NONBLOCK);
    if (rc < 0)
        goto fail;
    if ((rc = gnutls_set_default_priority(ts->session)) < 0 ||
        (rc = gnutls_credentials_set(ts->session, GNUTLS_CRD_CERTIFICATE, ctx->creds)) < 0) {
        gnutls_deinit(ts->session);
        goto fail;
    }
    /* Requested rather than required: check_peer says why one is refused,
     * and tls_no_verify_certificate lets clients without one in. */
    gnutls_certificate_server_set_request(ts->session, GNUTLS_CERT_REQUEST);
    gnutls_transport_set_int(ts->session, client->fd);
    ts->ctx = armz_tls_context_ref(ctx);
    ts->state = TLS_HANDSHAKE;
    client->io = &tls_transport;
    client->io_data = g_steal_pointer(&ts);
    return TRUE;
 fail:
    g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                _("Failed to initialize TLS session: %s"), gnutls_strerror(rc));
    return FALSE;
}
