/* The virtio device core alone, driven through a minimal fake transport
 * (no MMIO bus, no virtio-mmio: this test is linked without
 * virtio_mmio.c): feature negotiation, the status state machine and its
 * resets, queue registers and activation, notifications reaching the
 * worker, interrupts handed to the transport with their cause and queue,
 * config space in guest (little-endian) order, DEVICE_NEEDS_RESET. */
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include "vtest.h"
#include "virtio/virtio_core.h"

#define RAM_SIZE (1u << 20)
#define RING0    (VT_RAM_GPA + 0x1000)
#define RING1    (VT_RAM_GPA + 0x8000)
#define BUF      (VT_RAM_GPA + 0x10000)

#define NQUEUES  VT_ECHO_QUEUES
#define QMAX     VT_ECHO_QMAX
#define DEV_FEATURE_BIT 3

static VtMem *mem;

/* ---- the fake transport: records what the core asks of it ---- */
typedef struct {
    unsigned vring[NQUEUES];        /* VRING interrupts per queue */
    unsigned config;                /* CONFIG interrupts */
    unsigned resets;
    unsigned frees;
} Fake;

static void
fake_interrupt(void *opaque, ArmzVirtioIntCause cause, unsigned queue)
{
    Fake *f = opaque;
    if (cause == ARMZ_VIRTIO_INT_CONFIG) {
        g_assert_cmpuint(queue, ==, 0);
        f->config++;
    } else {
        g_assert_cmpint(cause, ==, ARMZ_VIRTIO_INT_VRING);
        g_assert_cmpuint(queue, <, NQUEUES);
        f->vring[queue]++;
    }
}

static void
fake_reset(void *opaque)
{
    Fake *f = opaque;
    f->resets++;
}

static void
fake_free(void *opaque)
{
    Fake *f = opaque;
    f->frees++;
}

static const ArmzVirtioTransport fake_transport = {
    .interrupt = fake_interrupt, .reset = fake_reset, .free = fake_free,
};

typedef struct {
    VtEcho t;
    Fake tr;
    ArmzVirtioDev *dev;
} Fix;

static void
fix_init(Fix *f)
{
    memset(f, 0, sizeof(*f));
    f->dev = armz_virtio_dev_new(&vt_echo_ops, &f->t, "core0", VIRTIO_BIT(DEV_FEATURE_BIT));
    armz_virtio_dev_bind(f->dev, &fake_transport, &f->tr, &mem->mem);
}

static void
fix_free(Fix *f)
{
    armz_virtio_dev_free(f->dev);
    g_assert_cmpuint(f->tr.frees, ==, 1);
    g_assert_cmpuint(f->t.freed, ==, 1);
}

/* ---- the driver's side, as a transport would relay it ---- */

static uint8_t
status(Fix *f)
{
    uint8_t s;
    armz_virtio_lock(f->dev);
    s = armz_virtio_status(f->dev);
    armz_virtio_unlock(f->dev);
    return s;
}

static void
set_status(Fix *f, uint8_t s)
{
    armz_virtio_lock(f->dev);
    armz_virtio_set_status(f->dev, s);
    armz_virtio_unlock(f->dev);
}

