/* virtio-serial: virtio-console (5.3) with VIRTIO_CONSOLE_F_MULTIPORT, the
 * guest's /dev/vport0pN named ports (org.qemu.guest_agent.0, ...).  Each
 * port listens on a unix socket (created from a path, or passed by the
 * daemon) and serves one client at a time: what the client sends goes to
 * the guest while the guest has the port open, what the guest writes goes
 * to the client (dropped while there is none).
 *
 * The control queues carry 8-byte little-endian messages (id u32, event
 * u16, value u16).  Everything the driver sends is checked: an unknown
 * port, event or a short message is ignored, never trusted.  Port ids
 * start at 1 (0 is the console port QEMU keeps for virtconsole), so port N
 * uses queues 2N+2 (receive) and 2N+3 (transmit). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <glib/gi18n-lib.h>
#include "virtio/virtio.h"
#include "vmmlog.h"

#define SERIAL_QUEUE_SIZE  128
#define SERIAL_NQUEUES     (2 * (ARMZ_SERIAL_MAX_PORTS + 2))
#define CTRL_PENDING_MAX   256         /* messages waiting for receive buffers */

typedef struct {
    char *name;
    char *id;
    int listen_fd;
    int client_fd;                     /* -1: no client */
    int pty_slave_fd;                  /* a pty port: its slave, held open */
    unsigned listen_slot, client_slot; /* extra fd indices */
    bool guest_open;
    bool ready;                        /* the driver sent PORT_READY */
    bool rx_wait;                      /* no receive buffer: leave input in the socket */
} Port;

typedef struct {
    Port ports[ARMZ_SERIAL_MAX_PORTS];
    unsigned nports;
    GQueue ctrl_out;                   /* GBytes: messages for the driver */
    bool driver_ready;
    ArmzVirtqElem elem;                /* the request in hand */
    ArmzVirtqElem ctrl_elem;           /* a control receive buffer being filled */
    ArmzSerialPortFn port_fn;
    void *port_opaque;
} Serial;

static unsigned rx_queue(unsigned id) { return 2 * id + 2; }

/* ---- control messages to the driver ---- */

static void
ctrl_flush(ArmzVirtioDev *d, Serial *s)
{
    GBytes *m;

    while ((m = g_queue_peek_head(&s->ctrl_out))) {
        gsize len;
        const void *data = g_bytes_get_data(m, &len);

        ArmzVirtqElem *e = &s->ctrl_elem;

        if (armz_virtio_pop(d, VIRTIO_CONSOLE_CTRL_RX_QUEUE, e) <= 0)
            return;
        if (e->in_len < len) {
            /* a buffer too small for the message: given back empty */
            armz_virtio_push(d, VIRTIO_CONSOLE_CTRL_RX_QUEUE, e, 0);
            continue;
        }
        armz_iov_from_buf(armz_elem_in(e), e->n_in, 0, data, len);
        armz_virtio_push(d, VIRTIO_CONSOLE_CTRL_RX_QUEUE, e, (uint32_t)len);
        g_bytes_unref(g_queue_pop_head(&s->ctrl_out));
    }
}

static void
ctrl_send(ArmzVirtioDev *d, Serial *s, uint32_t id, uint16_t event, uint16_t value,
          const char *text)
{
    size_t tlen = text ? strlen(text) : 0;
    uint8_t *m = g_malloc(VIRTIO_CONSOLE_CTRL_SIZE + tlen);

    armz_st_le32(m, id);
    armz_st_le16(m + 4, event);
    armz_st_le16(m + 6, value);
    if (tlen)
        memcpy(m + VIRTIO_CONSOLE_CTRL_SIZE, text, tlen);
    if (g_queue_get_length(&s->ctrl_out) >= CTRL_PENDING_MAX) {
        /* a driver that never posts buffers does not make us grow */
        g_free(m);
        return;
    }
    g_queue_push_tail(&s->ctrl_out, g_bytes_new_take(m, VIRTIO_CONSOLE_CTRL_SIZE + tlen));
    ctrl_flush(d, s);
}

