/* PCI address assignment for machine virt: see pci_address.h. */
#include <string.h>
#include "driver/pci_address.h"
#include "driver/domain_validate.h"
#include "conf/xml_util.h"
#include "util/error.h"
#include "util/armz-i18n.h"

#define MAX_SLOT 31

static gboolean
is_pci_ctrl(const ArmzDomainControllerDef *c, const char *model)
{
    return g_strcmp0(c->type, "pci") == 0 && g_strcmp0(c->model, model) == 0;
}

/* a number in the address/target attribute VALUE (libvirt writes 0x..) */
static gboolean
attr_num(const char *value, guint max, guint *out)
{
    char *end = NULL;
    guint64 v;

    if (!value || !*value)
        return FALSE;
    v = g_ascii_strtoull(value, &end, 0);
    if (*end || v > max)
        return FALSE;
    *out = (guint)v;
    return TRUE;
}

static const char *
extra_attr(const ArmzDomainXmlExtra *extra, const char *name)
{
    for (guint i = 0; extra->attrs && i < extra->attrs->len; i++) {
        const ArmzXmlAttr *a = g_ptr_array_index(extra->attrs, i);
        if (g_str_equal(a->name, name))
            return a->value;
    }
    return NULL;
}

/* domain/bus/slot/function of a pci address (absent ones are 0) */
static gboolean
parse_pci_address(const char *what, const char *(*get)(const void *, const char *),
                  const void *src, guint *bus, guint *slot, guint *function, GError **error)
{
    static const char *const names[] = { "domain", "bus", "slot", "function" };
    static const guint max[] = { 0xffff, 0xff, 0x1f, 7 };
    guint v[4] = { 0, 0, 0, 0 };

    for (guint i = 0; i < 4; i++) {
        const char *s = get(src, names[i]);
        if (s && !attr_num(s, max[i], &v[i])) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_XML_ERROR,
                        _("Invalid PCI address %s '%s' of %s"), names[i], s, what);
            return FALSE;
        }
    }
    if (v[0] != 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("PCI domain 0x%04x of %s is not supported by the armz driver: only "
                      "domain 0 exists"), v[0], what);
        return FALSE;
    }
    *bus = v[1];
    *slot = v[2];
    *function = v[3];
    return TRUE;
}

static const char *
get_extra(const void *src, const char *name)
{
    return extra_attr(src, name);
}

/* SRC: the GData of an element's attributes */
static const char *
get_node(const void *src, const char *name)
{
    GData *d = (GData *)src;
    return g_datalist_get_data(&d, name);
}

/* <target chassis port/> and <address/> of a pcie-root-port controller */
static gboolean
root_port_from_xml(const ArmzDomainControllerDef *c, ArmzPciRootPort *rp, gboolean *placed,
                   gboolean *targeted, GError **error)
{
    for (guint i = 0; i < c->children->len; i++) {
        g_autoptr(GError) err = NULL;
        g_autoptr(xmlDoc) doc = armz_xml_parse(g_ptr_array_index(c->children, i), "(fragment)",
                                              &err);
        xmlNodePtr n = doc ? xmlDocGetRootElement(doc) : NULL;
        GData *attrs;
        guint bus = 0;
        gboolean ok = TRUE;

        if (!n)
            continue;
        g_datalist_init(&attrs);
        for (xmlAttrPtr a = n->properties; a; a = a->next)
            g_datalist_set_data_full(&attrs, (const char *)a->name,
                                     armz_xml_prop(n, (const char *)a->name), g_free);
        if (armz_xml_is(n, "target")) {
            const char *ch = g_datalist_get_data(&attrs, "chassis");
            const char *po = g_datalist_get_data(&attrs, "port");
            if ((ch && !attr_num(ch, 255, &rp->chassis)) || (po && !attr_num(po, 255, &rp->port))) {
                g_set_error(error, ARMZ_ERROR, VIR_ERR_XML_ERROR,
                            _("Invalid <target> of the pcie-root-port controller with "
                              "index='%d'"), c->index);
                ok = FALSE;
            }
            *targeted = ch != NULL;
        } else if (armz_xml_is(n, "address")) {
            g_autofree char *what = g_strdup_printf(_("the pcie-root-port with index='%d'"),
                                                    c->index);
            const char *type = g_datalist_get_data(&attrs, "type");
            if (g_strcmp0(type, "pci") != 0) {
                g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                            _("<address type='%s'> of %s is not supported: a root port sits "
                              "on the PCI root bus"), type ? type : "", what);
                ok = FALSE;
            } else if (!parse_pci_address(what, get_node, attrs, &bus, &rp->slot, &rp->function,
                                          error)) {
                ok = FALSE;
            } else if (bus != 0 || rp->slot == 0) {
                g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                            _("%s must be on bus 0 in a slot from 1 to 31 (armz has no "
                              "switches or bridges)"), what);
                ok = FALSE;
            }
            *placed = ok;
        }
        g_datalist_clear(&attrs);
        if (!ok)
            return FALSE;
    }
    return TRUE;
}

