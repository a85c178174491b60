/* Domain events as the driver reports them; the daemon turns them into
 * RPC messages for the clients that registered for them. */
#pragma once
#include <glib.h>

typedef enum {
    ARMZ_DOMAIN_EVENT_LIFECYCLE,   /* VIR_DOMAIN_EVENT_ID_LIFECYCLE */
    ARMZ_DOMAIN_EVENT_REBOOT,      /* VIR_DOMAIN_EVENT_ID_REBOOT */
    ARMZ_DOMAIN_EVENT_AGENT_LIFECYCLE, /* VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE */
    ARMZ_DOMAIN_EVENT_TRAY_CHANGE, /* VIR_DOMAIN_EVENT_ID_TRAY_CHANGE */
    ARMZ_DOMAIN_EVENT_IO_ERROR,    /* VIR_DOMAIN_EVENT_ID_IO_ERROR and _REASON */
    /* dev_alias: the device's alias */
    ARMZ_DOMAIN_EVENT_DEVICE_ADDED,            /* VIR_DOMAIN_EVENT_ID_DEVICE_ADDED */
    ARMZ_DOMAIN_EVENT_DEVICE_REMOVED,          /* VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED */
    ARMZ_DOMAIN_EVENT_DEVICE_REMOVAL_FAILED,   /* VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED */
} ArmzDomainEventKind;

typedef struct {
    ArmzDomainEventKind kind;
    char *name;
    unsigned char uuid[16];
    int id;
    int event;      /* virDomainEventType (lifecycle); agent: its state */
    int detail;     /* its virDomainEvent*DetailType; agent: the reason */
    /* IO_ERROR: the disk's source and alias, virDomainEventIOErrorAction
     * in event, and the reason ("enospc" or "") */
    const char *src_path, *dev_alias, *reason;
    int tray_reason;        /* tray change: virDomainEventTrayChangeReason */
} ArmzDomainEvent;

typedef void (*ArmzDomainEventSink)(const ArmzDomainEvent *ev, gpointer opaque);
