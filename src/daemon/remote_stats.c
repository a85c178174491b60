/* Statistics procedures of running domains: vCPUs (virsh vcpuinfo),
 * interface counters (domifstat) and memory (dommemstat), from
 * driver/domain_stats.c; the same and more for many domains at once
 * (virConnectGetAllDomainStats, virsh domstats); the sizes of a disk
 * (virDomainGetBlockInfo, virsh domblkinfo); and the host's CPU map
 * (virNodeGetCPUMap), which clients read to size the vCPUs' affinity maps;
 * the balloon's size and polling period (virsh setmem, dommemstat --period);
 * the guest's clock through its agent (virsh domtime). */
#include <string.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/typed_params.h"
#include "driver/domain_agent.h"
#include "driver/domain_memory.h"
#include "driver/domain_stats_api.h"
#include "daemon/daemon.h"

#define DRV armz_daemon->driver

static gboolean
h_get_vcpus(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_get_vcpus_args *args = a;
    armz_domain_get_vcpus_ret *ret = r;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);
    g_autofree ArmzVcpuInfo *info = NULL;
    int n;

    if (args->maxinfo < 1 || args->maxinfo > ARMZ_VCPUINFO_MAX || args->maplen < 0 ||
        (gint64)args->maxinfo * args->maplen > ARMZ_CPUMAPS_MAX) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_RPC,
                    _("maxinfo %d or maplen %d out of range"), args->maxinfo, args->maplen);
        return FALSE;
    }
    info = g_new0(ArmzVcpuInfo, args->maxinfo);
    ret->cpumaps.cpumaps_len = (guint)(args->maxinfo * args->maplen);
    ret->cpumaps.cpumaps_val = g_malloc0(ret->cpumaps.cpumaps_len + 1);
    n = armz_driver_get_vcpus(DRV, &dom, info, args->maxinfo,
                              (guchar *)ret->cpumaps.cpumaps_val, args->maplen, error);
    if (n < 0)
        return FALSE;
    ret->info.info_len = n;
    ret->info.info_val = g_new0(armz_vcpu_info, n);
    for (int i = 0; i < n; i++) {
        ret->info.info_val[i].number = info[i].number;
        ret->info.info_val[i].state = info[i].state;
        ret->info.info_val[i].cpu_time = info[i].cpu_time_ns;
        ret->info.info_val[i].cpu = info[i].cpu;
    }
    return TRUE;
}

static gboolean
h_interface_stats(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_interface_stats_args *args = a;
    armz_domain_interface_stats_ret *ret = r;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);
    ArmzIfaceStats st;

    if (!armz_driver_interface_stats(DRV, &dom, args->path, &st, error))
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

static gboolean
h_memory_stats(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_memory_stats_args *args = a;
    armz_domain_memory_stats_ret *ret = r;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);
    g_autofree ArmzMemoryStat *stats = NULL;
    int n;

    if (args->max_stats > ARMZ_DOMAIN_MEMORY_STATS_MAX) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_RPC, _("max_stats %u out of range"),
                    args->max_stats);
        return FALSE;
    }
    stats = g_new0(ArmzMemoryStat, MAX(args->max_stats, 1));
    n = armz_driver_memory_stats(DRV, &dom, stats, args->max_stats, args->flags, error);
    if (n < 0)
        return FALSE;
    ret->stats.stats_len = n;
    ret->stats.stats_val = g_new0(armz_domain_memory_stat, MAX(n, 1));
    for (int i = 0; i < n; i++)
        ret->stats.stats_val[i] = (armz_domain_memory_stat){ stats[i].tag, stats[i].val };
    return TRUE;
}

static gboolean
h_set_memory(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_set_memory_args *args = a;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);

    /* virDomainSetMemory is SetMemoryFlags on the live domain */
    return armz_driver_set_memory_flags(DRV, &dom, args->memory, VIR_DOMAIN_AFFECT_LIVE, error);
}

static gboolean
h_set_memory_flags(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_set_memory_flags_args *args = a;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);

    return armz_driver_set_memory_flags(DRV, &dom, args->memory, args->flags, error);
}

