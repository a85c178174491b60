/* Block APIs of running domains (see domain_block.h). armz-vmm names its
 * disks as the guest does, vda, vdb, ... in --disk order, which is the
 * order of armz_domain_disks_in_order(); the daemon maps them back to the
 * definition's disks. */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/log.h"
#include "util/typed_params.h"
#include "driver/disk_info.h"
#include "driver/domain_block.h"
#include "driver/domain_validate.h"
#include "driver/driver_priv.h"
#include "driver/monitor.h"
#include "driver/process.h"
#include "driver/process_priv.h"
#include "driver/qsd_process.h"

/* libvirt 10.0's flag; the headers of 9.0 lack it */
#ifndef VIR_DOMAIN_BLOCK_RESIZE_CAPACITY
#define VIR_DOMAIN_BLOCK_RESIZE_CAPACITY (1 << 1)
#endif

/* A disk of the definition as armz-vmm knows it. */
typedef struct {
    const ArmzDomainDiskDef *disk;
    char label[8];                  /* armz-vmm's name: "vda" */
    char alias[32];                 /* libvirt's: "virtio-disk0" */
} VmmDisk;

/* The disks of DEF armz-vmm serves itself, in --disk order (those of
 * qemu-storage-daemon are vhost-user-blk devices). */
static GArray *
vmm_disks(const ArmzDomainDef *def)
{
    g_autoptr(GArray) slots = armz_domain_disks_in_order(def, NULL);
    GArray *out = g_array_new(FALSE, TRUE, sizeof(VmmDisk));

    for (guint i = 0, k = 0; slots && i < slots->len; i++) {
        const ArmzDomainDiskSlot *s = &g_array_index(slots, ArmzDomainDiskSlot, i);
        VmmDisk d = { .disk = g_ptr_array_index(def->disks, s->pos) };

        if (armz_domain_disk_uses_qsd(d.disk))
            continue;
        if (k < 26)
            g_snprintf(d.label, sizeof(d.label), "vd%c", 'a' + k);
        else
            g_snprintf(d.label, sizeof(d.label), "vd%c%c", 'a' + k / 26 - 1, 'a' + k % 26);
        g_snprintf(d.alias, sizeof(d.alias), "virtio-disk%" G_GUINT64_FORMAT, s->index);
        g_array_append_val(out, d);
        k++;
    }
    return out;
}

/* The disks with statistics, in the definition's order (libvirt's for
 * domstats): armz-vmm's virtio disks, qemu-storage-daemon's (counted by
 * armz-vmm's vhost-user-blk device, "virtio-disk0" as plan_qsd_disk names
 * it) and the SCSI disks and CD-ROMs by their LUN's id (scsi0-0-0-UNIT). */
static GArray *
stat_disks(const ArmzDomainDef *def)
{
    g_autoptr(GArray) vmm = vmm_disks(def);
    g_autoptr(GArray) slots = armz_domain_disks_in_order(def, NULL);
    GArray *out = g_array_new(FALSE, TRUE, sizeof(VmmDisk));

    for (guint i = 0; i < def->disks->len; i++) {
        VmmDisk d = { .disk = g_ptr_array_index(def->disks, i) };
        guint unit;

        if (armz_domain_disk_is_scsi(d.disk)) {
            if (!armz_domain_scsi_unit(d.disk, &unit, NULL))
                continue;
            g_snprintf(d.alias, sizeof(d.alias), "scsi0-0-0-%u", unit);
        } else if (armz_domain_disk_uses_qsd(d.disk)) {
            for (guint j = 0; slots && j < slots->len; j++)
                if (g_array_index(slots, ArmzDomainDiskSlot, j).pos == i)
                    g_snprintf(d.alias, sizeof(d.alias), "virtio-disk%" G_GUINT64_FORMAT,
                               g_array_index(slots, ArmzDomainDiskSlot, j).index);
        } else {
            for (guint j = 0; j < vmm->len; j++)
                if (g_array_index(vmm, VmmDisk, j).disk == d.disk)
                    d = g_array_index(vmm, VmmDisk, j);
        }
        if (d.alias[0])
            g_array_append_val(out, d);
    }
    return out;
}

/* Whether NAME, a disk in armz-vmm's query-blockstats, is D: its own
 * virtio disks by label, the others by id (a storage daemon's disk
 * hot-added with a user alias by that) */
