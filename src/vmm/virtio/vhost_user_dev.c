/* vhost-user devices (virtio-blk from qemu-storage-daemon, virtio-fs from
 * virtiofsd): the virtio core keeps the registers the guest sees (through
 * its transport); the rings are served by the back-end process, which maps
 * guest RAM from the memfd passed in SET_MEM_TABLE.
 *
 * The transport's queue notify eventfds (KVM_IOEVENTFD, or signalled on a
 * QueueNotify exit) are the back-end's kick fds; its call eventfds are
 * read by this device's thread, which raises the transport's interrupt.
 * An irqfd cannot do that job on virtio-mmio: the driver's interrupt
 * handler reads InterruptStatus, which only the VMM can set, so the same
 * thread serves the in-kernel and the userspace GIC.
 *
 * The same thread notices when the back-end's socket closes: the guest
 * keeps running (its requests wait in the rings), the thread reconnects
 * every RECONNECT_MS and replays what the back-end had (features, memory
 * table, and every ring with its base taken from the used index in guest
 * memory, so requests in flight at the crash are served again).
 *
 * Locking: the socket, and the started/live state, are guarded by the
 * virtio device lock; the core calls driver_ok and reset with it held
 * (vCPU or main thread), this device's thread takes it around reconnection
 * and liveness checks.  Exchanges with the back-end happen under the lock,
 * as a register access waits for them. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <glib/gi18n-lib.h>
#include "virtio/virtio.h"
#include "virtio/vhost_user.h"
#include "virtio/vu_blk_stats.h"
#include "sandbox/seccomp.h"
#include "vmmlog.h"

#define VU_MAX_QUEUES    8
#define RECONNECT_MS     1000
/* at start the back-end may still be creating its socket */
#define CONNECT_WAIT_MS  10000

#define VIRTIO_ID_FS             26
#define VIRTIO_BLK_F_MQ          12
#define BLK_CONFIG_SIZE          60      /* up to write_zeroes_may_unmap */
#define BLK_CONFIG_NUM_QUEUES    34
#define FS_TAG_SIZE              36
#define FS_CONFIG_SIZE           40      /* tag[36], le32 num_request_queues */
#define BLK_QUEUE_SIZE           256
/* the statistics' walk follows every queue */
G_STATIC_ASSERT(BLK_QUEUE_SIZE <= ARMZ_VU_BLK_STATS_QMAX);
G_STATIC_ASSERT(VU_MAX_QUEUES <= ARMZ_VU_BLK_STATS_QUEUES);

/* What the guest may negotiate through us: the device-specific bits and
 * the ring features of split rings (the transport checks split layouts);
 * never the back-end's own PROTOCOL_FEATURES bit. */
#define GUEST_FEATURE_MASK (0xffffffULL | VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | \
                            VIRTIO_BIT(VIRTIO_F_EVENT_IDX) | VIRTIO_BIT(VIRTIO_F_VERSION_1))

/* protocol features we use */
#define WANT_PROTOCOL ((1ULL << ARMZ_VU_PROTOCOL_F_MQ) | (1ULL << ARMZ_VU_PROTOCOL_F_REPLY_ACK) | \
                       (1ULL << ARMZ_VU_PROTOCOL_F_CONFIG))

typedef struct {
    ArmzVirtioDev *vdev;
    ArmzVirtioOps ops;
    ArmzVhostUserKind kind;
    char *path;
    char *label;
    char *id;                   /* --vhost-user-blk id=, NULL */
    bool readonly;
    unsigned nq;
    int call_fd[VU_MAX_QUEUES];
    int ctl_fd;                 /* wakes the thread */

    /* device lock */
    int sock;                   /* -1 while disconnected */
    uint64_t backend_features;  /* GET_FEATURES of the first connection */
    uint64_t protocol;          /* negotiated protocol features */
    bool live;                  /* the driver set DRIVER_OK, no reset since */
    bool qstarted[VU_MAX_QUEUES];   /* rings the back-end serves */

    ArmzVuBlkStats *stats;      /* vhost-user-blk: counters from the rings */

    pthread_t thread;
    bool thread_started;
    bool filter_inherited;      /* made by a filtered thread (device_add) */
    int stop;                   /* atomic */
} VhostUser;

