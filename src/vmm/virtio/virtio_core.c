/* The transport-independent virtio device: see virtio_core.h for the
 * threading rules. */
#include <inttypes.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <glib/gi18n-lib.h>
#include "virtio/virtio_core.h"
#include "devices/mmio.h"
#include "sandbox/seccomp.h"
#include "vmmlog.h"

/* virtio-serial: 8 ports, each a listening and a connected socket, and
 * 2 queues per port plus port 0's and the control queues */
#define MAX_EXTRA_FDS 18
#define MAX_QUEUES    20
#define N_AREAS       3         /* ArmzVirtqArea */

typedef struct {
    /* registers, written by the driver while the queue is not ready */
    uint32_t num;
    uint64_t addr[N_AREAS];     /* by ArmzVirtqArea: desc, avail, used */
    bool ready;
    /* guest notifications land here (ioeventfd or the transport) */
    int notify_fd;
    /* walker state: set up when the queue becomes ready, then used by the
     * worker only (changed again only while the worker is quiesced) */
    ArmzVirtq vq;
    bool pending;               /* worker only */
} VirtioQueue;

struct _ArmzVirtioDev {
    const ArmzVirtioOps *ops;
    bool filter_inherited;      /* started by a filtered thread (hotplug) */
    void *priv;
    char *label;
    char *id;                       /* QMP's name (libvirt's alias); NULL: the label */

    GMutex lock;
    GCond cond;

    /* device state the driver sees through the transport (lock) */
    uint64_t host_features, driver_features;
    uint32_t status, config_gen;
    uint8_t *config;
    VirtioQueue *queues;

    const ArmzVirtioTransport *trans;
    void *trans_opaque;
    ArmzGuestMem mem;

    /* worker */
    int ctl_fd;                 /* eventfd: wake the worker */
    int extra_fds[MAX_EXTRA_FDS];
    unsigned n_extra;
    int quiesce;                /* atomic: > 0 while someone waits for the worker */
    int halted;                 /* atomic: NEEDS_RESET set, stop consuming */
    bool busy;                  /* lock: worker inside device callbacks */
    bool kick_all;              /* lock: treat every queue as notified */
    bool stop;                  /* lock */
    pthread_t thread;
    bool thread_started;
};

static void
eventfd_signal(int fd)
{
    uint64_t one = 1;
    ssize_t r;
    do {
        r = write(fd, &one, sizeof(one));
    } while (r < 0 && errno == EINTR);
    /* EAGAIN: the counter is saturated, the worker is woken anyway */
}

static void
eventfd_drain(int fd)
{
    uint64_t v;
    while (read(fd, &v, sizeof(v)) < 0 && errno == EINTR)
        ;
}

/* lock held */
static void
interrupt_locked(ArmzVirtioDev *d, ArmzVirtioIntCause cause, unsigned q)
{
    if (d->trans && d->trans->interrupt)
        d->trans->interrupt(d->trans_opaque, cause, q);
}

/* lock held */
static void
needs_reset_locked(ArmzVirtioDev *d, const char *reason)
{
    if (d->status & VIRTIO_STATUS_NEEDS_RESET)
        return;
    d->status |= VIRTIO_STATUS_NEEDS_RESET;
    g_atomic_int_set(&d->halted, 1);
    armz_vmm_warn(_("%s: %s; the device needs a reset"), d->label, reason);
    /* the driver learns it from a configuration change notification */
    if (d->status & VIRTIO_STATUS_DRIVER_OK)
        interrupt_locked(d, ARMZ_VIRTIO_INT_CONFIG, 0);
}

void
armz_virtio_fail(ArmzVirtioDev *d, const char *reason)
{
    g_mutex_lock(&d->lock);
    needs_reset_locked(d, reason);
    g_mutex_unlock(&d->lock);
}

