/* The tuning APIs (see domain_tune_api.h): libvirt's entry sequence (flags,
 * lookup, job, state), then the cgroup (live) or the definition (config). */
#include <string.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/flags.h"
#include "util/log.h"
#include "driver/cgroup.h"
#include "driver/domain_run.h"
#include "driver/domain_stats.h"
#include "driver/domain_store.h"
#include "driver/domain_tune_api.h"
#include "driver/driver_priv.h"
#include "driver/process_priv.h"

typedef struct {
    const char *field;
    int type;
} TuneField;

static const TuneField sched_fields[] = {
    { VIR_DOMAIN_SCHEDULER_CPU_SHARES, VIR_TYPED_PARAM_ULLONG },
    { VIR_DOMAIN_SCHEDULER_VCPU_PERIOD, VIR_TYPED_PARAM_ULLONG },
    { VIR_DOMAIN_SCHEDULER_VCPU_QUOTA, VIR_TYPED_PARAM_LLONG },
};
static const TuneField memory_fields[] = {
    { VIR_DOMAIN_MEMORY_HARD_LIMIT, VIR_TYPED_PARAM_ULLONG },
    { VIR_DOMAIN_MEMORY_SOFT_LIMIT, VIR_TYPED_PARAM_ULLONG },
    { VIR_DOMAIN_MEMORY_SWAP_HARD_LIMIT, VIR_TYPED_PARAM_ULLONG },
};
static const TuneField blkio_fields[] = {
    { VIR_DOMAIN_BLKIO_WEIGHT, VIR_TYPED_PARAM_UINT },
};
static const struct {
    const TuneField *fields;
    guint n;
    const char *get_api, *set_api;
} kinds[] = {
    [ARMZ_TUNE_SCHED] = { sched_fields, G_N_ELEMENTS(sched_fields),
                          "virDomainGetSchedulerParametersFlags",
                          "virDomainSetSchedulerParametersFlags" },
    [ARMZ_TUNE_MEMORY] = { memory_fields, G_N_ELEMENTS(memory_fields),
                           "virDomainGetMemoryParameters", "virDomainSetMemoryParameters" },
    [ARMZ_TUNE_BLKIO] = { blkio_fields, G_N_ELEMENTS(blkio_fields),
                          "virDomainGetBlkioParameters", "virDomainSetBlkioParameters" },
};

int
armz_tune_nparams(ArmzTuneKind kind)
{
    return (int)kinds[kind].n;
}

char *
armz_driver_get_scheduler_type(ArmzDriver *drv, const ArmzDomainId *dom, int *nparams,
                               GError **error)
{
    g_autoptr(ArmzDomainObj) obj = armz_driver_find(drv, dom, error);

    if (!obj)
        return NULL;
    if (nparams)
        *nparams = armz_tune_nparams(ARMZ_TUNE_SCHED);
    return g_strdup("posix");
}

/* The cgroup of the running OBJ, or NULL with libvirt's error. */
static const char *
live_cgroup(ArmzDomainObj *obj, ArmzTuneKind kind, GError **error)
{
    ArmzDomainRun *run = armz_domain_run(obj);
    static const char *const controller[] = { "CPU", "memory", "blkio" };

    if (!run || !run->cgroup) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("cgroup %s controller is not mounted"), controller[kind]);
        return NULL;
    }
    return run->cgroup;
}

/* LIVE or CONFIG from FLAGS (CURRENT: what the domain's state says), as
 * libvirt's virDomainObjUpdateModificationImpact; OBJ locked. */
gboolean
armz_domain_resolve_impact(ArmzDomainObj *obj, unsigned int *flags, GError **error)
{
    gboolean active = armz_domain_obj_is_active(obj);

    if (!(*flags & (VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG)))
        *flags |= active ? VIR_DOMAIN_AFFECT_LIVE : VIR_DOMAIN_AFFECT_CONFIG;
    if ((*flags & VIR_DOMAIN_AFFECT_LIVE) && !active) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID, "%s",
                    _("domain is not running"));
        return FALSE;
    }
    if ((*flags & VIR_DOMAIN_AFFECT_CONFIG) && !obj->persistent) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID, "%s",
                    _("transient domains do not have any persistent config"));
        return FALSE;
    }
    return TRUE;
}

