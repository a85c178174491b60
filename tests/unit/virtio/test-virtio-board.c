/* The virtio devices on the board: created from the command line options
 * in slot order (disks, nets, console, rng), mapped at 0x0a000000 + 0x200*i
 * with SPI 16+i, one device tree node each (lowest address first), reset
 * with the board, and a missing disk reported with its name. */
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <libfdt.h>
#include <glib.h>
#include "vtest.h"
#include "devices/devices.h"
#include "boot/fdt.h"
#include "layout.h"

#define RAM_SIZE (1u << 20)

static unsigned last_intid;
static int last_level;

static void
irq_set(void *opaque, unsigned intid, int level)
{
    last_intid = intid;
    last_level = level;
}

static char *
image(const char *name, size_t size)
{
    char *p = g_build_filename(vt_tmpdir(), name, NULL);
    g_autofree char *zero = g_malloc0(size);
    g_assert_true(g_file_set_contents(p, zero, (gssize)size, NULL));
    return p;
}

/* a console on no backend and an rng on the default source */
static void
console_and_rng(ArmzOptions *o)
{
    o->has_console = TRUE;
    o->console.kind = ARMZ_SERIAL_NONE;
    o->console.fd = o->console.log_fd = -1;
    o->has_rng = TRUE;
    o->rng_fd = -1;
}

/* an empty board on MEM */
static void
board_init(ArmzBoard *board, VtMem *mem)
{
    memset(board, 0, sizeof(*board));
    board->bus = armz_mmio_bus_new();
    board->irq_set = irq_set;
    board->mem = mem->mem;
}

