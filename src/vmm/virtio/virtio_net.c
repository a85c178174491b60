/* virtio-net (5.1) on a tap (tap.c) or any packet fd.  One receive and one
 * transmit queue, no control queue, no offloads: every frame crossing the
 * device is complete and checksummed, so the 12-byte virtio_net_hdr the
 * guest sees on receive is all zero but for num_buffers = 1, and the one
 * it sends with a frame is replaced by a zero header for the tap.  Both
 * directions run on the device's worker thread, which polls the tap only
 * while the guest has receive buffers posted.  With the link down (QMP
 * set_link, --net link=down) the config status says so and, as on QEMU,
 * frames the guest sends are dropped and frames from the tap are read and
 * discarded, so the tap does not fill up. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>
#include <sys/uio.h>
#include <glib/gi18n-lib.h>
#include "virtio/virtio.h"
#include "virtio/tap.h"
#include "vmmlog.h"

#define NET_QUEUE_SIZE 256
#define NET_BATCH      64

typedef struct {
    int fd;
    bool vnet_hdr;              /* packets on FD carry a 12-byte header */
    bool rx_wait;               /* no receive buffer: leave frames in the tap */
    bool dead;                  /* the fd failed for good */
    gint link_down;             /* atomic: set by the main thread */
    ArmzVirtqElem rx, tx;
    struct iovec iov[ARMZ_VIRTQ_MAX_SEGS + 1];
    unsigned errors_logged;
} Net;

static const uint8_t zero_hdr[VIRTIO_NET_HDR_SIZE];

static void
net_error(ArmzVirtioDev *d, Net *n, const char *what, int err)
{
    if (++n->errors_logged <= 8)
        armz_vmm_warn(_("%s: %s: %s"), armz_virtio_label(d), what, g_strerror(err));
}

static bool
net_tx(ArmzVirtioDev *d, Net *n)
{
    for (unsigned i = 0; i < NET_BATCH; i++) {
        ArmzVirtqElem *e = &n->tx;
        unsigned k = 0;
        ssize_t r;

        if (armz_virtio_pop(d, VIRTIO_NET_TX_QUEUE, e) <= 0)
            return false;
        /* the guest's header asks for nothing we offered: send a zero one */
        if (n->vnet_hdr) {
            n->iov[0].iov_base = (void *)zero_hdr;
            n->iov[0].iov_len = sizeof(zero_hdr);
            k = 1;
        }
        if (e->out_len > VIRTIO_NET_HDR_SIZE && !n->dead && !g_atomic_int_get(&n->link_down)) {
            k += armz_iov_slice(e->iov, e->n_out, VIRTIO_NET_HDR_SIZE,
                                e->out_len - VIRTIO_NET_HDR_SIZE, n->iov + k,
                                ARMZ_VIRTQ_MAX_SEGS);
            do {
                r = writev(n->fd, n->iov, (int)k);
            } while (r < 0 && errno == EINTR);
            /* a full tap queue drops the frame, as a wire would */
            if (r < 0 && errno != EAGAIN && errno != ENOBUFS)
                net_error(d, n, _("transmit"), errno);
        }
        armz_virtio_push(d, VIRTIO_NET_TX_QUEUE, e, 0);
    }
    return true;
}

static void
net_rx(ArmzVirtioDev *d, Net *n)
{
    for (unsigned i = 0; i < NET_BATCH; i++) {
        ArmzVirtqElem *e = &n->rx;
        struct iovec *in;
        unsigned k;
        ssize_t r;
        uint8_t hdr[VIRTIO_NET_HDR_SIZE];

        if (armz_virtio_pop(d, VIRTIO_NET_RX_QUEUE, e) <= 0) {
            n->rx_wait = true;
            return;
        }
        in = armz_elem_in(e);
        if (e->in_len <= VIRTIO_NET_HDR_SIZE) {
            /* no room for a frame: the guest drops a short buffer */
            armz_virtio_push(d, VIRTIO_NET_RX_QUEUE, e, 0);
            continue;
        }
        /* with a tap header, the tap writes it where ours goes */
        k = armz_iov_slice(in, e->n_in, n->vnet_hdr ? 0 : VIRTIO_NET_HDR_SIZE,
                           e->in_len - (n->vnet_hdr ? 0 : VIRTIO_NET_HDR_SIZE), n->iov,
                           ARMZ_VIRTQ_MAX_SEGS);
        do {
            r = readv(n->fd, n->iov, (int)k);
        } while (r < 0 && errno == EINTR);
        if (r <= 0) {
            int err = r < 0 ? errno : 0;
            armz_virtio_unpop(d, VIRTIO_NET_RX_QUEUE);
            if (err == EAGAIN)
                return;
            /* a frame too big for the buffer is dropped by the tap (EFAULT,
             * EINVAL): go on with the next one; EOF or other errors end
             * reception */
            if (err == EFAULT || err == EINVAL || err == EMSGSIZE)
                continue;
            if (err)
                net_error(d, n, _("receive"), err);
            n->dead = true;
            return;
        }
        if (n->vnet_hdr && r <= VIRTIO_NET_HDR_SIZE) {
            armz_virtio_push(d, VIRTIO_NET_RX_QUEUE, e, 0);
            continue;
        }
        memset(hdr, 0, sizeof(hdr));
        armz_st_le16(hdr + VIRTIO_NET_HDR_NUM_BUFFERS, 1);
        armz_iov_from_buf(in, e->n_in, 0, hdr, sizeof(hdr));
        armz_virtio_push(d, VIRTIO_NET_RX_QUEUE, e,
                         (uint32_t)r + (n->vnet_hdr ? 0 : VIRTIO_NET_HDR_SIZE));
    }
}

