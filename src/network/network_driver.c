/* The network driver (see network_driver.h): network objects, define and
 * undefine, start and stop, listing, autostart, and finding running
 * networks again after a daemon restart. */
#include <string.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <libvirt/libvirt.h>

#include "conf/domain_conf.h"
#include "util/flags.h"
#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/log.h"
#include "network/bridge.h"
#include "network/dnsmasq.h"
#include "network/network_driver.h"
#include "network/network_update.h"
#include "network/network_store.h"
#include "network/nftables.h"

#define BRIDGE_TEMPLATE "armzbr%u"
#define BRIDGE_AUTO_MAX 4096

typedef struct {
    ArmzNetworkDef *def;       /* the live definition while active, else the config */
    ArmzNetworkDef *newdef;    /* while active: the config for after the stop */
    gboolean active, persistent, autostart;
    pid_t dnsmasq_pid;
} NetObj;

struct _ArmzNetworkDriver {
    GMutex lock;
    ArmzNetworkStore store;
    gboolean system;           /* the real system layout (not --root) */
    GPtrArray *nets;           /* NetObj* */
    ArmzNetworkEventSink sink;
    gpointer sink_opaque;
};

static void
net_obj_free(gpointer p)
{
    NetObj *obj = p;
    armz_network_def_free(obj->def);
    armz_network_def_free(obj->newdef);
    g_free(obj);
}

void
armz_network_ref_clear(ArmzNetworkRef *ref)
{
    g_clear_pointer(&ref->name, g_free);
}

static void
fill_ref(ArmzNetworkRef *out, const NetObj *obj)
{
    if (!out)
        return;
    out->name = g_strdup(obj->def->name);
    memcpy(out->uuid, obj->def->uuid, 16);
}

static ArmzNetworkDef *
obj_config(NetObj *obj)
{
    return obj->newdef ? obj->newdef : obj->def;
}

/* ---- events: sent once the lock is released ---- */

typedef struct {
    char *name;
    unsigned char uuid[16];
    int event;
} PendingEvent;

static void
queue_event(PendingEvent *pe, const NetObj *obj, int event)
{
    pe->name = g_strdup(obj->def->name);
    memcpy(pe->uuid, obj->def->uuid, 16);
    pe->event = event;
}

static void
emit(ArmzNetworkDriver *drv, PendingEvent *pe)
{
    ArmzNetworkEventSink sink;
    gpointer opaque;

    if (!pe->name)
        return;
    g_mutex_lock(&drv->lock);
    sink = drv->sink;
    opaque = drv->sink_opaque;
    g_mutex_unlock(&drv->lock);
    if (sink) {
        ArmzNetworkEvent ev = { pe->name, pe->uuid, pe->event };
        sink(&ev, opaque);
    }
    g_clear_pointer(&pe->name, g_free);
}

/* ---- lookups (lock held) ---- */

static NetObj *
find_uuid(ArmzNetworkDriver *drv, const unsigned char *uuid)
{
    for (guint i = 0; i < drv->nets->len; i++) {
        NetObj *obj = g_ptr_array_index(drv->nets, i);
        if (memcmp(obj->def->uuid, uuid, 16) == 0)
            return obj;
    }
    return NULL;
}

static NetObj *
find_name(ArmzNetworkDriver *drv, const char *name)
{
    for (guint i = 0; i < drv->nets->len; i++) {
        NetObj *obj = g_ptr_array_index(drv->nets, i);
        if (g_str_equal(obj->def->name, name))
            return obj;
    }
    return NULL;
}

static NetObj *
get_uuid(ArmzNetworkDriver *drv, const unsigned char *uuid, GError **error)
{
    NetObj *obj = find_uuid(drv, uuid);

    if (!obj) {
        char str[37];
        armz_uuid_format(uuid, str);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_NETWORK,
                    _("no network with matching uuid '%s'"), str);
    }
    return obj;
}

static void
remove_obj(ArmzNetworkDriver *drv, NetObj *obj)
{
    g_ptr_array_remove(drv->nets, obj);
}

/* Active definitions, for the rules (borrowed pointers). */
static GPtrArray *
active_defs(ArmzNetworkDriver *drv)
{
    GPtrArray *defs = g_ptr_array_new();

    for (guint i = 0; i < drv->nets->len; i++) {
        NetObj *obj = g_ptr_array_index(drv->nets, i);
        if (obj->active)
            g_ptr_array_add(defs, obj->def);
    }
    return defs;
}

static gboolean
apply_rules(ArmzNetworkDriver *drv, GError **error)
{
    g_autoptr(GPtrArray) defs = active_defs(drv);
    return armz_nft_apply(defs, error);
}

/* ---- bridge names and MACs ---- */