static bool
has_protocol(VhostUser *vu, unsigned bit)
{
    return vu->protocol & (1ULL << bit);
}

static void
signal_fd(int fd)
{
    uint64_t one = 1;
    while (write(fd, &one, sizeof(one)) < 0 && errno == EINTR)
        ;
}

static void
drain_fd(int fd)
{
    uint64_t v;
    while (read(fd, &v, sizeof(v)) < 0 && errno == EINTR)
        ;
}

/* a request without a reply of its own, acknowledged under REPLY_ACK */
static gboolean
send_ack(VhostUser *vu, int sock, ArmzVuMsg *m, const int *fds, unsigned nfds, GError **error)
{
    return armz_vu_exchange(sock, m, fds, nfds, has_protocol(vu, ARMZ_VU_PROTOCOL_F_REPLY_ACK),
                            NULL, error);
}

static gboolean
get_u64(int sock, ArmzVuRequest req, uint64_t *v, GError **error)
{
    ArmzVuMsg m, r;
    armz_vu_msg_init(&m, req);
    return armz_vu_exchange(sock, &m, NULL, 0, false, &r, error) &&
           armz_vu_reply_u64(&r, v, error);
}

/* Feature and protocol negotiation and ownership on a new connection.  A
 * back-end that comes back with fewer features than the guest uses is
 * refused. */
static gboolean
handshake(VhostUser *vu, int sock, GError **error)
{
    uint64_t f, pf = 0;
    ArmzVuMsg m;

    if (!get_u64(sock, ARMZ_VU_GET_FEATURES, &f, error))
        return FALSE;
    if (vu->vdev) {
        uint64_t used = armz_virtio_features(vu->vdev) & ~VIRTIO_BIT(VIRTIO_BLK_F_RO);
        if (vu->live && (used & ~f)) {
            g_set_error(error, ARMZ_VMM_ERROR, 0,
                        _("the back-end now lacks features 0x%llx the guest uses"),
                        (unsigned long long)(used & ~f));
            return FALSE;
        }
    }
    vu->backend_features = f;
    vu->protocol = 0;
    if (f & VIRTIO_BIT(ARMZ_VU_F_PROTOCOL_FEATURES)) {
        if (!get_u64(sock, ARMZ_VU_GET_PROTOCOL_FEATURES, &pf, error))
            return FALSE;
        armz_vu_msg_u64(&m, ARMZ_VU_SET_PROTOCOL_FEATURES, pf & WANT_PROTOCOL);
        if (!armz_vu_exchange(sock, &m, NULL, 0, false, NULL, error))
            return FALSE;
        vu->protocol = pf & WANT_PROTOCOL;
    }
    armz_vu_msg_init(&m, ARMZ_VU_SET_OWNER);
    return send_ack(vu, sock, &m, NULL, 0, error);
}

/* guest physical address of queue Q's ring AREA */
static uint64_t
queue_gpa(VhostUser *vu, unsigned q, ArmzVirtqArea area)
{
    return (uint64_t)armz_virtio_queue_addr(vu->vdev, q, area, true) << 32 |
           armz_virtio_queue_addr(vu->vdev, q, area, false);
}

