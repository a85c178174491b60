/* Statistics procedures of running domains: vCPUs (virsh vcpuinfo),
 * interface counters (domifstat) and memory (dommemstat), from
 * driver/domain_stats.c; the same and more for many domains at once
 * (virConnectGetAllDomainStats, virsh domstats); the sizes of a disk
 * (virDomainGetBlockInfo, virsh domblkinfo); and the host's CPU map
 * (virNodeGetCPUMap), which clients read to size the vCPUs' affinity maps. */
#include <sched.h>
#include <string.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/typed_params.h"
#include "driver/disk_info.h"
#include "driver/domain_stats.h"
#include "daemon/daemon.h"

static gboolean
h_get_vcpus(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_get_vcpus_args *args = a;
    armz_domain_get_vcpus_ret *ret = r;
    g_autoptr(ArmzDomainObj) obj = NULL;
    g_autoptr(GArray) vcpus = NULL;
    guint n;

    if (args->maxinfo < 1 || args->maxinfo > ARMZ_VCPUINFO_MAX || args->maplen < 0 ||
        (gint64)args->maxinfo * args->maplen > ARMZ_CPUMAPS_MAX) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_RPC,
                    _("maxinfo %d or maplen %d out of range"), args->maxinfo, args->maplen);
        return FALSE;
    }
    if (!(obj = armz_remote_get_domain(&args->dom, error)))
        return FALSE;
    g_mutex_lock(&obj->lock);
    vcpus = armz_domain_vcpu_stats(obj, error);
    g_mutex_unlock(&obj->lock);
    if (!vcpus)
        return FALSE;
    n = MIN(vcpus->len, (guint)args->maxinfo);
    ret->info.info_len = n;
    ret->info.info_val = g_new0(armz_vcpu_info, n);
    ret->cpumaps.cpumaps_len = (guint)(args->maxinfo * args->maplen);
    ret->cpumaps.cpumaps_val = g_malloc0(ret->cpumaps.cpumaps_len + 1);
    for (guint i = 0; i < n; i++) {
        const ArmzVcpuStat *v = &g_array_index(vcpus, ArmzVcpuStat, i);
        guchar *map = (guchar *)ret->cpumaps.cpumaps_val + (gsize)i * args->maplen;
        cpu_set_t set;

        ret->info.info_val[i].number = v->number;
        ret->info.info_val[i].state = VIR_VCPU_RUNNING;
        ret->info.info_val[i].cpu_time = v->stat.cpu_time_ns;
        ret->info.info_val[i].cpu = v->stat.cpu;
        /* the thread's affinity, one bit per host CPU */
        if (sched_getaffinity(v->tid, sizeof(set), &set) == 0)
            for (int c = 0; c < args->maplen * 8 && c < CPU_SETSIZE; c++)
                if (CPU_ISSET(c, &set))
                    map[c / 8] |= 1 << (c % 8);
    }
    return TRUE;
}

static gboolean
h_interface_stats(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_interface_stats_args *args = a;
    armz_domain_interface_stats_ret *ret = r;
    g_autoptr(ArmzDomainObj) obj = armz_remote_get_domain(&args->dom, error);
    ArmzIfaceStats st;
    gboolean ok;

    if (!obj)
        return FALSE;
    g_mutex_lock(&obj->lock);
    ok = armz_domain_interface_stats(obj, args->path, &st, error);
    g_mutex_unlock(&obj->lock);
    if (!ok)
        return FALSE;
    ret->rx_bytes = st.rx_bytes;
    ret->rx_packets = st.rx_packets;
    ret->rx_errs = st.rx_errs;
    ret->rx_drop = st.rx_drop;
    ret->tx_bytes = st.tx_bytes;
    ret->tx_packets = st.tx_packets;
    ret->tx_errs = st.tx_errs;
    ret->tx_drop = st.tx_drop;
    return TRUE;
}

/* There is no balloon: the guest has its current memory ("actual"); the
 * VMM's resident set is "rss". */
static gboolean
h_memory_stats(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_memory_stats_args *args = a;
    armz_domain_memory_stats_ret *ret = r;
    g_autoptr(ArmzDomainObj) obj = NULL;
    guint64 rss = 0, actual = 0;
    gboolean ok;
    guint n = 0;

    if (!armz_check_flags(args->flags, 0, "virDomainMemoryStats", error))
        return FALSE;
    if (args->max_stats > ARMZ_DOMAIN_MEMORY_STATS_MAX) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_RPC, _("max_stats %u out of range"),
                    args->max_stats);
        return FALSE;
    }
    if (!(obj = armz_remote_get_domain(&args->dom, error)))
        return FALSE;
    g_mutex_lock(&obj->lock);
    ok = armz_domain_rss_kib(obj, &rss, error);
    actual = obj->def->current_memory_kib;
    g_mutex_unlock(&obj->lock);
    if (!ok)
        return FALSE;
    ret->stats.stats_val = g_new0(armz_domain_memory_stat, 2);
    if (n < args->max_stats)
        ret->stats.stats_val[n++] = (armz_domain_memory_stat){ VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON,
                                                               actual };
    if (n < args->max_stats)
        ret->stats.stats_val[n++] = (armz_domain_memory_stat){ VIR_DOMAIN_MEMORY_STAT_RSS, rss };
    ret->stats.stats_len = n;
    return TRUE;
}

