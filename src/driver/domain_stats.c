/* Statistics of running domains from /proc and /sys (see domain_stats.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <libvirt/libvirt.h>

#include "conf/domain_conf.h"
#include "util/armz-i18n.h"
#include "util/error.h"
#include "driver/domain_run.h"
#include "util/typed_params.h"
#include "driver/domain_stats.h"
#include "driver/cgroup.h"

static ArmzDomainRun *
running(ArmzDomainObj *obj, GError **error)
{
    ArmzDomainRun *run = armz_domain_run(obj);

    if (!armz_domain_obj_is_active(obj) || !run || run->exited) {
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                            _("domain is not running"));
        return NULL;
    }
    return run;
}

gboolean
armz_proc_thread_stat(pid_t pid, pid_t tid, ArmzThreadStat *out)
{
    g_autofree char *path = tid ? g_strdup_printf("/proc/%d/task/%d/stat", (int)pid, (int)tid)
                                : g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *buf = NULL;
    unsigned long long utime, stime;
    long hz = sysconf(_SC_CLK_TCK);
    const char *p;
    int cpu;

    if (hz <= 0 || !g_file_get_contents(path, &buf, NULL, NULL))
        return FALSE;
    /* the fields after the command name, which may hold spaces and ')':
     * state (3) ... utime (14), stime (15) ... processor (39) */
    if (!(p = strrchr(buf, ')')) ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d "
                      "%*d %*d %*u %*u %*d %*u %*u %*u %*u %*u %*u %*u %*u %*u %*u %*u %*u "
                      "%*u %*d %d", &utime, &stime, &cpu) != 3)
        return FALSE;
    out->user_ns = utime * (G_GUINT64_CONSTANT(1000000000) / (guint64)hz);
    out->system_ns = stime * (G_GUINT64_CONSTANT(1000000000) / (guint64)hz);
    out->cpu_time_ns = out->user_ns + out->system_ns;
    out->cpu = cpu;
    return TRUE;
}

static gint
vcpu_cmp(gconstpointer a, gconstpointer b)
{
    return (gint)((const ArmzVcpuStat *)a)->number - (gint)((const ArmzVcpuStat *)b)->number;
}

GArray *
armz_domain_vcpu_stats(ArmzDomainObj *obj, GError **error)
{
    ArmzDomainRun *run = running(obj, error);
    g_autofree char *dir = NULL;
    g_autoptr(GDir) d = NULL;
    g_autoptr(GArray) out = NULL;
    const char *ent;

    if (!run)
        return NULL;
    dir = g_strdup_printf("/proc/%d/task", (int)run->pid);
    if (!(d = g_dir_open(dir, 0, NULL))) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("cannot read the threads of the VMM of domain '%s' (pid %d)"),
                    obj->name, (int)run->pid);
        return NULL;
    }
    out = g_array_new(FALSE, TRUE, sizeof(ArmzVcpuStat));
    /* armz-vmm names each vCPU thread "vcpuN" */
    while ((ent = g_dir_read_name(d))) {
        g_autofree char *path = g_strdup_printf("%s/%s/comm", dir, ent);
        g_autofree char *comm = NULL;
        ArmzVcpuStat v = { 0 };
        guint64 n;

        if (!g_file_get_contents(path, &comm, NULL, NULL) || !g_str_has_prefix(comm, "vcpu") ||
            !g_ascii_string_to_unsigned(g_strstrip(comm) + 4, 10, 0, G_MAXUINT, &n, NULL))
            continue;
        v.number = (guint)n;
        v.tid = (pid_t)g_ascii_strtoll(ent, NULL, 10);
        if (armz_proc_thread_stat(run->pid, v.tid, &v.stat))
            g_array_append_val(out, v);
    }
    g_array_sort(out, vcpu_cmp);
    return g_steal_pointer(&out);
}

static gboolean
read_counter(const char *dev, const char *name, gint64 *out)
{
    g_autofree char *path = g_strdup_printf("/sys/class/net/%s/statistics/%s", dev, name);
    g_autofree char *text = NULL;
    guint64 v;

    if (!g_file_get_contents(path, &text, NULL, NULL) ||
        !g_ascii_string_to_unsigned(g_strstrip(text), 10, 0, G_MAXINT64, &v, NULL))
        return FALSE;
    *out = (gint64)v;
    return TRUE;
}

/* The tap's transmit side is the guest's receive side. */
static gboolean
tap_counters(const char *tap, ArmzIfaceStats *out)
{
    return read_counter(tap, "tx_bytes", &out->rx_bytes) &&
           read_counter(tap, "tx_packets", &out->rx_packets) &&
           read_counter(tap, "tx_errors", &out->rx_errs) &&
           read_counter(tap, "tx_dropped", &out->rx_drop) &&
           read_counter(tap, "rx_bytes", &out->tx_bytes) &&
           read_counter(tap, "rx_packets", &out->tx_packets) &&
           read_counter(tap, "rx_errors", &out->tx_errs) &&
           read_counter(tap, "rx_dropped", &out->tx_drop);
}

