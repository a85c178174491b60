/* PCIe hotplug of virtio devices: see hotplug.h.  A device leaves in two
 * steps: device_del presses the slot's attention button; when the guest
 * powers the slot off (from a vCPU thread, host lock held) the removal is
 * queued to the main thread, which stops the vCPUs (no vCPU is then inside
 * the device's BAR handlers), takes the function off the bus (its BARs and
 * ioeventfds go), lets the vCPUs run again and frees the device (its worker
 * thread, eventfds and backend fds). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gi18n-lib.h>
#include "pci/hotplug.h"
#include "pci/pcie_slot.h"
#include "virtio/virtio.h"
#include "virtio/tap.h"
#include "vmmlog.h"

#define ID_MAX 64

typedef struct {
    ArmzHotplug *hp;
    unsigned index;             /* libvirt's bus number: QMP "pci.INDEX" */
    unsigned devfn;             /* of the port on the root bus */
    ArmzPcieRootPort *rp;
    ArmzVirtioDev *dev;         /* in the slot, or NULL */
    int fd;                     /* a hot-added disk's image fd (ours), or -1 */
    gboolean unplugging;        /* the button was pressed for device_del */
    guint timer;                /* DEVICE_UNPLUG_GUEST_ERROR */
} Port;

struct _ArmzHotplug {
    ArmzBoard *b;
    ArmzHotplugHooks hooks;
    Port *ports;
    unsigned nports;
};

static void
port_intx(void *opaque, ArmzPcieRootPort *rp, int level)
{
    ArmzHotplug *hp = opaque;
    armz_pci_host_set_intx(hp->b->pci_host, &rp->func, level);
}

typedef struct {
    ArmzHotplug *hp;
    unsigned index;
} PowerOff;

static gboolean
power_off_main(gpointer data)
{
    PowerOff *p = data;
    armz_hotplug_power_off(p->hp, p->index);
    return G_SOURCE_REMOVE;
}

/* vCPU thread, host lock held: queued, never run here */
static void
port_power_off(void *opaque, ArmzPcieRootPort *rp)
{
    ArmzHotplug *hp = opaque;
    PowerOff *p = g_new(PowerOff, 1);
    GSource *src = g_idle_source_new();

    p->hp = hp;
    p->index = 0;
    for (unsigned i = 0; i < hp->nports; i++)
        if (hp->ports[i].rp == rp)
            p->index = hp->ports[i].index;
    g_source_set_callback(src, power_off_main, p, g_free);
    g_source_attach(src, hp->hooks.ctx);
    g_source_unref(src);
}

static const ArmzPcieSlotOps slot_ops = {
    .intx = port_intx,
    .power_off = port_power_off,
};

ArmzHotplug *
armz_hotplug_new(ArmzBoard *b, const ArmzHotplugHooks *hooks)
{
    ArmzHotplug *hp = g_new0(ArmzHotplug, 1);

    hp->b = b;
    hp->hooks = *hooks;
    if (!b->pci_host)
        return hp;
    hp->nports = b->nroot_ports;
    hp->ports = g_new0(Port, hp->nports + 1);
    for (unsigned i = 0; i < hp->nports; i++) {
        Port *p = &hp->ports[i];
        p->hp = hp;
        p->index = b->root_port_opts[i].index;
        p->devfn = b->root_port_opts[i].slot << 3 | b->root_port_opts[i].function;
        p->rp = &b->root_ports[i];
        p->fd = -1;
        armz_pci_host_lock(b->pci_host);
        armz_pcie_root_port_connect(p->rp, &slot_ops, hp, &b->msi);
        armz_pci_host_unlock(b->pci_host);
    }
    /* the cold-plugged devices below ports */
    for (unsigned i = 0; i < b->nvirtio; i++) {
        const ArmzPciAddrOpt *a = &b->pci_addr[i];
        for (unsigned j = 0; a->set && !a->off && a->bus && j < hp->nports; j++)
            if (hp->ports[j].index == a->bus)
                hp->ports[j].dev = b->virtio[i];
    }
    return hp;
}

