/* Domain configuration procedures: lookups, define/undefine, XML, info. */
#include <string.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "driver/lifecycle.h"
#include "daemon/daemon.h"

void
armz_remote_make_domain(armz_nonnull_domain *out, ArmzDomainObj *obj)
{
    out->name = g_strdup(obj->name);
    memcpy(out->uuid, obj->uuid, sizeof(out->uuid));
    g_mutex_lock(&obj->lock);
    out->id = obj->id;
    g_mutex_unlock(&obj->lock);
}

/* Domains on the wire are identified by UUID, as libvirt's daemon does. */
ArmzDomainObj *
armz_remote_get_domain(const armz_nonnull_domain *dom, GError **error)
{
    return armz_driver_lookup_uuid(armz_daemon->driver, (const unsigned char *)dom->uuid,
                                   dom->name, error);
}

#define DOM_ARGS(a) (&((armz_domain_args *)(a))->dom)

static gboolean
h_lookup_by_name(ArmzClient *client, void *a, void *r, GError **error)
{
    g_autoptr(ArmzDomainObj) obj =
        armz_driver_lookup_name(armz_daemon->driver,
                                ((armz_domain_lookup_by_name_args *)a)->name, error);
    if (!obj)
        return FALSE;
    armz_remote_make_domain(&((armz_domain_ret *)r)->dom, obj);
    return TRUE;
}

static gboolean
h_lookup_by_uuid(ArmzClient *client, void *a, void *r, GError **error)
{
    g_autoptr(ArmzDomainObj) obj =
        armz_driver_lookup_uuid(armz_daemon->driver,
                                (unsigned char *)((armz_domain_lookup_by_uuid_args *)a)->uuid,
                                NULL, error);
    if (!obj)
        return FALSE;
    armz_remote_make_domain(&((armz_domain_ret *)r)->dom, obj);
    return TRUE;
}

static gboolean
h_lookup_by_id(ArmzClient *client, void *a, void *r, GError **error)
{
    g_autoptr(ArmzDomainObj) obj =
        armz_driver_lookup_id(armz_daemon->driver, ((armz_domain_lookup_by_id_args *)a)->id, error);
    if (!obj)
        return FALSE;
    armz_remote_make_domain(&((armz_domain_ret *)r)->dom, obj);
    return TRUE;
}

static gboolean
define_common(const char *xml, unsigned int flags, void *r, GError **error)
{
    g_autoptr(ArmzDomainObj) obj = armz_driver_define(armz_daemon->driver, xml, flags, error);

    if (!obj)
        return FALSE;
    armz_remote_make_domain(&((armz_domain_ret *)r)->dom, obj);
    return TRUE;
}

static gboolean
h_define_xml(ArmzClient *client, void *a, void *r, GError **error)
{
    return define_common(((armz_domain_define_xml_args *)a)->xml, 0, r, error);
}

static gboolean
h_define_xml_flags(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_define_xml_flags_args *args = a;
    return define_common(args->xml, args->flags, r, error);
}

static gboolean
undefine_common(const armz_nonnull_domain *dom, unsigned int flags, GError **error)
{
    g_autoptr(ArmzDomainObj) obj = armz_remote_get_domain(dom, error);

    return obj && armz_driver_undefine(armz_daemon->driver, obj, flags, error);
}

static gboolean
h_undefine(ArmzClient *client, void *a, void *r, GError **error)
{
    return undefine_common(DOM_ARGS(a), 0, error);
}

static gboolean
h_undefine_flags(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_flags_args *args = a;
    return undefine_common(&args->dom, args->flags, error);
}

static gboolean
h_get_xml_desc(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_flags_args *args = a;
    g_autoptr(ArmzDomainObj) obj = armz_remote_get_domain(&args->dom, error);
    char *xml;

    if (!obj || !(xml = armz_driver_get_xml(armz_daemon->driver, obj, args->flags, error)))
        return FALSE;
    ((armz_string_ret *)r)->str = xml;
    return TRUE;
}

/* The many "read one number of a domain" procedures. */
typedef guint64 (*ObjField)(ArmzDomainObj *obj);

static gboolean
read_field(void *a, ObjField field, guint64 *value, GError **error)
{
    g_autoptr(ArmzDomainObj) obj = armz_remote_get_domain(DOM_ARGS(a), error);

    if (!obj)
        return FALSE;
    g_mutex_lock(&obj->lock);
    *value = field(obj);
    g_mutex_unlock(&obj->lock);
    return TRUE;
}

