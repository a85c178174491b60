/* Tuning procedures: virsh schedinfo (scheduler type and parameters),
 * memtune (memory parameters) and blkiotune (blkio parameters); the driver
 * (driver/domain_tune_api.c) owns each API, this file marshals. */
#include <string.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/typed_params.h"
#include "driver/domain_tune_api.h"
#include "daemon/daemon.h"

#define DRV armz_daemon->driver

/* The wire's parameters as the driver takes them (borrowed strings). */
static ArmzTypedParam *
take_params(const armz_typed_param *wire, guint n)
{
    ArmzTypedParam *p = g_new0(ArmzTypedParam, MAX(n, 1));

    for (guint i = 0; i < n; i++) {
        const armz_typed_param_value *v = &wire[i].value;

        p[i].field = wire[i].field;
        p[i].type = v->type;
        switch (v->type) {
        case VIR_TYPED_PARAM_INT:
        case VIR_TYPED_PARAM_BOOLEAN:
            p[i].v.i = v->armz_typed_param_value_u.i;
            break;
        case VIR_TYPED_PARAM_UINT:
            p[i].v.ui = v->armz_typed_param_value_u.ui;
            break;
        case VIR_TYPED_PARAM_LLONG:
            p[i].v.l = v->armz_typed_param_value_u.l;
            break;
        case VIR_TYPED_PARAM_ULLONG:
            p[i].v.ul = v->armz_typed_param_value_u.ul;
            break;
        case VIR_TYPED_PARAM_DOUBLE:
            p[i].v.d = v->armz_typed_param_value_u.d;
            break;
        case VIR_TYPED_PARAM_STRING:
            p[i].v.s = v->armz_typed_param_value_u.s;
            break;
        }
    }
    return p;
}

/* Up to NPARAMS of the driver's parameters into the reply's list. */
static gboolean
get_params(const armz_nonnull_domain *wdom, ArmzTuneKind kind, int nparams,
           unsigned int flags, u_int *len, armz_typed_param **val, GError **error)
{
    ArmzDomainId dom = armz_remote_domain_id(wdom);
    g_autoptr(GArray) params = NULL;
    armz_domain_stats_record rec = { 0 };

    if (nparams < 0 || nparams > 16) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_RPC, "%s", _("nparams too large"));
        return FALSE;
    }
    if (!(params = armz_driver_get_tune(DRV, &dom, kind, flags, error)))
        return FALSE;
    if (params->len > (guint)nparams)
        g_array_set_size(params, nparams);
    armz_remote_put_params(&rec, params);
    *len = rec.params.params_len;
    *val = rec.params.params_val;
    return TRUE;
}

static gboolean
set_params(const armz_nonnull_domain *wdom, ArmzTuneKind kind, const armz_typed_param *wire,
           guint n, unsigned int flags, GError **error)
{
    ArmzDomainId dom = armz_remote_domain_id(wdom);
    g_autofree ArmzTypedParam *params = take_params(wire, n);

    return armz_driver_set_tune(DRV, &dom, kind, params, n, flags, error);
}

static gboolean
h_get_scheduler_type(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_get_scheduler_type_args *args = a;
    armz_domain_get_scheduler_type_ret *ret = r;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);

    ret->type = armz_driver_get_scheduler_type(DRV, &dom, &ret->nparams, error);
    return ret->type != NULL;
}

static gboolean
h_get_scheduler_parameters(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_get_scheduler_parameters_args *args = a;
    armz_domain_get_scheduler_parameters_ret *ret = r;

    return get_params(&args->dom, ARMZ_TUNE_SCHED, args->nparams, 0,
                      &ret->params.params_len, &ret->params.params_val, error);
}

static gboolean
h_get_scheduler_parameters_flags(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_get_scheduler_parameters_flags_args *args = a;
    armz_domain_get_scheduler_parameters_flags_ret *ret = r;

    return get_params(&args->dom, ARMZ_TUNE_SCHED, args->nparams, args->flags,
                      &ret->params.params_len, &ret->params.params_val, error);
}

static gboolean
h_set_scheduler_parameters(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_set_scheduler_parameters_args *args = a;

    return set_params(&args->dom, ARMZ_TUNE_SCHED, args->params.params_val,
                      args->params.params_len, 0, error);
}

