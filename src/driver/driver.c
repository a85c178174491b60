#include <string.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/log.h"
#include "driver/pci_address.h"
#include "driver/domain_store.h"
#include "driver/driver_priv.h"
#include "driver/nvram.h"
#include "driver/process.h"

static void
load_one(ArmzDomainDef *def, gboolean autostart, gpointer opaque)
{
    ArmzDriver *drv = opaque;
    g_autoptr(GError) error = NULL;
    g_autoptr(ArmzDomainObj) obj = NULL;
    gboolean existing;
    const char *name = def->name;

    obj = armz_domain_list_add(drv->domains, def, &existing, &error);
    if (!obj || existing) {
        armz_err("skipping domain config for '%s': %s", name,
                 error ? error->message : _("duplicate definition"));
        armz_domain_def_free(def);
        return;
    }
    g_mutex_lock(&obj->lock);
    obj->persistent = TRUE;
    obj->autostart = autostart;
    armz_domain_obj_end_job(obj);
    g_mutex_unlock(&obj->lock);
}

ArmzDriver *
armz_driver_new(const ArmzPaths *paths, const ArmzDriverConfig *cfg, GError **error)
{
    ArmzDriver *drv = g_new0(ArmzDriver, 1);

    /* The layout is a pure function of root and privilege. */
    drv->paths = armz_paths_new(paths->root, paths->privileged);
    drv->cfg.vmm_path = g_strdup(cfg->vmm_path);
    drv->cfg.schema_dir = g_strdup(cfg->schema_dir);
    drv->cfg.seccomp = cfg->seccomp;   /* a static string */
    drv->cfg.vmm_uid = cfg->vmm_uid;
    drv->cfg.vmm_gid = cfg->vmm_gid;
    drv->cfg.kvm_profile = g_strdup(cfg->kvm_profile);
    drv->domains = armz_domain_list_new();
    drv->next_id = 1;
    drv->ctx = g_main_context_ref_thread_default();
    g_mutex_init(&drv->event_lock);
    if (!armz_paths_create(drv->paths, error)) {
        armz_driver_free(drv);
        return NULL;
    }
    armz_domain_store_load_all(drv->paths, load_one, drv);
    armz_info("loaded %u domain definitions from %s",
              armz_domain_list_count(drv->domains), drv->paths->config_dir);
    /* one thread: teardowns of VMMs that went away happen in order */
    drv->reaper = g_thread_pool_new(armz_process_reap, drv, 1, FALSE, NULL);
    armz_process_reconnect_all(drv);
    return drv;
}

void
armz_driver_free(ArmzDriver *drv)
{
    if (!drv)
        return;
    if (drv->reaper)
        g_thread_pool_free(drv->reaper, FALSE, TRUE);
    armz_domain_list_free(drv->domains);
    g_main_context_unref(drv->ctx);
    armz_paths_free(drv->paths);
    g_free(drv->cfg.vmm_path);
    g_free(drv->cfg.schema_dir);
    g_free(drv->cfg.kvm_profile);
    g_mutex_clear(&drv->event_lock);
    g_free(drv);
}

const ArmzPaths *
armz_driver_paths(ArmzDriver *drv)
{
    return drv->paths;
}

void
armz_driver_set_network_resolver(ArmzDriver *drv, ArmzResolveNetworkFunc fn, gpointer opaque)
{
    drv->resolve_network = fn;
    drv->network_opaque = opaque;
}

void
armz_driver_set_volume_resolver(ArmzDriver *drv, ArmzResolveVolumeFunc fn, gpointer opaque)
{
    drv->resolve_volume = fn;
    drv->volume_opaque = opaque;
}

void
armz_driver_set_secret_resolver(ArmzDriver *drv, ArmzResolveSecretFunc fn, gpointer opaque)
{
    drv->resolve_secret = fn;
    drv->secret_opaque = opaque;
}

void
armz_driver_set_event_sink(ArmzDriver *drv, ArmzDomainEventSink sink, gpointer opaque)
{
    g_mutex_lock(&drv->event_lock);
    drv->sink = sink;
    drv->sink_opaque = opaque;
    g_mutex_unlock(&drv->event_lock);
}

/* EV of OBJ to the sink (the daemon's clients) */
static void
emit(ArmzDriver *drv, ArmzDomainObj *obj, ArmzDomainEvent *ev)
{
    memcpy(ev->uuid, obj->uuid, sizeof(ev->uuid));
    g_mutex_lock(&drv->event_lock);
    if (drv->sink)
        drv->sink(ev, drv->sink_opaque);
    g_mutex_unlock(&drv->event_lock);
}