static void
port_clear_timer(Port *p)
{
    GSource *src = p->timer ? g_main_context_find_source_by_id(p->hp->hooks.ctx, p->timer)
                            : NULL;

    if (src)
        g_source_destroy(src);
    p->timer = 0;
}

void
armz_hotplug_free(ArmzHotplug *hp)
{
    if (!hp)
        return;
    for (unsigned i = 0; i < hp->nports; i++) {
        port_clear_timer(&hp->ports[i]);
        /* the board frees the devices; the fds of hot-added disks are ours */
        if (hp->ports[i].fd >= 0)
            close(hp->ports[i].fd);
    }
    g_free(hp->ports);
    g_free(hp);
}

static Port *
port_by_bus(ArmzHotplug *hp, const char *bus)
{
    guint64 n;

    if (!g_str_has_prefix(bus, "pci.") ||
        !g_ascii_string_to_unsigned(bus + 4, 10, 1, 255, &n, NULL))
        return NULL;
    for (unsigned i = 0; i < hp->nports; i++)
        if (hp->ports[i].index == n)
            return &hp->ports[i];
    return NULL;
}

static Port *
port_by_id(ArmzHotplug *hp, const char *id)
{
    for (unsigned i = 0; i < hp->nports; i++)
        if (hp->ports[i].dev && g_str_equal(armz_virtio_id(hp->ports[i].dev), id))
            return &hp->ports[i];
    return NULL;
}

static gboolean
valid_id(const char *id)
{
    size_t n = strlen(id);

    if (n == 0 || n > ID_MAX)
        return FALSE;
    for (const char *c = id; *c; c++)
        if (!g_ascii_isalnum(*c) && *c != '_' && *c != '.' && *c != '-')
            return FALSE;
    return TRUE;
}

static gboolean
id_taken(ArmzHotplug *hp, const char *id)
{
    for (unsigned i = 0; i < hp->b->nvirtio; i++)
        if (g_str_equal(armz_virtio_id(hp->b->virtio[i]), id))
            return TRUE;
    return FALSE;
}

/* the disk's options from device_add's arguments */
static gboolean
blk_options(const ArmzDeviceAddArgs *a, ArmzDiskOpt *o, GError **error)
{
    const char *keys[] = { "cache", "discard", "werror", "rerror", "io" };
    const char *vals[] = { a->cache, a->discard, a->werror, a->rerror, a->io };

    memset(o, 0, sizeof(*o));
    o->fd = a->fd;
    o->path = (char *)a->path;
    o->readonly = a->readonly;
    o->serial = (char *)a->serial;
    if (a->mac) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("Parameter 'mac' is not a property of virtio-blk-pci"));
        return FALSE;
    }
    if ((a->fd >= 0) == (a->path != NULL)) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("virtio-blk-pci needs exactly one of 'fdname' and 'path'"));
        return FALSE;
    }
    for (unsigned i = 0; i < G_N_ELEMENTS(keys); i++) {
        gboolean known;
        if (vals[i] && !armz_options_disk_mode("device_add", keys[i], vals[i], o, &known, error))
            return FALSE;
    }
    /* an io_uring ring is made before the system-call filter: at start
     * only (an AIO context for io=native is allowed here) */
    if (o->io == ARMZ_DISK_IO_URING) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("io=io_uring is set up when armz-vmm starts: not for device_add"));
        return FALSE;
    }
    return TRUE;
}

static ArmzVirtioDev *
new_blk(ArmzHotplug *hp, const ArmzDeviceAddArgs *a, GError **error)
{
    ArmzDiskOpt o;

    if (!blk_options(a, &o, error))
        return NULL;
    if (a->path && !hp->hooks.allow_path) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("'path' cannot be opened under the seccomp sandbox: pass the image "
                      "with getfd and 'fdname'"));
        return NULL;
    }
    return armz_virtio_blk_new(&o, a->id, error);
}