static guint64
mem_or_unlimited(guint64 kib)
{
    return kib ? kib : ARMZ_TUNE_MEMORY_UNLIMITED;
}

static gboolean
get_config(const ArmzDomainDef *def, ArmzTuneKind kind, GArray *out)
{
    const ArmzDomainTuneDef *t = &def->tune;

    switch (kind) {
    case ARMZ_TUNE_SCHED:
        armz_typed_params_add_ullong(out, t->has_shares ? t->shares : 0, "%s",
                                     VIR_DOMAIN_SCHEDULER_CPU_SHARES);
        armz_typed_params_add_ullong(out, t->period, "%s", VIR_DOMAIN_SCHEDULER_VCPU_PERIOD);
        armz_typed_params_add_llong(out, t->quota, "%s", VIR_DOMAIN_SCHEDULER_VCPU_QUOTA);
        break;
    case ARMZ_TUNE_MEMORY:
        armz_typed_params_add_ullong(out, mem_or_unlimited(t->hard_limit_kib), "%s",
                                     VIR_DOMAIN_MEMORY_HARD_LIMIT);
        armz_typed_params_add_ullong(out, mem_or_unlimited(t->soft_limit_kib), "%s",
                                     VIR_DOMAIN_MEMORY_SOFT_LIMIT);
        armz_typed_params_add_ullong(out, mem_or_unlimited(t->swap_hard_limit_kib), "%s",
                                     VIR_DOMAIN_MEMORY_SWAP_HARD_LIMIT);
        break;
    case ARMZ_TUNE_BLKIO:
        armz_typed_params_add_uint(out, t->blkio_weight, "%s", VIR_DOMAIN_BLKIO_WEIGHT);
        break;
    }
    return TRUE;
}

static gboolean
get_live(const char *cg, const ArmzDomainDef *def, ArmzTuneKind kind, GArray *out,
         GError **error)
{
    guint64 shares, period, v[3];
    gint64 quota;
    unsigned int weight;
    static const char *const mem_files[] = { "memory.max", "memory.high", "memory.swap.max" };

    switch (kind) {
    case ARMZ_TUNE_SCHED:
        if (!armz_cgroup_get_cpu_weight(cg, &shares, error) ||
            !armz_cgroup_get_cpu_max(cg, def->vcpus, &quota, &period, error))
            return FALSE;
        armz_typed_params_add_ullong(out, shares, "%s", VIR_DOMAIN_SCHEDULER_CPU_SHARES);
        armz_typed_params_add_ullong(out, period, "%s", VIR_DOMAIN_SCHEDULER_VCPU_PERIOD);
        armz_typed_params_add_llong(out, quota, "%s", VIR_DOMAIN_SCHEDULER_VCPU_QUOTA);
        return TRUE;
    case ARMZ_TUNE_MEMORY:
        for (guint i = 0; i < G_N_ELEMENTS(mem_files); i++) {
            /* no swap accounting: no swap limit either */
            if (!armz_cgroup_get_memory(cg, mem_files[i], &v[i], i == 2 ? NULL : error)) {
                if (i < 2)
                    return FALSE;
                v[i] = ARMZ_TUNE_MEMORY_UNLIMITED;
            }
            armz_typed_params_add_ullong(out, v[i], "%s", memory_fields[i].field);
        }
        return TRUE;
    case ARMZ_TUNE_BLKIO:
        if (!armz_cgroup_get_io_weight(cg, &weight, error))
            return FALSE;
        armz_typed_params_add_uint(out, weight, "%s", VIR_DOMAIN_BLKIO_WEIGHT);
        return TRUE;
    }
    return FALSE;
}