/* lock held: hands every ready ring to the back-end */
static gboolean
start_locked(VhostUser *vu, GError **error)
{
    const ArmzGuestMem *mem = armz_virtio_mem(vu->vdev);
    uint64_t f = armz_virtio_features(vu->vdev);
    ArmzVuRegion region;
    ArmzVuMsg m;
    int sock = vu->sock;

    if (!mem || !mem->has_fd) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("vhost-user needs guest RAM from a memfd (--memfd)"));
        return FALSE;
    }
    /* readonly=on: RO is ours to offer, the back-end need not know it */
    if (!(vu->backend_features & VIRTIO_BIT(VIRTIO_BLK_F_RO)))
        f &= ~VIRTIO_BIT(VIRTIO_BLK_F_RO);
    f |= vu->backend_features & VIRTIO_BIT(ARMZ_VU_F_PROTOCOL_FEATURES);
    armz_vu_msg_u64(&m, ARMZ_VU_SET_FEATURES, f);
    if (!send_ack(vu, sock, &m, NULL, 0, error))
        return FALSE;

    region.gpa = mem->gpa;
    region.size = mem->size;
    region.uaddr = (uint64_t)(uintptr_t)mem->host;
    region.mmap_offset = 0;
    armz_vu_msg_mem(&m, &region, 1);
    if (!send_ack(vu, sock, &m, &mem->fd, 1, error))
        return FALSE;

    for (unsigned q = 0; q < vu->nq; q++) {
        uint32_t num = armz_virtio_queue_num(vu->vdev, q);
        uint64_t gpa[3];
        uint8_t *desc, *avail, *used;
        ArmzVuVringAddr a = { .index = q };
        int kick = armz_virtio_queue_notify_fd(vu->vdev, q);

        vu->qstarted[q] = false;
        if (!armz_virtio_queue_ready(vu->vdev, q))
            continue;
        for (unsigned i = 0; i < 3; i++)
            gpa[i] = queue_gpa(vu, q, (ArmzVirtqArea)i);
        desc = armz_gmem_ptr(mem, gpa[ARMZ_VIRTQ_AREA_DESC], 16ULL * num);
        avail = armz_gmem_ptr(mem, gpa[ARMZ_VIRTQ_AREA_DRIVER], 6 + 2ULL * num);
        used = armz_gmem_ptr(mem, gpa[ARMZ_VIRTQ_AREA_DEVICE], 6 + 8ULL * num);
        if (!desc || !avail || !used) {
            /* the core refuses such rings at QueueReady: not reached */
            g_set_error(error, ARMZ_VMM_ERROR, 0, _("queue %u lies outside guest RAM"), q);
            return FALSE;
        }
        a.desc = (uint64_t)(uintptr_t)desc;
        a.avail = (uint64_t)(uintptr_t)avail;
        a.used = (uint64_t)(uintptr_t)used;
        armz_vu_msg_state(&m, ARMZ_VU_SET_VRING_NUM, q, num);
        if (!send_ack(vu, sock, &m, NULL, 0, error))
            return FALSE;
        /* where the back-end resumes: after the last request it completed
         * (0 on a fresh ring) */
        armz_vu_msg_state(&m, ARMZ_VU_SET_VRING_BASE, q, armz_ld_le16(used + 2));
        if (!send_ack(vu, sock, &m, NULL, 0, error))
            return FALSE;
        armz_vu_msg_addr(&m, &a);
        if (!send_ack(vu, sock, &m, NULL, 0, error))
            return FALSE;
        armz_vu_msg_u64(&m, ARMZ_VU_SET_VRING_KICK, q);
        if (!send_ack(vu, sock, &m, &kick, 1, error))
            return FALSE;
        armz_vu_msg_u64(&m, ARMZ_VU_SET_VRING_CALL, q);
        if (!send_ack(vu, sock, &m, &vu->call_fd[q], 1, error))
            return FALSE;
        /* with PROTOCOL_FEATURES, rings start disabled */
        if (vu->backend_features & VIRTIO_BIT(ARMZ_VU_F_PROTOCOL_FEATURES)) {
            armz_vu_msg_state(&m, ARMZ_VU_SET_VRING_ENABLE, q, 1);
            if (!send_ack(vu, sock, &m, NULL, 0, error))
                return FALSE;
        }
        vu->qstarted[q] = true;
    }
    /* requests made while no back-end listened, or taken by one that died
     * before completing them: look at the rings now; and completions a
     * dying back-end wrote without signalling: the driver looks too (the
     * call fd wakes this device's thread, which interrupts the guest) */
    for (unsigned q = 0; q < vu->nq; q++) {
        if (vu->qstarted[q]) {
            armz_virtio_queue_notify(vu->vdev, q);
            signal_fd(vu->call_fd[q]);
        }
    }
    armz_vmm_debug("%s: rings handed to the back-end", vu->label);
    return TRUE;
}

/* lock held */
static void
disconnect_locked(VhostUser *vu, const char *why)
{
    if (vu->sock < 0)
        return;
    close(vu->sock);
    vu->sock = -1;
    /* what the back-end completed before it went, the driver may take now */
    for (unsigned q = 0; q < vu->nq; q++)
        if (vu->qstarted[q])
            signal_fd(vu->call_fd[q]);
    memset(vu->qstarted, 0, sizeof(vu->qstarted));
    armz_vmm_warn(_("%s: vhost-user back-end at '%s' lost (%s); the guest keeps running, "
                    "reconnecting"), vu->label, vu->path, why);
    signal_fd(vu->ctl_fd);
}

