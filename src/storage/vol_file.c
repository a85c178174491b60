/* Volumes that are files in a directory (dir and fs pools): raw files,
 * sparse where the filesystem allows, and qcow2 images made by qemu-img. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/log.h"
#include "storage/storage_backend.h"
#include "storage/storage_cmd.h"
#include "storage/vol_open.h"

#define COPY_CHUNK (1024 * 1024)
#define DEFAULT_VOL_MODE 0600

static gboolean
sys_fail(GError **error, int err, const char *fmt, const char *arg)
{
    g_autofree char *what = NULL;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    what = g_strdup_printf(fmt, arg);
#pragma GCC diagnostic pop
    g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR, "%s: %s", what, g_strerror(err));
    return FALSE;
}

void
armz_vol_file_locate(const ArmzPoolDef *pool, ArmzVolDef *vol)
{
    g_free(vol->path);
    g_free(vol->key);
    vol->path = g_build_filename(pool->target_path, vol->name, NULL);
    vol->key = g_strdup(vol->path);
    vol->type = VIR_STORAGE_VOL_FILE;
}

gboolean
armz_pool_statvfs(ArmzPoolDef *def, GError **error)
{
    struct statvfs sv;

    if (statvfs(def->target_path, &sv) < 0)
        return sys_fail(error, errno, _("cannot read the free space of '%s'"), def->target_path);
    def->capacity = (guint64)sv.f_frsize * sv.f_blocks;
    def->available = (guint64)sv.f_frsize * sv.f_bavail;
    def->allocation = (guint64)sv.f_frsize * (sv.f_blocks - sv.f_bfree);
    return TRUE;
}

static guint32
be32(const guint8 *p)
{
    return ((guint32)p[0] << 24) | ((guint32)p[1] << 16) | ((guint32)p[2] << 8) | p[3];
}

static guint64
be64(const guint8 *p)
{
    return ((guint64)be32(p) << 32) | be32(p + 4);
}

/* Reads the qcow2 header of FD, if it has one: its virtual size, version
 * and backing file. */
static gboolean
probe_qcow2(int fd, ArmzVolDef *vol)
{
    guint8 h[72];
    guint64 boff;
    guint32 blen;

    if (pread(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h) || be32(h) != 0x514649fb)
        return FALSE;
    vol->format = ARMZ_VOL_FORMAT_QCOW2;
    vol->capacity = be64(h + 24);
    vol->luks = be32(h + 32) == 2;      /* crypt_method: LUKS */
    g_free(vol->compat);
    vol->compat = g_strdup(be32(h + 4) >= 3 ? "1.1" : "0.10");
    boff = be64(h + 8);
    blen = be32(h + 16);
    g_clear_pointer(&vol->backing_path, g_free);
    if (boff && blen && blen < 1024) {
        g_autofree char *b = g_malloc0(blen + 1);
        if (pread(fd, b, blen, boff) == (ssize_t)blen)
            vol->backing_path = g_steal_pointer(&b);
    }
    return TRUE;
}

gboolean
armz_vol_file_probe(ArmzVolDef *vol, GError **error)
{
    struct stat st;
    int fd = armz_sto_open(vol->path, O_RDONLY, 0, FALSE, error);

    if (fd < 0)
        return FALSE;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        return sys_fail(error, e, _("cannot stat volume '%s'"), vol->path);
    }
    vol->type = S_ISBLK(st.st_mode) ? VIR_STORAGE_VOL_BLOCK : VIR_STORAGE_VOL_FILE;
    vol->physical = st.st_size;
    vol->allocation = (guint64)st.st_blocks * 512;
    if (!probe_qcow2(fd, vol)) {
        guint8 magic[6] = { 0 };
        /* a LUKS image shows as raw with <encryption>, as in libvirt */
        vol->luks = pread(fd, magic, sizeof(magic), 0) == (ssize_t)sizeof(magic) &&
                    memcmp(magic, "LUKS\xba\xbe", 6) == 0;
        vol->format = ARMZ_VOL_FORMAT_RAW;
        vol->capacity = st.st_size;
        g_clear_pointer(&vol->compat, g_free);
        g_clear_pointer(&vol->backing_path, g_free);
    }
    close(fd);
    vol->perms.mode = st.st_mode & 07777;
    vol->perms.owner = st.st_uid;
    vol->perms.group = st.st_gid;
    vol->atime = st.st_atim;
    vol->mtime = st.st_mtim;
    vol->ctime_ = st.st_ctim;
    vol->has_times = TRUE;
    return TRUE;
}

