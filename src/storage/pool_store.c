#include <libvirt/libvirt.h>

#include "util/fileutil.h"
#include "storage/pool_store.h"

ArmzPoolStore *
armz_pool_store_new(const ArmzPaths *paths)
{
    ArmzPoolStore *s = g_new0(ArmzPoolStore, 1);

    armz_defdirs_init(s, paths, "storage");
    return s;
}

void
armz_pool_store_free(ArmzPoolStore *s)
{
    if (!s)
        return;
    armz_defdirs_clear(s);
    g_free(s);
}

gboolean
armz_pool_store_prepare(ArmzPoolStore *s, gboolean *first, GError **error)
{
    *first = !g_file_test(s->config_dir, G_FILE_TEST_IS_DIR);
    return armz_mkdir_p(s->config_dir, 0755, error) &&
           armz_mkdir_p(s->autostart_dir, 0755, error) &&
           armz_mkdir_p(s->state_dir, 0755, error);
}

static gboolean
save_in(const char *dir, const ArmzPoolDef *def, GError **error)
{
    g_autofree char *xml = armz_pool_def_format(def);

    return armz_defstore_save(dir, def->name, xml, error);
}

gboolean
armz_pool_store_save(ArmzPoolStore *s, const ArmzPoolDef *def, GError **error)
{
    return save_in(s->config_dir, def, error);
}

gboolean
armz_pool_store_save_state(ArmzPoolStore *s, const ArmzPoolDef *def, GError **error)
{
    return save_in(s->state_dir, def, error);
}

void
armz_pool_store_delete_state(ArmzPoolStore *s, const char *name)
{
    armz_defstore_remove(s->state_dir, name, "pool state file");
}

gboolean
armz_pool_store_delete(ArmzPoolStore *s, const char *name, GError **error)
{
    return armz_defstore_delete(s->config_dir, s->autostart_dir, name, error);
}

gboolean
armz_pool_store_set_autostart(ArmzPoolStore *s, const char *name, gboolean autostart,
                              GError **error)
{
    return armz_defstore_set_autostart(s->config_dir, s->autostart_dir, name, autostart, error);
}

typedef struct {
    ArmzPoolStore *store;
    ArmzPoolStoreLoadFunc func;
    gpointer opaque;
} LoadCtx;

static gpointer
parse(const char *xml, const char **name, gpointer opaque, GError **error)
{
    ArmzPoolDef *def = armz_pool_def_parse(xml, error);

    if (def)
        *name = def->name;
    return def;
}

static void
config_loaded(gpointer def, gpointer opaque)
{
    LoadCtx *ctx = opaque;
    const char *name = ((ArmzPoolDef *)def)->name;

    ctx->func(def, armz_defstore_is_autostart(ctx->store->autostart_dir, name), ctx->opaque);
}

static void
state_loaded(gpointer def, gpointer opaque)
{
    LoadCtx *ctx = opaque;
    ctx->func(def, FALSE, ctx->opaque);
}

void
armz_pool_store_load_configs(ArmzPoolStore *s, ArmzPoolStoreLoadFunc func, gpointer opaque)
{
    static const ArmzDefLoader loader = {
        .none = "pool definitions",
        .what = "storage pool config",
        .misnamed = "storage pool file",
        .object = "pool",
        .parse = parse,
        .free = (GDestroyNotify)armz_pool_def_free,
        .loaded = config_loaded,
    };
    LoadCtx ctx = { s, func, opaque };

    armz_defstore_load(s->config_dir, &loader, &ctx);
}

void
armz_pool_store_load_states(ArmzPoolStore *s, ArmzPoolStoreLoadFunc func, gpointer opaque)
{
    static const ArmzDefLoader loader = {
        .none = "pool definitions",
        .what = "storage pool state",
        .misnamed = "storage pool file",
        .object = "pool",
        .parse = parse,
        .free = (GDestroyNotify)armz_pool_def_free,
        .loaded = state_loaded,
    };
    LoadCtx ctx = { s, func, opaque };

    armz_defstore_load(s->state_dir, &loader, &ctx);
}
