/* Lifecycle APIs (see lifecycle.h). */
#include <string.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/log.h"
#include "driver/domain_agent.h"
#include "driver/domain_vsock.h"
#include "driver/pci_address.h"
#include "driver/lifecycle.h"
#include "driver/process_priv.h"

/* Locks OBJ and takes its job; FALSE (unlocked, no job) when it must be
 * running and is not. */
static gboolean
begin_active(ArmzDomainObj *obj, const char *api, GError **error)
{
    g_mutex_lock(&obj->lock);
    if (!armz_domain_obj_begin_job(obj, api, error)) {
        g_mutex_unlock(&obj->lock);
        return FALSE;
    }
    if (!armz_domain_obj_is_active(obj) || !obj->priv) {
        armz_domain_obj_end_job(obj);
        g_mutex_unlock(&obj->lock);
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                            _("domain is not running"));
        return FALSE;
    }
    return TRUE;
}

static void
end(ArmzDriver *drv, ArmzDomainObj *obj)
{
    armz_domain_obj_end_job(obj);
    g_mutex_unlock(&obj->lock);
    armz_process_forget_removed(drv, obj);
}

/* Runs a monitor command with the object unlocked (job held): the monitor's
 * callbacks take the object lock. */
typedef gboolean (*MonCmd)(ArmzMonitor *mon, GError **error);

gboolean
armz_domain_monitor_call(ArmzDomainObj *obj, ArmzMonitorCallFunc call, gpointer data,
                         GError **error)
{
    g_autoptr(ArmzMonitor) mon = armz_process_monitor(obj, error);
    GError *err = NULL;
    gboolean ok;

    if (!mon)
        return FALSE;
    g_mutex_unlock(&obj->lock);
    ok = call(mon, data, &err);
    g_mutex_lock(&obj->lock);
    if (!ok)
        armz_monitor_propagate_error(error, err);
    return ok;
}

static gboolean
call_plain(ArmzMonitor *mon, gpointer data, GError **error)
{
    const MonCmd *cmd = data;
    return (*cmd)(mon, error);
}

static gboolean
monitor_call(ArmzDomainObj *obj, MonCmd cmd, GError **error)
{
    return armz_domain_monitor_call(obj, call_plain, &cmd, error);
}

/* Starts OBJ (flags checked by the caller). */
static gboolean
start(ArmzDriver *drv, ArmzDomainObj *obj, unsigned int flags, guint64 client_id,
      GError **error)
{
    gboolean ok;

    g_mutex_lock(&obj->lock);
    if (!armz_domain_obj_begin_job(obj, "virDomainCreateWithFlags", error)) {
        g_mutex_unlock(&obj->lock);
        return FALSE;
    }
    if (obj->removed) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_DOMAIN,
                    _("no domain with matching name '%s'"), obj->name);
        ok = FALSE;
    } else if (armz_domain_obj_is_active(obj)) {
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                            _("domain is already running"));
        ok = FALSE;
    } else {
        ok = armz_process_start(drv, obj, flags, client_id, error);
        if (ok)
            armz_domain_vsock_record(drv, obj);
    }
    end(drv, obj);
    return ok;
}

gboolean
armz_driver_start(ArmzDriver *drv, ArmzDomainId *dom, unsigned int flags,
                  guint64 client_id, GError **error)
{
    g_autoptr(ArmzDomainObj) obj = NULL;

    if (!armz_check_flags(flags, VIR_DOMAIN_START_PAUSED | VIR_DOMAIN_START_AUTODESTROY |
                          VIR_DOMAIN_START_BYPASS_CACHE | VIR_DOMAIN_START_FORCE_BOOT |
                          VIR_DOMAIN_START_RESET_NVRAM,
                          "virDomainCreateWithFlags", error) ||
        !(obj = armz_driver_find(drv, dom, error)) ||
        !start(drv, obj, flags, client_id, error))
        return FALSE;
    g_mutex_lock(&obj->lock);
    dom->id = obj->id;
    g_mutex_unlock(&obj->lock);
    return TRUE;
}

