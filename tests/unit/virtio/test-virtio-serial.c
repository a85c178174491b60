/* virtio-serial (MULTIPORT): the control handshake (DEVICE_READY ->
 * DEVICE_ADD per port, PORT_READY -> PORT_NAME), a client connecting and
 * leaving shows as PORT_OPEN to the guest, the guest opening a port reaches
 * the listener (VSERPORT_CHANGE), bytes flow both ways, and hostile control
 * messages (unknown port or event, short, bad values) change nothing. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <glib.h>
#include "vtest.h"
#include "virtio/virtio.h"

#define BASE     0x0a000800ULL
#define RAM_SIZE (2u << 20)
#define RING(q)  (VT_RAM_GPA + 0x1000 + (q) * 0x1000)
#define CTRL_BUF (VT_RAM_GPA + 0x20000)     /* 16 receive buffers of 64 bytes */
#define MSG      (VT_RAM_GPA + 0x30000)     /* the driver's control messages */
#define DATA     (VT_RAM_GPA + 0x40000)
#define NQ       8

static VtMem *mem;

typedef struct {
    ArmzVirtioDev *dev;
    ArmzMmioBus *bus;
    VtIrq irq;
    VtDrv q[NQ];
    char *path[2];
    GPtrArray *changes;             /* "id name open|closed" */
} Fix;

static void
on_port(void *opaque, const char *id, const char *name, bool open)
{
    Fix *f = opaque;
    g_ptr_array_add(f->changes, g_strdup_printf("%s %s %s", id, name, open ? "open" : "closed"));
}

static void
post_ctrl_buffers(Fix *f, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        VtBuf b = { CTRL_BUF + 64 * (f->q[2].avail_idx % 16), 64, true };
        vt_add(&f->q[2], &b, 1);
    }
    vt_wr(f->bus, BASE, VIRTIO_MMIO_QUEUE_NOTIFY, 2);
    vt_run(f->dev);
}

/* PTY: -1, or a pty master for the second port (<channel type='pty'>) */
static void
fix_init_pty(Fix *f, int pty)
{
    GError *err = NULL;
    ArmzChannelOpt ch[2] = { { 0 } };

    memset(f, 0, sizeof(*f));
    f->changes = g_ptr_array_new_with_free_func(g_free);
    for (int i = 0; i < 2; i++) {
        f->path[i] = g_strdup_printf("%s/port%d.sock", vt_tmpdir(), i);
        ch[i].path = f->path[i];
        ch[i].fd = -1;
    }
    ch[0].name = (char *)"org.qemu.guest_agent.0";
    ch[0].id = (char *)"channel0";
    ch[1].name = (char *)"org.example.other";
    if (pty >= 0) {
        ch[1].path = NULL;
        ch[1].fd = pty;
    }
    f->dev = armz_virtio_serial_new(ch, 2, &err);
    g_assert_no_error(err);
    armz_virtio_serial_set_listener(f->dev, on_port, f);
    f->bus = vt_attach(f->dev, BASE, mem, &f->irq);
    g_assert_cmphex(vt_negotiate(f->bus, BASE, VIRTIO_BIT(VIRTIO_CONSOLE_F_MULTIPORT) |
                                 VIRTIO_BIT(VIRTIO_F_VERSION_1)), !=, 0);
    g_assert_cmpuint(vt_rd(f->bus, BASE, VIRTIO_MMIO_CONFIG + VIRTIO_CONSOLE_CFG_MAX_NR_PORTS),
                     ==, 3);
    for (unsigned q = 0; q < NQ; q++) {
        vt_drv_init(&f->q[q], mem, 16, RING(q));
        vt_queue_setup(f->bus, BASE, q, &f->q[q]);
    }
    vt_driver_ok(f->bus, BASE);
    post_ctrl_buffers(f, 8);
}

static void
fix_init(Fix *f)
{
    fix_init_pty(f, -1);
}

static void
fix_free(Fix *f)
{
    g_assert_false(armz_virtio_needs_reset(f->dev));
    armz_virtio_dev_free(f->dev);
    armz_mmio_bus_free(f->bus);
    for (int i = 0; i < 2; i++)
        g_free(f->path[i]);
    g_ptr_array_free(f->changes, TRUE);
}

