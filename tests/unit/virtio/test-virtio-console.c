/* virtio-console (hvc0, port 0) on the serial line's backends: output to
 * an fd / a file / a pty / nowhere, with the append-only log copy; input
 * into receive buffers, waiting while there are none, split over several. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <glib.h>
#include "vtest.h"
#include "virtio/virtio.h"

#define BASE     0x0a000600ULL
#define RAM_SIZE (1u << 20)
#define RXRING   (VT_RAM_GPA + 0x1000)
#define TXRING   (VT_RAM_GPA + 0x4000)
#define TXBUF    (VT_RAM_GPA + 0x10000)
#define RXBUF    (VT_RAM_GPA + 0x20000)

static VtMem *mem;

typedef struct {
    ArmzVirtioDev *dev;
    ArmzMmioBus *bus;
    VtIrq irq;
    VtDrv rx, tx;
} Fix;

static void
fix_init(Fix *f, const ArmzCharOpt *o)
{
    GError *err = NULL;

    memset(f, 0, sizeof(*f));
    f->dev = armz_virtio_console_new(o, &err);
    g_assert_no_error(err);
    f->bus = vt_attach(f->dev, BASE, mem, &f->irq);
    vt_drv_init(&f->rx, mem, 8, RXRING);
    vt_drv_init(&f->tx, mem, 8, TXRING);
    g_assert_cmphex(vt_negotiate(f->bus, BASE, ~0ULL), !=, 0);
    vt_queue_setup(f->bus, BASE, VIRTIO_CONSOLE_RX_QUEUE, &f->rx);
    vt_queue_setup(f->bus, BASE, VIRTIO_CONSOLE_TX_QUEUE, &f->tx);
    vt_driver_ok(f->bus, BASE);
}

static void
fix_free(Fix *f)
{
    armz_virtio_dev_free(f->dev);
    armz_mmio_bus_free(f->bus);
}

static void
guest_print(Fix *f, const char *a, const char *b)
{
    uint32_t id, len;
    VtBuf bufs[2] = { { TXBUF, (uint32_t)strlen(a), false },
                      { TXBUF + 0x100, (uint32_t)strlen(b), false } };

    memcpy(vt_ptr(mem, TXBUF), a, strlen(a));
    memcpy(vt_ptr(mem, TXBUF + 0x100), b, strlen(b));
    vt_add(&f->tx, bufs, 2);
    vt_wr(f->bus, BASE, VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_CONSOLE_TX_QUEUE);
    vt_run(f->dev);
    g_assert_true(vt_get_used(&f->tx, &id, &len));
    g_assert_cmpuint(len, ==, 0);
}

static void
add_rx(Fix *f, uint64_t gpa, uint32_t size)
{
    VtBuf b = { gpa, size, true };
    vt_add(&f->rx, &b, 1);
    vt_wr(f->bus, BASE, VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_CONSOLE_RX_QUEUE);
}

static char *
slurp(const char *path)
{
    char *s = NULL;
    g_assert_true(g_file_get_contents(path, &s, NULL, NULL));
    return s;
}

static void
read_exactly(int fd, char *buf, size_t len)
{
    size_t got = 0;
    gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

    while (got < len && g_get_monotonic_time() < deadline) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n > 0)
            got += (size_t)n;
        else
            g_usleep(1000);
    }
    g_assert_cmpuint(got, ==, len);
}

static void
test_fd(void)
{
    Fix f;
    int sv[2];
    char buf[64];
    uint32_t id, len;
    g_autofree char *log = g_build_filename(vt_tmpdir(), "console.log", NULL);
    g_autofree char *logged = NULL;
    ArmzCharOpt o = { .kind = ARMZ_SERIAL_FD, .log_path = log, .log_fd = -1 };

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    o.fd = sv[0];
    g_assert_true(g_file_set_contents(log, "earlier\n", -1, NULL));
    fix_init(&f, &o);
    g_assert_cmpuint(vt_rd(f.bus, BASE, VIRTIO_MMIO_DEVICE_ID), ==, VIRTIO_ID_CONSOLE);

    guest_print(&f, "hello ", "world\n");
    read_exactly(sv[1], buf, 12);
    g_assert_cmpmem(buf, 12, "hello world\n", 12);
    logged = slurp(log);
    g_assert_cmpstr(logged, ==, "earlier\nhello world\n");

    /* input before any receive buffer waits in the backend */
    g_assert_cmpint(write(sv[1], "typed\n", 6), ==, 6);
    vt_run(f.dev);
    g_assert_false(vt_get_used(&f.rx, &id, &len));
    add_rx(&f, RXBUF, 64);
    vt_run(f.dev);
    g_assert_true(vt_get_used(&f.rx, &id, &len));
    g_assert_cmpuint(len, ==, 6);
    g_assert_cmpmem(vt_ptr(mem, RXBUF), 6, "typed\n", 6);
    g_assert_cmpint(f.irq.level, ==, 1);

    /* more input than one buffer holds: spread over the next ones */
    g_assert_cmpint(write(sv[1], "0123456789abcdef", 16), ==, 16);
    add_rx(&f, RXBUF, 10);
    add_rx(&f, RXBUF + 0x100, 10);
    vt_run(f.dev);
    g_assert_true(vt_get_used(&f.rx, &id, &len));
    g_assert_cmpuint(len, ==, 10);
    g_assert_cmpmem(vt_ptr(mem, RXBUF), 10, "0123456789", 10);
    g_assert_true(vt_get_used(&f.rx, &id, &len));
    g_assert_cmpuint(len, ==, 6);
    g_assert_cmpmem(vt_ptr(mem, RXBUF + 0x100), 6, "abcdef", 6);

    /* reset: input waits again until the driver is back */
    vt_wr(f.bus, BASE, VIRTIO_MMIO_STATUS, 0);
    g_assert_cmpint(write(sv[1], "x", 1), ==, 1);
    vt_run(f.dev);
    fix_free(&f);
    g_assert_cmpint(read(sv[0], buf, 1), ==, 1);    /* still there */
    close(sv[0]);
    close(sv[1]);
}

