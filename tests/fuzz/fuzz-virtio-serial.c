/* libFuzzer over virtio-serial's control path (MULTIPORT): a driver that
 * has negotiated the device sends what the input says on the control
 * transmit queue (messages of any length, for any port id, event and
 * value: hostile ones included), writes on port transmit queues, and takes
 * and gives back control receive buffers, in any order; each input ends
 * with a device reset. Guest memory is fenced by guard pages (vtest.c): an
 * access outside it, a leak or a sanitizer report is a failure.
 *
 * Input: records of [op][len][len bytes]; op & 3: 0 control message,
 * 1 port data (op >> 2: the port), 2 recycle the control receive buffers
 * the device used, 3 notify and run every queue. */
#include <stdint.h>
#include <string.h>
#include <glib.h>
#include "vtest.h"
#include "virtio/virtio.h"
#include "virtio/virtio_abi.h"

#define RAM_SIZE  (256u << 10)
#define QNUM      16
#define NQ_MAX    12
#define RING(q)   (VT_RAM_GPA + 0x1000 * (q))
#define RX_BUF    (VT_RAM_GPA + 0x10000)    /* QNUM control receive buffers, 64 bytes each */
#define MSG       (VT_RAM_GPA + 0x20000)    /* QNUM driver buffers of up to 255 bytes */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static VtMem *mem;
static ArmzVirtioDev *dev;
static unsigned nq;
static VtDrv drv[NQ_MAX];

static void
tr_interrupt(void *opaque, ArmzVirtioIntCause cause, unsigned queue)
{
}

static void
tr_reset(void *opaque)
{
}

static void
tr_free(void *opaque)
{
}

static const ArmzVirtioTransport transport = {
    .interrupt = tr_interrupt, .reset = tr_reset, .free = tr_free,
};

static void
set_status(uint8_t s)
{
    armz_virtio_lock(dev);
    armz_virtio_set_status(dev, s);
    armz_virtio_unlock(dev);
}

/* Two named ports on listening sockets nobody connects to, once. */
static void
setup_once(void)
{
    ArmzChannelOpt ch[2] = { { 0 } };
    GError *err = NULL;

    if (dev)
        return;
    mem = vt_mem_new(RAM_SIZE);
    for (int i = 0; i < 2; i++) {
        ch[i].path = g_strdup_printf("%s/port%d.sock", vt_tmpdir(), i);
        ch[i].fd = -1;
    }
    ch[0].name = (char *)"org.qemu.guest_agent.0";
    ch[0].id = (char *)"channel0";
    ch[1].name = (char *)"org.example.other";
    dev = armz_virtio_serial_new(ch, 2, &err);
    g_assert_no_error(err);
    for (int i = 0; i < 2; i++)
        g_free(ch[i].path);
    armz_virtio_dev_bind(dev, &transport, NULL, &mem->mem);
    nq = MIN(armz_virtio_num_queues(dev), NQ_MAX);
}

static void
set_addr(unsigned q, ArmzVirtqArea area, uint64_t gpa)
{
    armz_virtio_queue_set_addr(dev, q, area, false, (uint32_t)gpa);
    armz_virtio_queue_set_addr(dev, q, area, true, (uint32_t)(gpa >> 32));
}

/* The driver's start: features, every queue, DRIVER_OK. */
static void
driver_start(void)
{
    uint64_t f = VIRTIO_BIT(VIRTIO_CONSOLE_F_MULTIPORT) | VIRTIO_BIT(VIRTIO_F_VERSION_1);

    set_status(0);
    set_status(VIRTIO_STATUS_ACKNOWLEDGE);
    set_status(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    armz_virtio_lock(dev);
    armz_virtio_set_driver_features(dev, 0, (uint32_t)f);
    armz_virtio_set_driver_features(dev, 1, (uint32_t)(f >> 32));
    for (unsigned q = 0; q < nq; q++) {
        vt_drv_init(&drv[q], mem, QNUM, RING(q));
        armz_virtio_queue_set_num(dev, q, QNUM);
        set_addr(q, ARMZ_VIRTQ_AREA_DESC, drv[q].desc);
        set_addr(q, ARMZ_VIRTQ_AREA_DRIVER, drv[q].avail);
        set_addr(q, ARMZ_VIRTQ_AREA_DEVICE, drv[q].used);
        armz_virtio_queue_set_ready(dev, q, true);
    }
    armz_virtio_unlock(dev);
    set_status(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
               VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
}

/* a few worker rounds: the device's work plus what it queued for itself
 * (vt_run's 64 would make the fuzzer slow) */
static void
run(void)
{
    for (int i = 0; i < 3; i++)
        armz_virtio_dev_run_once(dev, 0);
}

static void
kick(unsigned q)
{
    armz_virtio_queue_notify(dev, q);
    run();
}

/* Control receive buffers for the device's messages: as many as it used. */
static void
recycle_rx(bool all)
{
    VtDrv *d = &drv[VIRTIO_CONSOLE_CTRL_RX_QUEUE];
    uint32_t id, len;
    unsigned n = all ? QNUM : 0;

    while (vt_get_used(d, &id, &len))
        n++;
    for (unsigned i = 0; i < n && i < QNUM; i++) {
        VtBuf b = { RX_BUF + 64 * (d->avail_idx % QNUM), 64, true };
        vt_add(d, &b, 1);
    }
    kick(VIRTIO_CONSOLE_CTRL_RX_QUEUE);
}

/* One driver buffer of LEN bytes on queue Q, then the device runs. */
static void
send(unsigned q, const uint8_t *p, uint8_t len)
{
    VtDrv *d = &drv[q];
    uint32_t id, used_len;
    uint64_t gpa = MSG + 256 * (d->avail_idx % QNUM);
    VtBuf b = { gpa, len, false };

    memcpy(vt_ptr(mem, gpa), p, len);
    vt_add(d, &b, 1);
    kick(q);
    while (vt_get_used(d, &id, &used_len))
        ;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup_once();
    driver_start();
    recycle_rx(true);
    while (size >= 2) {
        uint8_t op = data[0], len = data[1];
        const uint8_t *p = data + 2;

        data += 2;
        size -= 2;
        if (len > size)
            len = (uint8_t)size;
        data += len;
        size -= len;
        switch (op & 3) {
        case 0:
            send(VIRTIO_CONSOLE_CTRL_TX_QUEUE, p, len);
            break;
        case 1: {
            /* port N's transmit queue: 2N+1, past the control pair for N > 0 */
            unsigned port = (op >> 2) % 3;
            unsigned q = port ? 2 + 2 * port + 1 : VIRTIO_CONSOLE_TX_QUEUE;
            if (q < nq)
                send(q, p, len);
            break;
        }
        case 2:
            recycle_rx(false);
            break;
        default:
            for (unsigned q = 0; q < nq; q++)
                kick(q);
            break;
        }
    }
    set_status(0);
    run();
    return 0;
}
