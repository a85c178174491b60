/* Storage pool event registrations per connection (procs 368, 369) and the
 * delivery of the driver's events: lifecycle (370) and refresh (373). */
#include <string.h>
#define VIR_ENUM_SENTINELS
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "daemon/remote_storage_priv.h"


static gboolean
h_register(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_connect_storage_pool_event_register_any_args *args = a;

    if (args->event_id < 0 || args->event_id >= VIR_STORAGE_POOL_EVENT_ID_LAST) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("unsupported storage pool event ID %d"), args->event_id);
        return FALSE;
    }
    if (args->pool) {
        g_autoptr(ArmzPoolId) id =
            armz_storage_pool_lookup_uuid(STORAGE, (unsigned char *)args->pool->uuid, error);
        if (!id)
            return FALSE;
    }
    ((armz_connect_domain_event_callback_register_any_ret *)r)->callback_id =
        armz_event_callback_add(client, ARMZ_EVENT_POOL, args->event_id,
                                args->pool ? (const unsigned char *)args->pool->uuid : NULL);
    return TRUE;
}

static gboolean
h_deregister(ArmzClient *client, void *a, void *r, GError **error)
{
    int id = ((armz_connect_domain_event_callback_deregister_any_args *)a)->callback_id;

    return armz_event_callback_remove(client, ARMZ_EVENT_POOL, id, error);
}

/* One event of the driver, as armz_event_foreach_client passes it on. */
typedef struct {
    const ArmzPoolId *pool;
    int event_id;
    int event;
} PoolEvent;

static void
deliver(ArmzClient *client, gconstpointer event)
{
    const PoolEvent *ev = event;
    const ArmzPoolId *pool = ev->pool;
    g_autoptr(GArray) ids =
        armz_event_callback_ids(client, ARMZ_EVENT_POOL, ev->event_id, pool->uuid);

    for (guint i = 0; i < ids->len; i++) {
        armz_nonnull_storage_pool p = { pool->name, { 0 } };

        memcpy(p.uuid, pool->uuid, sizeof(p.uuid));
        if (ev->event_id == VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE) {
            armz_storage_pool_event_lifecycle_msg msg = {
                .callback_id = g_array_index(ids, int, i), .pool = p, .event = ev->event,
            };
            armz_client_send_message(client, REMOTE_PROC_STORAGE_POOL_EVENT_LIFECYCLE,
                                     (xdrproc_t)xdr_armz_storage_pool_event_lifecycle_msg, &msg);
        } else {
            armz_storage_pool_event_refresh_msg msg = {
                .callback_id = g_array_index(ids, int, i), .pool = p,
            };
            armz_client_send_message(client, REMOTE_PROC_STORAGE_POOL_EVENT_REFRESH,
                                     (xdrproc_t)xdr_armz_storage_pool_event_refresh_msg, &msg);
        }
    }
}

void
armz_remote_storage_event(const ArmzPoolId *pool, int event_id, int event, gpointer opaque)
{
    PoolEvent ev = { pool, event_id, event };

    armz_event_foreach_client(deliver, &ev);
}

static const ArmzProc procs[] = {
    { REMOTE_PROC_CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY,
      ARMZ_ARGS(armz_connect_storage_pool_event_register_any_args),
      ARMZ_RET(armz_connect_domain_event_callback_register_any_ret), h_register, 0 },
    { REMOTE_PROC_CONNECT_STORAGE_POOL_EVENT_DEREGISTER_ANY,
      ARMZ_ARGS(armz_connect_domain_event_callback_deregister_any_args), ARMZ_NORET,
      h_deregister, 0 },
};

void
armz_remote_storage_events_register(ArmzDispatcher *d)
{
    armz_dispatcher_add(d, procs, G_N_ELEMENTS(procs));
}
