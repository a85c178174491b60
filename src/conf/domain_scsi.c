/* SCSI disks after parsing, as libvirt completes them: each gets a drive
 * address (controller = index / 7, bus 0, target 0, unit = index % 7, from
 * its target name, for a narrow bus), and a domain with SCSI disks gets
 * the controller they sit on: <controller type='scsi' index='0'
 * model='virtio-scsi'> (libvirt's default model on arm 'virt'). */
#include <stdlib.h>
#include <string.h>
#include "conf/domain_parse_priv.h"

#define UNITS_PER_CONTROLLER 7

/* libvirt's disk name index: PREFIX then a..z, aa..; -1 when not one */
static gint64
name_index(const char *name)
{
    static const char *const prefixes[] = { "sd", "vd", "hd", "fd", "xvd", "ubd" };
    gint64 idx = 0;

    for (size_t i = 0; name && i < G_N_ELEMENTS(prefixes); i++) {
        const char *p = name + strlen(prefixes[i]);
        size_t n;

        if (!g_str_has_prefix(name, prefixes[i]))
            continue;
        n = strlen(p);
        if (n == 0 || n > 6)
            return -1;
        for (size_t k = 0; k < n; k++) {
            if (p[k] < 'a' || p[k] > 'z')
                return -1;
            idx = (k == 0 ? 0 : (idx + 1) * 26) + (p[k] - 'a');
        }
        return idx;
    }
    return -1;
}

static void
add_attr(ArmzDomainXmlExtra *extra, const char *name, guint value)
{
    ArmzXmlAttr *a = g_new0(ArmzXmlAttr, 1);

    a->name = g_strdup(name);
    a->value = g_strdup_printf("%u", value);
    g_ptr_array_add(extra->attrs, a);
}

const char *
armz_domain_address_attr(const ArmzDomainAddressDef *addr, const char *name)
{
    for (guint i = 0; addr && i < addr->extra.attrs->len; i++) {
        const ArmzXmlAttr *a = g_ptr_array_index(addr->extra.attrs, i);
        if (g_str_equal(a->name, name))
            return a->value;
    }
    return NULL;
}

void
armz_domain_scsi_complete(ArmzDomainDef *def)
{
    gboolean any = FALSE, have_ctrl = FALSE;

    for (guint i = 0; i < def->disks->len; i++) {
        ArmzDomainDiskDef *disk = g_ptr_array_index(def->disks, i);
        gint64 idx;

        if (!disk->target_bus || !g_str_equal(disk->target_bus, "scsi"))
            continue;
        any = TRUE;
        idx = name_index(disk->target_dev);
        if (disk->address || idx < 0)
            continue;       /* validation names a bad target */
        disk->address = g_new0(ArmzDomainAddressDef, 1);
        armz_domain_xml_extra_init(&disk->address->extra);
        disk->address->type = g_strdup("drive");
        add_attr(&disk->address->extra, "controller", (guint)(idx / UNITS_PER_CONTROLLER));
        add_attr(&disk->address->extra, "bus", 0);
        add_attr(&disk->address->extra, "target", 0);
        add_attr(&disk->address->extra, "unit", (guint)(idx % UNITS_PER_CONTROLLER));
    }
    for (guint i = 0; i < def->controllers->len; i++) {
        ArmzDomainControllerDef *c = g_ptr_array_index(def->controllers, i);

        if (!g_str_equal(c->type, "scsi"))
            continue;
        have_ctrl = TRUE;
        if (c->index < 0)
            c->index = 0;
        if (!c->model)
            c->model = g_strdup("virtio-scsi");
    }
    if (any && !have_ctrl) {
        ArmzDomainControllerDef *c = g_new0(ArmzDomainControllerDef, 1);

        c->type = g_strdup("scsi");
        c->index = 0;
        c->model = g_strdup("virtio-scsi");
        c->children = g_ptr_array_new_with_free_func(g_free);
        g_ptr_array_add(def->controllers, c);
    }
}
