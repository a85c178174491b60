/* The guest CID of a running domain's vsock (see domain_vsock.h). */
#include "util/log.h"
#include "driver/domain_vsock.h"
#include "driver/domain_validate.h"
#include "driver/driver_priv.h"
#include "driver/process_priv.h"

static gboolean
get_cid(ArmzMonitor *mon, gpointer data, GError **error)
{
    return armz_monitor_vsock_cid(mon, data, error);
}

void
armz_domain_vsock_record(ArmzDriver *drv, ArmzDomainObj *obj)
{
    g_autoptr(GError) err = NULL;
    guint64 cid = 0;

    if (!obj->def->has_vsock || !armz_domain_vsock_auto(&obj->def->vsock) ||
        !armz_domain_obj_is_active(obj))
        return;
    if (!armz_domain_monitor_call(obj, get_cid, &cid, &err)) {
        armz_warn("domain '%s': cannot read its vsock CID: %s", obj->name, err->message);
        return;
    }
    /* the live definition says which it got, as libvirt's does */
    obj->def->vsock.cid = (unsigned int)cid;
    obj->def->vsock.cid_auto = ARMZ_TRISTATE_ON;
    /* kept over a daemon restart */
    if (!armz_process_status_save(drv, obj, &err))
        armz_warn("domain '%s': cannot save its status: %s", obj->name, err->message);
}