static gboolean
bridge_taken(ArmzNetworkDriver *drv, const char *bridge, const NetObj *except)
{
    for (guint i = 0; i < drv->nets->len; i++) {
        NetObj *obj = g_ptr_array_index(drv->nets, i);
        if (obj == except)
            continue;
        if (g_strcmp0(obj->def->bridge, bridge) == 0 ||
            (obj->newdef && g_strcmp0(obj->newdef->bridge, bridge) == 0))
            return TRUE;
    }
    return FALSE;
}

static NetObj *
bridge_user(ArmzNetworkDriver *drv, const char *bridge, const NetObj *except)
{
    for (guint i = 0; i < drv->nets->len; i++) {
        NetObj *obj = g_ptr_array_index(drv->nets, i);
        if (obj != except && armz_network_def_is_managed(obj->def) &&
            (g_strcmp0(obj->def->bridge, bridge) == 0 ||
             (obj->newdef && g_strcmp0(obj->newdef->bridge, bridge) == 0)))
            return obj;
    }
    return NULL;
}

static gboolean
assign_bridge(ArmzNetworkDriver *drv, ArmzNetworkDef *def, const NetObj *self, GError **error)
{
    for (unsigned n = 0; n < BRIDGE_AUTO_MAX; n++) {
        g_autofree char *name = g_strdup_printf(BRIDGE_TEMPLATE, n);
        if (!bridge_taken(drv, name, self) && !armz_bridge_if_exists(name)) {
            def->bridge = g_steal_pointer(&name);
            return TRUE;
        }
    }
    g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                _("no free bridge name for network '%s'"), def->name);
    return FALSE;
}

static void
generate_mac(unsigned char mac[6])
{
    /* libvirt's prefix, as for guests */
    mac[0] = 0x52;
    mac[1] = 0x54;
    mac[2] = 0x00;
    for (int i = 3; i < 6; i++)
        mac[i] = (unsigned char)g_random_int_range(0, 256);
}

/* Gives DEF what define fills in (from the existing config OLD when it
 * had them), and refuses a bridge another network has. */
static gboolean
complete_def(ArmzNetworkDriver *drv, ArmzNetworkDef *def, const NetObj *self, GError **error)
{
    const ArmzNetworkDef *old = NULL;
    NetObj *other;

    if (self)
        old = self->newdef ? self->newdef : self->def;
    if (!def->bridge && old && old->bridge && armz_network_def_is_managed(old))
        def->bridge = g_strdup(old->bridge);
    if (!def->bridge && !assign_bridge(drv, def, self, error))
        return FALSE;
    if (armz_network_def_is_managed(def) && !def->has_mac) {
        if (old && old->has_mac)
            memcpy(def->mac, old->mac, 6);
        else
            generate_mac(def->mac);
        def->has_mac = TRUE;
    }
    if (armz_network_def_is_managed(def)) {
        other = bridge_user(drv, def->bridge, self);
        if (other) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                        _("bridge name '%s' is already in use by network '%s'"),
                        def->bridge, other->def->name);
            return FALSE;
        }
        /* a host interface of that name: ours only while we run it */
        if (armz_bridge_if_exists(def->bridge) &&
            !(self && self->active && g_strcmp0(self->def->bridge, def->bridge) == 0)) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                        _("bridge name '%s' is already in use by a host interface"),
                        def->bridge);
            return FALSE;
        }
    }
    return TRUE;
}

/* ---- start and stop ---- */

/* Refuses a subnet that another active network or a host interface has:
 * its traffic would go to the wrong place. */
