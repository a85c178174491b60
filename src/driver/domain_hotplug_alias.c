/* Device aliases and finding devices by them (see domain_hotplug_priv.h). */
#include <libvirt/libvirt.h>
#include "util/armz-i18n.h"
#include "util/error.h"
#include "driver/domain_hotplug_priv.h"
#include "driver/domain_validate.h"

static gboolean
is_user_alias(const char *alias)
{
    return alias && g_str_has_prefix(alias, "ua-");
}

char *
armz_hotplug_disk_alias(const ArmzDomainDef *def, const ArmzDomainDiskDef *disk)
{
    guint64 index;
    guint unit;
    (void)def;

    if (is_user_alias(disk->alias))
        return g_strdup(disk->alias);
    if (armz_domain_disk_is_scsi(disk))
        return armz_domain_scsi_unit(disk, &unit, NULL) ? g_strdup_printf("scsi0-0-0-%u", unit)
                                                        : NULL;
    if (!armz_domain_disk_index(disk->target_dev, &index))
        return NULL;
    return g_strdup_printf("virtio-disk%" G_GUINT64_FORMAT, index);
}

/* netN: one above the highest N in use, as libvirt names a new one */
char *
armz_hotplug_net_alias(const ArmzDomainDef *def, const ArmzDomainNetDef *net)
{
    guint64 next = 0, n;

    if (is_user_alias(net->alias))
        return g_strdup(net->alias);
    for (guint i = 0; i < def->nets->len; i++) {
        const ArmzDomainNetDef *o = g_ptr_array_index(def->nets, i);
        if (o != net && o->alias && g_str_has_prefix(o->alias, "net") &&
            g_ascii_string_to_unsigned(o->alias + 3, 10, 0, G_MAXUINT, &n, NULL) && n >= next)
            next = n + 1;
    }
    return g_strdup_printf("net%" G_GUINT64_FORMAT, next);
}

void
armz_hotplug_assign_aliases(ArmzDomainDef *def)
{
    for (guint i = 0; i < def->disks->len; i++) {
        ArmzDomainDiskDef *disk = g_ptr_array_index(def->disks, i);
        char *alias = armz_hotplug_disk_alias(def, disk);

        g_free(disk->alias);
        disk->alias = alias;
    }
    /* in order, each after the ones before it: net0, net1, ... */
    for (guint i = 0; i < def->nets->len; i++)
        if (!is_user_alias(((ArmzDomainNetDef *)g_ptr_array_index(def->nets, i))->alias))
            g_clear_pointer(&((ArmzDomainNetDef *)g_ptr_array_index(def->nets, i))->alias, g_free);
    for (guint i = 0; i < def->nets->len; i++) {
        ArmzDomainNetDef *net = g_ptr_array_index(def->nets, i);
        net->alias = armz_hotplug_net_alias(def, net);
    }
}

ArmzDomainDef *
armz_hotplug_device_by_alias(const ArmzDomainDef *def, const char *alias, GError **error)
{
    g_autoptr(ArmzDomainDef) copy = armz_domain_def_copy(def);
    ArmzDomainDef *dev = armz_domain_def_new();

    /* a persistent definition has no aliases but the user's: name its
     * devices as a start would */
    if (copy)
        armz_hotplug_assign_aliases(copy);
    for (guint i = 0; copy && i < copy->disks->len; i++) {
        ArmzDomainDiskDef *d = g_ptr_array_index(copy->disks, i);
        if (g_strcmp0(d->alias, alias) == 0) {
            g_ptr_array_add(dev->disks, g_ptr_array_steal_index(copy->disks, i));
            return dev;
        }
    }
    for (guint i = 0; copy && i < copy->nets->len; i++) {
        ArmzDomainNetDef *n = g_ptr_array_index(copy->nets, i);
        if (g_strcmp0(n->alias, alias) == 0) {
            g_ptr_array_add(dev->nets, g_ptr_array_steal_index(copy->nets, i));
            return dev;
        }
    }
    armz_domain_def_free(dev);
    g_set_error(error, ARMZ_ERROR, VIR_ERR_DEVICE_MISSING, _("no device found with alias %s"),
                alias);
    return NULL;
}
