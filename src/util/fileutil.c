#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/fileutil.h"
#include "util/log.h"

/* A temporary file is PATH + TMP_MARK + 6 random letters or digits
 * (mkstemp's template): the writer and the cleanup agree on this. */
#define TMP_MARK ".tmp-"
#define TMP_RANDOM 6

static gboolean
fsync_dir_of(const char *path)
{
    g_autofree char *dir = g_path_get_dirname(path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc;

    if (fd < 0)
        return FALSE;
    rc = fsync(fd);
    close(fd);
    return rc == 0;
}

gboolean
armz_file_write_atomic(const char *path, const char *data, gsize len,
                       int mode, GError **error)
{
    g_autofree char *tmp = g_strdup_printf("%s" TMP_MARK "XXXXXX", path);
    gsize done = 0;
    int fd;

    fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, mode);
    if (fd < 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot create temporary file for '%s': %s"),
                    path, g_strerror(errno));
        return FALSE;
    }
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            goto fail;
        done += n;
    }
    if (fsync(fd) < 0)
        goto fail;
    if (close(fd) < 0) {
        fd = -1;
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) < 0)
        goto fail;
    fsync_dir_of(path);
    return TRUE;

 fail:
    {
        int saved = errno;
        if (fd >= 0)
            close(fd);
        unlink(tmp);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot write '%s': %s"), path, g_strerror(saved ? saved : EIO));
    }
    return FALSE;
}

static gboolean
is_tmp_name(const char *name)
{
    size_t len = strlen(name);
    const char *mark;

    /* something before the mark: the name of the file being written */
    if (len <= strlen(TMP_MARK) + TMP_RANDOM)
        return FALSE;
    mark = name + len - TMP_RANDOM - strlen(TMP_MARK);
    if (strncmp(mark, TMP_MARK, strlen(TMP_MARK)) != 0)
        return FALSE;
    for (const char *p = mark + strlen(TMP_MARK); *p; p++)
        if (!g_ascii_isalnum(*p))
            return FALSE;
    return TRUE;
}

guint
armz_file_remove_stale_tmp(const char *dir_path)
{
    g_autoptr(GDir) dir = g_dir_open(dir_path, 0, NULL);
    const char *entry;
    guint removed = 0;

    if (!dir)
        return 0;
    while ((entry = g_dir_read_name(dir))) {
        g_autofree char *path = NULL;
        struct stat st;

        if (!is_tmp_name(entry))
            continue;
        path = g_build_filename(dir_path, entry, NULL);
        /* only what armz_file_write_atomic() makes: a regular file */
        if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
            continue;
        if (unlink(path) < 0) {
            armz_warn("cannot remove stale temporary file '%s': %s", path, g_strerror(errno));
            continue;
        }
        armz_info("removed stale temporary file '%s' (an interrupted write)", path);
        removed++;
    }
    return removed;
}

gboolean
armz_mkdir_p(const char *path, int mode, GError **error)
{
    if (g_mkdir_with_parents(path, mode) < 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot create directory '%s': %s"), path, g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

int
armz_pidfile_acquire(const char *path, GError **error)
{
    struct flock lk = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    g_autofree char *pid = g_strdup_printf("%d\n", (int)getpid());
    g_autofree char *dir = g_path_get_dirname(path);
    int fd;

    if (!armz_mkdir_p(dir, 0755, error))
        return -1;
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot open pid file '%s': %s"), path, g_strerror(errno));
        return -1;
    }
    if (fcntl(fd, F_SETLK, &lk) < 0) {
        char other[32] = "";
        ssize_t n = pread(fd, other, sizeof(other) - 1, 0);
        if (n > 0)
            other[n] = '\0';
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("another virtarmzd (pid %s) already runs with pid file '%s'"),
                    g_strstrip(other), path);
        close(fd);
        return -1;
    }
    if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, strlen(pid), 0) < 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot write pid file '%s': %s"), path, g_strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}
