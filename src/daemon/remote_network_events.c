/* Network lifecycle events: registrations per connection (313/314) and
 * their delivery (315), as remote_events.c does for domains. */
#include <string.h>
/* The _LAST sentinels bound the event IDs clients may register. */
#define VIR_ENUM_SENTINELS
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "daemon/daemon.h"
#include "rpc/procnums.h"
#include "daemon/remote_network.h"


static gboolean
h_register_any(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_connect_network_event_register_any_args *args = a;

    if (args->event_id < 0 || args->event_id >= VIR_NETWORK_EVENT_ID_LAST) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("unsupported network event ID %d"), args->event_id);
        return FALSE;
    }
    if (args->net) {
        ArmzNetworkRef ref = { 0 };
        if (!armz_network_lookup_uuid(armz_daemon->network, (const unsigned char *)args->net->uuid,
                                      &ref, error))
            return FALSE;
        armz_network_ref_clear(&ref);
    }
    ((armz_connect_network_event_register_any_ret *)r)->callback_id =
        armz_event_callback_add(client, ARMZ_EVENT_NETWORK, args->event_id,
                                args->net ? (const unsigned char *)args->net->uuid : NULL);
    return TRUE;
}

static gboolean
h_deregister_any(ArmzClient *client, void *a, void *r, GError **error)
{
    int id = ((armz_connect_network_event_deregister_any_args *)a)->callback_id;

    return armz_event_callback_remove(client, ARMZ_EVENT_NETWORK, id, error);
}

static void
deliver(ArmzClient *client, gconstpointer event)
{
    const ArmzNetworkEvent *ev = event;
    g_autoptr(GArray) ids =
        armz_event_callback_ids(client, ARMZ_EVENT_NETWORK, VIR_NETWORK_EVENT_ID_LIFECYCLE,
                                ev->uuid);

    for (guint i = 0; i < ids->len; i++) {
        armz_network_event_lifecycle_msg msg = {
            .callback_id = g_array_index(ids, int, i),
            .event = ev->event,
            .detail = 0,        /* network events have no details */
        };
        msg.net.name = (char *)ev->name;
        memcpy(msg.net.uuid, ev->uuid, sizeof(msg.net.uuid));
        armz_client_send_message(client, REMOTE_PROC_NETWORK_EVENT_LIFECYCLE,
                                 (xdrproc_t)xdr_armz_network_event_lifecycle_msg, &msg);
    }
}

void
armz_remote_network_event(const ArmzNetworkEvent *ev, gpointer opaque)
{
    armz_event_foreach_client(deliver, ev);
}

static const ArmzProc procs[] = {
    { REMOTE_PROC_CONNECT_NETWORK_EVENT_REGISTER_ANY,
      ARMZ_ARGS(armz_connect_network_event_register_any_args),
      ARMZ_RET(armz_connect_network_event_register_any_ret), h_register_any, 0 },
    { REMOTE_PROC_CONNECT_NETWORK_EVENT_DEREGISTER_ANY,
      ARMZ_ARGS(armz_connect_network_event_deregister_any_args), ARMZ_NORET, h_deregister_any, 0 },
};

void
armz_remote_network_events_register(ArmzDispatcher *d)
{
    armz_dispatcher_add(d, procs, G_N_ELEMENTS(procs));
}
