/* The VM's side of its virtio disks: what an I/O error does (QMP
 * BLOCK_IO_ERROR; werror/rerror=stop pauses the guest in state io-error
 * until cont retries), the counters of query-blockstats and block_resize.
 * Runs on the main thread; the error hook hops there from a disk worker. */
#include <errno.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include "vmm.h"
#include "vmmlog.h"
#include "virtio/virtio.h"
#include "virtio/virtio_scsi.h"

typedef struct {
    ArmzVm *vm;
    ArmzVirtioDev *dev;
    char *label;
    gboolean write;
    int err;
    ArmzBlkErrorPolicy action;
} BlockError;

static void
block_error_free(gpointer p)
{
    BlockError *e = p;
    g_free(e->label);
    g_free(e);
}

static const char *
action_name(ArmzBlkErrorPolicy a)
{
    switch (a) {
    case ARMZ_BLK_ERR_STOP: return "stop";
    case ARMZ_BLK_ERR_IGNORE: return "ignore";
    default: return "report";
    }
}

/* main thread: the event first, then the stop (QEMU's order) */
static gboolean
block_error_main(gpointer p)
{
    BlockError *e = p;
    g_autofree char *reason = g_strescape(g_strerror(e->err), NULL);
    g_autofree char *data = g_strdup_printf(
        "{\"device\": \"%s\", \"node-name\": \"%s\", \"operation\": \"%s\", "
        "\"action\": \"%s\", \"nospace\": %s, \"reason\": \"%s\"}",
        e->label, e->label, e->write ? "write" : "read", action_name(e->action),
        e->err == ENOSPC ? "true" : "false", reason);

    armz_vm_emit(e->vm, "BLOCK_IO_ERROR", data);
    if (e->action == ARMZ_BLK_ERR_STOP)
        armz_vm_stop_io_error(e->vm);
    return G_SOURCE_REMOVE;
}

/* disk worker thread */
static void
block_error(void *opaque, ArmzVirtioDev *d, const ArmzBlkIoError *ev)
{
    ArmzVm *vm = opaque;
    BlockError *e = g_new0(BlockError, 1);

    e->vm = vm;
    e->dev = d;
    e->label = g_strdup(ev->label);
    e->write = ev->write;
    e->err = ev->err;
    e->action = ev->action;
    g_main_context_invoke_full(vm->ctx, G_PRIORITY_DEFAULT, block_error_main, e,
                               block_error_free);
}

void
armz_vm_block_setup(ArmzVm *vm)
{
    for (unsigned i = 0; i < vm->board.nvirtio; i++)
        if (armz_virtio_is_blk(vm->board.virtio[i]))
            armz_virtio_blk_set_error_fn(vm->board.virtio[i], block_error, vm);
}

void
armz_vm_block_resume(ArmzVm *vm)
{
    for (unsigned i = 0; i < vm->board.nvirtio; i++)
        if (armz_virtio_is_blk(vm->board.virtio[i]))
            armz_virtio_blk_resume(vm->board.virtio[i]);
}

static void
append_stats(GString *out, gboolean first, const char *label, const ArmzBlkStats *st)
{
    g_string_append_printf(out,
        "%s{\"device\": \"%s\", \"node-name\": \"%s\", \"stats\": {"
        "\"rd_bytes\": %" G_GUINT64_FORMAT ", \"wr_bytes\": %" G_GUINT64_FORMAT ", "
        "\"rd_operations\": %" G_GUINT64_FORMAT ", \"wr_operations\": %" G_GUINT64_FORMAT ", "
        "\"flush_operations\": %" G_GUINT64_FORMAT ", "
        "\"rd_total_time_ns\": %" G_GUINT64_FORMAT ", \"wr_total_time_ns\": %" G_GUINT64_FORMAT ", "
        "\"flush_total_time_ns\": %" G_GUINT64_FORMAT ", "
        "\"failed_rd_operations\": %" G_GUINT64_FORMAT ", "
        "\"failed_wr_operations\": %" G_GUINT64_FORMAT ", "
        "\"failed_flush_operations\": %" G_GUINT64_FORMAT ", "
        "\"unmap_operations\": %" G_GUINT64_FORMAT ", \"unmap_bytes\": %" G_GUINT64_FORMAT ", "
        "\"wr_highest_offset\": %" G_GUINT64_FORMAT "}}",
        first ? "" : ", ", label, label, st->rd_bytes, st->wr_bytes, st->rd_ops, st->wr_ops,
        st->flush_ops, st->rd_ns, st->wr_ns, st->flush_ns, st->failed_rd, st->failed_wr,
        st->failed_flush, st->unmap_ops, st->unmap_bytes, st->wr_highest_offset);
}