/* ---- ports ---- */

static Port *
port_of(Serial *s, uint32_t id)
{
    return id >= 1 && id <= s->nports ? &s->ports[id - 1] : NULL;
}

static void
client_close(ArmzVirtioDev *d, Serial *s, unsigned id)
{
    Port *p = &s->ports[id - 1];

    /* a pty stays connected: its readers come and go behind the slave */
    if (p->client_fd < 0 || p->pty_slave_fd >= 0)
        return;
    close(p->client_fd);
    p->client_fd = -1;
    armz_virtio_set_fd(d, p->client_slot, -1);
    if (p->ready)
        ctrl_send(d, s, id, VIRTIO_CONSOLE_PORT_OPEN, 0, NULL);
}

static void
ctrl_receive(ArmzVirtioDev *d, Serial *s, const uint8_t *m)
{
    uint32_t id = armz_ld_le32(m);
    uint16_t event = armz_ld_le16(m + 4), value = armz_ld_le16(m + 6);
    Port *p = port_of(s, id);

    switch (event) {
    case VIRTIO_CONSOLE_DEVICE_READY:
        if (value != 1 || s->driver_ready)
            return;
        s->driver_ready = true;
        for (unsigned i = 1; i <= s->nports; i++)
            ctrl_send(d, s, i, VIRTIO_CONSOLE_DEVICE_ADD, 0, NULL);
        break;
    case VIRTIO_CONSOLE_PORT_READY:
        /* only a port we announced */
        if (!p || !s->driver_ready || value != 1 || p->ready)
            return;
        p->ready = true;
        ctrl_send(d, s, id, VIRTIO_CONSOLE_PORT_NAME, 1, p->name);
        if (p->client_fd >= 0)
            ctrl_send(d, s, id, VIRTIO_CONSOLE_PORT_OPEN, 1, NULL);
        break;
    case VIRTIO_CONSOLE_PORT_OPEN:
        if (!p || !p->ready || value > 1 || p->guest_open == (value == 1))
            return;
        p->guest_open = value == 1;
        p->rx_wait = false;
        if (s->port_fn)
            s->port_fn(s->port_opaque, p->id, p->name, p->guest_open);
        break;
    default:
        /* DEVICE_ADD, PORT_NAME, ... are ours to send; anything else is unknown */
        break;
    }
}

static bool
ctrl_tx(ArmzVirtioDev *d, Serial *s)
{
    for (unsigned n = 0; n < SERIAL_QUEUE_SIZE; n++) {
        uint8_t m[VIRTIO_CONSOLE_CTRL_SIZE];

        if (armz_virtio_pop(d, VIRTIO_CONSOLE_CTRL_TX_QUEUE, &s->elem) <= 0)
            return false;
        if (armz_iov_to_buf(s->elem.iov, s->elem.n_out, 0, m, sizeof(m)) == sizeof(m))
            ctrl_receive(d, s, m);
        armz_virtio_push(d, VIRTIO_CONSOLE_CTRL_TX_QUEUE, &s->elem, 0);
    }
    return true;
}