static gboolean
check_subnets(ArmzNetworkDriver *drv, const ArmzNetworkDef *def, GError **error)
{
    struct ifaddrs *ifa = NULL;
    gboolean ok = TRUE;

    for (guint i = 0; i < def->ips->len; i++) {
        const ArmzNetIPDef *ip = g_ptr_array_index(def->ips, i);
        char a[46];

        armz_ip_format(&ip->address, a);
        for (guint j = 0; j < drv->nets->len; j++) {
            NetObj *obj = g_ptr_array_index(drv->nets, j);
            if (!obj->active || obj->def == def)
                continue;
            for (guint k = 0; k < obj->def->ips->len; k++) {
                const ArmzNetIPDef *o = g_ptr_array_index(obj->def->ips, k);
                if (armz_ip_subnets_overlap(&ip->address, ip->prefix, &o->address, o->prefix)) {
                    g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                                _("network '%s' (%s/%u) overlaps active network '%s'"),
                                def->name, a, ip->prefix, obj->def->name);
                    return FALSE;
                }
            }
        }
    }
    if (getifaddrs(&ifa) < 0)
        return TRUE;
    for (struct ifaddrs *p = ifa; p && ok; p = p->ifa_next) {
        ArmzIPAddr host;
        const void *raw;

        if (!p->ifa_addr || g_strcmp0(p->ifa_name, def->bridge) == 0)
            continue;
        memset(&host, 0, sizeof(host));
        if (p->ifa_addr->sa_family == AF_INET) {
            raw = &((struct sockaddr_in *)p->ifa_addr)->sin_addr;
            memcpy(host.bytes, raw, 4);
        } else if (p->ifa_addr->sa_family == AF_INET6) {
            raw = &((struct sockaddr_in6 *)p->ifa_addr)->sin6_addr;
            memcpy(host.bytes, raw, 16);
            if (host.bytes[0] == 0xfe && (host.bytes[1] & 0xc0) == 0x80)
                continue;   /* link-local addresses are per interface */
        } else {
            continue;
        }
        host.family = p->ifa_addr->sa_family;
        for (guint i = 0; i < def->ips->len; i++) {
            const ArmzNetIPDef *ip = g_ptr_array_index(def->ips, i);
            if (armz_ip_in_subnet(&host, &ip->address, ip->prefix)) {
                char a[46], h[46];
                armz_ip_format(&ip->address, a);
                armz_ip_format(&host, h);
                g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                            _("network '%s' (%s/%u) is already in use by interface '%s' "
                              "(address %s)"), def->name, a, ip->prefix, p->ifa_name, h);
                ok = FALSE;
                break;
            }
        }
    }
    freeifaddrs(ifa);
    return ok;
}

static void
files_for(ArmzNetworkDriver *drv, const char *name, ArmzDnsmasqFiles *f)
{
    armz_dnsmasq_files_init(f, drv->store.state_dir, name);
}

static void
teardown(ArmzNetworkDriver *drv, const ArmzNetworkDef *def, pid_t dnsmasq_pid,
         gboolean bridge_made)
{
    g_autoptr(GError) err = NULL;
    ArmzDnsmasqFiles f;

    files_for(drv, def->name, &f);
    armz_dnsmasq_stop(dnsmasq_pid, &f, TRUE);
    armz_dnsmasq_files_clear(&f);
    if (bridge_made && armz_network_def_is_managed(def) && !armz_bridge_delete(def->bridge, &err)) {
        armz_warn("network '%s': %s", def->name, err->message);
        g_clear_error(&err);
    }
}

static gboolean
do_start(ArmzNetworkDriver *drv, NetObj *obj, GError **error)
{
    g_autoptr(ArmzNetworkDef) live = armz_network_def_copy(obj->def);
    g_autoptr(GError) err = NULL;
    pid_t pid = 0;
    gboolean bridge_made = FALSE;

    if (!armz_network_def_is_managed(live)) {
        if (!armz_bridge_is_bridge(live->bridge)) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                        _("host bridge '%s' of network '%s' does not exist"),
                        live->bridge, live->name);
            return FALSE;
        }
    } else {
        NetObj *other = bridge_user(drv, live->bridge, obj);
        if (other && other->active) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                        _("bridge name '%s' is already in use by network '%s'"),
                        live->bridge, other->def->name);
            return FALSE;
        }
        if (!check_subnets(drv, live, error) || !armz_bridge_create(live, error))
            return FALSE;
        bridge_made = TRUE;
        if (armz_network_def_needs_dnsmasq(live)) {
            ArmzDnsmasqFiles f;
            files_for(drv, live->name, &f);
            /* a dnsmasq left over from an earlier run would hold the
             * ports; its leases are stale: the guests ask anew */
            armz_dnsmasq_stop(armz_dnsmasq_find(&f), &f, TRUE);
            pid = armz_dnsmasq_start(live, &f, error);
            armz_dnsmasq_files_clear(&f);
            if (pid < 0) {
                teardown(drv, live, 0, bridge_made);
                return FALSE;
            }
        }
    }

    /* from here on the network counts as active, for the rules */
    if (!obj->newdef && obj->persistent)
        obj->newdef = obj->def;
    else
        armz_network_def_free(obj->def);
    obj->def = g_steal_pointer(&live);
    obj->active = TRUE;
    obj->dnsmasq_pid = pid;
    {
        g_autoptr(GPtrArray) one = g_ptr_array_new();
        g_ptr_array_add(one, obj->def);
        if (!armz_net_enable_forwarding(one, error) || !apply_rules(drv, error) ||
            !armz_network_store_save_status(&drv->store, obj->def, pid, error))
            goto rollback;
    }
    armz_info("network '%s' started", obj->def->name);
    return TRUE;

rollback:
    teardown(drv, obj->def, pid, bridge_made);
    obj->active = FALSE;
    obj->dnsmasq_pid = 0;
    if (obj->newdef) {
        armz_network_def_free(obj->def);
        obj->def = g_steal_pointer(&obj->newdef);
    }
    if (!apply_rules(drv, &err))
        armz_warn("%s", err->message);
    armz_network_store_delete_status(&drv->store, obj->def->name);
    return FALSE;
}

