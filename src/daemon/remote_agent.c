/* The guest agent procedures beyond the clock (remote_stats.c): the
 * domain's host name, file-system freeze and thaw, user passwords. */
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

static const ArmzProc procs[] = {
    { REMOTE_PROC_DOMAIN_GET_HOSTNAME, ARMZ_ARGS(armz_domain_get_hostname_args),
      ARMZ_RET(armz_domain_get_hostname_ret), h_get_hostname, 0 },
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