gboolean
armz_driver_create_xml(ArmzDriver *drv, const char *xml, unsigned int flags,
                       guint64 client_id, ArmzDomainId *out, GError **error)
{
    g_autoptr(ArmzDomainDef) def = NULL;
    g_autoptr(ArmzDomainObj) obj = NULL;
    gboolean existing = FALSE, ok;

    if (!armz_check_flags(flags, VIR_DOMAIN_START_PAUSED | VIR_DOMAIN_START_AUTODESTROY |
                          VIR_DOMAIN_START_VALIDATE | VIR_DOMAIN_START_RESET_NVRAM,
                          "virDomainCreateXML", error))
        return FALSE;
    if ((flags & VIR_DOMAIN_START_VALIDATE) &&
        !armz_domain_xml_validate(xml, armz_driver_schema_path(drv), error))
        return FALSE;
    if (!(def = armz_domain_def_parse(xml, error)) || !armz_domain_pci_assign(def, error))
        return FALSE;
    obj = armz_domain_list_add(drv->domains, def, &existing, error);
    if (!obj)
        return FALSE;
    if (existing) {
        /* libvirt starts a defined, inactive domain of the same name and UUID
         * with the new definition as its live one */
        g_mutex_lock(&obj->lock);
        if (!armz_domain_obj_begin_job(obj, "virDomainCreateXML", error)) {
            g_mutex_unlock(&obj->lock);
            return FALSE;
        }
        if (armz_domain_obj_is_active(obj)) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                        _("domain '%s' is already active"), obj->name);
            end(drv, obj);
            return FALSE;
        }
        obj->newdef = obj->def;
        obj->def = g_steal_pointer(&def);
    } else {
        g_steal_pointer(&def);
        g_mutex_lock(&obj->lock);   /* new objects come with their job taken */
        obj->persistent = FALSE;
    }
    ok = armz_process_start(drv, obj, flags & ~VIR_DOMAIN_START_VALIDATE, client_id, error);
    if (ok)
        armz_domain_vsock_record(drv, obj);
    if (!ok && existing && obj->newdef && !armz_domain_obj_is_active(obj)) {
        armz_domain_def_free(obj->def);
        obj->def = g_steal_pointer(&obj->newdef);
    }
    if (!ok && !obj->persistent)
        obj->removed = TRUE;
    end(drv, obj);
    if (ok)
        armz_domain_id_set(out, obj);
    return ok;
}

gboolean
armz_driver_destroy(ArmzDriver *drv, const ArmzDomainId *dom, unsigned int flags,
                    GError **error)
{
    g_autoptr(ArmzDomainObj) obj = NULL;
    gboolean ok;

    if (!armz_check_flags(flags, VIR_DOMAIN_DESTROY_GRACEFUL, "virDomainDestroyFlags", error) ||
        !(obj = armz_driver_find(drv, dom, error)) || !begin_active(obj, "virDomainDestroyFlags", error))
        return FALSE;
    ok = armz_process_kill_and_stop(drv, obj, (flags & VIR_DOMAIN_DESTROY_GRACEFUL) != 0,
                                    VIR_DOMAIN_SHUTOFF_DESTROYED,
                                    VIR_DOMAIN_EVENT_STOPPED_DESTROYED, error);
    end(drv, obj);
    return ok;
}