/* Stops OBJ; a transient network is removed (OBJ is freed then). */
static void
do_stop(ArmzNetworkDriver *drv, NetObj *obj)
{
    g_autoptr(GError) err = NULL;

    teardown(drv, obj->def, obj->dnsmasq_pid, TRUE);
    obj->active = FALSE;
    obj->dnsmasq_pid = 0;
    if (!apply_rules(drv, &err))
        armz_warn("%s", err->message);
    armz_network_store_delete_status(&drv->store, obj->def->name);
    armz_info("network '%s' stopped", obj->def->name);
    if (obj->newdef) {
        armz_network_def_free(obj->def);
        obj->def = g_steal_pointer(&obj->newdef);
    }
    if (!obj->persistent)
        remove_obj(drv, obj);
}

/* ---- API ---- */

gboolean
armz_network_lookup_name(ArmzNetworkDriver *drv, const char *name, ArmzNetworkRef *out,
                         GError **error)
{
    NetObj *obj;

    g_mutex_lock(&drv->lock);
    obj = find_name(drv, name);
    if (obj)
        fill_ref(out, obj);
    else
        g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_NETWORK,
                    _("no network with matching name '%s'"), name);
    g_mutex_unlock(&drv->lock);
    return obj != NULL;
}

gboolean
armz_network_lookup_uuid(ArmzNetworkDriver *drv, const unsigned char *uuid,
                         ArmzNetworkRef *out, GError **error)
{
    NetObj *obj;

    g_mutex_lock(&drv->lock);
    obj = get_uuid(drv, uuid, error);
    if (obj)
        fill_ref(out, obj);
    g_mutex_unlock(&drv->lock);
    return obj != NULL;
}

/* Finds the object DEF would replace; refuses a name/UUID mismatch. */
static gboolean
find_existing(ArmzNetworkDriver *drv, const ArmzNetworkDef *def, NetObj **out, GError **error)
{
    NetObj *by_uuid = find_uuid(drv, def->uuid);
    NetObj *by_name = find_name(drv, def->name);
    char uuid[37];

    if (by_uuid && by_uuid != by_name) {
        armz_uuid_format(def->uuid, uuid);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("network '%s' is already defined with uuid %s"),
                    by_uuid->def->name, uuid);
        return FALSE;
    }
    if (by_name && by_name != by_uuid) {
        armz_uuid_format(by_name->def->uuid, uuid);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("network '%s' already exists with uuid %s"), def->name, uuid);
        return FALSE;
    }
    *out = by_uuid;
    return TRUE;
}

static ArmzNetworkDef *
parse_checked(const char *xml, gboolean validate, GError **error)
{
    if (validate && !armz_network_xml_validate(xml, error))
        return NULL;
    return armz_network_def_parse(xml, error);
}

gboolean
armz_network_define(ArmzNetworkDriver *drv, const char *xml, unsigned int flags,
                    ArmzNetworkRef *out, GError **error)
{
    g_autoptr(ArmzNetworkDef) def = NULL;
    PendingEvent pe = { 0 };
    NetObj *obj = NULL;
    gboolean ok = FALSE;

    if (!armz_check_flags(flags, VIR_NETWORK_DEFINE_VALIDATE, "virNetworkDefineXMLFlags", error) ||
        !(def = parse_checked(xml, flags & VIR_NETWORK_DEFINE_VALIDATE, error)))
        return FALSE;

    g_mutex_lock(&drv->lock);
    if (!find_existing(drv, def, &obj, error) || !complete_def(drv, def, obj, error) ||
        !armz_network_store_save(&drv->store, def, error))
        goto out;
    if (!obj) {
        obj = g_new0(NetObj, 1);
        obj->def = g_steal_pointer(&def);
        g_ptr_array_add(drv->nets, obj);
    } else if (obj->active) {
        armz_network_def_free(obj->newdef);
        obj->newdef = g_steal_pointer(&def);
    } else {
        armz_network_def_free(obj->def);
        obj->def = g_steal_pointer(&def);
    }
    obj->persistent = TRUE;
    fill_ref(out, obj);
    queue_event(&pe, obj, VIR_NETWORK_EVENT_DEFINED);
    armz_info("network '%s' defined", obj->def->name);
    ok = TRUE;
out:
    g_mutex_unlock(&drv->lock);
    emit(drv, &pe);
    return ok;
}

