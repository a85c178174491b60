/* Host procedures Nova's resource tracker and CPU checks call: node CPU and
 * memory statistics, the CPU model names, the node-device list. The driver
 * (driver/host_stats.c, host_cpu_models.c) owns each API; this file marshals. */
#include <string.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/flags.h"
#include "daemon/daemon.h"

#define DRV armz_daemon->driver

/* The driver's fields onto the wire, at most the nparams the client gave. */
static void
put_stats(armz_node_stat **val, u_int *len, const ArmzNodeStat *stats, int n)
{
    *len = (u_int)n;
    *val = g_new0(armz_node_stat, MAX(n, 1));
    for (int i = 0; i < n; i++) {
        (*val)[i].field = g_strdup(stats[i].field);
        (*val)[i].value = stats[i].value;
    }
}

static gboolean
nparams_ok(int nparams, int max, GError **error)
{
    if (nparams < 0 || nparams > max) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_RPC, _("nparams too large"));
        return FALSE;
    }
    return TRUE;
}

typedef int (*NodeStatsFn)(ArmzDriver *drv, int which, ArmzNodeStat *out, int *nparams,
                           unsigned int flags, GError **error);

/* Both node statistics calls: nparams 0 asks for the count only. */
static gboolean
node_stats(NodeStatsFn fn, int which, int nparams, unsigned int flags,
           armz_node_stat **val, u_int *len, int *ret_nparams, GError **error)
{
    ArmzNodeStat stats[ARMZ_NODE_CPU_STATS_MAX];
    int n = nparams;

    if (!nparams_ok(n, ARMZ_NODE_CPU_STATS_MAX, error) ||
        fn(DRV, which, stats, &n, flags, error) < 0)
        return FALSE;
    *ret_nparams = n;
    put_stats(val, len, stats, nparams ? n : 0);
    return TRUE;
}

static gboolean
h_node_get_cpu_stats(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_node_get_cpu_stats_args *args = a;
    armz_node_get_cpu_stats_ret *ret = r;

    return node_stats(armz_driver_node_cpu_stats, args->cpuNum, args->nparams, args->flags,
                      &ret->params.params_val, &ret->params.params_len, &ret->nparams, error);
}

static gboolean
h_node_get_memory_stats(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_node_get_memory_stats_args *args = a;
    armz_node_get_memory_stats_ret *ret = r;

    return node_stats(armz_driver_node_memory_stats, args->cellNum, args->nparams, args->flags,
                      &ret->params.params_val, &ret->params.params_len, &ret->nparams, error);
}

static gboolean
h_get_cpu_model_names(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_connect_get_cpu_model_names_args *args = a;
    armz_connect_get_cpu_model_names_ret *ret = r;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    int n = armz_driver_cpu_model_names(DRV, args->arch, names, args->flags, error);

    if (n < 0)
        return FALSE;
    ret->ret = n;
    if (args->need_results) {
        ret->models.models_len = names->len;
        ret->models.models_val = g_new0(armz_nonnull_string, MAX(names->len, 1));
        for (guint i = 0; i < names->len; i++)
            ret->models.models_val[i] = g_strdup(g_ptr_array_index(names, i));
    }
    return TRUE;
}

static gboolean
h_list_all_node_devices(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_connect_list_all_node_devices_args *args = a;
    armz_connect_list_all_node_devices_ret *ret = r;

    /* armz has no node-device driver (no device assignment), so the list is
     * empty for every capability filter: the flags only select. */
    (void)args;
    ret->ret = 0;
    ret->devices.devices_len = 0;
    ret->devices.devices_val = g_new0(armz_nonnull_string, 1);
    return TRUE;
}

static gboolean
h_compare_cpu(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_connect_compare_cpu_args *args = a;
    int res = armz_driver_compare_cpu(DRV, args->xml, args->flags, error);

    ((armz_connect_compare_cpu_ret *)r)->result = res;
    return res != VIR_CPU_COMPARE_ERROR;
}