/* reset, ACKNOWLEDGE, DRIVER, FEATURES, FEATURES_OK: whether it stuck */
static bool
negotiate(Fix *f, uint64_t features)
{
    set_status(f, 0);
    set_status(f, VIRTIO_STATUS_ACKNOWLEDGE);
    set_status(f, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    armz_virtio_lock(f->dev);
    armz_virtio_set_driver_features(f->dev, 0, (uint32_t)features);
    armz_virtio_set_driver_features(f->dev, 1, (uint32_t)(features >> 32));
    armz_virtio_unlock(f->dev);
    set_status(f, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    return status(f) & VIRTIO_STATUS_FEATURES_OK;
}

static void
set_addr(Fix *f, unsigned q, ArmzVirtqArea area, uint64_t gpa)
{
    armz_virtio_queue_set_addr(f->dev, q, area, false, (uint32_t)gpa);
    armz_virtio_queue_set_addr(f->dev, q, area, true, (uint32_t)(gpa >> 32));
}

static uint64_t
addr(Fix *f, unsigned q, ArmzVirtqArea area)
{
    return armz_virtio_queue_addr(f->dev, q, area, false) |
           (uint64_t)armz_virtio_queue_addr(f->dev, q, area, true) << 32;
}

static void
queue_setup(Fix *f, unsigned q, VtDrv *d)
{
    armz_virtio_lock(f->dev);
    g_assert_false(armz_virtio_queue_ready(f->dev, q));
    armz_virtio_queue_set_num(f->dev, q, d->num);
    set_addr(f, q, ARMZ_VIRTQ_AREA_DESC, d->desc);
    set_addr(f, q, ARMZ_VIRTQ_AREA_DRIVER, d->avail);
    set_addr(f, q, ARMZ_VIRTQ_AREA_DEVICE, d->used);
    armz_virtio_queue_set_ready(f->dev, q, true);
    g_assert_true(armz_virtio_queue_ready(f->dev, q));
    armz_virtio_unlock(f->dev);
}

static void
driver_ok(Fix *f)
{
    set_status(f, status(f) | VIRTIO_STATUS_DRIVER_OK);
}

/* ---- tests ---- */

static void
test_features(void)
{
    Fix f;
    uint64_t want = VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(DEV_FEATURE_BIT);

    fix_init(&f);
    g_assert_cmpuint(armz_virtio_device_id(f.dev), ==, 7);
    g_assert_cmpuint(armz_virtio_num_queues(f.dev), ==, NQUEUES);
    g_assert_cmphex(armz_virtio_device_features(f.dev), ==,
                    VIRTIO_BIT(DEV_FEATURE_BIT) | VIRTIO_BIT(VIRTIO_F_VERSION_1) |
                    VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX));
    /* a legacy driver (no VERSION_1): FEATURES_OK does not stick */
    g_assert_false(negotiate(&f, VIRTIO_BIT(DEV_FEATURE_BIT)));
    g_assert_cmphex(status(&f), ==, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    /* a feature not offered */
    g_assert_false(negotiate(&f, want | VIRTIO_BIT(7)));
    g_assert_cmpuint(f.t.set_features, ==, 0);
    /* an offered subset with VERSION_1, told to the device once */
    g_assert_true(negotiate(&f, want));
    g_assert_cmpuint(f.t.set_features, ==, 1);
    g_assert_cmphex(f.t.features, ==, want);
    g_assert_cmphex(armz_virtio_features(f.dev), ==, want);
    /* frozen from FEATURES_OK on; a word beyond the second is ignored */
    armz_virtio_lock(f.dev);
    armz_virtio_set_driver_features(f.dev, 0, 0);
    armz_virtio_set_driver_features(f.dev, 1, 0);
    armz_virtio_unlock(f.dev);
    g_assert_cmphex(armz_virtio_features(f.dev), ==, want);
    set_status(&f, 0);
    armz_virtio_lock(f.dev);
    armz_virtio_set_driver_features(f.dev, 2, 0xffffffffu);
    armz_virtio_unlock(f.dev);
    g_assert_cmphex(armz_virtio_features(f.dev), ==, 0);
    fix_free(&f);
}

static void
test_status_reset(void)
{
    Fix f;
    VtDrv d;
    unsigned tr_resets, dev_resets;

    fix_init(&f);
    vt_drv_init(&d, mem, 16, RING0);
    g_assert_true(negotiate(&f, VIRTIO_BIT(VIRTIO_F_VERSION_1)));
    queue_setup(&f, 0, &d);
    driver_ok(&f);
    g_assert_cmphex(status(&f), ==, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
                    VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
    /* the driver's status bits are kept as written (FAILED too) */
    set_status(&f, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
               VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_FAILED);
    g_assert_true(status(&f) & VIRTIO_STATUS_FAILED);

    /* writing 0: the transport forgets its interrupt state, the device
     * model resets, every register is back to its initial value */
    tr_resets = f.tr.resets;
    dev_resets = f.t.resets;
    set_status(&f, 0);
    g_assert_cmpuint(f.tr.resets, ==, tr_resets + 1);
    g_assert_cmpuint(f.t.resets, ==, dev_resets + 1);
    g_assert_cmphex(status(&f), ==, 0);
    g_assert_cmphex(armz_virtio_features(f.dev), ==, 0);
    armz_virtio_lock(f.dev);
    g_assert_false(armz_virtio_queue_ready(f.dev, 0));
    g_assert_cmpuint(armz_virtio_queue_num(f.dev, 0), ==, QMAX);
    g_assert_cmphex(addr(&f, 0, ARMZ_VIRTQ_AREA_DESC), ==, 0);
    g_assert_cmphex(addr(&f, 0, ARMZ_VIRTQ_AREA_DRIVER), ==, 0);
    g_assert_cmphex(addr(&f, 0, ARMZ_VIRTQ_AREA_DEVICE), ==, 0);
    armz_virtio_unlock(f.dev);

    /* a VM reset (the board) does the same */
    g_assert_true(negotiate(&f, VIRTIO_BIT(VIRTIO_F_VERSION_1)));
    tr_resets = f.tr.resets;
    armz_virtio_dev_reset(f.dev);
    g_assert_cmpuint(f.tr.resets, ==, tr_resets + 1);
    g_assert_cmphex(status(&f), ==, 0);
    /* no interrupt was asked for by any of this */
    g_assert_cmpuint(f.tr.config + f.tr.vring[0] + f.tr.vring[1], ==, 0);
    fix_free(&f);
}

static void
test_queue_regs(void)
{
    Fix f;
    VtDrv d;

    fix_init(&f);
    armz_virtio_lock(f.dev);
    g_assert_cmpuint(armz_virtio_queue_num_max(f.dev, 0), ==, QMAX);
    g_assert_cmpuint(armz_virtio_queue_num_max(f.dev, 1), ==, QMAX);
    /* a queue that does not exist reads 0 and ignores writes */
    g_assert_cmpuint(armz_virtio_queue_num_max(f.dev, NQUEUES), ==, 0);
    armz_virtio_queue_set_num(f.dev, NQUEUES, 8);
    g_assert_cmpuint(armz_virtio_queue_num(f.dev, NQUEUES), ==, 0);
    set_addr(&f, NQUEUES, ARMZ_VIRTQ_AREA_DESC, RING0);
    g_assert_cmphex(addr(&f, NQUEUES, ARMZ_VIRTQ_AREA_DESC), ==, 0);
    armz_virtio_queue_set_ready(f.dev, NQUEUES, true);
    g_assert_false(armz_virtio_queue_ready(f.dev, NQUEUES));
    /* 64-bit addresses, in two halves */
    set_addr(&f, 1, ARMZ_VIRTQ_AREA_DRIVER, 0x123456789abcdef0ULL);
    g_assert_cmphex(addr(&f, 1, ARMZ_VIRTQ_AREA_DRIVER), ==, 0x123456789abcdef0ULL);
    g_assert_cmphex(addr(&f, 1, ARMZ_VIRTQ_AREA_DESC), ==, 0);
    armz_virtio_unlock(f.dev);

    /* size and addresses are frozen while the queue is ready */
    g_assert_true(negotiate(&f, VIRTIO_BIT(VIRTIO_F_VERSION_1)));
    vt_drv_init(&d, mem, 16, RING0);
    queue_setup(&f, 0, &d);
    armz_virtio_lock(f.dev);
    armz_virtio_queue_set_num(f.dev, 0, 4);
    set_addr(&f, 0, ARMZ_VIRTQ_AREA_DESC, RING1);
    g_assert_cmpuint(armz_virtio_queue_num(f.dev, 0), ==, 16);
    g_assert_cmphex(addr(&f, 0, ARMZ_VIRTQ_AREA_DESC), ==, d.desc);
    /* the other queue is independent; disabling unfreezes */
    g_assert_false(armz_virtio_queue_ready(f.dev, 1));
    armz_virtio_queue_set_ready(f.dev, 0, false);
    set_addr(&f, 0, ARMZ_VIRTQ_AREA_DESC, RING1);
    g_assert_cmphex(addr(&f, 0, ARMZ_VIRTQ_AREA_DESC), ==, RING1);
    armz_virtio_unlock(f.dev);
    g_assert_false(armz_virtio_needs_reset(f.dev));
    fix_free(&f);
}

/* a notification reaches the worker, the used buffer goes back and the
 * transport is asked for a VRING interrupt of that very queue */
static void
test_notify(void)
{
    Fix f;
    VtDrv d0, d1;
    VtBuf b[2] = { { BUF, 100, false }, { BUF + 0x100, 8, true } };
    uint32_t id, len;
    uint64_t one = 1;

    fix_init(&f);
    vt_drv_init(&d0, mem, 16, RING0);
    vt_drv_init(&d1, mem, 16, RING1);
    g_assert_true(negotiate(&f, VIRTIO_BIT(VIRTIO_F_VERSION_1)));
    queue_setup(&f, 0, &d0);
    queue_setup(&f, 1, &d1);

    /* before DRIVER_OK nothing is processed ... */
    vt_add(&d1, b, 2);
    armz_virtio_queue_notify(f.dev, 1);
    vt_run(f.dev);
    g_assert_false(vt_get_used(&d1, &id, &len));
    /* ... and DRIVER_OK looks at the queues again */
    driver_ok(&f);
    vt_run(f.dev);
    g_assert_true(vt_get_used(&d1, &id, &len));
    g_assert_cmpuint(len, ==, 8);   /* clamped to the writable part */
    g_assert_cmpuint(f.tr.vring[1], ==, 1);
    g_assert_cmpuint(f.tr.vring[0], ==, 0);
    g_assert_cmpuint(f.tr.config, ==, 0);

    /* queue 0 through its eventfd, as KVM_IOEVENTFD signals it */
    vt_add(&d0, b, 1);
    g_assert_cmpint(write(armz_virtio_queue_notify_fd(f.dev, 0), &one, sizeof(one)), ==,
                    sizeof(one));
    vt_run(f.dev);
    g_assert_true(vt_get_used(&d0, &id, &len));
    g_assert_cmpuint(len, ==, 0);
    g_assert_cmpuint(f.tr.vring[0], ==, 1);
    g_assert_cmpuint(f.tr.vring[1], ==, 1);

    /* a queue that does not exist is ignored */
    armz_virtio_queue_notify(f.dev, NQUEUES);
    armz_virtio_queue_notify(f.dev, 1000);
    vt_run(f.dev);
    g_assert_cmpuint(f.tr.vring[0] + f.tr.vring[1], ==, 2);

    /* after a reset a published request is not processed */
    set_status(&f, 0);
    vt_add(&d0, b, 1);
    armz_virtio_queue_notify(f.dev, 0);
    vt_run(f.dev);
    g_assert_false(vt_get_used(&d0, &id, &len));
    fix_free(&f);
}

/* config space is little-endian guest bytes whatever the host order */
static void
test_config(void)
{
    Fix f;
    uint8_t *cfg;
    uint32_t gen;

    fix_init(&f);
    cfg = armz_virtio_config(f.dev);
    armz_st_le32(cfg, 0x44332211);
    armz_st_le32(cfg + 4, 0x88776655);
    g_assert_cmphex(cfg[0], ==, 0x11);
    armz_virtio_lock(f.dev);
    g_assert_cmphex(armz_virtio_config_read(f.dev, 0, 1), ==, 0x11);
    g_assert_cmphex(armz_virtio_config_read(f.dev, 1, 1), ==, 0x22);
    g_assert_cmphex(armz_virtio_config_read(f.dev, 2, 2), ==, 0x4433);
    g_assert_cmphex(armz_virtio_config_read(f.dev, 0, 4), ==, 0x44332211);
    g_assert_cmphex(armz_virtio_config_read(f.dev, 4, 4), ==, 0x88776655);
    g_assert_cmphex(armz_virtio_config_read(f.dev, 0, 8), ==, 0x8877665544332211ULL);
    /* outside it, or straddling its end: 0 */
    g_assert_cmphex(armz_virtio_config_read(f.dev, 6, 4), ==, 0);
    g_assert_cmphex(armz_virtio_config_read(f.dev, 8, 1), ==, 0);
    g_assert_cmphex(armz_virtio_config_read(f.dev, G_MAXUINT64, 4), ==, 0);
    /* writes reach the device model only inside it */
    armz_virtio_config_write(f.dev, 6, 2, 0xbeef);
    armz_virtio_config_write(f.dev, 7, 2, 0xbeef);
    armz_virtio_config_write(f.dev, G_MAXUINT64 - 1, 4, 1);
    g_assert_cmpuint(f.t.config_writes, ==, 1);
    g_assert_cmpuint(f.t.last_write_off, ==, 6);
    g_assert_cmpuint(f.t.last_write_size, ==, 2);
    g_assert_cmphex(f.t.last_write_value, ==, 0xbeef);
    g_assert_cmphex(armz_virtio_config_read(f.dev, 4, 4), ==, 0xbeef6655);
    gen = armz_virtio_config_generation(f.dev);
    armz_virtio_unlock(f.dev);

    /* a change moves the generation; the driver is interrupted only once
     * the device is live */
    armz_virtio_config_changed(f.dev);
    g_assert_cmpuint(f.tr.config, ==, 0);
    g_assert_true(negotiate(&f, VIRTIO_BIT(VIRTIO_F_VERSION_1)));
    driver_ok(&f);
    armz_virtio_config_changed(f.dev);
    g_assert_cmpuint(f.tr.config, ==, 1);
    armz_virtio_lock(f.dev);
    g_assert_cmpuint(armz_virtio_config_generation(f.dev), ==, gen + 2);
    armz_virtio_unlock(f.dev);
    g_assert_cmpuint(f.tr.vring[0] + f.tr.vring[1], ==, 0);
    fix_free(&f);
}

/* a bad queue puts the device into DEVICE_NEEDS_RESET, told to the driver
 * by a CONFIG interrupt once it is (or goes) live; a reset heals it */
static void
test_needs_reset(void)
{
    Fix f;
    VtDrv d;
    VtBuf b = { BUF, 8, false };
    uint32_t id, len;

    fix_init(&f);
    /* a size above QueueNumMax, before DRIVER_OK: no interrupt yet */
    g_assert_true(negotiate(&f, VIRTIO_BIT(VIRTIO_F_VERSION_1)));
    armz_virtio_lock(f.dev);
    armz_virtio_queue_set_num(f.dev, 0, QMAX * 2);
    armz_virtio_queue_set_ready(f.dev, 0, true);
    armz_virtio_unlock(f.dev);
    g_assert_true(armz_virtio_needs_reset(f.dev));
    g_assert_cmpuint(f.tr.config, ==, 0);
    /* the driver going live on it is told at once, and NEEDS_RESET stays */
    driver_ok(&f);
    g_assert_cmpuint(f.tr.config, ==, 1);
    g_assert_true(status(&f) & VIRTIO_STATUS_NEEDS_RESET);
    g_assert_true(status(&f) & VIRTIO_STATUS_DRIVER_OK);

    /* rings outside guest RAM on a live device: interrupted right away */
    set_status(&f, 0);
    g_assert_false(armz_virtio_needs_reset(f.dev));
    g_assert_true(negotiate(&f, VIRTIO_BIT(VIRTIO_F_VERSION_1)));
    driver_ok(&f);
    armz_virtio_lock(f.dev);
    armz_virtio_queue_set_num(f.dev, 1, 16);
    set_addr(&f, 1, ARMZ_VIRTQ_AREA_DESC, VT_RAM_GPA + RAM_SIZE);
    set_addr(&f, 1, ARMZ_VIRTQ_AREA_DRIVER, RING1);
    set_addr(&f, 1, ARMZ_VIRTQ_AREA_DEVICE, RING1 + 0x1000);
    armz_virtio_queue_set_ready(f.dev, 1, true);
    armz_virtio_unlock(f.dev);
    g_assert_true(armz_virtio_needs_reset(f.dev));
    g_assert_cmpuint(f.tr.config, ==, 2);
    /* a second failure is not told twice */
    armz_virtio_fail(f.dev, "again");
    g_assert_cmpuint(f.tr.config, ==, 2);

    /* reset, then good rings work again */
    set_status(&f, 0);
    vt_drv_init(&d, mem, 16, RING0);
    g_assert_true(negotiate(&f, VIRTIO_BIT(VIRTIO_F_VERSION_1)));
    queue_setup(&f, 0, &d);
    driver_ok(&f);
    vt_add(&d, &b, 1);
    armz_virtio_queue_notify(f.dev, 0);
    vt_run(f.dev);
    g_assert_true(vt_get_used(&d, &id, &len));
    g_assert_cmpuint(f.tr.vring[0], ==, 1);
    g_assert_false(armz_virtio_needs_reset(f.dev));
    fix_free(&f);
}

/* with the worker thread: a notification is served without anyone
 * driving the rounds */
static void
test_thread(void)
{
    Fix f;
    VtDrv d;
    VtBuf b = { BUF, 8, false };
    GError *err = NULL;
    gint64 deadline;

    fix_init(&f);
    g_assert_true(armz_virtio_dev_start(f.dev, &err));
    g_assert_no_error(err);
    vt_drv_init(&d, mem, 16, RING0);
    g_assert_true(negotiate(&f, VIRTIO_BIT(VIRTIO_F_VERSION_1)));
    queue_setup(&f, 0, &d);
    driver_ok(&f);
    for (int i = 0; i < 5; i++)
        vt_add(&d, &b, 1);
    armz_virtio_queue_notify(f.dev, 0);
    deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    while (vt_used_idx(&d) < 5 && g_get_monotonic_time() < deadline)
        g_usleep(100);
    g_assert_cmpuint(vt_used_idx(&d), ==, 5);
    set_status(&f, 0);
    fix_free(&f);
}

int
main(int argc, char **argv)
{
    int r;

    g_test_init(&argc, &argv, NULL);
    mem = vt_mem_new(RAM_SIZE);
    g_test_add_func("/virtio-core/features", test_features);
    g_test_add_func("/virtio-core/status-reset", test_status_reset);
    g_test_add_func("/virtio-core/queue-registers", test_queue_regs);
    g_test_add_func("/virtio-core/notify", test_notify);
    g_test_add_func("/virtio-core/config", test_config);
    g_test_add_func("/virtio-core/needs-reset", test_needs_reset);
    g_test_add_func("/virtio-core/thread", test_thread);
    r = g_test_run();
    vt_mem_free(mem);
    return r;
}
