/* Secret XML (libvirt's <secret> format): parsing and formatting. */
#pragma once
#include <glib.h>

typedef struct {
    unsigned char uuid[16];
    char *description;
    gboolean ephemeral;
    gboolean priv;          /* private='yes': the value never leaves the daemon */
    int usage_type;         /* VIR_SECRET_USAGE_TYPE_* */
    char *usage_id;         /* the usage's volume path, name or target */
} ArmzSecretDef;

void armz_secret_def_free(ArmzSecretDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzSecretDef, armz_secret_def_free)

/* A definition of XML; a missing <uuid> gets a new one. */
ArmzSecretDef *armz_secret_def_parse(const char *xml, GError **error);
char *armz_secret_def_format(const ArmzSecretDef *def);
/* The usage type's name as the XML writes it ("volume", "ceph", ...). */
const char *armz_secret_usage_name(int usage_type);