gboolean
armz_network_create_xml(ArmzNetworkDriver *drv, const char *xml, unsigned int flags,
                        ArmzNetworkRef *out, GError **error)
{
    g_autoptr(ArmzNetworkDef) def = NULL;
    PendingEvent pe = { 0 };
    NetObj *obj = NULL;
    gboolean ok = FALSE;

    if (!armz_check_flags(flags, VIR_NETWORK_CREATE_VALIDATE, "virNetworkCreateXMLFlags", error) ||
        !(def = parse_checked(xml, flags & VIR_NETWORK_CREATE_VALIDATE, error)))
        return FALSE;

    g_mutex_lock(&drv->lock);
    if (!find_existing(drv, def, &obj, error))
        goto out;
    if (obj) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    obj->active ? _("network '%s' is already active")
                                : _("network '%s' is already defined: start it instead"),
                    def->name);
        goto out;
    }
    if (!complete_def(drv, def, NULL, error))
        goto out;
    obj = g_new0(NetObj, 1);
    obj->def = g_steal_pointer(&def);
    g_ptr_array_add(drv->nets, obj);
    if (!do_start(drv, obj, error)) {
        remove_obj(drv, obj);
        goto out;
    }
    fill_ref(out, obj);
    queue_event(&pe, obj, VIR_NETWORK_EVENT_STARTED);
    ok = TRUE;
out:
    g_mutex_unlock(&drv->lock);
    emit(drv, &pe);
    return ok;
}

gboolean
armz_network_undefine(ArmzNetworkDriver *drv, const unsigned char *uuid, GError **error)
{
    PendingEvent pe = { 0 };
    NetObj *obj;
    gboolean ok = FALSE;

    g_mutex_lock(&drv->lock);
    if (!(obj = get_uuid(drv, uuid, error)))
        goto out;
    if (!obj->persistent) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("cannot undefine transient network '%s'"), obj->def->name);
        goto out;
    }
    if (!armz_network_store_delete(&drv->store, obj->def->name, error))
        goto out;
    queue_event(&pe, obj, VIR_NETWORK_EVENT_UNDEFINED);
    armz_info("network '%s' undefined", obj->def->name);
    obj->persistent = FALSE;
    obj->autostart = FALSE;
    if (obj->active)
        g_clear_pointer(&obj->newdef, armz_network_def_free);
    else
        remove_obj(drv, obj);
    ok = TRUE;
out:
    g_mutex_unlock(&drv->lock);
    emit(drv, &pe);
    return ok;
}

gboolean
armz_network_start(ArmzNetworkDriver *drv, const unsigned char *uuid, GError **error)
{
    PendingEvent pe = { 0 };
    NetObj *obj;
    gboolean ok = FALSE;

    g_mutex_lock(&drv->lock);
    if (!(obj = get_uuid(drv, uuid, error)))
        goto out;
    if (obj->active) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("network '%s' is already active"), obj->def->name);
        goto out;
    }
    if (!do_start(drv, obj, error))
        goto out;
    queue_event(&pe, obj, VIR_NETWORK_EVENT_STARTED);
    ok = TRUE;
out:
    g_mutex_unlock(&drv->lock);
    emit(drv, &pe);
    return ok;
}

gboolean
armz_network_destroy(ArmzNetworkDriver *drv, const unsigned char *uuid, GError **error)
{
    PendingEvent pe = { 0 };
    NetObj *obj;
    gboolean ok = FALSE;

    g_mutex_lock(&drv->lock);
    if (!(obj = get_uuid(drv, uuid, error)))
        goto out;
    if (!obj->active) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("network '%s' is not active"), obj->def->name);
        goto out;
    }
    queue_event(&pe, obj, VIR_NETWORK_EVENT_STOPPED);
    do_stop(drv, obj);
    ok = TRUE;
out:
    g_mutex_unlock(&drv->lock);
    emit(drv, &pe);
    return ok;
}

char *
armz_network_get_xml(ArmzNetworkDriver *drv, const unsigned char *uuid, unsigned int flags,
                     GError **error)
{
    NetObj *obj;
    char *xml = NULL;

    if (!armz_check_flags(flags, VIR_NETWORK_XML_INACTIVE, "virNetworkGetXMLDesc", error))
        return NULL;
    g_mutex_lock(&drv->lock);
    if ((obj = get_uuid(drv, uuid, error)))
        xml = armz_network_def_format((flags & VIR_NETWORK_XML_INACTIVE) ? obj_config(obj)
                                                                         : obj->def);
    g_mutex_unlock(&drv->lock);
    return xml;
}

char *
armz_network_get_bridge(ArmzNetworkDriver *drv, const unsigned char *uuid, GError **error)
{
    NetObj *obj;
    char *bridge = NULL;

    g_mutex_lock(&drv->lock);
    if ((obj = get_uuid(drv, uuid, error))) {
        if (obj->def->bridge)
            bridge = g_strdup(obj->def->bridge);
        else
            g_set_error(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                        _("network '%s' does not have a bridge name."), obj->def->name);
    }
    g_mutex_unlock(&drv->lock);
    return bridge;
}

