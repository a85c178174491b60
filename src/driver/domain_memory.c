/* Balloon-driven memory APIs (see domain_memory.h). */
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/flags.h"
#include "util/typed_params.h"
#include "driver/domain_memory.h"
#include "driver/domain_store.h"
#include "driver/driver_priv.h"
#include "driver/monitor.h"
#include "driver/process.h"

static gboolean
has_virtio_balloon(const ArmzDomainDef *def)
{
    return def->has_memballoon && def->memballoon.virtio;
}

/* Locks OBJ and takes its job; resolves AFFECT_CURRENT in *FLAGS and
 * checks that what it names exists. FALSE: unlocked, no job. */
static gboolean
begin(ArmzDomainObj *obj, const char *api, unsigned int *flags, GError **error)
{
    gboolean active;

    g_mutex_lock(&obj->lock);
    if (!armz_domain_obj_begin_job(obj, api, error)) {
        g_mutex_unlock(&obj->lock);
        return FALSE;
    }
    active = armz_domain_obj_is_active(obj) && obj->priv;
    if (!(*flags & (VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG)))
        *flags |= active ? VIR_DOMAIN_AFFECT_LIVE : VIR_DOMAIN_AFFECT_CONFIG;
    if ((*flags & VIR_DOMAIN_AFFECT_LIVE) && !active)
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                            _("domain is not running"));
    else if ((*flags & VIR_DOMAIN_AFFECT_CONFIG) && !obj->persistent)
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                            _("cannot change persistent config of a transient domain"));
    else
        return TRUE;
    armz_domain_obj_end_job(obj);
    g_mutex_unlock(&obj->lock);
    return FALSE;
}

static gboolean
end(ArmzDomainObj *obj, gboolean ok)
{
    armz_domain_obj_end_job(obj);
    g_mutex_unlock(&obj->lock);
    return ok;
}

static gboolean
cmd_balloon(ArmzMonitor *mon, gpointer data, GError **error)
{
    return armz_monitor_balloon(mon, *(const guint64 *)data * 1024, error);
}

static gboolean
cmd_period(ArmzMonitor *mon, gpointer data, GError **error)
{
    return armz_monitor_set_balloon_period(mon, *(const int *)data, error);
}

/* The persistent definition with its change applied, saved; on failure
 * the change is undone by the caller's copy. */
static gboolean
save_config(ArmzDriver *drv, ArmzDomainObj *obj, GError **error)
{
    return armz_domain_store_save(drv->paths, armz_domain_obj_config(obj), error);
}

static gboolean
set_max_config(ArmzDriver *drv, ArmzDomainObj *obj, guint64 kib, unsigned int flags,
               GError **error)
{
    ArmzDomainDef *cfg = armz_domain_obj_config(obj);
    guint64 old_max = cfg->memory_kib, old_cur = cfg->current_memory_kib;

    if (flags & VIR_DOMAIN_AFFECT_LIVE) {
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                            _("cannot resize the maximum memory on an active domain"));
        return FALSE;
    }
    cfg->memory_kib = kib;
    if (cfg->current_memory_kib > kib)
        cfg->current_memory_kib = kib;
    if (save_config(drv, obj, error))
        return TRUE;
    cfg->memory_kib = old_max;
    cfg->current_memory_kib = old_cur;
    return FALSE;
}