gboolean
armz_vol_file_refresh(const ArmzPoolDef *pool, ArmzVolDef *vol, GError **error)
{
    return armz_vol_file_probe(vol, error);
}

gboolean
armz_vol_file_scan(const char *dir, GPtrArray *vols, GError **error)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GDir) d = g_dir_open(dir, 0, &err);
    const char *entry;

    if (!d) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot open directory '%s': %s"), dir, err->message);
        return FALSE;
    }
    while ((entry = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, entry, NULL);
        g_autoptr(GError) perr = NULL;
        struct stat st;
        ArmzVolDef *vol;

        /* Regular files only: a symlink could lead out of the pool. */
        if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
            continue;
        vol = g_new0(ArmzVolDef, 1);
        vol->name = g_strdup(entry);
        vol->path = g_steal_pointer(&path);
        vol->key = g_strdup(vol->path);
        if (!armz_vol_file_probe(vol, &perr)) {
            armz_warn("storage: skipping '%s': %s", vol->path, perr->message);
            armz_vol_def_free(vol);
            continue;
        }
        g_ptr_array_add(vols, vol);
    }
    return TRUE;
}

/* A new, empty file at VOL's path, created exclusively (an existing name,
 * or a symlink planted there, fails). */
static int
create_exclusive(const ArmzVolDef *vol, GError **error)
{
    int mode = vol->perms.mode >= 0 ? vol->perms.mode : DEFAULT_VOL_MODE;
    int fd = armz_sto_open(vol->path, O_RDWR | O_CREAT | O_EXCL, mode, FALSE, error);

    if (fd < 0)
        return -1;
    /* open() applies the umask; the requested mode is what counts. */
    if (fchmod(fd, mode) < 0 ||
        ((vol->perms.owner >= 0 || vol->perms.group >= 0) &&
         fchown(fd, vol->perms.owner, vol->perms.group) < 0)) {
        sys_fail(error, errno, _("cannot set the permissions of volume '%s'"), vol->path);
        close(fd);
        unlink(vol->path);
        return -1;
    }
    return fd;
}

static gboolean
allocate(int fd, guint64 off, guint64 len, const char *path, GError **error)
{
    int r;

    if (!len)
        return TRUE;
    r = posix_fallocate(fd, off, len);
    if (r == ENOSPC)
        return sys_fail(error, r, _("not enough space to allocate volume '%s'"), path);
    if (r)
        return sys_fail(error, r, _("cannot allocate volume '%s'"), path);
    return TRUE;
}

static char *
size_arg(guint64 bytes)
{
    return g_strdup_printf("%" G_GUINT64_FORMAT, bytes);
}

/* qemu-img works on the files we opened (FD), by their /proc/self/fd
 * names: a path swapped for a symlink meanwhile is never followed. Its
 * messages name those, so ours name the volume too. */
/* The passphrase of a LUKS volume for qemu-img: a memfd it reads by its
 * /proc/self/fd name (never an argument or a file others could read). */
static int
key_fd(const ArmzVolDef *vol, GError **error)
{
    gsize len;
    const guint8 *p = g_bytes_get_data(vol->passphrase, &len);
    int fd = memfd_create("armz-vol-key", MFD_CLOEXEC);

    if (fd < 0 || write(fd, p, len) != (ssize_t)len) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        sys_fail(error, e, _("cannot pass the passphrase of volume '%s'"), vol->path);
        return -1;
    }
    return fd;
}