gboolean
armz_network_get_state(ArmzNetworkDriver *drv, const unsigned char *uuid,
                       ArmzNetworkState *out, GError **error)
{
    NetObj *obj;

    g_mutex_lock(&drv->lock);
    if ((obj = get_uuid(drv, uuid, error))) {
        out->active = obj->active;
        out->persistent = obj->persistent;
        out->autostart = obj->autostart;
    }
    g_mutex_unlock(&drv->lock);
    return obj != NULL;
}

gboolean
armz_network_set_autostart(ArmzNetworkDriver *drv, const unsigned char *uuid,
                           gboolean autostart, GError **error)
{
    NetObj *obj;
    gboolean ok = FALSE;

    g_mutex_lock(&drv->lock);
    if (!(obj = get_uuid(drv, uuid, error)))
        goto out;
    if (!obj->persistent) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("cannot set autostart for transient network '%s'"), obj->def->name);
        goto out;
    }
    if (!armz_network_store_set_autostart(&drv->store, obj->def->name, autostart, error))
        goto out;
    obj->autostart = autostart;
    ok = TRUE;
out:
    g_mutex_unlock(&drv->lock);
    return ok;
}

/* dnsmasq reads its configuration only at start: a changed live
 * definition means a new dnsmasq (the lease file, and so the leases, stay). */
static gboolean
restart_dnsmasq(ArmzNetworkDriver *drv, NetObj *obj, const ArmzNetworkDef *live,
                GError **error)
{
    ArmzDnsmasqFiles f;
    pid_t pid;

    if (!armz_network_def_needs_dnsmasq(live))
        return TRUE;
    files_for(drv, live->name, &f);
    armz_dnsmasq_stop(obj->dnsmasq_pid, &f, FALSE);
    pid = armz_dnsmasq_start(live, &f, error);
    if (pid < 0) {
        g_autoptr(GError) err = NULL;
        /* back to what ran before, which did start */
        pid = armz_dnsmasq_start(obj->def, &f, &err);
        if (pid < 0)
            armz_err("network '%s': %s", obj->def->name, err->message);
        obj->dnsmasq_pid = MAX(pid, 0);
        armz_dnsmasq_files_clear(&f);
        return FALSE;
    }
    armz_dnsmasq_files_clear(&f);
    obj->dnsmasq_pid = pid;
    return TRUE;
}

gboolean
armz_network_update(ArmzNetworkDriver *drv, const unsigned char *uuid, unsigned int command,
                    unsigned int section, int parent_index, const char *xml,
                    unsigned int flags, GError **error)
{
    g_autoptr(ArmzNetworkDef) live = NULL;
    g_autoptr(ArmzNetworkDef) config = NULL;
    gboolean to_live, to_config, ok = FALSE;
    NetObj *obj;

    if (!armz_check_flags(flags, VIR_NETWORK_UPDATE_AFFECT_LIVE |
                                 VIR_NETWORK_UPDATE_AFFECT_CONFIG, "virNetworkUpdate", error))
        return FALSE;
    g_mutex_lock(&drv->lock);
    if (!(obj = get_uuid(drv, uuid, error)))
        goto out;
    to_live = flags & VIR_NETWORK_UPDATE_AFFECT_LIVE;
    to_config = flags & VIR_NETWORK_UPDATE_AFFECT_CONFIG;
    if (!to_live && !to_config) {
        /* "current": the running network, else its definition */
        to_live = obj->active;
        to_config = !obj->active;
    }
    if (to_live && !obj->active) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("network '%s' is not running"), obj->def->name);
        goto out;
    }
    if (to_config && !obj->persistent) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("cannot change persistent config of transient network '%s'"),
                    obj->def->name);
        goto out;
    }
    /* both edits succeed before either is kept */
    if (to_live) {
        live = armz_network_def_copy(obj->def);
        if (!armz_network_def_update(live, command, section, parent_index, xml, error))
            goto out;
    }
    if (to_config) {
        config = armz_network_def_copy(obj_config(obj));
        if (!armz_network_def_update(config, command, section, parent_index, xml, error))
            goto out;
    }
    if (live) {
        if (!restart_dnsmasq(drv, obj, live, error))
            goto out;
        armz_network_def_free(obj->def);
        obj->def = g_steal_pointer(&live);
        if (!armz_network_store_save_status(&drv->store, obj->def, obj->dnsmasq_pid, error))
            goto out;
    }
    if (config) {
        if (!armz_network_store_save(&drv->store, config, error))
            goto out;
        if (obj->active) {
            armz_network_def_free(obj->newdef);
            obj->newdef = g_steal_pointer(&config);
        } else {
            armz_network_def_free(obj->def);
            obj->def = g_steal_pointer(&config);
        }
    }
    armz_info("network '%s' updated", obj->def->name);
    ok = TRUE;