static gboolean
stat_is(const VmmDisk *d, const char *name)
{
    if (d->label[0])
        return g_strcmp0(name, d->label) == 0;
    return g_strcmp0(name, d->alias) == 0 ||
           (armz_domain_disk_uses_qsd(d->disk) && d->disk->alias &&
            g_strcmp0(name, d->disk->alias) == 0);
}

/* The disk PATH names (target or source), or NULL. */
static const VmmDisk *
find_disk(GArray *disks, const char *path)
{
    for (guint i = 0; i < disks->len; i++) {
        const VmmDisk *d = &g_array_index(disks, VmmDisk, i);
        if (g_strcmp0(d->disk->target_dev, path) == 0 || g_strcmp0(d->disk->src_path, path) == 0)
            return d;
    }
    return NULL;
}

static const VmmDisk *
find_label(GArray *disks, const char *label)
{
    for (guint i = 0; label && i < disks->len; i++) {
        const VmmDisk *d = &g_array_index(disks, VmmDisk, i);
        if (g_str_equal(d->label, label))
            return d;
    }
    return NULL;
}

/* The disk of qemu-storage-daemon PATH names (target or source), or NULL;
 * its armz-vmm id ("virtio-disk0") in ALIAS. */
static const ArmzDomainDiskDef *
find_qsd_disk(const ArmzDomainDef *def, const char *path, char alias[32])
{
    g_autoptr(GArray) slots = armz_domain_disks_in_order(def, NULL);

    for (guint i = 0; slots && path && i < slots->len; i++) {
        const ArmzDomainDiskSlot *s = &g_array_index(slots, ArmzDomainDiskSlot, i);
        const ArmzDomainDiskDef *d = g_ptr_array_index(def->disks, s->pos);

        if (!armz_domain_disk_uses_qsd(d) ||
            (g_strcmp0(d->target_dev, path) != 0 && g_strcmp0(d->src_path, path) != 0))
            continue;
        g_snprintf(alias, 32, "virtio-disk%" G_GUINT64_FORMAT, s->index);
        return d;
    }
    return NULL;
}

static gboolean
check_active(ArmzDomainObj *obj, GError **error)
{
    if (armz_domain_obj_is_active(obj) && obj->priv)
        return TRUE;
    g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID, _("domain is not running"));
    return FALSE;
}

/* CMD with ARGS (JSON or NULL): its reply's JSON text in *REPLY (when not
 * NULL). OBJ is locked and unlocked across the call (the monitor's
 * callbacks take its lock). */
static gboolean
vmm_command(ArmzDomainObj *obj, const char *cmd, const char *args, char **reply, GError **error)
{
    g_autoptr(ArmzMonitor) mon = armz_process_monitor(obj, error);
    GError *err = NULL;
    gboolean ok;

    if (!mon)
        return FALSE;
    g_mutex_unlock(&obj->lock);
    ok = armz_monitor_command(mon, cmd, args, reply, 0, &err);
    g_mutex_lock(&obj->lock);
    if (!ok)
        armz_monitor_propagate_error(error, err);
    return ok;
}

/* CMD's reply (a JSON array), parsed. */
static yajl_val
vmm_query(ArmzDomainObj *obj, const char *cmd, const char *args, GError **error)
{
    g_autofree char *reply = NULL;
    yajl_val v;

    if (!vmm_command(obj, cmd, args, &reply, error))
        return NULL;
    v = reply ? yajl_tree_parse(reply, NULL, 0) : NULL;
    if (!v || !YAJL_IS_ARRAY(v)) {
        yajl_tree_free(v);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("armz-vmm sent an unexpected reply to '%s'"), cmd);
        return NULL;
    }
    return v;
}

static const char *
entry_device(yajl_val e)
{
    const char *p[] = { "device", NULL };
    yajl_val v = yajl_tree_get(e, p, yajl_t_string);
    return v ? v->u.string : NULL;
}

static gint64
stat_of(yajl_val e, const char *name)
{
    const char *p[] = { "stats", name, NULL };
    yajl_val v = yajl_tree_get(e, p, yajl_t_number);
    return v && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : 0;
}

/* QEMU's counters of one disk, as libvirt's QEMU driver names them */
typedef struct {
    gint64 rd_req, rd_bytes, rd_ns, wr_req, wr_bytes, wr_ns, fl_req, fl_ns;
} Counters;

