/* cgroup v2 of running domains (see cgroup.h). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/log.h"
#include "util/number.h"
#include "driver/cgroup.h"
#include "driver/machined.h"

#define SLICE "machine.slice"
#define WEIGHT_MIN 1ULL         /* cpu.weight's range */
#define WEIGHT_MAX 10000ULL
#define RMDIR_TRIES 50          /* 10 ms apart: the exiting VMM leaves the cgroup late */

char *
armz_cgroup_root(void)
{
    const char *env = g_getenv("ARMZ_CGROUP_ROOT");
    struct statfs sfs;

    if (env && *env)
        return g_strdup(env);
    if (statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
        return g_strdup("/sys/fs/cgroup");
    return NULL;
}

char *
armz_cgroup_escape(const char *part)
{
    GString *s = g_string_new(NULL);

    for (const char *p = part; *p; p++) {
        if (g_ascii_isalnum(*p) || *p == ':' || *p == '_' || (*p == '.' && p != part))
            g_string_append_c(s, *p);
        else
            g_string_append_printf(s, "\\x%02x", (unsigned char)*p);
    }
    return g_string_free(s, FALSE);
}

char *
armz_cgroup_domain_path(const char *root, const char *name, int id)
{
    g_autofree char *machine = armz_machined_name(name, id);
    g_autofree char *esc = armz_cgroup_escape(machine);
    g_autofree char *scope = g_strdup_printf("machine-%s.scope", esc);

    return g_build_filename(root, SLICE, scope, NULL);
}

static gboolean
write_file(const char *dir, const char *file, const char *value, GError **error)
{
    g_autofree char *path = g_build_filename(dir, file, NULL);
    int fd = open(path, O_WRONLY | O_CLOEXEC | O_TRUNC);
    ssize_t n;
    int saved;

    if (fd < 0) {
        saved = errno;
        g_set_error(error, ARMZ_ERROR, saved == ENOENT ? VIR_ERR_OPERATION_INVALID
                                                       : VIR_ERR_SYSTEM_ERROR,
                    _("Unable to write to '%s': %s"), path, g_strerror(saved));
        return FALSE;
    }
    n = write(fd, value, strlen(value));
    saved = errno;
    close(fd);
    if (n != (ssize_t)strlen(value)) {
        g_set_error(error, ARMZ_ERROR, saved == EINVAL || saved == ERANGE ? VIR_ERR_INVALID_ARG
                                                                          : VIR_ERR_SYSTEM_ERROR,
                    _("Unable to write '%s' to '%s': %s"), value, path,
                    g_strerror(n < 0 ? saved : EIO));
        return FALSE;
    }
    return TRUE;
}

static char *
read_file(const char *dir, const char *file, GError **error)
{
    g_autofree char *path = g_build_filename(dir, file, NULL);
    g_autoptr(GError) err = NULL;
    char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, &err)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("Unable to read from '%s': %s"), path, err->message);
        return NULL;
    }
    return g_strstrip(text);
}

static gboolean
parse_error(const char *file, const char *text, GError **error)
{
    g_set_error(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                _("Unable to parse '%s' of '%s'"), text, file);
    return FALSE;
}

gboolean
armz_cgroup_set_cpu_weight(const char *path, guint64 shares, GError **error)
{
    char buf[32];

    if (shares < WEIGHT_MIN || shares > WEIGHT_MAX) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("shares '%llu' must be in range [%llu, %llu]"),
                    (unsigned long long)shares, WEIGHT_MIN, WEIGHT_MAX);
        return FALSE;
    }
    g_snprintf(buf, sizeof(buf), "%" G_GUINT64_FORMAT, shares);
    return write_file(path, "cpu.weight", buf, error);
}

gboolean
armz_cgroup_get_cpu_weight(const char *path, guint64 *shares, GError **error)
{
    g_autofree char *text = read_file(path, "cpu.weight", error);

    if (!text)
        return FALSE;
    if (!armz_parse_u64(text, 0, G_MAXUINT64, shares))
        return parse_error("cpu.weight", text, error);
    return TRUE;
}

