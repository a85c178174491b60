/* Disk sizes for virDomainGetBlockInfo (see disk_info.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "driver/disk_info.h"
#include "driver/driver_priv.h"

/* The file behind DISK: its path, or its volume's. */
char *
armz_driver_disk_source(ArmzDriver *drv, const ArmzDomainDiskDef *disk, GError **error)
{
    char *path = NULL;

    if (disk->src_path)
        return g_strdup(disk->src_path);
    if (disk->src_volume && drv->resolve_volume &&
        drv->resolve_volume(disk->src_pool, disk->src_volume, NULL, &path, drv->volume_opaque,
                           error))
        return path;
    if (error && !*error)
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("disk '%s' does not currently have a source assigned"), disk->target_dev);
    return NULL;
}

/* qcow2 images keep their virtual size in the header; anything else is
 * raw here. */
static gboolean
qcow2_size(int fd, guint64 *size)
{
    guint8 h[32];

    if (pread(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h) || memcmp(h, "QFI\xfb", 4) != 0)
        return FALSE;
    *size = 0;
    for (int i = 24; i < 32; i++)
        *size = (*size << 8) | h[i];
    return TRUE;
}

gboolean
armz_driver_block_info(ArmzDriver *drv, ArmzDomainObj *obj, const char *path,
                       ArmzBlockInfo *out, GError **error)
{
    const ArmzDomainDiskDef *disk = NULL;
    g_autofree char *src = NULL;
    struct stat st;
    int fd;

    for (guint i = 0; i < obj->def->disks->len && !disk; i++) {
        const ArmzDomainDiskDef *d = g_ptr_array_index(obj->def->disks, i);
        g_autofree char *s = NULL;

        if (g_strcmp0(d->target_dev, path) == 0 || g_strcmp0(d->src_path, path) == 0)
            disk = d;
        else if (d->src_volume && (s = armz_driver_disk_source(drv, d, NULL)) && g_str_equal(s, path))
            disk = d;
    }
    if (!disk) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("invalid path %s not assigned to domain"), path);
        return FALSE;
    }
    if (!(src = armz_driver_disk_source(drv, disk, error)))
        return FALSE;
    if ((fd = open(src, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0 || fstat(fd, &st) < 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR, _("cannot open disk '%s' (%s): %s"),
                    disk->target_dev, src, g_strerror(e));
        return FALSE;
    }
    if (S_ISBLK(st.st_mode)) {
        guint64 bytes = 0;
        if (ioctl(fd, BLKGETSIZE64, &bytes) < 0) {
            int e = errno;
            close(fd);
            g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                        _("cannot get the size of block device '%s': %s"), src, g_strerror(e));
            return FALSE;
        }
        out->physical = out->allocation = bytes;
    } else {
        out->physical = (guint64)st.st_size;
        out->allocation = (guint64)st.st_blocks * 512;
    }
    if (!qcow2_size(fd, &out->capacity))
        out->capacity = out->physical;
    close(fd);
    return TRUE;
}
