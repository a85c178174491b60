/* Shared by the pool and volume XML code; internal to storage/. */
#pragma once
#include <libxml/tree.h>
#include "storage/storage_conf.h"

/* Sets ERROR (ARMZ_ERROR, CODE) and returns FALSE. */
gboolean armz_sto_fail(GError **error, int code, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* <NAME unit='...'>N</NAME> in bytes; WHAT names the element in errors. */
gboolean armz_sto_scaled_element(xmlNodePtr node, guint64 *bytes, GError **error);

/* <permissions>: mode (octal), owner, group; <label> is accepted and dropped. */
gboolean armz_sto_perms_parse(xmlNodePtr node, ArmzStoragePerms *perms, GError **error);
void armz_sto_perms_format(GString *buf, unsigned int level, const ArmzStoragePerms *perms);
void armz_sto_perms_init(ArmzStoragePerms *perms);

/* An absolute path without trailing or doubled slashes; NULL with
 * VIR_ERR_XML_ERROR naming WHAT when PATH is relative or empty. */
char *armz_sto_clean_path(const char *path, const char *what, GError **error);