static gboolean
qemu_img_create(int fd, const ArmzVolDef *vol, unsigned int flags, GError **error)
{
    g_autofree char *size = size_arg(vol->capacity);
    gboolean qcow2 = vol->format == ARMZ_VOL_FORMAT_QCOW2;
    g_autofree char *opts = NULL;
    g_autofree char *file = armz_sto_fd_path(fd);
    g_autofree char *secret = NULL;
    const char *argv[] = { "qemu-img", "create", "-q", "-f", qcow2 ? "qcow2" : "luks", "-o",
                           NULL, file, size, NULL, NULL };
    int fds[2] = { fd, -1 };
    gboolean ok;

    if (vol->luks) {
        if ((fds[1] = key_fd(vol, error)) < 0)
            return FALSE;
        secret = g_strdup_printf("--object=secret,id=sec0,format=raw,file=/proc/self/fd/%d",
                                 fds[1]);
        /* options before the file name */
        memmove(&argv[8], &argv[7], 2 * sizeof(argv[0]));
        argv[7] = secret;
    }
    if (qcow2)
        opts = g_strdup_printf("compat=%s%s%s", vol->compat ? vol->compat : "1.1",
                               (flags & VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA)
                                   ? ",preallocation=metadata" : "",
                               vol->luks ? ",encrypt.format=luks,encrypt.key-secret=sec0" : "");
    else
        opts = g_strdup("key-secret=sec0");
    argv[6] = opts;
    /* QEMU's PBKDF benchmark fails when it measured no CPU time at all (a
     * fast or busy host): that is worth another try */
    for (int tries = 0;; tries++) {
        g_autoptr(GError) err = NULL;

        if ((ok = armz_sto_run_fds(argv, fds, vol->luks ? 2 : 1, NULL, 0, &err)))
            break;
        if (!vol->luks || tries == 49 || !strstr(err->message, "accurate CPU usage")) {
            g_propagate_error(error, g_steal_pointer(&err));
            break;
        }
        /* about one run in three fails here on x86, and a busy host once
         * saw twelve in a row */
        g_usleep(100 * 1000);
    }
    if (fds[1] >= 0)
        close(fds[1]);
    if (!ok)
        g_prefix_error(error, _("cannot format volume '%s': "), vol->path);
    return ok;
}

static gboolean
qemu_img_resize(int fd, const ArmzVolDef *vol, const char *format, guint64 capacity,
                gboolean shrink, GError **error)
{
    g_autofree char *size = size_arg(capacity);
    g_autofree char *file = armz_sto_fd_path(fd);
    const char *grow[] = { "qemu-img", "resize", "-q", "-f", format, file, size, NULL };
    const char *less[] = { "qemu-img", "resize", "-q", "-f", format, "--shrink", file, size,
                           NULL };

    if (armz_sto_run_fds(shrink ? less : grow, &fd, 1, NULL, 0, error))
        return TRUE;
    g_prefix_error(error, _("cannot resize volume '%s': "), vol->path);
    return FALSE;
}

gboolean
armz_vol_file_create(const ArmzPoolDef *pool, ArmzVolDef *vol, unsigned int flags,
                     GError **error)
{
    int fd = create_exclusive(vol, error);
    gboolean ok;

    if (fd < 0)
        return FALSE;
    if (vol->format == ARMZ_VOL_FORMAT_QCOW2 || vol->luks) {
        ok = qemu_img_create(fd, vol, flags, error);
        close(fd);
    } else {
        if (flags & VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA) {
            close(fd);
            unlink(vol->path);
            g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                        _("metadata preallocation is only for qcow2 volumes"));
            return FALSE;
        }
        ok = ftruncate(fd, vol->capacity) == 0 ||
             sys_fail(error, errno, _("cannot size volume '%s'"), vol->path);
        ok = ok && allocate(fd, 0, vol->has_allocation ? vol->allocation : 0, vol->path, error);
        close(fd);
    }
    if (!ok)
        unlink(vol->path);
    return ok;
}

