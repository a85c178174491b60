/* Domain configuration procedures: lookups, define/undefine, XML, info. */
#include <string.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "driver/domain_query.h"
#include "driver/domain_media.h"
#include "daemon/daemon.h"

void
armz_remote_make_domain(armz_nonnull_domain *out, const ArmzDomainId *id)
{
    out->name = g_strdup(id->name);
    memcpy(out->uuid, id->uuid, sizeof(out->uuid));
    out->id = id->id;
}

ArmzDomainId
armz_remote_domain_id(const armz_nonnull_domain *dom)
{
    ArmzDomainId id = { .name = dom->name, .id = dom->id };

    memcpy(id.uuid, dom->uuid, sizeof(id.uuid));
    return id;
}

#define DOM_ID(a) armz_remote_domain_id(&((armz_domain_args *)(a))->dom)
#define DRV armz_daemon->driver

/* The reply of the calls that hand a domain back. */
static gboolean
ret_domain(gboolean ok, ArmzDomainId *id, void *r)
{
    if (ok)
        armz_remote_make_domain(&((armz_domain_ret *)r)->dom, id);
    armz_domain_id_clear(id);
    return ok;
}

static gboolean
h_lookup_by_name(ArmzClient *client, void *a, void *r, GError **error)
{
    ArmzDomainId id = { 0 };
    const char *name = ((armz_domain_lookup_by_name_args *)a)->name;
    return ret_domain(armz_driver_lookup_name(DRV, name, &id, error), &id, r);
}

static gboolean
h_lookup_by_uuid(ArmzClient *client, void *a, void *r, GError **error)
{
    ArmzDomainId dom = { .id = -1 }, id = { 0 };

    memcpy(dom.uuid, ((armz_domain_lookup_by_uuid_args *)a)->uuid, sizeof(dom.uuid));
    return ret_domain(armz_driver_lookup_uuid(DRV, &dom, &id, error), &id, r);
}

static gboolean
h_lookup_by_id(ArmzClient *client, void *a, void *r, GError **error)
{
    ArmzDomainId id = { 0 };
    int want = ((armz_domain_lookup_by_id_args *)a)->id;
    return ret_domain(armz_driver_lookup_id(DRV, want, &id, error), &id, r);
}

static gboolean
h_define_xml(ArmzClient *client, void *a, void *r, GError **error)
{
    ArmzDomainId id = { 0 };
    const char *xml = ((armz_domain_define_xml_args *)a)->xml;
    return ret_domain(armz_driver_define(DRV, xml, 0, &id, error), &id, r);
}

static gboolean
h_define_xml_flags(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_define_xml_flags_args *args = a;
    ArmzDomainId id = { 0 };
    return ret_domain(armz_driver_define(DRV, args->xml, args->flags, &id, error), &id, r);
}

static gboolean
h_undefine(ArmzClient *client, void *a, void *r, GError **error)
{
    ArmzDomainId dom = DOM_ID(a);
    return armz_driver_undefine(DRV, &dom, 0, error);
}

static gboolean
h_undefine_flags(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_flags_args *args = a;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);
    return armz_driver_undefine(DRV, &dom, args->flags, error);
}

static gboolean
h_get_xml_desc(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_flags_args *args = a;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);
    char *xml = armz_driver_get_xml(DRV, &dom, args->flags, error);

    ((armz_string_ret *)r)->str = xml;
    return xml != NULL;
}

/* The many "read one number of a domain" procedures. */
typedef int (*IntQuery)(ArmzDriver *drv, const ArmzDomainId *dom, GError **error);

static gboolean
int_reply(void *a, void *r, IntQuery query, GError **error)
{
    ArmzDomainId dom = DOM_ID(a);
    int v = query(DRV, &dom, error);

    ((armz_int_ret *)r)->value = v;
    return v >= 0;
}

static gboolean
h_get_autostart(ArmzClient *client, void *a, void *r, GError **error)
{
    return int_reply(a, r, armz_driver_get_autostart, error);
}

static gboolean
h_get_max_vcpus(ArmzClient *client, void *a, void *r, GError **error)
{
    return int_reply(a, r, armz_driver_get_max_vcpus, error);
}

static gboolean
h_is_active(ArmzClient *client, void *a, void *r, GError **error)
{
    return int_reply(a, r, armz_driver_is_active, error);
}

static gboolean
h_is_persistent(ArmzClient *client, void *a, void *r, GError **error)
{
    return int_reply(a, r, armz_driver_is_persistent, error);
}

static gboolean
h_is_updated(ArmzClient *client, void *a, void *r, GError **error)
{
    return int_reply(a, r, armz_driver_is_updated, error);
}