void
armz_driver_emit_lifecycle(ArmzDriver *drv, ArmzDomainObj *obj, int id, int event, int detail)
{
    ArmzDomainEvent ev = {
        .kind = ARMZ_DOMAIN_EVENT_LIFECYCLE,
        .name = obj->name, .id = id, .event = event, .detail = detail,
    };

    emit(drv, obj, &ev);
}

static void
emit_simple(ArmzDriver *drv, ArmzDomainObj *obj, ArmzDomainEventKind kind, int id, int event,
            int detail)
{
    ArmzDomainEvent ev = { .kind = kind, .name = obj->name, .id = id, .event = event,
                           .detail = detail };

    emit(drv, obj, &ev);
}

void
armz_driver_emit_tray_change(ArmzDriver *drv, ArmzDomainObj *obj, int id, const char *dev_alias,
                             gboolean open)
{
    ArmzDomainEvent ev = { .kind = ARMZ_DOMAIN_EVENT_TRAY_CHANGE, .name = obj->name, .id = id,
                           .dev_alias = dev_alias,
                           .tray_reason = open ? VIR_DOMAIN_EVENT_TRAY_CHANGE_OPEN
                                          : VIR_DOMAIN_EVENT_TRAY_CHANGE_CLOSE };

    emit(drv, obj, &ev);
}

/* DEVICE_ADDED, DEVICE_REMOVED or DEVICE_REMOVAL_FAILED of DEV_ALIAS */
void
armz_driver_emit_device(ArmzDriver *drv, ArmzDomainObj *obj, int id, ArmzDomainEventKind kind,
                        const char *dev_alias)
{
    ArmzDomainEvent ev = { .kind = kind, .name = obj->name, .id = id, .dev_alias = dev_alias };

    emit(drv, obj, &ev);
}

void
armz_driver_emit_io_error(ArmzDriver *drv, ArmzDomainObj *obj, int id, const char *src_path,
                          const char *dev_alias, int action, const char *reason)
{
    ArmzDomainEvent ev = {
        .kind = ARMZ_DOMAIN_EVENT_IO_ERROR, .name = obj->name, .id = id, .event = action,
        .src_path = src_path, .dev_alias = dev_alias, .reason = reason,
    };

    emit(drv, obj, &ev);
}

void
armz_driver_emit_reboot(ArmzDriver *drv, ArmzDomainObj *obj, int id)
{
    emit_simple(drv, obj, ARMZ_DOMAIN_EVENT_REBOOT, id, 0, 0);
}

void
armz_driver_emit_agent_lifecycle(ArmzDriver *drv, ArmzDomainObj *obj, int id, int state,
                                 int reason)
{
    emit_simple(drv, obj, ARMZ_DOMAIN_EVENT_AGENT_LIFECYCLE, id, state, reason);
}

void
armz_driver_set_network_leases(ArmzDriver *drv, ArmzNetworkLeasesFunc fn, gpointer opaque)
{
    drv->network_leases = fn;
    drv->leases_opaque = opaque;
}

void
armz_domain_id_clear(ArmzDomainId *id)
{
    g_clear_pointer(&id->name, g_free);
}

void
armz_domain_id_set(ArmzDomainId *out, ArmzDomainObj *obj)
{
    out->name = g_strdup(obj->name);
    memcpy(out->uuid, obj->uuid, sizeof(out->uuid));
    g_mutex_lock(&obj->lock);
    out->id = obj->id;
    g_mutex_unlock(&obj->lock);
}

ArmzDomainObj *
armz_driver_find(ArmzDriver *drv, const ArmzDomainId *dom, GError **error)
{
    ArmzDomainObj *obj = armz_domain_list_find_uuid(drv->domains, dom->uuid);

    if (!obj) {
        char str[VIR_UUID_STRING_BUFLEN];
        armz_uuid_format(dom->uuid, str);
        if (dom->name)
            g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_DOMAIN,
                        _("no domain with matching uuid '%s' (%s)"), str, dom->name);
        else
            g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_DOMAIN,
                        _("no domain with matching uuid '%s'"), str);
    }
    return obj;
}

/* Fills OUT from a lookup's result; FALSE (ERROR set) when there was none. */
static gboolean
found(ArmzDomainObj *obj, ArmzDomainId *out)
{
    if (!obj)
        return FALSE;
    armz_domain_id_set(out, obj);
    armz_domain_obj_unref(obj);
    return TRUE;
}