/* lock held: the back-end stops every ring (GET_VRING_BASE) */
static void
stop_locked(VhostUser *vu)
{
    g_autoptr(GError) err = NULL;

    for (unsigned q = 0; q < vu->nq && vu->sock >= 0; q++) {
        ArmzVuMsg m, r;
        uint32_t idx, base;

        if (!vu->qstarted[q])
            continue;
        vu->qstarted[q] = false;
        if (vu->backend_features & VIRTIO_BIT(ARMZ_VU_F_PROTOCOL_FEATURES)) {
            armz_vu_msg_state(&m, ARMZ_VU_SET_VRING_ENABLE, q, 0);
            if (!send_ack(vu, vu->sock, &m, NULL, 0, &err))
                break;
        }
        armz_vu_msg_state(&m, ARMZ_VU_GET_VRING_BASE, q, 0);
        if (!armz_vu_exchange(vu->sock, &m, NULL, 0, false, &r, &err) ||
            !armz_vu_reply_state(&r, &idx, &base, &err))
            break;
        armz_vmm_debug("%s: queue %u stopped at %u", vu->label, q, base);
    }
    if (err)
        disconnect_locked(vu, err->message);
}

/* lock held: the statistics follow the rings from where they are now (a
 * back-end that reconnects later resumes the same rings: nothing to do) */
static void
stats_start(VhostUser *vu)
{
    bool indirect = armz_virtio_features(vu->vdev) & VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC);

    for (unsigned q = 0; vu->stats && q < vu->nq; q++)
        if (armz_virtio_queue_ready(vu->vdev, q))
            armz_vu_blk_stats_start(vu->stats, q, armz_virtio_mem(vu->vdev),
                                    armz_virtio_queue_num(vu->vdev, q),
                                    queue_gpa(vu, q, ARMZ_VIRTQ_AREA_DESC),
                                    queue_gpa(vu, q, ARMZ_VIRTQ_AREA_DRIVER),
                                    queue_gpa(vu, q, ARMZ_VIRTQ_AREA_DEVICE), indirect);
}

static void
vu_driver_ok(ArmzVirtioDev *d)
{
    VhostUser *vu = armz_virtio_priv(d);
    g_autoptr(GError) err = NULL;

    vu->live = true;
    stats_start(vu);
    if (vu->sock < 0) {
        armz_vmm_info(_("%s: no back-end yet; the rings are handed over when it is back"),
                      vu->label);
        return;
    }
    if (!start_locked(vu, &err))
        disconnect_locked(vu, err->message);
}

static void
vu_reset(ArmzVirtioDev *d)
{
    VhostUser *vu = armz_virtio_priv(d);

    vu->live = false;
    if (vu->stats)
        armz_vu_blk_stats_stop(vu->stats);
    stop_locked(vu);
}

/* thread, lock held: readable or hung-up socket: gone, or a stray message */
static void
check_socket_locked(VhostUser *vu)
{
    char c;
    ssize_t n = recv(vu->sock, &c, 1, MSG_PEEK | MSG_DONTWAIT);

    if (n == 0) {
        disconnect_locked(vu, _("it closed the connection"));
    } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        disconnect_locked(vu, g_strerror(errno));
    } else if (n > 0) {
        /* nothing is sent to us unasked on this channel: drop it */
        g_autoptr(GError) err = NULL;
        ArmzVuMsg m;
        if (!armz_vu_recv(vu->sock, &m, NULL, 0, NULL, ARMZ_VU_REPLY_TIMEOUT_MS, &err))
            disconnect_locked(vu, err->message);
        else
            armz_vmm_debug("%s: ignoring unasked vhost-user message %u", vu->label, m.request);
    }
}

