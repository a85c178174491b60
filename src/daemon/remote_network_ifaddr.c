/* virDomainInterfaceAddresses (353, virsh domifaddr): the driver reads
 * the DHCP leases (driver/domain_ifaddr.c); this puts them on the wire. */
#include "driver/domain_ifaddr.h"
#include "daemon/daemon.h"
#include "daemon/remote_network.h"

static gboolean
h_interface_addresses(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_interface_addresses_args *args = a;
    armz_domain_interface_addresses_ret *ret = r;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);
    g_autoptr(GPtrArray) ifaces =
        armz_driver_interface_addresses(armz_daemon->driver, &dom, args->source, args->flags,
                                        error);
    guint n;

    if (!ifaces)
        return FALSE;
    n = MIN(ifaces->len, (guint)ARMZ_DOMAIN_INTERFACE_MAX);
    ret->ifaces.ifaces_len = n;
    ret->ifaces.ifaces_val = g_new0(armz_domain_interface, MAX(n, 1));
    for (guint i = 0; i < n; i++) {
        const ArmzDomainIface *iface = g_ptr_array_index(ifaces, i);
        armz_domain_interface *w = &ret->ifaces.ifaces_val[i];

        w->name = g_strdup(iface->name);
        w->hwaddr = g_new0(armz_nonnull_string, 1);
        *w->hwaddr = g_strdup(iface->hwaddr);
        w->addrs.addrs_len = MIN(iface->addrs->len, (guint)ARMZ_DOMAIN_IP_ADDR_MAX);
        w->addrs.addrs_val = g_new0(armz_domain_ip_addr, w->addrs.addrs_len);
        for (guint j = 0; j < w->addrs.addrs_len; j++) {
            const ArmzDomainIPAddr *ip = &g_array_index(iface->addrs, ArmzDomainIPAddr, j);
            w->addrs.addrs_val[j].type = ip->type;
            w->addrs.addrs_val[j].addr = g_strdup(ip->addr);
            w->addrs.addrs_val[j].prefix = ip->prefix;
        }
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
