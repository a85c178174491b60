/* virtio-net with a datagram socketpair as the "tap": config space (MAC,
 * link up), no offloads offered, the 12-byte virtio_net_hdr on transmit
 * (stripped, or replaced by a zero header for a vnet-header tap) and on
 * receive (num_buffers = 1, all else zero, whatever the tap put there),
 * receive buffers split anywhere, frames waiting for buffers; the link
 * state (QMP set_link, --net link=down): status, config interrupt, frames
 * dropped both ways while down. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <glib.h>
#include "vtest.h"
#include "virtio/virtio.h"

#define BASE     0x0a000400ULL
#define RAM_SIZE (1u << 20)
#define RXRING   (VT_RAM_GPA + 0x1000)
#define TXRING   (VT_RAM_GPA + 0x4000)
#define TXBUF    (VT_RAM_GPA + 0x10000)
#define RXBUF    (VT_RAM_GPA + 0x20000)
#define RXBUFSZ  1526

static VtMem *mem;
static const guint8 mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

typedef struct {
    ArmzVirtioDev *dev;
    ArmzMmioBus *bus;
    VtIrq irq;
    VtDrv rx, tx;
    int peer;
    uint64_t features;
} Fix;

static void
fix_init(Fix *f, bool vnet_hdr, bool driver_ok)
{
    int sv[2];
    GError *err = NULL;

    memset(f, 0, sizeof(*f));
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    f->peer = sv[1];
    f->dev = armz_virtio_net_new_fd(sv[0], vnet_hdr, mac, "net0", &err);
    g_assert_no_error(err);
    f->bus = vt_attach(f->dev, BASE, mem, &f->irq);
    vt_drv_init(&f->rx, mem, 16, RXRING);
    vt_drv_init(&f->tx, mem, 16, TXRING);
    f->features = vt_negotiate(f->bus, BASE, ~0ULL);
    vt_queue_setup(f->bus, BASE, VIRTIO_NET_RX_QUEUE, &f->rx);
    vt_queue_setup(f->bus, BASE, VIRTIO_NET_TX_QUEUE, &f->tx);
    if (driver_ok)
        vt_driver_ok(f->bus, BASE);
}

static void
fix_free(Fix *f)
{
    armz_virtio_dev_free(f->dev);
    armz_mmio_bus_free(f->bus);
    close(f->peer);
}

static void
frame(uint8_t *p, size_t len, uint8_t seed)
{
    for (size_t i = 0; i < len; i++)
        p[i] = (uint8_t)(seed + i * 13);
}

static void
put_guest_hdr(uint64_t gpa)
{
    /* what a guest might send: garbage we must not pass on */
    uint8_t *h = vt_ptr(mem, gpa);
    h[0] = 1;       /* NEEDS_CSUM */
    h[1] = 3;       /* GSO_TCPV6 */
    armz_st_le16(h + 2, 54);
    armz_st_le16(h + 4, 1400);
    armz_st_le16(h + 6, 34);
    armz_st_le16(h + 8, 16);
    armz_st_le16(h + 10, 7);
}

static ssize_t
peer_recv(Fix *f, uint8_t *buf, size_t len)
{
    return recv(f->peer, buf, len, MSG_DONTWAIT);
}

static void
test_config(void)
{
    Fix f;

    fix_init(&f, false, true);
    g_assert_cmpuint(vt_rd(f.bus, BASE, VIRTIO_MMIO_DEVICE_ID), ==, VIRTIO_ID_NET);
    for (unsigned i = 0; i < 6; i++)
        g_assert_cmphex(vt_rd_sized(f.bus, BASE + 0x100 + i, 1), ==, mac[i]);
    g_assert_cmphex(vt_rd_sized(f.bus, BASE + 0x100 + VIRTIO_NET_CFG_STATUS, 2), ==,
                    VIRTIO_NET_S_LINK_UP);
    g_assert_true(f.features & VIRTIO_BIT(VIRTIO_NET_F_MAC));
    g_assert_true(f.features & VIRTIO_BIT(VIRTIO_NET_F_STATUS));
    /* no checksum / segmentation offload, no mergeable buffers, no control queue */
    g_assert_cmphex(f.features & 0xffffffULL, ==,
                    VIRTIO_BIT(VIRTIO_NET_F_MAC) | VIRTIO_BIT(VIRTIO_NET_F_STATUS));
    fix_free(&f);
}