typedef struct {
    ArmzPciPlan *p;
    gboolean used[MAX_SLOT + 1][8];     /* root bus */
    GHashTable *busy;                   /* root-port indexes with a device */
} Ctx;

static ArmzPciRootPort *
port_by_index(ArmzPciPlan *p, guint index)
{
    for (guint i = 0; i < p->ports->len; i++) {
        ArmzPciRootPort *rp = &g_array_index(p->ports, ArmzPciRootPort, i);
        if (rp->index == index)
            return rp;
    }
    return NULL;
}

/* checks an explicit address of a device */
static gboolean
take_address(Ctx *c, const char *(*get)(const void *, const char *), const void *src,
             const char *what, ArmzPciDevAddr *out, GError **error)
{
    guint bus, slot, function;

    if (!parse_pci_address(what, get, src, &bus, &slot, &function, error))
        return FALSE;
    if (function != 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("PCI function %u of %s is not supported: armz devices are single-function"),
                    function, what);
        return FALSE;
    }
    if (bus == 0) {
        gboolean taken = slot == 0;
        for (guint f = 0; f < 8; f++)
            taken |= c->used[slot][f];
        if (taken) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_XML_ERROR,
                        _("Attempted double use of PCI Address 0000:00:%02x.0 (%s)"), slot, what);
            return FALSE;
        }
        for (guint f = 0; f < 8; f++)
            c->used[slot][f] = TRUE;
    } else {
        if (!port_by_index(c->p, bus)) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_XML_ERROR,
                        _("%s is on PCI bus 0x%02x, but there is no pcie-root-port controller "
                          "with index='%u'"), what, bus, bus);
            return FALSE;
        }
        if (slot != 0) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_XML_ERROR,
                        _("%s: a pcie-root-port has only slot 0 (0000:%02x:%02x.0 given)"), what,
                        bus, slot);
            return FALSE;
        }
        if (g_hash_table_contains(c->busy, GUINT_TO_POINTER(bus))) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_XML_ERROR,
                        _("Attempted double use of PCI Address 0000:%02x:00.0 (%s)"), bus, what);
            return FALSE;
        }
        g_hash_table_add(c->busy, GUINT_TO_POINTER(bus));
    }
    out->set = TRUE;
    out->bus = bus;
    out->slot = slot;
    return TRUE;
}

/* Root ports of the XML without an index or an address (BARE: their places
 * in def->controllers), as libvirt completes them: the next free index in
 * document order, the first free root-bus slot and function, chassis =
 * index, port = slot << 3 | function. */
static gboolean
place_bare_ports(Ctx *c, const ArmzDomainDef *def, GArray *bare, GError **error)
{
    ArmzPciPlan *p = c->p;
    guint next = 1;

    for (guint i = 0; i < def->controllers->len; i++) {
        const ArmzDomainControllerDef *ctrl = g_ptr_array_index(def->controllers, i);
        if (g_strcmp0(ctrl->type, "pci") == 0 && ctrl->index >= (int)next)
            next = (guint)ctrl->index + 1;
    }
    for (guint b = 0; b < bare->len; b++) {
        guint pos = g_array_index(bare, guint, b);
        const ArmzDomainControllerDef *ctrl = g_ptr_array_index(def->controllers, pos);
        ArmzPciRootPort rp = { 0, 0, 0, 0, 0 };
        gboolean placed = FALSE, targeted = FALSE;
        guint port_pos;

        if (ctrl->index >= 0) {
            rp.index = (guint)ctrl->index;
        } else if (next > 255) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                        _("No more PCI bus numbers for another pcie-root-port"));
            return FALSE;
        } else {
            rp.index = next++;
        }
        if (!root_port_from_xml(ctrl, &rp, &placed, &targeted, error))
            return FALSE;
        rp.hotplug_off = armz_pci_ctrl_hotplug_off(ctrl);
        if (!placed) {
            for (rp.slot = 1; rp.slot <= MAX_SLOT; rp.slot++)
                for (rp.function = 0; rp.function < 8; rp.function++)
                    if (!c->used[rp.slot][rp.function])
                        goto found;
            g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                        _("No more available PCI slots on the root bus for another "
                          "pcie-root-port"));
            return FALSE;
        }
