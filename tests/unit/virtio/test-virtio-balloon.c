/* virtio-balloon: the target reaches config space (and a config
 * interrupt), the driver's actual reaches the listener, inflated and
 * reported pages are given back to the host (they read as zero again),
 * a page outside guest RAM is ignored, statistics are parsed (unknown tags
 * skipped) and their buffer returned when the polling timer fires, and the
 * queues are numbered by the accepted features. */
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include "vtest.h"
#include "virtio/virtio.h"

#define BASE     0x0a000800ULL
#define RAM_SIZE (4u << 20)
#define RING(q)  (VT_RAM_GPA + 0x1000 + (q) * 0x1000)
#define BUF      (VT_RAM_GPA + 0x10000)
#define PAGES    (VT_RAM_GPA + 0x100000)    /* pages given to the balloon */
#define FULL     (VIRTIO_BIT(VIRTIO_BALLOON_F_STATS_VQ) | \
                  VIRTIO_BIT(VIRTIO_BALLOON_F_DEFLATE_ON_OOM) | \
                  VIRTIO_BIT(VIRTIO_BALLOON_F_REPORTING) | VIRTIO_BIT(VIRTIO_F_VERSION_1))

static VtMem *mem;

typedef struct {
    ArmzVirtioDev *dev;
    ArmzMmioBus *bus;
    VtIrq irq;
    VtDrv q[4];
    uint64_t features;
    unsigned changes;
    uint64_t last_actual;
} Fix;

static void
on_change(void *opaque, uint64_t actual)
{
    Fix *f = opaque;
    f->changes++;
    f->last_actual = actual;
}

static void
fix_init(Fix *f, const ArmzBalloonOpt *o, uint64_t want, unsigned nq)
{
    GError *err = NULL;

    memset(f, 0, sizeof(*f));
    f->dev = armz_virtio_balloon_new(o, RAM_SIZE, &err);
    g_assert_no_error(err);
    armz_virtio_balloon_set_listener(f->dev, on_change, f);
    f->bus = vt_attach(f->dev, BASE, mem, &f->irq);
    f->features = vt_negotiate(f->bus, BASE, want);
    g_assert_cmphex(f->features, !=, 0);
    for (unsigned q = 0; q < nq; q++) {
        vt_drv_init(&f->q[q], mem, 8, RING(q));
        vt_queue_setup(f->bus, BASE, q, &f->q[q]);
    }
    vt_driver_ok(f->bus, BASE);
    g_assert_cmpuint(vt_rd(f->bus, BASE, VIRTIO_MMIO_DEVICE_ID), ==, VIRTIO_ID_BALLOON);
}

static void
fix_free(Fix *f)
{
    g_assert_false(armz_virtio_needs_reset(f->dev));
    armz_virtio_dev_free(f->dev);
    armz_mmio_bus_free(f->bus);
}

static void
send(Fix *f, unsigned q, uint64_t gpa, uint32_t len, bool write)
{
    VtBuf b = { gpa, len, write };
    vt_add(&f->q[q], &b, 1);
    vt_wr(f->bus, BASE, VIRTIO_MMIO_QUEUE_NOTIFY, q);
    vt_run(f->dev);
}

static bool
all_zero(uint64_t gpa, size_t len)
{
    const uint8_t *p = vt_ptr(mem, gpa);
    for (size_t i = 0; i < len; i++)
        if (p[i])
            return false;
    return true;
}