static void
test_tx(gconstpointer data)
{
    bool vnet = GPOINTER_TO_INT(data);
    Fix f;
    uint8_t got[2048], want[60];
    uint32_t id, len;
    size_t off = vnet ? 12 : 0;
    ssize_t n;

    fix_init(&f, vnet, true);
    /* header and frame in separate descriptors */
    put_guest_hdr(TXBUF);
    frame(vt_ptr(mem, TXBUF + 0x100), 60, 1);
    {
        VtBuf b[2] = { { TXBUF, 12, false }, { TXBUF + 0x100, 60, false } };
        vt_add(&f.tx, b, 2);
    }
    vt_wr(f.bus, BASE, VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_NET_TX_QUEUE);
    vt_run(f.dev);
    g_assert_true(vt_get_used(&f.tx, &id, &len));
    g_assert_cmpuint(len, ==, 0);
    n = peer_recv(&f, got, sizeof(got));
    g_assert_cmpint(n, ==, 60 + (ssize_t)off);
    frame(want, 60, 1);
    if (vnet)
        g_assert_cmpmem(got, 12, "\0\0\0\0\0\0\0\0\0\0\0\0", 12);
    g_assert_cmpmem(got + off, 60, want, 60);

    /* header and frame in one descriptor, frame split over two more */
    put_guest_hdr(TXBUF + 0x200);
    frame(vt_ptr(mem, TXBUF + 0x200 + 12), 20, 2);
    frame(vt_ptr(mem, TXBUF + 0x300), 40, 22);
    {
        VtBuf b[2] = { { TXBUF + 0x200, 32, false }, { TXBUF + 0x300, 40, false } };
        vt_add(&f.tx, b, 2);
    }
    vt_wr(f.bus, BASE, VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_NET_TX_QUEUE);
    vt_run(f.dev);
    g_assert_true(vt_get_used(&f.tx, &id, &len));
    n = peer_recv(&f, got, sizeof(got));
    g_assert_cmpint(n, ==, 60 + (ssize_t)off);
    g_assert_cmpmem(got + off, 20, vt_ptr(mem, TXBUF + 0x200 + 12), 20);
    g_assert_cmpmem(got + off + 20, 40, vt_ptr(mem, TXBUF + 0x300), 40);
    g_assert_cmpint(f.irq.level, ==, 1);

    /* a header alone (no frame): completed, nothing sent */
    {
        VtBuf b = { TXBUF, 12, false };
        vt_add(&f.tx, &b, 1);
    }
    vt_wr(f.bus, BASE, VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_NET_TX_QUEUE);
    vt_run(f.dev);
    g_assert_true(vt_get_used(&f.tx, &id, &len));
    g_assert_cmpint(peer_recv(&f, got, sizeof(got)), <, 0);
    fix_free(&f);
}

static void
check_rx_hdr(uint64_t gpa)
{
    uint8_t want[12] = { 0 };
    armz_st_le16(want + VIRTIO_NET_HDR_NUM_BUFFERS, 1);
    g_assert_cmpmem(vt_ptr(mem, gpa), 12, want, 12);
}

