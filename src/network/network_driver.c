/* The network driver (see network_driver.h): creating it, finding running
 * networks again after a daemon restart, the shipped default network,
 * autostart and the event sink. The APIs are in network_query.c and
 * network_lifecycle.c, starting and stopping in network_run.c, what
 * networks share on the host in network_host.c. */
#include <string.h>
#include <libvirt/libvirt.h>

#include "util/log.h"
#include "network/bridge.h"
#include "network/nftables.h"
#include "network/network_priv.h"

/* Start-up runs before anyone else can reach the driver: no jobs needed. */
static void
add_loaded(ArmzNetworkDriver *drv, ArmzNetworkObj *obj)
{
    g_autoptr(ArmzNetworkObj) other = armz_obj_list_add(drv->nets, obj);

    g_assert(!other);
    armz_obj_unref(obj);
}

static void
config_loaded(ArmzNetworkDef *def, gboolean autostart, gpointer opaque)
{
    ArmzNetworkDriver *drv = opaque;
    ArmzNetworkObj *obj = armz_net_obj_new(def, NULL);
    g_autoptr(ArmzNetworkObj) other = armz_obj_list_add(drv->nets, obj);

    if (other) {
        armz_err("skipping network config '%s': its name or UUID is taken", def->name);
        armz_obj_unref(obj);
        return;
    }
    obj->persistent = TRUE;
    obj->autostart = autostart;
    armz_obj_unref(obj);
}

/* A network the previous daemon left running: keep it when its bridge is
 * still there (restarting a dnsmasq that died), else clean up after it. */
static void
status_loaded(ArmzNetworkDef *live, pid_t pid, gpointer opaque)
{
    ArmzNetworkDriver *drv = opaque;
    g_autoptr(ArmzNetworkObj) obj = armz_obj_list_find_name(drv->nets, live->name);
    g_autoptr(GError) err = NULL;
    ArmzDnsmasqFiles f;

    if (obj && memcmp(obj->uuid, live->uuid, 16) != 0) {
        armz_err("network status '%s' names another UUID than its config: ignored", live->name);
        armz_network_def_free(live);
        return;
    }
    armz_net_files(drv, live->name, &f);
    if (pid && !armz_dnsmasq_is_ours(pid, &f))
        pid = 0;
    if (!pid)
        pid = armz_dnsmasq_find(&f);    /* a status written before its pid was known */
    if (!armz_bridge_is_bridge(live->bridge)) {
        armz_warn("network '%s' was running but its bridge '%s' is gone: it is stopped",
                  live->name, live->bridge);
        armz_dnsmasq_stop(pid, &f, TRUE);
        armz_dnsmasq_files_clear(&f);
        armz_network_store_delete_status(&drv->store, live->name);
        armz_network_def_free(live);
        return;
    }
    if (armz_network_def_needs_dnsmasq(live) && !pid) {
        armz_warn("network '%s': its dnsmasq is gone: starting it again", live->name);
        pid = armz_dnsmasq_start(live, &f, &err);
        if (pid < 0) {
            armz_err("%s", err->message);
            g_clear_error(&err);
            pid = 0;
        }
    }
    armz_dnsmasq_files_clear(&f);
    if (!obj) {
        obj = armz_obj_ref(armz_net_obj_new(live, NULL));
        add_loaded(drv, obj);
    } else {
        obj->newdef = obj->def;
        obj->def = live;
    }
    obj->active = TRUE;
    obj->claimed = TRUE;
    obj->dnsmasq_pid = pid;
    if (!armz_network_store_save_status(&drv->store, live, pid, &err))
        armz_warn("%s", err->message);
    armz_info("network '%s' found running (bridge %s, dnsmasq pid %d)", live->name,
              live->bridge, (int)pid);
}

static char *
default_network_xml(void)
{
    const char *env = g_getenv("ARMZ_DEFAULT_NETWORK");
    const char *schemas = g_getenv("ARMZ_SCHEMA_DIR");
    /* beside the schemas when they are elsewhere (an unpacked tree) */
    g_autofree char *beside = schemas && *schemas
        ? g_build_filename(schemas, "..", "networks", "default.xml", NULL) : NULL;
    const char *candidates[] = {
        env, beside, PKGDATADIR "/networks/default.xml", SRCDIR "/src/network/default.xml",
    };

    for (guint i = 0; i < G_N_ELEMENTS(candidates); i++) {
        char *xml = NULL;
        if (candidates[i] && g_file_get_contents(candidates[i], &xml, NULL, NULL))
            return xml;
    }
    return NULL;
}

static void
define_default(ArmzNetworkDriver *drv)
{
    g_autofree char *xml = default_network_xml();
    g_autoptr(GError) err = NULL;
    ArmzNetworkId ref = { 0 };

    if (!xml) {
        armz_warn("the default network definition was not found: none is defined");
        return;
    }
    if (!armz_network_define(drv, xml, 0, &ref, &err)) {
        armz_warn("cannot define the default network: %s", err->message);
        return;
    }
    /* on a real system it starts with the daemon, as libvirt's does; a
     * daemon under --root (tests) leaves the host's interfaces alone */
    if (drv->system && !armz_network_set_autostart(drv, ref.uuid, TRUE, &err))
        armz_warn("%s", err->message);
    armz_network_id_clear(&ref);
}

/* The rules may have been flushed while no daemon ran: install them again. */
static void
reinstall_rules(ArmzNetworkDriver *drv)
{
    g_autoptr(GPtrArray) all = armz_obj_list_collect(drv->nets);
    g_autoptr(GPtrArray) defs = g_ptr_array_new();
    g_autoptr(GError) err = NULL;

    for (guint i = 0; i < all->len; i++) {
        ArmzNetworkObj *obj = g_ptr_array_index(all, i);
        if (obj->active)
            g_ptr_array_add(defs, obj->def);
    }
    if (defs->len &&
        (!armz_net_enable_forwarding(defs, &err) || !armz_nft_apply(defs, &err)))
        armz_err("%s", err->message);
}

ArmzNetworkDriver *
armz_network_driver_new(const ArmzPaths *paths, GError **error)
{
    ArmzNetworkDriver *drv = g_new0(ArmzNetworkDriver, 1);
    gboolean first = FALSE;

    drv->nets = armz_obj_list_new();
    g_mutex_init(&drv->host_lock);
    armz_obj_sink_init(&drv->events);
    drv->system = paths->root == NULL && paths->privileged;
    armz_network_store_init(&drv->store, paths);
    if (!armz_network_store_prepare(&drv->store, &first, error)) {
        armz_network_driver_free(drv);
        return NULL;
    }
    armz_network_store_load_configs(&drv->store, config_loaded, drv);
    armz_network_store_load_status(&drv->store, status_loaded, drv);
    reinstall_rules(drv);
    if (first)
        define_default(drv);
    return drv;
}

void
armz_network_driver_free(ArmzNetworkDriver *drv)
{
    if (!drv)
        return;
    /* running networks stay up: the next daemon finds them again */
    armz_obj_list_free(drv->nets);
    armz_network_store_clear(&drv->store);
    g_mutex_clear(&drv->host_lock);
    armz_obj_sink_clear(&drv->events);
    g_free(drv);
}

static gboolean
start_one(gpointer drv, ArmzObj *obj, GError **error)
{
    return armz_network_start(drv, obj->uuid, error);
}

void
armz_network_driver_autostart(ArmzNetworkDriver *drv)
{
    armz_obj_list_autostart(drv->nets, G_STRUCT_OFFSET(ArmzNetworkObj, active), start_one, drv, "network");
}