bool
armz_virtio_needs_reset(ArmzVirtioDev *d)
{
    bool r;
    g_mutex_lock(&d->lock);
    r = (d->status & VIRTIO_STATUS_NEEDS_RESET) != 0;
    g_mutex_unlock(&d->lock);
    return r;
}

void
armz_virtio_wake(ArmzVirtioDev *d)
{
    eventfd_signal(d->ctl_fd);
}

/* lock held: stop the worker from taking new work and wait until it has
 * finished the request in hand */
static void
quiesce_begin(ArmzVirtioDev *d)
{
    g_atomic_int_inc(&d->quiesce);
    while (d->busy)
        g_cond_wait(&d->cond, &d->lock);
}

/* lock held: let it go on, and look at every queue again */
static void
quiesce_end(ArmzVirtioDev *d)
{
    g_atomic_int_dec_and_test(&d->quiesce);
    d->kick_all = true;
    eventfd_signal(d->ctl_fd);
}

static bool
device_live(ArmzVirtioDev *d)
{
    uint32_t need = VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_FEATURES_OK;
    return (d->status & need) == need && !(d->status & VIRTIO_STATUS_NEEDS_RESET);
}

ArmzVirtioDev *
armz_virtio_dev_new(const ArmzVirtioOps *ops, void *priv, const char *label, uint64_t features)
{
    ArmzVirtioDev *d = g_new0(ArmzVirtioDev, 1);

    g_assert(ops->nqueues > 0 && ops->nqueues <= MAX_QUEUES && ops->queue_max > 0 && ops->queue_max <= ARMZ_VIRTIO_QUEUE_MAX &&
             (ops->queue_max & (ops->queue_max - 1)) == 0);
    d->ops = ops;
    d->priv = priv;
    d->label = g_strdup(label ? label : ops->name);
    g_mutex_init(&d->lock);
    g_cond_init(&d->cond);
    d->host_features = features;
    if (!ops->vhost)
        d->host_features |= VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) |
                            VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
    d->config = g_malloc0(ops->config_size ? ops->config_size : 1);
    d->queues = g_new0(VirtioQueue, ops->nqueues);
    d->ctl_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    g_assert(d->ctl_fd >= 0);
    for (unsigned i = 0; i < ops->nqueues; i++) {
        d->queues[i].num = ops->queue_max;
        d->queues[i].notify_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        g_assert(d->queues[i].notify_fd >= 0);
    }
    return d;
}

void
armz_virtio_dev_bind(ArmzVirtioDev *d, const ArmzVirtioTransport *t, void *opaque,
                     const ArmzGuestMem *mem)
{
    g_assert(!d->trans && !d->thread_started);
    d->trans = t;
    d->trans_opaque = opaque;
    d->mem = *mem;
}

void *
armz_virtio_dev_transport(ArmzVirtioDev *d)
{
    return d->trans_opaque;
}

static void *
worker_thread(void *opaque)
{
    ArmzVirtioDev *d = opaque;
    char name[16];

    g_snprintf(name, sizeof(name), "%s", d->ops->name);
    pthread_setname_np(pthread_self(), name);
    /* before any guest request; a device hot-added after the main thread's
     * filter runs under that one */
    if (!d->filter_inherited)
        armz_seccomp_enter(ARMZ_SANDBOX_WORKER);
    while (armz_virtio_dev_run_once(d, -1))
        ;
    return NULL;
}

gboolean
armz_virtio_dev_start(ArmzVirtioDev *d, GError **error)
{
    sigset_t all, old;
    int r;

    d->filter_inherited = armz_seccomp_thread_filtered();
    /* signals belong to the main loop and the vCPU threads */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    r = pthread_create(&d->thread, NULL, worker_thread, d);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (r != 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot start the thread of %s: %s"),
                    d->label, g_strerror(r));
        return FALSE;
    }
    d->thread_started = true;
    return TRUE;
}

