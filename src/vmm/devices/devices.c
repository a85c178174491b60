/* The device list of the armz-vmm board. */
#include <libfdt.h>
#include <glib/gi18n-lib.h>
#include "devices/devices.h"
#include "layout.h"
#include "virtio/virtio.h"
#include "virtio/virtio_mmio.h"
#include "vmmlog.h"
#include "virtio/virtio_scsi.h"
#include "vmmlog.h"
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#define FDT_TRY(x) do { int _r = (x); if (_r < 0) return _r; } while (0)

static ArmzIrqLine
board_irq(ArmzBoard *b, const ArmzDeviceInfo *d)
{
    ArmzIrqLine l = { b->irq_set, b->irq_opaque, 32 + d->spi };
    return l;
}

static gboolean
board_map(ArmzBoard *b, const ArmzDeviceInfo *d, ArmzMmioReadFn rd,
          ArmzMmioWriteFn wr, void *opaque, GError **error)
{
    ArmzMmioRegion r = { d->name, d->base, d->size, rd, wr, opaque };
    return armz_mmio_bus_add(b->bus, &r, error);
}

/* common node: compatible "arm,<name>", "arm,primecell"; reg; interrupts;
 * clocks */
static int
primecell_node(void *fdt, const ArmzDeviceInfo *d, const ArmzFdtCtx *ctx,
               gboolean uartclk)
{
    char node[64], compat[64];
    size_t n;
    fdt32_t irq[3] = { cpu_to_fdt32(0), cpu_to_fdt32(d->spi), cpu_to_fdt32(4) };
    fdt64_t reg[2] = { cpu_to_fdt64(d->base), cpu_to_fdt64(d->size) };
    fdt32_t clocks[2] = { cpu_to_fdt32(ctx->clock_phandle), cpu_to_fdt32(ctx->clock_phandle) };

    g_snprintf(node, sizeof(node), "%s@%" G_GINT64_MODIFIER "x", d->name, (guint64)d->base);
    n = (size_t)g_snprintf(compat, sizeof(compat), "arm,%s", d->name) + 1;
    memcpy(compat + n, "arm,primecell", sizeof("arm,primecell"));
    n += sizeof("arm,primecell");

    FDT_TRY(fdt_begin_node(fdt, node));
    FDT_TRY(fdt_property(fdt, "compatible", compat, (int)n));
    FDT_TRY(fdt_property(fdt, "reg", reg, sizeof(reg)));
    FDT_TRY(fdt_property(fdt, "interrupts", irq, sizeof(irq)));
    if (uartclk) {
        FDT_TRY(fdt_property(fdt, "clocks", clocks, sizeof(clocks)));
        FDT_TRY(fdt_property(fdt, "clock-names", "uartclk\0apb_pclk",
                             sizeof("uartclk\0apb_pclk")));
    } else {
        FDT_TRY(fdt_property(fdt, "clocks", clocks, sizeof(clocks[0])));
        FDT_TRY(fdt_property(fdt, "clock-names", "apb_pclk", sizeof("apb_pclk")));
    }
    return 0;
}

/* ---- PL011 UART ---- */

static gboolean
uart_create(ArmzBoard *b, const ArmzDeviceInfo *d, GError **error)
{
    b->uart = armz_pl011_new(board_irq(b, d), b->uart_tx, b->uart_tx_opaque);
    return board_map(b, d, armz_pl011_read, armz_pl011_write, b->uart, error);
}

static void
uart_reset(ArmzBoard *b)
{
    armz_pl011_reset(b->uart);
}

static int
uart_fdt(void *fdt, const ArmzDeviceInfo *d, const ArmzFdtCtx *ctx)
{
    FDT_TRY(primecell_node(fdt, d, ctx, TRUE));
    return fdt_end_node(fdt);
}

/* ---- PL031 RTC ---- */

static gboolean
rtc_create(ArmzBoard *b, const ArmzDeviceInfo *d, GError **error)
{
    b->rtc = armz_pl031_new(board_irq(b, d), NULL);
    return board_map(b, d, armz_pl031_read, armz_pl031_write, b->rtc, error);
}

