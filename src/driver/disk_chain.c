/* Backing chains from image headers (see disk_chain.h). The qcow2 header
 * (QEMU's docs/interop/qcow2.txt): big-endian; magic "QFI\xfb", version at
 * 4, backing file name offset (u64) at 8 and length (u32) at 16, cluster
 * bits at 20; version 3 has the header length at 100. Header extensions
 * follow the header, within the first cluster: type (u32), length (u32),
 * data padded to 8 bytes; type 0 ends them, 0xe2792aca is the backing
 * file's format name. */
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <libvirt/virterror.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "driver/disk_chain.h"

#define QCOW2_V2_HEADER_LEN 72
#define QCOW2_V3_HEADER_LEN 104
#define QCOW2_EXT_END 0
#define QCOW2_EXT_BACKING_FORMAT 0xe2792acaU
#define QCOW2_FORMAT_NAME_MAX 16

void
armz_disk_layer_free(gpointer p)
{
    ArmzDiskLayer *l = p;

    g_free(l->path);
    g_free(l->format);
    g_free(l);
}

static guint32
be32(const guint8 *p)
{
    return (guint32)p[0] << 24 | (guint32)p[1] << 16 | (guint32)p[2] << 8 | p[3];
}

static guint64
be64(const guint8 *p)
{
    return (guint64)be32(p) << 32 | be32(p + 4);
}

static gboolean
malformed(const char *path, const char *why, GError **error)
{
    g_set_error(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                _("malformed qcow2 header in '%s': %s"), path, why);
    return FALSE;
}

static gboolean
read_at(int fd, void *buf, size_t len, guint64 off, const char *path, GError **error)
{
    ssize_t n = pread(fd, buf, len, (off_t)off);

    if (n < 0) {
        int e = errno;
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR, _("cannot read '%s': %s"), path,
                    g_strerror(e));
        return FALSE;
    }
    if ((size_t)n != len)
        return malformed(path, _("the file ends inside its header"), error);
    return TRUE;
}

/* The backing format extension, if any, between OFF and the end of the
 * first cluster. */
static gboolean
read_format_ext(int fd, const char *path, guint64 off, guint64 cluster, char **format,
                GError **error)
{
    /* a header without extensions may end at the file's end */
    struct stat st;

    if (fstat(fd, &st) == 0 && off >= (guint64)st.st_size)
        return TRUE;
    while (off + 8 <= cluster) {
        guint8 h[8];
        guint32 type, len;

        if (!read_at(fd, h, sizeof(h), off, path, error))
            return FALSE;
        type = be32(h);
        len = be32(h + 4);
        if (type == QCOW2_EXT_END)
            return TRUE;
        if (len > cluster - off - 8)
            return malformed(path, _("a header extension overruns the first cluster"), error);
        if (type == QCOW2_EXT_BACKING_FORMAT) {
            g_autofree char *name = g_malloc0(len + 1);
            if (len == 0 || len > QCOW2_FORMAT_NAME_MAX)
                return malformed(path, _("the backing format name has a bad length"), error);
            if (!read_at(fd, name, len, off + 8, path, error))
                return FALSE;
            if (memchr(name, '\0', len))
                return malformed(path, _("the backing format name contains a NUL byte"),
                                 error);
            g_free(*format);
            *format = g_steal_pointer(&name);
        }
        off += 8 + (((guint64)len + 7) & ~(guint64)7);
    }
    return TRUE;
}

gboolean
armz_qcow2_backing(int fd, const char *path, char **name, char **format, GError **error)
{
    guint8 h[QCOW2_V3_HEADER_LEN];
    guint32 version, name_len, cluster_bits;
    guint64 name_off, hdr_len, cluster;
    g_autofree char *n = NULL, *f = NULL;

    *name = *format = NULL;
    if (!read_at(fd, h, QCOW2_V2_HEADER_LEN, 0, path, error))
        return FALSE;
    if (memcmp(h, "QFI\xfb", 4) != 0)
        return malformed(path, _("no qcow2 magic"), error);
    version = be32(h + 4);
    name_off = be64(h + 8);
    name_len = be32(h + 16);
    cluster_bits = be32(h + 20);
    if (version != 2 && version != 3)
        return malformed(path, _("unsupported version"), error);
    if (cluster_bits < 9 || cluster_bits > 21)
        return malformed(path, _("bad cluster size"), error);
    cluster = (guint64)1 << cluster_bits;
    hdr_len = QCOW2_V2_HEADER_LEN;
    if (version == 3) {
        if (!read_at(fd, h, sizeof(h), 0, path, error))
            return FALSE;
        hdr_len = be32(h + 100);
        if (hdr_len < QCOW2_V3_HEADER_LEN || hdr_len > cluster)
            return malformed(path, _("bad header length"), error);
    }
    if (name_off) {
        if (name_len == 0 || name_len > ARMZ_QCOW2_BACKING_NAME_MAX) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("the backing file name in '%s' is %u bytes long (at most %d)"),
                        path, name_len, ARMZ_QCOW2_BACKING_NAME_MAX);
            return FALSE;
        }
        if (name_off > (guint64)G_MAXINT64 - name_len)
            return malformed(path, _("bad backing file name offset"), error);
        n = g_malloc0(name_len + 1);
        if (!read_at(fd, n, name_len, name_off, path, error))
            return FALSE;
        if (memchr(n, '\0', name_len))
            return malformed(path, _("the backing file name contains a NUL byte"), error);
        /* the name sits after the extensions: they end before it */
        if (!read_format_ext(fd, path, hdr_len, MIN(cluster, name_off), &f, error))
            return FALSE;
    }
    *name = g_steal_pointer(&n);
    *format = g_steal_pointer(&f);
    return TRUE;
}