gboolean
armz_driver_shutdown(ArmzDriver *drv, const ArmzDomainId *dom, unsigned int flags,
                     GError **error)
{
    g_autoptr(ArmzDomainObj) obj = NULL;
    gboolean ok;

    if (!armz_check_flags(flags, VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN | VIR_DOMAIN_SHUTDOWN_GUEST_AGENT |
                          VIR_DOMAIN_SHUTDOWN_INITCTL | VIR_DOMAIN_SHUTDOWN_SIGNAL |
                          VIR_DOMAIN_SHUTDOWN_PARAVIRT, "virDomainShutdownFlags", error))
        return FALSE;
    /* the guest agent, then (when asked for too) the power button */
    if (flags & VIR_DOMAIN_SHUTDOWN_GUEST_AGENT) {
        g_autoptr(GError) err = NULL;
        if (armz_driver_agent_shutdown(drv, dom, &err))
            return TRUE;
        if (!(flags & VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN)) {
            g_propagate_error(error, g_steal_pointer(&err));
            return FALSE;
        }
        flags &= ~VIR_DOMAIN_SHUTDOWN_GUEST_AGENT;
    }
    if (flags && !(flags & VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_ARGUMENT_UNSUPPORTED,
                    _("shutdown mode 0x%x is not supported; armz guests are asked through their power button"),
                    flags);
        return FALSE;
    }
    if (!(obj = armz_driver_find(drv, dom, error)) || !begin_active(obj, "virDomainShutdownFlags", error))
        return FALSE;
    ok = monitor_call(obj, armz_monitor_system_powerdown, error);
    end(drv, obj);
    return ok;
}

/* A reboot and a reset are the same to armz-vmm, whose board has a power
 * button but no reset button: the machine resets, and the RESET event
 * reports the reboot. */
static gboolean
reset_machine(ArmzDriver *drv, const ArmzDomainId *dom, GError **error)
{
    g_autoptr(ArmzDomainObj) obj = armz_driver_find(drv, dom, error);
    gboolean ok;

    if (!obj || !begin_active(obj, "virDomainReset", error))
        return FALSE;
    ok = monitor_call(obj, armz_monitor_system_reset, error);
    end(drv, obj);
    return ok;
}

gboolean
armz_driver_reboot(ArmzDriver *drv, const ArmzDomainId *dom, unsigned int flags,
                   GError **error)
{
    if (!armz_check_flags(flags, VIR_DOMAIN_REBOOT_ACPI_POWER_BTN | VIR_DOMAIN_REBOOT_GUEST_AGENT |
                          VIR_DOMAIN_REBOOT_INITCTL | VIR_DOMAIN_REBOOT_SIGNAL |
                          VIR_DOMAIN_REBOOT_PARAVIRT, "virDomainReboot", error))
        return FALSE;
    /* the guest agent, then (when asked for too) the machine's reset */
    if (flags & VIR_DOMAIN_REBOOT_GUEST_AGENT) {
        g_autoptr(GError) err = NULL;
        if (armz_driver_agent_reboot(drv, dom, &err))
            return TRUE;
        if (!(flags & VIR_DOMAIN_REBOOT_ACPI_POWER_BTN)) {
            g_propagate_error(error, g_steal_pointer(&err));
            return FALSE;
        }
        flags &= ~VIR_DOMAIN_REBOOT_GUEST_AGENT;
    }
    if (flags && !(flags & VIR_DOMAIN_REBOOT_ACPI_POWER_BTN)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_ARGUMENT_UNSUPPORTED,
                    _("reboot mode 0x%x is not supported"), flags);
        return FALSE;
    }
    return reset_machine(drv, dom, error);
}

gboolean
armz_driver_reset(ArmzDriver *drv, const ArmzDomainId *dom, unsigned int flags,
                  GError **error)
{
    return armz_check_flags(flags, 0, "virDomainReset", error) && reset_machine(drv, dom, error);
}