/* The driver sends a control message of LEN bytes (8: a whole one). */
static void
send_ctrl_len(Fix *f, uint32_t id, uint16_t event, uint16_t value, uint32_t len)
{
    uint8_t *m = vt_ptr(mem, MSG + 16 * (f->q[3].avail_idx % 16));
    VtBuf b = { MSG + 16 * (f->q[3].avail_idx % 16), len, false };
    uint32_t hid, ulen;

    armz_st_le32(m, id);
    armz_st_le16(m + 4, event);
    armz_st_le16(m + 6, value);
    vt_add(&f->q[3], &b, 1);
    vt_wr(f->bus, BASE, VIRTIO_MMIO_QUEUE_NOTIFY, 3);
    vt_run(f->dev);
    g_assert_true(vt_get_used(&f->q[3], &hid, &ulen));
}

static void
send_ctrl(Fix *f, uint32_t id, uint16_t event, uint16_t value)
{
    send_ctrl_len(f, id, event, value, 8);
}

/* The next message the device sent: FALSE when none. */
static bool
next_ctrl(Fix *f, uint32_t *id, uint16_t *event, uint16_t *value, char **text)
{
    uint32_t head, len;
    uint8_t *m;

    if (!vt_get_used(&f->q[2], &head, &len))
        return false;
    g_assert_cmpuint(len, >=, 8);
    /* descriptors were handed out in order: head I is buffer I % 16 */
    m = vt_ptr(mem, CTRL_BUF + 64 * (head % 16));
    *id = armz_ld_le32(m);
    *event = armz_ld_le16(m + 4);
    *value = armz_ld_le16(m + 6);
    if (text)
        *text = g_strndup((char *)m + 8, len - 8);
    return true;
}

static void
expect_ctrl(Fix *f, uint32_t id, uint16_t event, uint16_t value, const char *text)
{
    uint32_t i = 0;
    uint16_t e = 0, v = 0;
    g_autofree char *t = NULL;

    g_assert_true(next_ctrl(f, &i, &e, &v, &t));
    g_assert_cmpuint(i, ==, id);
    g_assert_cmpuint(e, ==, event);
    g_assert_cmpuint(v, ==, value);
    if (text)
        g_assert_cmpstr(t, ==, text);
}

static void
no_ctrl(Fix *f)
{
    uint32_t i = 0;
    uint16_t e = 0, v = 0;
    g_assert_false(next_ctrl(f, &i, &e, &v, NULL));
}

static int
connect_to(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    return fd;
}

static void
test_handshake_and_data(void)
{
    Fix f;
    int c;
    char buf[16] = { 0 };
    uint32_t head, len;
    VtBuf rx = { DATA, 64, true };

    fix_init(&f);
    send_ctrl(&f, 0, VIRTIO_CONSOLE_DEVICE_READY, 1);
    expect_ctrl(&f, 1, VIRTIO_CONSOLE_DEVICE_ADD, 0, NULL);
    expect_ctrl(&f, 2, VIRTIO_CONSOLE_DEVICE_ADD, 0, NULL);
    no_ctrl(&f);
    /* a second DEVICE_READY adds nothing */
    send_ctrl(&f, 0, VIRTIO_CONSOLE_DEVICE_READY, 1);
    no_ctrl(&f);
    send_ctrl(&f, 1, VIRTIO_CONSOLE_PORT_READY, 1);
    expect_ctrl(&f, 1, VIRTIO_CONSOLE_PORT_NAME, 1, "org.qemu.guest_agent.0");
    no_ctrl(&f);

    /* the host side connects: the guest hears the port is open */
    c = connect_to(f.path[0]);
    vt_run(f.dev);
    expect_ctrl(&f, 1, VIRTIO_CONSOLE_PORT_OPEN, 1, NULL);
    /* the client writes before the guest opened: it waits */
    g_assert_cmpint(write(c, "hello", 5), ==, 5);
    vt_add(&f.q[4], &rx, 1);
    vt_wr(f.bus, BASE, VIRTIO_MMIO_QUEUE_NOTIFY, 4);
    vt_run(f.dev);
    g_assert_false(vt_get_used(&f.q[4], &head, &len));
    /* the guest opens the port: the listener hears it, the bytes arrive */
    send_ctrl(&f, 1, VIRTIO_CONSOLE_PORT_OPEN, 1);
    g_assert_cmpuint(f.changes->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(f.changes, 0), ==, "channel0 org.qemu.guest_agent.0 open");
    vt_run(f.dev);
    g_assert_true(vt_get_used(&f.q[4], &head, &len));
    g_assert_cmpuint(len, ==, 5);
    g_assert_cmpmem(vt_ptr(mem, DATA), 5, "hello", 5);
    /* the guest writes: the client reads it */
    memcpy(vt_ptr(mem, DATA + 0x100), "world", 5);
    {
        VtBuf tx = { DATA + 0x100, 5, false };
        vt_add(&f.q[5], &tx, 1);
        vt_wr(f.bus, BASE, VIRTIO_MMIO_QUEUE_NOTIFY, 5);
        vt_run(f.dev);
        g_assert_true(vt_get_used(&f.q[5], &head, &len));
    }
    g_assert_cmpint(read(c, buf, sizeof(buf)), ==, 5);
    g_assert_cmpmem(buf, 5, "world", 5);
    /* the guest closes the port */
    send_ctrl(&f, 1, VIRTIO_CONSOLE_PORT_OPEN, 0);
    g_assert_cmpuint(f.changes->len, ==, 2);
    g_assert_cmpstr(g_ptr_array_index(f.changes, 1), ==, "channel0 org.qemu.guest_agent.0 closed");
    /* the client goes: the guest hears the host side closed */
    close(c);
    vt_run(f.dev);
    expect_ctrl(&f, 1, VIRTIO_CONSOLE_PORT_OPEN, 0, NULL);
    /* a new client is accepted */
    c = connect_to(f.path[0]);
    vt_run(f.dev);
    expect_ctrl(&f, 1, VIRTIO_CONSOLE_PORT_OPEN, 1, NULL);
    close(c);
    fix_free(&f);
}