bool
armz_virtio_dev_run_once(ArmzVirtioDev *d, int timeout_ms)
{
    const ArmzVirtioOps *ops = d->ops;
    unsigned nq = ops->nqueues;
    struct pollfd pfd[1 + MAX_QUEUES + MAX_EXTRA_FDS];
    bool live, again = false;
    int r;

    pfd[0].fd = d->ctl_fd;
    pfd[0].events = POLLIN;
    for (unsigned i = 0; i < nq; i++) {
        /* queues served elsewhere (vhost-user, vhost-vsock) read their own kicks */
        pfd[1 + i].fd = (ops->vhost || (ops->external_queues & (1u << i))) ? -1
                                                                           : d->queues[i].notify_fd;
        pfd[1 + i].events = POLLIN;
        pfd[1 + i].revents = 0;
        again |= d->queues[i].pending;
    }
    /* under the lock: a reset may be changing the device's state */
    g_mutex_lock(&d->lock);
    live = device_live(d) && !d->stop && !g_atomic_int_get(&d->quiesce);
    for (unsigned i = 0; i < d->n_extra; i++) {
        short ev = live && ops->fd_events ? ops->fd_events(d, i) : 0;
        pfd[1 + nq + i].fd = ev ? d->extra_fds[i] : -1;
        pfd[1 + nq + i].events = ev;
        pfd[1 + nq + i].revents = 0;
    }
    g_mutex_unlock(&d->lock);
    r = poll(pfd, 1 + nq + d->n_extra, again ? 0 : timeout_ms);
    if (r < 0) {
        if (errno != EINTR) {
            armz_vmm_warn(_("%s: poll failed: %s"), d->label, g_strerror(errno));
            g_usleep(10000);
        }
        return true;
    }
    if (pfd[0].revents)
        eventfd_drain(d->ctl_fd);
    for (unsigned i = 0; i < nq; i++) {
        if (pfd[1 + i].revents) {
            eventfd_drain(d->queues[i].notify_fd);
            d->queues[i].pending = true;
        }
    }

    g_mutex_lock(&d->lock);
    if (d->stop) {
        g_mutex_unlock(&d->lock);
        return false;
    }
    if (d->kick_all) {
        d->kick_all = false;
        for (unsigned i = 0; i < nq; i++)
            d->queues[i].pending = true;
    }
    live = device_live(d) && !g_atomic_int_get(&d->quiesce);
    if (!live) {
        /* notifications before DRIVER_OK are looked at again at DRIVER_OK */
        for (unsigned i = 0; i < nq; i++)
            d->queues[i].pending = false;
        g_mutex_unlock(&d->lock);
        return true;
    }
    d->busy = true;
    g_mutex_unlock(&d->lock);

    for (unsigned i = 0; i < nq; i++) {
        VirtioQueue *q = &d->queues[i];
        if (!q->pending)
            continue;
        q->pending = false;
        if (q->ready && ops->queue_work)
            q->pending = ops->queue_work(d, i);
    }
    for (unsigned i = 0; i < d->n_extra; i++)
        if (pfd[1 + nq + i].fd >= 0 && pfd[1 + nq + i].revents && ops->fd_ready)
            ops->fd_ready(d, i, pfd[1 + nq + i].revents);

    g_mutex_lock(&d->lock);
    d->busy = false;
    g_cond_broadcast(&d->cond);
    g_mutex_unlock(&d->lock);
    return true;
}
/* lock held */
static void
reset_locked(ArmzVirtioDev *d)
{
    quiesce_begin(d);
    d->status = 0;
    if (d->trans && d->trans->reset)
        d->trans->reset(d->trans_opaque);
    d->driver_features = 0;
    for (unsigned i = 0; i < d->ops->nqueues; i++) {
        VirtioQueue *q = &d->queues[i];
        q->num = d->ops->queue_max;
        memset(q->addr, 0, sizeof(q->addr));
        q->ready = false;
        armz_virtq_clear(&q->vq);
    }
    if (d->ops->reset)
        d->ops->reset(d);
    g_atomic_int_set(&d->halted, 0);
    quiesce_end(d);
}