gboolean
armz_cgroup_set_cpu_max(const char *path, gint64 quota, guint64 period, unsigned int vcpus,
                        GError **error)
{
    g_autofree char *value = NULL;

    if (quota > 0)
        value = g_strdup_printf("%" G_GINT64_FORMAT " %" G_GUINT64_FORMAT,
                                quota * MAX(vcpus, 1), period);
    else
        value = g_strdup_printf("max %" G_GUINT64_FORMAT, period);
    return write_file(path, "cpu.max", value, error);
}

gboolean
armz_cgroup_get_cpu_max(const char *path, unsigned int vcpus, gint64 *quota, guint64 *period,
                        GError **error)
{
    g_autofree char *text = read_file(path, "cpu.max", error);
    g_auto(GStrv) f = NULL;
    guint64 q;

    if (!text)
        return FALSE;
    f = g_strsplit(text, " ", 2);
    if (!f[0] || !f[1] || !armz_parse_u64(f[1], 1, G_MAXINT64, period))
        return parse_error("cpu.max", text, error);
    if (strcmp(f[0], "max") == 0)
        *quota = -1;
    else if (armz_parse_u64(f[0], 1, G_MAXINT64, &q))
        *quota = (gint64)(q / MAX(vcpus, 1));
    else
        return parse_error("cpu.max", text, error);
    return TRUE;
}

gboolean
armz_cgroup_set_memory(const char *path, const char *file, guint64 kib, GError **error)
{
    char buf[32];

    if (kib > ARMZ_TUNE_MEMORY_UNLIMITED) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("Memory '%llu' must be less than %llu"),
                    (unsigned long long)kib, ARMZ_TUNE_MEMORY_UNLIMITED);
        return FALSE;
    }
    if (kib == 0 || kib == ARMZ_TUNE_MEMORY_UNLIMITED)
        g_strlcpy(buf, "max", sizeof(buf));
    else
        g_snprintf(buf, sizeof(buf), "%" G_GUINT64_FORMAT, kib << 10);
    return write_file(path, file, buf, error);
}

gboolean
armz_cgroup_get_memory(const char *path, const char *file, guint64 *kib, GError **error)
{
    g_autofree char *text = read_file(path, file, error);
    guint64 bytes;

    if (!text)
        return FALSE;
    if (strcmp(text, "max") == 0) {
        *kib = ARMZ_TUNE_MEMORY_UNLIMITED;
        return TRUE;
    }
    if (!armz_parse_u64(text, 0, G_MAXUINT64, &bytes))
        return parse_error(file, text, error);
    *kib = MIN(bytes >> 10, ARMZ_TUNE_MEMORY_UNLIMITED);
    return TRUE;
}

/* io.bfq.weight where BFQ schedules the disks, io.weight otherwise. */
static const char *
io_weight_file(const char *path, gboolean *bfq, GError **error)
{
    g_autofree char *b = g_build_filename(path, "io.bfq.weight", NULL);
    g_autofree char *w = g_build_filename(path, "io.weight", NULL);

    if ((*bfq = access(b, F_OK) == 0))
        return "io.bfq.weight";
    if (access(w, F_OK) == 0)
        return "io.weight";
    g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID, "%s",
                _("blkio weight is valid only for bfq or cfq scheduler"));
    return NULL;
}

gboolean
armz_cgroup_set_io_weight(const char *path, unsigned int weight, GError **error)
{
    gboolean bfq;
    const char *file = io_weight_file(path, &bfq, error);
    char buf[32];

    if (!file)
        return FALSE;
    g_snprintf(buf, sizeof(buf), bfq ? "%u" : "default %u", weight);
    return write_file(path, file, buf, error);
}

gboolean
armz_cgroup_get_io_weight(const char *path, unsigned int *weight, GError **error)
{
    gboolean bfq;
    const char *file = io_weight_file(path, &bfq, error);
    g_autofree char *text = NULL;
    const char *p, *end;
    g_autofree char *num = NULL;
    guint64 v;

    if (!file || !(text = read_file(path, file, error)))
        return FALSE;
    /* "default N" (first line), or N */
    p = g_str_has_prefix(text, "default ") ? text + strlen("default ") : text;
    end = p + strcspn(p, "\n ");
    num = g_strndup(p, end - p);
    if (!armz_parse_u64(num, 0, G_MAXUINT, &v))
        return parse_error(file, text, error);
    *weight = (unsigned int)v;
    return TRUE;
}