static void
test_rx(gconstpointer data)
{
    bool vnet = GPOINTER_TO_INT(data);
    Fix f;
    uint8_t pkt[12 + 60];
    size_t off = vnet ? 12 : 0;
    uint32_t id, len;

    fix_init(&f, vnet, true);
    /* what the tap may put in its header: it must not reach the guest */
    memset(pkt, 0, sizeof(pkt));
    pkt[0] = 2;             /* DATA_VALID */
    pkt[1] = 1;
    armz_st_le16(pkt + 10, 0x9999);
    frame(pkt + off, 60, 5);
    memset(vt_ptr(mem, RXBUF), 0xcc, RXBUFSZ);
    {
        VtBuf b = { RXBUF, RXBUFSZ, true };
        vt_add(&f.rx, &b, 1);
    }
    vt_wr(f.bus, BASE, VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_NET_RX_QUEUE);
    vt_run(f.dev);
    g_assert_false(vt_get_used(&f.rx, &id, &len));
    g_assert_cmpint(send(f.peer, pkt, 60 + off, 0), ==, (ssize_t)(60 + off));
    vt_run(f.dev);
    g_assert_true(vt_get_used(&f.rx, &id, &len));
    g_assert_cmpuint(len, ==, 12 + 60);
    check_rx_hdr(RXBUF);
    g_assert_cmpmem(vt_ptr(mem, RXBUF + 12), 60, pkt + off, 60);
    g_assert_cmpuint(*vt_ptr(mem, RXBUF + 72), ==, 0xcc);
    g_assert_cmpint(f.irq.level, ==, 1);

    /* a buffer split inside the header and inside the frame */
    {
        VtBuf b[3] = { { RXBUF, 5, true }, { RXBUF + 0x1000, 30, true },
                       { RXBUF + 0x2000, 1500, true } };
        vt_add(&f.rx, b, 3);
    }
    vt_wr(f.bus, BASE, VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_NET_RX_QUEUE);
    frame(pkt + off, 60, 9);
    g_assert_cmpint(send(f.peer, pkt, 60 + off, 0), ==, (ssize_t)(60 + off));
    vt_run(f.dev);
    g_assert_true(vt_get_used(&f.rx, &id, &len));
    g_assert_cmpuint(len, ==, 72);
    {
        uint8_t got[72], want[12] = { 0 };
        memcpy(got, vt_ptr(mem, RXBUF), 5);
        memcpy(got + 5, vt_ptr(mem, RXBUF + 0x1000), 30);
        memcpy(got + 35, vt_ptr(mem, RXBUF + 0x2000), 37);
        armz_st_le16(want + 10, 1);
        g_assert_cmpmem(got, 12, want, 12);
        g_assert_cmpmem(got + 12, 60, pkt + off, 60);
    }
    fix_free(&f);
}

/* frames wait in the tap while the guest has no buffer, and while the
 * driver is not ready; too small a buffer is returned empty */
static void
test_rx_waits(void)
{
    Fix f;
    uint8_t pkt[60];
    uint32_t id, len;

    fix_init(&f, false, false);
    for (int i = 0; i < 3; i++) {
        frame(pkt, sizeof(pkt), (uint8_t)(40 + i));
        g_assert_cmpint(send(f.peer, pkt, sizeof(pkt), 0), ==, (ssize_t)sizeof(pkt));
    }
    {
        VtBuf b = { RXBUF, RXBUFSZ, true };
        vt_add(&f.rx, &b, 1);
    }
    vt_run(f.dev);
    g_assert_false(vt_get_used(&f.rx, &id, &len));     /* no DRIVER_OK yet */
    vt_driver_ok(f.bus, BASE);
    vt_run(f.dev);
    g_assert_true(vt_get_used(&f.rx, &id, &len));
    frame(pkt, sizeof(pkt), 40);
    g_assert_cmpmem(vt_ptr(mem, RXBUF + 12), 60, pkt, 60);
    vt_run(f.dev);
    g_assert_false(vt_get_used(&f.rx, &id, &len));     /* no buffer left */

    /* a buffer with no room for a frame: used, empty */
    {
        VtBuf b = { RXBUF, 12, true };
        vt_add(&f.rx, &b, 1);
    }
    vt_wr(f.bus, BASE, VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_NET_RX_QUEUE);
    vt_run(f.dev);
    g_assert_true(vt_get_used(&f.rx, &id, &len));
    g_assert_cmpuint(len, ==, 0);
    /* two more buffers: the two frames left, in order */
    for (int i = 0; i < 2; i++) {
        VtBuf b = { RXBUF + 0x1000 * (uint64_t)i, RXBUFSZ, true };
        vt_add(&f.rx, &b, 1);
    }
    vt_wr(f.bus, BASE, VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_NET_RX_QUEUE);
    vt_run(f.dev);
    for (int i = 0; i < 2; i++) {
        g_assert_true(vt_get_used(&f.rx, &id, &len));
        g_assert_cmpuint(len, ==, 72);
        frame(pkt, sizeof(pkt), (uint8_t)(41 + i));
        g_assert_cmpmem(vt_ptr(mem, RXBUF + 0x1000 * (uint64_t)i + 12), 60, pkt, 60);
    }
    fix_free(&f);
}

