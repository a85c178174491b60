/* virtio-mmio transport: identification, feature negotiation, queue
 * registers, interrupts, config space, the status state machine with its
 * resets, QueueNotify through MMIO and through an ioeventfd, and a reset
 * racing a worker thread busy with requests. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <glib.h>
#include "vtest.h"
#include "virtio/virtio_abi.h"
#include "virtio/virtio_mmio.h"

#define BASE     0x0a000200ULL
#define RAM_SIZE (1u << 20)
#define RING     (VT_RAM_GPA + 0x1000)
#define RING2    (VT_RAM_GPA + 0x8000)
#define BUF      (VT_RAM_GPA + 0x10000)

static VtMem *mem;

#define DEV_FEATURE_BIT 5

typedef struct {
    VtEcho t;
    ArmzVirtioDev *dev;
    ArmzMmioBus *bus;
    VtIrq irq;
} Fix;

static void
fix_init(Fix *f)
{
    uint8_t *cfg;
    memset(f, 0, sizeof(*f));
    f->dev = armz_virtio_dev_new(&vt_echo_ops, &f->t, "test", VIRTIO_BIT(DEV_FEATURE_BIT));
    cfg = armz_virtio_config(f->dev);
    armz_st_le64(cfg, 0x1122334455667788ULL);
    f->bus = vt_attach(f->dev, BASE, mem, &f->irq);
}

static void
fix_free(Fix *f)
{
    armz_virtio_dev_free(f->dev);
    armz_mmio_bus_free(f->bus);
}

static uint32_t rd(Fix *f, uint64_t off) { return vt_rd(f->bus, BASE, off); }
static void wr(Fix *f, uint64_t off, uint32_t v) { vt_wr(f->bus, BASE, off, v); }

static void
test_ident(void)
{
    Fix f;
    fix_init(&f);
    g_assert_cmphex(rd(&f, VIRTIO_MMIO_MAGIC_VALUE), ==, 0x74726976);
    /* the magic is the bytes "virt" in guest order */
    {
        uint8_t b[4];
        g_assert_true(armz_mmio_bus_access(f.bus, BASE, b, 4, false));
        g_assert_cmpmem(b, 4, "virt", 4);
    }
    g_assert_cmpuint(rd(&f, VIRTIO_MMIO_VERSION), ==, 2);
    g_assert_cmpuint(rd(&f, VIRTIO_MMIO_DEVICE_ID), ==, 7);
    g_assert_cmphex(rd(&f, VIRTIO_MMIO_VENDOR_ID), ==, ARMZ_VIRTIO_VENDOR_ID);
    g_assert_cmpuint(rd(&f, VIRTIO_MMIO_STATUS), ==, 0);
    g_assert_cmpuint(rd(&f, VIRTIO_MMIO_INTERRUPT_STATUS), ==, 0);
    /* no shared memory regions: length -1 */
    wr(&f, VIRTIO_MMIO_SHM_SEL, 0);
    g_assert_cmphex(rd(&f, VIRTIO_MMIO_SHM_LEN_LOW), ==, 0xffffffff);
    g_assert_cmphex(rd(&f, VIRTIO_MMIO_SHM_LEN_HIGH), ==, 0xffffffff);
    fix_free(&f);
}