out:
    g_mutex_unlock(&drv->lock);
    return ok;
}

static gint
ref_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(((const ArmzNetworkRef *)a)->name, ((const ArmzNetworkRef *)b)->name);
}

GArray *
armz_network_list(ArmzNetworkDriver *drv, unsigned int flags, GError **error)
{
    const unsigned int all = VIR_CONNECT_LIST_NETWORKS_ACTIVE | VIR_CONNECT_LIST_NETWORKS_INACTIVE |
                             VIR_CONNECT_LIST_NETWORKS_PERSISTENT |
                             VIR_CONNECT_LIST_NETWORKS_TRANSIENT |
                             VIR_CONNECT_LIST_NETWORKS_AUTOSTART |
                             VIR_CONNECT_LIST_NETWORKS_NO_AUTOSTART;
    GArray *out;

    if (!armz_check_flags(flags, all, "virConnectListAllNetworks", error))
        return NULL;
    out = g_array_new(FALSE, TRUE, sizeof(ArmzNetworkRef));
    g_array_set_clear_func(out, (GDestroyNotify)armz_network_ref_clear);
    g_mutex_lock(&drv->lock);
    for (guint i = 0; i < drv->nets->len; i++) {
        NetObj *obj = g_ptr_array_index(drv->nets, i);
        ArmzNetworkRef ref;

#define PAIR(yes, no, v) \
        if ((flags & (yes | no)) && (flags & (yes | no)) != (yes | no) && \
            !((flags & yes) ? (v) : !(v))) \
            continue;
        PAIR(VIR_CONNECT_LIST_NETWORKS_ACTIVE, VIR_CONNECT_LIST_NETWORKS_INACTIVE, obj->active)
        PAIR(VIR_CONNECT_LIST_NETWORKS_PERSISTENT, VIR_CONNECT_LIST_NETWORKS_TRANSIENT,
             obj->persistent)
        PAIR(VIR_CONNECT_LIST_NETWORKS_AUTOSTART, VIR_CONNECT_LIST_NETWORKS_NO_AUTOSTART,
             obj->autostart)
#undef PAIR
        fill_ref(&ref, obj);
        g_array_append_val(out, ref);
    }
    g_mutex_unlock(&drv->lock);
    g_array_sort(out, ref_cmp);
    return out;
}

static GPtrArray *
leases_of(ArmzNetworkDriver *drv, NetObj *obj, const char *mac)
{
    g_autofree char *text = NULL;
    ArmzDnsmasqFiles f;
    GPtrArray *leases;

    if (!obj->active)
        return g_ptr_array_new_with_free_func((GDestroyNotify)armz_network_lease_free);
    files_for(drv, obj->def->name, &f);
    g_file_get_contents(f.leases, &text, NULL, NULL);   /* none yet: no leases */
    armz_dnsmasq_files_clear(&f);
    leases = armz_leases_parse(text, obj->def, mac, g_get_real_time() / G_USEC_PER_SEC);
    return leases;
}

GPtrArray *
armz_network_get_leases(ArmzNetworkDriver *drv, const unsigned char *uuid, const char *mac,
                        unsigned int flags, GError **error)
{
    GPtrArray *leases = NULL;
    unsigned char m[6];
    char ms[18];
    NetObj *obj;

    if (!armz_check_flags(flags, 0, "virNetworkGetDHCPLeases", error))
        return NULL;
    if (mac) {
        if (!armz_mac_parse(mac, m)) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_MAC,
                        _("invalid MAC address '%s'"), mac);
            return NULL;
        }
        armz_mac_format(m, ms);
        mac = ms;
    }
    g_mutex_lock(&drv->lock);
    if ((obj = get_uuid(drv, uuid, error)))
        leases = leases_of(drv, obj, mac);
    g_mutex_unlock(&drv->lock);
    return leases;
}

GPtrArray *
armz_network_get_leases_by_name(ArmzNetworkDriver *drv, const char *name, const char *mac,
                                GError **error)
{
    GPtrArray *leases = NULL;
    NetObj *obj;

    g_mutex_lock(&drv->lock);
    if ((obj = find_name(drv, name)))
        leases = leases_of(drv, obj, mac);
    else
        g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_NETWORK,
                    _("no network with matching name '%s'"), name);
    g_mutex_unlock(&drv->lock);
    return leases;
}

gboolean
armz_network_resolve_bridge(const char *name, char **bridge, gpointer opaque, GError **error)
{
    ArmzNetworkDriver *drv = opaque;
    NetObj *obj;
    gboolean ok = FALSE;

    g_mutex_lock(&drv->lock);
    obj = find_name(drv, name);
    if (!obj)
        g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_NETWORK,
                    _("Network not found: no network with matching name '%s'"), name);
    else if (!obj->active)
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("network '%s' is not active"), name);
    else {
        *bridge = g_strdup(obj->def->bridge);
        ok = TRUE;
    }
    g_mutex_unlock(&drv->lock);
    return ok;
}