gboolean
armz_sto_copy_fd(int src, int dst, guint64 len, gboolean keep_holes, const char *what,
                 GError **error)
{
    g_autofree guint8 *buf = g_malloc(COPY_CHUNK);
    guint64 off = 0;

    while (off < len) {
        guint64 end = len;
        if (keep_holes) {
            off_t data = lseek(src, off, SEEK_DATA);
            off_t hole;
            if (data < 0 && errno == ENXIO)
                break;                      /* only a hole is left */
            if (data >= 0) {
                off = data;
                hole = lseek(src, off, SEEK_HOLE);
                if (hole > 0 && (guint64)hole < end)
                    end = hole;
            }
        }
        while (off < end) {
            size_t want = MIN((guint64)COPY_CHUNK, end - off);
            ssize_t n = pread(src, buf, want, off);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return sys_fail(error, errno, _("cannot read the source of '%s'"), what);
            if (n == 0) {
                off = len;
                break;
            }
            for (ssize_t done = 0; done < n;) {
                ssize_t w = pwrite(dst, buf + done, n - done, off + done);
                if (w < 0 && errno == EINTR)
                    continue;
                if (w < 0)
                    return sys_fail(error, errno, _("cannot write '%s'"), what);
                done += w;
            }
            off += n;
        }
    }
    return TRUE;
}

static gboolean
clone_raw(ArmzVolDef *vol, const ArmzVolDef *src, GError **error)
{
    int in, out;
    gboolean ok;
    guint64 size = MAX(vol->capacity, src->capacity);

    if ((in = armz_vol_open(src, O_RDONLY, error)) < 0)
        return FALSE;
    if ((out = create_exclusive(vol, error)) < 0) {
        close(in);
        return FALSE;
    }
    ok = (ftruncate(out, size) == 0 ||
          sys_fail(error, errno, _("cannot size volume '%s'"), vol->path)) &&
         armz_sto_copy_fd(in, out, src->capacity, TRUE, vol->path, error) &&
         (fdatasync(out) == 0 || sys_fail(error, errno, _("cannot write '%s'"), vol->path));
    close(in);
    close(out);
    if (!ok)
        unlink(vol->path);
    return ok;
}

gboolean
armz_vol_file_clone(const ArmzPoolDef *pool, ArmzVolDef *vol, const ArmzVolDef *src,
                    unsigned int flags, GError **error)
{
    int fds[2];
    gboolean ok;

    if (flags & VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA && vol->format != ARMZ_VOL_FORMAT_QCOW2) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("metadata preallocation is only for qcow2 volumes"));
        return FALSE;
    }
    if (vol->format == ARMZ_VOL_FORMAT_RAW && src->format != ARMZ_VOL_FORMAT_QCOW2)
        return clone_raw(vol, src, error);

    /* Any other pair converts through qemu-img, from the source we opened
     * into a file we own. */
    if ((fds[0] = armz_vol_open(src, O_RDONLY, error)) < 0)
        return FALSE;
    if ((fds[1] = create_exclusive(vol, error)) < 0) {
        close(fds[0]);
        return FALSE;
    }
    {
        g_autofree char *in = armz_sto_fd_path(fds[0]);
        g_autofree char *out = armz_sto_fd_path(fds[1]);
        const char *argv[] = { "qemu-img", "convert", "-q", "-f",
                               src->format == ARMZ_VOL_FORMAT_QCOW2 ? "qcow2" : "raw",
                               "-O", vol->format == ARMZ_VOL_FORMAT_QCOW2 ? "qcow2" : "raw",
                               in, out, NULL };
        ok = armz_sto_run_fds(argv, fds, 2, NULL, 0, error);
        if (!ok)
            g_prefix_error(error, _("cannot copy volume '%s' into '%s': "), src->path,
                           vol->path);
    }
    if (ok && vol->capacity > src->capacity)
        ok = qemu_img_resize(fds[1], vol, vol->format == ARMZ_VOL_FORMAT_QCOW2 ? "qcow2" : "raw",
                             vol->capacity, FALSE, error);
    close(fds[0]);
    close(fds[1]);
    if (!ok)
        unlink(vol->path);
    return ok;
}