static gboolean
is_qcow2(int fd)
{
    char magic[4];

    return pread(fd, magic, sizeof(magic), 0) == (ssize_t)sizeof(magic) &&
           memcmp(magic, "QFI\xfb", 4) == 0;
}

static gboolean
is_protocol(const char *name)
{
    static const char *const prefixes[] = {
        "nbd:", "nbd+", "rbd:", "iscsi:", "http:", "https:", "ftp:", "ftps:", "ssh:",
        "gluster", "sheepdog:", "json:", NULL };

    for (const char *const *p = prefixes; *p; p++)
        if (g_str_has_prefix(name, *p))
            return TRUE;
    return strstr(name, "://") != NULL;
}

/* Opens layer PATH (the backing file of PARENT, or the top image). */
static int
open_layer(const char *path, const char *parent, GError **error)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

    if (fd < 0) {
        int e = errno;
        if (parent)
            g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                        _("Cannot access backing file '%s' of storage file '%s': %s"), path,
                        parent, g_strerror(e));
        else
            g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                        _("Cannot access storage file '%s': %s"), path, g_strerror(e));
    }
    return fd;
}

GPtrArray *
armz_disk_chain_read(const char *path, const char *format, GError **error)
{
    g_autoptr(GPtrArray) chain = g_ptr_array_new_with_free_func(armz_disk_layer_free);
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autofree char *cur = g_strdup(path);
    g_autofree char *fmt = g_strdup(format ? format : "raw");
    const char *parent = NULL;

    while (cur) {
        ArmzDiskLayer *layer;
        g_autofree char *name = NULL, *bfmt = NULL, *key = NULL;
        struct stat st;
        int fd;

        if ((fd = open_layer(cur, parent, error)) < 0)
            return NULL;
        if (fstat(fd, &st) < 0) {
            int e = errno;
            close(fd);
            g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR, _("cannot stat '%s': %s"), cur,
                        g_strerror(e));
            return NULL;
        }
        key = g_strdup_printf("%ju:%ju", (uintmax_t)st.st_dev, (uintmax_t)st.st_ino);
        if (g_hash_table_contains(seen, key)) {
            close(fd);
            g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                        _("backing store for %s (%s) is self-referential"), parent, cur);
            return NULL;
        }
        g_hash_table_add(seen, g_steal_pointer(&key));
        if (chain->len > ARMZ_DISK_CHAIN_MAX) {
            close(fd);
            g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("the backing chain of '%s' is deeper than %d images"), path,
                        ARMZ_DISK_CHAIN_MAX);
            return NULL;
        }
        if (g_str_equal(fmt, "qcow2") && !is_qcow2(fd)) {
            close(fd);
            g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("image '%s' is not in qcow2 format"), cur);
            return NULL;
        }
        if (g_str_equal(fmt, "qcow2") && !armz_qcow2_backing(fd, cur, &name, &bfmt, error)) {
            close(fd);
            return NULL;
        }
        layer = g_new0(ArmzDiskLayer, 1);
        layer->path = g_strdup(cur);
        layer->format = g_strdup(fmt);
        g_ptr_array_add(chain, layer);

        if (name && is_protocol(name)) {
            close(fd);
            g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("the backing file of '%s' is '%s', a network protocol, which the "
                          "armz driver does not follow"), cur, name);
            return NULL;
        }
        if (name && !bfmt) {
            /* not recorded: qcow2 is recognisable; raw must never be probed */
            int bfd;
            g_autofree char *dir = g_path_get_dirname(cur);
            g_autofree char *bpath = g_path_is_absolute(name) ? g_strdup(name)
                                                              : g_build_filename(dir, name, NULL);
            if ((bfd = open_layer(bpath, cur, error)) < 0) {
                close(fd);
                return NULL;
            }
            if (is_qcow2(bfd))
                bfmt = g_strdup("qcow2");
            close(bfd);
            if (!bfmt) {
                close(fd);
                g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                            _("format of backing image '%s' of image '%s' was not specified "
                              "in the image metadata (See "
                              "https://libvirt.org/kbase/backing_chains.html for "
                              "troubleshooting)"), name, cur);
                return NULL;
            }
        }
        close(fd);
        if (bfmt && !g_str_equal(bfmt, "raw") && !g_str_equal(bfmt, "qcow2")) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("the backing file of '%s' is in format '%s': the armz driver "
                          "supports raw and qcow2 backing files"), cur, bfmt);
            return NULL;
        }
        parent = layer->path;
        g_free(fmt);
        fmt = g_steal_pointer(&bfmt);
        if (name && !g_path_is_absolute(name)) {
            /* relative to the directory of the image that names it, as QEMU does */
            g_autofree char *dir = g_path_get_dirname(cur);
            g_free(cur);
            cur = g_build_filename(dir, name, NULL);
        } else {
            g_free(cur);
            cur = g_steal_pointer(&name);
        }
    }
    return g_steal_pointer(&chain);
}