gboolean
armz_driver_lookup_uuid(ArmzDriver *drv, const ArmzDomainId *dom, ArmzDomainId *out,
                        GError **error)
{
    return found(armz_driver_find(drv, dom, error), out);
}

gboolean
armz_driver_lookup_name(ArmzDriver *drv, const char *name, ArmzDomainId *out, GError **error)
{
    ArmzDomainObj *obj = armz_domain_list_find_name(drv->domains, name);

    if (!obj)
        g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_DOMAIN,
                    _("no domain with matching name '%s'"), name);
    return found(obj, out);
}

gboolean
armz_driver_lookup_id(ArmzDriver *drv, int id, ArmzDomainId *out, GError **error)
{
    ArmzDomainObj *obj = armz_domain_list_find_id(drv->domains, id);

    if (!obj)
        g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_DOMAIN,
                    _("no domain with matching id %d"), id);
    return found(obj, out);
}

char *
armz_driver_schema_path(ArmzDriver *drv)
{
    return g_build_filename(drv->cfg.schema_dir, "domain.rng", NULL);
}

gboolean
armz_driver_define(ArmzDriver *drv, const char *xml, unsigned int flags, ArmzDomainId *out,
                   GError **error)
{
    g_autoptr(ArmzDomainDef) def = NULL;
    g_autoptr(ArmzDomainObj) obj = NULL;
    gboolean existing;

    if (!armz_check_flags(flags, VIR_DOMAIN_DEFINE_VALIDATE, "virDomainDefineXMLFlags", error))
        return FALSE;
    if (flags & VIR_DOMAIN_DEFINE_VALIDATE) {
        g_autofree char *rng = armz_driver_schema_path(drv);
        if (!armz_domain_xml_validate(xml, rng, error))
            return FALSE;
    }
    /* what can never run is refused now, not at start */
    if (!(def = armz_domain_def_parse(xml, error)) ||
        !armz_driver_firmware_fill(drv, def, error) ||
        !armz_domain_validate(def, error) ||
        !armz_domain_pci_assign(def, error))     /* kept in the persistent XML */
        return FALSE;

    for (;;) {
        ArmzDomainDef *parsed = def;

        obj = armz_domain_list_add(drv->domains, def, &existing, error);
        if (!obj)
            return FALSE;
        g_mutex_lock(&obj->lock);
        if (existing) {
            if (!armz_domain_obj_begin_job(obj, "virDomainDefineXMLFlags", error)) {
                g_mutex_unlock(&obj->lock);
                return FALSE;
            }
            if (obj->removed) {
                /* Undefined (or a transient one ended) while we waited:
                 * make sure it is out of the list, then add it afresh. */
                armz_domain_obj_end_job(obj);
                g_mutex_unlock(&obj->lock);
                armz_domain_list_remove(drv->domains, obj);
                g_clear_pointer(&obj, armz_domain_obj_unref);
                continue;
            }
        } else {
            g_steal_pointer(&def); /* the new object, whose job we hold, owns it */
        }
        /* Save before the in-memory switch: a failed write changes nothing.
         * PARSED cannot go away: only the job holder replaces definitions. */
        if (!armz_domain_store_save(drv->paths, parsed, error)) {
            gboolean fresh = !existing;
            armz_domain_obj_end_job(obj);
            g_mutex_unlock(&obj->lock);
            if (fresh)
                armz_domain_list_remove(drv->domains, obj);
            return FALSE;
        }
        break;
    }
    if (existing) {
        if (armz_domain_obj_is_active(obj)) {
            armz_domain_def_free(obj->newdef);
            obj->newdef = g_steal_pointer(&def);
        } else {
            armz_domain_def_free(obj->def);
            obj->def = g_steal_pointer(&def);
        }
    }
    obj->persistent = TRUE;
    armz_domain_obj_end_job(obj);
    g_mutex_unlock(&obj->lock);

    armz_driver_emit_lifecycle(drv, obj, obj->id, VIR_DOMAIN_EVENT_DEFINED,
                               existing ? VIR_DOMAIN_EVENT_DEFINED_UPDATED
                                        : VIR_DOMAIN_EVENT_DEFINED_ADDED);
    armz_domain_id_set(out, obj);
    return TRUE;
}