/* thread: one connection attempt; replays the device's state */
static void
try_reconnect(VhostUser *vu)
{
    g_autoptr(GError) err = NULL;
    int sock = armz_vu_connect(vu->path, &err);

    if (sock < 0) {
        armz_vmm_debug("%s: %s", vu->label, err->message);
        return;
    }
    armz_virtio_lock(vu->vdev);
    if (!handshake(vu, sock, &err)) {
        armz_virtio_unlock(vu->vdev);
        armz_vmm_warn(_("%s: vhost-user back-end at '%s' refused: %s"), vu->label, vu->path,
                      err->message);
        close(sock);
        return;
    }
    vu->sock = sock;
    armz_vmm_info(_("%s: reconnected to the vhost-user back-end at '%s'"), vu->label, vu->path);
    if (vu->live && !start_locked(vu, &err))
        disconnect_locked(vu, err->message);
    armz_virtio_unlock(vu->vdev);
}

static void *
vu_thread(void *opaque)
{
    VhostUser *vu = opaque;
    char name[16];

    g_snprintf(name, sizeof(name), "vhost-user");
    pthread_setname_np(pthread_self(), name);
    /* a device hot-added after the main thread's filter runs under that
     * one (which may not load another) */
    if (!vu->filter_inherited)
        armz_seccomp_enter(ARMZ_SANDBOX_WORKER);
    while (!g_atomic_int_get(&vu->stop)) {
        struct pollfd pfd[2 + VU_MAX_QUEUES];
        int sock, r;

        armz_virtio_lock(vu->vdev);
        sock = vu->sock;
        armz_virtio_unlock(vu->vdev);
        pfd[0] = (struct pollfd){ vu->ctl_fd, POLLIN, 0 };
        pfd[1] = (struct pollfd){ sock, POLLIN, 0 };
        for (unsigned q = 0; q < vu->nq; q++)
            pfd[2 + q] = (struct pollfd){ vu->call_fd[q], POLLIN, 0 };
        r = poll(pfd, 2 + vu->nq, sock < 0 ? RECONNECT_MS : -1);
        if (r < 0 && errno != EINTR) {
            armz_vmm_warn(_("%s: poll failed: %s"), vu->label, g_strerror(errno));
            g_usleep(100 * 1000);
            continue;
        }
        if (g_atomic_int_get(&vu->stop))
            break;
        if (r > 0 && pfd[0].revents)
            drain_fd(vu->ctl_fd);
        for (unsigned q = 0; r > 0 && q < vu->nq; q++) {
            if (pfd[2 + q].revents) {
                drain_fd(vu->call_fd[q]);
                /* before the interrupt: until the guest sees it, the heads
                 * just completed stay as they are (unless the guest polls
                 * the used ring: vu_blk_stats.c) */
                if (vu->stats)
                    armz_vu_blk_stats_walk(vu->stats, q);
                armz_virtio_interrupt_queue(vu->vdev, q);
            }
        }
        if (sock >= 0 && r > 0 && pfd[1].revents) {
            armz_virtio_lock(vu->vdev);
            if (vu->sock == sock)
                check_socket_locked(vu);
            armz_virtio_unlock(vu->vdev);
        } else if (sock < 0 && r == 0) {
            try_reconnect(vu);
        }
    }
    return NULL;
}

static void
vu_free(void *priv)
{
    VhostUser *vu = priv;

    if (vu->thread_started) {
        g_atomic_int_set(&vu->stop, 1);
        signal_fd(vu->ctl_fd);
        pthread_join(vu->thread, NULL);
    }
    if (vu->sock >= 0)
        close(vu->sock);
    for (unsigned q = 0; q < vu->nq; q++)
        if (vu->call_fd[q] >= 0)
            close(vu->call_fd[q]);
    if (vu->ctl_fd >= 0)
        close(vu->ctl_fd);
    armz_vu_blk_stats_free(vu->stats);
    g_free(vu->path);
    g_free(vu->label);
    g_free(vu->id);
    g_free(vu);
}

/* the back-end may still be coming up: retry a refused or missing socket */
static int
connect_wait(const char *path, GError **error)
{
    gint64 give_up = g_get_monotonic_time() + CONNECT_WAIT_MS * 1000LL;

    for (;;) {
        g_autoptr(GError) err = NULL;
        int fd = armz_vu_connect(path, &err);
        if (fd >= 0)
            return fd;
        if (g_get_monotonic_time() > give_up) {
            g_propagate_error(error, g_steal_pointer(&err));
            return -1;
        }
        g_usleep(100 * 1000);
    }
}