/* vhost-user-blk-pci: 'path' is the back-end's socket (where the device
 * reconnects after a back-end restart), 'fdname' a socket already connected
 * to it (the daemon connects: a jailed VMM may not reach the path) */
static ArmzVirtioDev *
new_vhost_blk(ArmzHotplug *hp, const ArmzDeviceAddArgs *a, GError **error)
{
    ArmzVhostUserOpt o = { .kind = ARMZ_VHOST_USER_BLK };
    int fd = -1;

    if (a->serial || a->cache || a->discard || a->werror || a->rerror || a->io || a->mac) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("vhost-user-blk-pci takes only 'path', 'fdname' and 'readonly' besides "
                      "'driver', 'id' and 'bus' (the back-end does the rest)"));
        return NULL;
    }
    if (!a->path) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("vhost-user-blk-pci needs 'path': the back-end's socket"));
        return NULL;
    }
    if (!hp->b->mem.has_fd) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("vhost-user-blk-pci needs guest RAM from a memfd (start with --memfd)"));
        return NULL;
    }
    /* the device takes its own (the caller closes ours) */
    if (a->fd >= 0 && (fd = fcntl(a->fd, F_DUPFD_CLOEXEC, 0)) < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot duplicate the socket fd: %s"),
                    g_strerror(errno));
        return NULL;
    }
    o.socket = (char *)a->path;
    o.id = (char *)a->id;
    o.readonly = a->readonly;
    return armz_vhost_user_new_fd(&o, 0, fd, error);
}

static ArmzVirtioDev *
new_net(const ArmzDeviceAddArgs *a, GError **error)
{
    guint8 mac[6];
    bool vnet_hdr = true;
    int fd;

    if (a->path || a->readonly || a->serial || a->cache || a->discard || a->werror ||
        a->rerror || a->io) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("virtio-net-pci takes only 'fdname' and 'mac' besides "
                      "'driver', 'id' and 'bus'"));
        return NULL;
    }
    if (a->fd < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("virtio-net-pci needs 'fdname': a tap fd passed with getfd"));
        return NULL;
    }
    if (a->mac && !armz_options_parse_mac(a->mac, mac, error))
        return NULL;
    if (!armz_tap_setup_fd(a->fd, &vnet_hdr, error))
        return NULL;
    /* the device takes its own (F_DUPFD: dup(2) is not in the sandbox); ours is
     * closed by the caller */
    fd = fcntl(a->fd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot duplicate the tap fd: %s"),
                    g_strerror(errno));
        return NULL;
    }
    return armz_virtio_net_new_fd(fd, vnet_hdr, a->mac ? mac : NULL, a->id, error);
}

static ArmzVirtioDev *
with_vhost_id(ArmzVirtioDev *d, const char *id)
{
    if (d)
        armz_virtio_set_id(d, id);
    return d;
}