static gboolean
h_set_memory_stats_period(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_set_memory_stats_period_args *args = a;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);

    return armz_driver_set_memory_stats_period(DRV, &dom, args->period, args->flags, error);
}

static gboolean
h_get_time(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_get_time_args *args = a;
    armz_domain_get_time_ret *ret = r;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);
    gint64 seconds;
    guint nseconds;

    if (!armz_driver_get_time(DRV, &dom, &seconds, &nseconds, args->flags, error))
        return FALSE;
    ret->seconds = seconds;
    ret->nseconds = nseconds;
    return TRUE;
}

static gboolean
h_set_time(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_set_time_args *args = a;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);

    return armz_driver_set_time(DRV, &dom, args->seconds, args->nseconds, args->flags, error);
}

static gboolean
h_node_get_cpu_map(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_node_get_cpu_map_args *args = a;
    armz_node_get_cpu_map_ret *ret = r;
    g_autofree guchar *map = NULL;
    guint online;
    int present = armz_driver_node_cpu_map(DRV, &map, &online, args->flags, error);

    if (present < 0)
        return FALSE;
    ret->ret = present;
    if (args->need_map) {
        ret->cpumap.cpumap_len = (guint)(present + 7) / 8;
        ret->cpumap.cpumap_val = (char *)g_steal_pointer(&map);
    }
    if (args->need_online)
        ret->online = online;
    return TRUE;
}

void
armz_remote_put_params(armz_domain_stats_record *rec, GArray *params)
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

static gboolean
h_get_all_domain_stats(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_connect_get_all_domain_stats_args *args = a;
    armz_connect_get_all_domain_stats_ret *ret = r;
    guint ndoms = args->doms.doms_len;
    g_autofree ArmzDomainId *doms = g_new0(ArmzDomainId, MAX(ndoms, 1));
    g_autoptr(GPtrArray) records = NULL;

    for (guint i = 0; i < ndoms; i++)
        doms[i] = armz_remote_domain_id(&args->doms.doms_val[i]);
    records = armz_driver_get_all_domain_stats(DRV, doms, ndoms, args->stats, args->flags,
                                               error);
    if (!records)
        return FALSE;
    if (records->len > ARMZ_DOMAIN_LIST_MAX) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_RPC,
                    _("too many domains (%u) for one reply"), records->len);
        return FALSE;
    }
    ret->ret_stats.ret_stats_len = records->len;
    ret->ret_stats.ret_stats_val = g_new0(armz_domain_stats_record, records->len);
    for (guint i = 0; i < records->len; i++) {
        ArmzDomainStatsRecord *rec = g_ptr_array_index(records, i);

        armz_remote_make_domain(&ret->ret_stats.ret_stats_val[i].dom, &rec->dom);
        armz_remote_put_params(&ret->ret_stats.ret_stats_val[i], rec->params);
    }
    return TRUE;
}

static gboolean
h_get_block_info(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_get_block_info_args *args = a;
    armz_domain_get_block_info_ret *ret = r;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);
    ArmzBlockInfo bi;

    if (!armz_driver_get_block_info(DRV, &dom, args->path, args->flags, &bi, error))
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
    { REMOTE_PROC_DOMAIN_SET_MEMORY, ARMZ_ARGS(armz_domain_set_memory_args), ARMZ_NORET,
      h_set_memory, 0 },
    { REMOTE_PROC_DOMAIN_SET_MEMORY_FLAGS, ARMZ_ARGS(armz_domain_set_memory_flags_args),
      ARMZ_NORET, h_set_memory_flags, 0 },
    { REMOTE_PROC_DOMAIN_SET_MEMORY_STATS_PERIOD,
      ARMZ_ARGS(armz_domain_set_memory_stats_period_args), ARMZ_NORET,
      h_set_memory_stats_period, 0 },
    { REMOTE_PROC_DOMAIN_GET_TIME, ARMZ_ARGS(armz_domain_get_time_args),
      ARMZ_RET(armz_domain_get_time_ret), h_get_time, 0 },
    { REMOTE_PROC_DOMAIN_SET_TIME, ARMZ_ARGS(armz_domain_set_time_args), ARMZ_NORET,
      h_set_time, 0 },
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
