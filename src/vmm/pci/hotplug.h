/* PCIe hotplug of virtio-blk-pci and virtio-net-pci devices into the
 * root ports of --pci (QMP device_add / device_del / query-pci, see
 * docs/armz-vmm.8): the device is created, started and put into an empty
 * hotplug-capable port while the guest runs, and taken out again once the
 * guest powers the slot off after an attention button press.  Main thread
 * only; the slot's power-off comes from a vCPU thread and is handled on
 * the main context. */
#pragma once
#include <glib.h>
#include "devices/devices.h"
#include "qmp/qmp_server.h"     /* ArmzDeviceAddArgs */

typedef struct {
    /* every vCPU out of device code and waiting, then running again */
    void (*pause)(void *opaque);
    void (*resume)(void *opaque);
    /* a QMP event (main thread) */
    void (*event)(void *opaque, const char *name, const char *data_json);
    void *opaque;
    GMainContext *ctx;          /* the main thread's */
    guint unplug_timeout_ms;    /* DEVICE_UNPLUG_GUEST_ERROR after this (30 s) */
    gboolean allow_path;        /* path= may open a file (no sandbox) */
} ArmzHotplugHooks;

typedef struct _ArmzHotplug ArmzHotplug;

/* After armz_board_create_devices: connects the root ports' hotplug
 * interrupts and power controllers; B->pci_host NULL: device_add answers
 * that there is no PCI. */
ArmzHotplug *armz_hotplug_new(ArmzBoard *b, const ArmzHotplugHooks *hooks);
void armz_hotplug_free(ArmzHotplug *hp);
gboolean armz_hotplug_device_add(ArmzHotplug *hp, const ArmzDeviceAddArgs *a, GError **error);
gboolean armz_hotplug_device_del(ArmzHotplug *hp, const char *id, GError **error);
/* query-pci's answer (QEMU's shape) */
char *armz_hotplug_query_pci(ArmzHotplug *hp);
/* The guest powered off the slot of root port index INDEX (what a
 * vCPU's config write schedules; the tests call it directly). */
void armz_hotplug_power_off(ArmzHotplug *hp, unsigned index);