/* checks what device_add needs of the VM and its arguments; the port */
static Port *
add_checks(ArmzHotplug *hp, const ArmzDeviceAddArgs *a, GError **error)
{
    struct stat st;
    Port *p;

    if (!g_str_equal(a->driver, "virtio-blk-pci") && !g_str_equal(a->driver, "virtio-net-pci") &&
        !g_str_equal(a->driver, "vhost-user-blk-pci")) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("Parameter 'driver' expects a hot-pluggable device type: '%s' is not "
                      "virtio-blk-pci, virtio-net-pci or vhost-user-blk-pci"), a->driver);
        return NULL;
    }
    if (!valid_id(a->id)) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("Parameter 'id' expects an identifier of 1-64 letters, digits, "
                      "'_', '.' or '-'"));
        return NULL;
    }
    if (!hp->b->pci_host) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("Bus '%s' not found: this VM has no PCI (start it with --pci)"), a->bus);
        return NULL;
    }
    if (id_taken(hp, a->id)) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("Duplicate device ID '%s'"), a->id);
        return NULL;
    }
    if (!(p = port_by_bus(hp, a->bus))) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("Bus '%s' not found (hotplug goes into a --pcie-root-port index=N, "
                      "'pci.N')"), a->bus);
        return NULL;
    }
    if (!p->rp->hotplug) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("Bus '%s' does not support hotplugging"),
                    a->bus);
        return NULL;
    }
    if (p->dev || p->rp->child) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("Bus '%s' is occupied: its slot already holds a device"), a->bus);
        return NULL;
    }
    if (hp->b->nvirtio >= ARMZ_VIRTIO_MAX_SLOTS) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("too many virtio devices (at most %u)"),
                    ARMZ_VIRTIO_MAX_SLOTS);
        return NULL;
    }
    if (a->fd >= 0 && fstat(a->fd, &st) < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("the fd passed by 'fdname' is not open"));
        return NULL;
    }
    /* a disk image is a file or a block device; a tap fd is /dev/net/tun's
     * (or, in tests, a datagram socket) */
    if (a->fd >= 0 && g_str_equal(a->driver, "virtio-blk-pci") && !S_ISREG(st.st_mode) &&
        !S_ISBLK(st.st_mode)) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("the fd passed by 'fdname' is no disk image (a file or block device)"));
        return NULL;
    }
    if (a->fd >= 0 && g_str_equal(a->driver, "virtio-net-pci") && !S_ISCHR(st.st_mode) &&
        !S_ISSOCK(st.st_mode)) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("the fd passed by 'fdname' is no tap"));
        return NULL;
    }
    if (a->fd >= 0 && g_str_equal(a->driver, "vhost-user-blk-pci") && !S_ISSOCK(st.st_mode)) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("the fd passed by 'fdname' is no socket connected to a vhost-user "
                      "back-end"));
        return NULL;
    }
    return p;
}

gboolean
armz_hotplug_device_add(ArmzHotplug *hp, const ArmzDeviceAddArgs *a, GError **error)
{
    ArmzBoard *b = hp->b;
    gboolean blk = g_str_equal(a->driver, "virtio-blk-pci");
    Port *p = add_checks(hp, a, error);
    ArmzVirtioDev *d = NULL;
    ArmzPciAddrOpt addr = { TRUE, FALSE, 0, 0 };

    if (p && g_str_equal(a->driver, "vhost-user-blk-pci"))
        d = with_vhost_id(new_vhost_blk(hp, a, error), a->id);
    else if (p)
        d = blk ? new_blk(hp, a, error) : new_net(a, error);
    if (!d) {
        if (a->fd >= 0)
            close(a->fd);
        return FALSE;
    }
    if (!armz_virtio_pci_hotplug(d, b->pci_host, p->devfn, &b->msi, &b->mem, b->ioeventfd_set,
                                 b->ioeventfd_opaque, error)) {
        armz_virtio_dev_free(d);
        if (a->fd >= 0)
            close(a->fd);
        return FALSE;
    }
    if (!armz_virtio_dev_start(d, error)) {
        armz_hotplug_power_off(hp, p->index);
        armz_virtio_dev_free(d);
        if (a->fd >= 0)
            close(a->fd);
        return FALSE;
    }
    addr.bus = p->index;
    b->pci_addr[b->nvirtio] = addr;
    b->virtio[b->nvirtio++] = d;
    p->dev = d;
    /* the disk's image fd stays open as long as the disk; the tap's was duplicated */
    if (blk && a->fd >= 0)
        p->fd = a->fd;
    else if (a->fd >= 0)
        close(a->fd);
    p->unplugging = FALSE;
    armz_vmm_debug("device_add %s %s into %s (00:%02x.%u)", a->driver, a->id, a->bus,
                   p->devfn >> 3, p->devfn & 7);
    return TRUE;
}

static char *
event_data(const char *id)
{
    /* ids are [A-Za-z0-9_.-] or the VMM's own labels: nothing to escape */
    return g_strdup_printf("{\"device\": \"%s\", \"path\": \"/machine/peripheral/%s\"}", id, id);
}