/* The guest writes to port ID: to the client, or nowhere. */
static bool
port_tx(ArmzVirtioDev *d, Serial *s, unsigned q, unsigned id)
{
    Port *p = port_of(s, id);

    for (unsigned n = 0; n < SERIAL_QUEUE_SIZE; n++) {
        ArmzVirtqElem *e = &s->elem;

        if (armz_virtio_pop(d, q, e) <= 0)
            return false;
        if (p && p->client_fd >= 0 && e->n_out) {
            struct msghdr mh = { .msg_iov = e->iov, .msg_iovlen = e->n_out };
            ssize_t w;

            do {
                w = p->pty_slave_fd >= 0 ? writev(p->client_fd, e->iov, (int)e->n_out)
                    : sendmsg(p->client_fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
            } while (w < 0 && errno == EINTR);
            /* a client that does not read loses what does not fit */
            if (w < 0 && errno != EAGAIN)
                client_close(d, s, id);
        }
        armz_virtio_push(d, q, e, 0);
    }
    return true;
}

static bool
serial_work(ArmzVirtioDev *d, unsigned q)
{
    Serial *s = armz_virtio_priv(d);

    if (q == VIRTIO_CONSOLE_CTRL_TX_QUEUE)
        return ctrl_tx(d, s);
    if (q == VIRTIO_CONSOLE_CTRL_RX_QUEUE) {
        ctrl_flush(d, s);
        return false;
    }
    if (q < 4)
        return false;           /* port 0: no console behind it */
    if (q % 2)
        return port_tx(d, s, q, (q - 3) / 2);
    /* new receive buffers for port (q - 2) / 2: read the client again */
    if (port_of(s, (q - 2) / 2))
        port_of(s, (q - 2) / 2)->rx_wait = false;
    return false;
}

static short
serial_fd_events(ArmzVirtioDev *d, unsigned i)
{
    Serial *s = armz_virtio_priv(d);
    Port *p = &s->ports[i / 2];

    if (i % 2 == 0)             /* listening: only while nobody is connected */
        return p->client_fd < 0 ? POLLIN : 0;
    if (p->client_fd < 0)
        return 0;
    /* input waits in the socket until the guest can take it; a hangup not */
    return p->guest_open && !p->rx_wait ? POLLIN : POLLRDHUP;
}

static void
accept_client(ArmzVirtioDev *d, Serial *s, unsigned id)
{
    Port *p = &s->ports[id - 1];
    int fd = accept4(p->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

    if (fd < 0)
        return;
    p->client_fd = fd;
    armz_virtio_set_fd(d, p->client_slot, fd);
    if (p->ready)
        ctrl_send(d, s, id, VIRTIO_CONSOLE_PORT_OPEN, 1, NULL);
}

/* Client input: into the guest's receive buffers while it has the port
 * open; before that it waits in the socket (only a hangup is looked at). */
static void
client_input(ArmzVirtioDev *d, Serial *s, unsigned id, short revents)
{
    Port *p = &s->ports[id - 1];
    ArmzVirtqElem *e = &s->elem;
    ssize_t n;

    if (!p->guest_open || p->rx_wait) {
        if (revents & (POLLRDHUP | POLLHUP | POLLERR))
            client_close(d, s, id);
        return;
    }
    if (armz_virtio_pop(d, rx_queue(id), e) <= 0) {
        p->rx_wait = true;
        return;
    }
    do {
        n = readv(p->client_fd, armz_elem_in(e), (int)e->n_in);
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
        armz_virtio_push(d, rx_queue(id), e, (uint32_t)n);
        return;
    }
    armz_virtio_unpop(d, rx_queue(id));
    if (n == 0 || errno != EAGAIN)
        client_close(d, s, id);
}

static void
serial_fd_ready(ArmzVirtioDev *d, unsigned i, short revents)
{
    Serial *s = armz_virtio_priv(d);
    unsigned id = i / 2 + 1;

    if (i % 2 == 0)
        accept_client(d, s, id);
    else if (s->ports[id - 1].client_fd >= 0)
        client_input(d, s, id, revents);
}

static void
serial_reset(ArmzVirtioDev *d)
{
    Serial *s = armz_virtio_priv(d);

    g_queue_clear_full(&s->ctrl_out, (GDestroyNotify)g_bytes_unref);
    s->driver_ready = false;
    for (unsigned i = 0; i < s->nports; i++) {
        Port *p = &s->ports[i];
        if (p->guest_open && s->port_fn)
            s->port_fn(s->port_opaque, p->id, p->name, false);
        p->guest_open = p->ready = p->rx_wait = false;
    }
}

static void
serial_free(void *priv)
{
    Serial *s = priv;

    g_queue_clear_full(&s->ctrl_out, (GDestroyNotify)g_bytes_unref);
    for (unsigned i = 0; i < s->nports; i++) {
        if (s->ports[i].client_fd >= 0)
            close(s->ports[i].client_fd);
        if (s->ports[i].listen_fd >= 0)
            close(s->ports[i].listen_fd);
        if (s->ports[i].pty_slave_fd >= 0)
            close(s->ports[i].pty_slave_fd);
        g_free(s->ports[i].name);
        g_free(s->ports[i].id);
    }
    g_free(s);
}

static const ArmzVirtioOps serial_ops = {
    .name = "virtio-serial",
    .device_id = VIRTIO_ID_CONSOLE,
    .nqueues = SERIAL_NQUEUES,
    .queue_max = SERIAL_QUEUE_SIZE,
    .config_size = VIRTIO_CONSOLE_CFG_SIZE,
    .queue_work = serial_work,
    .fd_events = serial_fd_events,
    .fd_ready = serial_fd_ready,
    .reset = serial_reset,
    .free_priv = serial_free,
};

static int
listen_path(const char *path, GError **error)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("channel socket path %s is too long"), path);
        return -1;
    }
    strcpy(sa.sun_path, path);
    unlink(path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot listen on channel socket %s: %s"),
                    path, g_strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

/* fd=N may be a pty master (the daemon's <channel type='pty'>) rather than a
 * listening socket: then the port is connected from the start, and its slave
 * is held open so that the master never hangs up between the clients of
 * /dev/pts/N; what nobody reads is lost, as on a serial line. */
static bool
take_pty(Port *p, GError **error)
{
    char name[64];

    if (ptsname_r(p->listen_fd, name, sizeof(name)) != 0)
        return true;            /* not a pty: a listening socket */
    p->pty_slave_fd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (p->pty_slave_fd < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot open %s, the pty of channel %s: %s"),
                    name, p->name, g_strerror(errno));
        return false;
    }
    p->client_fd = p->listen_fd;
    p->listen_fd = -1;
    return true;
}