gboolean
armz_cgroup_cpu_stat(const char *path, guint64 *total_ns, guint64 *user_ns, guint64 *system_ns)
{
    g_autofree char *text = read_file(path, "cpu.stat", NULL);
    g_auto(GStrv) lines = NULL;
    guint found = 0;

    if (!text)
        return FALSE;
    lines = g_strsplit(text, "\n", -1);
    for (guint i = 0; lines[i]; i++) {
        static const char *const keys[] = { "usage_usec ", "user_usec ", "system_usec " };
        guint64 *outs[] = { total_ns, user_ns, system_ns };

        for (guint k = 0; k < G_N_ELEMENTS(keys); k++) {
            guint64 us;
            if (g_str_has_prefix(lines[i], keys[k]) &&
                armz_parse_u64(lines[i] + strlen(keys[k]), 0, G_MAXUINT64 / 1000, &us)) {
                *outs[k] = us * 1000;
                found |= 1u << k;
            }
        }
    }
    return found == 7;
}

/* Enables the controllers DIR offers for its children; those the kernel
 * refuses (a controller in use elsewhere, an unprivileged daemon) are
 * missing in the domain's cgroup, which only the limits needing them
 * notice. */
static void
enable_controllers(const char *dir)
{
    g_autofree char *avail = read_file(dir, "cgroup.controllers", NULL);
    static const char *const wanted[] = { "cpu", "memory", "io" };

    if (!avail)
        return;
    for (guint i = 0; i < G_N_ELEMENTS(wanted); i++) {
        g_autofree char *op = g_strconcat("+", wanted[i], NULL);
        g_autoptr(GError) err = NULL;
        g_auto(GStrv) have = g_strsplit(avail, " ", -1);

        if (g_strv_contains((const char *const *)have, wanted[i]) &&
            !write_file(dir, "cgroup.subtree_control", op, &err))
            armz_debug("cgroup: %s", err->message);
    }
}

static gboolean
tune_wanted(const ArmzDomainTuneDef *t)
{
    return t->has_shares || t->period || t->quota || t->hard_limit_kib || t->soft_limit_kib ||
           t->swap_hard_limit_kib || t->blkio_weight;
}

static gboolean
apply_limits(const char *path, const ArmzDomainDef *def, GError **error)
{
    const ArmzDomainTuneDef *t = &def->tune;

    if (t->has_shares && !armz_cgroup_set_cpu_weight(path, t->shares, error))
        return FALSE;
    if ((t->period || t->quota) &&
        !armz_cgroup_set_cpu_max(path, t->quota, t->period ? t->period : 100000, def->vcpus,
                                 error))
        return FALSE;
    if (t->hard_limit_kib && !armz_cgroup_set_memory(path, "memory.max", t->hard_limit_kib, error))
        return FALSE;
    if (t->soft_limit_kib &&
        !armz_cgroup_set_memory(path, "memory.high", t->soft_limit_kib, error))
        return FALSE;
    if (t->swap_hard_limit_kib &&
        !armz_cgroup_set_memory(path, "memory.swap.max", t->swap_hard_limit_kib, error))
        return FALSE;
    if (t->blkio_weight && !armz_cgroup_set_io_weight(path, t->blkio_weight, error))
        return FALSE;
    return TRUE;
}

