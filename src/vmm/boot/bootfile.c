/* Boot files read with pread(2), not mapped: nothing of them stays in the
 * VMM once they are in guest RAM, and a file truncated under a running
 * guest gives a short read and an error, where a mapping would give the
 * VMM a SIGBUS at the guest's next reset. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gi18n-lib.h>
#include "boot/bootfile.h"
#include "vmmlog.h"

struct ArmzBootFile {
    char *what;
    char *path;
    int fd;
    uint64_t size;
};

/* errno's reason, naming the file */
static gboolean
read_failed(const ArmzBootFile *bf, GError **error)
{
    g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot read %s %s: %s"), bf->what, bf->path,
                g_strerror(errno));
    return FALSE;
}

ArmzBootFile *
armz_boot_file_open(const char *what, const char *path, GError **error)
{
    g_autoptr(ArmzBootFile) bf = g_new0(ArmzBootFile, 1);
    struct stat st;

    bf->what = g_strdup(what);
    bf->path = g_strdup(path);
    bf->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (bf->fd < 0 || fstat(bf->fd, &st) < 0) {
        read_failed(bf, error);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot read %s %s: not a regular file"),
                    what, path);
        return NULL;
    }
    bf->size = (uint64_t)st.st_size;
    return g_steal_pointer(&bf);
}

void
armz_boot_file_free(ArmzBootFile *bf)
{
    if (!bf)
        return;
    if (bf->fd >= 0)
        close(bf->fd);
    g_free(bf->what);
    g_free(bf->path);
    g_free(bf);
}

uint64_t
armz_boot_file_size(const ArmzBootFile *bf)
{
    return bf->size;
}

static gboolean
size_changed(const ArmzBootFile *bf, uint64_t now, GError **error)
{
    g_set_error(error, ARMZ_VMM_ERROR, 0,
                _("%s %s has changed size since armz-vmm started (%" PRIu64 " bytes, now %"
                  PRIu64 "): it cannot be loaded again; shut the guest down and start it "
                  "to boot the new file"),
                bf->what, bf->path, bf->size, now);
    return FALSE;
}

gboolean
armz_boot_file_check(const ArmzBootFile *bf, GError **error)
{
    struct stat st;

    if (fstat(bf->fd, &st) < 0)
        return read_failed(bf, error);
    if ((uint64_t)st.st_size != bf->size)
        return size_changed(bf, (uint64_t)st.st_size, error);
    return TRUE;
}

gboolean
armz_boot_file_read(const ArmzBootFile *bf, uint64_t offset, void *dst, size_t len,
                    GError **error)
{
    size_t done = 0;

    if (!armz_boot_file_check(bf, error))
        return FALSE;
    if (offset > bf->size || len > bf->size - offset) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("cannot read %zu bytes at %" PRIu64 " of %s %s: it has %" PRIu64 " bytes"),
                    len, offset, bf->what, bf->path, bf->size);
        return FALSE;
    }
    while (done < len) {
        ssize_t n = pread(bf->fd, (uint8_t *)dst + done, len - done, (off_t)(offset + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return read_failed(bf, error);
        if (n == 0)     /* truncated between the fstat and the read */
            return size_changed(bf, offset + done, error);
        done += (size_t)n;
    }
    return TRUE;
}

GBytes *
armz_boot_file_bytes(const ArmzBootFile *bf, GError **error)
{
    g_autofree uint8_t *buf = NULL;

    if (bf->size > G_MAXSIZE) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("%s %s is too large (%" PRIu64 " bytes)"),
                    bf->what, bf->path, bf->size);
        return NULL;
    }
    buf = g_malloc((gsize)bf->size);
    if (!armz_boot_file_read(bf, 0, buf, (size_t)bf->size, error))
        return NULL;
    return g_bytes_new_take(g_steal_pointer(&buf), (gsize)bf->size);
}