static guint64 f_autostart(ArmzDomainObj *o) { return o->autostart; }
static guint64 f_vcpus(ArmzDomainObj *o) { return o->def->vcpus; }
static guint64 f_active(ArmzDomainObj *o) { return armz_domain_obj_is_active(o); }
static guint64 f_persistent(ArmzDomainObj *o) { return o->persistent; }
static guint64 f_updated(ArmzDomainObj *o) { return o->newdef != NULL; }
static guint64 f_max_memory(ArmzDomainObj *o) { return o->def->memory_kib; }

#define INT_GETTER(fn, field) \
    static gboolean fn(ArmzClient *client, void *a, void *r, GError **error) \
    { \
        guint64 v; \
        if (!read_field(a, field, &v, error)) \
            return FALSE; \
        ((armz_int_ret *)r)->value = (int)v; \
        return TRUE; \
    }

INT_GETTER(h_get_autostart, f_autostart)
INT_GETTER(h_get_max_vcpus, f_vcpus)
INT_GETTER(h_is_active, f_active)
INT_GETTER(h_is_persistent, f_persistent)
INT_GETTER(h_is_updated, f_updated)

static gboolean
h_get_max_memory(ArmzClient *client, void *a, void *r, GError **error)
{
    return read_field(a, f_max_memory, &((armz_uhyper_ret *)r)->value, error);
}

static gboolean
h_set_autostart(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_set_autostart_args *args = a;
    g_autoptr(ArmzDomainObj) obj = armz_remote_get_domain(&args->dom, error);

    return obj && armz_driver_set_autostart(armz_daemon->driver, obj, args->autostart, error);
}

static gboolean
h_get_info(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_get_info_ret *ret = r;
    g_autoptr(ArmzDomainObj) obj = armz_remote_get_domain(DOM_ARGS(a), error);

    if (!obj)
        return FALSE;
    g_mutex_lock(&obj->lock);
    ret->state = obj->state;
    ret->max_mem = obj->def->memory_kib;
    ret->memory = obj->def->current_memory_kib;
    ret->nr_virt_cpu = obj->def->vcpus;
    ret->cpu_time = armz_driver_domain_cpu_time(obj);   /* 0 while inactive */
    g_mutex_unlock(&obj->lock);
    return TRUE;
}

static gboolean
h_get_state(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_flags_args *args = a;
    armz_domain_get_state_ret *ret = r;
    g_autoptr(ArmzDomainObj) obj = NULL;

    if (!armz_check_flags(args->flags, 0, "virDomainGetState", error) ||
        !(obj = armz_remote_get_domain(&args->dom, error)))
        return FALSE;
    g_mutex_lock(&obj->lock);
    ret->state = obj->state;
    ret->reason = obj->reason;
    g_mutex_unlock(&obj->lock);
    return TRUE;
}

static gboolean
h_get_os_type(ArmzClient *client, void *a, void *r, GError **error)
{
    g_autoptr(ArmzDomainObj) obj = armz_remote_get_domain(DOM_ARGS(a), error);

    if (!obj)
        return FALSE;
    g_mutex_lock(&obj->lock);
    ((armz_string_ret *)r)->str = g_strdup(obj->def->os_type ? obj->def->os_type : "hvm");
    g_mutex_unlock(&obj->lock);
    return TRUE;
}

static gboolean
h_get_vcpus_flags(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_flags_args *args = a;
    g_autoptr(ArmzDomainObj) obj = NULL;

    if (!armz_check_flags(args->flags, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG |
                          VIR_DOMAIN_VCPU_MAXIMUM | VIR_DOMAIN_VCPU_GUEST,
                          "virDomainGetVcpusFlags", error) ||
        !(obj = armz_remote_get_domain(&args->dom, error)))
        return FALSE;
    if (args->flags & VIR_DOMAIN_VCPU_GUEST) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_ARGUMENT_UNSUPPORTED,
                    _("querying vCPUs from the guest agent is not supported"));
        return FALSE;
    }
    g_mutex_lock(&obj->lock);
    ((armz_int_ret *)r)->value =
        (args->flags & VIR_DOMAIN_AFFECT_CONFIG) ? armz_domain_obj_config(obj)->vcpus
                                                 : obj->def->vcpus;
    g_mutex_unlock(&obj->lock);
    return TRUE;
}

static gboolean
h_has_managed_save(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_flags_args *args = a;
    g_autoptr(ArmzDomainObj) obj = NULL;

    if (!armz_check_flags(args->flags, 0, "virDomainHasManagedSaveImage", error) ||
        !(obj = armz_remote_get_domain(&args->dom, error)))
        return FALSE;
    ((armz_int_ret *)r)->value = 0; /* armz keeps no managed save images */
    return TRUE;
}