static void
test_no_mac(void)
{
    int sv[2];
    GError *err = NULL;
    ArmzVirtioDev *d;
    ArmzMmioBus *bus;
    VtIrq irq;

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), ==, 0);
    d = armz_virtio_net_new_fd(sv[0], false, NULL, "net1", &err);
    g_assert_no_error(err);
    bus = vt_attach(d, BASE, mem, &irq);
    vt_wr(bus, BASE, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    g_assert_cmphex(vt_rd(bus, BASE, VIRTIO_MMIO_DEVICE_FEATURES) &
                    (uint32_t)VIRTIO_BIT(VIRTIO_NET_F_MAC), ==, 0);
    armz_virtio_dev_free(d);
    armz_mmio_bus_free(bus);
    close(sv[1]);
}

/* set_link: config status, a config-change interrupt per change, and a
 * link-down NIC sends nothing and delivers nothing (frames from the tap
 * are read and dropped, as QEMU does) */
static void
test_link(void)
{
    Fix f;
    uint8_t pkt[60], got[128];
    uint32_t id, len, gen;

    fix_init(&f, false, true);
    g_assert_true(armz_virtio_is_net(f.dev));
    gen = vt_rd(f.bus, BASE, VIRTIO_MMIO_CONFIG_GENERATION);
    armz_virtio_net_set_link(f.dev, false);
    g_assert_cmphex(vt_rd_sized(f.bus, BASE + 0x100 + VIRTIO_NET_CFG_STATUS, 2), ==, 0);
    g_assert_cmphex(vt_rd(f.bus, BASE, VIRTIO_MMIO_INTERRUPT_STATUS), ==, VIRTIO_MMIO_INT_CONFIG);
    g_assert_cmpint(f.irq.level, ==, 1);
    g_assert_cmpuint(vt_rd(f.bus, BASE, VIRTIO_MMIO_CONFIG_GENERATION), !=, gen);
    vt_wr(f.bus, BASE, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
    g_assert_cmpint(f.irq.level, ==, 0);
    /* the same state again: no interrupt */
    armz_virtio_net_set_link(f.dev, false);
    g_assert_cmphex(vt_rd(f.bus, BASE, VIRTIO_MMIO_INTERRUPT_STATUS), ==, 0);

    /* transmit: completed, not sent */
    frame(vt_ptr(mem, TXBUF + 0x100), 60, 1);
    {
        VtBuf b[2] = { { TXBUF, 12, false }, { TXBUF + 0x100, 60, false } };
        vt_add(&f.tx, b, 2);
    }
    vt_wr(f.bus, BASE, VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_NET_TX_QUEUE);
    vt_run(f.dev);
    g_assert_true(vt_get_used(&f.tx, &id, &len));
    g_assert_cmpint(peer_recv(&f, got, sizeof(got)), <, 0);
    /* receive: a frame from the tap is consumed and not delivered */
    {
        VtBuf b = { RXBUF, RXBUFSZ, true };
        vt_add(&f.rx, &b, 1);
    }
    vt_wr(f.bus, BASE, VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_NET_RX_QUEUE);
    frame(pkt, sizeof(pkt), 7);
    g_assert_cmpint(send(f.peer, pkt, sizeof(pkt), 0), ==, (ssize_t)sizeof(pkt));
    vt_run(f.dev);
    g_assert_false(vt_get_used(&f.rx, &id, &len));

    /* up again: status, interrupt, and frames flow into the posted buffer */
    armz_virtio_net_set_link(f.dev, true);
    g_assert_cmphex(vt_rd_sized(f.bus, BASE + 0x100 + VIRTIO_NET_CFG_STATUS, 2), ==,
                    VIRTIO_NET_S_LINK_UP);
    /* (the transmit completion is pending beside it) */
    g_assert_cmphex(vt_rd(f.bus, BASE, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG, ==,
                    VIRTIO_MMIO_INT_CONFIG);
    vt_wr(f.bus, BASE, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG | VIRTIO_MMIO_INT_VRING);
    frame(pkt, sizeof(pkt), 8);
    g_assert_cmpint(send(f.peer, pkt, sizeof(pkt), 0), ==, (ssize_t)sizeof(pkt));
    vt_run(f.dev);
    g_assert_true(vt_get_used(&f.rx, &id, &len));
    g_assert_cmpuint(len, ==, 72);
    g_assert_cmpmem(vt_ptr(mem, RXBUF + 12), 60, pkt, 60);
    fix_free(&f);
}

/* --net fd=N,link=down: the guest finds the carrier off */
static void
test_link_down_at_start(void)
{
    int sv[2];
    GError *err = NULL;
    ArmzNetOpt o = { 0 };
    ArmzVirtioDev *d;
    ArmzMmioBus *bus;
    VtIrq irq;

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), ==, 0);
    o.fd = sv[0];
    o.link_down = TRUE;
    d = armz_virtio_net_new(&o, 0, &err);
    g_assert_no_error(err);
    bus = vt_attach(d, BASE, mem, &irq);
    g_assert_cmphex(vt_rd_sized(bus, BASE + 0x100 + VIRTIO_NET_CFG_STATUS, 2), ==, 0);
    armz_virtio_dev_free(d);
    armz_mmio_bus_free(bus);
    close(sv[1]);
}

