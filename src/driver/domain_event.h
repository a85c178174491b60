/* Domain events as the driver reports them; the daemon turns them into
 * RPC messages for the clients that registered for them. */
#pragma once
#include <glib.h>

typedef enum {
    ARMZ_DOMAIN_EVENT_LIFECYCLE,   /* VIR_DOMAIN_EVENT_ID_LIFECYCLE */
    ARMZ_DOMAIN_EVENT_REBOOT,      /* VIR_DOMAIN_EVENT_ID_REBOOT */
    ARMZ_DOMAIN_EVENT_IO_ERROR,    /* VIR_DOMAIN_EVENT_ID_IO_ERROR and _REASON */
} ArmzDomainEventKind;

typedef struct {
    ArmzDomainEventKind kind;
    char *name;
    unsigned char uuid[16];
    int id;
    int event;      /* virDomainEventType (lifecycle) */
    int detail;     /* its virDomainEvent*DetailType */
    /* IO_ERROR: the disk's source and alias, virDomainEventIOErrorAction
     * in event, and the reason ("enospc" or "") */
    const char *src_path, *dev_alias, *reason;
} ArmzDomainEvent;

typedef void (*ArmzDomainEventSink)(const ArmzDomainEvent *ev, gpointer opaque);