static gboolean
h_get_max_memory(ArmzClient *client, void *a, void *r, GError **error)
{
    ArmzDomainId dom = DOM_ID(a);
    return armz_driver_get_max_memory(DRV, &dom, &((armz_uhyper_ret *)r)->value, error);
}

static gboolean
h_set_autostart(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_set_autostart_args *args = a;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);
    return armz_driver_set_autostart(DRV, &dom, args->autostart, error);
}

static gboolean
h_update_device_flags(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_update_device_flags_args *args = a;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);
    return armz_driver_update_device(DRV, &dom, args->xml, args->flags, error);
}

static gboolean
h_get_info(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_get_info_ret *ret = r;
    ArmzDomainId dom = DOM_ID(a);
    ArmzDomainInfo info;

    if (!armz_driver_get_info(DRV, &dom, &info, error))
        return FALSE;
    ret->state = info.state;
    ret->max_mem = info.max_mem_kib;
    ret->memory = info.memory_kib;
    ret->nr_virt_cpu = info.nr_virt_cpu;
    ret->cpu_time = info.cpu_time_ns;
    return TRUE;
}

static gboolean
h_get_state(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_flags_args *args = a;
    armz_domain_get_state_ret *ret = r;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);

    return armz_driver_get_state(DRV, &dom, &ret->state, &ret->reason, args->flags, error);
}

static gboolean
h_get_os_type(ArmzClient *client, void *a, void *r, GError **error)
{
    ArmzDomainId dom = DOM_ID(a);
    char *type = armz_driver_get_os_type(DRV, &dom, error);

    ((armz_string_ret *)r)->str = type;
    return type != NULL;
}

static gboolean
h_get_vcpus_flags(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_flags_args *args = a;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);
    int n = armz_driver_get_vcpus_flags(DRV, &dom, args->flags, error);

    ((armz_int_ret *)r)->value = n;
    return n >= 0;
}

static gboolean
h_has_managed_save(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_flags_args *args = a;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);
    int has = armz_driver_has_managed_save(DRV, &dom, args->flags, error);

    ((armz_int_ret *)r)->value = has;
    return has >= 0;
}

static gboolean
h_list_all(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_connect_list_all_domains_args *args = a;
    armz_connect_list_all_domains_ret *ret = r;
    g_autoptr(GArray) list = armz_driver_list_all(DRV, args->flags, error);

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
            armz_remote_make_domain(&ret->domains.domains_val[i],
                                    &g_array_index(list, ArmzDomainId, i));
    }
    ret->ret = list->len;
    return TRUE;
}

static gboolean
num_of(unsigned int flags, void *r, GError **error)
{
    g_autoptr(GArray) list = armz_driver_list_all(DRV, flags, error);

    if (!list)
        return FALSE;
    ((armz_int_ret *)r)->value = list->len;
    return TRUE;
}

static gboolean
h_num_of_domains(ArmzClient *client, void *a, void *r, GError **error)
{
    return num_of(VIR_CONNECT_LIST_DOMAINS_ACTIVE, r, error);
}

static gboolean
h_num_of_defined(ArmzClient *client, void *a, void *r, GError **error)
{
    return num_of(VIR_CONNECT_LIST_DOMAINS_INACTIVE, r, error);
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
    g_autoptr(GArray) list = NULL;
    guint n;

    if (!check_max(max, error) ||
        !(list = armz_driver_list_all(DRV, VIR_CONNECT_LIST_DOMAINS_ACTIVE, error)))
        return FALSE;
    n = MIN(list->len, (guint)max);
    ret->ids.ids_len = n;
    ret->ids.ids_val = g_new0(int, MAX(n, 1));
    for (guint i = 0; i < n; i++)
        ret->ids.ids_val[i] = g_array_index(list, ArmzDomainId, i).id;
    return TRUE;
}

static gboolean
h_list_defined(ArmzClient *client, void *a, void *r, GError **error)
{
    int max = ((armz_connect_list_defined_domains_args *)a)->maxnames;
    armz_connect_list_defined_domains_ret *ret = r;
    g_autoptr(GArray) list = NULL;
    guint n;

    if (!check_max(max, error) ||
        !(list = armz_driver_list_all(DRV, VIR_CONNECT_LIST_DOMAINS_INACTIVE, error)))
        return FALSE;
    n = MIN(list->len, (guint)max);
    ret->names.names_len = n;
    ret->names.names_val = g_new0(armz_nonnull_string, MAX(n, 1));
    for (guint i = 0; i < n; i++)
        ret->names.names_val[i] = g_strdup(g_array_index(list, ArmzDomainId, i).name);
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
    { REMOTE_PROC_DOMAIN_UPDATE_DEVICE_FLAGS, ARMZ_ARGS(armz_domain_update_device_flags_args),
      ARMZ_NORET, h_update_device_flags, 0 },
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