/* option errors surface as GError naming the thing */
static void
test_open_errors(void)
{
    ArmzNetOpt o = { 0 };
    GError *err = NULL;

    o.fd = 9999;
    g_assert_null(armz_virtio_net_new(&o, 0, &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err->message, "9999"));
    g_clear_error(&err);
}

int
main(int argc, char **argv)
{
    int r;

    g_test_init(&argc, &argv, NULL);
    mem = vt_mem_new(RAM_SIZE);
    g_test_add_func("/virtio-net/config", test_config);
    g_test_add_data_func("/virtio-net/tx-raw", GINT_TO_POINTER(0), test_tx);
    g_test_add_data_func("/virtio-net/tx-vnet-hdr", GINT_TO_POINTER(1), test_tx);
    g_test_add_data_func("/virtio-net/rx-raw", GINT_TO_POINTER(0), test_rx);
    g_test_add_data_func("/virtio-net/rx-vnet-hdr", GINT_TO_POINTER(1), test_rx);
    g_test_add_func("/virtio-net/rx-waits", test_rx_waits);
    g_test_add_func("/virtio-net/no-mac", test_no_mac);
    g_test_add_func("/virtio-net/open-errors", test_open_errors);
    g_test_add_func("/virtio-net/link", test_link);
    g_test_add_func("/virtio-net/link-down-at-start", test_link_down_at_start);
    r = g_test_run();
    vt_mem_free(mem);
    return r;
}