static void
add_counters(Counters *c, yajl_val e)
{
    c->rd_req += stat_of(e, "rd_operations");
    c->rd_bytes += stat_of(e, "rd_bytes");
    c->rd_ns += stat_of(e, "rd_total_time_ns");
    c->wr_req += stat_of(e, "wr_operations");
    c->wr_bytes += stat_of(e, "wr_bytes");
    c->wr_ns += stat_of(e, "wr_total_time_ns");
    c->fl_req += stat_of(e, "flush_operations");
    c->fl_ns += stat_of(e, "flush_total_time_ns");
}

/* Counters of the disk PATH names, or of all with PATH "". OBJ locked. */
static gboolean
counters(ArmzDomainObj *obj, const char *path, Counters *out, GError **error)
{
    g_autoptr(GArray) disks = stat_disks(obj->def);
    const VmmDisk *want = NULL;
    yajl_val list;

    memset(out, 0, sizeof(*out));
    if (*path && !(want = find_disk(disks, path))) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG, _("invalid path: %s"), path);
        return FALSE;
    }
    if (!check_active(obj, error) || !(list = vmm_query(obj, "query-blockstats", NULL, error)))
        return FALSE;
    for (size_t i = 0; i < list->u.array.len; i++) {
        yajl_val e = list->u.array.values[i];
        if (!want || stat_is(want, entry_device(e)))
            add_counters(out, e);
    }
    yajl_tree_free(list);
    return TRUE;
}

gboolean
armz_driver_block_stats(ArmzDriver *drv, const ArmzDomainId *dom, const char *path,
                        ArmzBlockStats *out, GError **error)
{
    g_autoptr(ArmzDomainObj) obj = armz_driver_find(drv, dom, error);
    Counters c;
    gboolean ok;

    if (!obj)
        return FALSE;
    g_mutex_lock(&obj->lock);
    ok = counters(obj, path, &c, error);
    g_mutex_unlock(&obj->lock);
    if (!ok)
        return FALSE;
    *out = (ArmzBlockStats){ c.rd_req, c.rd_bytes, c.wr_req, c.wr_bytes, -1 };
    return TRUE;
}

int
armz_block_stats_nparams(void)
{
    return 8;
}

GArray *
armz_driver_block_stats_flags(ArmzDriver *drv, const ArmzDomainId *dom, const char *path,
                              unsigned int flags, GError **error)
{
    g_autoptr(ArmzDomainObj) obj = NULL;
    GArray *params;
    Counters c;
    gboolean ok;

    if (!armz_check_flags(flags, VIR_TYPED_PARAM_STRING_OKAY, "virDomainBlockStatsFlags", error) ||
        !(obj = armz_driver_find(drv, dom, error)))
        return NULL;
    g_mutex_lock(&obj->lock);
    ok = counters(obj, path, &c, error);
    g_mutex_unlock(&obj->lock);
    if (!ok)
        return NULL;
    /* libvirt's QEMU driver's order (armz_block_stats_nparams of them) */
    params = armz_typed_params_new();
    armz_typed_params_add_llong(params, c.wr_bytes, "%s", VIR_DOMAIN_BLOCK_STATS_WRITE_BYTES);
    armz_typed_params_add_llong(params, c.wr_req, "%s", VIR_DOMAIN_BLOCK_STATS_WRITE_REQ);
    armz_typed_params_add_llong(params, c.rd_bytes, "%s", VIR_DOMAIN_BLOCK_STATS_READ_BYTES);
    armz_typed_params_add_llong(params, c.rd_req, "%s", VIR_DOMAIN_BLOCK_STATS_READ_REQ);
    armz_typed_params_add_llong(params, c.fl_req, "%s", VIR_DOMAIN_BLOCK_STATS_FLUSH_REQ);
    armz_typed_params_add_llong(params, c.wr_ns, "%s", VIR_DOMAIN_BLOCK_STATS_WRITE_TOTAL_TIMES);
    armz_typed_params_add_llong(params, c.rd_ns, "%s", VIR_DOMAIN_BLOCK_STATS_READ_TOTAL_TIMES);
    armz_typed_params_add_llong(params, c.fl_ns, "%s", VIR_DOMAIN_BLOCK_STATS_FLUSH_TOTAL_TIMES);
    return params;
}

/* ---- resize ---- */

/* The image of D at SIZE bytes: a file is truncated to it, a block device
 * must have it already (*SIZE 0 with CAPACITY: whatever it has). */