#define OPT(s) ((s) ? *(s) : NULL)

static gboolean
h_compare_hypervisor_cpu(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_connect_compare_hypervisor_cpu_args *args = a;
    int res = armz_driver_compare_hypervisor_cpu(DRV, OPT(args->arch), OPT(args->machine),
                                                 OPT(args->virttype), args->xmlCPU,
                                                 args->flags, error);

    ((armz_connect_compare_hypervisor_cpu_ret *)r)->result = res;
    return res != VIR_CPU_COMPARE_ERROR;
}

static gboolean
h_baseline_cpu(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_connect_baseline_cpu_args *args = a;
    char *cpu = armz_driver_baseline_cpu(DRV, (const char *const *)args->xmlCPUs.xmlCPUs_val,
                                         args->xmlCPUs.xmlCPUs_len, args->flags, error);

    ((armz_connect_baseline_cpu_ret *)r)->cpu = cpu;
    return cpu != NULL;
}

static gboolean
h_baseline_hypervisor_cpu(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_connect_baseline_hypervisor_cpu_args *args = a;
    char *cpu = armz_driver_baseline_hypervisor_cpu(
        DRV, OPT(args->emulator), OPT(args->arch), OPT(args->machine), OPT(args->virttype),
        (const char *const *)args->xmlCPUs.xmlCPUs_val, args->xmlCPUs.xmlCPUs_len, args->flags,
        error);

    ((armz_connect_baseline_hypervisor_cpu_ret *)r)->cpu = cpu;
    return cpu != NULL;
}

static const ArmzProc procs[] = {
    { REMOTE_PROC_CONNECT_COMPARE_CPU, ARMZ_ARGS(armz_connect_compare_cpu_args),
      ARMZ_RET(armz_connect_compare_cpu_ret), h_compare_cpu, 0 },
    { REMOTE_PROC_CONNECT_COMPARE_HYPERVISOR_CPU,
      ARMZ_ARGS(armz_connect_compare_hypervisor_cpu_args),
      ARMZ_RET(armz_connect_compare_hypervisor_cpu_ret), h_compare_hypervisor_cpu, 0 },
    { REMOTE_PROC_NODE_GET_CPU_STATS, ARMZ_ARGS(armz_node_get_cpu_stats_args),
      ARMZ_RET(armz_node_get_cpu_stats_ret), h_node_get_cpu_stats, 0 },
    { REMOTE_PROC_NODE_GET_MEMORY_STATS, ARMZ_ARGS(armz_node_get_memory_stats_args),
      ARMZ_RET(armz_node_get_memory_stats_ret), h_node_get_memory_stats, 0 },
    { REMOTE_PROC_CONNECT_GET_CPU_MODEL_NAMES, ARMZ_ARGS(armz_connect_get_cpu_model_names_args),
      ARMZ_RET(armz_connect_get_cpu_model_names_ret), h_get_cpu_model_names, 0 },
    { REMOTE_PROC_CONNECT_LIST_ALL_NODE_DEVICES, ARMZ_ARGS(armz_connect_list_all_node_devices_args),
      ARMZ_RET(armz_connect_list_all_node_devices_ret), h_list_all_node_devices, 0 },
    { REMOTE_PROC_CONNECT_BASELINE_CPU, ARMZ_ARGS(armz_connect_baseline_cpu_args),
      ARMZ_RET(armz_connect_baseline_cpu_ret), h_baseline_cpu, 0 },
    { REMOTE_PROC_CONNECT_BASELINE_HYPERVISOR_CPU,
      ARMZ_ARGS(armz_connect_baseline_hypervisor_cpu_args),
      ARMZ_RET(armz_connect_baseline_hypervisor_cpu_ret), h_baseline_hypervisor_cpu, 0 },
};

void
armz_remote_host_register(ArmzDispatcher *d)
{
    armz_dispatcher_add(d, procs, G_N_ELEMENTS(procs));
}
