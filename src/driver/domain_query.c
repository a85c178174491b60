/* Reading one domain (see domain_query.h). */
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "driver/domain_query.h"
#include "driver/driver_priv.h"
#include "driver/process.h"

/* One figure of a domain, read under its lock. */
typedef int (*ObjField)(ArmzDomainObj *obj);

static int
locked_field(ArmzDomainObj *obj, ObjField field)
{
    int v;

    g_mutex_lock(&obj->lock);
    v = field(obj);
    g_mutex_unlock(&obj->lock);
    return v;
}

static int
read_field(ArmzDriver *drv, const ArmzDomainId *dom, ObjField field, GError **error)
{
    g_autoptr(ArmzDomainObj) obj = armz_driver_find(drv, dom, error);

    return obj ? locked_field(obj, field) : -1;
}

static int f_autostart(ArmzDomainObj *o) { return o->autostart; }
static int f_vcpus(ArmzDomainObj *o) { return o->def->vcpus; }
static int f_active(ArmzDomainObj *o) { return armz_domain_obj_is_active(o); }
static int f_persistent(ArmzDomainObj *o) { return o->persistent; }
static int f_updated(ArmzDomainObj *o) { return o->newdef != NULL; }
static int f_config_vcpus(ArmzDomainObj *o) { return armz_domain_obj_config(o)->vcpus; }

int
armz_driver_get_autostart(ArmzDriver *drv, const ArmzDomainId *dom, GError **error)
{
    return read_field(drv, dom, f_autostart, error);
}

int
armz_driver_get_max_vcpus(ArmzDriver *drv, const ArmzDomainId *dom, GError **error)
{
    return read_field(drv, dom, f_vcpus, error);
}

int
armz_driver_is_active(ArmzDriver *drv, const ArmzDomainId *dom, GError **error)
{
    return read_field(drv, dom, f_active, error);
}

int
armz_driver_is_persistent(ArmzDriver *drv, const ArmzDomainId *dom, GError **error)
{
    return read_field(drv, dom, f_persistent, error);
}

int
armz_driver_is_updated(ArmzDriver *drv, const ArmzDomainId *dom, GError **error)
{
    return read_field(drv, dom, f_updated, error);
}

int
armz_driver_get_vcpus_flags(ArmzDriver *drv, const ArmzDomainId *dom, unsigned int flags,
                            GError **error)
{
    g_autoptr(ArmzDomainObj) obj = NULL;

    if (!armz_check_flags(flags, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG |
                          VIR_DOMAIN_VCPU_MAXIMUM | VIR_DOMAIN_VCPU_GUEST,
                          "virDomainGetVcpusFlags", error) ||
        !(obj = armz_driver_find(drv, dom, error)))
        return -1;
    if (flags & VIR_DOMAIN_VCPU_GUEST) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_ARGUMENT_UNSUPPORTED,
                    _("querying vCPUs from the guest agent is not supported"));
        return -1;
    }
    return locked_field(obj, (flags & VIR_DOMAIN_AFFECT_CONFIG) ? f_config_vcpus : f_vcpus);
}

int
armz_driver_has_managed_save(ArmzDriver *drv, const ArmzDomainId *dom, unsigned int flags,
                             GError **error)
{
    g_autoptr(ArmzDomainObj) obj = NULL;

    if (!armz_check_flags(flags, 0, "virDomainHasManagedSaveImage", error) ||
        !(obj = armz_driver_find(drv, dom, error)))
        return -1;
    return 0; /* armz keeps no managed save images */
}

gboolean
armz_driver_get_info(ArmzDriver *drv, const ArmzDomainId *dom, ArmzDomainInfo *out,
                     GError **error)
{
    g_autoptr(ArmzDomainObj) obj = armz_driver_find(drv, dom, error);

    if (!obj)
        return FALSE;
    g_mutex_lock(&obj->lock);
    out->state = obj->state;
    out->max_mem_kib = obj->def->memory_kib;
    out->memory_kib = obj->def->current_memory_kib;
    out->nr_virt_cpu = obj->def->vcpus;
    out->cpu_time_ns = armz_process_cpu_time(obj);
    g_mutex_unlock(&obj->lock);
    return TRUE;
}

gboolean
armz_driver_get_state(ArmzDriver *drv, const ArmzDomainId *dom, int *state, int *reason,
                      unsigned int flags, GError **error)
{
    g_autoptr(ArmzDomainObj) obj = NULL;

    if (!armz_check_flags(flags, 0, "virDomainGetState", error) ||
        !(obj = armz_driver_find(drv, dom, error)))
        return FALSE;
    g_mutex_lock(&obj->lock);
    *state = obj->state;
    *reason = obj->reason;
    g_mutex_unlock(&obj->lock);
    return TRUE;
}

char *
armz_driver_get_os_type(ArmzDriver *drv, const ArmzDomainId *dom, GError **error)
{
    g_autoptr(ArmzDomainObj) obj = armz_driver_find(drv, dom, error);
    char *type;

    if (!obj)
        return NULL;
    g_mutex_lock(&obj->lock);
    type = g_strdup(obj->def->os_type ? obj->def->os_type : "hvm");
    g_mutex_unlock(&obj->lock);
    return type;
}

gboolean
armz_driver_get_max_memory(ArmzDriver *drv, const ArmzDomainId *dom, guint64 *kib,
                           GError **error)
{
    g_autoptr(ArmzDomainObj) obj = armz_driver_find(drv, dom, error);

    if (!obj)
        return FALSE;
    g_mutex_lock(&obj->lock);
    *kib = obj->def->memory_kib;
    g_mutex_unlock(&obj->lock);
    return TRUE;
}
