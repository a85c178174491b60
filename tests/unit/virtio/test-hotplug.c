/* device_add / device_del / query-pci of src/vmm/pci/hotplug.c on a board
 * with a PCIe host bridge and three root ports (no KVM): each argument
 * error names its cause, a disk goes into an empty hotplug-capable port
 * (presence detect, listed by query-pci and in the board's devices),
 * device_del presses the attention button and arms the guest-error timer,
 * the guest's power-off removes it with DEVICE_DELETED. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <glib.h>
#include "pci/hotplug.h"
#include "pci/pcie_slot.h"
#include "virtio/virtio.h"
#include "vtest.h"

typedef struct {
    ArmzBoard b;
    ArmzRootPortOpt opts[3];
    GMainContext *ctx;
    ArmzHotplug *hp;
    GString *events;
    unsigned pauses, resumes;
    VtMem *mem;
} Fix;

static void
hk_pause(void *opaque)
{
    ((Fix *)opaque)->pauses++;
}

static void
hk_resume(void *opaque)
{
    ((Fix *)opaque)->resumes++;
}

static void
hk_event(void *opaque, const char *name, const char *data)
{
    Fix *f = opaque;
    g_string_append_printf(f->events, "%s %s\n", name, data);
}

static void
msi_drop(void *opaque, uint64_t addr, uint32_t data, uint32_t devid)
{
}

static void
fix_setup(Fix *f, gconstpointer data)
{
    ArmzRootPortOpt o[3] = { { 1, 2, 0, 1, 0x10, FALSE }, { 2, 3, 0, 2, 0x11, FALSE },
                             { 3, 4, 0, 3, 0x12, TRUE } };
    ArmzMsiSender msi = { msi_drop, NULL };
    ArmzHotplugHooks h = { hk_pause, hk_resume, hk_event, f, NULL, 50, TRUE };

    memset(f, 0, sizeof(*f));
    memcpy(f->opts, o, sizeof(o));
    f->mem = vt_mem_new(1 << 20);
    f->ctx = g_main_context_new();
    f->events = g_string_new(NULL);
    f->b.pci = TRUE;
    f->b.mem = f->mem->mem;
    f->b.msi = msi;
    f->b.pci_host = armz_pci_host_new(NULL, NULL);
    f->b.root_port_opts = f->opts;
    f->b.nroot_ports = 3;
    f->b.root_ports = g_new0(ArmzPcieRootPort, 3);
    for (unsigned i = 0; i < 3; i++) {
        armz_pcie_root_port_init(&f->b.root_ports[i], o[i].chassis, o[i].port, !o[i].no_hotplug);
        g_assert_true(armz_pci_host_add_root_port(f->b.pci_host, o[i].slot << 3,
                                                  &f->b.root_ports[i], NULL));
    }
    h.ctx = f->ctx;
    f->hp = armz_hotplug_new(&f->b, &h);
}

static void
fix_teardown(Fix *f, gconstpointer data)
{
    armz_hotplug_free(f->hp);
    armz_board_free_devices(&f->b);
    g_main_context_unref(f->ctx);
    g_string_free(f->events, TRUE);
    vt_mem_free(f->mem);
}

/* a 1 MiB image, open read-write */
static int
image_fd(void)
{
    char path[] = "/tmp/armz-hotplug-XXXXXX";
    int fd = mkstemp(path);

    g_assert_cmpint(fd, >=, 0);
    unlink(path);
    g_assert_cmpint(ftruncate(fd, 1 << 20), ==, 0);
    return fd;
}

/* device_add fails with a message containing WANT; FD (if any) is closed */
static void
add_fails(Fix *f, ArmzDeviceAddArgs *a, const char *want)
{
    GError *err = NULL;
    int fd = a->fd;

    g_assert_false(armz_hotplug_device_add(f->hp, a, &err));
    g_assert_nonnull(err);
    if (!strstr(err->message, want))
        g_error("device_add error '%s' does not contain '%s'", err->message, want);
    g_error_free(err);
    if (fd >= 0)
        g_assert_cmpint(fcntl(fd, F_GETFD), <, 0);
}