static gboolean
resize_image(ArmzDriver *drv, const VmmDisk *d, guint64 *size, gboolean capacity,
             GError **error)
{
    g_autofree char *src = armz_driver_disk_source(drv, d->disk, error);
    struct stat st;
    int fd;

    if (!src)
        return FALSE;
    if ((fd = open(src, O_WRONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) < 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR, _("cannot open disk '%s' (%s): %s"),
                    d->disk->target_dev, src, g_strerror(e));
        return FALSE;
    }
    if (S_ISBLK(st.st_mode)) {
        guint64 bytes = 0;
        int rc = ioctl(fd, BLKGETSIZE64, &bytes);
        close(fd);
        if (rc < 0) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                        _("cannot get the size of block device '%s': %s"), src,
                        g_strerror(errno));
            return FALSE;
        }
        if (capacity)
            *size = bytes;
        if (*size != bytes) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_UNSUPPORTED,
                        _("cannot resize block device '%s' of disk '%s' to %" PRIu64
                          " bytes: it has %" PRIu64),
                        src, d->disk->target_dev, (uint64_t)*size, (uint64_t)bytes);
            return FALSE;
        }
        return TRUE;
    }
    if (capacity) {
        close(fd);
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                            _("block resize to full capacity supported only with 'raw' local "
                              "block-based disks"));
        return FALSE;
    }
    if (ftruncate(fd, (off_t)*size) < 0) {
        int e = errno;
        close(fd);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot resize disk '%s' (%s): %s"), d->disk->target_dev, src, g_strerror(e));
        return FALSE;
    }
    close(fd);
    return TRUE;
}

/* A disk of qemu-storage-daemon: block_resize of its image node there
 * (QEMU's node "DEV-0", the top layer of the chain), then armz-vmm reads
 * the export's config again and tells the guest. OBJ locked, its job held;
 * the lock is dropped across the daemon's command. */
static gboolean
qsd_resize(ArmzDriver *drv, ArmzDomainObj *obj, const ArmzDomainDiskDef *disk,
           const char *alias, guint64 size, unsigned int flags, GError **error)
{
    ArmzDomainRun *run = obj->priv;
    g_autoptr(ArmzMonitor) mon = NULL;
    g_autofree char *args = NULL;
    static const ArmzMonitorCallbacks no_callbacks = { 0 };
    GError *err = NULL;
    gboolean ok;

    if (disk->readonly) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("cannot resize read-only disk '%s'"), disk->target_dev);
        return FALSE;
    }
    if (flags & VIR_DOMAIN_BLOCK_RESIZE_CAPACITY) {
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                            _("block resize to full capacity supported only with 'raw' local "
                              "block-based disks"));
        return FALSE;
    }
    if (!run || !run->qsd || !run->qsd->qmp_path) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("disk '%s': its qemu-storage-daemon is not running"), disk->target_dev);
        return FALSE;
    }
    if (!(mon = armz_monitor_connect_path(run->qsd->qmp_path, drv->ctx, &no_callbacks, NULL,
                                          error)))
        return FALSE;
    args = g_strdup_printf("{\"node-name\": \"%s-0\", \"size\": %" G_GUINT64_FORMAT "}",
                           disk->target_dev, size);
    g_mutex_unlock(&obj->lock);
    ok = armz_monitor_command(mon, "block_resize", args, NULL, 0, &err);
    g_mutex_lock(&obj->lock);
    armz_monitor_close(mon);
    if (!ok) {
        armz_monitor_propagate_error(error, err);
        return FALSE;
    }
    g_free(args);
    args = g_strdup_printf("{\"device\": \"%s\", \"size\": %" G_GUINT64_FORMAT "}", alias,
                           size);
    return vmm_command(obj, "block_resize", args, NULL, error);
}

static gboolean
block_resize(ArmzDriver *drv, ArmzDomainObj *obj, const char *path, guint64 size,
             unsigned int flags, GError **error)
{
    g_autoptr(GArray) disks = vmm_disks(obj->def);
    g_autofree char *args = NULL;
    const ArmzDomainDiskDef *qd;
    const VmmDisk *d;
    char alias[32];

    if (!check_active(obj, error))
        return FALSE;
    if ((qd = find_qsd_disk(obj->def, path, alias)))
        return qsd_resize(drv, obj, qd, alias, size, flags, error);
    if (!(d = find_disk(disks, path))) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("disk '%s' was not found in the domain config"), path);
        return FALSE;
    }
    if (d->disk->readonly) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("cannot resize read-only disk '%s'"), d->disk->target_dev);
        return FALSE;
    }
    if (!resize_image(drv, d, &size, (flags & VIR_DOMAIN_BLOCK_RESIZE_CAPACITY) != 0, error))
        return FALSE;
    args = g_strdup_printf("{\"device\": \"%s\", \"size\": %" G_GUINT64_FORMAT "}", d->label, size);
    return vmm_command(obj, "block_resize", args, NULL, error);
}

