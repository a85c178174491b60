/* virDomainInterfaceAddresses from DHCP leases (see domain_ifaddr.h). */
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "driver/domain_agent.h"
#include "driver/domain_ifaddr.h"
#include "driver/domain_run.h"
#include "driver/driver_priv.h"

void
armz_domain_iface_free(ArmzDomainIface *iface)
{
    if (!iface)
        return;
    g_free(iface->name);
    g_free(iface->hwaddr);
    if (iface->addrs)
        g_array_unref(iface->addrs);
    g_free(iface);
}

/* The running domain's interfaces on virtual networks (ArmzDomainIface
 * with the network's name in ADDRS' place: see NETWORKS), read under its
 * lock; the leases are asked for after, without it. */
static GPtrArray *
collect_ifaces(ArmzDomainObj *obj, GPtrArray *networks, GError **error)
{
    g_autoptr(GPtrArray) out =
        g_ptr_array_new_with_free_func((GDestroyNotify)armz_domain_iface_free);
    ArmzDomainRun *run;

    g_mutex_lock(&obj->lock);
    if (!armz_domain_obj_is_active(obj)) {
        g_mutex_unlock(&obj->lock);
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                            _("domain is not running"));
        return NULL;
    }
    run = armz_domain_run(obj);
    for (guint i = 0; i < obj->def->nets->len; i++) {
        const ArmzDomainNetDef *net = g_ptr_array_index(obj->def->nets, i);
        ArmzDomainIface *iface;
        char mac[18];

        if (net->type != ARMZ_DOMAIN_NET_TYPE_NETWORK)
            continue;
        iface = g_new0(ArmzDomainIface, 1);
        /* taps are made in interface order, one per interface */
        if (run && run->taps && i < run->taps->len)
            iface->name = g_strdup(g_ptr_array_index(run->taps, i));
        else
            iface->name = g_strdup(net->target_dev ? net->target_dev : "-");
        armz_mac_format(net->mac, mac);
        iface->hwaddr = g_strdup(mac);
        g_ptr_array_add(out, iface);
        g_ptr_array_add(networks, g_strdup(net->source_network));
    }
    g_mutex_unlock(&obj->lock);
    return g_steal_pointer(&out);
}

GPtrArray *
armz_driver_interface_addresses(ArmzDriver *drv, const ArmzDomainId *dom, unsigned int source,
                                unsigned int flags, GError **error)
{
    g_autoptr(ArmzDomainObj) obj = NULL;
    g_autoptr(GPtrArray) networks = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) ifaces = NULL;
    GPtrArray *out;

    if (!armz_check_flags(flags, 0, "virDomainInterfaceAddresses", error) ||
        !(obj = armz_driver_find(drv, dom, error)))
        return NULL;
    if (source == VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT)
        return armz_driver_agent_interfaces(drv, dom, error);
    if (source != VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_ARGUMENT_UNSUPPORTED,
                    _("interface addresses come from DHCP leases or the guest agent "
                      "(source 'lease' or 'agent'), not source %u"), source);
        return NULL;
    }
    if (!(ifaces = collect_ifaces(obj, networks, error)))
        return NULL;
    out = g_ptr_array_new_with_free_func((GDestroyNotify)armz_domain_iface_free);
    for (guint i = 0; i < ifaces->len; i++) {
        ArmzDomainIface *iface = g_ptr_array_index(ifaces, i);
        g_autoptr(GError) err = NULL;

        /* an interface with no lease (or a network gone) has no address
         * to report, as with libvirt */
        if (drv->network_leases)
            iface->addrs = drv->network_leases(g_ptr_array_index(networks, i), iface->hwaddr,
                                               drv->leases_opaque, &err);
        if (!iface->addrs || iface->addrs->len == 0)
            continue;
        g_ptr_array_add(out, iface);
        ifaces->pdata[i] = NULL;    /* moved to OUT */
    }
    return out;
}