static void
test_errors(Fix *f, gconstpointer data)
{
    ArmzDeviceAddArgs a;
    GError *err = NULL;

    memset(&a, 0, sizeof(a));
    a.fd = -1;
    a.driver = "e1000"; a.id = "d1"; a.bus = "pci.1";
    add_fails(f, &a, "'e1000' is not virtio-blk-pci");
    a.driver = "virtio-blk-pci"; a.id = "bad id";
    add_fails(f, &a, "Parameter 'id'");
    a.id = "d1"; a.bus = "pci.9";
    add_fails(f, &a, "Bus 'pci.9' not found");
    a.bus = "pcie.0";
    add_fails(f, &a, "Bus 'pcie.0' not found");
    a.bus = "pci.3";
    add_fails(f, &a, "Bus 'pci.3' does not support hotplugging");
    a.bus = "pci.1";
    add_fails(f, &a, "exactly one of 'fdname' and 'path'");
    a.fd = image_fd();
    a.cache = "sometimes";
    add_fails(f, &a, "cache='sometimes'");
    a.cache = NULL;
    a.fd = image_fd();
    a.io = "io_uring";
    add_fails(f, &a, "io=io_uring is set up when armz-vmm starts");
    a.fd = image_fd();
    a.io = "native";                    /* native needs O_DIRECT: cache none */
    add_fails(f, &a, "native");
    a.io = NULL;
    a.fd = image_fd();
    a.mac = "52:54:00:00:00:01";
    add_fails(f, &a, "'mac' is not a property of virtio-blk-pci");
    a.mac = NULL;
    a.driver = "virtio-net-pci";
    a.fd = -1;
    add_fails(f, &a, "needs 'fdname'");
    a.fd = image_fd();
    add_fails(f, &a, "is no tap");
    {
        int sp[2];
        g_assert_cmpint(socketpair(AF_UNIX, SOCK_DGRAM, 0, sp), ==, 0);
        close(sp[1]);
        a.fd = sp[0];
        a.mac = "01:00:00:00:00:01";
        add_fails(f, &a, "multicast");
        a.driver = "virtio-blk-pci";
        a.mac = NULL;
        g_assert_cmpint(socketpair(AF_UNIX, SOCK_DGRAM, 0, sp), ==, 0);
        close(sp[1]);
        a.fd = sp[0];
        add_fails(f, &a, "no disk image");
    }
    /* a closed fd number */
    a.driver = "virtio-blk-pci";
    a.mac = NULL;
    a.fd = image_fd();
    close(a.fd);
    add_fails(f, &a, "not open");
    a.fd = -1;
    /* device_del of what is not there */
    g_assert_false(armz_hotplug_device_del(f->hp, "nosuch", &err));
    g_assert_nonnull(strstr(err->message, "Device 'nosuch' not found"));
    g_clear_error(&err);
    g_assert_cmpuint(f->b.nvirtio, ==, 0);
}

/* vhost-user-blk-pci: its arguments and what it needs of the VM */
static void
test_vhost_errors(Fix *f, gconstpointer data)
{
    ArmzDeviceAddArgs a;
    int sp[2];

    memset(&a, 0, sizeof(a));
    a.fd = -1;
    a.driver = "vhost-user-blk-pci"; a.id = "virtio-disk3"; a.bus = "pci.1";
    a.path = "/nonexistent/vdd.sock";
    a.serial = "S1";
    add_fails(f, &a, "vhost-user-blk-pci takes only 'path', 'fdname' and 'readonly'");
    a.serial = NULL;
    a.cache = "none";
    add_fails(f, &a, "takes only");
    a.cache = NULL;
    a.path = NULL;
    add_fails(f, &a, "needs 'path'");
    a.path = "/nonexistent/vdd.sock";
    /* the fixture's RAM is private memory: no back-end could map it */
    add_fails(f, &a, "needs guest RAM from a memfd");
    a.fd = image_fd();
    add_fails(f, &a, "no socket connected to a vhost-user back-end");
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), ==, 0);
    close(sp[1]);
    a.fd = sp[0];
    add_fails(f, &a, "needs guest RAM from a memfd");
    a.bus = "pci.3";
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), ==, 0);
    close(sp[1]);
    a.fd = sp[0];
    add_fails(f, &a, "Bus 'pci.3' does not support hotplugging");
    g_assert_cmpuint(f->b.nvirtio, ==, 0);
}