ArmzVirtioDev *
armz_virtio_serial_new(const ArmzChannelOpt *chans, unsigned n, GError **error)
{
    Serial *s;
    ArmzVirtioDev *d;

    g_return_val_if_fail(n > 0 && n <= ARMZ_SERIAL_MAX_PORTS, NULL);
    s = g_new0(Serial, 1);
    g_queue_init(&s->ctrl_out);
    for (unsigned i = 0; i < n; i++) {
        Port *p = &s->ports[i];

        p->client_fd = p->pty_slave_fd = -1;
        p->listen_fd = chans[i].path ? listen_path(chans[i].path, error) : chans[i].fd;
        s->nports = i + 1;
        p->name = g_strdup(chans[i].name);
        p->id = chans[i].id ? g_strdup(chans[i].id) : g_strdup_printf("channel%u", i);
        if (p->listen_fd < 0)
            goto fail;
        if (!chans[i].path && fcntl(p->listen_fd, F_SETFL, O_NONBLOCK) < 0) {
            g_set_error(error, ARMZ_VMM_ERROR, 0,
                        _("--channel fd=%d is not an open file descriptor"), p->listen_fd);
            p->listen_fd = -1;
            goto fail;
        }
        if (!chans[i].path && !take_pty(p, error))
            goto fail;
    }
    d = armz_virtio_dev_new(&serial_ops, s, "virtio-serial",
                            VIRTIO_BIT(VIRTIO_CONSOLE_F_MULTIPORT));
    /* ports 1..n, and port 0 which stays empty */
    armz_st_le32(armz_virtio_config(d) + VIRTIO_CONSOLE_CFG_MAX_NR_PORTS, n + 1);
    for (unsigned i = 0; i < n; i++) {
        s->ports[i].listen_slot = armz_virtio_add_fd(d, s->ports[i].listen_fd);
        s->ports[i].client_slot = armz_virtio_add_fd(d, s->ports[i].client_fd);
    }
    return d;

fail:
    serial_free(s);
    return NULL;
}

void
armz_virtio_serial_set_listener(ArmzVirtioDev *d, ArmzSerialPortFn fn, void *opaque)
{
    Serial *s = armz_virtio_priv(d);

    armz_virtio_lock(d);
    s->port_fn = fn;
    s->port_opaque = opaque;
    armz_virtio_unlock(d);
}
