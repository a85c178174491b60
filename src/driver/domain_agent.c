/* Guest agent APIs (see domain_agent.h). */
#include <libvirt/libvirt.h>
#include <yajl/yajl_tree.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/flags.h"
#include "driver/agent.h"
#include "driver/domain_agent.h"
#include "driver/domain_ifaddr.h"
#include "driver/driver_priv.h"

#define AGENT_CHANNEL "org.qemu.guest_agent.0"
#define NS_PER_SEC G_GINT64_CONSTANT(1000000000)

/* Finds DOM, takes its job and returns (object unlocked, job held) the
 * path of its connected agent's socket; NULL with libvirt's errors. */
static char *
agent_begin(ArmzDriver *drv, const ArmzDomainId *dom, const char *api, ArmzDomainObj **objp,
            GError **error)
{
    g_autoptr(ArmzDomainObj) obj = armz_driver_find(drv, dom, error);
    const ArmzDomainChannelDef *agent = NULL;
    char *path = NULL;

    if (!obj)
        return NULL;
    g_mutex_lock(&obj->lock);
    if (!armz_domain_obj_begin_job(obj, api, error)) {
        g_mutex_unlock(&obj->lock);
        return NULL;
    }
    for (guint i = 0; i < obj->def->channels->len; i++) {
        const ArmzDomainChannelDef *ch = g_ptr_array_index(obj->def->channels, i);
        if (g_strcmp0(ch->target_name, AGENT_CHANNEL) == 0)
            agent = ch;
    }
    if (!armz_domain_obj_is_active(obj) || !obj->priv)
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                            _("domain is not running"));
    else if (!agent)
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_ARGUMENT_UNSUPPORTED,
                            _("QEMU guest agent is not configured"));
    else if (agent->state != ARMZ_TRISTATE_ON || !agent->source_path)
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_AGENT_UNRESPONSIVE,
                            _("QEMU guest agent is not connected"));
    else
        path = g_strdup(agent->source_path);
    if (!path)
        armz_domain_obj_end_job(obj);
    g_mutex_unlock(&obj->lock);
    if (path)
        *objp = g_steal_pointer(&obj);
    return path;
}

static void
agent_end(ArmzDomainObj *obj)
{
    g_mutex_lock(&obj->lock);
    armz_domain_obj_end_job(obj);
    g_mutex_unlock(&obj->lock);
    armz_domain_obj_unref(obj);
}

/* Runs CMD on DOM's agent, job held around it. */
gboolean
armz_driver_agent_call(ArmzDriver *drv, const ArmzDomainId *dom, const char *api,
                       const char *cmd, const char *args, ArmzAgentReplyKind kind,
                       char **reply, GError **error)
{
    ArmzDomainObj *obj = NULL;
    g_autofree char *path = agent_begin(drv, dom, api, &obj, error);
    gboolean ok;

    if (!path)
        return FALSE;
    ok = armz_agent_command(path, cmd, args, kind,
                            kind == ARMZ_AGENT_REPLY ? ARMZ_AGENT_REPLY_TIMEOUT_MS
                                                     : ARMZ_AGENT_TIMEOUT_MS, reply, error);
    agent_end(obj);
    return ok;
}

gboolean
armz_driver_get_time(ArmzDriver *drv, const ArmzDomainId *dom, gint64 *seconds, guint *nseconds,
                     unsigned int flags, GError **error)
{
    g_autofree char *reply = NULL;
    yajl_val v;
    gint64 ns;
    gboolean ok;

    if (!armz_check_flags(flags, 0, "virDomainGetTime", error) ||
        !armz_driver_agent_call(drv, dom, "virDomainGetTime", "guest-get-time", NULL,
                                ARMZ_AGENT_REPLY, &reply, error))
        return FALSE;
    v = yajl_tree_parse(reply, NULL, 0);
    ok = v && YAJL_IS_INTEGER(v) && YAJL_GET_INTEGER(v) >= 0;
    ns = ok ? YAJL_GET_INTEGER(v) : 0;
    if (v)
        yajl_tree_free(v);
    if (!ok) {
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                            _("malformed return value"));
        return FALSE;
    }
    *seconds = ns / NS_PER_SEC;
    *nseconds = (guint)(ns % NS_PER_SEC);
    return TRUE;
}

