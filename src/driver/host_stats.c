/* virNodeGetCPUStats and virNodeGetMemoryStats: the host's CPU times from
 * /proc/stat and its memory from /proc/meminfo or a NUMA node's meminfo,
 * with the field names and units libvirt's Linux driver reports. */
#include <string.h>
#include <unistd.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/flags.h"
#include "driver/driver.h"

#define CPU_STATS_COUNT 4
#define MEMORY_STATS_COUNT 4

/* nparams 0 asks for the count; anything else must be exactly it (libvirt's
 * rule, so a client sizing its array from the first call gets every field). */
static gboolean
check_nparams(int *nparams, int count, const char *func, GError **error)
{
    if (*nparams == 0) {
        *nparams = count;
        return FALSE;
    }
    if (*nparams != count) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("nparams in %s must be %d"), func, count);
        *nparams = -1;
        return FALSE;
    }
    return TRUE;
}

static void
put(ArmzNodeStat *out, int i, const char *field, guint64 value)
{
    g_strlcpy(out[i].field, field, sizeof(out[i].field));
    out[i].value = value;
}

int
armz_driver_node_cpu_stats(ArmzDriver *drv, int cpu, ArmzNodeStat *out, int *nparams,
                           unsigned int flags, GError **error)
{
    g_autofree char *text = NULL;
    g_autofree char *prefix = NULL;
    g_auto(GStrv) lines = NULL;
    long hz = sysconf(_SC_CLK_TCK);
    guint64 ns_per_tick = hz > 0 ? 1000000000ULL / (guint64)hz : 10000000ULL;

    (void)drv;
    if (!armz_check_flags(flags, 0, "virNodeGetCPUStats", error))
        return -1;
    if (cpu < VIR_NODE_CPU_STATS_ALL_CPUS) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("Invalid cpuNum %d in virNodeGetCPUStats"), cpu);
        return -1;
    }
    if (!check_nparams(nparams, CPU_STATS_COUNT, "virNodeGetCPUStats", error))
        return *nparams < 0 ? -1 : 0;
    if (!g_file_get_contents("/proc/stat", &text, NULL, NULL)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR, _("cannot read %s"), "/proc/stat");
        return -1;
    }
    prefix = cpu == VIR_NODE_CPU_STATS_ALL_CPUS ? g_strdup("cpu ") : g_strdup_printf("cpu%d ", cpu);
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        guint64 v[8] = { 0 };
        char *p;

        if (!g_str_has_prefix(*l, prefix))
            continue;
        p = *l + strlen(prefix);
        for (int i = 0; i < 8; i++)
            v[i] = g_ascii_strtoull(p, &p, 10);
        /* user nice system idle iowait irq softirq steal */
        put(out, 0, VIR_NODE_CPU_STATS_KERNEL, (v[2] + v[5] + v[6]) * ns_per_tick);
        put(out, 1, VIR_NODE_CPU_STATS_USER, (v[0] + v[1]) * ns_per_tick);
        put(out, 2, VIR_NODE_CPU_STATS_IDLE, v[3] * ns_per_tick);
        put(out, 3, VIR_NODE_CPU_STATS_IOWAIT, v[4] * ns_per_tick);
        return 0;
    }
    g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                _("Invalid cpuNum %d in virNodeGetCPUStats: no such host CPU"), cpu);
    return -1;
}

/* The value of KEY in a meminfo file, in KiB; per-node files prefix every
 * line with "Node N ". */
static guint64
meminfo_value(char **lines, const char *key)
{
    for (char **l = lines; *l; l++) {
        char *p = *l;
        if (g_str_has_prefix(p, "Node ") && (p = strchr(p + 5, ' ')))
            p++;
        if (g_str_has_prefix(p, key) && p[strlen(key)] == ':')
            return g_ascii_strtoull(p + strlen(key) + 1, NULL, 10);
    }
    return 0;
}

int
armz_driver_node_memory_stats(ArmzDriver *drv, int cell, ArmzNodeStat *out, int *nparams,
                              unsigned int flags, GError **error)
{
    g_autofree char *path = NULL;
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;

    (void)drv;
    if (!armz_check_flags(flags, 0, "virNodeGetMemoryStats", error))
        return -1;
    if (cell < VIR_NODE_MEMORY_STATS_ALL_CELLS) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("Invalid cellNum %d in virNodeGetMemoryStats"), cell);
        return -1;
    }
    if (!check_nparams(nparams, MEMORY_STATS_COUNT, "virNodeGetMemoryStats", error))
        return *nparams < 0 ? -1 : 0;
    path = cell == VIR_NODE_MEMORY_STATS_ALL_CELLS
        ? g_strdup("/proc/meminfo")
        : g_strdup_printf("/sys/devices/system/node/node%d/meminfo", cell);
    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        /* A host without NUMA sysfs has one cell, 0: the whole host. */
        if (cell == 0 && g_file_get_contents("/proc/meminfo", &text, NULL, NULL)) {
            g_clear_pointer(&path, g_free);
        } else {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                        _("Invalid cellNum %d in virNodeGetMemoryStats: no such NUMA cell"), cell);
            return -1;
        }
    }
    lines = g_strsplit(text, "\n", -1);
    put(out, 0, VIR_NODE_MEMORY_STATS_TOTAL, meminfo_value(lines, "MemTotal"));
    put(out, 1, VIR_NODE_MEMORY_STATS_FREE, meminfo_value(lines, "MemFree"));
    put(out, 2, VIR_NODE_MEMORY_STATS_BUFFERS, meminfo_value(lines, "Buffers"));
    put(out, 3, VIR_NODE_MEMORY_STATS_CACHED, meminfo_value(lines, "Cached"));
    return 0;
}
