/* Network persistence (see network_store.h). */
#include <libvirt/libvirt.h>

#include "conf/xml_util.h"
#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/fileutil.h"
#include "network/network_store.h"

void
armz_network_store_init(ArmzNetworkStore *st, const ArmzPaths *paths)
{
    armz_defdirs_init(st, paths, "networks");
}

void
armz_network_store_clear(ArmzNetworkStore *st)
{
    armz_defdirs_clear(st);
}

gboolean
armz_network_store_prepare(ArmzNetworkStore *st, gboolean *first_start, GError **error)
{
    *first_start = !g_file_test(st->config_dir, G_FILE_TEST_IS_DIR);
    return armz_mkdir_p(st->config_dir, 0755, error) &&
           armz_mkdir_p(st->state_dir, 0755, error);
}

gboolean
armz_network_store_save(ArmzNetworkStore *st, const ArmzNetworkDef *def, GError **error)
{
    g_autofree char *xml = armz_network_def_format(def);

    return armz_defstore_save(st->config_dir, def->name, xml, error);
}

gboolean
armz_network_store_delete(ArmzNetworkStore *st, const char *name, GError **error)
{
    return armz_defstore_delete(st->config_dir, st->autostart_dir, name, error);
}

gboolean
armz_network_store_set_autostart(ArmzNetworkStore *st, const char *name, gboolean autostart,
                                 GError **error)
{
    return armz_defstore_set_autostart(st->config_dir, st->autostart_dir, name, autostart,
                                       error);
}

gboolean
armz_network_store_save_status(ArmzNetworkStore *st, const ArmzNetworkDef *live,
                               pid_t dnsmasq_pid, GError **error)
{
    g_autofree char *xml = armz_network_def_format(live);
    g_autoptr(GString) buf = g_string_new(NULL);

    g_string_append_printf(buf, "<networkstatus dnsmasq-pid='%d'>\n", (int)dnsmasq_pid);
    g_string_append(buf, xml);
    g_string_append(buf, "</networkstatus>\n");
    return armz_defstore_save(st->state_dir, live->name, buf->str, error);
}

void
armz_network_store_delete_status(ArmzNetworkStore *st, const char *name)
{
    armz_defstore_remove(st->state_dir, name, "network status");
}

static ArmzNetworkDef *
parse_config(const char *xml, GError **error)
{
    ArmzNetworkDef *def = armz_network_def_parse(xml, error);

    if (def && (!def->bridge || (armz_network_def_is_managed(def) && !def->has_mac))) {
        /* define fills these in; a config without them was not ours */
        g_set_error(error, ARMZ_ERROR, VIR_ERR_XML_ERROR,
                    _("it has no bridge name or MAC address"));
        armz_network_def_free(def);
        return NULL;
    }
    return def;
}

static ArmzNetworkDef *
parse_status(const char *xml, pid_t *pid, GError **error)
{
    g_autoptr(xmlDoc) doc = armz_xml_parse(xml, "(network_status)", error);
    g_autofree char *pidstr = NULL, *inner = NULL;
    xmlNodePtr root, net;
    guint64 v = 0;

    if (!doc)
        return NULL;
    root = xmlDocGetRootElement(doc);
    net = root ? armz_xml_first_element(root) : NULL;
    if (!root || !armz_xml_is(root, "networkstatus") || !net || !armz_xml_is(net, "network")) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_XML_ERROR,
                    _("not a <networkstatus> holding a <network>"));
        return NULL;
    }
    pidstr = armz_xml_prop(root, "dnsmasq-pid");
    if (pidstr && !g_ascii_string_to_unsigned(pidstr, 10, 0, G_MAXINT32, &v, NULL)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_XML_ERROR, _("invalid dnsmasq-pid '%s'"), pidstr);
        return NULL;
    }
    *pid = (pid_t)v;
    inner = armz_xml_fragment_capture(net);
    return parse_config(inner, error);
}

typedef struct {
    ArmzNetworkStore *st;
    ArmzNetworkConfigFunc config_cb;
    ArmzNetworkStatusFunc status_cb;
    gpointer opaque;
    pid_t pid;          /* of the status file just parsed */
} LoadCtx;

static gpointer
config_parse(const char *xml, const char **name, gpointer opaque, GError **error)
{
    ArmzNetworkDef *def = parse_config(xml, error);

    if (def)
        *name = def->name;
    return def;
}

static gpointer
status_parse(const char *xml, const char **name, gpointer opaque, GError **error)
{
    LoadCtx *ctx = opaque;
    ArmzNetworkDef *def;

    ctx->pid = 0;
    def = parse_status(xml, &ctx->pid, error);
    if (def)
        *name = def->name;
    return def;
}

static void
config_loaded(gpointer def, gpointer opaque)
{
    LoadCtx *ctx = opaque;
    const char *name = ((ArmzNetworkDef *)def)->name;

    ctx->config_cb(def, armz_defstore_is_autostart(ctx->st->autostart_dir, name), ctx->opaque);
}

static void
status_loaded(gpointer def, gpointer opaque)
{
    LoadCtx *ctx = opaque;
    ctx->status_cb(def, ctx->pid, ctx->opaque);
}

void
armz_network_store_load_configs(ArmzNetworkStore *st, ArmzNetworkConfigFunc func,
                                gpointer opaque)
{
    static const ArmzDefLoader loader = {
        .none = "network config",
        .what = "network config",
        .object = "network",
        .parse = config_parse,
        .free = (GDestroyNotify)armz_network_def_free,
        .loaded = config_loaded,
    };
    LoadCtx ctx = { st, func, NULL, opaque, 0 };

    armz_defstore_load(st->config_dir, &loader, &ctx);
}

void
armz_network_store_load_status(ArmzNetworkStore *st, ArmzNetworkStatusFunc func,
                               gpointer opaque)
{
    static const ArmzDefLoader loader = {
        .none = "network status",
        .what = "network status",
        .object = "network",
        .parse = status_parse,
        .free = (GDestroyNotify)armz_network_def_free,
        .loaded = status_loaded,
    };
    LoadCtx ctx = { st, NULL, func, opaque, 0 };

    armz_defstore_load(st->state_dir, &loader, &ctx);
}