static gboolean
unplug_timeout(gpointer data)
{
    Port *p = data;
    ArmzHotplug *hp = p->hp;

    p->timer = 0;
    if (p->dev && hp->hooks.event) {
        g_autofree char *ev = event_data(armz_virtio_id(p->dev));
        armz_vmm_warn(_("%s: the guest has not released the device within %u s"),
                      armz_virtio_id(p->dev), hp->hooks.unplug_timeout_ms / 1000);
        hp->hooks.event(hp->hooks.opaque, "DEVICE_UNPLUG_GUEST_ERROR", ev);
    }
    return G_SOURCE_REMOVE;
}

gboolean
armz_hotplug_device_del(ArmzHotplug *hp, const char *id, GError **error)
{
    Port *p = port_by_id(hp, id);
    GSource *src;

    if (!p) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    id_taken(hp, id) ? _("Device '%s' is not hot-unpluggable: it is not "
                                         "in a PCIe root port")
                                     : _("Device '%s' not found"), id);
        return FALSE;
    }
    if (!p->rp->hotplug) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("Bus 'pci.%u' does not support hotplugging"),
                    p->index);
        return FALSE;
    }
    /* a second press while the guest waits cancels its unplug, as with
     * QEMU's repeated device_del */
    armz_pci_host_lock(hp->b->pci_host);
    armz_pcie_slot_attention(p->rp);
    armz_pci_host_unlock(hp->b->pci_host);
    p->unplugging = TRUE;
    port_clear_timer(p);
    src = g_timeout_source_new(hp->hooks.unplug_timeout_ms);
    g_source_set_callback(src, unplug_timeout, p, NULL);
    p->timer = g_source_attach(src, hp->hooks.ctx);
    g_source_unref(src);
    armz_vmm_debug("device_del %s: attention button of pci.%u pressed", id, p->index);
    return TRUE;
}

/* takes D out of the board's list */
static void
board_forget(ArmzBoard *b, ArmzVirtioDev *d)
{
    for (unsigned i = 0; i < b->nvirtio; i++) {
        if (b->virtio[i] != d)
            continue;
        memmove(&b->virtio[i], &b->virtio[i + 1], (b->nvirtio - i - 1) * sizeof(b->virtio[0]));
        memmove(&b->pci_addr[i], &b->pci_addr[i + 1],
                (b->nvirtio - i - 1) * sizeof(b->pci_addr[0]));
        b->nvirtio--;
        return;
    }
}

void
armz_hotplug_power_off(ArmzHotplug *hp, unsigned index)
{
    ArmzBoard *b = hp->b;
    Port *p = NULL;
    ArmzVirtioDev *d;
    ArmzPciFunc *f;
    g_autofree char *id = NULL;

    for (unsigned i = 0; i < hp->nports; i++)
        if (hp->ports[i].index == index)
            p = &hp->ports[i];
    if (!p || !p->rp->child)
        return;
    d = p->dev;
    f = p->rp->child;
    if (hp->hooks.pause)
        hp->hooks.pause(hp->hooks.opaque);
    if (d)
        armz_virtio_dev_reset(d);   /* no more interrupts from it; INTx down */
    armz_pci_host_lock(b->pci_host);
    armz_pci_func_reset(f);         /* BARs off: ioeventfds unbound */
    armz_pci_host_unlock(b->pci_host);
    armz_pci_host_hotplug_below(b->pci_host, p->devfn, NULL, NULL);
    if (hp->hooks.resume)
        hp->hooks.resume(hp->hooks.opaque);
    p->dev = NULL;
    port_clear_timer(p);
    if (!d)
        return;
    id = g_strdup(armz_virtio_id(d));
    board_forget(b, d);
    if (d == b->balloon)
        b->balloon = NULL;
    armz_virtio_dev_free(d);
    if (p->fd >= 0)
        close(p->fd);
    p->fd = -1;
    armz_vmm_debug("%s: removed from pci.%u", id, p->index);
    if (hp->hooks.event) {
        g_autofree char *ev = event_data(id);
        hp->hooks.event(hp->hooks.opaque, "DEVICE_DELETED", ev);
    }
}