GArray *
armz_driver_get_tune(ArmzDriver *drv, const ArmzDomainId *dom, ArmzTuneKind kind,
                     unsigned int flags, GError **error)
{
    g_autoptr(ArmzDomainObj) obj = NULL;
    g_autoptr(GArray) out = armz_typed_params_new();
    const char *cg = NULL;
    gboolean ok = FALSE;

    if (!armz_check_flags(flags, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG |
                          VIR_TYPED_PARAM_STRING_OKAY, kinds[kind].get_api, error))
        return NULL;
    flags &= ~VIR_TYPED_PARAM_STRING_OKAY;
    if (flags == (VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("Flags '%s' and '%s' are mutually exclusive"),
                    "VIR_DOMAIN_AFFECT_LIVE", "VIR_DOMAIN_AFFECT_CONFIG");
        return NULL;
    }
    if (!(obj = armz_driver_find(drv, dom, error)))
        return NULL;
    g_mutex_lock(&obj->lock);
    if (armz_domain_resolve_impact(obj, &flags, error)) {
        if (flags & VIR_DOMAIN_AFFECT_CONFIG)
            ok = get_config(armz_domain_obj_config(obj), kind, out);
        else if ((cg = live_cgroup(obj, kind, error)))
            ok = get_live(cg, obj->def, kind, out, error);
    }
    g_mutex_unlock(&obj->lock);
    return ok ? g_steal_pointer(&out) : NULL;
}

/* The requested values, checked against KIND's names and types. */
typedef struct {
    gboolean has[3];
    guint64 ul[3];
    gint64 l[3];
} TuneValues;

static gboolean
read_params(ArmzTuneKind kind, const ArmzTypedParam *params, guint n, TuneValues *tv,
            GError **error)
{
    memset(tv, 0, sizeof(*tv));
    for (guint i = 0; i < n; i++) {
        guint f;

        for (f = 0; f < kinds[kind].n; f++)
            if (strcmp(params[i].field, kinds[kind].fields[f].field) == 0)
                break;
        if (f == kinds[kind].n) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_ARGUMENT_UNSUPPORTED,
                        _("parameter '%s' not supported"), params[i].field);
            return FALSE;
        }
        if (params[i].type != kinds[kind].fields[f].type) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                        _("invalid type for parameter '%s'"), params[i].field);
            return FALSE;
        }
        tv->has[f] = TRUE;
        switch (params[i].type) {
        case VIR_TYPED_PARAM_ULLONG: tv->ul[f] = params[i].v.ul; break;
        case VIR_TYPED_PARAM_LLONG: tv->l[f] = params[i].v.l; break;
        case VIR_TYPED_PARAM_UINT: tv->ul[f] = params[i].v.ui; break;
        default: break;
        }
    }
    return TRUE;
}

/* libvirt's checks of the requested values; TUNE is what they change. */
static gboolean
check_values(ArmzTuneKind kind, const TuneValues *tv, const ArmzDomainTuneDef *tune,
             GError **error)
{
    guint64 hard, swap;

    switch (kind) {
    case ARMZ_TUNE_SCHED:
        if (tv->has[1] && tv->ul[1] &&
            (tv->ul[1] < ARMZ_TUNE_PERIOD_MIN || tv->ul[1] > ARMZ_TUNE_PERIOD_MAX)) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                        _("value of '%s' is out of range [%lld, %lld]"),
                        VIR_DOMAIN_SCHEDULER_VCPU_PERIOD, (long long)ARMZ_TUNE_PERIOD_MIN,
                        (long long)ARMZ_TUNE_PERIOD_MAX);
            return FALSE;
        }
        if (tv->has[2] && tv->l[2] && tv->l[2] != -1 &&
            (tv->l[2] < ARMZ_TUNE_QUOTA_MIN || tv->l[2] > ARMZ_TUNE_QUOTA_MAX)) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                        _("value of '%s' is out of range [%lld, %lld]"),
                        VIR_DOMAIN_SCHEDULER_VCPU_QUOTA, ARMZ_TUNE_QUOTA_MIN,
                        ARMZ_TUNE_QUOTA_MAX);
            return FALSE;
        }
        if (tv->has[0] && tv->ul[0] > ARMZ_TUNE_SHARES_MAX) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                        _("value of '%s' is out of range [%lld, %lld]"),
                        VIR_DOMAIN_SCHEDULER_CPU_SHARES, 0LL, (long long)ARMZ_TUNE_SHARES_MAX);
            return FALSE;
        }
        return TRUE;
    case ARMZ_TUNE_MEMORY:
        for (guint i = 0; i < 3; i++)
            if (tv->has[i] && tv->ul[i] > ARMZ_TUNE_MEMORY_UNLIMITED) {
                g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                            _("Memory '%llu' must be less than %llu"),
                            (unsigned long long)tv->ul[i], ARMZ_TUNE_MEMORY_UNLIMITED);
                return FALSE;
            }
        hard = tv->has[0] ? tv->ul[0] : mem_or_unlimited(tune->hard_limit_kib);
        swap = tv->has[2] ? tv->ul[2] : mem_or_unlimited(tune->swap_hard_limit_kib);
        if (hard && swap && hard > swap) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG, "%s",
                        _("memory hard_limit tunable value must be lower than or equal to "
                          "swap_hard_limit"));
            return FALSE;
        }
        return TRUE;
    case ARMZ_TUNE_BLKIO:
        if (tv->has[0] && (tv->ul[0] < ARMZ_TUNE_BLKIO_WEIGHT_MIN ||
                           tv->ul[0] > ARMZ_TUNE_BLKIO_WEIGHT_MAX)) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG, "%s",
                        _("out of blkio weight range."));
            return FALSE;
        }
        return TRUE;
    }
    return FALSE;
}