static void
test_file_and_none(void)
{
    Fix f;
    g_autofree char *out = g_build_filename(vt_tmpdir(), "console.out", NULL);
    g_autofree char *got = NULL;
    ArmzCharOpt o = { .kind = ARMZ_SERIAL_FILE, .path = out, .fd = -1, .log_fd = -1 };
    ArmzCharOpt none = { .kind = ARMZ_SERIAL_NONE, .fd = -1, .log_fd = -1 };
    uint32_t id, len;

    fix_init(&f, &o);
    guest_print(&f, "to ", "file");
    fix_free(&f);
    got = slurp(out);
    g_assert_cmpstr(got, ==, "to file");

    fix_init(&f, &none);
    guest_print(&f, "to ", "nowhere");
    add_rx(&f, RXBUF, 16);
    vt_run(f.dev);
    g_assert_false(vt_get_used(&f.rx, &id, &len));
    fix_free(&f);
}

static void
test_pty(void)
{
    Fix f;
    g_autofree char *pf = g_build_filename(vt_tmpdir(), "console.pty", NULL);
    g_autofree char *name = NULL;
    ArmzCharOpt o = { .kind = ARMZ_SERIAL_PTY, .pty_file = pf, .fd = -1, .log_fd = -1 };
    char buf[16];
    uint32_t id, len;
    int c;

    fix_init(&f, &o);
    name = slurp(pf);
    g_strchomp(name);
    g_assert_true(g_str_has_prefix(name, "/dev/pts/"));
    c = open(name, O_RDWR | O_NOCTTY | O_NONBLOCK);
    g_assert_cmpint(c, >=, 0);
    guest_print(&f, "pty", "!");
    read_exactly(c, buf, 4);
    g_assert_cmpmem(buf, 4, "pty!", 4);
    add_rx(&f, RXBUF, 16);
    g_assert_cmpint(write(c, "k", 1), ==, 1);
    for (int i = 0; i < 100 && !vt_get_used(&f.rx, &id, &len); i++) {
        vt_run(f.dev);
        g_usleep(1000);
        if (vt_used_idx(&f.rx) != f.rx.used_seen) {
            g_assert_true(vt_get_used(&f.rx, &id, &len));
            break;
        }
    }
    g_assert_cmpuint(len, ==, 1);
    g_assert_cmpuint(*vt_ptr(mem, RXBUF), ==, 'k');
    close(c);
    fix_free(&f);
}

static void
test_open_errors(void)
{
    GError *err = NULL;
    ArmzCharOpt bad_fd = { .kind = ARMZ_SERIAL_FD, .fd = 9999, .log_fd = -1 };
    ArmzCharOpt bad_log = { .kind = ARMZ_SERIAL_NONE, .fd = -1,
                            .log_path = (char *)"/nonexistent/dir/x.log", .log_fd = -1 };

    g_assert_null(armz_virtio_console_new(&bad_fd, &err));
    g_assert_nonnull(strstr(err->message, "9999"));
    g_clear_error(&err);
    g_assert_null(armz_virtio_console_new(&bad_log, &err));
    g_assert_nonnull(strstr(err->message, "/nonexistent/dir/x.log"));
    g_clear_error(&err);
}

int
main(int argc, char **argv)
{
    int r;

    g_test_init(&argc, &argv, NULL);
    mem = vt_mem_new(RAM_SIZE);
    g_test_add_func("/virtio-console/fd-and-log", test_fd);
    g_test_add_func("/virtio-console/file-and-none", test_file_and_none);
    g_test_add_func("/virtio-console/pty", test_pty);
    g_test_add_func("/virtio-console/open-errors", test_open_errors);
    r = g_test_run();
    vt_mem_free(mem);
    vt_tmpdir_cleanup();
    return r;
}