static void
test_board(void)
{
    g_autofree char *a = image("a.img", 4096), *b = image("b.img", 8192);
    VtMem *mem = vt_mem_new(RAM_SIZE);
    ArmzOptions o;
    ArmzDiskOpt disks[2] = { { .path = a, .fd = -1 }, { .path = b, .fd = -1, .readonly = TRUE } };
    ArmzNetOpt net = { .fd = -1 };
    ArmzBoard board;
    GError *err = NULL;
    int sv[2];
    static const uint32_t want_id[5] = { VIRTIO_ID_BLOCK, VIRTIO_ID_BLOCK, VIRTIO_ID_NET,
                                         VIRTIO_ID_CONSOLE, VIRTIO_ID_RNG };

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), ==, 0);
    net.fd = sv[0];
    memset(&o, 0, sizeof(o));
    o.disks = disks;
    o.ndisks = 2;
    o.nets = &net;
    o.nnets = 1;
    console_and_rng(&o);
    board_init(&board, mem);
    g_assert_true(armz_board_open_virtio(&board, &o, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(board.nvirtio, ==, 5);
    g_assert_true(armz_board_create_devices(&board, &err));
    g_assert_no_error(err);
    for (unsigned i = 0; i < 5; i++) {
        uint64_t base = ARMZ_VIRTIO_BASE + i * ARMZ_VIRTIO_SLOT_SIZE;
        g_assert_cmphex(vt_rd(board.bus, base, VIRTIO_MMIO_MAGIC_VALUE), ==, 0x74726976);
        g_assert_cmpuint(vt_rd(board.bus, base, VIRTIO_MMIO_DEVICE_ID), ==, want_id[i]);
    }
    /* slot 1 is the read-only disk b.img: 16 sectors */
    g_assert_cmphex(vt_rd(board.bus, ARMZ_VIRTIO_BASE + 0x200, 0x100), ==, 16);
    /* the rng (slot 4) interrupts on INTID 32 + 16 + 4 */
    {
        uint64_t base = ARMZ_VIRTIO_BASE + 4 * ARMZ_VIRTIO_SLOT_SIZE;
        VtDrv d;
        VtBuf buf = { VT_RAM_GPA + 0x10000, 16, true };
        gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

        vt_drv_init(&d, mem, 8, VT_RAM_GPA + 0x1000);
        vt_negotiate(board.bus, base, ~0ULL);
        vt_queue_setup(board.bus, base, 0, &d);
        vt_driver_ok(board.bus, base);
        vt_add(&d, &buf, 1);
        vt_wr(board.bus, base, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
        /* served by the device's worker thread */
        while (vt_used_idx(&d) == 0 && g_get_monotonic_time() < deadline)
            g_usleep(1000);
        g_assert_cmpuint(vt_used_idx(&d), ==, 1);
        while (!last_level && g_get_monotonic_time() < deadline)
            g_usleep(1000);
        g_assert_cmpuint(last_intid, ==, 52);
        g_assert_cmpint(last_level, ==, 1);
        /* board reset: every virtio device back to status 0, line low */
        armz_board_reset_devices(&board);
        g_assert_cmpuint(vt_rd(board.bus, base, VIRTIO_MMIO_STATUS), ==, 0);
        g_assert_cmpint(last_level, ==, 0);
    }
    armz_board_free_devices(&board);
    armz_mmio_bus_free(board.bus);
    close(sv[1]);
    vt_mem_free(mem);
    unlink(a);
    unlink(b);
}

static void
test_missing_disk(void)
{
    g_autofree char *a = image("ok.img", 4096);
    g_autofree char *missing = g_build_filename(vt_tmpdir(), "missing.img", NULL);
    ArmzDiskOpt disks[2] = { { .path = a, .fd = -1 }, { .path = missing, .fd = -1 } };
    ArmzOptions o;
    ArmzBoard board;
    GError *err = NULL;

    memset(&o, 0, sizeof(o));
    o.disks = disks;
    o.ndisks = 2;
    memset(&board, 0, sizeof(board));
    g_assert_false(armz_board_open_virtio(&board, &o, &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err->message, missing));
    g_clear_error(&err);
    armz_board_free_devices(&board);
    unlink(a);
}

/* device tree cells: big-endian, only 4-byte aligned */
static uint64_t
u64at(const void *p, int i)
{
    fdt64_t v;
    memcpy(&v, (const char *)p + 8 * i, 8);
    return fdt64_to_cpu(v);
}

static uint32_t
u32at(const void *p, int i)
{
    fdt32_t v;
    memcpy(&v, (const char *)p + 4 * i, 4);
    return fdt32_to_cpu(v);
}

static void
test_fdt(void)
{
    uint64_t mpidr[1] = { 0 };
    ArmzFdtConfig cfg = {
        .ram_base = ARMZ_RAM_BASE, .ram_size = 256ull << 20, .ncpus = 1, .mpidr = mpidr,
        .gic = ARMZ_GIC_V2, .nvirtio = 3,
    };
    size_t size;
    GError *err = NULL;
    void *fdt = armz_fdt_build(&cfg, &size, &err);
    int off, prev = -1;

    g_assert_no_error(err);
    for (unsigned i = 0; i < 3; i++) {
        g_autofree char *path = g_strdup_printf("/virtio_mmio@%" G_GINT64_MODIFIER "x",
                                                (guint64)(0x0a000000 + 0x200 * i));
        const void *irq, *reg;
        int len;

        off = fdt_path_offset(fdt, path);
        g_assert_cmpint(off, >=, 0);
        g_assert_cmpint(off, >, prev);      /* lowest address first */
        prev = off;
        g_assert_cmpint(fdt_node_check_compatible(fdt, off, "virtio,mmio"), ==, 0);
        reg = fdt_getprop(fdt, off, "reg", &len);
        g_assert_cmpint(len, ==, 16);
        g_assert_cmphex(u64at(reg, 0), ==, 0x0a000000 + 0x200 * i);
        g_assert_cmphex(u64at(reg, 1), ==, 0x200);
        irq = fdt_getprop(fdt, off, "interrupts", &len);
        g_assert_cmpint(len, ==, 12);
        g_assert_cmpuint(u32at(irq, 0), ==, 0);           /* SPI */
        g_assert_cmpuint(u32at(irq, 1), ==, 16 + i);
        g_assert_cmpuint(u32at(irq, 2), ==, 4);           /* level high */
        g_assert_nonnull(fdt_getprop(fdt, off, "dma-coherent", &len));
    }
    g_assert_cmpint(fdt_path_offset(fdt, "/virtio_mmio@a000600"), <, 0);
    g_free(fdt);

    cfg.nvirtio = 0;
    fdt = armz_fdt_build(&cfg, &size, &err);
    g_assert_cmpint(fdt_path_offset(fdt, "/virtio_mmio@a000000"), <, 0);
    g_free(fdt);
}

static void
msi_drop(void *opaque, uint64_t addr, uint32_t data, uint32_t devid)
{
    (void)opaque;
    (void)addr;
    (void)data;
    (void)devid;
}

/* --pci: the balloon, the SCSI controller and the console each below the
 * root port their address names (libvirt's bus = the port's index), the
 * rng without one in the first free root-bus slot */
static void
test_pci_placement(void)
{
    VtMem *mem = vt_mem_new(RAM_SIZE);
    ArmzRootPortOpt ports[3] = {
        { .index = 1, .slot = 1, .function = 0, .chassis = 1, .port = 8 },
        { .index = 2, .slot = 1, .function = 1, .chassis = 2, .port = 9 },
        { .index = 3, .slot = 1, .function = 2, .chassis = 3, .port = 10 },
    };
    ArmzScsiOpt cdrom = { .cdrom = TRUE, .fd = -1, .lun = 0, .id = (char *)"scsi0-0-0-0" };
    ArmzOptions o;
    ArmzBoard board;
    GError *err = NULL;
    struct { ArmzVirtioDev **dev; unsigned port_devfn; } want[3];
    ArmzVirtioDev *scsi, *console, *rng;

    memset(&o, 0, sizeof(o));
    o.pci = TRUE;
    o.root_ports = ports;
    o.nroot_ports = 3;
    o.has_balloon = TRUE;
    o.balloon.pci = (ArmzPciAddrOpt){ .set = TRUE, .bus = 3 };
    o.scsi = &cdrom;
    o.nscsi = 1;
    o.scsi_pci = (ArmzPciAddrOpt){ .set = TRUE, .bus = 1 };
    console_and_rng(&o);
    o.console_pci = (ArmzPciAddrOpt){ .set = TRUE, .bus = 2 };
    board_init(&board, mem);
    board.msi = (ArmzMsiSender){ msi_drop, NULL };
    g_assert_true(armz_board_open_virtio(&board, &o, &err));
    g_assert_no_error(err);
    /* slot order: console, rng, balloon, scsi */
    g_assert_cmpuint(board.nvirtio, ==, 4);
    console = board.virtio[0];
    rng = board.virtio[1];
    scsi = board.virtio[3];
    g_assert_true(board.virtio[2] == board.balloon);
    g_assert_true(armz_board_create_devices(&board, &err));
    g_assert_no_error(err);
    want[0].dev = &board.balloon;
    want[0].port_devfn = 1 << 3 | 2;
    want[1].dev = &scsi;
    want[1].port_devfn = 1 << 3;
    want[2].dev = &console;
    want[2].port_devfn = 1 << 3 | 1;
    for (unsigned i = 0; i < G_N_ELEMENTS(want); i++) {
        ArmzPcieRootPort *rp = armz_pci_host_root_port(board.pci_host, want[i].port_devfn);
        g_assert_nonnull(rp);
        g_assert_true(rp->child == armz_virtio_pci_func(*want[i].dev));
    }
    /* the rng: on the root bus, in slot 2 (slot 1 holds the ports) */
    g_assert_true(armz_pci_host_func(board.pci_host, 2 << 3) == armz_virtio_pci_func(rng));
    g_assert_cmpuint(board.nmmio, ==, 0);
    armz_board_free_devices(&board);
    armz_mmio_bus_free(board.bus);
    vt_mem_free(mem);
}

int
main(int argc, char **argv)
{
    int r;

    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio-board/slots", test_board);
    g_test_add_func("/virtio-board/missing-disk", test_missing_disk);
    g_test_add_func("/virtio-board/device-tree", test_fdt);
    g_test_add_func("/virtio-board/pci-placement", test_pci_placement);
    r = g_test_run();
    vt_tmpdir_cleanup();
    return r;
}
