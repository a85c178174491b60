/* Pool definitions on disk, as the domain store keeps domains: one XML
 * file per persistent pool in CONFIG/storage, autostart as a symlink in
 * CONFIG/storage/autostart, and the live definition of every started pool
 * in STATE/storage (so a restarted daemon finds its started pools again,
 * transient ones included). Writes are atomic. */
#pragma once
#include <glib.h>
#include "storage/storage_conf.h"
#include "util/defstore.h"

typedef ArmzDefDirs ArmzPoolStore;

ArmzPoolStore *armz_pool_store_new(const ArmzPaths *paths);
void armz_pool_store_free(ArmzPoolStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzPoolStore, armz_pool_store_free)

/* Creates the directories; *FIRST is TRUE when the config directory did not
 * exist yet (the daemon's first start: time to define the default pool). */
gboolean armz_pool_store_prepare(ArmzPoolStore *store, gboolean *first, GError **error);

gboolean armz_pool_store_save(ArmzPoolStore *store, const ArmzPoolDef *def, GError **error);
gboolean armz_pool_store_delete(ArmzPoolStore *store, const char *name, GError **error);
gboolean armz_pool_store_set_autostart(ArmzPoolStore *store, const char *name,
                                       gboolean autostart, GError **error);
gboolean armz_pool_store_save_state(ArmzPoolStore *store, const ArmzPoolDef *def,
                                    GError **error);
void armz_pool_store_delete_state(ArmzPoolStore *store, const char *name);

typedef void (*ArmzPoolStoreLoadFunc)(ArmzPoolDef *def, gboolean autostart, gpointer opaque);
/* FUNC gets every definition that parses (it takes DEF); a bad file is
 * logged and left as it is. */
void armz_pool_store_load_configs(ArmzPoolStore *store, ArmzPoolStoreLoadFunc func,
                                  gpointer opaque);
void armz_pool_store_load_states(ArmzPoolStore *store, ArmzPoolStoreLoadFunc func,
                                 gpointer opaque);