/* A sysfs CPU list ("0-3,6,8-9") into the bits of MAP (NBITS long);
 * returns the highest CPU + 1, or -1 when unreadable. */
static int
read_cpu_list(const char *path, guchar *map, int nbits)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) parts = NULL;
    int top = 0;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return -1;
    parts = g_strsplit(g_strstrip(text), ",", -1);
    for (GStrv p = parts; *p && **p; p++) {
        guint64 lo, hi;
        g_auto(GStrv) r = g_strsplit(*p, "-", 2);

        if (!g_ascii_string_to_unsigned(r[0], 10, 0, nbits - 1, &lo, NULL) ||
            !g_ascii_string_to_unsigned(r[1] ? r[1] : r[0], 10, lo, nbits - 1, &hi, NULL))
            return -1;
        for (guint64 c = lo; c <= hi; c++)
            if (map)
                map[c / 8] |= 1 << (c % 8);
        top = MAX(top, (int)hi + 1);
    }
    return top;
}

static gboolean
h_node_get_cpu_map(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_node_get_cpu_map_args *args = a;
    armz_node_get_cpu_map_ret *ret = r;
    const int nbits = ARMZ_CPUMAP_MAX * 8;
    g_autofree guchar *online = g_malloc0(ARMZ_CPUMAP_MAX);
    int present;

    if (!armz_check_flags(args->flags, 0, "virNodeGetCPUMap", error))
        return FALSE;
    present = read_cpu_list("/sys/devices/system/cpu/present", NULL, nbits);
    if (present < 0 || read_cpu_list("/sys/devices/system/cpu/online", online, nbits) < 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("cannot read the host's CPUs from /sys/devices/system/cpu"));
        return FALSE;
    }
    ret->ret = present;
    for (int c = 0; c < present; c++)
        ret->online += (online[c / 8] >> (c % 8)) & 1;
    if (args->need_map) {
        ret->cpumap.cpumap_len = (guint)(present + 7) / 8;
        ret->cpumap.cpumap_val = g_memdup2(online, ret->cpumap.cpumap_len);
    }
    if (!args->need_online)
        ret->online = 0;
    return TRUE;
}

static void
put_params(armz_domain_stats_record *rec, GArray *params)
{
    rec->params.params_len = params->len;
    rec->params.params_val = g_new0(armz_typed_param, params->len);
    for (guint i = 0; i < params->len; i++) {
        ArmzTypedParam *p = &g_array_index(params, ArmzTypedParam, i);
        armz_typed_param *w = &rec->params.params_val[i];

        w->field = g_steal_pointer(&p->field);
        w->value.type = p->type;
        switch (p->type) {
        case VIR_TYPED_PARAM_INT:
        case VIR_TYPED_PARAM_BOOLEAN:
            w->value.armz_typed_param_value_u.i = p->v.i;
            break;
        case VIR_TYPED_PARAM_UINT:
            w->value.armz_typed_param_value_u.ui = p->v.ui;
            break;
        case VIR_TYPED_PARAM_LLONG:
            w->value.armz_typed_param_value_u.l = p->v.l;
            break;
        case VIR_TYPED_PARAM_ULLONG:
            w->value.armz_typed_param_value_u.ul = p->v.ul;
            break;
        case VIR_TYPED_PARAM_DOUBLE:
            w->value.armz_typed_param_value_u.d = p->v.d;
            break;
        case VIR_TYPED_PARAM_STRING:
            w->value.armz_typed_param_value_u.s = g_steal_pointer(&p->v.s);
            break;
        }
    }
}

/* The domains the call names, or those of the host matching the filters. */
static GPtrArray *
stats_domains(const armz_connect_get_all_domain_stats_args *args, unsigned int filters,
              GError **error)
{
    GPtrArray *list;

    if (!args->doms.doms_len)
        return armz_driver_list_all(armz_daemon->driver, args->flags & filters, error);
    list = g_ptr_array_new_with_free_func((GDestroyNotify)armz_domain_obj_unref);
    for (guint i = 0; i < args->doms.doms_len; i++) {
        ArmzDomainObj *obj = armz_remote_get_domain(&args->doms.doms_val[i], error);
        if (!obj) {
            g_ptr_array_unref(list);
            return NULL;
        }
        g_ptr_array_add(list, obj);
    }
    return list;
}