/* link down: frames waiting in the tap are read and dropped */
static void
net_drain(ArmzVirtioDev *d, Net *n)
{
    uint8_t buf[2048];

    for (unsigned i = 0; i < NET_BATCH; i++) {
        ssize_t r = read(n->fd, buf, sizeof(buf));

        if (r < 0 && errno == EINTR)
            continue;
        /* a frame longer than BUF is gone as well (EFAULT, EINVAL) */
        if (r < 0 && (errno == EFAULT || errno == EINVAL || errno == EMSGSIZE))
            continue;
        if (r < 0 && errno == EAGAIN)
            return;
        if (r <= 0) {
            if (r < 0)
                net_error(d, n, _("receive"), errno);
            n->dead = true;
            return;
        }
    }
}

static bool
net_work(ArmzVirtioDev *d, unsigned q)
{
    Net *n = armz_virtio_priv(d);

    if (q == VIRTIO_NET_TX_QUEUE)
        return net_tx(d, n);
    /* new receive buffers: read the tap again */
    n->rx_wait = false;
    return false;
}

static short
net_fd_events(ArmzVirtioDev *d, unsigned i)
{
    Net *n = armz_virtio_priv(d);

    if (n->dead)
        return 0;
    return n->rx_wait && !g_atomic_int_get(&n->link_down) ? 0 : POLLIN;
}

static void
net_fd_ready(ArmzVirtioDev *d, unsigned i, short revents)
{
    Net *n = armz_virtio_priv(d);

    if (!(revents & (POLLIN | POLLERR | POLLHUP)))
        return;
    if (g_atomic_int_get(&n->link_down))
        net_drain(d, n);
    else
        net_rx(d, n);
}

static void
net_reset(ArmzVirtioDev *d)
{
    Net *n = armz_virtio_priv(d);
    n->rx_wait = false;
}

static void
net_free(void *priv)
{
    Net *n = priv;
    close(n->fd);
    g_free(n);
}

static const ArmzVirtioOps net_ops = {
    .name = "virtio-net",
    .device_id = VIRTIO_ID_NET,
    .nqueues = 2,
    .queue_max = NET_QUEUE_SIZE,
    .config_size = VIRTIO_NET_CFG_SIZE,
    .queue_work = net_work,
    .fd_events = net_fd_events,
    .fd_ready = net_fd_ready,
    .reset = net_reset,
    .free_priv = net_free,
};

bool
armz_virtio_is_net(ArmzVirtioDev *d)
{
    return armz_virtio_dev_name(d) == net_ops.name;
}

void
armz_virtio_net_set_link(ArmzVirtioDev *d, bool up)
{
    Net *n = armz_virtio_priv(d);
    uint8_t *cfg = armz_virtio_config(d);

    if (!g_atomic_int_get(&n->link_down) == up)
        return;
    g_atomic_int_set(&n->link_down, !up);
    armz_virtio_lock(d);
    armz_st_le16(cfg + VIRTIO_NET_CFG_STATUS, up ? VIRTIO_NET_S_LINK_UP : 0);
    armz_virtio_unlock(d);
    /* the driver reads the status again on the config interrupt */
    armz_virtio_config_changed(d);
    /* the worker polls the tap anew: drains it, or fills buffers again */
    armz_virtio_wake(d);
}

ArmzVirtioDev *
armz_virtio_net_new_fd(int fd, bool vnet_hdr, const guint8 *mac, const char *label,
                       GError **error)
{
    Net *n = g_new0(Net, 1);
    ArmzVirtioDev *d;
    uint64_t features = VIRTIO_BIT(VIRTIO_NET_F_STATUS);
    uint8_t *cfg;

    n->fd = fd;
    n->vnet_hdr = vnet_hdr;
    /* the worker reads only after poll() said so, but never blocks */
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    if (mac)
        features |= VIRTIO_BIT(VIRTIO_NET_F_MAC);
    d = armz_virtio_dev_new(&net_ops, n, label, features);
    cfg = armz_virtio_config(d);
    if (mac)
        memcpy(cfg + VIRTIO_NET_CFG_MAC, mac, 6);
    armz_st_le16(cfg + VIRTIO_NET_CFG_STATUS, VIRTIO_NET_S_LINK_UP);
    armz_virtio_add_fd(d, fd);
    return d;
}

ArmzVirtioDev *
armz_virtio_net_new(const ArmzNetOpt *o, unsigned index, GError **error)
{
    g_autofree char *label = NULL;
    ArmzVirtioDev *d;
    bool vnet_hdr = true;
    int fd;

    if (o->tap) {
        fd = armz_tap_open(o->tap, error);
        if (fd < 0)
            return NULL;
        label = g_strdup_printf("virtio-net %s", o->tap);
    } else {
        if (!armz_tap_setup_fd(o->fd, &vnet_hdr, error))
            return NULL;
        fd = o->fd;
        label = g_strdup_printf("virtio-net %u", index);
    }
    d = armz_virtio_net_new_fd(fd, vnet_hdr, o->has_mac ? o->mac : NULL, label, error);
    if (d && o->link_down)
        armz_virtio_net_set_link(d, false);
    return d;
}
