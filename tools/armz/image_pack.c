/* newc cpio writing and kernel module resolution for `armz image build`. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"
#include "image_pack.h"

struct _ArmzCpio {
    FILE *f;
    char *path;
    guint ino;
    gboolean failed;
};

ArmzCpio *
armz_cpio_new(const char *path, GError **error)
{
    ArmzCpio *c;
    FILE *f = fopen(path, "wb");

    if (!f) {
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_SYSTEM_ERROR, _("cannot create %s: %s"),
                    path, g_strerror(errno));
        return NULL;
    }
    c = g_new0(ArmzCpio, 1);
    c->f = f;
    c->path = g_strdup(path);
    c->ino = 1;
    return c;
}

static gboolean
write_all(ArmzCpio *c, const void *data, gsize len, GError **error)
{
    if (len && fwrite(data, 1, len, c->f) != len) {
        c->failed = TRUE;
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_SYSTEM_ERROR, _("cannot write %s: %s"),
                    c->path, g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

static gboolean
pad4(ArmzCpio *c, GError **error)
{
    static const char zeros[4];
    long pos = ftell(c->f);

    return write_all(c, zeros, (4 - pos % 4) % 4, error);
}

/* One newc entry: header, name, padding, data, padding. */
static gboolean
entry(ArmzCpio *c, const char *name, guint mode, guint rmajor, guint rminor, const void *data,
      gsize len, GError **error)
{
    char hdr[111];
    gsize namesize = strlen(name) + 1;

    g_snprintf(hdr, sizeof(hdr),
               "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
               c->ino++, mode, 0u, 0u, S_ISDIR(mode) ? 2u : 1u, 0u, (guint)len, 0u, 0u,
               rmajor, rminor, (guint)namesize, 0u);
    return write_all(c, hdr, 110, error) && write_all(c, name, namesize, error) &&
           pad4(c, error) && write_all(c, data, len, error) && pad4(c, error);
}

gboolean
armz_cpio_add_dir(ArmzCpio *c, const char *name, GError **error)
{
    return entry(c, name, S_IFDIR | 0755, 0, 0, NULL, 0, error);
}

gboolean
armz_cpio_add_data(ArmzCpio *c, const char *name, guint mode, const void *data, gsize len,
                   GError **error)
{
    return entry(c, name, S_IFREG | (mode & 07777), 0, 0, data, len, error);
}

gboolean
armz_cpio_add_file(ArmzCpio *c, const char *name, guint mode, const char *src, GError **error)
{
    g_autoptr(GMappedFile) m = g_mapped_file_new(src, FALSE, error);

    if (!m)
        return FALSE;
    return armz_cpio_add_data(c, name, mode, g_mapped_file_get_contents(m),
                              g_mapped_file_get_length(m), error);
}

gboolean
armz_cpio_add_symlink(ArmzCpio *c, const char *name, const char *target, GError **error)
{
    return entry(c, name, S_IFLNK | 0777, 0, 0, target, strlen(target), error);
}

gboolean
armz_cpio_add_chardev(ArmzCpio *c, const char *name, guint major, guint minor, GError **error)
{
    return entry(c, name, S_IFCHR | 0600, major, minor, NULL, 0, error);
}

gboolean
armz_cpio_finish(ArmzCpio *c, GError **error)
{
    gboolean ok = !c->failed && entry(c, "TRAILER!!!", 0, 0, 0, NULL, 0, error);

    if (fclose(c->f) != 0 && ok) {
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_SYSTEM_ERROR, _("cannot write %s: %s"),
                    c->path, g_strerror(errno));
        ok = FALSE;
    }
    g_free(c->path);
    g_free(c);
    return ok;
}

/* module names compare with '-' and '_' alike, as modprobe does */
static char *
mod_key(const char *name)
{
    char *k = g_strdup(name);
    for (char *p = k; *p; p++)
        if (*p == '-')
            *p = '_';
    return k;
}

static void
index_modules(const char *dir, GHashTable *index)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *n;

    if (!d)
        return;
    while ((n = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(dir, n, NULL);
        if (g_file_test(p, G_FILE_TEST_IS_DIR))
            index_modules(p, index);
        else if (g_str_has_suffix(n, ".ko")) {
            g_autofree char *k = mod_key(n);
            g_hash_table_insert(index, g_strndup(k, strlen(k) - 3), g_steal_pointer(&p));
        }
    }
}

char **
armz_module_depends(const char *path, GError **error)
{
    g_autoptr(GMappedFile) m = g_mapped_file_new(path, FALSE, error);
    static const char key[] = "depends=";
    const char *data, *hit;
    gsize len;

    if (!m)
        return NULL;
    data = g_mapped_file_get_contents(m);
    len = g_mapped_file_get_length(m);
    /* modinfo strings are NUL-terminated "key=value" in .modinfo */
    for (hit = data; (hit = memmem(hit, len - (hit - data), key, sizeof(key) - 1)); hit++) {
        if (hit == data || hit[-1] == '\0') {
            const char *v = hit + sizeof(key) - 1;
            gsize vlen = strnlen(v, len - (v - data));
            g_autofree char *val = g_strndup(v, vlen);
            if (!*val)
                return g_new0(char *, 1);
            return g_strsplit(val, ",", -1);
        }
    }
    return g_new0(char *, 1);
}

static gboolean
resolve_one(GHashTable *index, const char *name, GPtrArray *out, GHashTable *seen, int depth,
            GError **error)
{
    g_autofree char *key = mod_key(name);
    const char *path;
    g_auto(GStrv) deps = NULL;

    if (g_hash_table_contains(seen, key))
        return TRUE;
    if (depth > 32) {
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("kernel module dependencies loop at %s"), name);
        return FALSE;
    }
    if (!(path = g_hash_table_lookup(index, key))) {
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_NO_SUPPORT,
                    _("kernel module %s is not in this kernel package (built in, or missing)"),
                    name);
        return FALSE;
    }
    if (!(deps = armz_module_depends(path, error)))
        return FALSE;
    g_hash_table_add(seen, g_strdup(key));
    for (char **d = deps; *d; d++)
        if (**d && !resolve_one(index, *d, out, seen, depth + 1, error))
            return FALSE;
    g_ptr_array_add(out, g_strdup(path));
    return TRUE;
}

GPtrArray *
armz_modules_resolve(const char *moddir, const char *const *names, GError **error)
{
    g_autoptr(GHashTable) index = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);

    index_modules(moddir, index);
    if (g_hash_table_size(index) == 0) {
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_NO_SUPPORT,
                    _("no kernel modules (*.ko) under %s"), moddir);
        return NULL;
    }
    for (const char *const *n = names; *n; n++)
        if (!resolve_one(index, *n, out, seen, 0, error))
            return NULL;
    return g_steal_pointer(&out);
}
