/* Definition setters: vCPU count and metadata (see domain_config_set.h).
 * A CONFIG change is made on a copy of the persistent definition, which
 * replaces it once it validates and is saved; a LIVE one on the running
 * definition, whose status is saved. */
#include <libvirt/libvirt.h>
#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/flags.h"
#include "util/log.h"
#include "conf/domain_metadata.h"
#include "driver/domain_config_set.h"
#include "driver/domain_store.h"
#include "driver/domain_tune_api.h"
#include "driver/domain_validate.h"
#include "driver/driver_priv.h"
#include "driver/process_priv.h"

typedef gboolean (*EditFunc)(ArmzDomainDef *def, gboolean live, gconstpointer data,
                             GError **error);

static gboolean
edit_config(ArmzDriver *drv, ArmzDomainObj *obj, EditFunc fn, gconstpointer data,
            GError **error)
{
    g_autoptr(ArmzDomainDef) copy = armz_domain_def_copy(armz_domain_obj_config(obj));

    if (!copy) {
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                            _("cannot copy the domain definition"));
        return FALSE;
    }
    if (!fn(copy, FALSE, data, error) || !armz_domain_validate(copy, error) ||
        !armz_domain_store_save(drv->paths, copy, error))
        return FALSE;
    armz_domain_obj_replace_config(obj, g_steal_pointer(&copy));
    return TRUE;
}

/* FN on what FLAGS name, in libvirt's entry sequence. */
static gboolean
edit(ArmzDriver *drv, const ArmzDomainId *dom, const char *api, unsigned int flags,
     EditFunc fn, gconstpointer data, GError **error)
{
    g_autoptr(ArmzDomainObj) obj = NULL;
    g_autoptr(GError) err = NULL;
    gboolean ok = FALSE;

    if (!(obj = armz_driver_find(drv, dom, error)))
        return FALSE;
    g_mutex_lock(&obj->lock);
    if (!armz_domain_obj_begin_job(obj, api, error)) {
        g_mutex_unlock(&obj->lock);
        return FALSE;
    }
    if (armz_domain_resolve_impact(obj, &flags, error) &&
        (!(flags & VIR_DOMAIN_AFFECT_LIVE) || fn(obj->def, TRUE, data, error)) &&
        (!(flags & VIR_DOMAIN_AFFECT_CONFIG) || edit_config(drv, obj, fn, data, error)))
        ok = TRUE;
    if (ok && (flags & VIR_DOMAIN_AFFECT_LIVE) && !armz_process_status_save(drv, obj, &err))
        armz_warn("domain '%s': its status cannot be saved: %s", obj->name, err->message);
    armz_domain_obj_end_job(obj);
    g_mutex_unlock(&obj->lock);
    return ok;
}

typedef struct {
    unsigned int nvcpus;
    gboolean maximum;
} VcpuChange;

static gboolean
set_vcpus(ArmzDomainDef *def, gboolean live, gconstpointer data, GError **error)
{
    const VcpuChange *c = data;

    if (live) {
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_OPERATION_UNSUPPORTED,
                            c->maximum ? _("maximum vcpu count of a live domain can't be "
                                           "modified")
                                       : _("changing the vCPU count of a running domain "
                                           "(vCPU hotplug) is not supported by the armz "
                                           "driver"));
        return FALSE;
    }
    if (c->maximum) {
        def->vcpus = def->vcpus_current = c->nvcpus;
        return TRUE;
    }
    if (c->nvcpus > def->vcpus) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("requested vcpus is greater than max allowable vcpus for the persistent "
                      "domain: %u > %u"), c->nvcpus, def->vcpus);
        return FALSE;
    }
    def->vcpus_current = c->nvcpus;     /* below the maximum: refused by validation */
    return TRUE;
}

