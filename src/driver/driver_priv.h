/* Driver internals shared by the driver's own files. */
#pragma once
#include "driver/driver.h"

struct _ArmzDriver {
    ArmzPaths *paths;
    ArmzDriverConfig cfg;
    ArmzDomainList *domains;
    GMutex event_lock;
    ArmzDomainEventSink sink;
    gpointer sink_opaque;
    gint next_id;          /* domain IDs: a fresh one on every start */
};

/* Reports an event for OBJ's identity; OBJ locked or not, names are fixed. */
void armz_driver_emit_lifecycle(ArmzDriver *drv, ArmzDomainObj *obj, int id,
                                int event, int detail);
