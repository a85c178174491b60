/* Block procedures of running domains: virsh domblkstat (BlockStats and
 * BlockStatsFlags), blockresize and domblkerror; the driver
 * (driver/domain_block.c) owns each API, this file marshals. */
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/typed_params.h"
#include "driver/domain_block.h"
#include "daemon/daemon.h"

#define DRV armz_daemon->driver

static gboolean
h_block_stats(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_block_stats_args *args = a;
    armz_domain_block_stats_ret *ret = r;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);
    ArmzBlockStats st;

    if (!armz_driver_block_stats(DRV, &dom, args->path, &st, error))
        return FALSE;
    ret->rd_req = st.rd_req;
    ret->rd_bytes = st.rd_bytes;
    ret->wr_req = st.wr_req;
    ret->wr_bytes = st.wr_bytes;
    ret->errs = st.errs;
    return TRUE;
}

static gboolean
h_block_stats_flags(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_block_stats_flags_args *args = a;
    armz_domain_block_stats_flags_ret *ret = r;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);
    g_autoptr(GArray) params = NULL;
    armz_domain_stats_record rec = { 0 };

    if (args->nparams < 0 || args->nparams > ARMZ_DOMAIN_BLOCK_STATS_PARAMETERS_MAX) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_RPC, "%s", _("nparams too large"));
        return FALSE;
    }
    if (!(params = armz_driver_block_stats_flags(DRV, &dom, args->path, args->flags, error)))
        return FALSE;
    /* nparams 0: the client asks how many there are */
    ret->nparams = args->nparams ? 0 : (int)params->len;
    if (params->len > (guint)args->nparams)
        g_array_set_size(params, args->nparams);
    armz_remote_put_params(&rec, params);
    ret->params.params_len = rec.params.params_len;
    ret->params.params_val = rec.params.params_val;
    return TRUE;
}

static gboolean
h_block_resize(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_block_resize_args *args = a;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);

    return armz_driver_block_resize(DRV, &dom, args->disk, args->size, args->flags, error);
}

static gboolean
h_get_disk_errors(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_get_disk_errors_args *args = a;
    armz_domain_get_disk_errors_ret *ret = r;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);
    g_autofree ArmzDiskError *errs = NULL;
    int n;

    if (args->maxerrors > ARMZ_DOMAIN_DISK_ERRORS_MAX) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_RPC, "%s", _("maxerrors too large"));
        return FALSE;
    }
    errs = g_new0(ArmzDiskError, MAX(args->maxerrors, 1));
    n = armz_driver_get_disk_errors(DRV, &dom, errs, args->maxerrors, args->flags, error);
    if (n < 0)
        return FALSE;
    ret->nerrors = n;
    if (!args->maxerrors)
        return TRUE;
    ret->errors.errors_len = (u_int)n;
    ret->errors.errors_val = g_new0(armz_domain_disk_error, MAX(n, 1));
    for (int i = 0; i < n; i++) {
        ret->errors.errors_val[i].disk = errs[i].disk;      /* the reply frees it */
        ret->errors.errors_val[i].error = errs[i].error;
    }
    return TRUE;
}

static const ArmzProc procs[] = {
    { REMOTE_PROC_DOMAIN_BLOCK_STATS, ARMZ_ARGS(armz_domain_block_stats_args),
      ARMZ_RET(armz_domain_block_stats_ret), h_block_stats, 0 },
    { REMOTE_PROC_DOMAIN_BLOCK_STATS_FLAGS, ARMZ_ARGS(armz_domain_block_stats_flags_args),
      ARMZ_RET(armz_domain_block_stats_flags_ret), h_block_stats_flags, 0 },
    { REMOTE_PROC_DOMAIN_BLOCK_RESIZE, ARMZ_ARGS(armz_domain_block_resize_args), ARMZ_NORET,
      h_block_resize, 0 },
    { REMOTE_PROC_DOMAIN_GET_DISK_ERRORS, ARMZ_ARGS(armz_domain_get_disk_errors_args),
      ARMZ_RET(armz_domain_get_disk_errors_ret), h_get_disk_errors, 0 },
};

void
armz_remote_block_register(ArmzDispatcher *d)
{
    armz_dispatcher_add(d, procs, G_N_ELEMENTS(procs));
}