static gboolean
h_list_all(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_connect_list_all_domains_args *args = a;
    armz_connect_list_all_domains_ret *ret = r;
    g_autoptr(GPtrArray) list = armz_driver_list_all(armz_daemon->driver, args->flags, error);

    if (!list)
        return FALSE;
    if (list->len > ARMZ_DOMAIN_LIST_MAX) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_RPC,
                    _("too many domains (%u) for one reply"), list->len);
        return FALSE;
    }
    if (args->need_results) {
        ret->domains.domains_len = list->len;
        ret->domains.domains_val = g_new0(armz_nonnull_domain, list->len);
        for (guint i = 0; i < list->len; i++)
            armz_remote_make_domain(&ret->domains.domains_val[i], g_ptr_array_index(list, i));
    }
    ret->ret = list->len;
    return TRUE;
}

static gboolean
h_num_of_domains(ArmzClient *client, void *a, void *r, GError **error)
{
    g_autoptr(GPtrArray) list =
        armz_driver_list_all(armz_daemon->driver, VIR_CONNECT_LIST_DOMAINS_ACTIVE, error);

    if (!list)
        return FALSE;
    ((armz_int_ret *)r)->value = list->len;
    return TRUE;
}

static gboolean
h_num_of_defined(ArmzClient *client, void *a, void *r, GError **error)
{
    g_autoptr(GPtrArray) list =
        armz_driver_list_all(armz_daemon->driver, VIR_CONNECT_LIST_DOMAINS_INACTIVE, error);

    if (!list)
        return FALSE;
    ((armz_int_ret *)r)->value = list->len;
    return TRUE;
}

static gboolean
check_max(int max, GError **error)
{
    if (max < 0 || max > ARMZ_DOMAIN_LIST_MAX) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_RPC,
                    _("maximum list length %d is outside 0..%d"), max, ARMZ_DOMAIN_LIST_MAX);
        return FALSE;
    }
    return TRUE;
}

static gboolean
h_list_domains(ArmzClient *client, void *a, void *r, GError **error)
{
    int max = ((armz_connect_list_domains_args *)a)->maxids;
    armz_connect_list_domains_ret *ret = r;
    g_autoptr(GPtrArray) list = NULL;
    guint n;

    if (!check_max(max, error) ||
        !(list = armz_driver_list_all(armz_daemon->driver, VIR_CONNECT_LIST_DOMAINS_ACTIVE, error)))
        return FALSE;
    n = MIN(list->len, (guint)max);
    ret->ids.ids_len = n;
    ret->ids.ids_val = g_new0(int, MAX(n, 1));
    for (guint i = 0; i < n; i++) {
        ArmzDomainObj *obj = g_ptr_array_index(list, i);
        g_mutex_lock(&obj->lock);
        ret->ids.ids_val[i] = obj->id;
        g_mutex_unlock(&obj->lock);
    }
    return TRUE;
}

static gboolean
h_list_defined(ArmzClient *client, void *a, void *r, GError **error)
{
    int max = ((armz_connect_list_defined_domains_args *)a)->maxnames;
    armz_connect_list_defined_domains_ret *ret = r;
    g_autoptr(GPtrArray) list = NULL;
    guint n;

    if (!check_max(max, error) ||
        !(list = armz_driver_list_all(armz_daemon->driver, VIR_CONNECT_LIST_DOMAINS_INACTIVE, error)))
        return FALSE;
    n = MIN(list->len, (guint)max);
    ret->names.names_len = n;
    ret->names.names_val = g_new0(armz_nonnull_string, MAX(n, 1));
    for (guint i = 0; i < n; i++)
        ret->names.names_val[i] = g_strdup(((ArmzDomainObj *)g_ptr_array_index(list, i))->name);
    return TRUE;
}