gboolean
armz_cgroup_create(const ArmzDomainDef *def, int id, char **out_path, int *procs_fd,
                   GError **error)
{
    g_autofree char *root = armz_cgroup_root();
    g_autofree char *slice = NULL, *path = NULL, *procs = NULL;

    *out_path = NULL;
    *procs_fd = -1;
    if (root) {
        slice = g_build_filename(root, SLICE, NULL);
        path = armz_cgroup_domain_path(root, def->name, id);
        enable_controllers(root);
        if ((mkdir(slice, 0755) < 0 && errno != EEXIST) || (enable_controllers(slice), FALSE) ||
            (mkdir(path, 0755) < 0 && errno != EEXIST)) {
            armz_debug("cgroup: cannot create '%s': %s", path, g_strerror(errno));
            g_clear_pointer(&path, g_free);
        }
    }
    if (!path) {
        if (!tune_wanted(&def->tune))
            return TRUE;
        g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("<cputune>, <memtune> and <blkiotune> need a cgroup v2 hierarchy at "
                      "/sys/fs/cgroup writable by the daemon"));
        return FALSE;
    }
    procs = g_build_filename(path, "cgroup.procs", NULL);
    if (!apply_limits(path, def, error) ||
        (*procs_fd = open(procs, O_WRONLY | O_CLOEXEC)) < 0) {
        if (error && !*error)
            g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                        _("cannot open '%s': %s"), procs, g_strerror(errno));
        armz_cgroup_remove(path);
        return FALSE;
    }
    *out_path = g_steal_pointer(&path);
    return TRUE;
}

GVariant *
armz_cgroup_scope_properties(const ArmzDomainDef *def)
{
    const ArmzDomainTuneDef *t = &def->tune;
    GVariantBuilder b;

    g_variant_builder_init(&b, G_VARIANT_TYPE("a(sv)"));
    g_variant_builder_add(&b, "(sv)", "Delegate", g_variant_new_boolean(TRUE));
    if (t->has_shares && t->shares >= WEIGHT_MIN && t->shares <= WEIGHT_MAX)
        g_variant_builder_add(&b, "(sv)", "CPUWeight", g_variant_new_uint64(t->shares));
    if (t->quota > 0) {
        guint64 period = t->period ? t->period : 100000;

        g_variant_builder_add(&b, "(sv)", "CPUQuotaPerSecUSec",
                              /* in double: the product passes 2^64 for big quotas */
                              g_variant_new_uint64((guint64)((double)t->quota *
                                                             MAX(def->vcpus, 1) *
                                                             G_USEC_PER_SEC / period)));
        g_variant_builder_add(&b, "(sv)", "CPUQuotaPeriodUSec", g_variant_new_uint64(period));
    }
    if (t->hard_limit_kib)
        g_variant_builder_add(&b, "(sv)", "MemoryMax", g_variant_new_uint64(t->hard_limit_kib << 10));
    if (t->soft_limit_kib)
        g_variant_builder_add(&b, "(sv)", "MemoryHigh", g_variant_new_uint64(t->soft_limit_kib << 10));
    if (t->swap_hard_limit_kib)
        g_variant_builder_add(&b, "(sv)", "MemorySwapMax",
                              g_variant_new_uint64(t->swap_hard_limit_kib << 10));
    if (t->blkio_weight)
        g_variant_builder_add(&b, "(sv)", "IOWeight", g_variant_new_uint64(t->blkio_weight));
    return g_variant_builder_end(&b);
}

void
armz_cgroup_enter(int fd)
{
    if (fd >= 0 && write(fd, "0", 1) < 0)
        _exit(127);     /* a guest outside its limits must not run */
}

void
armz_cgroup_remove(const char *path)
{
    if (!path)
        return;
    for (int i = 0; i < RMDIR_TRIES; i++) {
        if (rmdir(path) == 0 || errno == ENOENT)
            return;
        if (errno != EBUSY)
            break;
        g_usleep(10000);
    }
    armz_warn("cannot remove the cgroup '%s': %s", path, g_strerror(errno));
}

gboolean
armz_cgroup_pin_vcpus(const ArmzDomainTuneDef *tune, const pid_t *tids, guint ntids,
                      GError **error)
{
    for (guint i = 0; tune->vcpupins && i < tune->vcpupins->len; i++) {
        const ArmzDomainVcpuPinDef *pin = g_ptr_array_index(tune->vcpupins, i);
        cpu_set_t set;

        if (pin->vcpu >= ntids || !tids[pin->vcpu])
            continue;
        if (!armz_cpuset_parse(pin->cpuset, CPU_SETSIZE, &set) ||
            sched_setaffinity(tids[pin->vcpu], sizeof(set), &set) < 0) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                        _("cannot pin vcpu %u to '%s': %s"), pin->vcpu, pin->cpuset,
                        g_strerror(errno));
            return FALSE;
        }
    }
    return TRUE;
}