gboolean
armz_driver_undefine(ArmzDriver *drv, const ArmzDomainId *dom, unsigned int flags,
                     GError **error)
{
    /* No managed save, snapshots, checkpoints or TPM state exist for armz
     * domains, so those flags have nothing to remove. */
    const unsigned int allowed = VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
        VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA | VIR_DOMAIN_UNDEFINE_NVRAM |
        VIR_DOMAIN_UNDEFINE_KEEP_NVRAM | VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA |
        VIR_DOMAIN_UNDEFINE_KEEP_TPM | VIR_DOMAIN_UNDEFINE_TPM;
    g_autoptr(ArmzDomainObj) obj = NULL;
    gboolean active;
    int id;

    if (!armz_check_flags(flags, allowed, "virDomainUndefineFlags", error) ||
        !(obj = armz_driver_find(drv, dom, error)))
        return FALSE;

    g_mutex_lock(&obj->lock);
    if (!armz_domain_obj_begin_job(obj, "virDomainUndefineFlags", error)) {
        g_mutex_unlock(&obj->lock);
        return FALSE;
    }
    if (obj->removed) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_DOMAIN,
                    _("domain '%s' was undefined meanwhile"), obj->name);
        goto fail;
    }
    if (!obj->persistent) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("cannot undefine transient domain"));
        goto fail;
    }
    if (!armz_nvram_undefine(obj->newdef ? obj->newdef : obj->def, flags, error) ||
        !armz_domain_store_delete(drv->paths, obj->name, error))
        goto fail;
    obj->autostart = FALSE;
    active = armz_domain_obj_is_active(obj);
    id = obj->id;
    if (active) {
        /* A running domain stays, as a transient one, until it stops. */
        obj->persistent = FALSE;
        armz_domain_def_free(obj->newdef);
        obj->newdef = NULL;
    } else {
        /* Out of the list before the job ends: a define waiting for the
         * job finds it removed and adds the domain afresh. */
        g_mutex_unlock(&obj->lock);
        armz_domain_list_remove(drv->domains, obj);
        g_mutex_lock(&obj->lock);
    }
    armz_domain_obj_end_job(obj);
    g_mutex_unlock(&obj->lock);
    armz_driver_emit_lifecycle(drv, obj, id, VIR_DOMAIN_EVENT_UNDEFINED,
                               VIR_DOMAIN_EVENT_UNDEFINED_REMOVED);
    return TRUE;

 fail:
    armz_domain_obj_end_job(obj);
    g_mutex_unlock(&obj->lock);
    return FALSE;
}

char *
armz_driver_get_xml(ArmzDriver *drv, const ArmzDomainId *dom, unsigned int flags,
                    GError **error)
{
    g_autoptr(ArmzDomainObj) obj = NULL;
    char *xml;
    ArmzDomainDef *def;

    if (!armz_check_flags(flags, VIR_DOMAIN_XML_SECURE | VIR_DOMAIN_XML_INACTIVE |
                          VIR_DOMAIN_XML_UPDATE_CPU | VIR_DOMAIN_XML_MIGRATABLE,
                          "virDomainGetXMLDesc", error) ||
        !(obj = armz_driver_find(drv, dom, error)))
        return NULL;
    g_mutex_lock(&obj->lock);
    def = (flags & VIR_DOMAIN_XML_INACTIVE) ? armz_domain_obj_config(obj) : obj->def;
    xml = armz_domain_def_format(def, (flags & VIR_DOMAIN_XML_INACTIVE) ? -1 : obj->id, flags);
    g_mutex_unlock(&obj->lock);
    return xml;
}

gboolean
armz_driver_set_autostart(ArmzDriver *drv, const ArmzDomainId *dom, gboolean autostart,
                          GError **error)
{
    g_autoptr(ArmzDomainObj) obj = armz_driver_find(drv, dom, error);
    gboolean ok = TRUE;

    if (!obj)
        return FALSE;
    g_mutex_lock(&obj->lock);
    if (!armz_domain_obj_begin_job(obj, "virDomainSetAutostart", error)) {
        g_mutex_unlock(&obj->lock);
        return FALSE;
    }
    if (!obj->persistent || obj->removed) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("cannot set autostart for transient domain"));
        ok = FALSE;
    } else if (obj->autostart != !!autostart) {
        ok = armz_domain_store_set_autostart(drv->paths, obj->name, autostart, error);
        if (ok)
            obj->autostart = !!autostart;
    }
    armz_domain_obj_end_job(obj);
    g_mutex_unlock(&obj->lock);
    return ok;
}

/* One filter group of virConnectListAllDomains: when neither flag is given
 * the group does not filter; otherwise the object must match a given one. */
static gboolean
group_match(unsigned int flags, unsigned int yes, unsigned int no, gboolean value)
{
    if (!(flags & (yes | no)))
        return TRUE;
    return ((flags & yes) && value) || ((flags & no) && !value);
}