found:
        c->used[rp.slot][rp.function] = TRUE;
        if (!targeted) {
            rp.chassis = rp.index;
            rp.port = rp.slot << 3 | rp.function;
        }
        port_pos = p->ports->len;
        g_array_append_val(p->ports, rp);
        g_array_append_val(p->placed_port, port_pos);
        g_array_append_val(p->placed_ctrl, pos);
    }
    return TRUE;
}

/* a free root port for a device without an address, added when needed */
static gboolean
auto_address(Ctx *c, ArmzPciDevAddr *out, GError **error)
{
    ArmzPciPlan *p = c->p;
    ArmzPciRootPort rp = { 0, 0, 0, 0, 0 };
    guint max_index = 0;

    for (guint i = 0; i < p->ports->len; i++) {
        ArmzPciRootPort *r = &g_array_index(p->ports, ArmzPciRootPort, i);
        max_index = MAX(max_index, r->index);
    }
    for (guint idx = 1; idx <= max_index; idx++) {
        if (port_by_index(p, idx) && !g_hash_table_contains(c->busy, GUINT_TO_POINTER(idx))) {
            rp.index = idx;
            goto found;
        }
    }
    for (rp.slot = 1; rp.slot <= MAX_SLOT; rp.slot++)
        for (rp.function = 0; rp.function < 8; rp.function++)
            if (!c->used[rp.slot][rp.function])
                goto place;
    g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                _("No more available PCI slots on the root bus for another pcie-root-port"));
    return FALSE;
place:
    if (max_index >= 255) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("No more PCI bus numbers for another pcie-root-port"));
        return FALSE;
    }
    rp.index = max_index + 1;
    rp.chassis = rp.index;
    rp.port = rp.slot << 3 | rp.function;
    c->used[rp.slot][rp.function] = TRUE;
    g_array_append_val(p->ports, rp);
found:
    g_hash_table_add(c->busy, GUINT_TO_POINTER(rp.index));
    out->set = TRUE;
    out->bus = rp.index;
    out->slot = 0;
    return TRUE;
}

static gboolean
is_mmio(const ArmzDomainAddressDef *a)
{
    return a && g_strcmp0(a->type, "virtio-mmio") == 0;
}

static gboolean
is_pci(const ArmzDomainAddressDef *a)
{
    return a && g_strcmp0(a->type, "pci") == 0;
}

/* one device: its own address or an automatic one */
static gboolean
assign_one(Ctx *c, gboolean explicit_pass, const ArmzDomainAddressDef *a, const char *what,
           ArmzPciDevAddr *out, GError **error)
{
    if (is_mmio(a)) {
        out->mmio = TRUE;
        return TRUE;
    }
    if (explicit_pass)
        return !is_pci(a) || take_address(c, get_extra, &a->extra, what, out, error);
    return out->set || auto_address(c, out, error);
}

/* The <address> child of controller CTRL: its type (NULL: none, "" when
 * it has no type), its attributes into ATTRS. */
static char *
ctrl_address(const ArmzDomainControllerDef *ctrl, GData **attrs)
{
    for (guint i = 0; i < ctrl->children->len; i++) {
        g_autoptr(xmlDoc) doc = armz_xml_parse(g_ptr_array_index(ctrl->children, i),
                                              "(fragment)", NULL);
        xmlNodePtr n = doc ? xmlDocGetRootElement(doc) : NULL;
        char *type;

        if (!n || !armz_xml_is(n, "address"))
            continue;
        for (xmlAttrPtr a = n->properties; a; a = a->next)
            g_datalist_set_data_full(attrs, (const char *)a->name,
                                     armz_xml_prop(n, (const char *)a->name), g_free);
        type = armz_xml_prop(n, "type");
        return type ? type : g_strdup("");
    }
    return NULL;
}

