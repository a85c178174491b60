/* virtio-rng: requests filled from a file (the bytes arrive unchanged, in
 * order), from /dev/urandom by default, from a non-blocking pipe that has
 * nothing yet, and a source that runs dry (requests then stay pending). */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include "vtest.h"
#include "virtio/virtio.h"

#define BASE     0x0a000800ULL
#define RAM_SIZE (1u << 20)
#define RING     (VT_RAM_GPA + 0x1000)
#define BUF      (VT_RAM_GPA + 0x10000)

static VtMem *mem;

typedef struct {
    ArmzVirtioDev *dev;
    ArmzMmioBus *bus;
    VtIrq irq;
    VtDrv d;
} Fix;

static void
fix_init(Fix *f, const char *path, int fd)
{
    GError *err = NULL;

    memset(f, 0, sizeof(*f));
    f->dev = armz_virtio_rng_new(path, fd, &err);
    g_assert_no_error(err);
    f->bus = vt_attach(f->dev, BASE, mem, &f->irq);
    vt_drv_init(&f->d, mem, 8, RING);
    g_assert_cmphex(vt_negotiate(f->bus, BASE, ~0ULL), !=, 0);
    vt_queue_setup(f->bus, BASE, 0, &f->d);
    vt_driver_ok(f->bus, BASE);
    g_assert_cmpuint(vt_rd(f->bus, BASE, VIRTIO_MMIO_DEVICE_ID), ==, VIRTIO_ID_RNG);
}

static void
fix_free(Fix *f)
{
    armz_virtio_dev_free(f->dev);
    armz_mmio_bus_free(f->bus);
}

static void
request(Fix *f, uint64_t gpa, uint32_t len)
{
    VtBuf b = { gpa, len, true };
    vt_add(&f->d, &b, 1);
    vt_wr(f->bus, BASE, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    vt_run(f->dev);
}

static void
test_file(void)
{
    Fix f;
    g_autofree char *path = g_build_filename(vt_tmpdir(), "entropy", NULL);
    uint8_t src[40];
    uint32_t id, len;

    for (unsigned i = 0; i < sizeof(src); i++)
        src[i] = (uint8_t)(i * 37 + 11);
    g_assert_true(g_file_set_contents(path, (char *)src, sizeof(src), NULL));
    fix_init(&f, path, -1);
    request(&f, BUF, 16);
    g_assert_true(vt_get_used(&f.d, &id, &len));
    g_assert_cmpuint(len, ==, 16);
    g_assert_cmpmem(vt_ptr(mem, BUF), 16, src, 16);
    g_assert_cmpint(f.irq.level, ==, 1);
    /* a chain of two buffers */
    {
        VtBuf b[2] = { { BUF + 0x100, 4, true }, { BUF + 0x200, 4, true } };
        vt_add(&f.d, b, 2);
        vt_wr(f.bus, BASE, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
        vt_run(f.dev);
        g_assert_true(vt_get_used(&f.d, &id, &len));
        g_assert_cmpuint(len, ==, 8);
        g_assert_cmpmem(vt_ptr(mem, BUF + 0x100), 4, src + 16, 4);
        g_assert_cmpmem(vt_ptr(mem, BUF + 0x200), 4, src + 20, 4);
    }
    /* only 16 bytes left: a short answer, then the source is dry */
    request(&f, BUF + 0x300, 64);
    g_assert_true(vt_get_used(&f.d, &id, &len));
    g_assert_cmpuint(len, ==, 16);
    g_assert_cmpmem(vt_ptr(mem, BUF + 0x300), 16, src + 24, 16);
    request(&f, BUF + 0x400, 64);
    g_assert_false(vt_get_used(&f.d, &id, &len));
    g_assert_false(armz_virtio_needs_reset(f.dev));
    fix_free(&f);
}

static void
test_urandom(void)
{
    Fix f;
    uint32_t id, len;
    uint8_t zero[64] = { 0 };

    fix_init(&f, NULL, -1);
    memset(vt_ptr(mem, BUF), 0, 64);
    request(&f, BUF, 64);
    g_assert_true(vt_get_used(&f.d, &id, &len));
    g_assert_cmpuint(len, ==, 64);
    g_assert_true(memcmp(vt_ptr(mem, BUF), zero, 64) != 0);
    fix_free(&f);
}

static void
test_pipe(void)
{
    Fix f;
    int p[2];
    uint32_t id, len;

    g_assert_cmpint(pipe(p), ==, 0);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    fix_init(&f, NULL, p[0]);
    request(&f, BUF, 8);
    g_assert_false(vt_get_used(&f.d, &id, &len));
    g_assert_cmpint(write(p[1], "abcdefgh", 8), ==, 8);
    vt_run(f.dev);
    g_assert_true(vt_get_used(&f.d, &id, &len));
    g_assert_cmpuint(len, ==, 8);
    g_assert_cmpmem(vt_ptr(mem, BUF), 8, "abcdefgh", 8);
    fix_free(&f);
    g_assert_cmpint(fcntl(p[0], F_GETFD), >=, 0);   /* a passed fd is not closed */
    close(p[0]);
    close(p[1]);
}

static void
test_open_errors(void)
{
    GError *err = NULL;
    g_autofree char *missing = g_build_filename(vt_tmpdir(), "no-such-source", NULL);

    g_assert_null(armz_virtio_rng_new(missing, -1, &err));
    g_assert_nonnull(strstr(err->message, missing));
    g_clear_error(&err);
    g_assert_null(armz_virtio_rng_new(NULL, 9999, &err));
    g_assert_nonnull(strstr(err->message, "9999"));
    g_clear_error(&err);
}

int
main(int argc, char **argv)
{
    int r;

    g_test_init(&argc, &argv, NULL);
    mem = vt_mem_new(RAM_SIZE);
    g_test_add_func("/virtio-rng/file", test_file);
    g_test_add_func("/virtio-rng/urandom", test_urandom);
    g_test_add_func("/virtio-rng/pipe", test_pipe);
    g_test_add_func("/virtio-rng/open-errors", test_open_errors);
    r = g_test_run();
    vt_mem_free(mem);
    vt_tmpdir_cleanup();
    return r;
}