/* one function of query-pci: BUS/DEVFN and identity */
static void
query_func(GString *j, const ArmzPciFunc *f, unsigned bus, const char *qdev_id)
{
    g_autofree char *qid = g_strescape(qdev_id ? qdev_id : "", NULL);

    g_string_append_printf(j,
        "{\"bus\": %u, \"slot\": %u, \"function\": %u, \"class_info\": {\"class\": %u}, "
        "\"id\": {\"vendor\": %u, \"device\": %u, \"subsystem-vendor\": %u, "
        "\"subsystem\": %u}, \"qdev_id\": \"%s\", \"regions\": []",
        bus, f->devfn >> 3u, f->devfn & 7u, armz_pci_get(&f->cfg[PCI_CFG_CLASS_PROG + 1], 2),
        armz_pci_get(&f->cfg[PCI_CFG_VENDOR_ID], 2), armz_pci_get(&f->cfg[PCI_CFG_DEVICE_ID], 2),
        f->cfg[PCI_CFG_HEADER_TYPE] & 0x7f ? 0 : armz_pci_get(&f->cfg[PCI_CFG_SUBSYS_VENDOR], 2),
        f->cfg[PCI_CFG_HEADER_TYPE] & 0x7f ? 0 : armz_pci_get(&f->cfg[PCI_CFG_SUBSYS_ID], 2),
        qid);
}

/* the label of the virtio device whose function F is */
static const char *
func_label(ArmzHotplug *hp, const ArmzPciFunc *f)
{
    for (unsigned i = 0; i < hp->b->nvirtio; i++) {
        ArmzVirtioDev *d = hp->b->virtio[i];
        if (hp->b->pci_addr[i].off || armz_virtio_dev_transport(d) == NULL)
            continue;
        if (armz_virtio_pci_func(d) == f)
            return armz_virtio_id(d);
    }
    return NULL;
}

char *
armz_hotplug_query_pci(ArmzHotplug *hp)
{
    ArmzPciHost *h = hp->b->pci_host;
    GString *j = g_string_new("[");
    gboolean first = TRUE;

    if (!h)
        return g_string_free(j, FALSE);
    g_string_append(j, "{\"bus\": 0, \"devices\": [");
    armz_pci_host_lock(h);
    for (unsigned devfn = 0; devfn < 256; devfn++) {
        ArmzPciFunc *f = armz_pci_host_func(h, devfn);
        ArmzPcieRootPort *rp = armz_pci_host_root_port(h, devfn);
        Port *p = NULL;
        g_autofree char *alias = NULL;

        if (!f)
            continue;
        for (unsigned i = 0; rp && i < hp->nports; i++)
            if (hp->ports[i].rp == rp)
                p = &hp->ports[i];
        if (p)
            alias = g_strdup_printf("pci.%u", p->index);
        g_string_append(j, first ? "" : ", ");
        first = FALSE;
        query_func(j, f, 0, p ? alias : func_label(hp, f));
        if (rp) {
            unsigned sec = f->cfg[PCI_CFG_SECONDARY_BUS];
            g_string_append_printf(j, ", \"pci_bridge\": {\"bus\": {\"number\": %u, "
                                   "\"secondary\": %u, \"subordinate\": %u}, \"devices\": [",
                                   f->cfg[PCI_CFG_PRIMARY_BUS], sec,
                                   f->cfg[PCI_CFG_SUBORDINATE_BUS]);
            if (rp->child) {
                query_func(j, rp->child, sec, func_label(hp, rp->child));
                g_string_append_c(j, '}');
            }
            g_string_append(j, "]}");
        }
        g_string_append_c(j, '}');
    }
    armz_pci_host_unlock(h);
    g_string_append(j, "]}]");
    return g_string_free(j, FALSE);
}
