/* virDomainGetFSInfo (virsh domfsinfo): the guest's mounted file systems
 * from guest-get-fsinfo, each with the aliases (target names, "vda") of the
 * domain's disks it sits on. The agent names a disk by its PCI address,
 * serial or device node; libvirt matches the PCI address, and a guest on
 * virtio-mmio has none, so the serial and then the node's name (/dev/vda
 * is target vda: the order both sides give virtio disks) are tried too. */
#include <string.h>
#include <libvirt/libvirt.h>
#include <yajl/yajl_tree.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/flags.h"
#include "driver/domain_agent.h"
#include "driver/driver_priv.h"

/* What the agent's answer is matched against, copied from the live
 * definition before the call (which takes the domain's job). */
struct _ArmzAgentDiskKey {
    char *target;
    char *serial;
    gboolean pci;
    guint64 bus, slot, function;
};
typedef ArmzAgentDiskKey DiskKey;

static void
disk_key_free(gpointer p)
{
    DiskKey *k = p;

    g_free(k->target);
    g_free(k->serial);
    g_free(k);
}

void
armz_fsinfo_free(ArmzFsInfo *fs)
{
    if (!fs)
        return;
    g_free(fs->mountpoint);
    g_free(fs->name);
    g_free(fs->fstype);
    g_ptr_array_unref(fs->dev_aliases);
    g_free(fs);
}

static gboolean
addr_num(const ArmzDomainAddressDef *a, const char *name, guint64 *v)
{
    const char *s = armz_domain_address_attr(a, name);

    *v = 0;
    return !s || g_ascii_string_to_unsigned(s, 0, 0, G_MAXUINT32, v, NULL);
}

GPtrArray *
armz_agent_disk_keys(ArmzDriver *drv, const ArmzDomainId *dom, GError **error)
{
    g_autoptr(ArmzDomainObj) obj = armz_driver_find(drv, dom, error);
    GPtrArray *keys;

    if (!obj)
        return NULL;
    keys = g_ptr_array_new_with_free_func(disk_key_free);
    g_mutex_lock(&obj->lock);
    for (guint i = 0; i < obj->def->disks->len; i++) {
        const ArmzDomainDiskDef *d = g_ptr_array_index(obj->def->disks, i);
        DiskKey *k = g_new0(DiskKey, 1);

        k->target = g_strdup(d->target_dev);
        k->serial = g_strdup(d->serial);
        k->pci = d->address && g_strcmp0(d->address->type, "pci") == 0 &&
                 addr_num(d->address, "bus", &k->bus) && addr_num(d->address, "slot", &k->slot) &&
                 addr_num(d->address, "function", &k->function);
        g_ptr_array_add(keys, k);
    }
    g_mutex_unlock(&obj->lock);
    return keys;
}

static yajl_val
get(yajl_val obj, const char *key, yajl_type type)
{
    const char *path[] = { key, NULL };
    return obj ? yajl_tree_get(obj, path, type) : NULL;
}

static gboolean
int_is(yajl_val obj, const char *key, guint64 want)
{
    yajl_val v = get(obj, key, yajl_t_number);
    return v && YAJL_IS_INTEGER(v) && YAJL_GET_INTEGER(v) >= 0 &&
           (guint64)YAJL_GET_INTEGER(v) == want;
}

const char *
armz_agent_match_disk(const GPtrArray *keys, yajl_val disk)
{
    yajl_val pci = get(disk, "pci-controller", yajl_t_object);
    yajl_val serial = get(disk, "serial", yajl_t_string);
    yajl_val dev = get(disk, "dev", yajl_t_string);

    for (guint i = 0; pci && i < keys->len; i++) {
        const DiskKey *k = g_ptr_array_index(keys, i);
        if (k->pci && int_is(pci, "domain", 0) && int_is(pci, "bus", k->bus) &&
            int_is(pci, "slot", k->slot) && int_is(pci, "function", k->function))
            return k->target;
    }
    for (guint i = 0; serial && i < keys->len; i++) {
        const DiskKey *k = g_ptr_array_index(keys, i);
        if (k->serial && g_strcmp0(k->serial, YAJL_GET_STRING(serial)) == 0)
            return k->target;
    }
    if (dev && YAJL_GET_STRING(dev) && g_str_has_prefix(YAJL_GET_STRING(dev), "/dev/")) {
        const char *node = YAJL_GET_STRING(dev) + strlen("/dev/");
        for (guint i = 0; i < keys->len; i++) {
            const DiskKey *k = g_ptr_array_index(keys, i);
            if (g_strcmp0(k->target, node) == 0)
                return k->target;
        }
    }
    return NULL;
}

static gboolean
has_str(const GPtrArray *a, const char *s)
{
    for (guint i = 0; i < a->len; i++)
        if (g_str_equal(g_ptr_array_index(a, i), s))
            return TRUE;
    return FALSE;
}

GPtrArray *
armz_driver_get_fsinfo(ArmzDriver *drv, const ArmzDomainId *dom, unsigned int flags,
                       GError **error)
{
    g_autoptr(GPtrArray) keys = NULL;
    g_autofree char *reply = NULL;
    GPtrArray *out;
    yajl_val v;

    if (!armz_check_flags(flags, 0, "virDomainGetFSInfo", error) ||
        !(keys = armz_agent_disk_keys(drv, dom, error)) ||
        !armz_driver_agent_call(drv, dom, "virDomainGetFSInfo", "guest-get-fsinfo", NULL,
                                ARMZ_AGENT_REPLY, &reply, error))
        return NULL;
    if (!(v = yajl_tree_parse(reply, NULL, 0)) || !YAJL_IS_ARRAY(v)) {
        if (v)
            yajl_tree_free(v);
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                            _("guest-get-fsinfo reply was missing return data"));
        return NULL;
    }
    out = g_ptr_array_new_with_free_func((GDestroyNotify)armz_fsinfo_free);
    for (size_t i = 0; i < v->u.array.len; i++) {
        yajl_val e = v->u.array.values[i];
        yajl_val mp = get(e, "mountpoint", yajl_t_string), name = get(e, "name", yajl_t_string);
        yajl_val type = get(e, "type", yajl_t_string), disks = get(e, "disk", yajl_t_array);
        ArmzFsInfo *fs;

        if (!mp || !name || !type)
            continue;
        fs = g_new0(ArmzFsInfo, 1);
        fs->mountpoint = g_strdup(YAJL_GET_STRING(mp));
        fs->name = g_strdup(YAJL_GET_STRING(name));
        fs->fstype = g_strdup(YAJL_GET_STRING(type));
        fs->dev_aliases = g_ptr_array_new_with_free_func(g_free);
        for (size_t j = 0; disks && j < disks->u.array.len; j++) {
            const char *t = armz_agent_match_disk(keys, disks->u.array.values[j]);
            if (t && !has_str(fs->dev_aliases, t))
                g_ptr_array_add(fs->dev_aliases, g_strdup(t));
        }
        g_ptr_array_add(out, fs);
    }
    yajl_tree_free(v);
    return out;
}