gboolean
armz_domain_interface_stats(ArmzDomainObj *obj, const char *path, ArmzIfaceStats *out,
                            GError **error)
{
    const char *tap = NULL;
    unsigned char mac[6];
    gboolean by_mac;

    if (!running(obj, error))
        return FALSE;
    by_mac = armz_mac_parse(path, mac);
    for (guint i = 0; i < obj->def->nets->len && !tap; i++) {
        const ArmzDomainNetDef *net = g_ptr_array_index(obj->def->nets, i);
        if (net->target_dev && (by_mac ? memcmp(net->mac, mac, 6) == 0
                                       : g_str_equal(net->target_dev, path)))
            tap = net->target_dev;
    }
    if (!tap) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("invalid path, '%s' is not a known interface"), path);
        return FALSE;
    }
    if (!tap_counters(tap, out)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("cannot read the counters of interface '%s'"), tap);
        return FALSE;
    }
    return TRUE;
}

gboolean
armz_domain_rss_kib(ArmzDomainObj *obj, guint64 *out, GError **error)
{
    ArmzDomainRun *run = running(obj, error);
    g_autofree char *path = NULL;
    g_autofree char *status = NULL;
    const char *p;

    if (!run)
        return FALSE;
    path = g_strdup_printf("/proc/%d/status", (int)run->pid);
    if (!g_file_get_contents(path, &status, NULL, NULL) || !(p = strstr(status, "\nVmRSS:")) ||
        sscanf(p + 7, "%" G_GUINT64_FORMAT, out) != 1) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("cannot read the memory use of the VMM of domain '%s' (pid %d)"),
                    obj->name, (int)run->pid);
        return FALSE;
    }
    return TRUE;
}

static void
collect_vcpus(ArmzDomainObj *obj, gboolean active, GArray *params)
{
    g_autoptr(GArray) vcpus = active ? armz_domain_vcpu_stats(obj, NULL) : NULL;

    armz_typed_params_add_uint(params, obj->def->vcpus, "vcpu.current");
    armz_typed_params_add_uint(params, obj->def->vcpus, "vcpu.maximum");
    for (guint i = 0; vcpus && i < vcpus->len; i++) {
        const ArmzVcpuStat *v = &g_array_index(vcpus, ArmzVcpuStat, i);
        armz_typed_params_add_int(params, VIR_VCPU_RUNNING, "vcpu.%u.state", v->number);
        armz_typed_params_add_ullong(params, v->stat.cpu_time_ns, "vcpu.%u.time", v->number);
    }
}

static void
collect_interfaces(ArmzDomainObj *obj, GArray *params)
{
    guint count = 0;

    for (guint i = 0; i < obj->def->nets->len; i++)
        count += ((ArmzDomainNetDef *)g_ptr_array_index(obj->def->nets, i))->target_dev != NULL;
    armz_typed_params_add_uint(params, count, "net.count");
    count = 0;
    for (guint i = 0; i < obj->def->nets->len; i++) {
        const char *tap = ((ArmzDomainNetDef *)g_ptr_array_index(obj->def->nets, i))->target_dev;
        ArmzIfaceStats st;
        guint n;

        if (!tap)
            continue;
        n = count++;
        armz_typed_params_add_string(params, tap, "net.%u.name", n);
        if (!tap_counters(tap, &st))
            continue;
        armz_typed_params_add_ullong(params, st.rx_bytes, "net.%u.rx.bytes", n);
        armz_typed_params_add_ullong(params, st.rx_packets, "net.%u.rx.pkts", n);
        armz_typed_params_add_ullong(params, st.rx_errs, "net.%u.rx.errs", n);
        armz_typed_params_add_ullong(params, st.rx_drop, "net.%u.rx.drop", n);
        armz_typed_params_add_ullong(params, st.tx_bytes, "net.%u.tx.bytes", n);
        armz_typed_params_add_ullong(params, st.tx_packets, "net.%u.tx.pkts", n);
        armz_typed_params_add_ullong(params, st.tx_errs, "net.%u.tx.errs", n);
        armz_typed_params_add_ullong(params, st.tx_drop, "net.%u.tx.drop", n);
    }
}

void
armz_domain_stats_collect(ArmzDomainObj *obj, unsigned int groups, GArray *params)
{
    ArmzDomainRun *run = running(obj, NULL);
    ArmzThreadStat st;
    guint64 rss;

    if (groups & VIR_DOMAIN_STATS_STATE) {
        armz_typed_params_add_int(params, obj->state, "state.state");
        armz_typed_params_add_int(params, obj->reason, "state.reason");
    }
    /* the cgroup counts every thread and child of the VMM, /proc its own */
    if ((groups & VIR_DOMAIN_STATS_CPU_TOTAL) && run &&
        ((run->cgroup && armz_cgroup_cpu_stat(run->cgroup, &st.cpu_time_ns, &st.user_ns,
                                              &st.system_ns)) ||
         armz_proc_thread_stat(run->pid, 0, &st))) {
        armz_typed_params_add_ullong(params, st.cpu_time_ns, "cpu.time");
        armz_typed_params_add_ullong(params, st.user_ns, "cpu.user");
        armz_typed_params_add_ullong(params, st.system_ns, "cpu.system");
    }
    if (groups & VIR_DOMAIN_STATS_BALLOON) {
        armz_typed_params_add_ullong(params, obj->def->current_memory_kib, "balloon.current");
        armz_typed_params_add_ullong(params, obj->def->memory_kib, "balloon.maximum");
        if (run && armz_domain_rss_kib(obj, &rss, NULL))
            armz_typed_params_add_ullong(params, rss, "balloon.rss");
    }
    if (groups & VIR_DOMAIN_STATS_VCPU)
        collect_vcpus(obj, run != NULL, params);
    if ((groups & VIR_DOMAIN_STATS_INTERFACE) && run)
        collect_interfaces(obj, params);
}