static void
rtc_reset(ArmzBoard *b)
{
    armz_pl031_reset(b->rtc);
}

static int
rtc_fdt(void *fdt, const ArmzDeviceInfo *d, const ArmzFdtCtx *ctx)
{
    FDT_TRY(primecell_node(fdt, d, ctx, FALSE));
    return fdt_end_node(fdt);
}

/* ---- PL061 GPIO + gpio-keys power button ---- */

static gboolean
gpio_create(ArmzBoard *b, const ArmzDeviceInfo *d, GError **error)
{
    b->gpio = armz_pl061_new(board_irq(b, d));
    return board_map(b, d, armz_pl061_read, armz_pl061_write, b->gpio, error);
}

static void
gpio_reset(ArmzBoard *b)
{
    armz_pl061_reset(b->gpio);
}

static int
gpio_fdt(void *fdt, const ArmzDeviceInfo *d, const ArmzFdtCtx *ctx)
{
    fdt32_t gpios[3] = { cpu_to_fdt32(ctx->gpio_phandle), cpu_to_fdt32(ARMZ_GPIO_POWER_PIN),
                         cpu_to_fdt32(0) /* GPIO_ACTIVE_HIGH */ };

    FDT_TRY(primecell_node(fdt, d, ctx, FALSE));
    FDT_TRY(fdt_property_cell(fdt, "#gpio-cells", 2));
    FDT_TRY(fdt_property(fdt, "gpio-controller", NULL, 0));
    FDT_TRY(fdt_property_cell(fdt, "phandle", ctx->gpio_phandle));
    FDT_TRY(fdt_end_node(fdt));

    FDT_TRY(fdt_begin_node(fdt, "gpio-keys"));
    FDT_TRY(fdt_property_string(fdt, "compatible", "gpio-keys"));
    FDT_TRY(fdt_begin_node(fdt, "poweroff"));
    FDT_TRY(fdt_property_string(fdt, "label", "GPIO Key Poweroff"));
    FDT_TRY(fdt_property_cell(fdt, "linux,code", ARMZ_KEY_POWER));
    FDT_TRY(fdt_property(fdt, "gpios", gpios, sizeof(gpios)));
    FDT_TRY(fdt_end_node(fdt));
    return fdt_end_node(fdt);
}

/* ---- firmware: CFI flash banks and fw_cfg ---- */

static gboolean
flash_create(ArmzBoard *b, const ArmzDeviceInfo *d, GError **error)
{
    for (unsigned i = 0; i < ARMZ_FLASH_BANKS; i++) {
        ArmzMmioRegion r = { "flash", d->base + i * ARMZ_FLASH_BANK_SIZE, ARMZ_FLASH_BANK_SIZE,
                             armz_cfi_flash_read, armz_cfi_flash_write, b->flash[i] };
        if (b->flash[i] && !armz_mmio_bus_add(b->bus, &r, error))
            return FALSE;
    }
    return TRUE;
}

static void
flash_reset(ArmzBoard *b)
{
    for (unsigned i = 0; i < ARMZ_FLASH_BANKS; i++)
        if (b->flash[i])
            armz_cfi_flash_reset(b->flash[i]);
}

/* opens node NAME@base with COMPATIBLE and the REG ranges (N cells) */
static int
firmware_node(void *fdt, const ArmzDeviceInfo *d, const char *compatible,
              const fdt64_t *reg, size_t n)
{
    char node[64];

    g_snprintf(node, sizeof(node), "%s@%" G_GINT64_MODIFIER "x", d->name, (guint64)d->base);
    FDT_TRY(fdt_begin_node(fdt, node));
    FDT_TRY(fdt_property_string(fdt, "compatible", compatible));
    return fdt_property(fdt, "reg", reg, (int)(n * sizeof(fdt64_t)));
}