static gboolean
h_set_scheduler_parameters_flags(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_set_scheduler_parameters_flags_args *args = a;

    return set_params(&args->dom, ARMZ_TUNE_SCHED, args->params.params_val,
                      args->params.params_len, args->flags, error);
}

static gboolean
h_get_memory_parameters(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_get_memory_parameters_args *args = a;
    armz_domain_get_memory_parameters_ret *ret = r;

    /* nparams 0: the client asks how many there are */
    ret->nparams = args->nparams ? 0 : armz_tune_nparams(ARMZ_TUNE_MEMORY);
    return get_params(&args->dom, ARMZ_TUNE_MEMORY, args->nparams, args->flags,
                      &ret->params.params_len, &ret->params.params_val, error);
}

static gboolean
h_set_memory_parameters(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_set_memory_parameters_args *args = a;

    return set_params(&args->dom, ARMZ_TUNE_MEMORY, args->params.params_val,
                      args->params.params_len, args->flags, error);
}

static gboolean
h_get_blkio_parameters(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_get_blkio_parameters_args *args = a;
    armz_domain_get_blkio_parameters_ret *ret = r;

    ret->nparams = args->nparams ? 0 : armz_tune_nparams(ARMZ_TUNE_BLKIO);
    return get_params(&args->dom, ARMZ_TUNE_BLKIO, args->nparams, args->flags,
                      &ret->params.params_len, &ret->params.params_val, error);
}

static gboolean
h_set_blkio_parameters(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_set_blkio_parameters_args *args = a;

    return set_params(&args->dom, ARMZ_TUNE_BLKIO, args->params.params_val,
                      args->params.params_len, args->flags, error);
}

static const ArmzProc procs[] = {
    { REMOTE_PROC_DOMAIN_GET_SCHEDULER_TYPE, ARMZ_ARGS(armz_domain_get_scheduler_type_args),
      ARMZ_RET(armz_domain_get_scheduler_type_ret), h_get_scheduler_type, 0 },
    { REMOTE_PROC_DOMAIN_GET_SCHEDULER_PARAMETERS,
      ARMZ_ARGS(armz_domain_get_scheduler_parameters_args),
      ARMZ_RET(armz_domain_get_scheduler_parameters_ret), h_get_scheduler_parameters, 0 },
    { REMOTE_PROC_DOMAIN_GET_SCHEDULER_PARAMETERS_FLAGS,
      ARMZ_ARGS(armz_domain_get_scheduler_parameters_flags_args),
      ARMZ_RET(armz_domain_get_scheduler_parameters_flags_ret),
      h_get_scheduler_parameters_flags, 0 },
    { REMOTE_PROC_DOMAIN_SET_SCHEDULER_PARAMETERS,
      ARMZ_ARGS(armz_domain_set_scheduler_parameters_args), ARMZ_NORET,
      h_set_scheduler_parameters, 0 },
    { REMOTE_PROC_DOMAIN_SET_SCHEDULER_PARAMETERS_FLAGS,
      ARMZ_ARGS(armz_domain_set_scheduler_parameters_flags_args), ARMZ_NORET,
      h_set_scheduler_parameters_flags, 0 },
    { REMOTE_PROC_DOMAIN_GET_MEMORY_PARAMETERS, ARMZ_ARGS(armz_domain_get_memory_parameters_args),
      ARMZ_RET(armz_domain_get_memory_parameters_ret), h_get_memory_parameters, 0 },
    { REMOTE_PROC_DOMAIN_SET_MEMORY_PARAMETERS, ARMZ_ARGS(armz_domain_set_memory_parameters_args),
      ARMZ_NORET, h_set_memory_parameters, 0 },
    { REMOTE_PROC_DOMAIN_GET_BLKIO_PARAMETERS, ARMZ_ARGS(armz_domain_get_blkio_parameters_args),
      ARMZ_RET(armz_domain_get_blkio_parameters_ret), h_get_blkio_parameters, 0 },
    { REMOTE_PROC_DOMAIN_SET_BLKIO_PARAMETERS, ARMZ_ARGS(armz_domain_set_blkio_parameters_args),
      ARMZ_NORET, h_set_blkio_parameters, 0 },
};

void
armz_remote_tune_register(ArmzDispatcher *d)
{
    armz_dispatcher_add(d, procs, G_N_ELEMENTS(procs));
}