/* the controllers that are virtio devices (validation keeps SCSI ones to
 * virtio-scsi) */
static gboolean
is_virtio_ctrl(const ArmzDomainControllerDef *ctrl)
{
    return g_strcmp0(ctrl->type, "scsi") == 0 || g_strcmp0(ctrl->type, "virtio-serial") == 0;
}

/* a virtio controller: its own address or an automatic one */
static gboolean
assign_ctrl(Ctx *c, gboolean explicit_pass, const ArmzDomainControllerDef *ctrl,
            ArmzPciDevAddr *out, GError **error)
{
    g_autofree char *what = g_strdup_printf(_("the %s controller with index='%d'"), ctrl->type,
                                            ctrl->index);
    g_autofree char *type = NULL;
    GData *attrs;
    gboolean ok = TRUE;

    g_datalist_init(&attrs);
    type = ctrl_address(ctrl, &attrs);
    if (g_strcmp0(type, "virtio-mmio") == 0) {
        out->mmio = TRUE;
    } else if (explicit_pass && type && !g_str_equal(type, "pci")) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<address type='%s'> of %s is not supported by the armz driver: its "
                      "devices sit on virtio-mmio or PCI"), type, what);
        ok = FALSE;
    } else if (explicit_pass) {
        ok = !type || take_address(c, get_node, attrs, what, out, error);
    } else {
        ok = out->set || auto_address(c, out, error);
    }
    g_datalist_clear(&attrs);
    return ok;
}

/* a PCI address on a device of a domain without pcie-root */
static gboolean
any_pci_address(const ArmzDomainDef *def)
{
    gboolean pci = FALSE;

    for (guint i = 0; i < def->disks->len; i++)
        pci |= is_pci(((ArmzDomainDiskDef *)g_ptr_array_index(def->disks, i))->address);
    for (guint i = 0; i < def->nets->len; i++)
        pci |= is_pci(((ArmzDomainNetDef *)g_ptr_array_index(def->nets, i))->address);
    for (guint i = 0; i < def->rngs->len; i++)
        pci |= is_pci(((ArmzDomainRngDef *)g_ptr_array_index(def->rngs, i))->address);
    for (guint i = 0; i < def->filesystems->len; i++)
        pci |= is_pci(((ArmzDomainFsDef *)g_ptr_array_index(def->filesystems, i))->address);
    for (guint i = 0; i < def->controllers->len; i++) {
        const ArmzDomainControllerDef *ctrl = g_ptr_array_index(def->controllers, i);
        GData *attrs;
        g_autofree char *type = NULL;

        if (!is_virtio_ctrl(ctrl))
            continue;
        g_datalist_init(&attrs);
        type = ctrl_address(ctrl, &attrs);
        g_datalist_clear(&attrs);
        pci |= g_strcmp0(type, "pci") == 0;
    }
    pci |= def->has_memballoon && is_pci(def->memballoon.address);
    pci |= def->has_vsock && is_pci(def->vsock.address);
    return pci;
}

/* virtio-serial controller 0 of DEF, or -1 */
static int
serial_ctrl(const ArmzDomainDef *def)
{
    for (guint i = 0; i < def->controllers->len; i++) {
        const ArmzDomainControllerDef *ctrl = g_ptr_array_index(def->controllers, i);
        if (g_strcmp0(ctrl->type, "virtio-serial") == 0 && ctrl->index <= 0)
            return (int)i;
    }
    return -1;
}

/* Every device in libvirt's order (qemuDomainAssignDevicePCISlots), one
 * pass: explicit addresses (EXPLICIT_PASS) or the others. */
