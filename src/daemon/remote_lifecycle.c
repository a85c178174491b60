/* Lifecycle procedures: start, create, destroy, shutdown, reboot, reset,
 * suspend, resume. The driver does the work (driver/lifecycle.c). */
#include "driver/lifecycle.h"
#include "daemon/daemon.h"

#define DRV armz_daemon->driver
#define DOM_ID(a) armz_remote_domain_id(&((armz_domain_args *)(a))->dom)

typedef gboolean (*FlagsOp)(ArmzDriver *drv, const ArmzDomainId *dom, unsigned int flags,
                            GError **error);

static gboolean
with_flags(const armz_nonnull_domain *wire, unsigned int flags, FlagsOp op, GError **error)
{
    ArmzDomainId dom = armz_remote_domain_id(wire);
    return op(DRV, &dom, flags, error);
}

static gboolean
h_create(ArmzClient *client, void *a, void *r, GError **error)
{
    ArmzDomainId dom = DOM_ID(a);
    return armz_driver_start(DRV, &dom, 0, client->id, error);
}

static gboolean
h_create_with_flags(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_flags_args *args = a;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);

    /* the reply carries the domain's new ID */
    if (!armz_driver_start(DRV, &dom, args->flags, client->id, error))
        return FALSE;
    armz_remote_make_domain(&((armz_domain_ret *)r)->dom, &dom);
    return TRUE;
}

static gboolean
h_create_xml(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_create_xml_args *args = a;
    ArmzDomainId id = { 0 };

    if (!armz_driver_create_xml(DRV, args->xml_desc, args->flags, client->id, &id, error))
        return FALSE;
    armz_remote_make_domain(&((armz_domain_ret *)r)->dom, &id);
    armz_domain_id_clear(&id);
    return TRUE;
}

static gboolean
h_destroy(ArmzClient *client, void *a, void *r, GError **error)
{
    return with_flags(&((armz_domain_args *)a)->dom, 0, armz_driver_destroy, error);
}

static gboolean
h_destroy_flags(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_flags_args *args = a;
    return with_flags(&args->dom, args->flags, armz_driver_destroy, error);
}

static gboolean
h_shutdown(ArmzClient *client, void *a, void *r, GError **error)
{
    return with_flags(&((armz_domain_args *)a)->dom, 0, armz_driver_shutdown, error);
}

static gboolean
h_shutdown_flags(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_flags_args *args = a;
    return with_flags(&args->dom, args->flags, armz_driver_shutdown, error);
}

static gboolean
h_reboot(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_flags_args *args = a;
    return with_flags(&args->dom, args->flags, armz_driver_reboot, error);
}

static gboolean
h_reset(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_flags_args *args = a;
    return with_flags(&args->dom, args->flags, armz_driver_reset, error);
}

static gboolean
h_suspend(ArmzClient *client, void *a, void *r, GError **error)
{
    ArmzDomainId dom = DOM_ID(a);
    return armz_driver_suspend(DRV, &dom, error);
}

static gboolean
h_resume(ArmzClient *client, void *a, void *r, GError **error)
{
    ArmzDomainId dom = DOM_ID(a);
    return armz_driver_resume(DRV, &dom, error);
}

/* Destroying waits for the VMM's exit, which the main context reports: not
 * on the main context's own thread, then. One pool, drained at shutdown
 * before the driver goes away, the main context served meanwhile. */
static GThreadPool *autodestroy_pool;
static gint autodestroys_pending;

static void
autodestroy_task(gpointer data, gpointer user_data)
{
    guint64 *id = data;
    (void)user_data;
    armz_driver_autodestroy(DRV, *id);
    g_free(id);
    armz_daemon_work_done(&autodestroys_pending);
}

void
armz_remote_lifecycle_client_closed(ArmzClient *client)
{
    guint64 *id;

    if (!autodestroy_pool || !armz_driver_has_autodestroy(DRV, client->id))
        return;
    id = g_new(guint64, 1);
    *id = client->id;
    g_atomic_int_inc(&autodestroys_pending);
    g_thread_pool_push(autodestroy_pool, id, NULL);
}

void
armz_remote_lifecycle_shutdown(void)
{
    armz_daemon_serve_until_done(&autodestroys_pending);
    if (autodestroy_pool)
        g_thread_pool_free(g_steal_pointer(&autodestroy_pool), FALSE, TRUE);
}

static const ArmzProc procs[] = {
    { REMOTE_PROC_DOMAIN_CREATE, ARMZ_ARGS(armz_domain_args), ARMZ_NORET, h_create, 0 },
    { REMOTE_PROC_DOMAIN_CREATE_XML, ARMZ_ARGS(armz_domain_create_xml_args),
      ARMZ_RET(armz_domain_ret), h_create_xml, 0 },
    { REMOTE_PROC_DOMAIN_DESTROY, ARMZ_ARGS(armz_domain_args), ARMZ_NORET, h_destroy, 0 },
    { REMOTE_PROC_DOMAIN_REBOOT, ARMZ_ARGS(armz_domain_flags_args), ARMZ_NORET, h_reboot, 0 },
    { REMOTE_PROC_DOMAIN_RESUME, ARMZ_ARGS(armz_domain_args), ARMZ_NORET, h_resume, 0 },
    { REMOTE_PROC_DOMAIN_SHUTDOWN, ARMZ_ARGS(armz_domain_args), ARMZ_NORET, h_shutdown, 0 },
    { REMOTE_PROC_DOMAIN_SUSPEND, ARMZ_ARGS(armz_domain_args), ARMZ_NORET, h_suspend, 0 },
    { REMOTE_PROC_DOMAIN_CREATE_WITH_FLAGS, ARMZ_ARGS(armz_domain_flags_args),
      ARMZ_RET(armz_domain_ret), h_create_with_flags, 0 },
    { REMOTE_PROC_DOMAIN_DESTROY_FLAGS, ARMZ_ARGS(armz_domain_flags_args), ARMZ_NORET,
      h_destroy_flags, 0 },
    { REMOTE_PROC_DOMAIN_RESET, ARMZ_ARGS(armz_domain_flags_args), ARMZ_NORET, h_reset, 0 },
    { REMOTE_PROC_DOMAIN_SHUTDOWN_FLAGS, ARMZ_ARGS(armz_domain_flags_args), ARMZ_NORET,
      h_shutdown_flags, 0 },
};

void
armz_remote_lifecycle_register(ArmzDispatcher *d)
{
    armz_dispatcher_add(d, procs, G_N_ELEMENTS(procs));
    autodestroy_pool = g_thread_pool_new(autodestroy_task, NULL, 1, FALSE, NULL);
}