gboolean
armz_driver_set_vcpus_flags(ArmzDriver *drv, const ArmzDomainId *dom, unsigned int nvcpus,
                            unsigned int flags, GError **error)
{
    VcpuChange c = { nvcpus, !!(flags & VIR_DOMAIN_VCPU_MAXIMUM) };

    if (!armz_check_flags(flags, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG |
                          VIR_DOMAIN_VCPU_MAXIMUM, "virDomainSetVcpusFlags", error))
        return FALSE;
    if (nvcpus == 0) {
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                            _("argument unsupported: nvcpus must not be zero"));
        return FALSE;
    }
    return edit(drv, dom, "virDomainSetVcpusFlags", flags & ~VIR_DOMAIN_VCPU_MAXIMUM,
                set_vcpus, &c, error);
}

typedef struct {
    int type;
    const char *metadata, *key, *uri;
} MetadataChange;

static gboolean
set_metadata(ArmzDomainDef *def, gboolean live, gconstpointer data, GError **error)
{
    const MetadataChange *c = data;
    const char *text = c->metadata && *c->metadata ? c->metadata : NULL;

    switch (c->type) {
    case VIR_DOMAIN_METADATA_DESCRIPTION:
        g_free(def->description);
        def->description = g_strdup(text);
        return TRUE;
    case VIR_DOMAIN_METADATA_TITLE:
        g_free(def->title);
        def->title = g_strdup(text);
        return TRUE;
    case VIR_DOMAIN_METADATA_ELEMENT:
        if (!c->uri) {
            g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                                _("invalid argument: uri must not be NULL"));
            return FALSE;
        }
        return armz_domain_metadata_set(def, text, c->key, c->uri, error);
    default:
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                            _("unknown metadata type"));
        return FALSE;
    }
}

gboolean
armz_driver_set_metadata(ArmzDriver *drv, const ArmzDomainId *dom, int type,
                         const char *metadata, const char *key, const char *uri,
                         unsigned int flags, GError **error)
{
    MetadataChange c = { type, metadata, key, uri };

    if (!armz_check_flags(flags, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG,
                          "virDomainSetMetadata", error))
        return FALSE;
    return edit(drv, dom, "virDomainSetMetadata", flags, set_metadata, &c, error);
}

char *
armz_driver_get_metadata(ArmzDriver *drv, const ArmzDomainId *dom, int type,
                         const char *uri, unsigned int flags, GError **error)
{
    g_autoptr(ArmzDomainObj) obj = NULL;
    const ArmzDomainDef *def;
    char *out = NULL;

    if (!armz_check_flags(flags, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG,
                          "virDomainGetMetadata", error) ||
        !(obj = armz_driver_find(drv, dom, error)))
        return NULL;
    g_mutex_lock(&obj->lock);
    if (!armz_domain_resolve_impact(obj, &flags, error)) {
        g_mutex_unlock(&obj->lock);
        return NULL;
    }
    def = (flags & VIR_DOMAIN_AFFECT_CONFIG) ? armz_domain_obj_config(obj) : obj->def;
    switch (type) {
    case VIR_DOMAIN_METADATA_DESCRIPTION:
        out = g_strdup(def->description);
        break;
    case VIR_DOMAIN_METADATA_TITLE:
        out = g_strdup(def->title);
        break;
    case VIR_DOMAIN_METADATA_ELEMENT:
        out = armz_domain_metadata_get(def, uri);
        break;
    default:
        g_mutex_unlock(&obj->lock);
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG, _("unknown metadata type"));
        return NULL;
    }
    g_mutex_unlock(&obj->lock);
    if (!out)
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_NO_DOMAIN_METADATA,
                            _("Requested metadata element is not present"));
    return out;
}

/* The checks of libvirt's virDomainObjListRename on OBJ (locked, its job
 * held). */
static gboolean
can_rename(ArmzDomainObj *obj, const char *new_name, GError **error)
{
    if (obj->removed)
        g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_DOMAIN,
                    _("domain '%s' was undefined meanwhile"), obj->name);
    else if (armz_domain_obj_is_active(obj))
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                            _("cannot rename active domain"));
    else if (!obj->persistent)
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                            _("cannot rename a transient domain"));
    else if (g_str_equal(obj->name, new_name))
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                            _("Can't rename domain to itself"));
    else
        return TRUE;
    return FALSE;
}

