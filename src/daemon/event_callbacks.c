/* Event callbacks per connection (see event_callbacks.h). */
#include <string.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "daemon/daemon.h"
#include "daemon/event_callbacks.h"

int
armz_event_callback_add(ArmzClient *client, ArmzEventKind kind, int event_id,
                        const unsigned char *uuid)
{
    ArmzEventCallback cb = { 0 };

    if (uuid) {
        cb.has_obj = TRUE;
        memcpy(cb.uuid, uuid, sizeof(cb.uuid));
    }
    cb.event_id = event_id;
    cb.callback_id = g_atomic_int_add(&armz_daemon->next_callback_id, 1) + 1;
    g_mutex_lock(&client->lock);
    g_array_append_val(armz_conn_get(client)->callbacks[kind], cb);
    g_mutex_unlock(&client->lock);
    return cb.callback_id;
}

gboolean
armz_event_callback_remove(ArmzClient *client, ArmzEventKind kind, int callback_id,
                           GError **error)
{
    gboolean found = FALSE;
    GArray *cbs;

    g_mutex_lock(&client->lock);
    cbs = armz_conn_get(client)->callbacks[kind];
    for (guint i = 0; i < cbs->len; i++) {
        if (g_array_index(cbs, ArmzEventCallback, i).callback_id == callback_id) {
            g_array_remove_index(cbs, i);
            found = TRUE;
            break;
        }
    }
    g_mutex_unlock(&client->lock);
    if (!found) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("callback ID %d not registered"), callback_id);
        return FALSE;
    }
    return TRUE;
}

GArray *
armz_event_callback_ids(ArmzClient *client, ArmzEventKind kind, int event_id,
                        const unsigned char *uuid)
{
    GArray *ids = g_array_new(FALSE, FALSE, sizeof(int));
    GArray *cbs;

    g_mutex_lock(&client->lock);
    cbs = armz_conn_get(client)->callbacks[kind];
    for (guint i = 0; i < cbs->len; i++) {
        ArmzEventCallback *cb = &g_array_index(cbs, ArmzEventCallback, i);
        if (cb->event_id == event_id && (!cb->has_obj || memcmp(cb->uuid, uuid, 16) == 0))
            g_array_append_val(ids, cb->callback_id);
    }
    g_mutex_unlock(&client->lock);
    return ids;
}

void
armz_event_foreach_client(ArmzEventDeliverFunc deliver, gconstpointer event)
{
    GHashTableIter it;
    gpointer key;

    g_mutex_lock(&armz_daemon->conns_lock);
    g_hash_table_iter_init(&it, armz_daemon->conns);
    while (g_hash_table_iter_next(&it, &key, NULL))
        deliver(key, event);
    g_mutex_unlock(&armz_daemon->conns_lock);
}