static void
test_hostile_control(void)
{
    Fix f;

    fix_init(&f);
    /* before DEVICE_READY nothing is announced; then ports that do not
     * exist, events that are ours to send, bad values, a short message */
    send_ctrl(&f, 1, VIRTIO_CONSOLE_PORT_READY, 1);
    send_ctrl(&f, 0, VIRTIO_CONSOLE_DEVICE_READY, 7);
    no_ctrl(&f);
    send_ctrl(&f, 0, VIRTIO_CONSOLE_DEVICE_READY, 1);
    expect_ctrl(&f, 1, VIRTIO_CONSOLE_DEVICE_ADD, 0, NULL);
    expect_ctrl(&f, 2, VIRTIO_CONSOLE_DEVICE_ADD, 0, NULL);
    send_ctrl(&f, 0, VIRTIO_CONSOLE_PORT_READY, 1);
    send_ctrl(&f, 3, VIRTIO_CONSOLE_PORT_READY, 1);
    send_ctrl(&f, 0xffffffffu, VIRTIO_CONSOLE_PORT_OPEN, 1);
    send_ctrl(&f, 2, VIRTIO_CONSOLE_PORT_OPEN, 1);         /* not ready yet */
    send_ctrl(&f, 2, VIRTIO_CONSOLE_PORT_NAME, 1);
    send_ctrl(&f, 2, VIRTIO_CONSOLE_DEVICE_ADD, 1);
    send_ctrl(&f, 2, 0xbeef, 1);
    send_ctrl_len(&f, 2, VIRTIO_CONSOLE_PORT_READY, 1, 3);
    no_ctrl(&f);
    g_assert_cmpuint(f.changes->len, ==, 0);
    send_ctrl(&f, 2, VIRTIO_CONSOLE_PORT_READY, 1);
    expect_ctrl(&f, 2, VIRTIO_CONSOLE_PORT_NAME, 1, "org.example.other");
    send_ctrl(&f, 2, VIRTIO_CONSOLE_PORT_OPEN, 9);
    g_assert_cmpuint(f.changes->len, ==, 0);
    send_ctrl(&f, 2, VIRTIO_CONSOLE_PORT_OPEN, 1);
    send_ctrl(&f, 2, VIRTIO_CONSOLE_PORT_OPEN, 1);         /* twice: one event */
    g_assert_cmpuint(f.changes->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(f.changes, 0), ==, "channel1 org.example.other open");
    /* port 0 has no console: its queues are served and ignored */
    {
        VtBuf tx = { DATA, 4, false };
        uint32_t head, len;
        vt_add(&f.q[1], &tx, 1);
        vt_wr(f.bus, BASE, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
        vt_run(f.dev);
        g_assert_false(vt_get_used(&f.q[1], &head, &len));
    }
    /* a reset closes what the guest had open */
    armz_virtio_dev_reset(f.dev);
    g_assert_cmpuint(f.changes->len, ==, 2);
    fix_free(&f);
}

/* A pty port is connected from the start and stays so while its readers
 * come and go: bytes flow both ways through the pty's slave. */
static void
test_pty_port(void)
{
    Fix f;
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), sl;
    struct termios t;
    char buf[16] = { 0 };
    uint32_t head, len;
    VtBuf rx = { DATA, 64, true }, tx = { DATA + 0x100, 5, false };

    g_assert_cmpint(m, >=, 0);
    g_assert_cmpint(grantpt(m), ==, 0);
    g_assert_cmpint(unlockpt(m), ==, 0);
    sl = open(ptsname(m), O_RDWR | O_NOCTTY | O_CLOEXEC);
    g_assert_cmpint(sl, >=, 0);
    g_assert_cmpint(tcgetattr(sl, &t), ==, 0);
    cfmakeraw(&t);
    g_assert_cmpint(tcsetattr(sl, TCSANOW, &t), ==, 0);
    fix_init_pty(&f, m);
    send_ctrl(&f, 0, VIRTIO_CONSOLE_DEVICE_READY, 1);
    expect_ctrl(&f, 1, VIRTIO_CONSOLE_DEVICE_ADD, 0, NULL);
    expect_ctrl(&f, 2, VIRTIO_CONSOLE_DEVICE_ADD, 0, NULL);
    /* the host side of a pty port is open at once */
    send_ctrl(&f, 2, VIRTIO_CONSOLE_PORT_READY, 1);
    expect_ctrl(&f, 2, VIRTIO_CONSOLE_PORT_NAME, 1, "org.example.other");
    expect_ctrl(&f, 2, VIRTIO_CONSOLE_PORT_OPEN, 1, NULL);
    send_ctrl(&f, 2, VIRTIO_CONSOLE_PORT_OPEN, 1);
    /* the guest writes: the slave reads it */
    memcpy(vt_ptr(mem, DATA + 0x100), "world", 5);
    vt_add(&f.q[7], &tx, 1);
    vt_wr(f.bus, BASE, VIRTIO_MMIO_QUEUE_NOTIFY, 7);
    vt_run(f.dev);
    g_assert_true(vt_get_used(&f.q[7], &head, &len));
    g_assert_cmpint(read(sl, buf, sizeof(buf)), ==, 5);
    g_assert_cmpmem(buf, 5, "world", 5);
    /* the slave writes: the guest receives it */
    g_assert_cmpint(write(sl, "hello", 5), ==, 5);
    vt_add(&f.q[6], &rx, 1);
    vt_wr(f.bus, BASE, VIRTIO_MMIO_QUEUE_NOTIFY, 6);
    vt_run(f.dev);
    g_assert_true(vt_get_used(&f.q[6], &head, &len));
    g_assert_cmpuint(len, ==, 5);
    g_assert_cmpmem(vt_ptr(mem, DATA), 5, "hello", 5);
    /* the reader goes: the port stays connected (the VMM holds the slave) */
    close(sl);
    vt_run(f.dev);
    no_ctrl(&f);
    fix_free(&f);
}

static void
test_open_errors(void)
{
    GError *err = NULL;
    ArmzChannelOpt ch = { .name = (char *)"x", .fd = 9999 };
    g_autofree char *longp = g_strnfill(200, 'a');

    g_assert_null(armz_virtio_serial_new(&ch, 1, &err));
    g_assert_nonnull(strstr(err->message, "9999"));
    g_clear_error(&err);
    ch.path = longp;
    g_assert_null(armz_virtio_serial_new(&ch, 1, &err));
    g_assert_nonnull(strstr(err->message, "too long"));
    g_clear_error(&err);
}

int
main(int argc, char **argv)
{
    int r;

    g_test_init(&argc, &argv, NULL);
    mem = vt_mem_new(RAM_SIZE);
    g_test_add_func("/virtio-serial/handshake-and-data", test_handshake_and_data);
    g_test_add_func("/virtio-serial/hostile-control", test_hostile_control);
    g_test_add_func("/virtio-serial/pty-port", test_pty_port);
    g_test_add_func("/virtio-serial/open-errors", test_open_errors);
    r = g_test_run();
    vt_mem_free(mem);
    vt_tmpdir_cleanup();
    return r;
}
