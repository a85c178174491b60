/* The daemon's drivers: made and wired together, autostarted in a thread
 * of their own, and freed only once nothing runs in them (see daemon.h). */
#include <sys/socket.h>
#include <libvirt/libvirt.h>

#include "util/log.h"
#include "driver/lifecycle.h"
#include "daemon/daemon.h"

static void
ip_addr_clear(gpointer p)
{
    g_free(((ArmzDomainIPAddr *)p)->addr);
}

/* The domain driver's virDomainInterfaceAddresses asks the network
 * driver, as libvirt's QEMU driver asks for a network's DHCP leases. */
static GArray *
network_leases(const char *network, const char *mac, gpointer opaque, GError **error)
{
    g_autoptr(GPtrArray) leases =
        armz_network_get_leases_by_name(opaque, network, mac, error);
    GArray *out;

    if (!leases || leases->len == 0)
        return NULL;
    out = g_array_sized_new(FALSE, TRUE, sizeof(ArmzDomainIPAddr), leases->len);
    g_array_set_clear_func(out, ip_addr_clear);
    for (guint i = 0; i < leases->len; i++) {
        const ArmzNetworkLease *l = g_ptr_array_index(leases, i);
        ArmzDomainIPAddr ip = {
            .type = l->family == AF_INET6 ? VIR_IP_ADDR_TYPE_IPV6 : VIR_IP_ADDR_TYPE_IPV4,
            .addr = g_strdup(l->ip),
            .prefix = l->prefix,
        };
        g_array_append_val(out, ip);
    }
    return out;
}

gboolean
armz_daemon_drivers_open(ArmzDaemon *d, const ArmzDriverConfig *cfg, GError **error)
{
    if (!(d->driver = armz_driver_new(d->paths, cfg, error)))
        return FALSE;
    armz_driver_set_event_sink(d->driver, armz_daemon_domain_event, NULL);
    if (!(d->network = armz_network_driver_new(d->paths, error)))
        return FALSE;
    armz_network_driver_set_event_sink(d->network, armz_remote_network_event, NULL);
    armz_driver_set_network_resolver(d->driver, armz_network_resolve_bridge, d->network);
    armz_driver_set_network_leases(d->driver, network_leases, d->network);
    if (!(d->storage = armz_storage_driver_new(d->paths, error)))
        return FALSE;
    armz_storage_driver_set_event_func(d->storage, armz_remote_storage_event, NULL);
    armz_driver_set_volume_resolver(d->driver, armz_storage_resolve_volume, d->storage);
    d->secret = armz_secret_driver_new(d->paths);
    armz_driver_set_secret_resolver(d->driver, armz_secret_resolve_passphrase, d->secret);
    armz_storage_driver_set_secret_resolver(d->storage, armz_secret_resolve_passphrase,
                                            d->secret);
    return TRUE;
}

static gboolean
serve_clients(gpointer data)
{
    ArmzDaemon *d = data;

    armz_server_release(d->server);
    return G_SOURCE_REMOVE;
}

static gpointer
autostart_thread(gpointer data)
{
    ArmzDaemon *d = data;

    armz_info("autostart: networks, pools, then domains");
    if (!g_cancellable_is_cancelled(d->quit))
        armz_network_driver_autostart(d->network);
    if (!g_cancellable_is_cancelled(d->quit))
        armz_storage_driver_autostart(d->storage);
    /* a client's first call finds the autostarted networks and pools
     * active (virt-install at boot, the default pool); domains may take
     * long to start and are served meanwhile */
    g_main_context_invoke(armz_server_context(d->server), serve_clients, d);
    armz_driver_autostart(d->driver, d->quit);
    armz_info("autostart %s", g_cancellable_is_cancelled(d->quit) ? "stopped" : "done");
    armz_daemon_work_done(&d->autostart_running);
    return NULL;
}

void
armz_daemon_autostart_begin(ArmzDaemon *d)
{
    /* a stop asked for before the loop ran: the main context served at
     * shutdown must not start it now */
    if (g_cancellable_is_cancelled(d->quit))
        return;
    g_atomic_int_set(&d->autostart_running, 1);
    d->autostart = g_thread_new("autostart", autostart_thread, d);
}

void
armz_daemon_autostart_join(ArmzDaemon *d)
{
    g_cancellable_cancel(d->quit);
    if (!d->autostart)
        return;
    armz_daemon_serve_until_done(&d->autostart_running);
    g_thread_join(g_steal_pointer(&d->autostart));
}

void
armz_daemon_work_done(gint *pending)
{
    if (g_atomic_int_dec_and_test(pending))
        g_main_context_wakeup(NULL);
}

void
armz_daemon_serve_until_done(gint *pending)
{
    while (g_atomic_int_get(pending) > 0)
        g_main_context_iteration(NULL, TRUE);
}

void
armz_daemon_drivers_close(ArmzDaemon *d)
{
    if (d->driver) {
        armz_driver_set_volume_resolver(d->driver, NULL, NULL);
        armz_driver_set_secret_resolver(d->driver, NULL, NULL);
        armz_driver_set_network_resolver(d->driver, NULL, NULL);
        armz_driver_set_network_leases(d->driver, NULL, NULL);
        armz_driver_set_event_sink(d->driver, NULL, NULL);
    }
    if (d->storage) {
        armz_storage_driver_set_event_func(d->storage, NULL, NULL);
        armz_storage_driver_set_secret_resolver(d->storage, NULL, NULL);
    }
    g_clear_pointer(&d->storage, armz_storage_driver_free);
    g_clear_pointer(&d->secret, armz_secret_driver_free);
    if (d->network)
        armz_network_driver_set_event_sink(d->network, NULL, NULL);
    g_clear_pointer(&d->network, armz_network_driver_free);
    g_clear_pointer(&d->driver, armz_driver_free);
}