gboolean
armz_driver_block_resize(ArmzDriver *drv, const ArmzDomainId *dom, const char *disk,
                         guint64 size, unsigned int flags, GError **error)
{
    g_autoptr(ArmzDomainObj) obj = NULL;
    gboolean ok;

    if (!armz_check_flags(flags, VIR_DOMAIN_BLOCK_RESIZE_BYTES | VIR_DOMAIN_BLOCK_RESIZE_CAPACITY,
                          "virDomainBlockResize", error))
        return FALSE;
    if ((flags & VIR_DOMAIN_BLOCK_RESIZE_CAPACITY) && size) {
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                            _("when VIR_DOMAIN_BLOCK_RESIZE_CAPACITY is used, size must be 0"));
        return FALSE;
    }
    if (!(flags & VIR_DOMAIN_BLOCK_RESIZE_BYTES)) {
        if (size > G_MAXUINT64 / 1024) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_OVERFLOW,
                        _("size must be less than %" PRIu64 " KiB"),
                        (uint64_t)(G_MAXUINT64 / 1024));
            return FALSE;
        }
        size *= 1024;
    }
    /* whole sectors, as libvirt rounds raw images */
    if (size > G_MAXUINT64 - 511) {
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_OVERFLOW, _("size is too large"));
        return FALSE;
    }
    size = (size + 511) & ~(guint64)511;
    if (!(obj = armz_driver_find(drv, dom, error)))
        return FALSE;
    g_mutex_lock(&obj->lock);
    if (!armz_domain_obj_begin_job(obj, "virDomainBlockResize", error)) {
        g_mutex_unlock(&obj->lock);
        return FALSE;
    }
    ok = block_resize(drv, obj, disk, size, flags, error);
    armz_domain_obj_end_job(obj);
    g_mutex_unlock(&obj->lock);
    return ok;
}

/* ---- disk errors and the I/O error events ---- */

int
armz_driver_get_disk_errors(ArmzDriver *drv, const ArmzDomainId *dom, ArmzDiskError *errors,
                            guint max, unsigned int flags, GError **error)
{
    g_autoptr(ArmzDomainObj) obj = NULL;
    g_autoptr(GArray) disks = NULL;
    yajl_val list = NULL;
    int n = 0;

    if (!armz_check_flags(flags, 0, "virDomainGetDiskErrors", error) ||
        !(obj = armz_driver_find(drv, dom, error)))
        return -1;
    g_mutex_lock(&obj->lock);
    if (check_active(obj, error))
        list = vmm_query(obj, "query-block", NULL, error);
    if (list)
        disks = vmm_disks(obj->def);
    for (size_t i = 0; list && i < list->u.array.len; i++) {
        yajl_val e = list->u.array.values[i];
        const char *p[] = { "io-status", NULL };
        yajl_val st = yajl_tree_get(e, p, yajl_t_string);
        const VmmDisk *d = find_label(disks, entry_device(e));

        if (!d || !st || g_str_equal(st->u.string, "ok"))
            continue;
        if (max && (guint)n < max) {
            errors[n].disk = g_strdup(d->disk->target_dev);
            errors[n].error = g_str_equal(st->u.string, "nospace") ? VIR_DOMAIN_DISK_ERROR_NO_SPACE
                                                                   : VIR_DOMAIN_DISK_ERROR_UNSPEC;
        }
        if (!max || (guint)n < max)
            n++;
    }
    g_mutex_unlock(&obj->lock);
    if (!list)
        return -1;
    yajl_tree_free(list);
    return n;
}

