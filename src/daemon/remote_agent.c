/* The guest agent procedures beyond the clock (remote_stats.c): the
 * domain's host name, its file systems, their freeze and thaw, user passwords, the
 * guest's vCPUs and its information. */
#include <libvirt/libvirt.h>
#include "util/error.h"
#include "driver/domain_agent.h"
#include "daemon/daemon.h"

#define DRV armz_daemon->driver

static gboolean
h_get_hostname(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_get_hostname_args *args = a;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);
    char *name = armz_driver_get_hostname(DRV, &dom, args->flags, error);

    ((armz_domain_get_hostname_ret *)r)->hostname = name;
    return name != NULL;
}

static gboolean
fs_freeze(void *a, void *r, gboolean thaw, GError **error)
{
    armz_domain_fsfreeze_args *args = a;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);
    int n = armz_driver_fs_freeze(DRV, &dom, args->mountpoints.mountpoints_val,
                                  args->mountpoints.mountpoints_len, thaw, args->flags, error);

    ((armz_domain_fsfreeze_ret *)r)->filesystems = n;
    return n >= 0;
}

static gboolean
h_fsfreeze(ArmzClient *client, void *a, void *r, GError **error)
{
    return fs_freeze(a, r, FALSE, error);
}

static gboolean
h_fsthaw(ArmzClient *client, void *a, void *r, GError **error)
{
    return fs_freeze(a, r, TRUE, error);
}

static gboolean
h_set_user_password(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_set_user_password_args *args = a;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);

    return armz_driver_set_user_password(DRV, &dom, args->user ? *args->user : NULL,
                                         args->password ? *args->password : NULL,
                                         args->flags, error);
}

static gboolean
h_get_fsinfo(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_get_fsinfo_args *args = a;
    armz_domain_get_fsinfo_ret *ret = r;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);
    g_autoptr(GPtrArray) fss = armz_driver_get_fsinfo(DRV, &dom, args->flags, error);
    guint n;

    if (!fss)
        return FALSE;
    n = MIN(fss->len, (guint)ARMZ_DOMAIN_FSINFO_MAX);
    ret->ret = n;
    ret->info.info_len = n;
    ret->info.info_val = g_new0(armz_domain_fsinfo, MAX(n, 1));
    for (guint i = 0; i < n; i++) {
        const ArmzFsInfo *fs = g_ptr_array_index(fss, i);
        armz_domain_fsinfo *w = &ret->info.info_val[i];

        w->mountpoint = g_strdup(fs->mountpoint);
        w->name = g_strdup(fs->name);
        w->fstype = g_strdup(fs->fstype);
        w->dev_aliases.dev_aliases_len = MIN(fs->dev_aliases->len,
                                             (guint)ARMZ_DOMAIN_FSINFO_DISKS_MAX);
        w->dev_aliases.dev_aliases_val = g_new0(armz_nonnull_string,
                                                MAX(w->dev_aliases.dev_aliases_len, 1));
        for (guint j = 0; j < w->dev_aliases.dev_aliases_len; j++)
            w->dev_aliases.dev_aliases_val[j] = g_strdup(g_ptr_array_index(fs->dev_aliases, j));
    }
    return TRUE;
}

/* The driver's parameters into a reply's list. */
static gboolean
put_params(GArray *params, u_int *len, armz_typed_param **val)
{
    armz_domain_stats_record rec = { 0 };

    if (!params)
        return FALSE;
    armz_remote_put_params(&rec, params);
    g_array_unref(params);
    *len = rec.params.params_len;
    *val = rec.params.params_val;
    return TRUE;
}

static gboolean
h_get_guest_vcpus(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_get_guest_vcpus_args *args = a;
    armz_domain_get_guest_vcpus_ret *ret = r;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);

    return put_params(armz_driver_get_guest_vcpus(DRV, &dom, args->flags, error),
                      &ret->params.params_len, &ret->params.params_val);
}

static gboolean
h_get_guest_info(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_get_guest_info_args *args = a;
    armz_domain_get_guest_info_ret *ret = r;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);

    return put_params(armz_driver_get_guest_info(DRV, &dom, args->types, args->flags, error),
                      &ret->params.params_len, &ret->params.params_val);
}

static const ArmzProc procs[] = {
    { REMOTE_PROC_DOMAIN_GET_GUEST_VCPUS, ARMZ_ARGS(armz_domain_get_guest_vcpus_args),
      ARMZ_RET(armz_domain_get_guest_vcpus_ret), h_get_guest_vcpus, 0 },
    { REMOTE_PROC_DOMAIN_GET_GUEST_INFO, ARMZ_ARGS(armz_domain_get_guest_info_args),
      ARMZ_RET(armz_domain_get_guest_info_ret), h_get_guest_info, 0 },
    { REMOTE_PROC_DOMAIN_GET_HOSTNAME, ARMZ_ARGS(armz_domain_get_hostname_args),
      ARMZ_RET(armz_domain_get_hostname_ret), h_get_hostname, 0 },
    { REMOTE_PROC_DOMAIN_GET_FSINFO, ARMZ_ARGS(armz_domain_get_fsinfo_args),
      ARMZ_RET(armz_domain_get_fsinfo_ret), h_get_fsinfo, 0 },
    { REMOTE_PROC_DOMAIN_FSFREEZE, ARMZ_ARGS(armz_domain_fsfreeze_args),
      ARMZ_RET(armz_domain_fsfreeze_ret), h_fsfreeze, 0 },
    { REMOTE_PROC_DOMAIN_FSTHAW, ARMZ_ARGS(armz_domain_fsfreeze_args),
      ARMZ_RET(armz_domain_fsfreeze_ret), h_fsthaw, 0 },
    { REMOTE_PROC_DOMAIN_SET_USER_PASSWORD, ARMZ_ARGS(armz_domain_set_user_password_args),
      ARMZ_NORET, h_set_user_password, 0 },
};

void
armz_remote_agent_register(ArmzDispatcher *d)
{
    armz_dispatcher_add(d, procs, G_N_ELEMENTS(procs));
}