static void
test_add_del(Fix *f, gconstpointer data)
{
    ArmzDeviceAddArgs a;
    GError *err = NULL;
    ArmzPcieRootPort *rp = &f->b.root_ports[0];
    g_autofree char *q = NULL;
    int fd = image_fd();

    memset(&a, 0, sizeof(a));
    a.driver = "virtio-blk-pci"; a.id = "disk1"; a.bus = "pci.1"; a.fd = fd;
    a.serial = "S1"; a.cache = "writeback"; a.discard = "unmap";
    g_assert_true(armz_hotplug_device_add(f->hp, &a, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(f->b.nvirtio, ==, 1);
    g_assert_cmpstr(armz_virtio_label(f->b.virtio[0]), ==, "disk1");
    g_assert_nonnull(rp->child);
    g_assert_cmphex(armz_pcie_slot_sta(rp) & (PCIE_SLTSTA_PDS | PCIE_SLTSTA_PDC), ==,
                    PCIE_SLTSTA_PDS | PCIE_SLTSTA_PDC);
    /* the port is taken now, and so is the id */
    a.fd = image_fd();
    add_fails(f, &a, "Duplicate device ID 'disk1'");
    a.fd = image_fd();
    a.id = "disk2";
    add_fails(f, &a, "Bus 'pci.1' is occupied");
    q = armz_hotplug_query_pci(f->hp);
    g_assert_nonnull(strstr(q, "\"qdev_id\": \"pci.1\""));
    g_assert_nonnull(strstr(q, "\"qdev_id\": \"disk1\""));
    g_assert_nonnull(strstr(q, "\"vendor\": 6900, \"device\": 4162"));

    /* device_del: the button, the timer; no removal until the guest agrees */
    g_assert_true(armz_hotplug_device_del(f->hp, "disk1", &err));
    g_assert_cmphex(armz_pcie_slot_sta(rp) & PCIE_SLTSTA_ABP, !=, 0);
    g_assert_cmpuint(f->b.nvirtio, ==, 1);
    while (!strstr(f->events->str, "DEVICE_UNPLUG_GUEST_ERROR"))
        g_main_context_iteration(f->ctx, TRUE);
    g_assert_cmpstr(f->events->str, ==,
                    "DEVICE_UNPLUG_GUEST_ERROR {\"device\": \"disk1\", "
                    "\"path\": \"/machine/peripheral/disk1\"}\n");
    g_assert_cmpuint(f->b.nvirtio, ==, 1);
    /* the guest powers the slot off later: removed, fd closed, event */
    armz_hotplug_power_off(f->hp, 1);
    g_assert_cmpuint(f->b.nvirtio, ==, 0);
    g_assert_null(rp->child);
    g_assert_cmphex(armz_pcie_slot_sta(rp) & PCIE_SLTSTA_PDS, ==, 0);
    g_assert_cmpint(fcntl(fd, F_GETFD), <, 0);
    g_assert_cmpuint(f->pauses, ==, 1);
    g_assert_cmpuint(f->resumes, ==, 1);
    g_assert_nonnull(strstr(f->events->str, "DEVICE_DELETED {\"device\": \"disk1\""));
    /* the port takes a device again */
    a.fd = image_fd();
    a.id = "disk1";
    g_assert_true(armz_hotplug_device_add(f->hp, &a, &err));
    g_assert_no_error(err);
    g_assert_nonnull(rp->child);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/hotplug/errors", Fix, NULL, fix_setup, test_errors, fix_teardown);
    g_test_add("/hotplug/add-del", Fix, NULL, fix_setup, test_add_del, fix_teardown);
    g_test_add("/hotplug/vhost-user-errors", Fix, NULL, fix_setup, test_vhost_errors,
               fix_teardown);
    return g_test_run();
}
