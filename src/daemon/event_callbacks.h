/* The event callbacks clients register (the *EventRegisterAny procedures),
 * kept per connection with one list for each kind of object, and the walk
 * over connected clients that delivers an event. Each remote_*_events.c
 * keeps its own procedures, checks and messages. */
#pragma once
#include <glib.h>
#include "rpc/server.h"

typedef enum {
    ARMZ_EVENT_DOMAIN,
    ARMZ_EVENT_NETWORK,
    ARMZ_EVENT_POOL,
    ARMZ_EVENT_N_KINDS
} ArmzEventKind;

typedef struct {
    int callback_id;
    int event_id;
    gboolean has_obj;         /* only events of the object with UUID */
    unsigned char uuid[16];
} ArmzEventCallback;

/* Registers EVENT_ID for CLIENT in its KIND list, for the object UUID or
 * every object (UUID NULL); returns the new callback ID. */
int armz_event_callback_add(ArmzClient *client, ArmzEventKind kind, int event_id,
                            const unsigned char *uuid);
/* Removes CALLBACK_ID from CLIENT's KIND list; VIR_ERR_INVALID_ARG if it is
 * not there. */
gboolean armz_event_callback_remove(ArmzClient *client, ArmzEventKind kind, int callback_id,
                                    GError **error);
/* The IDs (int) of CLIENT's KIND callbacks for EVENT_ID that want the
 * object UUID. */
GArray *armz_event_callback_ids(ArmzClient *client, ArmzEventKind kind, int event_id,
                                const unsigned char *uuid);

typedef void (*ArmzEventDeliverFunc)(ArmzClient *client, gconstpointer event);
/* Calls DELIVER for every connected client (the client set locked). */
void armz_event_foreach_client(ArmzEventDeliverFunc deliver, gconstpointer event);
