/* The statistics APIs (see domain_stats.h): the driver's entry points
 * around the readers of domain_stats.c and disk_info.c. */
#include <sched.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/typed_params.h"
#include "driver/disk_info.h"
#include "driver/domain_memory.h"
#include "driver/domain_block.h"
#include "driver/domain_stats.h"
#include "driver/driver_priv.h"

int
armz_driver_get_vcpus(ArmzDriver *drv, const ArmzDomainId *dom, ArmzVcpuInfo *info,
                      int maxinfo, guchar *cpumaps, int maplen, GError **error)
{
    g_autoptr(ArmzDomainObj) obj = armz_driver_find(drv, dom, error);
    g_autoptr(GArray) vcpus = NULL;
    guint n;

    if (!obj)
        return -1;
    g_mutex_lock(&obj->lock);
    vcpus = armz_domain_vcpu_stats(obj, error);
    g_mutex_unlock(&obj->lock);
    if (!vcpus)
        return -1;
    n = MIN(vcpus->len, (guint)MAX(maxinfo, 0));
    for (guint i = 0; i < n; i++) {
        const ArmzVcpuStat *v = &g_array_index(vcpus, ArmzVcpuStat, i);
        cpu_set_t set;

        info[i] = (ArmzVcpuInfo){ v->number, VIR_VCPU_RUNNING, v->stat.cpu_time_ns, v->stat.cpu };
        /* the thread's affinity, one bit per host CPU */
        if (cpumaps && sched_getaffinity(v->tid, sizeof(set), &set) == 0) {
            guchar *map = cpumaps + (gsize)i * maplen;
            for (int c = 0; c < maplen * 8 && c < CPU_SETSIZE; c++)
                if (CPU_ISSET(c, &set))
                    map[c / 8] |= 1 << (c % 8);
        }
    }
    return (int)n;
}

gboolean
armz_driver_interface_stats(ArmzDriver *drv, const ArmzDomainId *dom, const char *path,
                            ArmzIfaceStats *out, GError **error)
{
    g_autoptr(ArmzDomainObj) obj = armz_driver_find(drv, dom, error);
    gboolean ok;

    if (!obj)
        return FALSE;
    g_mutex_lock(&obj->lock);
    ok = armz_domain_interface_stats(obj, path, out, error);
    g_mutex_unlock(&obj->lock);
    return ok;
}

/* The balloon's figures (domain_memory.c) or, without one, the guest's
 * current memory as "actual"; the VMM's resident set is "rss". */
int
armz_driver_memory_stats(ArmzDriver *drv, const ArmzDomainId *dom, ArmzMemoryStat *stats,
                         guint nr_stats, unsigned int flags, GError **error)
{
    g_autoptr(ArmzDomainObj) obj = NULL;
    guint64 rss = 0, actual;
    int n;

    if (!armz_check_flags(flags, 0, "virDomainMemoryStats", error) ||
        !(obj = armz_driver_find(drv, dom, error)))
        return -1;
    g_mutex_lock(&obj->lock);
    if (!armz_domain_rss_kib(obj, &rss, error) ||
        (n = armz_domain_balloon_stats(obj, stats, nr_stats, error)) < 0) {
        g_mutex_unlock(&obj->lock);
        return -1;
    }
    actual = obj->def->current_memory_kib;
    g_mutex_unlock(&obj->lock);
    if (n == 0 && (guint)n < nr_stats)
        stats[n++] = (ArmzMemoryStat){ VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON, actual };
    if ((guint)n < nr_stats)
        stats[n++] = (ArmzMemoryStat){ VIR_DOMAIN_MEMORY_STAT_RSS, rss };
    return n;
}

gboolean
armz_driver_get_block_info(ArmzDriver *drv, const ArmzDomainId *dom, const char *path,
                           unsigned int flags, ArmzBlockInfo *out, GError **error)
{
    g_autoptr(ArmzDomainObj) obj = NULL;
    gboolean ok;

    if (!armz_check_flags(flags, 0, "virDomainGetBlockInfo", error) ||
        !(obj = armz_driver_find(drv, dom, error)))
        return FALSE;
    g_mutex_lock(&obj->lock);
    ok = armz_driver_block_info(drv, obj, path, out, error);
    g_mutex_unlock(&obj->lock);
    return ok;
}

