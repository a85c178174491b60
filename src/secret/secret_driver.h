/* The secret driver: secrets (libvirt's virSecret API) kept as
 * CONFIG/secrets/UUID.xml and UUID.base64, readable by root only, as
 * libvirt's secret driver keeps them; ephemeral ones only in memory. A
 * private secret's value never leaves the daemon over the API. */
#pragma once
#include <glib.h>
#include "util/paths.h"

typedef struct _ArmzSecretDriver ArmzSecretDriver;

/* A secret as the API names it (libvirt's virSecretPtr). */
typedef struct {
    unsigned char uuid[16];
    int usage_type;
    char *usage_id;
} ArmzSecretId;

void armz_secret_id_clear(ArmzSecretId *id);

ArmzSecretDriver *armz_secret_driver_new(const ArmzPaths *paths);
void armz_secret_driver_free(ArmzSecretDriver *drv);

gboolean armz_secret_define(ArmzSecretDriver *drv, const char *xml, unsigned int flags,
                            ArmzSecretId *out, GError **error);
gboolean armz_secret_undefine(ArmzSecretDriver *drv, const unsigned char *uuid, GError **error);
char *armz_secret_get_xml(ArmzSecretDriver *drv, const unsigned char *uuid, unsigned int flags,
                          GError **error);
gboolean armz_secret_set_value(ArmzSecretDriver *drv, const unsigned char *uuid,
                               const guchar *value, gsize len, unsigned int flags,
                               GError **error);
/* INTERNAL: the daemon's own use (a disk's passphrase), which may read a
 * private secret; the API never passes it. */
GBytes *armz_secret_get_value(ArmzSecretDriver *drv, const unsigned char *uuid,
                              unsigned int flags, gboolean internal, GError **error);
gboolean armz_secret_lookup_uuid(ArmzSecretDriver *drv, const unsigned char *uuid,
                                 ArmzSecretId *out, GError **error);
gboolean armz_secret_lookup_usage(ArmzSecretDriver *drv, int usage_type, const char *usage_id,
                                  ArmzSecretId *out, GError **error);
/* The domain driver's passphrase resolver (ArmzResolveSecretFunc; OPAQUE
 * is the secret driver): the value of the secret with UUID, or else of the
 * 'volume' secret with usage id USAGE. */
GBytes *armz_secret_resolve_passphrase(const char *uuid, const char *usage, gpointer opaque,
                                       GError **error);
/* Every secret matching FLAGS (VIR_CONNECT_LIST_SECRETS_*), by UUID: an
 * array of ArmzSecretId that clears its elements. */
GArray *armz_secret_list(ArmzSecretDriver *drv, unsigned int flags, GError **error);