static gboolean
pause_or_resume(ArmzDriver *drv, const ArmzDomainId *dom, gboolean pause, GError **error)
{
    g_autoptr(ArmzDomainObj) obj = armz_driver_find(drv, dom, error);
    g_autoptr(GError) err = NULL;
    int from = pause ? VIR_DOMAIN_RUNNING : VIR_DOMAIN_PAUSED;
    gboolean ok = TRUE;

    if (!obj || !begin_active(obj, pause ? "virDomainSuspend" : "virDomainResume", error))
        return FALSE;
    if (obj->state == from) {
        ok = monitor_call(obj, pause ? armz_monitor_stop : armz_monitor_cont, error);
        /* the STOP/RESUME event may have changed the state already */
        if (ok && obj->state == from && obj->priv) {
            obj->state = pause ? VIR_DOMAIN_PAUSED : VIR_DOMAIN_RUNNING;
            obj->reason = pause ? VIR_DOMAIN_PAUSED_USER : VIR_DOMAIN_RUNNING_UNPAUSED;
            if (!armz_process_status_save(drv, obj, &err))
                armz_warn("cannot save the status of domain '%s': %s", obj->name, err->message);
            armz_driver_emit_lifecycle(drv, obj, obj->id,
                                       pause ? VIR_DOMAIN_EVENT_SUSPENDED : VIR_DOMAIN_EVENT_RESUMED,
                                       pause ? VIR_DOMAIN_EVENT_SUSPENDED_PAUSED
                                             : VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
        }
    } else if (!pause && obj->state != VIR_DOMAIN_RUNNING) {
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                            _("domain is not paused"));
        ok = FALSE;
    }
    end(drv, obj);
    return ok;
}

gboolean
armz_driver_suspend(ArmzDriver *drv, const ArmzDomainId *dom, GError **error)
{
    return pause_or_resume(drv, dom, TRUE, error);
}

gboolean
armz_driver_resume(ArmzDriver *drv, const ArmzDomainId *dom, GError **error)
{
    return pause_or_resume(drv, dom, FALSE, error);
}

gboolean
armz_driver_has_autodestroy(ArmzDriver *drv, guint64 client_id)
{
    g_autoptr(GPtrArray) all = armz_domain_list_collect(drv->domains);
    gboolean found = FALSE;

    for (guint i = 0; i < all->len && !found; i++) {
        ArmzDomainObj *obj = g_ptr_array_index(all, i);
        ArmzDomainRun *run;
        g_mutex_lock(&obj->lock);
        run = obj->priv;
        found = run && run->autodestroy_client == client_id;
        g_mutex_unlock(&obj->lock);
    }
    return found;
}

void
armz_driver_autodestroy(ArmzDriver *drv, guint64 client_id)
{
    g_autoptr(GPtrArray) all = armz_domain_list_collect(drv->domains);

    for (guint i = 0; i < all->len; i++) {
        ArmzDomainObj *obj = g_ptr_array_index(all, i);
        ArmzDomainRun *run;
        g_autoptr(GError) err = NULL;

        g_mutex_lock(&obj->lock);
        armz_domain_obj_begin_job_wait(obj, "autodestroy");
        run = obj->priv;
        if (run && run->autodestroy_client == client_id &&
            !armz_process_kill_and_stop(drv, obj, FALSE, VIR_DOMAIN_SHUTOFF_DESTROYED,
                                        VIR_DOMAIN_EVENT_STOPPED_DESTROYED, &err))
            armz_err("cannot destroy domain '%s' of a closed connection: %s", obj->name,
                     err->message);
        end(drv, obj);
    }
}

void
armz_driver_autostart(ArmzDriver *drv, GCancellable *cancel)
{
    g_autoptr(GPtrArray) all = armz_domain_list_collect(drv->domains);

    for (guint i = 0; i < all->len && !g_cancellable_is_cancelled(cancel); i++) {
        ArmzDomainObj *obj = g_ptr_array_index(all, i);
        g_autoptr(GError) err = NULL;
        gboolean want;

        g_mutex_lock(&obj->lock);
        want = obj->autostart && !armz_domain_obj_is_active(obj);
        g_mutex_unlock(&obj->lock);
        if (want && !start(drv, obj, 0, 0, &err))
            armz_err("cannot autostart domain '%s': %s", obj->name, err->message);
    }
}

guint
armz_driver_active_count(ArmzDriver *drv)
{
    g_autoptr(GPtrArray) all = armz_domain_list_collect(drv->domains);
    guint n = 0;

    for (guint i = 0; i < all->len; i++) {
        ArmzDomainObj *obj = g_ptr_array_index(all, i);
        g_mutex_lock(&obj->lock);
        n += armz_domain_obj_is_active(obj) ? 1 : 0;
        g_mutex_unlock(&obj->lock);
    }
    return n;
}