/* The flags virConnectListAllDomains knows. */
static const unsigned int list_all_flags =
    VIR_CONNECT_LIST_DOMAINS_ACTIVE | VIR_CONNECT_LIST_DOMAINS_INACTIVE |
    VIR_CONNECT_LIST_DOMAINS_PERSISTENT | VIR_CONNECT_LIST_DOMAINS_TRANSIENT |
    VIR_CONNECT_LIST_DOMAINS_RUNNING | VIR_CONNECT_LIST_DOMAINS_PAUSED |
    VIR_CONNECT_LIST_DOMAINS_SHUTOFF | VIR_CONNECT_LIST_DOMAINS_OTHER |
    VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE | VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE |
    VIR_CONNECT_LIST_DOMAINS_AUTOSTART | VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART |
    VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT | VIR_CONNECT_LIST_DOMAINS_NO_SNAPSHOT |
    VIR_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT | VIR_CONNECT_LIST_DOMAINS_NO_CHECKPOINT;

GPtrArray *
armz_driver_list_objs(ArmzDriver *drv, unsigned int flags, unsigned int allowed,
                      const char *func, GError **error)
{
    const unsigned int states = VIR_CONNECT_LIST_DOMAINS_RUNNING |
        VIR_CONNECT_LIST_DOMAINS_PAUSED | VIR_CONNECT_LIST_DOMAINS_SHUTOFF |
        VIR_CONNECT_LIST_DOMAINS_OTHER;
    g_autoptr(GPtrArray) all = NULL;
    GPtrArray *out;

    if (!armz_check_flags(flags, allowed, func, error))
        return NULL;
    all = armz_domain_list_collect(drv->domains);
    out = g_ptr_array_new_with_free_func((GDestroyNotify)armz_domain_obj_unref);
    for (guint i = 0; i < all->len; i++) {
        ArmzDomainObj *obj = g_ptr_array_index(all, i);
        gboolean keep;
        int st;

        g_mutex_lock(&obj->lock);
        st = obj->state;
        keep = group_match(flags, VIR_CONNECT_LIST_DOMAINS_ACTIVE,
                           VIR_CONNECT_LIST_DOMAINS_INACTIVE, armz_domain_obj_is_active(obj)) &&
               group_match(flags, VIR_CONNECT_LIST_DOMAINS_PERSISTENT,
                           VIR_CONNECT_LIST_DOMAINS_TRANSIENT, obj->persistent) &&
               group_match(flags, VIR_CONNECT_LIST_DOMAINS_AUTOSTART,
                           VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART, obj->autostart) &&
               group_match(flags, VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE,
                           VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE, FALSE) &&
               group_match(flags, VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT,
                           VIR_CONNECT_LIST_DOMAINS_NO_SNAPSHOT, FALSE) &&
               group_match(flags, VIR_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT,
                           VIR_CONNECT_LIST_DOMAINS_NO_CHECKPOINT, FALSE);
        if (keep && (flags & states)) {
            keep = ((flags & VIR_CONNECT_LIST_DOMAINS_RUNNING) && st == VIR_DOMAIN_RUNNING) ||
                   ((flags & VIR_CONNECT_LIST_DOMAINS_PAUSED) && st == VIR_DOMAIN_PAUSED) ||
                   ((flags & VIR_CONNECT_LIST_DOMAINS_SHUTOFF) && st == VIR_DOMAIN_SHUTOFF) ||
                   ((flags & VIR_CONNECT_LIST_DOMAINS_OTHER) &&
                    st != VIR_DOMAIN_RUNNING && st != VIR_DOMAIN_PAUSED &&
                    st != VIR_DOMAIN_SHUTOFF);
        }
        g_mutex_unlock(&obj->lock);
        if (keep)
            g_ptr_array_add(out, armz_domain_obj_ref(obj));
    }
    return out;
}

GArray *
armz_driver_list_all(ArmzDriver *drv, unsigned int flags, GError **error)
{
    g_autoptr(GPtrArray) objs =
        armz_driver_list_objs(drv, flags, list_all_flags, "virConnectListAllDomains", error);
    GArray *out;

    if (!objs)
        return NULL;
    out = g_array_sized_new(FALSE, TRUE, sizeof(ArmzDomainId), objs->len);
    g_array_set_clear_func(out, (GDestroyNotify)armz_domain_id_clear);
    g_array_set_size(out, objs->len);
    for (guint i = 0; i < objs->len; i++)
        armz_domain_id_set(&g_array_index(out, ArmzDomainId, i), g_ptr_array_index(objs, i));
    return out;
}