static int
flash_fdt(void *fdt, const ArmzDeviceInfo *d, const ArmzFdtCtx *ctx)
{
    fdt64_t reg[4] = { cpu_to_fdt64(d->base), cpu_to_fdt64(ARMZ_FLASH_BANK_SIZE),
                       cpu_to_fdt64(d->base + ARMZ_FLASH_BANK_SIZE),
                       cpu_to_fdt64(ARMZ_FLASH_BANK_SIZE) };

    if (!ctx->firmware)
        return 0;
    FDT_TRY(firmware_node(fdt, d, "cfi-flash", reg, 4));
    FDT_TRY(fdt_property_cell(fdt, "bank-width", ARMZ_FLASH_BANK_WIDTH));
    return fdt_end_node(fdt);
}

static gboolean
fw_cfg_create(ArmzBoard *b, const ArmzDeviceInfo *d, GError **error)
{
    return !b->fw_cfg || board_map(b, d, armz_fw_cfg_read, armz_fw_cfg_write, b->fw_cfg, error);
}

static void
fw_cfg_reset(ArmzBoard *b)
{
    if (b->fw_cfg)
        armz_fw_cfg_reset(b->fw_cfg);
}

static int
fw_cfg_fdt(void *fdt, const ArmzDeviceInfo *d, const ArmzFdtCtx *ctx)
{
    fdt64_t reg[2] = { cpu_to_fdt64(d->base), cpu_to_fdt64(d->size) };

    if (!ctx->firmware)
        return 0;
    FDT_TRY(firmware_node(fdt, d, "qemu,fw-cfg-mmio", reg, 2));
    FDT_TRY(fdt_property(fdt, "dma-coherent", NULL, 0));
    return fdt_end_node(fdt);
}

static const ArmzDeviceInfo board_devices[] = {
    { "flash", ARMZ_FLASH_BASE, ARMZ_FLASH_BANKS * ARMZ_FLASH_BANK_SIZE, 0,
      flash_create, flash_reset, flash_fdt },
    { "pl011", ARMZ_UART_BASE, ARMZ_DEV_SIZE, ARMZ_UART_SPI, uart_create, uart_reset, uart_fdt },
    { "pl031", ARMZ_RTC_BASE, ARMZ_DEV_SIZE, ARMZ_RTC_SPI, rtc_create, rtc_reset, rtc_fdt },
    { "pl061", ARMZ_GPIO_BASE, ARMZ_DEV_SIZE, ARMZ_GPIO_SPI, gpio_create, gpio_reset, gpio_fdt },
    { "fw-cfg", ARMZ_FW_CFG_BASE, ARMZ_FW_CFG_SIZE, 0, fw_cfg_create, fw_cfg_reset, fw_cfg_fdt },
};

/* ---- virtio-mmio slots ---- */

static gboolean
virtio_add_at(ArmzBoard *b, ArmzVirtioDev *d, const ArmzPciAddrOpt *pci)
{
    if (!d)
        return FALSE;
    g_assert(b->nvirtio < ARMZ_VIRTIO_MAX_SLOTS);   /* options.c limits them */
    if (pci)
        b->pci_addr[b->nvirtio] = *pci;
    b->virtio[b->nvirtio++] = d;
    if (!b->pci || (pci && pci->off))
        b->nmmio++;
    return TRUE;
}

/* D with the id QMP knows it by (--disk/--net id=), if any */
static ArmzVirtioDev *
with_id(ArmzVirtioDev *d, const char *id)
{
    if (d && id)
        armz_virtio_set_id(d, id);
    return d;
}

/* the guest's name for a disk (Linux: vda..vdz, vdaa..), for logs */
static void
disk_label(char label[8], guint i)
{
    if (i < 26)
        g_snprintf(label, 8, "vd%c", 'a' + i);
    else
        g_snprintf(label, 8, "vd%c%c", 'a' + i / 26 - 1, 'a' + i % 26);
}

/* --disk and the vhost-user devices (--vhost-user-blk, --vhost-user-fs)
 * go together, in command-line order (armz_options_disk_slot) */
