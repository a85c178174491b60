/* Network persistence (see network_store.h). */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <libvirt/libvirt.h>

#include "conf/xml_util.h"
#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "network/network_store.h"

void
armz_network_store_init(ArmzNetworkStore *st, const ArmzPaths *paths)
{
    st->config_dir = g_build_filename(paths->config_dir, "networks", NULL);
    st->autostart_dir = g_build_filename(st->config_dir, "autostart", NULL);
    st->state_dir = g_build_filename(paths->state_dir, "networks", NULL);
}

void
armz_network_store_clear(ArmzNetworkStore *st)
{
    g_clear_pointer(&st->config_dir, g_free);
    g_clear_pointer(&st->autostart_dir, g_free);
    g_clear_pointer(&st->state_dir, g_free);
}

gboolean
armz_network_store_prepare(ArmzNetworkStore *st, gboolean *first_start, GError **error)
{
    *first_start = !g_file_test(st->config_dir, G_FILE_TEST_IS_DIR);
    return armz_mkdir_p(st->config_dir, 0755, error) &&
           armz_mkdir_p(st->state_dir, 0755, error);
}

static char *
file_in(const char *dir, const char *name)
{
    g_autofree char *file = g_strconcat(name, ".xml", NULL);
    return g_build_filename(dir, file, NULL);
}

gboolean
armz_network_store_save(ArmzNetworkStore *st, const ArmzNetworkDef *def, GError **error)
{
    g_autofree char *path = file_in(st->config_dir, def->name);
    g_autofree char *xml = armz_network_def_format(def);

    return armz_file_write_atomic(path, xml, strlen(xml), 0600, error);
}

gboolean
armz_network_store_delete(ArmzNetworkStore *st, const char *name, GError **error)
{
    g_autofree char *path = file_in(st->config_dir, name);
    g_autofree char *link = file_in(st->autostart_dir, name);

    if (unlink(link) < 0 && errno != ENOENT)
        armz_warn("cannot remove autostart link '%s': %s", link, g_strerror(errno));
    if (unlink(path) < 0 && errno != ENOENT) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot remove config file '%s': %s"), path, g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

gboolean
armz_network_store_set_autostart(ArmzNetworkStore *st, const char *name, gboolean autostart,
                                 GError **error)
{
    g_autofree char *path = file_in(st->config_dir, name);
    g_autofree char *link = file_in(st->autostart_dir, name);

    if (!autostart) {
        if (unlink(link) < 0 && errno != ENOENT) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                        _("cannot remove autostart link '%s': %s"), link, g_strerror(errno));
            return FALSE;
        }
        return TRUE;
    }
    if (!armz_mkdir_p(st->autostart_dir, 0755, error))
        return FALSE;
    if (symlink(path, link) < 0 && errno != EEXIST) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot create autostart link '%s' to '%s': %s"),
                    link, path, g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

gboolean
armz_network_store_save_status(ArmzNetworkStore *st, const ArmzNetworkDef *live,
                               pid_t dnsmasq_pid, GError **error)
{
    g_autofree char *path = file_in(st->state_dir, live->name);
    g_autofree char *xml = armz_network_def_format(live);
    g_autoptr(GString) buf = g_string_new(NULL);

    g_string_append_printf(buf, "<networkstatus dnsmasq-pid='%d'>\n", (int)dnsmasq_pid);
    g_string_append(buf, xml);
    g_string_append(buf, "</networkstatus>\n");
    return armz_file_write_atomic(path, buf->str, buf->len, 0600, error);
}

void
armz_network_store_delete_status(ArmzNetworkStore *st, const char *name)
{
    g_autofree char *path = file_in(st->state_dir, name);

    if (unlink(path) < 0 && errno != ENOENT)
        armz_warn("cannot remove network status '%s': %s", path, g_strerror(errno));
}

/* Reads every NAME.xml of DIR whose content names NAME; PARSE turns the
 * text into a def (and maybe a pid). */
typedef ArmzNetworkDef *(*ParseFunc)(const char *xml, pid_t *pid, GError **error);

static void
load_dir(const char *dir_path, const char *what, ParseFunc parse,
         void (*cb)(ArmzNetworkDef *, const char *, pid_t, gpointer), gpointer opaque)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GDir) dir = g_dir_open(dir_path, 0, &error);
    const char *entry;

    if (!dir) {
        armz_debug("no network %s: %s", what, error->message);
        return;
    }
    while ((entry = g_dir_read_name(dir))) {
        g_autofree char *path = NULL, *xml = NULL, *base = NULL;
        g_autoptr(GError) err = NULL;
        ArmzNetworkDef *def;
        pid_t pid = 0;

        if (!g_str_has_suffix(entry, ".xml"))
            continue;
        path = g_build_filename(dir_path, entry, NULL);
        if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
            continue;
        if (!g_file_get_contents(path, &xml, NULL, &err) || !(def = parse(xml, &pid, &err))) {
            armz_err("skipping network %s '%s': %s (the file is left as it is)",
                     what, path, err->message);
            continue;
        }
        base = g_strndup(entry, strlen(entry) - 4);
        if (!g_str_equal(base, def->name)) {
            armz_err("skipping network %s '%s': it defines network '%s'; the file name "
                     "must be the network name", what, path, def->name);
            armz_network_def_free(def);
            continue;
        }
        cb(def, path, pid, opaque);
    }
}

static ArmzNetworkDef *
parse_config(const char *xml, pid_t *pid, GError **error)
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
    return parse_config(inner, pid, error);
}

typedef struct {
    ArmzNetworkStore *st;
    ArmzNetworkConfigFunc config_cb;
    ArmzNetworkStatusFunc status_cb;
    gpointer opaque;
} LoadCtx;

static void
config_loaded(ArmzNetworkDef *def, const char *path, pid_t pid, gpointer opaque)
{
    LoadCtx *ctx = opaque;
    g_autofree char *link = file_in(ctx->st->autostart_dir, def->name);

    ctx->config_cb(def, g_file_test(link, G_FILE_TEST_EXISTS), ctx->opaque);
}

static void
status_loaded(ArmzNetworkDef *def, const char *path, pid_t pid, gpointer opaque)
{
    LoadCtx *ctx = opaque;
    ctx->status_cb(def, pid, ctx->opaque);
}

void
armz_network_store_load_configs(ArmzNetworkStore *st, ArmzNetworkConfigFunc func,
                                gpointer opaque)
{
    LoadCtx ctx = { st, func, NULL, opaque };
    load_dir(st->config_dir, "config", parse_config, config_loaded, &ctx);
}

void
armz_network_store_load_status(ArmzNetworkStore *st, ArmzNetworkStatusFunc func,
                               gpointer opaque)
{
    LoadCtx ctx = { st, NULL, func, opaque };
    load_dir(st->state_dir, "status", parse_status, status_loaded, &ctx);
}
