/* Persistent domain definitions: one XML file per domain in the config
 * directory, autostart as a symlink under autostart/. */
#pragma once
#include <glib.h>
#include "conf/domain_conf.h"
#include "util/paths.h"

gboolean armz_domain_store_save(const ArmzPaths *paths, const ArmzDomainDef *def,
                                GError **error);
gboolean armz_domain_store_delete(const ArmzPaths *paths, const char *name, GError **error);
gboolean armz_domain_store_set_autostart(const ArmzPaths *paths, const char *name,
                                         gboolean autostart, GError **error);

typedef void (*ArmzDomainStoreLoadFunc)(ArmzDomainDef *def, gboolean autostart,
                                        gpointer opaque);

/* Calls FUNC for every definition that parses (taking the def); a file that
 * does not parse is reported in the log and left untouched. */
void armz_domain_store_load_all(const ArmzPaths *paths, ArmzDomainStoreLoadFunc func,
                                gpointer opaque);