static const ArmzProc procs[] = {
    { REMOTE_PROC_DOMAIN_DEFINE_XML, ARMZ_ARGS(armz_domain_define_xml_args),
      ARMZ_RET(armz_domain_ret), h_define_xml, 0 },
    { REMOTE_PROC_DOMAIN_GET_XML_DESC, ARMZ_ARGS(armz_domain_flags_args), ARMZ_RET(armz_string_ret),
      h_get_xml_desc, 0 },
    { REMOTE_PROC_DOMAIN_GET_AUTOSTART, ARMZ_ARGS(armz_domain_args), ARMZ_RET(armz_int_ret),
      h_get_autostart, 0 },
    { REMOTE_PROC_DOMAIN_GET_INFO, ARMZ_ARGS(armz_domain_args), ARMZ_RET(armz_domain_get_info_ret),
      h_get_info, 0 },
    { REMOTE_PROC_DOMAIN_GET_MAX_MEMORY, ARMZ_ARGS(armz_domain_args), ARMZ_RET(armz_uhyper_ret),
      h_get_max_memory, 0 },
    { REMOTE_PROC_DOMAIN_GET_MAX_VCPUS, ARMZ_ARGS(armz_domain_args), ARMZ_RET(armz_int_ret),
      h_get_max_vcpus, 0 },
    { REMOTE_PROC_DOMAIN_GET_OS_TYPE, ARMZ_ARGS(armz_domain_args), ARMZ_RET(armz_string_ret),
      h_get_os_type, 0 },
    { REMOTE_PROC_CONNECT_LIST_DEFINED_DOMAINS, ARMZ_ARGS(armz_connect_list_defined_domains_args),
      ARMZ_RET(armz_connect_list_defined_domains_ret), h_list_defined, 0 },
    { REMOTE_PROC_DOMAIN_LOOKUP_BY_ID, ARMZ_ARGS(armz_domain_lookup_by_id_args),
      ARMZ_RET(armz_domain_ret), h_lookup_by_id, 0 },
    { REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, ARMZ_ARGS(armz_domain_lookup_by_name_args),
      ARMZ_RET(armz_domain_ret), h_lookup_by_name, 0 },
    { REMOTE_PROC_DOMAIN_LOOKUP_BY_UUID, ARMZ_ARGS(armz_domain_lookup_by_uuid_args),
      ARMZ_RET(armz_domain_ret), h_lookup_by_uuid, 0 },
    { REMOTE_PROC_CONNECT_NUM_OF_DEFINED_DOMAINS, ARMZ_NOARGS, ARMZ_RET(armz_int_ret),
      h_num_of_defined, 0 },
    { REMOTE_PROC_DOMAIN_SET_AUTOSTART, ARMZ_ARGS(armz_domain_set_autostart_args), ARMZ_NORET,
      h_set_autostart, 0 },
    { REMOTE_PROC_DOMAIN_UNDEFINE, ARMZ_ARGS(armz_domain_args), ARMZ_NORET, h_undefine, 0 },
    { REMOTE_PROC_CONNECT_LIST_DOMAINS, ARMZ_ARGS(armz_connect_list_domains_args),
      ARMZ_RET(armz_connect_list_domains_ret), h_list_domains, 0 },
    { REMOTE_PROC_CONNECT_NUM_OF_DOMAINS, ARMZ_NOARGS, ARMZ_RET(armz_int_ret),
      h_num_of_domains, 0 },
    { REMOTE_PROC_DOMAIN_IS_ACTIVE, ARMZ_ARGS(armz_domain_args), ARMZ_RET(armz_int_ret),
      h_is_active, 0 },
    { REMOTE_PROC_DOMAIN_IS_PERSISTENT, ARMZ_ARGS(armz_domain_args), ARMZ_RET(armz_int_ret),
      h_is_persistent, 0 },
    { REMOTE_PROC_DOMAIN_HAS_MANAGED_SAVE_IMAGE, ARMZ_ARGS(armz_domain_flags_args),
      ARMZ_RET(armz_int_ret), h_has_managed_save, 0 },
    { REMOTE_PROC_DOMAIN_GET_VCPUS_FLAGS, ARMZ_ARGS(armz_domain_flags_args), ARMZ_RET(armz_int_ret),
      h_get_vcpus_flags, 0 },
    { REMOTE_PROC_DOMAIN_IS_UPDATED, ARMZ_ARGS(armz_domain_args), ARMZ_RET(armz_int_ret),
      h_is_updated, 0 },
    { REMOTE_PROC_DOMAIN_GET_STATE, ARMZ_ARGS(armz_domain_flags_args),
      ARMZ_RET(armz_domain_get_state_ret), h_get_state, 0 },
    { REMOTE_PROC_DOMAIN_UNDEFINE_FLAGS, ARMZ_ARGS(armz_domain_flags_args), ARMZ_NORET,
      h_undefine_flags, 0 },
    { REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS, ARMZ_ARGS(armz_connect_list_all_domains_args),
      ARMZ_RET(armz_connect_list_all_domains_ret), h_list_all, 0 },
    { REMOTE_PROC_DOMAIN_DEFINE_XML_FLAGS, ARMZ_ARGS(armz_domain_define_xml_flags_args),
      ARMZ_RET(armz_domain_ret), h_define_xml_flags, 0 },
};

void
armz_remote_domain_register(ArmzDispatcher *d)
{
    armz_dispatcher_add(d, procs, G_N_ELEMENTS(procs));
}