void
armz_virtio_dev_reset(ArmzVirtioDev *d)
{
    g_mutex_lock(&d->lock);
    reset_locked(d);
    g_mutex_unlock(&d->lock);
}

void
armz_virtio_dev_free(ArmzVirtioDev *d)
{
    if (!d)
        return;
    g_mutex_lock(&d->lock);
    d->stop = true;
    g_mutex_unlock(&d->lock);
    if (d->thread_started) {
        eventfd_signal(d->ctl_fd);
        pthread_join(d->thread, NULL);
    }
    /* the model first: its own threads (vhost-user) may still raise
     * interrupts through the transport */
    if (d->ops->free_priv)
        d->ops->free_priv(d->priv);
    if (d->trans && d->trans->free)
        d->trans->free(d->trans_opaque);
    for (unsigned i = 0; i < d->ops->nqueues; i++)
        close(d->queues[i].notify_fd);
    close(d->ctl_fd);
    g_free(d->queues);
    g_free(d->config);
    g_free(d->label);
    g_free(d->id);
    g_mutex_clear(&d->lock);
    g_cond_clear(&d->cond);
    g_free(d);
}

/* ---- for transports ---- */

const char *
armz_virtio_dev_name(ArmzVirtioDev *d)
{
    return d->ops->name;
}

uint32_t
armz_virtio_device_id(ArmzVirtioDev *d)
{
    return d->ops->device_id;
}

unsigned
armz_virtio_num_queues(ArmzVirtioDev *d)
{
    return d->ops->nqueues;
}

int
armz_virtio_queue_notify_fd(ArmzVirtioDev *d, unsigned q)
{
    g_assert(q < d->ops->nqueues);
    return d->queues[q].notify_fd;
}

void
armz_virtio_queue_notify(ArmzVirtioDev *d, unsigned q)
{
    if (q < d->ops->nqueues)
        eventfd_signal(d->queues[q].notify_fd);
}

void
armz_virtio_lock(ArmzVirtioDev *d)
{
    g_mutex_lock(&d->lock);
}

void
armz_virtio_unlock(ArmzVirtioDev *d)
{
    g_mutex_unlock(&d->lock);
}

uint64_t
armz_virtio_device_features(ArmzVirtioDev *d)
{
    return d->host_features;
}

static void
set_half(uint64_t *reg, bool high, uint32_t v)
{
    if (high)
        *reg = (*reg & 0xffffffffULL) | ((uint64_t)v << 32);
    else
        *reg = (*reg & ~0xffffffffULL) | v;
}

void
armz_virtio_set_driver_features(ArmzVirtioDev *d, unsigned word, uint32_t value)
{
    if (!(d->status & VIRTIO_STATUS_FEATURES_OK) && word < 2)
        set_half(&d->driver_features, word == 1, value);
}

uint8_t
armz_virtio_status(ArmzVirtioDev *d)
{
    return (uint8_t)d->status;
}

void
armz_virtio_set_status(ArmzVirtioDev *d, uint8_t status)
{
    uint32_t old = d->status, new = status;
    uint64_t drv = d->driver_features;

    if (new == 0) {
        reset_locked(d);
        return;
    }
    quiesce_begin(d);
    if ((new & VIRTIO_STATUS_FEATURES_OK) && !(old & VIRTIO_STATUS_FEATURES_OK)) {
        /* only what we offer, and only the modern interface: otherwise
         * FEATURES_OK does not stick and the driver gives up */
        if ((drv & ~d->host_features) || !(drv & VIRTIO_BIT(VIRTIO_F_VERSION_1))) {
            armz_vmm_debug("%s: refusing driver features 0x%" PRIx64 " (offered 0x%" PRIx64 ")",
                           d->label, drv, d->host_features);
            new &= ~(uint32_t)VIRTIO_STATUS_FEATURES_OK;
        } else if (d->ops->set_features) {
            d->ops->set_features(d, drv);
        }
    }
    /* NEEDS_RESET belongs to the device until the next reset; a driver
     * that goes live on a broken device is told at once */
    d->status = new | (old & VIRTIO_STATUS_NEEDS_RESET);
    if ((d->status & VIRTIO_STATUS_NEEDS_RESET) && (new & VIRTIO_STATUS_DRIVER_OK) &&
        !(old & VIRTIO_STATUS_DRIVER_OK))
        interrupt_locked(d, ARMZ_VIRTIO_INT_CONFIG, 0);
    else if (device_live(d) && !(old & VIRTIO_STATUS_DRIVER_OK) && d->ops->driver_ok)
        d->ops->driver_ok(d);
    quiesce_end(d);
}

