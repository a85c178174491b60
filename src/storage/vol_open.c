/* Safe opens of volumes (see vol_open.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "storage/vol_open.h"

static int
open_fail(const char *path, int err, GError **error)
{
    if (err == ELOOP)
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("cannot open volume '%s': it is a symbolic link, which could lead out "
                      "of its pool"), path);
    else if (err == EEXIST) {
        g_autofree char *name = g_path_get_basename(path);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_STORAGE_VOL_EXIST,
                    _("storage volume '%s' exists already"), name);
    } else
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR, _("cannot open volume '%s': %s"),
                    path, g_strerror(err));
    return -1;
}

int
armz_sto_open(const char *path, int flags, int mode, gboolean device, GError **error)
{
    /* O_NONBLOCK: a FIFO in a volume's place must not hang the daemon; it
     * is refused below and the flag dropped from what is kept */
    int extra = O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
    struct stat st;
    int fd;

    if (device) {
        fd = open(path, flags | extra, mode);
    } else {
        g_autofree char *dir = g_path_get_dirname(path);
        g_autofree char *base = g_path_get_basename(path);
        int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

        if (dfd < 0)
            return open_fail(path, errno, error);
        fd = openat(dfd, base, flags | extra | O_NOFOLLOW, mode);
        if (fd < 0) {
            int e = errno;
            close(dfd);
            return open_fail(path, e, error);
        }
        close(dfd);
    }
    if (fd < 0)
        return open_fail(path, errno, error);
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        return open_fail(path, e, error);
    }
    if (device ? !S_ISBLK(st.st_mode) : !S_ISREG(st.st_mode)) {
        close(fd);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    device ? _("cannot open volume '%s': it is not a block device")
                           : _("cannot open volume '%s': it is not a regular file"), path);
        return -1;
    }
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
        int e = errno;
        close(fd);
        return open_fail(path, e, error);
    }
    return fd;
}

int
armz_vol_open(const ArmzVolDef *vol, int flags, GError **error)
{
    return armz_sto_open(vol->path, flags, 0, vol->type == VIR_STORAGE_VOL_BLOCK, error);
}

char *
armz_sto_fd_path(int fd)
{
    return g_strdup_printf("/proc/self/fd/%d", fd);
}