static gboolean
blk_open(ArmzBoard *b, const ArmzOptions *o, GError **error)
{
    guint j = 0;

    for (guint i = 0; i <= o->ndisks; i++) {
        char label[8];
        for (; j < o->nvhost_user && o->vhost_user[j].disk_pos == i; j++) {
            g_assert(b->nvirtio == armz_options_vhost_user_slot(o, j));
            if (!virtio_add_at(b, armz_vhost_user_new(&o->vhost_user[j], j, error),
                               &o->vhost_user[j].pci))
                return FALSE;
        }
        if (i == o->ndisks)
            break;
        g_assert(b->nvirtio == armz_options_disk_slot(o, i));
        disk_label(label, b->nvirtio);
        if (!virtio_add_at(b, with_id(armz_virtio_blk_new(&o->disks[i], label, error),
                                      o->disks[i].id), &o->disks[i].pci))
            return FALSE;
    }
    return TRUE;
}

static gboolean
net_open(ArmzBoard *b, const ArmzOptions *o, GError **error)
{
    for (guint i = 0; i < o->nnets; i++)
        if (!virtio_add_at(b, with_id(armz_virtio_net_new(&o->nets[i], i, error), o->nets[i].id),
                           &o->nets[i].pci))
            return FALSE;
    return TRUE;
}

static gboolean
console_open(ArmzBoard *b, const ArmzOptions *o, GError **error)
{
    return !o->has_console ||
           virtio_add_at(b, armz_virtio_console_new(&o->console, error), &o->console_pci);
}

static gboolean
rng_open(ArmzBoard *b, const ArmzOptions *o, GError **error)
{
    return !o->has_rng ||
           virtio_add_at(b, armz_virtio_rng_new(o->rng_path, o->rng_fd, error), &o->rng_pci);
}

static gboolean
balloon_open(ArmzBoard *b, const ArmzOptions *o, GError **error)
{
    if (!o->has_balloon)
        return TRUE;
    b->balloon = armz_virtio_balloon_new(&o->balloon, o->memory_mib << 20, error);
    return virtio_add_at(b, b->balloon, &o->balloon.pci);
}

static gboolean
serial_open(ArmzBoard *b, const ArmzOptions *o, GError **error)
{
    if (!o->nchannels)
        return TRUE;
    b->serial = armz_virtio_serial_new(o->channels, o->nchannels, error);
    return virtio_add_at(b, b->serial, &o->channel_pci);
}

static gboolean
vsock_open(ArmzBoard *b, const ArmzOptions *o, GError **error)
{
    if (!o->has_vsock)
        return TRUE;
    b->vsock = armz_virtio_vsock_new(&o->vsock, error);
    return virtio_add_at(b, b->vsock, &o->vsock.pci);
}