/* ---- creation, reconnection, autostart ---- */

static void
config_loaded(ArmzNetworkDef *def, gboolean autostart, gpointer opaque)
{
    ArmzNetworkDriver *drv = opaque;
    NetObj *obj;

    if (find_uuid(drv, def->uuid) || find_name(drv, def->name)) {
        armz_err("skipping network config '%s': its name or UUID is taken", def->name);
        armz_network_def_free(def);
        return;
    }
    obj = g_new0(NetObj, 1);
    obj->def = def;
    obj->persistent = TRUE;
    obj->autostart = autostart;
    g_ptr_array_add(drv->nets, obj);
}

/* A network the previous daemon left running: keep it when its bridge is
 * still there (restarting a dnsmasq that died), else clean up after it. */
static void
status_loaded(ArmzNetworkDef *live, pid_t pid, gpointer opaque)
{
    ArmzNetworkDriver *drv = opaque;
    NetObj *obj = find_name(drv, live->name);
    ArmzDnsmasqFiles f;

    if (obj && memcmp(obj->def->uuid, live->uuid, 16) != 0) {
        armz_err("network status '%s' names another UUID than its config: ignored", live->name);
        armz_network_def_free(live);
        return;
    }
    files_for(drv, live->name, &f);
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
        g_autoptr(GError) err = NULL;
        armz_warn("network '%s': its dnsmasq is gone: starting it again", live->name);
        pid = armz_dnsmasq_start(live, &f, &err);
        if (pid < 0) {
            armz_err("%s", err->message);
            pid = 0;
        }
    }
    armz_dnsmasq_files_clear(&f);
    if (!obj) {
        obj = g_new0(NetObj, 1);
        g_ptr_array_add(drv->nets, obj);
    } else {
        obj->newdef = obj->def;
    }
    obj->def = live;
    obj->active = TRUE;
    obj->dnsmasq_pid = pid;
    {
        g_autoptr(GError) err = NULL;
        if (!armz_network_store_save_status(&drv->store, live, pid, &err))
            armz_warn("%s", err->message);
    }
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
    ArmzNetworkRef ref = { 0 };

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
    armz_network_ref_clear(&ref);
}

ArmzNetworkDriver *
armz_network_driver_new(const ArmzPaths *paths, GError **error)
{
    ArmzNetworkDriver *drv = g_new0(ArmzNetworkDriver, 1);
    g_autoptr(GError) err = NULL;
    gboolean first = FALSE, any_active = FALSE;

    g_mutex_init(&drv->lock);
    drv->nets = g_ptr_array_new_with_free_func(net_obj_free);
    drv->system = paths->root == NULL && paths->privileged;
    armz_network_store_init(&drv->store, paths);
    if (!armz_network_store_prepare(&drv->store, &first, error)) {
        armz_network_driver_free(drv);
        return NULL;
    }
    armz_network_store_load_configs(&drv->store, config_loaded, drv);
    armz_network_store_load_status(&drv->store, status_loaded, drv);
    for (guint i = 0; i < drv->nets->len; i++)
        any_active |= ((NetObj *)g_ptr_array_index(drv->nets, i))->active;
    if (any_active) {
        g_autoptr(GPtrArray) defs = active_defs(drv);
        /* the rules may have been flushed meanwhile: install them again */
        if (!armz_net_enable_forwarding(defs, &err) || !armz_nft_apply(defs, &err))
            armz_err("%s", err->message);
    }
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
    g_ptr_array_unref(drv->nets);
    armz_network_store_clear(&drv->store);
    g_mutex_clear(&drv->lock);
    g_free(drv);
}

void
armz_network_driver_set_event_sink(ArmzNetworkDriver *drv, ArmzNetworkEventSink sink,
                                   gpointer opaque)
{
    g_mutex_lock(&drv->lock);
    drv->sink = sink;
    drv->sink_opaque = opaque;
    g_mutex_unlock(&drv->lock);
}

void
armz_network_driver_autostart(ArmzNetworkDriver *drv)
{
    g_autoptr(GArray) refs = armz_network_list(drv, VIR_CONNECT_LIST_NETWORKS_INACTIVE |
                                                    VIR_CONNECT_LIST_NETWORKS_AUTOSTART, NULL);

    for (guint i = 0; refs && i < refs->len; i++) {
        ArmzNetworkRef *ref = &g_array_index(refs, ArmzNetworkRef, i);
        g_autoptr(GError) err = NULL;

        if (armz_network_start(drv, ref->uuid, &err))
            armz_info("network '%s' autostarted", ref->name);
        else
            armz_err("cannot autostart network '%s': %s", ref->name, err->message);
    }
}