static guint64
unlimited_as_absent(guint64 kib)
{
    return kib >= ARMZ_TUNE_MEMORY_UNLIMITED ? 0 : kib;
}

/* Writes the requested values into TUNE (a definition's). */
static void
store_values(ArmzTuneKind kind, const TuneValues *tv, ArmzDomainTuneDef *tune)
{
    switch (kind) {
    case ARMZ_TUNE_SCHED:
        if (tv->has[0]) {
            tune->has_shares = TRUE;
            tune->shares = tv->ul[0];
        }
        if (tv->has[1] && tv->ul[1])
            tune->period = tv->ul[1];
        if (tv->has[2] && tv->l[2])
            tune->quota = tv->l[2];
        break;
    case ARMZ_TUNE_MEMORY:
        if (tv->has[0])
            tune->hard_limit_kib = unlimited_as_absent(tv->ul[0]);
        if (tv->has[1])
            tune->soft_limit_kib = unlimited_as_absent(tv->ul[1]);
        if (tv->has[2])
            tune->swap_hard_limit_kib = unlimited_as_absent(tv->ul[2]);
        break;
    case ARMZ_TUNE_BLKIO:
        if (tv->has[0])
            tune->blkio_weight = (unsigned int)tv->ul[0];
        break;
    }
}

/* The requested values into the cgroup CG; the live definition follows. */
static gboolean
set_live(const char *cg, ArmzDomainDef *def, ArmzTuneKind kind, const TuneValues *tv,
         GError **error)
{
    static const char *const mem_files[] = { "memory.max", "memory.high", "memory.swap.max" };
    ArmzDomainTuneDef *t = &def->tune;

    switch (kind) {
    case ARMZ_TUNE_SCHED:
        if (tv->has[0] && !armz_cgroup_set_cpu_weight(cg, tv->ul[0], error))
            return FALSE;
        if ((tv->has[1] && tv->ul[1]) || (tv->has[2] && tv->l[2])) {
            guint64 period = tv->has[1] && tv->ul[1] ? tv->ul[1] : t->period;
            gint64 quota = tv->has[2] && tv->l[2] ? tv->l[2] : t->quota;
            gint64 old_quota;
            guint64 old_period;

            /* what the cgroup has where the definition says nothing */
            if ((!period || !quota) &&
                !armz_cgroup_get_cpu_max(cg, def->vcpus, &old_quota, &old_period, error))
                return FALSE;
            if (!armz_cgroup_set_cpu_max(cg, quota ? quota : old_quota,
                                         period ? period : old_period, def->vcpus, error))
                return FALSE;
        }
        break;
    case ARMZ_TUNE_MEMORY:
        /* lower the hard limit first when it goes below the swap limit... in
         * cgroup v2 they are independent: plain order */
        for (guint i = 0; i < 3; i++)
            if (tv->has[i] && !armz_cgroup_set_memory(cg, mem_files[i], tv->ul[i], error))
                return FALSE;
        break;
    case ARMZ_TUNE_BLKIO:
        if (tv->has[0] && !armz_cgroup_set_io_weight(cg, (unsigned int)tv->ul[0], error))
            return FALSE;
        break;
    }
    store_values(kind, tv, t);
    return TRUE;
}