static gboolean
h_get_all_domain_stats(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_connect_get_all_domain_stats_args *args = a;
    armz_connect_get_all_domain_stats_ret *ret = r;
    const unsigned int filters =
        VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE | VIR_CONNECT_GET_ALL_DOMAINS_STATS_INACTIVE |
        VIR_CONNECT_GET_ALL_DOMAINS_STATS_PERSISTENT |
        VIR_CONNECT_GET_ALL_DOMAINS_STATS_TRANSIENT | VIR_CONNECT_GET_ALL_DOMAINS_STATS_RUNNING |
        VIR_CONNECT_GET_ALL_DOMAINS_STATS_PAUSED | VIR_CONNECT_GET_ALL_DOMAINS_STATS_SHUTOFF |
        VIR_CONNECT_GET_ALL_DOMAINS_STATS_OTHER;
    /* NOWAIT: statistics never wait for a domain's job here anyway;
     * BACKING: there are no block statistics to extend */
    const unsigned int always = VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT |
        VIR_CONNECT_GET_ALL_DOMAINS_STATS_BACKING |
        VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS;
    unsigned int groups = args->stats ? args->stats : ARMZ_DOMAIN_STATS_GROUPS;
    g_autoptr(GPtrArray) list = NULL;

    if (!armz_check_flags(args->flags, args->doms.doms_len ? always : always | filters,
                          args->doms.doms_len ? "virDomainListGetStats"
                                              : "virConnectGetAllDomainStats", error))
        return FALSE;
    if (groups & ~ARMZ_DOMAIN_STATS_GROUPS) {
        if (args->flags & VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_ARGUMENT_UNSUPPORTED,
                        _("Stats types bits 0x%x are not supported by this daemon"),
                        groups & ~ARMZ_DOMAIN_STATS_GROUPS);
            return FALSE;
        }
        groups &= ARMZ_DOMAIN_STATS_GROUPS;
    }
    if (!(list = stats_domains(args, filters, error)))
        return FALSE;
    if (list->len > ARMZ_DOMAIN_LIST_MAX) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_RPC,
                    _("too many domains (%u) for one reply"), list->len);
        return FALSE;
    }
    ret->ret_stats.ret_stats_len = list->len;
    ret->ret_stats.ret_stats_val = g_new0(armz_domain_stats_record, list->len);
    for (guint i = 0; i < list->len; i++) {
        ArmzDomainObj *obj = g_ptr_array_index(list, i);
        g_autoptr(GArray) params = armz_typed_params_new();

        armz_remote_make_domain(&ret->ret_stats.ret_stats_val[i].dom, obj);
        g_mutex_lock(&obj->lock);
        armz_domain_stats_collect(obj, groups, params);
        g_mutex_unlock(&obj->lock);
        put_params(&ret->ret_stats.ret_stats_val[i], params);
    }
    return TRUE;
}

static gboolean
h_get_block_info(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_get_block_info_args *args = a;
    armz_domain_get_block_info_ret *ret = r;
    g_autoptr(ArmzDomainObj) obj = NULL;
    ArmzBlockInfo bi;
    gboolean ok;

    if (!armz_check_flags(args->flags, 0, "virDomainGetBlockInfo", error) ||
        !(obj = armz_remote_get_domain(&args->dom, error)))
        return FALSE;
    g_mutex_lock(&obj->lock);
    ok = armz_driver_block_info(armz_daemon->driver, obj, args->path, &bi, error);
    g_mutex_unlock(&obj->lock);
    if (!ok)
        return FALSE;
    ret->allocation = bi.allocation;
    ret->capacity = bi.capacity;
    ret->physical = bi.physical;
    return TRUE;
}

static const ArmzProc procs[] = {
    { REMOTE_PROC_DOMAIN_GET_VCPUS, ARMZ_ARGS(armz_domain_get_vcpus_args),
      ARMZ_RET(armz_domain_get_vcpus_ret), h_get_vcpus, 0 },
    { REMOTE_PROC_DOMAIN_INTERFACE_STATS, ARMZ_ARGS(armz_domain_interface_stats_args),
      ARMZ_RET(armz_domain_interface_stats_ret), h_interface_stats, 0 },
    { REMOTE_PROC_DOMAIN_MEMORY_STATS, ARMZ_ARGS(armz_domain_memory_stats_args),
      ARMZ_RET(armz_domain_memory_stats_ret), h_memory_stats, 0 },
    { REMOTE_PROC_DOMAIN_GET_BLOCK_INFO, ARMZ_ARGS(armz_domain_get_block_info_args),
      ARMZ_RET(armz_domain_get_block_info_ret), h_get_block_info, 0 },
    { REMOTE_PROC_NODE_GET_CPU_MAP, ARMZ_ARGS(armz_node_get_cpu_map_args),
      ARMZ_RET(armz_node_get_cpu_map_ret), h_node_get_cpu_map, 0 },
    { REMOTE_PROC_CONNECT_GET_ALL_DOMAIN_STATS, ARMZ_ARGS(armz_connect_get_all_domain_stats_args),
      ARMZ_RET(armz_connect_get_all_domain_stats_ret), h_get_all_domain_stats, 0 },
};

void
armz_remote_stats_register(ArmzDispatcher *d)
{
    armz_dispatcher_add(d, procs, G_N_ELEMENTS(procs));
}