static gboolean
assign_pass(Ctx *c, const ArmzDomainDef *def, gboolean pass, GError **error)
{
    ArmzPciPlan *p = c->p;

    for (guint i = 0; i < def->filesystems->len; i++) {
        const ArmzDomainFsDef *fs = g_ptr_array_index(def->filesystems, i);
        g_autofree char *what = g_strdup_printf(_("<filesystem> '%s'"), fs->target_dir);
        if (!assign_one(c, pass, fs->address, what, &p->fss[i], error))
            return FALSE;
    }
    for (guint i = 0; i < def->nets->len; i++) {
        const ArmzDomainNetDef *n = g_ptr_array_index(def->nets, i);
        g_autofree char *what = g_strdup_printf(_("<interface> %u"), i + 1);
        if (!assign_one(c, pass, n->address, what, &p->nets[i], error))
            return FALSE;
    }
    for (guint i = 0; i < def->controllers->len; i++) {
        const ArmzDomainControllerDef *ctrl = g_ptr_array_index(def->controllers, i);
        if (is_virtio_ctrl(ctrl) && !assign_ctrl(c, pass, ctrl, &p->ctrls[i], error))
            return FALSE;
    }
    if (p->add_serial && !assign_one(c, pass, NULL, NULL, &p->serial, error))
        return FALSE;
    for (guint i = 0; i < def->disks->len; i++) {
        const ArmzDomainDiskDef *d = g_ptr_array_index(def->disks, i);
        g_autofree char *what = g_strdup_printf(_("<disk> '%s'"), d->target_dev);
        /* a SCSI disk sits on its controller (a drive address) */
        if (armz_domain_disk_is_scsi(d))
            continue;
        if (!assign_one(c, pass, d->address, what, &p->disks[i], error))
            return FALSE;
    }
    if (def->has_memballoon && def->memballoon.virtio &&
        !assign_one(c, pass, def->memballoon.address, _("<memballoon>"), &p->balloon, error))
        return FALSE;
    for (guint i = 0; i < def->rngs->len; i++) {
        const ArmzDomainRngDef *r = g_ptr_array_index(def->rngs, i);
        if (!assign_one(c, pass, r->address, _("<rng>"), &p->rngs[i], error))
            return FALSE;
    }
    return !def->has_vsock ||
           assign_one(c, pass, def->vsock.address, _("<vsock>"), &p->vsock, error);
}

ArmzPciPlan *
armz_pci_plan_new(const ArmzDomainDef *def, GError **error)
{
    g_autoptr(ArmzPciPlan) p = g_new0(ArmzPciPlan, 1);
    g_autoptr(GArray) bare = NULL;
    Ctx c;
    ArmzDomainChrLayout layout;
    gboolean root = FALSE;
    int sctrl;

    p->ports = g_array_new(FALSE, TRUE, sizeof(ArmzPciRootPort));
    p->placed_port = g_array_new(FALSE, FALSE, sizeof(guint));
    p->placed_ctrl = g_array_new(FALSE, FALSE, sizeof(guint));
    for (guint i = 0; i < def->controllers->len; i++) {
        const ArmzDomainControllerDef *ctrl = g_ptr_array_index(def->controllers, i);
        if (g_strcmp0(ctrl->type, "pci") == 0 && ctrl->model &&
            !is_pci_ctrl(ctrl, "pcie-root") && !is_pci_ctrl(ctrl, "pcie-root-port")) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("PCI controller model '%s' is not supported by the armz driver "
                          "(pcie-root and pcie-root-port are)"), ctrl->model);
            return NULL;
        }
    }
    p->disks = g_new0(ArmzPciDevAddr, def->disks->len + 1);
    p->nets = g_new0(ArmzPciDevAddr, def->nets->len + 1);
    p->rngs = g_new0(ArmzPciDevAddr, def->rngs->len + 1);
    p->fss = g_new0(ArmzPciDevAddr, def->filesystems->len + 1);
    p->ctrls = g_new0(ArmzPciDevAddr, def->controllers->len + 1);
    for (guint i = 0; i < def->controllers->len; i++)
        root |= is_pci_ctrl(g_ptr_array_index(def->controllers, i), "pcie-root");
    if (!root) {
        if (any_pci_address(def)) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                        _("<address type='pci'> needs <controller type='pci' model='pcie-root'/>"));
            return NULL;
        }
        return g_steal_pointer(&p);
    }
    p->active = TRUE;

    memset(&c, 0, sizeof(c));
    c.p = p;
    c.busy = g_hash_table_new(NULL, NULL);
    bare = g_array_new(FALSE, FALSE, sizeof(guint));
    /* the XML's root ports first: their places are taken */
    for (guint i = 0; i < def->controllers->len; i++) {
        const ArmzDomainControllerDef *ctrl = g_ptr_array_index(def->controllers, i);
        ArmzPciRootPort rp = { 0, 0, 0, 0, 0 };
        gboolean placed = FALSE, targeted = FALSE;

        if (!is_pci_ctrl(ctrl, "pcie-root-port"))
            continue;
        if (ctrl->index < 0) {
            /* placed below, once the given indexes and addresses are known */
            g_array_append_val(bare, i);
            continue;
        }
        if (ctrl->index < 1 || port_by_index(p, (guint)ctrl->index)) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_XML_ERROR,
                        _("pcie-root-port controller index='%d' is missing, 0 or given twice"),
                        ctrl->index);
            goto fail;
        }
        rp.index = (guint)ctrl->index;
        if (!root_port_from_xml(ctrl, &rp, &placed, &targeted, error))
            goto fail;
        rp.hotplug_off = armz_pci_ctrl_hotplug_off(ctrl);
        if (!placed) {
            g_array_append_val(bare, i);
            continue;
        }
        if (c.used[rp.slot][rp.function]) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_XML_ERROR,
                        _("Attempted double use of PCI Address 0000:00:%02x.%u"), rp.slot,
                        rp.function);
            goto fail;
        }
        c.used[rp.slot][rp.function] = TRUE;
        if (!targeted)
            rp.chassis = rp.index;
        g_array_append_val(p->ports, rp);
    }
    if (!place_bare_ports(&c, def, bare, error))
        goto fail;
    p->nports_given = p->ports->len;
    if (!armz_domain_chr_layout(def, &layout, error))
        goto fail;
    p->has_console = layout.vcon != NULL;
    sctrl = serial_ctrl(def);
    /* libvirt adds the controller the virtio console and channels sit on */
    p->add_serial = sctrl < 0 && (p->has_console || def->channels->len > 0);
    /* explicit addresses, then the others, each pass in libvirt's order */
    if (!assign_pass(&c, def, TRUE, error) || !assign_pass(&c, def, FALSE, error))
        goto fail;
    if (sctrl >= 0)
        p->serial = p->ctrls[sctrl];
    /* armz-vmm's channels beside its console: a device more */
    if (p->has_console && def->channels->len > 0) {
        if (p->serial.mmio)
            p->serial_extra.mmio = TRUE;
        else if (!auto_address(&c, &p->serial_extra, error))
            goto fail;
    }
    g_hash_table_unref(c.busy);
    return g_steal_pointer(&p);