void
armz_domain_block_io_error(ArmzDriver *drv, ArmzDomainObj *obj, yajl_val data)
{
    const char *pdev[] = { "device", NULL }, *pact[] = { "action", NULL };
    const char *pnospace[] = { "nospace", NULL };
    yajl_val dev = data ? yajl_tree_get(data, pdev, yajl_t_string) : NULL;
    yajl_val act = data ? yajl_tree_get(data, pact, yajl_t_string) : NULL;
    yajl_val nospace = data ? yajl_tree_get(data, pnospace, yajl_t_any) : NULL;
    g_autoptr(GArray) disks = vmm_disks(obj->def);
    const VmmDisk *d = find_label(disks, dev ? dev->u.string : NULL);
    const char *action = act ? act->u.string : "report";
    int code = VIR_DOMAIN_EVENT_IO_ERROR_REPORT;
    g_autoptr(GError) err = NULL;

    if (g_str_equal(action, "stop"))
        code = VIR_DOMAIN_EVENT_IO_ERROR_PAUSE;
    else if (g_str_equal(action, "ignore"))
        code = VIR_DOMAIN_EVENT_IO_ERROR_NONE;
    armz_driver_emit_io_error(drv, obj, obj->id, d && d->disk->src_path ? d->disk->src_path : "",
                              d ? d->alias : "", code,
                              nospace && YAJL_IS_TRUE(nospace) ? "enospc" : "");
    if (code == VIR_DOMAIN_EVENT_IO_ERROR_PAUSE && obj->state == VIR_DOMAIN_RUNNING) {
        obj->state = VIR_DOMAIN_PAUSED;
        obj->reason = VIR_DOMAIN_PAUSED_IOERROR;
        if (!armz_process_status_save(drv, obj, &err))
            armz_warn("cannot save the status of domain '%s': %s", obj->name, err->message);
        armz_driver_emit_lifecycle(drv, obj, obj->id, VIR_DOMAIN_EVENT_SUSPENDED,
                                   VIR_DOMAIN_EVENT_SUSPENDED_IOERROR);
    }
}

/* ---- domstats --block ---- */

void
armz_domain_block_stats_collect(ArmzDriver *drv, ArmzDomainObj *obj, GArray *params)
{
    g_autoptr(GArray) disks = NULL;
    yajl_val list = NULL;

    g_mutex_lock(&obj->lock);
    disks = stat_disks(obj->def);
    /* counters of a running domain; sizes of every one */
    if (armz_domain_obj_is_active(obj) && obj->priv)
        list = vmm_query(obj, "query-blockstats", NULL, NULL);
    armz_typed_params_add_uint(params, disks->len, "block.count");
    for (guint i = 0; i < disks->len; i++) {
        const VmmDisk *d = &g_array_index(disks, VmmDisk, i);
        ArmzBlockInfo bi;

        armz_typed_params_add_string(params, d->disk->target_dev, "block.%u.name", i);
        if (d->disk->src_path)
            armz_typed_params_add_string(params, d->disk->src_path, "block.%u.path", i);
        for (size_t j = 0; list && j < list->u.array.len; j++) {
            yajl_val e = list->u.array.values[j];
            Counters c = { 0 };

            if (!stat_is(d, entry_device(e)))
                continue;
            add_counters(&c, e);
            armz_typed_params_add_ullong(params, (guint64)c.rd_req, "block.%u.rd.reqs", i);
            armz_typed_params_add_ullong(params, (guint64)c.rd_bytes, "block.%u.rd.bytes", i);
            armz_typed_params_add_ullong(params, (guint64)c.rd_ns, "block.%u.rd.times", i);
            armz_typed_params_add_ullong(params, (guint64)c.wr_req, "block.%u.wr.reqs", i);
            armz_typed_params_add_ullong(params, (guint64)c.wr_bytes, "block.%u.wr.bytes", i);
            armz_typed_params_add_ullong(params, (guint64)c.wr_ns, "block.%u.wr.times", i);
            armz_typed_params_add_ullong(params, (guint64)c.fl_req, "block.%u.fl.reqs", i);
            armz_typed_params_add_ullong(params, (guint64)c.fl_ns, "block.%u.fl.times", i);
        }
        if (d->disk->target_dev && armz_driver_block_info(drv, obj, d->disk->target_dev, &bi, NULL)) {
            armz_typed_params_add_ullong(params, bi.allocation, "block.%u.allocation", i);
            armz_typed_params_add_ullong(params, bi.capacity, "block.%u.capacity", i);
            armz_typed_params_add_ullong(params, bi.physical, "block.%u.physical", i);
        }
    }
    g_mutex_unlock(&obj->lock);
    yajl_tree_free(list);
}
