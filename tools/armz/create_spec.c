/* Parsing `armz create` options into an ArmzCreateSpec. */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <libvirt/virterror.h>
#include "cli.h"
#include "create_spec.h"

ArmzCreateSpec *
armz_create_spec_new(const char *name)
{
    ArmzCreateSpec *s = g_new0(ArmzCreateSpec, 1);

    s->name = g_strdup(name);
    s->virt_type = g_strdup("kvm");
    s->memory_kib = 512 * 1024;
    s->vcpus = 1;
    s->disks = g_ptr_array_new_with_free_func(armz_disk_spec_free);
    s->nics = g_ptr_array_new_with_free_func(armz_nic_spec_free);
    return s;
}

void
armz_create_spec_free(ArmzCreateSpec *s)
{
    if (!s)
        return;
    g_free(s->name);
    g_free(s->virt_type);
    g_free(s->kernel);
    g_free(s->initrd);
    g_free(s->cmdline);
    g_ptr_array_unref(s->disks);
    g_ptr_array_unref(s->nics);
    g_free(s);
}

void
armz_disk_spec_free(gpointer p)
{
    ArmzDiskSpec *d = p;

    if (!d)
        return;
    g_free(d->path);
    g_free(d->pool);
    g_free(d->volume);
    g_free(d->format);
    g_free(d);
}

void
armz_nic_spec_free(gpointer p)
{
    ArmzNicSpec *n = p;

    if (!n)
        return;
    g_free(n->source);
    g_free(n);
}

static const struct {
    const char *suffix;
    guint64 factor;
} units[] = {
    { "b", 1 }, { "bytes", 1 },
    { "k", 1ull << 10 }, { "kib", 1ull << 10 }, { "kb", 1000ull },
    { "m", 1ull << 20 }, { "mib", 1ull << 20 }, { "mb", 1000000ull },
    { "g", 1ull << 30 }, { "gib", 1ull << 30 }, { "gb", 1000000000ull },
    { "t", 1ull << 40 }, { "tib", 1ull << 40 }, { "tb", 1000000000000ull },
};

gboolean
armz_parse_size(const char *text, guint64 default_unit, guint64 *bytes, GError **error)
{
    g_autofree char *unit = NULL;
    char *end = NULL;
    guint64 factor = default_unit;
    double v;

    errno = 0;
    v = g_ascii_strtod(text, &end);
    if (end == text || errno || v < 0 || !isfinite(v))
        goto bad;
    unit = g_ascii_strdown(g_strstrip(g_strdup(end)), -1);
    if (*unit) {
        factor = 0;
        for (size_t i = 0; i < G_N_ELEMENTS(units); i++)
            if (g_str_equal(unit, units[i].suffix))
                factor = units[i].factor;
        if (!factor)
            goto bad;
    }
    if (v * (double)factor >= 18446744073709551615.0)
        goto bad;
    *bytes = (guint64)(v * (double)factor + 0.5);
    return TRUE;

bad:
    g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_INVALID_ARG,
                _("'%s' is not a size (a number with an optional unit: K, M, G, T, KiB, MB...)"),
                text);
    return FALSE;
}

static gboolean
parse_bool(const char *key, const char *v, gboolean *out, GError **error)
{
    if (!v || !g_ascii_strcasecmp(v, "on") || !g_ascii_strcasecmp(v, "yes") || g_str_equal(v, "1"))
        *out = TRUE;
    else if (!g_ascii_strcasecmp(v, "off") || !g_ascii_strcasecmp(v, "no") || g_str_equal(v, "0"))
        *out = FALSE;
    else {
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_INVALID_ARG,
                    _("%s=%s: expected on or off"), key, v);
        return FALSE;
    }
    return TRUE;
}

/* A first item without '=': a path or POOL/VOLUME. */
static gboolean
looks_like_path(const char *s)
{
    return s[0] == '/' || s[0] == '.' || s[0] == '~' || !strchr(s, '/') ||
           g_file_test(s, G_FILE_TEST_EXISTS);
}

static void
set_path(ArmzDiskSpec *d, const char *path)
{
    struct stat st;

    g_free(d->path);
    if (path[0] == '~' && path[1] == '/')
        d->path = g_build_filename(g_get_home_dir(), path + 2, NULL);
    else
        d->path = g_canonicalize_filename(path, NULL);
    d->kind = stat(d->path, &st) == 0 && S_ISBLK(st.st_mode) ? ARMZ_DISK_BLOCK : ARMZ_DISK_FILE;
}