/* one virtio-scsi controller for all --scsi-disk / --scsi-cdrom */
static gboolean
scsi_open(ArmzBoard *b, const ArmzOptions *o, GError **error)
{
    ArmzScsiTarget *t;

    if (!o->nscsi)
        return TRUE;
    t = armz_scsi_target_new();
    for (guint i = 0; i < o->nscsi; i++) {
        const ArmzScsiOpt *so = &o->scsi[i];
        ArmzScsiLunConfig c = { so->cdrom ? ARMZ_SCSI_CDROM : ARMZ_SCSI_DISK, so->lun, so->fd,
                                so->readonly, so->serial, so->id };
        ArmzScsiLun *l;

        if (so->path) {
            c.fd = open(so->path, (so->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
            if (c.fd < 0) {
                g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot open disk image %s: %s"),
                            so->path, g_strerror(errno));
                armz_scsi_target_free(t);
                return FALSE;
            }
        }
        l = armz_scsi_lun_new(&c, error);
        if (!l && so->path)
            close(c.fd);
        if (!l || !armz_scsi_target_add(t, l, error)) {
            armz_scsi_lun_free(l);
            armz_scsi_target_free(t);
            return FALSE;
        }
    }
    return virtio_add_at(b, armz_virtio_scsi_new(t, "scsi0"), &o->scsi_pci);
}

/* The virtio device kinds, in slot order. */
static const struct {
    const char *name;
    gboolean (*open)(ArmzBoard *b, const ArmzOptions *o, GError **error);
} virtio_kinds[] = {
    { "virtio-blk", blk_open },
    { "virtio-net", net_open },
    { "virtio-console", console_open },
    { "virtio-rng", rng_open },
    { "virtio-balloon", balloon_open },
    { "virtio-serial", serial_open },
    { "virtio-vsock", vsock_open },
    { "virtio-scsi", scsi_open },
};

gboolean
armz_board_open_virtio(ArmzBoard *b, const ArmzOptions *o, GError **error)
{
    b->pci = o->pci;
    b->root_port_opts = o->root_ports;
    b->nroot_ports = o->nroot_ports;
    for (size_t i = 0; i < G_N_ELEMENTS(virtio_kinds); i++)
        if (!virtio_kinds[i].open(b, o, error))
            return FALSE;
    return TRUE;
}

/* the root-bus devfn of the root port libvirt calls bus INDEX, or -1 */
static int
root_port_devfn(ArmzBoard *b, unsigned index)
{
    for (unsigned i = 0; i < b->nroot_ports; i++)
        if (b->root_port_opts[i].index == index)
            return (int)(b->root_port_opts[i].slot << 3 | b->root_port_opts[i].function);
    return -1;
}

/* device I on virtio-mmio slot SLOT */
static gboolean
virtio_mmio_create(ArmzBoard *b, unsigned i, unsigned slot, GError **error)
{
    ArmzIrqLine irq = { b->irq_set, b->irq_opaque, 32 + ARMZ_VIRTIO_SPI + slot };
    return armz_virtio_mmio_attach(b->virtio[i], b->bus,
                                   ARMZ_VIRTIO_BASE + slot * ARMZ_VIRTIO_SLOT_SIZE, irq, &b->mem,
                                   b->ioeventfd, b->ioeventfd_opaque, error) &&
           armz_virtio_dev_start(b->virtio[i], error);
}

/* --pci: the root ports, then the devices with an address, then the
 * others in the next free root-bus slots; pci=off ones on virtio-mmio */
static gboolean
virtio_pci_create(ArmzBoard *b, GError **error)
{
    ArmzPciHost *h;
    unsigned next = 1;

    h = b->pci_host = armz_pci_host_new(b->irq_set, b->irq_opaque);
    armz_pci_host_set_high_window(h, &b->pci_high);
    if (!armz_pci_host_map(h, b->bus, error))
        return FALSE;
    b->root_ports = g_new0(ArmzPcieRootPort, b->nroot_ports + 1);
    for (unsigned i = 0; i < b->nroot_ports; i++) {
        const ArmzRootPortOpt *o = &b->root_port_opts[i];
        armz_pcie_root_port_init(&b->root_ports[i], o->chassis, o->port, !o->no_hotplug);
        if (!armz_pci_host_add_root_port(h, o->slot << 3 | o->function, &b->root_ports[i], error))
            return FALSE;
    }
    for (unsigned i = 0, slot = 0; i < b->nvirtio; i++)
        if (b->pci_addr[i].off && !virtio_mmio_create(b, i, slot++, error))
            return FALSE;
    for (int pass = 0; pass < 2; pass++) {
        for (unsigned i = 0; i < b->nvirtio; i++) {
            const ArmzPciAddrOpt *a = &b->pci_addr[i];
            int devfn;
            if (a->off || a->set != (pass == 0))
                continue;
            if (!a->set) {
                while (next < ARMZ_PCIE_MAX_SLOTS && !armz_pci_host_slot_free(h, next))
                    next++;
                devfn = (int)(next++ << 3);     /* past the last slot: attach says so */
            } else if (a->bus == 0) {
                devfn = (int)(a->slot << 3);
            } else if ((devfn = root_port_devfn(b, a->bus)) < 0) {
                g_set_error(error, ARMZ_VMM_ERROR, 0,
                            _("%s: PCI bus %u is no --pcie-root-port index"),
                            armz_virtio_label(b->virtio[i]), a->bus);
                return FALSE;
            }
            if (!armz_virtio_pci_attach(b->virtio[i], h, (unsigned)devfn, a->set && a->bus != 0,
                                        &b->msi, &b->mem, b->ioeventfd_set, b->ioeventfd_opaque,
                                        error) ||
                !armz_virtio_dev_start(b->virtio[i], error))
                return FALSE;
        }
    }
    return TRUE;
}

static gboolean
virtio_create(ArmzBoard *b, GError **error)
{
    if (b->pci)
        return virtio_pci_create(b, error);
    for (unsigned i = 0; i < b->nvirtio; i++)
        if (!virtio_mmio_create(b, i, i, error))
            return FALSE;
    return TRUE;
}

static int
virtio_fdt(void *fdt, unsigned slot)
{
    uint64_t base = ARMZ_VIRTIO_BASE + slot * ARMZ_VIRTIO_SLOT_SIZE;
    char node[64];
    fdt32_t irq[3] = { cpu_to_fdt32(0), cpu_to_fdt32(ARMZ_VIRTIO_SPI + slot),
                       cpu_to_fdt32(4) /* level high: InterruptStatus != 0 */ };
    fdt64_t reg[2] = { cpu_to_fdt64(base), cpu_to_fdt64(ARMZ_VIRTIO_SLOT_SIZE) };

    g_snprintf(node, sizeof(node), "virtio_mmio@%" G_GINT64_MODIFIER "x", (guint64)base);
    FDT_TRY(fdt_begin_node(fdt, node));
    FDT_TRY(fdt_property_string(fdt, "compatible", "virtio,mmio"));
    FDT_TRY(fdt_property(fdt, "reg", reg, sizeof(reg)));
    FDT_TRY(fdt_property(fdt, "interrupts", irq, sizeof(irq)));
    FDT_TRY(fdt_property(fdt, "dma-coherent", NULL, 0));
    return fdt_end_node(fdt);
}

gboolean
armz_board_create_devices(ArmzBoard *b, GError **error)
{
    for (size_t i = 0; i < G_N_ELEMENTS(board_devices); i++)
        if (!board_devices[i].create(b, &board_devices[i], error))
            return FALSE;
    return virtio_create(b, error);
}

void
armz_board_reset_devices(ArmzBoard *b)
{
    for (size_t i = 0; i < G_N_ELEMENTS(board_devices); i++)
        board_devices[i].reset(b);
    for (unsigned i = 0; i < b->nvirtio; i++)
        armz_virtio_dev_reset(b->virtio[i]);
    if (b->pci_host)
        armz_pci_host_reset(b->pci_host);
}

void
armz_board_free_devices(ArmzBoard *b)
{
    armz_pl011_free(b->uart);
    armz_pl031_free(b->rtc);
    armz_pl061_free(b->gpio);
    b->uart = NULL;
    b->rtc = NULL;
    b->gpio = NULL;
    for (unsigned i = 0; i < ARMZ_FLASH_BANKS; i++)
        g_clear_pointer(&b->flash[i], armz_cfi_flash_free);
    g_clear_pointer(&b->fw_cfg, armz_fw_cfg_free);
    for (unsigned i = 0; i < b->nvirtio; i++)
        armz_virtio_dev_free(b->virtio[i]);
    b->nvirtio = b->nmmio = 0;
    g_clear_pointer(&b->pci_host, armz_pci_host_free);
    g_clear_pointer(&b->root_ports, g_free);
}

int
armz_board_fdt_devices(void *fdt, const ArmzFdtCtx *ctx)
{
    for (size_t i = 0; i < G_N_ELEMENTS(board_devices); i++)
        FDT_TRY(board_devices[i].fdt(fdt, &board_devices[i], ctx));
    /* lowest address first: Linux probes them, and names disks, in this order */
    for (unsigned i = 0; i < ctx->nvirtio; i++)
        FDT_TRY(virtio_fdt(fdt, i));
    if (ctx->pci)
        FDT_TRY(armz_pci_host_fdt(fdt, ctx->gic_phandle, ctx->msi, ctx->msi_phandle,
                                  &ctx->pci_high));
    return 0;
}

char *
armz_board_console_path(void)
{
    return g_strdup_printf("/pl011@%" G_GINT64_MODIFIER "x", (guint64)ARMZ_UART_BASE);
}