/* the config space the guest sees, and the number of queues */
static gboolean
device_config(VhostUser *vu, const ArmzVhostUserOpt *o, uint8_t *config, GError **error)
{
    if (vu->kind == ARMZ_VHOST_USER_FS) {
        memset(config, 0, FS_CONFIG_SIZE);
        memcpy(config, o->tag, strlen(o->tag));
        armz_st_le32(config + FS_TAG_SIZE, 1);
        vu->nq = 2;             /* hiprio + one request queue */
        return TRUE;
    }
    if (!has_protocol(vu, ARMZ_VU_PROTOCOL_F_CONFIG)) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("the vhost-user back-end at '%s' does not give the disk's "
                      "configuration (protocol feature CONFIG)"), vu->path);
        return FALSE;
    }
    {
        ArmzVuMsg m, r;
        armz_vu_msg_config(&m, ARMZ_VU_GET_CONFIG, 0, BLK_CONFIG_SIZE, NULL);
        if (!armz_vu_exchange(vu->sock, &m, NULL, 0, false, &r, error) ||
            !armz_vu_reply_config(&r, BLK_CONFIG_SIZE, config, error))
            return FALSE;
    }
    vu->nq = 1;
    if (vu->backend_features & VIRTIO_BIT(VIRTIO_BLK_F_MQ)) {
        uint64_t max = VU_MAX_QUEUES;
        unsigned n = armz_ld_le16(config + BLK_CONFIG_NUM_QUEUES);
        if (has_protocol(vu, ARMZ_VU_PROTOCOL_F_MQ) &&
            !get_u64(vu->sock, ARMZ_VU_GET_QUEUE_NUM, &max, error))
            return FALSE;
        n = MIN(MAX(n, 1u), (unsigned)MIN(max, (uint64_t)VU_MAX_QUEUES));
        armz_st_le16(config + BLK_CONFIG_NUM_QUEUES, (uint16_t)n);
        vu->nq = n;
    }
    return TRUE;
}

ArmzVirtioDev *
armz_vhost_user_new(const ArmzVhostUserOpt *o, unsigned index, GError **error)
{
    return armz_vhost_user_new_fd(o, index, -1, error);
}

ArmzVirtioDev *
armz_vhost_user_new_fd(const ArmzVhostUserOpt *o, unsigned index, int sock, GError **error)
{
    VhostUser *vu = g_new0(VhostUser, 1);
    uint8_t config[ARMZ_VU_MAX_CONFIG];
    uint64_t features;
    sigset_t all, old;
    int r;

    vu->kind = o->kind;
    vu->path = g_strdup(o->socket);
    vu->readonly = o->readonly;
    vu->id = g_strdup(o->id);
    vu->label = o->id ? g_strdup_printf("%s %s", o->kind == ARMZ_VHOST_USER_BLK ?
                                        "vhost-user-blk" : "vhost-user-fs", o->id)
                      : g_strdup_printf("%s %u", o->kind == ARMZ_VHOST_USER_BLK ?
                                        "vhost-user-blk" : "vhost-user-fs", index);
    vu->ctl_fd = -1;
    for (unsigned q = 0; q < VU_MAX_QUEUES; q++)
        vu->call_fd[q] = -1;
    vu->sock = sock >= 0 ? sock : connect_wait(vu->path, error);
    if (vu->sock < 0 || !handshake(vu, vu->sock, error) || !device_config(vu, o, config, error))
        goto fail;
    if (!(vu->backend_features & VIRTIO_BIT(VIRTIO_F_VERSION_1))) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("the vhost-user back-end at '%s' does not offer virtio 1 (VERSION_1)"),
                    vu->path);
        goto fail;
    }
    features = vu->backend_features & GUEST_FEATURE_MASK;
    if (vu->kind == ARMZ_VHOST_USER_BLK && vu->readonly)
        features |= VIRTIO_BIT(VIRTIO_BLK_F_RO);

    vu->ops.name = vu->kind == ARMZ_VHOST_USER_BLK ? "vhost-user-blk" : "vhost-user-fs";
    vu->ops.device_id = vu->kind == ARMZ_VHOST_USER_BLK ? VIRTIO_ID_BLOCK : VIRTIO_ID_FS;
    vu->ops.nqueues = vu->nq;
    vu->ops.queue_max = vu->kind == ARMZ_VHOST_USER_BLK ? BLK_QUEUE_SIZE : o->queue_size;
    vu->ops.config_size = vu->kind == ARMZ_VHOST_USER_BLK ? BLK_CONFIG_SIZE : FS_CONFIG_SIZE;
    vu->ops.vhost = true;
    vu->ops.driver_ok = vu_driver_ok;
    vu->ops.reset = vu_reset;
    vu->ops.free_priv = vu_free;
    for (unsigned q = 0; q < vu->nq; q++) {
        vu->call_fd[q] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (vu->call_fd[q] < 0)
            goto fail_errno;
    }
    vu->ctl_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (vu->ctl_fd < 0)
        goto fail_errno;
    if (vu->kind == ARMZ_VHOST_USER_BLK)
        vu->stats = armz_vu_blk_stats_new();
    vu->vdev = armz_virtio_dev_new(&vu->ops, vu, vu->label, features);
    memcpy(armz_virtio_config(vu->vdev), config, vu->ops.config_size);

    vu->filter_inherited = armz_seccomp_thread_filtered();
    /* signals belong to the main loop and the vCPU threads */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    r = pthread_create(&vu->thread, NULL, vu_thread, vu);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (r != 0) {
        ArmzVirtioDev *d = vu->vdev;
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot start the thread of %s: %s"),
                    vu->label, g_strerror(r));
        armz_virtio_dev_free(d);    /* frees VU too */
        return NULL;
    }
    vu->thread_started = true;
    armz_vmm_debug("%s: back-end features 0x%llx, protocol 0x%llx, %u queues", vu->label,
                   (unsigned long long)vu->backend_features, (unsigned long long)vu->protocol,
                   vu->nq);
    return vu->vdev;