gboolean
armz_driver_set_time(ArmzDriver *drv, const ArmzDomainId *dom, gint64 seconds, guint nseconds,
                     unsigned int flags, GError **error)
{
    g_autofree char *args = NULL;

    if (!armz_check_flags(flags, VIR_DOMAIN_TIME_SYNC, "virDomainSetTime", error))
        return FALSE;
    /* SYNC: the guest reads its hardware clock (the PL031) itself */
    if (!(flags & VIR_DOMAIN_TIME_SYNC)) {
        if (seconds < 0 || seconds > G_MAXINT64 / NS_PER_SEC - 1 || nseconds >= NS_PER_SEC) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                        _("specified time %lld.%09u is out of range"),
                        (long long)seconds, nseconds);
            return FALSE;
        }
        args = g_strdup_printf("{\"time\": %" G_GINT64_FORMAT "}",
                               seconds * NS_PER_SEC + (gint64)nseconds);
    }
    return armz_driver_agent_call(drv, dom, "virDomainSetTime", "guest-set-time", args,
                                  ARMZ_AGENT_REPLY, NULL, error);
}

gboolean
armz_driver_agent_shutdown(ArmzDriver *drv, const ArmzDomainId *dom, GError **error)
{
    return armz_driver_agent_call(drv, dom, "virDomainShutdownFlags", "guest-shutdown",
                                  "{\"mode\": \"powerdown\"}", ARMZ_AGENT_NO_REPLY, NULL, error);
}

static void
ip_clear(gpointer p)
{
    g_free(((ArmzDomainIPAddr *)p)->addr);
}

/* One element of guest-network-get-interfaces: NULL when malformed. */
static ArmzDomainIface *
agent_iface(yajl_val v)
{
    const char *name_p[] = { "name", NULL }, *hw_p[] = { "hardware-address", NULL };
    const char *ips_p[] = { "ip-addresses", NULL };
    const char *type_p[] = { "ip-address-type", NULL }, *addr_p[] = { "ip-address", NULL };
    const char *prefix_p[] = { "prefix", NULL };
    yajl_val name = yajl_tree_get(v, name_p, yajl_t_string);
    yajl_val hw = yajl_tree_get(v, hw_p, yajl_t_string);
    yajl_val ips = yajl_tree_get(v, ips_p, yajl_t_array);
    ArmzDomainIface *iface;

    if (!name)
        return NULL;
    iface = g_new0(ArmzDomainIface, 1);
    iface->name = g_strdup(YAJL_GET_STRING(name));
    iface->hwaddr = hw ? g_strdup(YAJL_GET_STRING(hw)) : NULL;
    iface->addrs = g_array_new(FALSE, TRUE, sizeof(ArmzDomainIPAddr));
    g_array_set_clear_func(iface->addrs, ip_clear);
    for (size_t i = 0; ips && i < ips->u.array.len; i++) {
        yajl_val ip = ips->u.array.values[i];
        yajl_val type = yajl_tree_get(ip, type_p, yajl_t_string);
        yajl_val addr = yajl_tree_get(ip, addr_p, yajl_t_string);
        yajl_val prefix = yajl_tree_get(ip, prefix_p, yajl_t_number);
        ArmzDomainIPAddr a;

        if (!type || !addr || !prefix || !YAJL_IS_INTEGER(prefix) ||
            YAJL_GET_INTEGER(prefix) < 0 || YAJL_GET_INTEGER(prefix) > 128)
            continue;
        if (g_strcmp0(YAJL_GET_STRING(type), "ipv4") == 0)
            a.type = VIR_IP_ADDR_TYPE_IPV4;
        else if (g_strcmp0(YAJL_GET_STRING(type), "ipv6") == 0)
            a.type = VIR_IP_ADDR_TYPE_IPV6;
        else
            continue;
        a.addr = g_strdup(YAJL_GET_STRING(addr));
        a.prefix = (unsigned int)YAJL_GET_INTEGER(prefix);
        g_array_append_val(iface->addrs, a);
    }
    return iface;
}

GPtrArray *
armz_driver_agent_interfaces(ArmzDriver *drv, const ArmzDomainId *dom, GError **error)
{
    g_autofree char *reply = NULL;
    GPtrArray *out;
    yajl_val v;

    if (!armz_driver_agent_call(drv, dom, "virDomainInterfaceAddresses",
                                "guest-network-get-interfaces", NULL, ARMZ_AGENT_REPLY,
                                &reply, error))
        return NULL;
    if (!(v = yajl_tree_parse(reply, NULL, 0)) || !YAJL_IS_ARRAY(v)) {
        if (v)
            yajl_tree_free(v);
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                            _("qemu agent didn't return an array of interfaces"));
        return NULL;
    }
    out = g_ptr_array_new_with_free_func((GDestroyNotify)armz_domain_iface_free);
    for (size_t i = 0; i < v->u.array.len; i++) {
        ArmzDomainIface *iface = agent_iface(v->u.array.values[i]);
        if (iface)
            g_ptr_array_add(out, iface);
    }
    yajl_tree_free(v);
    return out;
}
