/* Network lifecycle events: registrations per connection (313/314) and
 * their delivery (315), as remote_events.c does for domains. */
#include <string.h>
/* The _LAST sentinels bound the event IDs clients may register. */
#define VIR_ENUM_SENTINELS
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "daemon/daemon.h"
#include "daemon/remote_network.h"

enum { PROC_NETWORK_EVENT_LIFECYCLE = 315 };

static gboolean
h_register_any(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_connect_network_event_register_any_args *args = a;
    ArmzDomainCallback cb = { 0 };

    if (args->event_id < 0 || args->event_id >= VIR_NETWORK_EVENT_ID_LAST) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("unsupported network event ID %d"), args->event_id);
        return FALSE;
    }
    if (args->net) {
        ArmzNetworkRef ref = { 0 };
        if (!armz_network_lookup_uuid(armz_netdrv, (const unsigned char *)args->net->uuid,
                                      &ref, error))
            return FALSE;
        armz_network_ref_clear(&ref);
        cb.has_dom = TRUE;
        memcpy(cb.uuid, args->net->uuid, sizeof(cb.uuid));
    }
    cb.event_id = args->event_id;
    cb.callback_id = g_atomic_int_add(&armz_daemon->next_callback_id, 1) + 1;
    g_mutex_lock(&client->lock);
    g_array_append_val(armz_conn_get(client)->net_callbacks, cb);
    g_mutex_unlock(&client->lock);
    ((armz_connect_network_event_register_any_ret *)r)->callback_id = cb.callback_id;
    return TRUE;
}

static gboolean
h_deregister_any(ArmzClient *client, void *a, void *r, GError **error)
{
    int id = ((armz_connect_network_event_deregister_any_args *)a)->callback_id;
    gboolean found = FALSE;
    GArray *cbs;

    g_mutex_lock(&client->lock);
    cbs = armz_conn_get(client)->net_callbacks;
    for (guint i = 0; i < cbs->len; i++) {
        if (g_array_index(cbs, ArmzDomainCallback, i).callback_id == id) {
            g_array_remove_index(cbs, i);
            found = TRUE;
            break;
        }
    }
    g_mutex_unlock(&client->lock);
    if (!found) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("callback ID %d not registered"), id);
        return FALSE;
    }
    return TRUE;
}

static void
deliver(ArmzClient *client, const ArmzNetworkEvent *ev)
{
    g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(int));
    ArmzConn *conn;

    g_mutex_lock(&client->lock);
    conn = armz_conn_get(client);
    for (guint i = 0; i < conn->net_callbacks->len; i++) {
        ArmzDomainCallback *cb = &g_array_index(conn->net_callbacks, ArmzDomainCallback, i);
        if (cb->event_id == VIR_NETWORK_EVENT_ID_LIFECYCLE &&
            (!cb->has_dom || memcmp(cb->uuid, ev->uuid, 16) == 0))
            g_array_append_val(ids, cb->callback_id);
    }
    g_mutex_unlock(&client->lock);

    for (guint i = 0; i < ids->len; i++) {
        armz_network_event_lifecycle_msg msg = {
            .callback_id = g_array_index(ids, int, i),
            .event = ev->event,
            .detail = 0,        /* network events have no details */
        };
        msg.net.name = (char *)ev->name;
        memcpy(msg.net.uuid, ev->uuid, sizeof(msg.net.uuid));
        armz_client_send_message(client, PROC_NETWORK_EVENT_LIFECYCLE,
                                 (xdrproc_t)xdr_armz_network_event_lifecycle_msg, &msg);
    }
}

void
armz_remote_network_event(const ArmzNetworkEvent *ev, gpointer opaque)
{
    GHashTableIter it;
    gpointer key;

    g_mutex_lock(&armz_daemon->conns_lock);
    g_hash_table_iter_init(&it, armz_daemon->conns);
    while (g_hash_table_iter_next(&it, &key, NULL))
        deliver(key, ev);
    g_mutex_unlock(&armz_daemon->conns_lock);
}

static const ArmzProc procs[] = {
    { 313, "virConnectNetworkEventRegisterAny",
      ARMZ_ARGS(armz_connect_network_event_register_any_args),
      ARMZ_RET(armz_connect_network_event_register_any_ret), h_register_any, 0 },
    { 314, "virConnectNetworkEventDeregisterAny",
      ARMZ_ARGS(armz_connect_network_event_deregister_any_args), ARMZ_NORET,
      h_deregister_any, 0 },
};

void
armz_remote_network_events_register(ArmzDispatcher *d)
{
    armz_dispatcher_add(d, procs, G_N_ELEMENTS(procs));
}
