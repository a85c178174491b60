/* Storage pool event registrations per connection (procs 368, 369) and the
 * delivery of the driver's events: lifecycle (370) and refresh (373). */
#include <string.h>
#define VIR_ENUM_SENTINELS
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "daemon/remote_storage_priv.h"

enum {
    PROC_POOL_EVENT_LIFECYCLE = 370,
    PROC_POOL_EVENT_REFRESH = 373,
};

static gboolean
h_register(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_connect_storage_pool_event_register_any_args *args = a;
    ArmzDomainCallback cb = { 0 };

    if (args->event_id < 0 || args->event_id >= VIR_STORAGE_POOL_EVENT_ID_LAST) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("unsupported storage pool event ID %d"), args->event_id);
        return FALSE;
    }
    if (args->pool) {
        g_autoptr(ArmzPoolId) id =
            armz_storage_pool_lookup_uuid(armz_storage, (unsigned char *)args->pool->uuid, error);
        if (!id)
            return FALSE;
        cb.has_dom = TRUE;
        memcpy(cb.uuid, args->pool->uuid, sizeof(cb.uuid));
    }
    cb.event_id = args->event_id;
    cb.callback_id = g_atomic_int_add(&armz_daemon->next_callback_id, 1) + 1;
    g_mutex_lock(&client->lock);
    g_array_append_val(armz_conn_get(client)->pool_callbacks, cb);
    g_mutex_unlock(&client->lock);
    ((armz_connect_domain_event_callback_register_any_ret *)r)->callback_id = cb.callback_id;
    return TRUE;
}

static gboolean
h_deregister(ArmzClient *client, void *a, void *r, GError **error)
{
    int id = ((armz_connect_domain_event_callback_deregister_any_args *)a)->callback_id;
    gboolean found = FALSE;
    GArray *cbs;

    g_mutex_lock(&client->lock);
    cbs = armz_conn_get(client)->pool_callbacks;
    for (guint i = 0; i < cbs->len && !found; i++) {
        if (g_array_index(cbs, ArmzDomainCallback, i).callback_id == id) {
            g_array_remove_index(cbs, i);
            found = TRUE;
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
deliver(ArmzClient *client, const ArmzPoolId *pool, int event_id, int event)
{
    g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(int));
    ArmzConn *conn;

    g_mutex_lock(&client->lock);
    conn = armz_conn_get(client);
    for (guint i = 0; i < conn->pool_callbacks->len; i++) {
        ArmzDomainCallback *cb = &g_array_index(conn->pool_callbacks, ArmzDomainCallback, i);
        if (cb->event_id == event_id && (!cb->has_dom || memcmp(cb->uuid, pool->uuid, 16) == 0))
            g_array_append_val(ids, cb->callback_id);
    }
    g_mutex_unlock(&client->lock);

    for (guint i = 0; i < ids->len; i++) {
        armz_nonnull_storage_pool p = { pool->name, { 0 } };

        memcpy(p.uuid, pool->uuid, sizeof(p.uuid));
        if (event_id == VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE) {
            armz_storage_pool_event_lifecycle_msg msg = {
                .callback_id = g_array_index(ids, int, i), .pool = p, .event = event,
            };
            armz_client_send_message(client, PROC_POOL_EVENT_LIFECYCLE,
                                     (xdrproc_t)xdr_armz_storage_pool_event_lifecycle_msg, &msg);
        } else {
            armz_storage_pool_event_refresh_msg msg = {
                .callback_id = g_array_index(ids, int, i), .pool = p,
            };
            armz_client_send_message(client, PROC_POOL_EVENT_REFRESH,
                                     (xdrproc_t)xdr_armz_storage_pool_event_refresh_msg, &msg);
        }
    }
}

void
armz_remote_storage_event(const ArmzPoolId *pool, int event_id, int event, gpointer opaque)
{
    GHashTableIter it;
    gpointer key;

    g_mutex_lock(&armz_daemon->conns_lock);
    g_hash_table_iter_init(&it, armz_daemon->conns);
    while (g_hash_table_iter_next(&it, &key, NULL))
        deliver(key, pool, event_id, event);
    g_mutex_unlock(&armz_daemon->conns_lock);
}

static const ArmzProc procs[] = {
    { 368, "virConnectStoragePoolEventRegisterAny",
      ARMZ_ARGS(armz_connect_storage_pool_event_register_any_args),
      ARMZ_RET(armz_connect_domain_event_callback_register_any_ret), h_register, 0 },
    { 369, "virConnectStoragePoolEventDeregisterAny",
      ARMZ_ARGS(armz_connect_domain_event_callback_deregister_any_args), ARMZ_NORET,
      h_deregister, 0 },
};

void
armz_remote_storage_events_register(ArmzDispatcher *d)
{
    armz_dispatcher_add(d, procs, G_N_ELEMENTS(procs));
}
