#include <libvirt/libvirt.h>

#include "util/defstore.h"
#include "driver/domain_store.h"

gboolean
armz_domain_store_save(const ArmzPaths *paths, const ArmzDomainDef *def, GError **error)
{
    g_autofree char *xml = armz_domain_def_format(def, -1,
                                                  VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);

    return armz_defstore_save(paths->config_dir, def->name, xml, error);
}

gboolean
armz_domain_store_delete(const ArmzPaths *paths, const char *name, GError **error)
{
    return armz_defstore_delete(paths->config_dir, paths->autostart_dir, name, error);
}

gboolean
armz_domain_store_set_autostart(const ArmzPaths *paths, const char *name,
                                gboolean autostart, GError **error)
{
    return armz_defstore_set_autostart(paths->config_dir, paths->autostart_dir, name,
                                       autostart, error);
}

typedef struct {
    const ArmzPaths *paths;
    ArmzDomainStoreLoadFunc func;
    gpointer opaque;
} LoadCtx;

static gpointer
parse(const char *xml, const char **name, gpointer opaque, GError **error)
{
    ArmzDomainDef *def = armz_domain_def_parse(xml, error);

    if (def)
        *name = def->name;
    return def;
}

static void
loaded(gpointer def, gpointer opaque)
{
    LoadCtx *ctx = opaque;
    const char *name = ((ArmzDomainDef *)def)->name;

    ctx->func(def, armz_defstore_is_autostart(ctx->paths->autostart_dir, name), ctx->opaque);
}

void
armz_domain_store_load_all(const ArmzPaths *paths, ArmzDomainStoreLoadFunc func,
                           gpointer opaque)
{
    static const ArmzDefLoader loader = {
        .none = "domain configs",
        .what = "domain config",
        .object = "domain",
        .parse = parse,
        .free = (GDestroyNotify)armz_domain_def_free,
        .loaded = loaded,
    };
    LoadCtx ctx = { paths, func, opaque };

    armz_defstore_load(paths->config_dir, &loader, &ctx);
}
