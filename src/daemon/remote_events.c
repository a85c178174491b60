/* Event registrations per connection, and delivery of driver events. */
#include <string.h>
/* The _LAST sentinels bound the event IDs clients may register. */
#define VIR_ENUM_SENTINELS
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "daemon/daemon.h"

enum {
    PROC_DOMAIN_EVENT_LIFECYCLE = 107,           /* legacy registration */
    PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE = 318,
    PROC_DOMAIN_EVENT_CALLBACK_REBOOT = 319,
};

static gboolean
h_register_any(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_connect_domain_event_callback_register_any_args *args = a;
    ArmzDomainCallback cb = { 0 };

    if (args->event_id < 0 || args->event_id >= VIR_DOMAIN_EVENT_ID_LAST) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("unsupported event ID %d"), args->event_id);
        return FALSE;
    }
    if (args->dom) {
        g_autoptr(ArmzDomainObj) obj =
            armz_driver_lookup_uuid(armz_daemon->driver, (unsigned char *)args->dom->uuid,
                                    args->dom->name, error);
        if (!obj)
            return FALSE;
        cb.has_dom = TRUE;
        memcpy(cb.uuid, args->dom->uuid, sizeof(cb.uuid));
    }
    cb.event_id = args->event_id;
    cb.callback_id = g_atomic_int_add(&armz_daemon->next_callback_id, 1) + 1;
    g_mutex_lock(&client->lock);
    g_array_append_val(armz_conn_get(client)->dom_callbacks, cb);
    g_mutex_unlock(&client->lock);
    ((armz_connect_domain_event_callback_register_any_ret *)r)->callback_id = cb.callback_id;
    return TRUE;
}

static gboolean
h_deregister_any(ArmzClient *client, void *a, void *r, GError **error)
{
    int id = ((armz_connect_domain_event_callback_deregister_any_args *)a)->callback_id;
    GArray *cbs;
    gboolean found = FALSE;

    g_mutex_lock(&client->lock);
    cbs = armz_conn_get(client)->dom_callbacks;
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

static gboolean
h_register_legacy(ArmzClient *client, void *a, void *r, GError **error)
{
    g_mutex_lock(&client->lock);
    armz_conn_get(client)->legacy_events = TRUE;
    g_mutex_unlock(&client->lock);
    ((armz_connect_domain_event_register_ret *)r)->cb_registered = 1;
    return TRUE;
}

static gboolean
h_deregister_legacy(ArmzClient *client, void *a, void *r, GError **error)
{
    g_mutex_lock(&client->lock);
    armz_conn_get(client)->legacy_events = FALSE;
    g_mutex_unlock(&client->lock);
    ((armz_connect_domain_event_register_ret *)r)->cb_registered = 0;
    return TRUE;
}

static void
fill_dom(armz_nonnull_domain *d, const ArmzDomainEvent *ev)
{
    d->name = ev->name;
    memcpy(d->uuid, ev->uuid, sizeof(d->uuid));
    d->id = ev->id;
}

/* Sends EV to one client for each of its matching registrations. */
static void
deliver(ArmzClient *client, const ArmzDomainEvent *ev)
{
    int want = ev->kind == ARMZ_DOMAIN_EVENT_LIFECYCLE ? VIR_DOMAIN_EVENT_ID_LIFECYCLE
                                                       : VIR_DOMAIN_EVENT_ID_REBOOT;
    g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(int));
    gboolean legacy;
    ArmzConn *conn;

    g_mutex_lock(&client->lock);
    conn = armz_conn_get(client);
    legacy = conn->legacy_events && ev->kind == ARMZ_DOMAIN_EVENT_LIFECYCLE;
    for (guint i = 0; i < conn->dom_callbacks->len; i++) {
        ArmzDomainCallback *cb = &g_array_index(conn->dom_callbacks, ArmzDomainCallback, i);
        if (cb->event_id == want && (!cb->has_dom || memcmp(cb->uuid, ev->uuid, 16) == 0))
            g_array_append_val(ids, cb->callback_id);
    }
    g_mutex_unlock(&client->lock);

    for (guint i = 0; i < ids->len; i++) {
        if (ev->kind == ARMZ_DOMAIN_EVENT_LIFECYCLE) {
            armz_domain_event_callback_lifecycle_msg msg = {
                .callback_id = g_array_index(ids, int, i),
                .msg = { .event = ev->event, .detail = ev->detail },
            };
            fill_dom(&msg.msg.dom, ev);
            armz_client_send_message(client, PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE,
                                     (xdrproc_t)xdr_armz_domain_event_callback_lifecycle_msg, &msg);
        } else {
            armz_domain_event_callback_reboot_msg msg = {
                .callback_id = g_array_index(ids, int, i),
            };
            fill_dom(&msg.dom, ev);
            armz_client_send_message(client, PROC_DOMAIN_EVENT_CALLBACK_REBOOT,
                                     (xdrproc_t)xdr_armz_domain_event_callback_reboot_msg, &msg);
        }
    }
    if (legacy) {
        armz_domain_event_lifecycle_msg msg = { .event = ev->event, .detail = ev->detail };
        fill_dom(&msg.dom, ev);
        armz_client_send_message(client, PROC_DOMAIN_EVENT_LIFECYCLE,
                                 (xdrproc_t)xdr_armz_domain_event_lifecycle_msg, &msg);
    }
}

void
armz_daemon_domain_event(const ArmzDomainEvent *ev, gpointer opaque)
{
    GHashTableIter it;
    gpointer key;

    g_mutex_lock(&armz_daemon->conns_lock);
    g_hash_table_iter_init(&it, armz_daemon->conns);
    while (g_hash_table_iter_next(&it, &key, NULL))
        deliver(key, ev);
    g_mutex_unlock(&armz_daemon->conns_lock);
}

void
armz_daemon_client_closed(ArmzClient *client, gpointer opaque)
{
    g_mutex_lock(&armz_daemon->conns_lock);
    g_hash_table_remove(armz_daemon->conns, client);
    g_mutex_unlock(&armz_daemon->conns_lock);
    g_mutex_lock(&client->lock);
    if (client->priv) {
        ArmzConn *conn = client->priv;
        g_array_set_size(conn->dom_callbacks, 0);
        g_array_set_size(conn->net_callbacks, 0);
        g_array_set_size(conn->pool_callbacks, 0);
        conn->legacy_events = FALSE;
    }
    g_mutex_unlock(&client->lock);
    armz_remote_network_client_closed(client);
    armz_remote_storage_client_closed(client);
    armz_remote_lifecycle_client_closed(client);
}

static const ArmzProc procs[] = {
    { 105, "virConnectDomainEventRegister", ARMZ_NOARGS,
      ARMZ_RET(armz_connect_domain_event_register_ret), h_register_legacy, 0 },
    { 106, "virConnectDomainEventDeregister", ARMZ_NOARGS,
      ARMZ_RET(armz_connect_domain_event_register_ret), h_deregister_legacy, 0 },
    { 316, "virConnectDomainEventRegisterAny",
      ARMZ_ARGS(armz_connect_domain_event_callback_register_any_args),
      ARMZ_RET(armz_connect_domain_event_callback_register_any_ret), h_register_any, 0 },
    { 317, "virConnectDomainEventDeregisterAny",
      ARMZ_ARGS(armz_connect_domain_event_callback_deregister_any_args), ARMZ_NORET,
      h_deregister_any, 0 },
};

void
armz_remote_events_register(ArmzDispatcher *d)
{
    armz_dispatcher_add(d, procs, G_N_ELEMENTS(procs));
}