fail_errno:
    g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot create an eventfd: %s"), g_strerror(errno));
fail:
    if (vu->vdev)
        armz_virtio_dev_free(vu->vdev);
    else
        vu_free(vu);
    return NULL;
}

bool
armz_vhost_user_blk_is(ArmzVirtioDev *d, const char *id)
{
    VhostUser *vu;

    if (g_strcmp0(armz_virtio_dev_name(d), "vhost-user-blk") != 0)
        return false;
    vu = armz_virtio_priv(d);
    return vu->id && g_strcmp0(vu->id, id) == 0;
}

/* Main thread: GET_CONFIG again (the back-end resized its disk), under the
 * device lock as every exchange; only the capacity changes for the guest.
 * SIZE (bytes, 0: the back-end's) wins over what the back-end says:
 * qemu-storage-daemon 7.2's export keeps the capacity it started with in its
 * config space, while it serves the whole resized image. */
gboolean
armz_vhost_user_blk_refresh(ArmzVirtioDev *d, uint64_t size, uint64_t *bytes, GError **error)
{
    VhostUser *vu = armz_virtio_priv(d);
    uint8_t config[ARMZ_VU_MAX_CONFIG];
    ArmzVuMsg m, r;
    gboolean ok = FALSE;

    armz_virtio_lock(d);
    if (vu->sock < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("%s: the vhost-user back-end is not connected"), vu->label);
    } else {
        armz_vu_msg_config(&m, ARMZ_VU_GET_CONFIG, 0, BLK_CONFIG_SIZE, NULL);
        ok = armz_vu_exchange(vu->sock, &m, NULL, 0, false, &r, error) &&
             armz_vu_reply_config(&r, BLK_CONFIG_SIZE, config, error);
    }
    if (ok) {
        if (size)
            armz_st_le64(config, size / 512);
        memcpy(armz_virtio_config(d), config, 8);       /* capacity, le64 sectors */
        *bytes = armz_ld_le64(config) * 512;
    }
    armz_virtio_unlock(d);
    if (ok)
        armz_virtio_config_changed(d);
    return ok;
}

bool
armz_vhost_user_blk_stats(ArmzVirtioDev *d, const char **name, ArmzBlkStats *out)
{
    VhostUser *vu;

    if (g_strcmp0(armz_virtio_dev_name(d), "vhost-user-blk") != 0)
        return false;
    vu = armz_virtio_priv(d);
    *name = vu->id ? vu->id : vu->label;
    armz_vu_blk_stats_get(vu->stats, out);
    return true;
}