fail:
    g_hash_table_unref(c.busy);
    return NULL;
}

static gboolean
bus_in(const ArmzPciDevAddr *a, guint n, guint bus)
{
    for (guint i = 0; i < n; i++)
        if (a[i].set && a[i].bus == bus)
            return TRUE;
    return FALSE;
}

gboolean
armz_pci_plan_bus_used(const ArmzPciPlan *p, const ArmzDomainDef *def, guint bus)
{
    return bus_in(p->disks, def->disks->len, bus) || bus_in(p->nets, def->nets->len, bus) ||
           bus_in(p->rngs, def->rngs->len, bus) ||
           bus_in(p->fss, def->filesystems->len, bus) ||
           bus_in(p->ctrls, def->controllers->len, bus) || bus_in(&p->balloon, 1, bus) ||
           bus_in(&p->vsock, 1, bus) || bus_in(&p->serial, 1, bus) ||
           bus_in(&p->serial_extra, 1, bus);
}

void
armz_pci_plan_free(ArmzPciPlan *p)
{
    if (!p)
        return;
    g_array_unref(p->ports);
    g_array_unref(p->placed_port);
    g_array_unref(p->placed_ctrl);
    g_free(p->disks);
    g_free(p->nets);
    g_free(p->rngs);
    g_free(p->fss);
    g_free(p->ctrls);
    g_free(p);
}

gboolean
armz_pci_ctrl_hotplug_off(const ArmzDomainControllerDef *ctrl)
{
    for (guint k = 0; ctrl->children && k < ctrl->children->len; k++)
        if (strstr(g_ptr_array_index(ctrl->children, k), "hotplug='off'"))
            return TRUE;
    return FALSE;
}

/* A root port's <model>, <target> and <address> as libvirt writes them
 * (HOTPLUG_OFF: the XML's <target hotplug='off'/>, kept). */
static void
root_port_children(GPtrArray *children, const ArmzPciRootPort *rp, gboolean hotplug_off)
{
    g_ptr_array_add(children, g_strdup("<model name='pcie-root-port'/>"));
    g_ptr_array_add(children, g_strdup_printf("<target chassis='%u' port='0x%x'%s/>",
                                              rp->chassis, rp->port,
                                              hotplug_off ? " hotplug='off'" : ""));
    g_ptr_array_add(children,
                    g_strdup_printf("<address type='pci' domain='0x0000' bus='0x00' "
                                    "slot='0x%02x' function='0x%x'%s/>", rp->slot,
                                    rp->function, rp->function == 0 ? " multifunction='on'" : ""));
}

