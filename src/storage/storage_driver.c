/* The storage driver (see storage_driver.h): creating it, finding started
 * pools again after a daemon restart, the shipped default pool, autostart
 * and the event sink. Pool objects are in storage_pool_obj.c, the pool
 * APIs in storage_pool.c and storage_pool_query.c, volumes in
 * storage_vol.c. */
#include <string.h>

#include "util/armz-i18n.h"
#include "util/log.h"
#include "storage/storage_driver_priv.h"

/* Start-up runs before anyone else can reach the driver: no jobs. */
static void
load_config(ArmzPoolDef *def, gboolean autostart, gpointer opaque)
{
    ArmzStorageDriver *drv = opaque;
    g_autoptr(GError) error = NULL;
    g_autoptr(ArmzPoolObj) same = NULL;
    g_autoptr(ArmzPoolObj) obj = NULL;
    g_autoptr(ArmzPoolObj) other = NULL;

    if (!armz_sto_check_duplicate(drv, def, &same, &error) || same) {
        armz_err("skipping storage pool '%s': %s", def->name,
                 error ? error->message : _("defined twice"));
        armz_pool_def_free(def);
        return;
    }
    obj = armz_pool_obj_new(def);
    other = armz_obj_list_add(drv->pools, obj);
    g_assert(!other);
    obj->persistent = TRUE;
    obj->autostart = autostart;
}

/* A pool that was started when the daemon stopped: started again if the
 * host still has it so (the mount, the volume group), else forgotten. */
static void
load_state(ArmzPoolDef *def, gboolean unused, gpointer opaque)
{
    ArmzStorageDriver *drv = opaque;
    g_autoptr(ArmzPoolObj) obj = armz_obj_list_find_name(drv->pools, def->name);
    const ArmzStorageBackend *be = armz_storage_backend_for(def->type);

    if (!be->is_started(def)) {
        armz_info("storage pool '%s' is no longer started on the host", def->name);
        armz_pool_store_delete_state(drv->store, def->name);
        armz_pool_def_free(def);
        return;
    }
    if (obj) {
        if (memcmp(obj->uuid, def->uuid, 16) != 0) {
            armz_err("storage pool state '%s' does not match its definition: ignored",
                     def->name);
            armz_pool_def_free(def);
            return;
        }
        /* The stored definition becomes the pending one. */
        armz_pool_def_free(obj->newdef);
        obj->newdef = obj->def;
        obj->def = def;
        obj->backend = be;
    } else {
        g_autoptr(ArmzPoolObj) other = NULL;
        obj = armz_pool_obj_new(def);
        other = armz_obj_list_add(drv->pools, obj);
        if (other) {
            armz_err("storage pool state '%s': its UUID is taken: ignored", def->name);
            return;
        }
    }
    obj->active = TRUE;
    if (obj->newdef) {
        g_autofree char *a = armz_pool_def_format(obj->newdef);
        g_autofree char *b = armz_pool_def_format(obj->def);
        if (g_str_equal(a, b))
            g_clear_pointer(&obj->newdef, armz_pool_def_free);
    }
}

static char *
default_pool_file(void)
{
    const char *env = g_getenv("ARMZ_DEFAULT_POOL_XML");
    const char *schemas = g_getenv("ARMZ_SCHEMA_DIR");
    g_autofree char *installed = g_build_filename(PKGDATADIR, "storage", "default-pool.xml", NULL);

    if (env)
        return g_strdup(env);
    /* beside the schemas when they are elsewhere (an unpacked tree) */
    if (schemas && *schemas) {
        g_autofree char *beside = g_build_filename(schemas, "..", "storage", "default-pool.xml",
                                                   NULL);
        if (g_file_test(beside, G_FILE_TEST_EXISTS))
            return g_steal_pointer(&beside);
    }
    if (g_file_test(installed, G_FILE_TEST_EXISTS))
        return g_steal_pointer(&installed);
    return g_build_filename(SRCDIR, "src", "storage", "default-pool.xml", NULL);
}

/* The shipped definition of 'default', pointed at this daemon's image
 * directory, defined with autostart (and its directory made). */
static void
define_default_pool(ArmzStorageDriver *drv)
{
    g_autofree char *file = default_pool_file();
    g_autofree char *xml = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(ArmzPoolObj) obj = NULL;
    g_autoptr(ArmzPoolObj) other = NULL;
    ArmzPoolDef *def;

    if (!g_file_get_contents(file, &xml, NULL, &error) ||
        !(def = armz_pool_def_parse(xml, &error))) {
        armz_warn("storage: no default pool: %s", error->message);
        return;
    }
    g_free(def->target_path);
    def->target_path = g_strdup(drv->image_dir);
    if (!armz_pool_store_save(drv->store, def, &error) ||
        !armz_pool_store_set_autostart(drv->store, def->name, TRUE, &error) ||
        !armz_storage_backend_for(def->type)->build(def, 0, &error)) {
        armz_warn("storage: cannot set up the default pool: %s", error->message);
    }
    obj = armz_pool_obj_new(def);
    obj->persistent = TRUE;
    obj->autostart = TRUE;
    if ((other = armz_obj_list_add(drv->pools, obj))) {
        armz_warn("storage: the default pool's UUID is taken: it is not defined");
        return;
    }
    armz_info("storage pool 'default' defined on %s", drv->image_dir);
}

ArmzStorageDriver *
armz_storage_driver_new(const ArmzPaths *paths, GError **error)
{
    ArmzStorageDriver *drv = g_new0(ArmzStorageDriver, 1);
    g_autoptr(ArmzPoolObj) dflt = NULL;
    g_autoptr(GPtrArray) all = NULL;
    gboolean first = FALSE;

    g_mutex_init(&drv->lock);
    armz_obj_sink_init(&drv->events);
    drv->store = armz_pool_store_new(paths);
    drv->image_dir = g_build_filename(paths->lib_dir, "images", NULL);
    drv->pools = armz_obj_list_new();
    if (!armz_pool_store_prepare(drv->store, &first, error)) {
        armz_storage_driver_free(drv);
        return NULL;
    }
    armz_pool_store_load_configs(drv->store, load_config, drv);
    if (first && !(dflt = armz_obj_list_find_name(drv->pools, "default")))
        define_default_pool(drv);
    armz_pool_store_load_states(drv->store, load_state, drv);
    all = armz_obj_list_collect(drv->pools);
    for (guint i = 0; i < all->len; i++) {
        ArmzPoolObj *obj = g_ptr_array_index(all, i);
        g_mutex_lock(&obj->lock);
        if (obj->active)
            armz_sto_refresh_unlocked(obj);
        g_mutex_unlock(&obj->lock);
    }
    return drv;
}

void
armz_storage_driver_free(ArmzStorageDriver *drv)
{
    if (!drv)
        return;
    armz_obj_list_free(drv->pools);
    armz_pool_store_free(drv->store);
    g_free(drv->image_dir);
    g_mutex_clear(&drv->lock);
    armz_obj_sink_clear(&drv->events);
    g_free(drv);
}

static gboolean
start_one(gpointer drv, ArmzObj *obj, GError **error)
{
    g_autoptr(ArmzPoolId) id = armz_sto_pool_id((ArmzPoolObj *)obj);

    return armz_storage_pool_start(drv, id, 0, error);
}

void
armz_storage_driver_autostart(ArmzStorageDriver *drv)
{
    armz_obj_list_autostart(drv->pools, G_STRUCT_OFFSET(ArmzPoolObj, active), start_one, drv, "storage pool");
}