static gboolean
set_current(ArmzDriver *drv, ArmzDomainObj *obj, guint64 kib, unsigned int flags,
            GError **error)
{
    ArmzDomainDef *cfg = armz_domain_obj_config(obj);
    guint64 old;

    if (((flags & VIR_DOMAIN_AFFECT_LIVE) && kib > obj->def->memory_kib) ||
        ((flags & VIR_DOMAIN_AFFECT_CONFIG) && kib > cfg->memory_kib)) {
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                            _("cannot set memory higher than max memory"));
        return FALSE;
    }
    if ((flags & VIR_DOMAIN_AFFECT_LIVE) && !has_virtio_balloon(obj->def)) {
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                            _("Unable to change memory of active domain without the balloon "
                              "device and guest OS balloon driver"));
        return FALSE;
    }
    /* the next start could not honour it (domain_validate.c) */
    if ((flags & VIR_DOMAIN_AFFECT_CONFIG) && kib < cfg->memory_kib && !has_virtio_balloon(cfg)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("currentMemory (%llu KiB) below memory (%llu KiB) needs "
                      "<memballoon model='virtio'>"),
                    (unsigned long long)kib, cfg->memory_kib);
        return FALSE;
    }
    /* the live size follows the guest (BALLOON_CHANGE), as in libvirt */
    if ((flags & VIR_DOMAIN_AFFECT_LIVE) &&
        !armz_domain_monitor_call(obj, cmd_balloon, &kib, error))
        return FALSE;
    if (!(flags & VIR_DOMAIN_AFFECT_CONFIG))
        return TRUE;
    cfg = armz_domain_obj_config(obj);
    old = cfg->current_memory_kib;
    cfg->current_memory_kib = kib;
    if (save_config(drv, obj, error))
        return TRUE;
    cfg->current_memory_kib = old;
    return FALSE;
}

gboolean
armz_driver_set_memory_flags(ArmzDriver *drv, const ArmzDomainId *dom, guint64 memory_kib,
                             unsigned int flags, GError **error)
{
    g_autoptr(ArmzDomainObj) obj = NULL;

    if (!armz_check_flags(flags, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG |
                          VIR_DOMAIN_MEM_MAXIMUM, "virDomainSetMemoryFlags", error) ||
        !(obj = armz_driver_find(drv, dom, error)) ||
        !begin(obj, "virDomainSetMemoryFlags", &flags, error))
        return FALSE;
    if (flags & VIR_DOMAIN_MEM_MAXIMUM)
        return end(obj, set_max_config(drv, obj, memory_kib, flags, error));
    return end(obj, set_current(drv, obj, memory_kib, flags, error));
}

gboolean
armz_driver_set_memory_stats_period(ArmzDriver *drv, const ArmzDomainId *dom, int period,
                                    unsigned int flags, GError **error)
{
    g_autoptr(ArmzDomainObj) obj = NULL;
    ArmzDomainDef *cfg;

    if (!armz_check_flags(flags, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG,
                          "virDomainSetMemoryStatsPeriod", error) ||
        !(obj = armz_driver_find(drv, dom, error)))
        return FALSE;
    if (period < 0) {
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                            _("invalid value for collection period"));
        return FALSE;
    }
    if (!begin(obj, "virDomainSetMemoryStatsPeriod", &flags, error))
        return FALSE;
    if (flags & VIR_DOMAIN_AFFECT_LIVE) {
        if (!has_virtio_balloon(obj->def)) {
            g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                                _("Active domain has no memory balloon device configured"));
            return end(obj, FALSE);
        }
        if (!armz_domain_monitor_call(obj, cmd_period, &period, error))
            return end(obj, FALSE);
        obj->def->memballoon.stats_period = (unsigned int)period;
        obj->def->memballoon.has_stats_period = TRUE;
    }
    if (flags & VIR_DOMAIN_AFFECT_CONFIG) {
        ArmzDomainMemballoonDef old;

        cfg = armz_domain_obj_config(obj);
        if (!has_virtio_balloon(cfg)) {
            g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                                _("Inactive domain has no memory balloon device configured"));
            return end(obj, FALSE);
        }
        old = cfg->memballoon;
        cfg->memballoon.stats_period = (unsigned int)period;
        cfg->memballoon.has_stats_period = TRUE;
        if (!save_config(drv, obj, error)) {
            cfg->memballoon = old;
            return end(obj, FALSE);
        }
    }
    return end(obj, TRUE);
}

static void
add(ArmzMemoryStat *stats, guint max, guint *n, int tag, gint64 val, gint64 divisor)
{
    if (val >= 0 && *n < max)
        stats[(*n)++] = (ArmzMemoryStat){ tag, (guint64)(val / divisor) };
}