static void
record_free(gpointer p)
{
    ArmzDomainStatsRecord *rec = p;

    armz_domain_id_clear(&rec->dom);
    g_array_unref(rec->params);
    g_free(rec);
}

/* The domains the call names (new references), or those the filters pick. */
static GPtrArray *
stats_domains(ArmzDriver *drv, const ArmzDomainId *doms, guint ndoms, unsigned int filters,
              GError **error)
{
    GPtrArray *list;

    if (!ndoms)
        return armz_driver_list_objs(drv, filters, filters, "virConnectGetAllDomainStats",
                                     error);
    list = g_ptr_array_new_with_free_func((GDestroyNotify)armz_domain_obj_unref);
    for (guint i = 0; i < ndoms; i++) {
        ArmzDomainObj *obj = armz_driver_find(drv, &doms[i], error);
        if (!obj) {
            g_ptr_array_unref(list);
            return NULL;
        }
        g_ptr_array_add(list, obj);
    }
    return list;
}

GPtrArray *
armz_driver_get_all_domain_stats(ArmzDriver *drv, const ArmzDomainId *doms, guint ndoms,
                                 unsigned int stats, unsigned int flags, GError **error)
{
    const unsigned int filters =
        VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE | VIR_CONNECT_GET_ALL_DOMAINS_STATS_INACTIVE |
        VIR_CONNECT_GET_ALL_DOMAINS_STATS_PERSISTENT |
        VIR_CONNECT_GET_ALL_DOMAINS_STATS_TRANSIENT | VIR_CONNECT_GET_ALL_DOMAINS_STATS_RUNNING |
        VIR_CONNECT_GET_ALL_DOMAINS_STATS_PAUSED | VIR_CONNECT_GET_ALL_DOMAINS_STATS_SHUTOFF |
        VIR_CONNECT_GET_ALL_DOMAINS_STATS_OTHER;
    /* NOWAIT: statistics never wait for a domain's job here anyway;
     * BACKING: raw images have no backing chain to add */
    const unsigned int always = VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT |
        VIR_CONNECT_GET_ALL_DOMAINS_STATS_BACKING |
        VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS;
    unsigned int groups = stats ? stats : ARMZ_DOMAIN_STATS_GROUPS;
    g_autoptr(GPtrArray) list = NULL;
    GPtrArray *out;

    if (!armz_check_flags(flags, ndoms ? always : always | filters,
                          ndoms ? "virDomainListGetStats" : "virConnectGetAllDomainStats", error))
        return NULL;
    if (groups & ~ARMZ_DOMAIN_STATS_GROUPS) {
        if (flags & VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_ARGUMENT_UNSUPPORTED,
                        _("Stats types bits 0x%x are not supported by this daemon"),
                        groups & ~ARMZ_DOMAIN_STATS_GROUPS);
            return NULL;
        }
        groups &= ARMZ_DOMAIN_STATS_GROUPS;
    }
    if (!(list = stats_domains(drv, doms, ndoms, flags & filters, error)))
        return NULL;
    out = g_ptr_array_new_full(list->len, record_free);
    for (guint i = 0; i < list->len; i++) {
        ArmzDomainObj *obj = g_ptr_array_index(list, i);
        ArmzDomainStatsRecord *rec = g_new0(ArmzDomainStatsRecord, 1);

        armz_domain_id_set(&rec->dom, obj);
        rec->params = armz_typed_params_new();
        g_mutex_lock(&obj->lock);
        armz_domain_stats_collect(obj, groups, rec->params);
        if (groups & VIR_DOMAIN_STATS_BALLOON)
            armz_domain_balloon_stats_params(obj, rec->params);
        g_mutex_unlock(&obj->lock);
        /* it asks armz-vmm, with the object unlocked across the call */
        if (groups & VIR_DOMAIN_STATS_BLOCK)
            armz_domain_block_stats_collect(drv, obj, rec->params);
        g_ptr_array_add(out, rec);
    }
    return out;
}