static void
test_features(void)
{
    Fix f;
    uint64_t offered;

    fix_init(&f);
    wr(&f, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    offered = rd(&f, VIRTIO_MMIO_DEVICE_FEATURES);
    wr(&f, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
    offered |= (uint64_t)rd(&f, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
    wr(&f, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
    g_assert_cmphex(rd(&f, VIRTIO_MMIO_DEVICE_FEATURES), ==, 0);
    g_assert_cmphex(offered, ==, VIRTIO_BIT(DEV_FEATURE_BIT) | VIRTIO_BIT(VIRTIO_F_VERSION_1) |
                    VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX));

    /* legacy driver (no VERSION_1): FEATURES_OK does not stick */
    g_assert_cmphex(vt_negotiate(f.bus, BASE, VIRTIO_BIT(DEV_FEATURE_BIT)), ==, 0);
    g_assert_cmpuint(f.t.resets, >=, 1);
    /* a feature not offered: refused */
    wr(&f, VIRTIO_MMIO_STATUS, 0);
    wr(&f, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    wr(&f, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    wr(&f, VIRTIO_MMIO_DRIVER_FEATURES, 1u << 7);
    wr(&f, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    wr(&f, VIRTIO_MMIO_DRIVER_FEATURES, 1);
    wr(&f, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
       VIRTIO_STATUS_FEATURES_OK);
    g_assert_cmphex(rd(&f, VIRTIO_MMIO_STATUS), ==,
                    VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    /* a proper subset with VERSION_1 */
    g_assert_cmphex(vt_negotiate(f.bus, BASE, VIRTIO_BIT(VIRTIO_F_VERSION_1) |
                                 VIRTIO_BIT(DEV_FEATURE_BIT)), ==,
                    VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(DEV_FEATURE_BIT));
    g_assert_cmphex(f.t.features, ==, VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(DEV_FEATURE_BIT));
    g_assert_cmphex(armz_virtio_features(f.dev), ==, f.t.features);
    /* after FEATURES_OK the driver cannot change them */
    wr(&f, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    wr(&f, VIRTIO_MMIO_DRIVER_FEATURES, 0);
    g_assert_cmphex(armz_virtio_features(f.dev), ==, f.t.features);
    fix_free(&f);
}

static void
test_queue_regs(void)
{
    Fix f;
    VtDrv d;

    fix_init(&f);
    vt_drv_init(&d, mem, 16, RING);
    wr(&f, VIRTIO_MMIO_QUEUE_SEL, 0);
    g_assert_cmpuint(rd(&f, VIRTIO_MMIO_QUEUE_NUM_MAX), ==, 64);
    wr(&f, VIRTIO_MMIO_QUEUE_SEL, 1);
    g_assert_cmpuint(rd(&f, VIRTIO_MMIO_QUEUE_NUM_MAX), ==, 64);
    wr(&f, VIRTIO_MMIO_QUEUE_SEL, 2);       /* no such queue */
    g_assert_cmpuint(rd(&f, VIRTIO_MMIO_QUEUE_NUM_MAX), ==, 0);
    g_assert_cmpuint(rd(&f, VIRTIO_MMIO_QUEUE_READY), ==, 0);
    wr(&f, VIRTIO_MMIO_QUEUE_READY, 1);     /* ignored */
    g_assert_cmpuint(rd(&f, VIRTIO_MMIO_QUEUE_READY), ==, 0);

    vt_negotiate(f.bus, BASE, VIRTIO_BIT(VIRTIO_F_VERSION_1));
    vt_queue_setup(f.bus, BASE, 0, &d);
    g_assert_cmpuint(rd(&f, VIRTIO_MMIO_QUEUE_READY), ==, 1);
    g_assert_cmphex(rd(&f, VIRTIO_MMIO_QUEUE_DESC_LOW), ==, (uint32_t)d.desc);
    /* frozen while ready */
    wr(&f, VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1234);
    wr(&f, VIRTIO_MMIO_QUEUE_NUM, 4);
    g_assert_cmphex(rd(&f, VIRTIO_MMIO_QUEUE_DESC_LOW), ==, (uint32_t)d.desc);
    g_assert_cmpuint(rd(&f, VIRTIO_MMIO_QUEUE_NUM), ==, 16);
    /* the other queue is independent */
    wr(&f, VIRTIO_MMIO_QUEUE_SEL, 1);
    g_assert_cmpuint(rd(&f, VIRTIO_MMIO_QUEUE_READY), ==, 0);
    /* disabling a queue */
    wr(&f, VIRTIO_MMIO_QUEUE_SEL, 0);
    wr(&f, VIRTIO_MMIO_QUEUE_READY, 0);
    g_assert_cmpuint(rd(&f, VIRTIO_MMIO_QUEUE_READY), ==, 0);
    wr(&f, VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1000);
    g_assert_cmphex(rd(&f, VIRTIO_MMIO_QUEUE_DESC_LOW), ==, 0x1000);
    /* queue size above QueueNumMax: DEVICE_NEEDS_RESET */
    wr(&f, VIRTIO_MMIO_QUEUE_NUM, 128);
    wr(&f, VIRTIO_MMIO_QUEUE_READY, 1);
    g_assert_true(rd(&f, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
    fix_free(&f);
}

static void
test_config(void)
{
    Fix f;

    fix_init(&f);
    g_assert_cmphex(vt_rd_sized(f.bus, BASE + 0x100, 1), ==, 0x88);
    g_assert_cmphex(vt_rd_sized(f.bus, BASE + 0x101, 1), ==, 0x77);
    g_assert_cmphex(vt_rd_sized(f.bus, BASE + 0x102, 2), ==, 0x5566);
    g_assert_cmphex(vt_rd_sized(f.bus, BASE + 0x100, 4), ==, 0x55667788);
    g_assert_cmphex(vt_rd_sized(f.bus, BASE + 0x104, 4), ==, 0x11223344);
    g_assert_cmphex(vt_rd_sized(f.bus, BASE + 0x100, 8), ==, 0x1122334455667788ULL);
    /* beyond the config space: zero */
    g_assert_cmphex(vt_rd_sized(f.bus, BASE + 0x106, 4), ==, 0);
    g_assert_cmphex(vt_rd_sized(f.bus, BASE + 0x108, 4), ==, 0);
    g_assert_cmphex(vt_rd_sized(f.bus, BASE + 0x1fc, 4), ==, 0);
    {
        uint8_t b[2] = { 0xaa, 0xbb };
        g_assert_true(armz_mmio_bus_access(f.bus, BASE + 0x104, b, 2, true));
    }
    g_assert_cmpuint(f.t.config_writes, ==, 1);
    g_assert_cmphex(vt_rd_sized(f.bus, BASE + 0x104, 4), ==, 0x1122bbaa);
    /* generation moves when the device changes its config */
    uint32_t gen = rd(&f, VIRTIO_MMIO_CONFIG_GENERATION);
    armz_virtio_config_changed(f.dev);
    g_assert_cmpuint(rd(&f, VIRTIO_MMIO_CONFIG_GENERATION), ==, gen + 1);
    fix_free(&f);
}

static void
test_bad_access(void)
{
    Fix f;
    uint8_t b[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

    fix_init(&f);
    /* registers are 32-bit only: other widths read 0 and are ignored */
    g_assert_cmphex(vt_rd_sized(f.bus, BASE + VIRTIO_MMIO_MAGIC_VALUE, 2), ==, 0);
    g_assert_cmphex(vt_rd_sized(f.bus, BASE + VIRTIO_MMIO_MAGIC_VALUE, 1), ==, 0);
    g_assert_cmphex(vt_rd_sized(f.bus, BASE + VIRTIO_MMIO_MAGIC_VALUE + 1, 4), ==, 0);
    g_assert_true(armz_mmio_bus_access(f.bus, BASE + VIRTIO_MMIO_STATUS, b, 1, true));
    g_assert_true(armz_mmio_bus_access(f.bus, BASE + VIRTIO_MMIO_STATUS, b, 8, true));
    g_assert_cmpuint(rd(&f, VIRTIO_MMIO_STATUS), ==, 0);
    /* read-only registers ignore writes */
    wr(&f, VIRTIO_MMIO_MAGIC_VALUE, 0);
    wr(&f, VIRTIO_MMIO_INTERRUPT_STATUS, 3);
    g_assert_cmphex(rd(&f, VIRTIO_MMIO_MAGIC_VALUE), ==, 0x74726976);
    g_assert_cmphex(rd(&f, VIRTIO_MMIO_INTERRUPT_STATUS), ==, 0);
    /* QueueNotify of a queue that does not exist */
    wr(&f, VIRTIO_MMIO_QUEUE_NOTIFY, 99);
    vt_run(f.dev);
    fix_free(&f);
}

/* ACK, DRIVER, FEATURES_OK, queue, DRIVER_OK; a request through QueueNotify
 * (MMIO exit path); interrupt raised and acknowledged; reset */
static void
test_lifecycle(void)
{
    Fix f;
    VtDrv d;
    VtBuf b[2] = { { BUF, 100, false }, { BUF + 0x100, 4, true } };
    uint32_t id, len;

    fix_init(&f);
    vt_drv_init(&d, mem, 16, RING);
    g_assert_cmphex(vt_negotiate(f.bus, BASE, VIRTIO_BIT(VIRTIO_F_VERSION_1)), !=, 0);
    vt_queue_setup(f.bus, BASE, 0, &d);
    /* before DRIVER_OK nothing is processed */
    vt_add(&d, b, 2);
    wr(&f, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    vt_run(f.dev);
    g_assert_false(vt_get_used(&d, &id, &len));
    /* DRIVER_OK: the earlier notification is looked at again */
    vt_driver_ok(f.bus, BASE);
    vt_run(f.dev);
    g_assert_true(vt_get_used(&d, &id, &len));
    g_assert_cmpuint(len, ==, 4);   /* clamped to the writable part */
    g_assert_cmpint(f.irq.level, ==, 1);
    g_assert_cmphex(rd(&f, VIRTIO_MMIO_INTERRUPT_STATUS), ==, VIRTIO_MMIO_INT_VRING);
    wr(&f, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
    g_assert_cmpint(f.irq.level, ==, 0);
    g_assert_cmphex(rd(&f, VIRTIO_MMIO_INTERRUPT_STATUS), ==, 0);

    /* a second request, notified again */
    vt_add(&d, b, 2);
    wr(&f, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    vt_run(f.dev);
    g_assert_true(vt_get_used(&d, &id, &len));
    g_assert_cmpuint(f.irq.raised, ==, 2);

    /* reset: everything back to the initial state, line low */
    wr(&f, VIRTIO_MMIO_STATUS, 0);
    g_assert_cmpuint(rd(&f, VIRTIO_MMIO_STATUS), ==, 0);
    g_assert_cmpuint(rd(&f, VIRTIO_MMIO_INTERRUPT_STATUS), ==, 0);
    g_assert_cmpint(f.irq.level, ==, 0);
    wr(&f, VIRTIO_MMIO_QUEUE_SEL, 0);
    g_assert_cmpuint(rd(&f, VIRTIO_MMIO_QUEUE_READY), ==, 0);
    g_assert_cmpuint(rd(&f, VIRTIO_MMIO_QUEUE_NUM), ==, 64);
    g_assert_cmphex(armz_virtio_features(f.dev), ==, 0);
    /* a request published after the reset is not processed */
    vt_add(&d, b, 2);
    wr(&f, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    vt_run(f.dev);
    g_assert_false(vt_get_used(&d, &id, &len));
    /* VM reset (board) does the same */
    vt_drv_init(&d, mem, 16, RING);
    vt_negotiate(f.bus, BASE, VIRTIO_BIT(VIRTIO_F_VERSION_1));
    vt_queue_setup(f.bus, BASE, 0, &d);
    vt_driver_ok(f.bus, BASE);
    armz_virtio_dev_reset(f.dev);
    g_assert_cmpuint(rd(&f, VIRTIO_MMIO_STATUS), ==, 0);
    g_assert_cmpuint(rd(&f, VIRTIO_MMIO_QUEUE_READY), ==, 0);
    fix_free(&f);
}

/* EVENT_IDX: the used_event the driver writes decides which completions
 * interrupt */
static void
test_event_idx_suppression(void)
{
    Fix f;
    VtDrv d;
    VtBuf b = { BUF, 8, false };
    uint32_t id, len;

    fix_init(&f);
    vt_drv_init(&d, mem, 16, RING);
    vt_negotiate(f.bus, BASE, VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX));
    vt_queue_setup(f.bus, BASE, 0, &d);
    vt_driver_ok(f.bus, BASE);
    /* the driver asks for an interrupt only after the 3rd completion */
    vt_set_used_event(&d, 2);
    for (int i = 0; i < 2; i++)
        vt_add(&d, &b, 1);
    wr(&f, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    vt_run(f.dev);
    /* first decision always interrupts */
    g_assert_cmpuint(f.irq.raised, ==, 1);
    wr(&f, VIRTIO_MMIO_INTERRUPT_ACK, 1);
    vt_add(&d, &b, 1);
    wr(&f, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    vt_run(f.dev);
    g_assert_cmpuint(f.irq.raised, ==, 2);
    while (vt_get_used(&d, &id, &len))
        ;
    g_assert_cmpuint(d.used_seen, ==, 3);
    /* the device asks to be notified of the next chain */
    g_assert_cmpuint(vt_avail_event(&d), ==, 3);
    fix_free(&f);
}

/* KVM_IOEVENTFD path: the hook sees the QueueNotify address and each queue
 * index; a write to the eventfd (what KVM does) wakes the device */
typedef struct {
    uint64_t addr[4];
    uint64_t data[4];
    int fd[4];
    unsigned n;
} Ioev;

static int
fake_ioeventfd(void *opaque, uint64_t addr, unsigned len, uint64_t datamatch, int fd)
{
    Ioev *io = opaque;
    g_assert_cmpuint(len, ==, 4);
    io->addr[io->n] = addr;
    io->data[io->n] = datamatch;
    io->fd[io->n] = fd;
    io->n++;
    return 0;
}

static void
test_ioeventfd(void)
{
    VtEcho t;
    ArmzVirtioDev *dev;
    ArmzMmioBus *bus = armz_mmio_bus_new();
    Ioev io;
    VtIrq irq;
    VtDrv d;
    VtBuf b = { BUF, 8, false };
    uint32_t id, len;
    uint64_t one = 1;
    GError *err = NULL;

    memset(&t, 0, sizeof(t));
    memset(&io, 0, sizeof(io));
    dev = armz_virtio_dev_new(&vt_echo_ops, &t, "test", 0);
    g_assert_true(armz_virtio_mmio_attach(dev, bus, BASE, vt_irq_line(&irq, 48), &mem->mem,
                                          fake_ioeventfd, &io, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(io.n, ==, 2);
    for (unsigned i = 0; i < 2; i++) {
        g_assert_cmphex(io.addr[i], ==, BASE + VIRTIO_MMIO_QUEUE_NOTIFY);
        g_assert_cmpuint(io.data[i], ==, i);
        g_assert_cmpint(io.fd[i], >=, 0);
    }
    vt_drv_init(&d, mem, 16, RING);
    vt_negotiate(bus, BASE, VIRTIO_BIT(VIRTIO_F_VERSION_1));
    vt_queue_setup(bus, BASE, 0, &d);
    vt_driver_ok(bus, BASE);
    vt_run(dev);
    vt_add(&d, &b, 1);
    g_assert_cmpint(write(io.fd[0], &one, sizeof(one)), ==, sizeof(one));
    vt_run(dev);
    g_assert_true(vt_get_used(&d, &id, &len));
    g_assert_cmpint(irq.level, ==, 1);
    armz_virtio_dev_free(dev);
    armz_mmio_bus_free(bus);
}

/* With the worker thread: requests complete on their own; a reset from
 * another thread (a vCPU) while the worker is busy waits for the request in
 * hand and leaves the device idle and clean. */
static void
test_thread_reset(void)
{
    Fix f;
    VtDrv d;
    VtBuf b = { BUF, 8, false };
    GError *err = NULL;
    gint64 deadline;
    uint32_t id, len;

    fix_init(&f);
    g_assert_true(armz_virtio_dev_start(f.dev, &err));
    g_assert_no_error(err);
    for (int round = 0; round < 20; round++) {
        vt_drv_init(&d, mem, 64, RING);
        vt_negotiate(f.bus, BASE, VIRTIO_BIT(VIRTIO_F_VERSION_1) |
                     VIRTIO_BIT(VIRTIO_F_EVENT_IDX));
        vt_queue_setup(f.bus, BASE, 0, &d);
        vt_driver_ok(f.bus, BASE);
        g_atomic_int_set(&f.t.delay_us, 200);
        for (int i = 0; i < 40; i++)
            vt_add(&d, &b, 1);
        wr(&f, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
        /* let it start, then reset in the middle */
        deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
        while (vt_used_idx(&d) < 2 && g_get_monotonic_time() < deadline)
            g_usleep(100);
        g_assert_cmpuint(vt_used_idx(&d), >=, 2);
        wr(&f, VIRTIO_MMIO_STATUS, 0);
        g_assert_cmpuint(rd(&f, VIRTIO_MMIO_STATUS), ==, 0);
        /* after the reset returned, the device does not touch the ring */
        uint16_t used = vt_used_idx(&d);
        g_assert_cmpuint(used, <, 40);
        g_usleep(5000);
        g_assert_cmpuint(vt_used_idx(&d), ==, used);
        g_assert_cmpint(f.irq.level, ==, 0);
    }
    /* normal operation on the thread */
    g_atomic_int_set(&f.t.delay_us, 0);
    vt_drv_init(&d, mem, 64, RING2);
    vt_negotiate(f.bus, BASE, VIRTIO_BIT(VIRTIO_F_VERSION_1));
    vt_queue_setup(f.bus, BASE, 0, &d);
    vt_driver_ok(f.bus, BASE);
    for (int i = 0; i < 10; i++)
        vt_add(&d, &b, 1);
    wr(&f, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    while (vt_used_idx(&d) < 10 && g_get_monotonic_time() < deadline)
        g_usleep(100);
    for (int i = 0; i < 10; i++)
        g_assert_true(vt_get_used(&d, &id, &len));
    fix_free(&f);
}

/* While the worker is stuck in a slow request, the registers a vCPU uses
 * answer at once: only a reset waits for it. */
static void
test_slow_backend(void)
{
    Fix f;
    VtDrv d;
    VtBuf b = { BUF, 8, false };
    GError *err = NULL;
    gint64 t0, deadline;

    fix_init(&f);
    g_assert_true(armz_virtio_dev_start(f.dev, &err));
    vt_drv_init(&d, mem, 16, RING);
    vt_negotiate(f.bus, BASE, VIRTIO_BIT(VIRTIO_F_VERSION_1));
    vt_queue_setup(f.bus, BASE, 0, &d);
    vt_driver_ok(f.bus, BASE);
    g_atomic_int_set(&f.t.delay_us, 400000);
    vt_add(&d, &b, 1);
    vt_add(&d, &b, 1);
    wr(&f, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    while (!g_atomic_int_get(&f.t.started) && g_get_monotonic_time() < deadline)
        g_usleep(100);
    g_assert_cmpint(g_atomic_int_get(&f.t.started), ==, 1);
    t0 = g_get_monotonic_time();
    for (int i = 0; i < 10; i++) {
        (void)rd(&f, VIRTIO_MMIO_INTERRUPT_STATUS);
        (void)rd(&f, VIRTIO_MMIO_STATUS);
        (void)vt_rd_sized(f.bus, BASE + 0x100, 4);
        wr(&f, VIRTIO_MMIO_INTERRUPT_ACK, 1);
        wr(&f, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    }
    g_assert_cmpint(g_get_monotonic_time() - t0, <, 200000);
    g_assert_cmpuint(vt_used_idx(&d), ==, 0);   /* the request is still running */
    /* a reset waits for the request in hand, not for the next one */
    t0 = g_get_monotonic_time();
    wr(&f, VIRTIO_MMIO_STATUS, 0);
    g_assert_cmpint(g_get_monotonic_time() - t0, <, 2 * 400000);
    g_assert_cmpuint(vt_used_idx(&d), ==, 1);
    g_assert_cmpint(g_atomic_int_get(&f.t.started), ==, 1);
    fix_free(&f);
}

int
main(int argc, char **argv)
{
    int r;

    g_test_init(&argc, &argv, NULL);
    mem = vt_mem_new(RAM_SIZE);
    g_test_add_func("/virtio-mmio/ident", test_ident);
    g_test_add_func("/virtio-mmio/features", test_features);
    g_test_add_func("/virtio-mmio/queue-registers", test_queue_regs);
    g_test_add_func("/virtio-mmio/config", test_config);
    g_test_add_func("/virtio-mmio/bad-access", test_bad_access);
    g_test_add_func("/virtio-mmio/lifecycle", test_lifecycle);
    g_test_add_func("/virtio-mmio/event-idx", test_event_idx_suppression);
    g_test_add_func("/virtio-mmio/ioeventfd", test_ioeventfd);
    g_test_add_func("/virtio-mmio/thread-reset", test_thread_reset);
    g_test_add_func("/virtio-mmio/slow-backend", test_slow_backend);
    r = g_test_run();
    vt_mem_free(mem);
    return r;
}