gboolean
armz_driver_rename(ArmzDriver *drv, const ArmzDomainId *dom, const char *new_name,
                   unsigned int flags, ArmzDomainId *out, GError **error)
{
    g_autoptr(ArmzDomainObj) obj = NULL, other = NULL, renamed = NULL;
    g_autoptr(ArmzDomainDef) def = NULL;
    g_autoptr(GError) err = NULL;
    gboolean existing = FALSE, autostart;

    if (!armz_check_flags(flags, 0, "virDomainRename", error))
        return FALSE;
    if (!new_name) {
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                            _("new_name in virDomainRename must not be NULL"));
        return FALSE;
    }
    if (!armz_domain_name_check(new_name, error) || !(obj = armz_driver_find(drv, dom, error)))
        return FALSE;
    g_mutex_lock(&obj->lock);
    if (!armz_domain_obj_begin_job(obj, "virDomainRename", error)) {
        g_mutex_unlock(&obj->lock);
        return FALSE;
    }
    if (!can_rename(obj, new_name, error))
        goto fail;
    def = armz_domain_def_copy(armz_domain_obj_config(obj));
    g_free(def->name);
    def->name = g_strdup(new_name);
    autostart = obj->autostart;
    /* the list's lock comes before an object's: the job keeps OBJ ours */
    g_mutex_unlock(&obj->lock);
    if ((other = armz_domain_list_find_name(drv->domains, new_name))) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("domain with name '%s' already exists"), new_name);
        g_mutex_lock(&obj->lock);
        goto fail;
    }
    if (!armz_domain_store_save(drv->paths, def, error)) {
        g_mutex_lock(&obj->lock);
        goto fail;
    }
    /* a new object under the new name, the old one out of the list; a
     * define of the new name in between wins, and the rename fails */
    armz_domain_list_remove(drv->domains, obj);
    if (!(renamed = armz_domain_list_add(drv->domains, def, &existing, error)) || existing) {
        if (existing) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                        _("domain with name '%s' already exists"), new_name);
        } else {
            armz_domain_store_delete(drv->paths, new_name, NULL);
        }
        def = armz_domain_def_copy(armz_domain_obj_config(obj));
        g_clear_pointer(&renamed, armz_domain_obj_unref);
        /* the old name back, as a new object */
        if ((renamed = armz_domain_list_add(drv->domains, g_steal_pointer(&def), &existing,
                                            NULL)) && !existing) {
            g_mutex_lock(&renamed->lock);
            renamed->persistent = TRUE;
            renamed->autostart = autostart;
            armz_domain_obj_end_job(renamed);
            g_mutex_unlock(&renamed->lock);
        }
        g_mutex_lock(&obj->lock);
        goto fail;
    }
    g_steal_pointer(&def);
    if (!armz_domain_store_delete(drv->paths, obj->name, &err))
        armz_warn("renamed domain '%s': its old definition stays: %s", obj->name, err->message);
    g_clear_error(&err);
    if (autostart && !armz_domain_store_set_autostart(drv->paths, new_name, TRUE, &err))
        armz_warn("renamed domain '%s' loses its autostart: %s", new_name, err->message);
    g_mutex_lock(&renamed->lock);
    renamed->persistent = TRUE;
    renamed->autostart = autostart && !err;
    armz_domain_obj_end_job(renamed);
    g_mutex_unlock(&renamed->lock);
    g_mutex_lock(&obj->lock);
    armz_domain_obj_end_job(obj);
    g_mutex_unlock(&obj->lock);
    armz_driver_emit_lifecycle(drv, obj, -1, VIR_DOMAIN_EVENT_UNDEFINED,
                               VIR_DOMAIN_EVENT_UNDEFINED_RENAMED);
    armz_driver_emit_lifecycle(drv, renamed, -1, VIR_DOMAIN_EVENT_DEFINED,
                               VIR_DOMAIN_EVENT_DEFINED_RENAMED);
    armz_domain_id_set(out, renamed);
    return TRUE;
fail:
    armz_domain_obj_end_job(obj);
    g_mutex_unlock(&obj->lock);
    return FALSE;
}
