/* Removable media through QMP (eject, blockdev-change-medium) and the
 * DEVICE_TRAY_MOVED event: the CD-ROMs of the virtio-scsi controller.
 * Runs on the main thread; the tray callback also comes from the
 * controller's worker (the guest's own eject) and hops to the main
 * context to emit. */
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include "vmm.h"
#include "vmmlog.h"
#include "virtio/virtio_scsi.h"

typedef struct {
    ArmzVm *vm;
    char *data;
} TrayEvent;

static gboolean
tray_emit(gpointer p)
{
    TrayEvent *e = p;

    armz_vm_emit(e->vm, "DEVICE_TRAY_MOVED", e->data);
    g_free(e->data);
    g_free(e);
    return G_SOURCE_REMOVE;
}

static void
tray_moved(void *opaque, const char *id, bool open)
{
    ArmzVm *vm = opaque;
    TrayEvent *e = g_new0(TrayEvent, 1);
    g_autofree char *qid = g_strescape(id, NULL);

    e->vm = vm;
    e->data = g_strdup_printf("{\"device\": \"\", \"id\": \"%s\", \"tray-open\": %s}", qid,
                              open ? "true" : "false");
    g_main_context_invoke(vm->ctx, tray_emit, e);
}

static ArmzScsiTarget *
scsi_target(ArmzVm *vm)
{
    for (unsigned i = 0; i < vm->board.nvirtio; i++)
        if (armz_virtio_device_id(vm->board.virtio[i]) == VIRTIO_ID_SCSI)
            return armz_virtio_scsi_target(vm->board.virtio[i]);
    return NULL;
}

void
armz_vm_media_init(ArmzVm *vm)
{
    ArmzScsiTarget *t = scsi_target(vm);

    if (t)
        armz_scsi_target_set_tray_cb(t, tray_moved, vm);
}

static ArmzScsiLun *
find_removable(ArmzVm *vm, const char *id, GError **error)
{
    ArmzScsiTarget *t = scsi_target(vm);
    ArmzScsiLun *l = t ? armz_scsi_target_find(t, id) : NULL;

    if (!l) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("Device '%s' not found"), id);
        return NULL;
    }
    if (armz_scsi_lun_kind(l) != ARMZ_SCSI_CDROM) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("Device '%s' is not removable"), id);
        return NULL;
    }
    return l;
}

gboolean
armz_vm_media_eject(gpointer opaque, const char *id, gboolean force, GError **error)
{
    ArmzScsiLun *l = find_removable(opaque, id, error);

    return l && armz_scsi_cdrom_open_tray(l, force, error) &&
           armz_scsi_cdrom_change(l, -1, error);
}

gboolean
armz_vm_media_change(gpointer opaque, const char *id, int fd, GError **error)
{
    ArmzScsiLun *l = find_removable(opaque, id, error);

    if (!l || !armz_scsi_cdrom_change(l, fd, error)) {
        close(fd);
        return FALSE;
    }
    armz_vmm_debug("%s: new medium (fd %d)", id, fd);
    return TRUE;
}