gboolean
armz_vol_file_delete(const ArmzPoolDef *pool, const ArmzVolDef *vol, GError **error)
{
    if (unlink(vol->path) < 0 && errno != ENOENT)
        return sys_fail(error, errno, _("cannot remove volume '%s'"), vol->path);
    return TRUE;
}

gboolean
armz_vol_file_resize(const ArmzPoolDef *pool, const ArmzVolDef *vol, guint64 capacity,
                     unsigned int flags, GError **error)
{
    int fd;
    gboolean ok;

    if (vol->format == ARMZ_VOL_FORMAT_QCOW2 && (flags & VIR_STORAGE_VOL_RESIZE_ALLOCATE)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_ARGUMENT_UNSUPPORTED,
                    _("preallocating a resized qcow2 volume is not supported"));
        return FALSE;
    }
    if ((fd = armz_sto_open(vol->path, O_RDWR, 0, FALSE, error)) < 0)
        return FALSE;
    if (vol->format == ARMZ_VOL_FORMAT_QCOW2) {
        ok = qemu_img_resize(fd, vol, "qcow2", capacity, capacity < vol->capacity, error);
        close(fd);
        return ok;
    }
    ok = (ftruncate(fd, capacity) == 0 ||
          sys_fail(error, errno, _("cannot resize volume '%s'"), vol->path)) &&
         (!(flags & VIR_STORAGE_VOL_RESIZE_ALLOCATE) || capacity <= vol->capacity ||
          allocate(fd, vol->capacity, capacity - vol->capacity, vol->path, error));
    if (!ok && capacity > vol->capacity && ftruncate(fd, vol->capacity) < 0)
        armz_warn("storage: cannot restore the size of '%s': %s", vol->path, g_strerror(errno));
    close(fd);
    return ok;
}

gboolean
armz_sto_zero_fd(int fd, guint64 len, gboolean sparse_aware, const char *what, GError **error)
{
    g_autofree guint8 *zero = g_malloc0(COPY_CHUNK);
    guint64 off = 0;

    while (off < len) {
        guint64 end = len;
        if (sparse_aware) {
            off_t data = lseek(fd, off, SEEK_DATA);
            off_t hole;
            if (data < 0 && errno == ENXIO)
                break;
            if (data >= 0) {
                off = data;
                hole = lseek(fd, off, SEEK_HOLE);
                if (hole > 0 && (guint64)hole < end)
                    end = hole;
            }
        }
        while (off < end) {
            ssize_t w = pwrite(fd, zero, MIN((guint64)COPY_CHUNK, end - off), off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                return sys_fail(error, errno, _("cannot wipe '%s'"), what);
            off += w;
        }
    }
    if (fdatasync(fd) < 0)
        return sys_fail(error, errno, _("cannot wipe '%s'"), what);
    return TRUE;
}

gboolean
armz_vol_file_wipe(const ArmzPoolDef *pool, const ArmzVolDef *vol, GError **error)
{
    int fd = armz_sto_open(vol->path, O_RDWR, 0, FALSE, error);
    gboolean ok;

    if (fd < 0)
        return FALSE;
    /* Zeros over the data; holes already read as zeros and stay holes. */
    ok = armz_sto_zero_fd(fd, vol->physical, TRUE, vol->path, error);
    /* A zeroed qcow2 file is no image at all: give it an empty header of
     * the same size again, as a wiped volume is still a volume. */
    if (ok && vol->format == ARMZ_VOL_FORMAT_QCOW2)
        ok = qemu_img_create(fd, vol, 0, error);
    close(fd);
    return ok;
}