char *
armz_vm_query_blockstats(ArmzVm *vm)
{
    GString *out = g_string_new("[");
    gboolean first = TRUE;

    for (unsigned i = 0; i < vm->board.nvirtio; i++) {
        ArmzVirtioDev *d = vm->board.virtio[i];
        const char *name;
        ArmzBlkStats st;

        if (armz_virtio_device_id(d) == VIRTIO_ID_SCSI) {
            /* each LUN by its id (scsi0-0-0-UNIT), as QEMU names scsi-hd */
            ArmzScsiTarget *t = armz_virtio_scsi_target(d);
            ArmzScsiLun *l;
            int lun = -1;

            while (t && (l = armz_scsi_target_next(t, &lun))) {
                ArmzScsiLunStats s;

                armz_scsi_lun_stats(l, &s);
                st = (ArmzBlkStats){ 0 };
                st.rd_bytes = s.rd_bytes;
                st.wr_bytes = s.wr_bytes;
                st.rd_ops = s.rd_ops;
                st.wr_ops = s.wr_ops;
                st.flush_ops = s.flush_ops;
                st.rd_ns = s.rd_ns;
                st.wr_ns = s.wr_ns;
                st.flush_ns = s.flush_ns;
                st.failed_rd = s.failed_rd;
                st.failed_wr = s.failed_wr;
                st.failed_flush = s.failed_flush;
                append_stats(out, first, armz_scsi_lun_id(l), &st);
                first = FALSE;
            }
            continue;
        }
        /* qemu-storage-daemon's disks, by their id as virtarmzd gave it */
        if (armz_vhost_user_blk_stats(d, &name, &st)) {
            append_stats(out, first, name, &st);
            first = FALSE;
            continue;
        }
        if (!armz_virtio_is_blk(d))
            continue;
        armz_virtio_blk_stats(d, &st);
        append_stats(out, first, armz_virtio_label(d), &st);
        first = FALSE;
    }
    g_string_append_c(out, ']');
    return g_string_free(out, FALSE);
}

/* each disk's io-status: failed or nospace while an error stops it */
char *
armz_vm_query_block(ArmzVm *vm)
{
    GString *out = g_string_new("[");
    gboolean first = TRUE;

    for (unsigned i = 0; i < vm->board.nvirtio; i++) {
        ArmzVirtioDev *d = vm->board.virtio[i];
        int err;

        if (!armz_virtio_is_blk(d))
            continue;
        err = armz_virtio_blk_io_status(d);
        g_string_append_printf(out,
            "%s{\"device\": \"%s\", \"removable\": false, \"locked\": false, "
            "\"io-status\": \"%s\", \"inserted\": {\"node-name\": \"%s\", "
            "\"image\": {\"virtual-size\": %" G_GUINT64_FORMAT "}}}",
            first ? "" : ", ", armz_virtio_label(d),
            err == 0 ? "ok" : err == ENOSPC ? "nospace" : "failed", armz_virtio_label(d),
            armz_virtio_blk_capacity(d));
        first = FALSE;
    }
    g_string_append_c(out, ']');
    return g_string_free(out, FALSE);
}

gboolean
armz_vm_block_resize(ArmzVm *vm, const char *device, guint64 size, GError **error)
{
    for (unsigned i = 0; i < vm->board.nvirtio; i++) {
        ArmzVirtioDev *d = vm->board.virtio[i];
        uint64_t now;

        if (armz_virtio_is_blk(d) && g_str_equal(armz_virtio_label(d), device))
            return armz_virtio_blk_resize(d, size, error);
        /* qemu-storage-daemon resized it already: the guest is told */
        if (armz_vhost_user_blk_is(d, device))
            return armz_vhost_user_blk_refresh(d, size, &now, error);
    }
    g_set_error(error, ARMZ_VMM_ERROR, 0, _("Device '%s' not found"), device);
    return FALSE;
}