static void
test_target_actual(void)
{
    ArmzBalloonOpt o = { 0 };
    Fix f;

    fix_init(&f, &o, FULL, 2);
    g_assert_cmpuint(armz_virtio_balloon_actual(f.dev), ==, RAM_SIZE);
    f.irq.level = 0;
    armz_virtio_balloon_set_target(f.dev, RAM_SIZE - (1u << 20));
    g_assert_cmpuint(vt_rd(f.bus, BASE, VIRTIO_MMIO_CONFIG + VIRTIO_BALLOON_CFG_NUM_PAGES),
                     ==, 256);
    g_assert_cmpint(f.irq.level, ==, 1);
    g_assert_cmphex(vt_rd(f.bus, BASE, VIRTIO_MMIO_INTERRUPT_STATUS) &
                    VIRTIO_MMIO_INT_CONFIG, !=, 0);
    /* beyond RAM: clamped, the balloon empties */
    armz_virtio_balloon_set_target(f.dev, (uint64_t)RAM_SIZE * 4);
    g_assert_cmpuint(vt_rd(f.bus, BASE, VIRTIO_MMIO_CONFIG + VIRTIO_BALLOON_CFG_NUM_PAGES),
                     ==, 0);
    /* the driver reports 256 pages held */
    vt_wr(f.bus, BASE, VIRTIO_MMIO_CONFIG + VIRTIO_BALLOON_CFG_ACTUAL, 256);
    g_assert_cmpuint(f.changes, ==, 1);
    g_assert_cmpuint(f.last_actual, ==, RAM_SIZE - (1u << 20));
    g_assert_cmpuint(armz_virtio_balloon_actual(f.dev), ==, RAM_SIZE - (1u << 20));
    /* the same value again is no change; num_pages is not the driver's */
    vt_wr(f.bus, BASE, VIRTIO_MMIO_CONFIG + VIRTIO_BALLOON_CFG_ACTUAL, 256);
    vt_wr(f.bus, BASE, VIRTIO_MMIO_CONFIG + VIRTIO_BALLOON_CFG_NUM_PAGES, 77);
    g_assert_cmpuint(f.changes, ==, 1);
    g_assert_cmpuint(vt_rd(f.bus, BASE, VIRTIO_MMIO_CONFIG + VIRTIO_BALLOON_CFG_NUM_PAGES),
                     ==, 0);
    /* a reset gives the guest all its memory back */
    armz_virtio_dev_reset(f.dev);
    g_assert_cmpuint(armz_virtio_balloon_actual(f.dev), ==, RAM_SIZE);
    fix_free(&f);
}

static void
put_pfns(uint64_t gpa, const uint32_t *pfns, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        armz_st_le32(vt_ptr(mem, gpa + 4 * i), pfns[i]);
}

static void
test_inflate_deflate(void)
{
    ArmzBalloonOpt o = { 0 };
    Fix f;
    uint32_t pfn0 = (uint32_t)(PAGES >> 12);
    /* two contiguous pages, one apart, one outside RAM (ignored) */
    uint32_t pfns[4] = { pfn0, pfn0 + 1, pfn0 + 3, 0x10 };
    uint32_t id, len;
    size_t host_page = (size_t)sysconf(_SC_PAGESIZE);

    fix_init(&f, &o, FULL, 2);
    memset(vt_ptr(mem, PAGES), 0xa5, 0x10000);
    put_pfns(BUF, pfns, 4);
    send(&f, 0, BUF, sizeof(pfns), false);
    g_assert_true(vt_get_used(&f.q[0], &id, &len));
    g_assert_cmpuint(len, ==, 0);
    if (host_page == 4096) {
        g_assert_true(all_zero(PAGES, 0x2000));
        g_assert_true(all_zero(PAGES + 0x3000, 0x1000));
    }
    /* the page in between, and those after, stay */
    g_assert_cmpuint(*vt_ptr(mem, PAGES + 0x2000), ==, 0xa5);
    g_assert_cmpuint(*vt_ptr(mem, PAGES + 0x4000), ==, 0xa5);
    /* deflate: completed, nothing touched */
    put_pfns(BUF, pfns, 2);
    send(&f, 1, BUF, 8, false);
    g_assert_true(vt_get_used(&f.q[1], &id, &len));
    g_assert_cmpuint(*vt_ptr(mem, PAGES + 0x2000), ==, 0xa5);
    /* a request with a partial frame number: the whole ones count */
    send(&f, 0, BUF, 6, false);
    g_assert_true(vt_get_used(&f.q[0], &id, &len));
    fix_free(&f);
}

static void
put_stat(uint64_t gpa, unsigned i, uint16_t tag, uint64_t val)
{
    uint8_t *p = vt_ptr(mem, gpa + i * VIRTIO_BALLOON_STAT_SIZE);
    armz_st_le16(p, tag);
    armz_st_le64(p + 2, val);
}