/* The requested values into a copy of the persistent definition, saved,
 * then put in place. */
static gboolean
set_config(ArmzDriver *drv, ArmzDomainObj *obj, ArmzTuneKind kind, const TuneValues *tv,
           GError **error)
{
    g_autoptr(ArmzDomainDef) copy = armz_domain_def_copy(armz_domain_obj_config(obj));

    if (!copy) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR, "%s",
                    _("cannot copy the domain definition"));
        return FALSE;
    }
    store_values(kind, tv, &copy->tune);
    if (!armz_domain_tune_check(&copy->tune, copy->vcpus, error) ||
        !armz_domain_store_save(drv->paths, copy, error))
        return FALSE;
    armz_domain_obj_replace_config(obj, g_steal_pointer(&copy));
    return TRUE;
}

gboolean
armz_driver_set_tune(ArmzDriver *drv, const ArmzDomainId *dom, ArmzTuneKind kind,
                     const ArmzTypedParam *params, guint nparams, unsigned int flags,
                     GError **error)
{
    g_autoptr(ArmzDomainObj) obj = NULL;
    g_autoptr(GError) err = NULL;
    TuneValues tv;
    const char *cg = NULL;
    gboolean ok = FALSE;

    if (!armz_check_flags(flags, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG,
                          kinds[kind].set_api, error) ||
        !read_params(kind, params, nparams, &tv, error) ||
        !(obj = armz_driver_find(drv, dom, error)))
        return FALSE;
    g_mutex_lock(&obj->lock);
    if (!armz_domain_obj_begin_job(obj, kinds[kind].set_api, error)) {
        g_mutex_unlock(&obj->lock);
        return FALSE;
    }
    if (!armz_domain_resolve_impact(obj, &flags, error))
        goto out;
    if ((flags & VIR_DOMAIN_AFFECT_LIVE) &&
        (!check_values(kind, &tv, &obj->def->tune, error) ||
         !(cg = live_cgroup(obj, kind, error)) || !set_live(cg, obj->def, kind, &tv, error)))
        goto out;
    if (cg && !armz_process_status_save(drv, obj, &err))
        armz_warn("domain '%s': its status cannot be saved: %s", obj->name, err->message);
    if ((flags & VIR_DOMAIN_AFFECT_CONFIG) &&
        (!check_values(kind, &tv, &armz_domain_obj_config(obj)->tune, error) ||
         !set_config(drv, obj, kind, &tv, error)))
        goto out;
    ok = TRUE;
out:
    armz_domain_obj_end_job(obj);
    g_mutex_unlock(&obj->lock);
    return ok;
}

void
armz_domain_cgroup_started(ArmzDomainObj *obj)
{
    const ArmzDomainTuneDef *tune = &obj->def->tune;
    g_autoptr(GArray) vcpus = NULL;
    g_autofree pid_t *tids = NULL;
    g_autoptr(GError) err = NULL;

    if (!tune->vcpupins || !tune->vcpupins->len ||
        !(vcpus = armz_domain_vcpu_stats(obj, &err)))
        return;
    tids = g_new0(pid_t, obj->def->vcpus);
    for (guint i = 0; i < vcpus->len; i++) {
        const ArmzVcpuStat *v = &g_array_index(vcpus, ArmzVcpuStat, i);
        if (v->number < obj->def->vcpus)
            tids[v->number] = v->tid;
    }
    if (!armz_cgroup_pin_vcpus(tune, tids, obj->def->vcpus, &err))
        armz_warn("domain '%s': %s", obj->name, err->message);
}