int
armz_domain_balloon_stats(ArmzDomainObj *obj, ArmzMemoryStat *stats, guint max, GError **error)
{
    g_autoptr(ArmzMonitor) mon = NULL;
    ArmzBalloonStats st;
    guint64 actual = 0;
    GError *err = NULL;
    gboolean ok;
    guint n = 0;

    if (!armz_domain_obj_is_active(obj) || !obj->priv || !has_virtio_balloon(obj->def))
        return 0;
    if (!(mon = armz_process_monitor(obj, error)))
        return -1;
    g_mutex_unlock(&obj->lock);
    ok = armz_monitor_query_balloon(mon, &actual, &err) &&
         armz_monitor_get_balloon_stats(mon, &st, &err);
    g_mutex_lock(&obj->lock);
    if (!ok) {
        armz_monitor_propagate_error(error, err);
        return -1;
    }
    add(stats, max, &n, VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON, (gint64)actual, 1024);
    add(stats, max, &n, VIR_DOMAIN_MEMORY_STAT_SWAP_IN, st.swap_in, 1024);
    add(stats, max, &n, VIR_DOMAIN_MEMORY_STAT_SWAP_OUT, st.swap_out, 1024);
    add(stats, max, &n, VIR_DOMAIN_MEMORY_STAT_MAJOR_FAULT, st.major_faults, 1);
    add(stats, max, &n, VIR_DOMAIN_MEMORY_STAT_MINOR_FAULT, st.minor_faults, 1);
    add(stats, max, &n, VIR_DOMAIN_MEMORY_STAT_UNUSED, st.free_memory, 1024);
    add(stats, max, &n, VIR_DOMAIN_MEMORY_STAT_AVAILABLE, st.total_memory, 1024);
    add(stats, max, &n, VIR_DOMAIN_MEMORY_STAT_USABLE, st.available_memory, 1024);
    add(stats, max, &n, VIR_DOMAIN_MEMORY_STAT_LAST_UPDATE, st.last_update, 1);
    add(stats, max, &n, VIR_DOMAIN_MEMORY_STAT_DISK_CACHES, st.disk_caches, 1024);
    add(stats, max, &n, VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGALLOC, st.htlb_pgalloc, 1);
    add(stats, max, &n, VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGFAIL, st.htlb_pgfail, 1);
    return (int)n;
}

void
armz_domain_balloon_stats_params(ArmzDomainObj *obj, GArray *params)
{
    static const struct {
        int tag;
        const char *name;
    } names[] = {
        { VIR_DOMAIN_MEMORY_STAT_SWAP_IN, "balloon.swap_in" },
        { VIR_DOMAIN_MEMORY_STAT_SWAP_OUT, "balloon.swap_out" },
        { VIR_DOMAIN_MEMORY_STAT_MAJOR_FAULT, "balloon.major_fault" },
        { VIR_DOMAIN_MEMORY_STAT_MINOR_FAULT, "balloon.minor_fault" },
        { VIR_DOMAIN_MEMORY_STAT_UNUSED, "balloon.unused" },
        { VIR_DOMAIN_MEMORY_STAT_AVAILABLE, "balloon.available" },
        { VIR_DOMAIN_MEMORY_STAT_LAST_UPDATE, "balloon.last-update" },
        { VIR_DOMAIN_MEMORY_STAT_USABLE, "balloon.usable" },
        { VIR_DOMAIN_MEMORY_STAT_DISK_CACHES, "balloon.disk_caches" },
        { VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGALLOC, "balloon.hugetlb_pgalloc" },
        { VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGFAIL, "balloon.hugetlb_pgfail" },
    };
    ArmzMemoryStat stats[VIR_DOMAIN_MEMORY_STAT_NR];
    /* a guest that does not answer leaves the group with the host's figures */
    int n = armz_domain_balloon_stats(obj, stats, G_N_ELEMENTS(stats), NULL);

    for (int i = 0; i < n; i++)
        for (gsize k = 0; k < G_N_ELEMENTS(names); k++)
            if (names[k].tag == stats[i].tag)
                armz_typed_params_add_ullong(params, stats[i].val, "%s", names[k].name);
}