static void
test_stats(void)
{
    ArmzBalloonOpt o = { 0 };
    Fix f;
    uint32_t id, len;
    g_autofree char *json = NULL;
    gboolean back = FALSE;

    fix_init(&f, &o, FULL, 4);
    json = armz_virtio_balloon_stats_json(f.dev);
    g_assert_cmpstr(json, ==, "{\"stats\": {}, \"last-update\": 0}");
    g_clear_pointer(&json, g_free);
    put_stat(BUF, 0, 0, 4096);                          /* swap-in */
    put_stat(BUF, 1, 5, 0x123456789ULL);                /* total memory: 64 bits */
    put_stat(BUF, 2, 99, 7);                            /* unknown: skipped */
    put_stat(BUF, 3, 15, 3);                            /* direct reclaims */
    send(&f, 2, BUF, 4 * VIRTIO_BALLOON_STAT_SIZE, false);
    /* the buffer stays with the device until the next poll */
    g_assert_false(vt_get_used(&f.q[2], &id, &len));
    json = armz_virtio_balloon_stats_json(f.dev);
    g_assert_nonnull(strstr(json, "\"stat-swap-in\": 4096, \"stat-total-memory\": 4886718345, "
                                  "\"stat-direct-reclaims\": 3}"));
    g_assert_null(strstr(json, "\"last-update\": 0}"));
    g_assert_null(strstr(json, "stat-swap-out"));
    /* polling every second: the buffer comes back for new figures */
    armz_virtio_balloon_set_poll_interval(f.dev, 1);
    g_assert_cmpuint(armz_virtio_balloon_poll_interval(f.dev), ==, 1);
    for (int i = 0; i < 4 && !back; i++) {
        armz_virtio_dev_run_once(f.dev, 1000);
        back = vt_get_used(&f.q[2], &id, &len);
    }
    g_assert_true(back);
    /* a new report updates the figures */
    put_stat(BUF, 0, 0, 8192);
    send(&f, 2, BUF, VIRTIO_BALLOON_STAT_SIZE, false);
    g_clear_pointer(&json, g_free);
    json = armz_virtio_balloon_stats_json(f.dev);
    g_assert_nonnull(strstr(json, "\"stat-swap-in\": 8192"));
    armz_virtio_balloon_set_poll_interval(f.dev, 0);
    fix_free(&f);
}

static void
test_reporting(void)
{
    ArmzBalloonOpt o = { .free_page_reporting = TRUE };
    Fix f;
    uint32_t id, len;
    size_t host_page = (size_t)sysconf(_SC_PAGESIZE);
    uint64_t want = VIRTIO_BIT(VIRTIO_BALLOON_F_REPORTING) | VIRTIO_BIT(VIRTIO_F_VERSION_1);

    /* without STATS_VQ the reporting queue is queue 2 */
    fix_init(&f, &o, want, 3);
    g_assert_cmphex(f.features & VIRTIO_BIT(VIRTIO_BALLOON_F_STATS_VQ), ==, 0);
    memset(vt_ptr(mem, PAGES), 0x5a, 0x20000);
    send(&f, 2, PAGES, 0x10000, true);
    g_assert_true(vt_get_used(&f.q[2], &id, &len));
    g_assert_cmpuint(len, ==, 0);
    if (host_page <= 0x10000)
        g_assert_true(all_zero(PAGES, 0x10000));
    g_assert_cmpuint(*vt_ptr(mem, PAGES + 0x10000), ==, 0x5a);
    fix_free(&f);
}

static void
test_features(void)
{
    ArmzBalloonOpt plain = { 0 }, all = { .deflate_on_oom = TRUE, .free_page_reporting = TRUE };
    GError *err = NULL;
    ArmzVirtioDev *d = armz_virtio_balloon_new(&plain, RAM_SIZE, &err);
    uint64_t f = armz_virtio_device_features(d);

    g_assert_cmphex(f & VIRTIO_BIT(VIRTIO_BALLOON_F_STATS_VQ), !=, 0);
    g_assert_cmphex(f & VIRTIO_BIT(VIRTIO_BALLOON_F_DEFLATE_ON_OOM), ==, 0);
    g_assert_cmphex(f & VIRTIO_BIT(VIRTIO_BALLOON_F_REPORTING), ==, 0);
    armz_virtio_dev_free(d);
    d = armz_virtio_balloon_new(&all, RAM_SIZE, &err);
    f = armz_virtio_device_features(d);
    g_assert_cmphex(f & VIRTIO_BIT(VIRTIO_BALLOON_F_DEFLATE_ON_OOM), !=, 0);
    g_assert_cmphex(f & VIRTIO_BIT(VIRTIO_BALLOON_F_REPORTING), !=, 0);
    armz_virtio_dev_free(d);
    /* a target from the command line is there before the driver looks */
    all.target = RAM_SIZE - (1u << 20);
    d = armz_virtio_balloon_new(&all, RAM_SIZE, &err);
    g_assert_cmpuint(armz_virtio_config_read(d, VIRTIO_BALLOON_CFG_NUM_PAGES, 4), ==, 256);
    armz_virtio_dev_free(d);
}

int
main(int argc, char **argv)
{
    int r;

    g_test_init(&argc, &argv, NULL);
    mem = vt_mem_new(RAM_SIZE);
    g_test_add_func("/virtio-balloon/target-actual", test_target_actual);
    g_test_add_func("/virtio-balloon/inflate-deflate", test_inflate_deflate);
    g_test_add_func("/virtio-balloon/stats", test_stats);
    g_test_add_func("/virtio-balloon/reporting", test_reporting);
    g_test_add_func("/virtio-balloon/features", test_features);
    r = g_test_run();
    vt_mem_free(mem);
    return r;
}
