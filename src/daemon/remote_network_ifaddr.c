/* virDomainInterfaceAddresses (353, virsh domifaddr) from the DHCP leases
 * of the networks the domain's interfaces are plugged into. */
#include <string.h>
#include <sys/socket.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "driver/domain_run.h"
#include "daemon/daemon.h"
#include "daemon/remote_network.h"

typedef struct {
    char *network;
    char *ifname;
    char mac[18];
} IfaceInfo;

static void
iface_info_clear(gpointer p)
{
    IfaceInfo *i = p;
    g_free(i->network);
    g_free(i->ifname);
}

/* The running domain's interfaces on virtual networks, read under its lock. */
static GArray *
collect_ifaces(ArmzDomainObj *obj, GError **error)
{
    GArray *out = g_array_new(FALSE, TRUE, sizeof(IfaceInfo));
    ArmzDomainRun *run;

    g_array_set_clear_func(out, iface_info_clear);
    g_mutex_lock(&obj->lock);
    if (!armz_domain_obj_is_active(obj)) {
        g_mutex_unlock(&obj->lock);
        g_array_unref(out);
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                            _("domain is not running"));
        return NULL;
    }
    run = armz_domain_run(obj);
    for (guint i = 0; i < obj->def->nets->len; i++) {
        const ArmzDomainNetDef *net = g_ptr_array_index(obj->def->nets, i);
        IfaceInfo info = { 0 };

        if (net->type != ARMZ_DOMAIN_NET_TYPE_NETWORK)
            continue;
        info.network = g_strdup(net->source_network);
        /* taps are made in interface order, one per interface */
        if (run && run->taps && i < run->taps->len)
            info.ifname = g_strdup(g_ptr_array_index(run->taps, i));
        else
            info.ifname = g_strdup(net->target_dev ? net->target_dev : "-");
        armz_mac_format(net->mac, info.mac);
        g_array_append_val(out, info);
    }
    g_mutex_unlock(&obj->lock);
    return out;
}

static gboolean
h_interface_addresses(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_interface_addresses_args *args = a;
    armz_domain_interface_addresses_ret *ret = r;
    g_autoptr(ArmzDomainObj) obj = NULL;
    g_autoptr(GArray) ifaces = NULL;
    g_autoptr(GPtrArray) out = g_ptr_array_new();

    if (!armz_check_flags(args->flags, 0, "virDomainInterfaceAddresses", error) ||
        !(obj = armz_remote_get_domain(&args->dom, error)))
        return FALSE;
    if (args->source != VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_ARGUMENT_UNSUPPORTED,
                    _("interface addresses come from DHCP leases only (source 'lease'), "
                      "not source %u"), args->source);
        return FALSE;
    }
    if (!(ifaces = collect_ifaces(obj, error)))
        return FALSE;

    for (guint i = 0; i < ifaces->len; i++) {
        const IfaceInfo *info = &g_array_index(ifaces, IfaceInfo, i);
        g_autoptr(GError) err = NULL;
        g_autoptr(GPtrArray) leases =
            armz_network_get_leases_by_name(armz_netdrv, info->network, info->mac, &err);
        armz_domain_interface *w;

        /* an interface with no lease (or a network gone) has no address
         * to report, as with libvirt */
        if (!leases || leases->len == 0)
            continue;
        w = g_new0(armz_domain_interface, 1);
        w->name = g_strdup(info->ifname);
        w->hwaddr = g_new0(armz_nonnull_string, 1);
        *w->hwaddr = g_strdup(info->mac);
        w->addrs.addrs_len = MIN(leases->len, (guint)ARMZ_DOMAIN_IP_ADDR_MAX);
        w->addrs.addrs_val = g_new0(armz_domain_ip_addr, w->addrs.addrs_len);
        for (guint j = 0; j < w->addrs.addrs_len; j++) {
            const ArmzNetworkLease *l = g_ptr_array_index(leases, j);
            w->addrs.addrs_val[j].type =
                l->family == AF_INET6 ? VIR_IP_ADDR_TYPE_IPV6 : VIR_IP_ADDR_TYPE_IPV4;
            w->addrs.addrs_val[j].addr = g_strdup(l->ip);
            w->addrs.addrs_val[j].prefix = l->prefix;
        }
        g_ptr_array_add(out, w);
    }
    ret->ifaces.ifaces_len = MIN(out->len, (guint)ARMZ_DOMAIN_INTERFACE_MAX);
    ret->ifaces.ifaces_val = g_new0(armz_domain_interface, MAX(out->len, 1));
    for (guint i = 0; i < out->len; i++) {
        armz_domain_interface *w = g_ptr_array_index(out, i);
        if (i < ret->ifaces.ifaces_len)
            ret->ifaces.ifaces_val[i] = *w;
        g_free(w);
    }
    return TRUE;
}

static const ArmzProc procs[] = {
    { REMOTE_PROC_DOMAIN_INTERFACE_ADDRESSES, ARMZ_ARGS(armz_domain_interface_addresses_args),
      ARMZ_RET(armz_domain_interface_addresses_ret), h_interface_addresses, 0 },
};

void
armz_remote_network_ifaddr_register(ArmzDispatcher *d)
{
    armz_dispatcher_add(d, procs, G_N_ELEMENTS(procs));
}
