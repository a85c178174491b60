/* Event registrations per connection, and delivery of driver events. */
#include <string.h>
/* The _LAST sentinels bound the event IDs clients may register. */
#define VIR_ENUM_SENTINELS
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "daemon/daemon.h"
#include "rpc/procnums.h"


static gboolean
h_register_any(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_connect_domain_event_callback_register_any_args *args = a;

    if (args->event_id < 0 || args->event_id >= VIR_DOMAIN_EVENT_ID_LAST) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("unsupported event ID %d"), args->event_id);
        return FALSE;
    }
    if (args->dom) {
        ArmzDomainId dom = armz_remote_domain_id(args->dom), found = { 0 };

        if (!armz_driver_lookup_uuid(armz_daemon->driver, &dom, &found, error))
            return FALSE;
        armz_domain_id_clear(&found);
    }
    ((armz_connect_domain_event_callback_register_any_ret *)r)->callback_id =
        armz_event_callback_add(client, ARMZ_EVENT_DOMAIN, args->event_id,
                                args->dom ? (const unsigned char *)args->dom->uuid : NULL);
    return TRUE;
}

static gboolean
h_deregister_any(ArmzClient *client, void *a, void *r, GError **error)
{
    int id = ((armz_connect_domain_event_callback_deregister_any_args *)a)->callback_id;

    return armz_event_callback_remove(client, ARMZ_EVENT_DOMAIN, id, error);
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

/* An I/O error: IO_ERROR and IO_ERROR_REASON registrations. */
static void
deliver_io_error(ArmzClient *client, const ArmzDomainEvent *ev)
{
    g_autoptr(GArray) plain = armz_event_callback_ids(client, ARMZ_EVENT_DOMAIN,
                                                      VIR_DOMAIN_EVENT_ID_IO_ERROR, ev->uuid);
    g_autoptr(GArray) reason = armz_event_callback_ids(client, ARMZ_EVENT_DOMAIN,
                                                       VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON,
                                                       ev->uuid);

    for (guint i = 0; i < plain->len; i++) {
        armz_domain_event_callback_io_error_msg msg = {
            .callbackID = g_array_index(plain, int, i),
            .msg = { .srcPath = (char *)ev->src_path, .devAlias = (char *)ev->dev_alias,
                     .action = ev->event },
        };
        fill_dom(&msg.msg.dom, ev);
        armz_client_send_message(client, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_IO_ERROR,
                                 (xdrproc_t)xdr_armz_domain_event_callback_io_error_msg, &msg);
    }
    for (guint i = 0; i < reason->len; i++) {
        armz_domain_event_callback_io_error_reason_msg msg = {
            .callbackID = g_array_index(reason, int, i),
            .msg = { .srcPath = (char *)ev->src_path, .devAlias = (char *)ev->dev_alias,
                     .action = ev->event, .reason = (char *)ev->reason },
        };
        fill_dom(&msg.msg.dom, ev);
        armz_client_send_message(client, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_IO_ERROR_REASON,
                                 (xdrproc_t)xdr_armz_domain_event_callback_io_error_reason_msg,
                                 &msg);
    }
}

/* DEVICE_ADDED, DEVICE_REMOVED, DEVICE_REMOVAL_FAILED: one message each
 * of its registrations, all with the device's alias. */
static void
deliver_device(ArmzClient *client, const ArmzDomainEvent *ev)
{
    int want = ev->kind == ARMZ_DOMAIN_EVENT_DEVICE_ADDED ? VIR_DOMAIN_EVENT_ID_DEVICE_ADDED
             : ev->kind == ARMZ_DOMAIN_EVENT_DEVICE_REMOVED ? VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED
                                                     : VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED;
    g_autoptr(GArray) ids = armz_event_callback_ids(client, ARMZ_EVENT_DOMAIN, want, ev->uuid);
    char *alias = (char *)ev->dev_alias;

    for (guint i = 0; i < ids->len; i++) {
        int cb = g_array_index(ids, int, i);

        if (ev->kind == ARMZ_DOMAIN_EVENT_DEVICE_ADDED) {
            armz_domain_event_callback_device_added_msg msg = { .callback_id = cb,
                                                                .dev_alias = alias };
            fill_dom(&msg.dom, ev);
            armz_client_send_message(client, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_DEVICE_ADDED,
                                     (xdrproc_t)xdr_armz_domain_event_callback_device_added_msg,
                                     &msg);
        } else if (ev->kind == ARMZ_DOMAIN_EVENT_DEVICE_REMOVED) {
            armz_domain_event_callback_device_removed_msg msg = {
                .callback_id = cb, .msg = { .dev_alias = alias } };
            fill_dom(&msg.msg.dom, ev);
            armz_client_send_message(client, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_DEVICE_REMOVED,
                                     (xdrproc_t)xdr_armz_domain_event_callback_device_removed_msg,
                                     &msg);
        } else {
            armz_domain_event_callback_device_removal_failed_msg msg = { .callback_id = cb,
                                                                         .dev_alias = alias };
            fill_dom(&msg.dom, ev);
            armz_client_send_message(
                client, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_DEVICE_REMOVAL_FAILED,
                (xdrproc_t)xdr_armz_domain_event_callback_device_removal_failed_msg, &msg);
        }
    }
}

/* Sends EV to one client for each of its matching registrations. */
static void
deliver(ArmzClient *client, gconstpointer event)
{
    const ArmzDomainEvent *ev = event;
    int want = ev->kind == ARMZ_DOMAIN_EVENT_LIFECYCLE ? VIR_DOMAIN_EVENT_ID_LIFECYCLE
             : ev->kind == ARMZ_DOMAIN_EVENT_REBOOT ? VIR_DOMAIN_EVENT_ID_REBOOT
             : ev->kind == ARMZ_DOMAIN_EVENT_TRAY_CHANGE ? VIR_DOMAIN_EVENT_ID_TRAY_CHANGE
                                                         : VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE;
    g_autoptr(GArray) ids = NULL;
    gboolean legacy;

    if (ev->kind == ARMZ_DOMAIN_EVENT_IO_ERROR) {
        deliver_io_error(client, ev);
        return;
    }
    if (ev->kind >= ARMZ_DOMAIN_EVENT_DEVICE_ADDED) {
        deliver_device(client, ev);
        return;
    }
    g_mutex_lock(&client->lock);
    legacy = armz_conn_get(client)->legacy_events && ev->kind == ARMZ_DOMAIN_EVENT_LIFECYCLE;
    g_mutex_unlock(&client->lock);
    ids = armz_event_callback_ids(client, ARMZ_EVENT_DOMAIN, want, ev->uuid);

    for (guint i = 0; i < ids->len; i++) {
        if (ev->kind == ARMZ_DOMAIN_EVENT_LIFECYCLE) {
            armz_domain_event_callback_lifecycle_msg msg = {
                .callback_id = g_array_index(ids, int, i),
                .msg = { .event = ev->event, .detail = ev->detail },
            };
            fill_dom(&msg.msg.dom, ev);
            armz_client_send_message(client, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE,
                                     (xdrproc_t)xdr_armz_domain_event_callback_lifecycle_msg, &msg);
        } else if (ev->kind == ARMZ_DOMAIN_EVENT_AGENT_LIFECYCLE) {
            armz_domain_event_callback_agent_lifecycle_msg msg = {
                .callback_id = g_array_index(ids, int, i),
                .state = ev->event,
                .reason = ev->detail,
            };
            fill_dom(&msg.dom, ev);
            armz_client_send_message(client, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_AGENT_LIFECYCLE,
                                     (xdrproc_t)xdr_armz_domain_event_callback_agent_lifecycle_msg,
                                     &msg);
        } else if (ev->kind == ARMZ_DOMAIN_EVENT_TRAY_CHANGE) {
            armz_domain_event_callback_tray_change_msg msg = {
                .callback_id = g_array_index(ids, int, i),
                .dev_alias = (char *)ev->dev_alias,
                .reason = ev->tray_reason,
            };
            fill_dom(&msg.dom, ev);
            armz_client_send_message(client, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_TRAY_CHANGE,
                                     (xdrproc_t)xdr_armz_domain_event_callback_tray_change_msg,
                                     &msg);
        } else {
            armz_domain_event_callback_reboot_msg msg = {
                .callback_id = g_array_index(ids, int, i),
            };
            fill_dom(&msg.dom, ev);
            armz_client_send_message(client, REMOTE_PROC_DOMAIN_EVENT_CALLBACK_REBOOT,
                                     (xdrproc_t)xdr_armz_domain_event_callback_reboot_msg, &msg);
        }
    }
    if (legacy) {
        armz_domain_event_lifecycle_msg msg = { .event = ev->event, .detail = ev->detail };
        fill_dom(&msg.dom, ev);
        armz_client_send_message(client, REMOTE_PROC_DOMAIN_EVENT_LIFECYCLE,
                                 (xdrproc_t)xdr_armz_domain_event_lifecycle_msg, &msg);
    }
}

void
armz_daemon_domain_event(const ArmzDomainEvent *ev, gpointer opaque)
{
    armz_event_foreach_client(deliver, ev);
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
        for (int k = 0; k < ARMZ_EVENT_N_KINDS; k++)
            g_array_set_size(conn->callbacks[k], 0);
        conn->legacy_events = FALSE;
    }
    g_mutex_unlock(&client->lock);
    armz_remote_lifecycle_client_closed(client);
}

static const ArmzProc procs[] = {
    { REMOTE_PROC_CONNECT_DOMAIN_EVENT_REGISTER, ARMZ_NOARGS,
      ARMZ_RET(armz_connect_domain_event_register_ret), h_register_legacy, 0 },
    { REMOTE_PROC_CONNECT_DOMAIN_EVENT_DEREGISTER, ARMZ_NOARGS,
      ARMZ_RET(armz_connect_domain_event_register_ret), h_deregister_legacy, 0 },
    { REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
      ARMZ_ARGS(armz_connect_domain_event_callback_register_any_args),
      ARMZ_RET(armz_connect_domain_event_callback_register_any_ret), h_register_any, 0 },
    { REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
      ARMZ_ARGS(armz_connect_domain_event_callback_deregister_any_args), ARMZ_NORET,
      h_deregister_any, 0 },
};

void
armz_remote_events_register(ArmzDispatcher *d)
{
    armz_dispatcher_add(d, procs, G_N_ELEMENTS(procs));
}
