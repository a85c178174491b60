/* The fw_cfg "bootorder" file of a board (boot/bootorder.c): the devices
 * by bootindex, each as the OpenFirmware path QEMU's virt machine writes
 * for the same topology and AAVMF's QemuBootOrderLib translates: virtio-mmio
 * disks and SCSI LUNs (hexadecimal), and on PCI Express the host bridge,
 * the root port and the function, with virtio-mmio (pci=off) beside them. */
#include <string.h>
#include <glib.h>
#include "vtest.h"
#include "boot/bootorder.h"

#define RAM_SIZE (1u << 20)

static void
irq_set(void *opaque, unsigned intid, int level)
{
    (void)opaque;
    (void)intid;
    (void)level;
}

static void
msi_drop(void *opaque, uint64_t addr, uint32_t data, uint32_t devid)
{
    (void)opaque;
    (void)addr;
    (void)data;
    (void)devid;
}

static char *
image(const char *name)
{
    char *p = g_build_filename(vt_tmpdir(), name, NULL);
    g_autofree char *zero = g_malloc0(4096);
    g_assert_true(g_file_set_contents(p, zero, 4096, NULL));
    return p;
}

/* the board of O, its devices created; returns the "bootorder" text */
static char *
order_of(const ArmzOptions *o)
{
    VtMem *mem = vt_mem_new(RAM_SIZE);
    ArmzBoard board;
    GError *err = NULL;
    g_autoptr(GBytes) order = NULL;
    char *text = NULL;

    memset(&board, 0, sizeof(board));
    board.bus = armz_mmio_bus_new();
    board.irq_set = irq_set;
    board.mem = mem->mem;
    board.msi = (ArmzMsiSender){ msi_drop, NULL };
    g_assert_true(armz_board_open_virtio(&board, o, &err));
    g_assert_no_error(err);
    g_assert_true(armz_board_create_devices(&board, &err));
    g_assert_no_error(err);
    order = armz_boot_order(o, &board);
    if (order) {
        gsize n;
        const char *d = g_bytes_get_data(order, &n);
        /* one string, NUL-terminated, as the firmware checks */
        g_assert_cmpuint(n, >, 0);
        g_assert_cmpint(d[n - 1], ==, '\0');
        g_assert_cmpuint(strlen(d), ==, n - 1);
        text = g_strdup(d);
    }
    armz_board_free_devices(&board);
    armz_mmio_bus_free(board.bus);
    vt_mem_free(mem);
    return text;
}

/* virtio-mmio: the virtio-scsi controller takes the slot after the disks;
 * the LUN is hexadecimal; devices without a bootindex are not listed */
static void
test_mmio(void)
{
    g_autofree char *a = image("a.img"), *b = image("b.img");
    ArmzDiskOpt disks[2] = { { .path = a, .fd = -1, .bootindex = 3 }, { .path = b, .fd = -1 } };
    ArmzScsiOpt scsi[3] = {
        { .cdrom = TRUE, .fd = -1, .lun = 0, .id = (char *)"scsi0-0-0-0", .bootindex = 2 },
        { .cdrom = TRUE, .fd = -1, .lun = 10, .id = (char *)"scsi0-0-0-10", .bootindex = 1 },
        { .cdrom = TRUE, .fd = -1, .lun = 3, .id = (char *)"scsi0-0-0-3" },
    };
    ArmzOptions o;
    g_autofree char *text = NULL;

    memset(&o, 0, sizeof(o));
    o.disks = disks;
    o.ndisks = 2;
    o.scsi = scsi;
    o.nscsi = 3;
    text = order_of(&o);
    g_assert_cmpstr(text, ==,
                    "/virtio-mmio@000000000a000400/channel@0/disk@0,a\n"
                    "/virtio-mmio@000000000a000400/channel@0/disk@0,0\n"
                    "/virtio-mmio@000000000a000000/disk@0,0\n");
    /* nothing to boot by index: no file */
    disks[0].bootindex = scsi[0].bootindex = scsi[1].bootindex = 0;
    g_free(text);
    text = order_of(&o);
    g_assert_null(text);
}

/* PCI Express: root ports as pci-bridge@SLOT[,FN], the function below as
 * scsi@0; a device without an address on the root bus; a pci=off disk on
 * virtio-mmio slot 0 */
static void
test_pci(void)
{
    g_autofree char *a = image("a.img"), *b = image("b.img"), *c = image("c.img");
    ArmzRootPortOpt ports[2] = {
        { .index = 1, .slot = 1, .function = 0, .chassis = 1, .port = 8 },
        { .index = 2, .slot = 1, .function = 3, .chassis = 2, .port = 9 },
    };
    ArmzDiskOpt disks[3] = {
        { .path = a, .fd = -1, .bootindex = 2, .pci = { .set = TRUE, .bus = 2 } },
        { .path = b, .fd = -1, .bootindex = 3, .pci = { .off = TRUE } },
        { .path = c, .fd = -1, .bootindex = 4 },
    };
    ArmzScsiOpt cdrom = { .cdrom = TRUE, .fd = -1, .lun = 0, .id = (char *)"scsi0-0-0-0",
                          .bootindex = 1 };
    ArmzOptions o;
    g_autofree char *text = NULL;

    memset(&o, 0, sizeof(o));
    o.pci = TRUE;
    o.root_ports = ports;
    o.nroot_ports = 2;
    o.disks = disks;
    o.ndisks = 3;
    o.scsi = &cdrom;
    o.nscsi = 1;
    o.scsi_pci = (ArmzPciAddrOpt){ .set = TRUE, .bus = 1 };
    text = order_of(&o);
    g_assert_cmpstr(text, ==,
                    "/pci@ffffffffffffffff/pci-bridge@1/scsi@0/channel@0/disk@0,0\n"
                    "/pci@ffffffffffffffff/pci-bridge@1,3/scsi@0/disk@0,0\n"
                    "/virtio-mmio@000000000a000000/disk@0,0\n"
                    "/pci@ffffffffffffffff/scsi@2/disk@0,0\n");
}

int
main(int argc, char **argv)
{
    int r;

    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/boot-order/virtio-mmio", test_mmio);
    g_test_add_func("/boot-order/pci", test_pci);
    r = g_test_run();
    vt_tmpdir_cleanup();
    return r;
}