/* <address type='pci' .../> of a device that had none */
static void
write_address(ArmzDomainAddressDef **addr, const ArmzPciDevAddr *a)
{
    if (!a->set || (*addr && g_strcmp0((*addr)->type, "pci") == 0))
        return;
    armz_domain_address_def_free(*addr);
    *addr = armz_domain_address_def_new_pci(a->bus, a->slot, 0);
}

/* the <address type='pci'/> child of a controller that had none */
static void
write_ctrl_address(ArmzDomainControllerDef *ctrl, const ArmzPciDevAddr *a)
{
    GData *attrs;
    g_autofree char *type = NULL;

    if (!a->set)
        return;
    g_datalist_init(&attrs);
    type = ctrl_address(ctrl, &attrs);
    g_datalist_clear(&attrs);
    if (type)
        return;     /* given: kept */
    g_ptr_array_add(ctrl->children,
                    g_strdup_printf("<address type='pci' domain='0x0000' bus='0x%02x' "
                                    "slot='0x%02x' function='0x0'/>", a->bus, a->slot));
}

gboolean
armz_domain_pci_assign(ArmzDomainDef *def, GError **error)
{
    g_autoptr(ArmzPciPlan) p = armz_pci_plan_new(def, error);

    if (!p)
        return FALSE;
    if (!p->active)
        return TRUE;
    for (guint i = 0; i < def->nets->len; i++)
        write_address(&((ArmzDomainNetDef *)g_ptr_array_index(def->nets, i))->address,
                      &p->nets[i]);
    for (guint i = 0; i < def->disks->len; i++)
        write_address(&((ArmzDomainDiskDef *)g_ptr_array_index(def->disks, i))->address,
                      &p->disks[i]);
    for (guint i = 0; i < def->rngs->len; i++)
        write_address(&((ArmzDomainRngDef *)g_ptr_array_index(def->rngs, i))->address,
                      &p->rngs[i]);
    for (guint i = 0; i < def->filesystems->len; i++)
        write_address(&((ArmzDomainFsDef *)g_ptr_array_index(def->filesystems, i))->address,
                      &p->fss[i]);
    if (def->has_memballoon)
        write_address(&def->memballoon.address, &p->balloon);
    if (def->has_vsock)
        write_address(&def->vsock.address, &p->vsock);
    for (guint i = 0; i < def->controllers->len; i++)
        write_ctrl_address(g_ptr_array_index(def->controllers, i), &p->ctrls[i]);
    for (guint i = 0; i < p->placed_port->len; i++) {
        const ArmzPciRootPort *rp = &g_array_index(p->ports, ArmzPciRootPort,
                                                   g_array_index(p->placed_port, guint, i));
        ArmzDomainControllerDef *ctrl =
            g_ptr_array_index(def->controllers, g_array_index(p->placed_ctrl, guint, i));

        /* what the XML left out, as libvirt fills it in */
        ctrl->index = (int)rp->index;
        g_ptr_array_set_size(ctrl->children, 0);
        root_port_children(ctrl->children, rp, rp->hotplug_off);
    }
    for (guint i = p->nports_given; i < p->ports->len; i++) {
        const ArmzPciRootPort *rp = &g_array_index(p->ports, ArmzPciRootPort, i);
        ArmzDomainControllerDef *ctrl = g_new0(ArmzDomainControllerDef, 1);
        ctrl->type = g_strdup("pci");
        ctrl->index = (int)rp->index;
        ctrl->model = g_strdup("pcie-root-port");
        ctrl->children = g_ptr_array_new_with_free_func(g_free);
        root_port_children(ctrl->children, rp, FALSE);
        g_ptr_array_add(def->controllers, ctrl);
    }
    if (p->add_serial) {
        ArmzDomainControllerDef *ctrl = g_new0(ArmzDomainControllerDef, 1);
        ctrl->type = g_strdup("virtio-serial");
        ctrl->index = 0;
        ctrl->children = g_ptr_array_new_with_free_func(g_free);
        write_ctrl_address(ctrl, &p->serial);
        g_ptr_array_add(def->controllers, ctrl);
    }
    return TRUE;
}