static VirtioQueue *
queue(ArmzVirtioDev *d, unsigned q)
{
    return q < d->ops->nqueues ? &d->queues[q] : NULL;
}

uint32_t
armz_virtio_queue_num_max(ArmzVirtioDev *d, unsigned q)
{
    return queue(d, q) ? d->ops->queue_max : 0;
}

uint32_t
armz_virtio_queue_num(ArmzVirtioDev *d, unsigned q)
{
    VirtioQueue *vq = queue(d, q);
    return vq ? vq->num : 0;
}

void
armz_virtio_queue_set_num(ArmzVirtioDev *d, unsigned q, uint32_t num)
{
    VirtioQueue *vq = queue(d, q);
    if (vq && !vq->ready)
        vq->num = num;
}

uint32_t
armz_virtio_queue_addr(ArmzVirtioDev *d, unsigned q, ArmzVirtqArea area, bool high)
{
    VirtioQueue *vq = queue(d, q);
    g_assert((unsigned)area < N_AREAS);
    if (!vq)
        return 0;
    return high ? (uint32_t)(vq->addr[area] >> 32) : (uint32_t)vq->addr[area];
}

void
armz_virtio_queue_set_addr(ArmzVirtioDev *d, unsigned q, ArmzVirtqArea area, bool high,
                           uint32_t value)
{
    VirtioQueue *vq = queue(d, q);
    g_assert((unsigned)area < N_AREAS);
    /* frozen while the queue is live (4.2.2.3) */
    if (vq && !vq->ready)
        set_half(&vq->addr[area], high, value);
}

bool
armz_virtio_queue_ready(ArmzVirtioDev *d, unsigned q)
{
    VirtioQueue *vq = queue(d, q);
    return vq && vq->ready;
}

void
armz_virtio_queue_set_ready(ArmzVirtioDev *d, unsigned qi, bool ready)
{
    VirtioQueue *q = queue(d, qi);

    if (!q || ready == q->ready)
        return;
    quiesce_begin(d);
    q->ready = ready;
    if (!ready) {
        armz_virtq_clear(&q->vq);
    } else if (q->num > d->ops->queue_max) {
        g_autofree char *why = g_strdup_printf(_("queue size %u exceeds the maximum %u"), q->num,
                                               d->ops->queue_max);
        armz_virtq_clear(&q->vq);
        needs_reset_locked(d, why);
    } else if (!armz_virtq_setup(&q->vq, &d->mem, q->num, q->addr[ARMZ_VIRTQ_AREA_DESC],
                                 q->addr[ARMZ_VIRTQ_AREA_DRIVER], q->addr[ARMZ_VIRTQ_AREA_DEVICE],
                                 d->driver_features & VIRTIO_BIT(VIRTIO_F_EVENT_IDX),
                                 d->driver_features & VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC))) {
        g_autofree char *why = g_strdup_printf(_("queue %u: %s"), qi, armz_virtq_error(&q->vq));
        needs_reset_locked(d, why);
    }
    quiesce_end(d);
}

uint32_t
armz_virtio_config_generation(ArmzVirtioDev *d)
{
    return d->config_gen;
}