ArmzDiskSpec *
armz_disk_spec_parse(const char *text, GError **error)
{
    g_autoptr(GPtrArray) holder = g_ptr_array_new_with_free_func(armz_disk_spec_free);
    ArmzDiskSpec *d = g_new0(ArmzDiskSpec, 1);
    g_auto(GStrv) items = g_strsplit(text, ",", -1);
    gboolean have_path = FALSE, have_vol = FALSE;

    g_ptr_array_add(holder, d);
    d->kind = ARMZ_DISK_FILE;
    for (guint i = 0; items[i]; i++) {
        char *item = items[i];
        char *eq = strchr(item, '=');
        const char *key, *val;

        if (!*item)
            continue;
        if (!eq) {
            if (i != 0 && !g_str_equal(item, "readonly")) {
                g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_INVALID_ARG,
                            _("--disk %s: '%s' is not KEY=VALUE"), text, item);
                return NULL;
            }
            if (g_str_equal(item, "readonly")) {
                d->readonly = TRUE;
            } else if (looks_like_path(item)) {
                set_path(d, item);
                have_path = TRUE;
            } else {
                const char *slash = strchr(item, '/');
                if (strchr(slash + 1, '/') || slash == item || !slash[1]) {
                    g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_INVALID_ARG,
                                _("--disk %s: not a path and not POOL/VOLUME"), text);
                    return NULL;
                }
                d->pool = g_strndup(item, slash - item);
                d->volume = g_strdup(slash + 1);
                have_vol = TRUE;
            }
            continue;
        }
        *eq = '\0';
        key = item;
        val = eq + 1;
        if (g_str_equal(key, "path")) {
            set_path(d, val);
            have_path = TRUE;
        } else if (g_str_equal(key, "pool")) {
            g_free(d->pool);
            d->pool = g_strdup(val);
            have_vol = TRUE;
        } else if (g_str_equal(key, "vol") || g_str_equal(key, "volume")) {
            g_free(d->volume);
            d->volume = g_strdup(val);
            have_vol = TRUE;
        } else if (g_str_equal(key, "size")) {
            if (!armz_parse_size(val, 1ull << 30, &d->new_size, error))
                return NULL;
            if (d->new_size == 0) {
                g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_INVALID_ARG,
                            _("--disk %s: size must be more than 0"), text);
                return NULL;
            }
        } else if (g_str_equal(key, "format")) {
            if (!g_str_equal(val, "raw") && !g_str_equal(val, "qcow2")) {
                g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_INVALID_ARG,
                            _("--disk %s: format is raw or qcow2"), text);
                return NULL;
            }
            g_free(d->format);
            d->format = g_strdup(val);
        } else if (g_str_equal(key, "readonly")) {
            if (!parse_bool(key, val, &d->readonly, error))
                return NULL;
        } else {
            g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_INVALID_ARG,
                        _("--disk %s: unknown key '%s' (path, pool, vol, size, format, "
                          "readonly)"), text, key);
            return NULL;
        }
    }
    if (have_path && (have_vol || d->new_size)) {
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_INVALID_ARG,
                    _("--disk %s: a path cannot go with pool, vol or size (size= makes a new "
                      "volume in a storage pool)"), text);
        return NULL;
    }
    if (!have_path && !have_vol && !d->new_size) {
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_INVALID_ARG,
                    _("--disk %s: give a path, POOL/VOLUME or size="), text);
        return NULL;
    }
    if (!have_path) {
        d->kind = ARMZ_DISK_VOLUME;
        if (!d->new_size && (!d->pool || !d->volume)) {
            g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_INVALID_ARG,
                        _("--disk %s: an existing volume needs both its pool and its name"),
                        text);
            return NULL;
        }
    }
    if (!d->format)
        d->format = g_strdup("raw");
    return g_ptr_array_steal_index(holder, 0);
}

gboolean
armz_create_spec_finish(ArmzCreateSpec *s, GError **error)
{
    guint n = 0;

    if (!*s->name || strchr(s->name, '/')) {
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_INVALID_ARG,
                    _("'%s' is not a domain name (it must be non-empty, without '/')"), s->name);
        return FALSE;
    }
    if (!g_str_equal(s->virt_type, "kvm") && !g_str_equal(s->virt_type, "qemu")) {
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_INVALID_ARG,
                    _("--virt-type is kvm or qemu, not '%s'"), s->virt_type);
        return FALSE;
    }
    if (s->memory_kib < 16 * 1024) {
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_INVALID_ARG,
                    _("--memory: %llu KiB is too little for an Arm64 guest "
                      "(at least 16 MiB)"), (unsigned long long)s->memory_kib);
        return FALSE;
    }
    if (s->vcpus < 1) {
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_INVALID_ARG, _("--vcpus must be at least 1"));
        return FALSE;
    }
    if (!s->kernel && (s->initrd || s->cmdline)) {
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_INVALID_ARG,
                    _("--initrd and --cmdline need --kernel"));
        return FALSE;
    }
    if (!s->kernel && s->disks->len == 0) {
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_INVALID_ARG,
                    _("nothing to boot: give --kernel (and --initrd) or --disk"));
        return FALSE;
    }
    if (s->disks->len > 26) {
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_INVALID_ARG, _("at most 26 disks"));
        return FALSE;
    }
    for (guint i = 0; i < s->disks->len; i++) {
        ArmzDiskSpec *d = g_ptr_array_index(s->disks, i);
        if (d->kind != ARMZ_DISK_VOLUME)
            continue;
        if (!d->pool)
            d->pool = g_strdup("default");
        if (!d->volume) {
            const char *ext = g_str_equal(d->format, "qcow2") ? "qcow2" : "img";
            d->volume = n ? g_strdup_printf("%s-%u.%s", s->name, n, ext)
                          : g_strdup_printf("%s.%s", s->name, ext);
            n++;
        }
    }
    return TRUE;
}