uint64_t
armz_virtio_config_read(ArmzVirtioDev *d, uint64_t offset, unsigned size)
{
    if (offset < d->ops->config_size && size <= d->ops->config_size - offset)
        return armz_le_bytes_to_u64(d->config + offset, size);
    return 0;
}

void
armz_virtio_config_write(ArmzVirtioDev *d, uint64_t offset, unsigned size, uint64_t value)
{
    if (d->ops->config_write && offset < d->ops->config_size &&
        size <= d->ops->config_size - offset)
        d->ops->config_write(d, (unsigned)offset, size, value);
}

/* ---- for device models ---- */

void *
armz_virtio_priv(ArmzVirtioDev *d)
{
    return d->priv;
}

const char *
armz_virtio_label(ArmzVirtioDev *d)
{
    return d->label;
}

void
armz_virtio_set_id(ArmzVirtioDev *d, const char *id)
{
    g_free(d->id);
    d->id = g_strdup(id);
}

const char *
armz_virtio_id(ArmzVirtioDev *d)
{
    return d->id ? d->id : d->label;
}

uint8_t *
armz_virtio_config(ArmzVirtioDev *d)
{
    return d->config;
}

void
armz_virtio_config_changed(ArmzVirtioDev *d)
{
    g_mutex_lock(&d->lock);
    d->config_gen++;
    if (device_live(d))
        interrupt_locked(d, ARMZ_VIRTIO_INT_CONFIG, 0);
    g_mutex_unlock(&d->lock);
}

void
armz_virtio_interrupt_queue(ArmzVirtioDev *d, unsigned q)
{
    g_mutex_lock(&d->lock);
    if (device_live(d))
        interrupt_locked(d, ARMZ_VIRTIO_INT_VRING, q);
    g_mutex_unlock(&d->lock);
}

const ArmzGuestMem *
armz_virtio_mem(ArmzVirtioDev *d)
{
    return d->trans ? &d->mem : NULL;
}

uint64_t
armz_virtio_features(ArmzVirtioDev *d)
{
    return d->driver_features;
}

unsigned
armz_virtio_add_fd(ArmzVirtioDev *d, int fd)
{
    g_assert(d->n_extra < MAX_EXTRA_FDS && !d->thread_started);
    d->extra_fds[d->n_extra] = fd;
    return d->n_extra++;
}

void
armz_virtio_set_fd(ArmzVirtioDev *d, unsigned i, int fd)
{
    g_mutex_lock(&d->lock);
    g_assert(i < d->n_extra);
    d->extra_fds[i] = fd;
    g_mutex_unlock(&d->lock);
}

int
armz_virtio_pop(ArmzVirtioDev *d, unsigned qi, ArmzVirtqElem *elem)
{
    VirtioQueue *q = &d->queues[qi];
    int r;

    if (g_atomic_int_get(&d->quiesce) || g_atomic_int_get(&d->halted) || !q->ready)
        return 0;
    r = armz_virtq_pop(&q->vq, elem);
    if (r < 0) {
        g_autofree char *why = g_strdup_printf(_("queue %u: %s"), qi,
                                               armz_virtq_error(&q->vq));
        armz_virtio_fail(d, why);
        return 0;
    }
    return r;
}

void
armz_virtio_unpop(ArmzVirtioDev *d, unsigned qi)
{
    armz_virtq_unpop(&d->queues[qi].vq);
}

void
armz_virtio_push(ArmzVirtioDev *d, unsigned qi, const ArmzVirtqElem *elem, uint32_t len)
{
    VirtioQueue *q = &d->queues[qi];

    if (len > elem->in_len)
        len = (uint32_t)elem->in_len;
    armz_virtq_push(&q->vq, elem->head, len);
    if (armz_virtq_need_notify(&q->vq)) {
        g_mutex_lock(&d->lock);
        interrupt_locked(d, ARMZ_VIRTIO_INT_VRING, qi);
        g_mutex_unlock(&d->lock);
    }
}
