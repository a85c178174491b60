/* virtio-mmio transport (version 2) and generic virtio device: see
 * virtio_mmio.h for the threading rules. */
#include <inttypes.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <glib/gi18n-lib.h>
#include "virtio/virtio_mmio.h"
#include "vmmlog.h"

#define MAX_EXTRA_FDS 4
#define MAX_QUEUES    8

typedef struct {
    /* registers, written by the driver while the queue is not ready */
    uint32_t num;
    uint64_t desc, avail, used;
    bool ready;
    /* guest notifications land here (ioeventfd or QueueNotify handler) */
    int notify_fd;
    bool ioeventfd;
    /* walker state: set up when the queue becomes ready, then used by the
     * worker only (changed again only while the worker is quiesced) */
    ArmzVirtq vq;
    bool pending;               /* worker only */
} VirtioQueue;

struct _ArmzVirtioDev {
    const ArmzVirtioOps *ops;
    void *priv;
    char *label;

    GMutex lock;
    GCond cond;

    /* transport registers (lock) */
    uint64_t host_features, driver_features;
    uint32_t dev_feat_sel, drv_feat_sel, queue_sel, shm_sel;
    uint32_t status, isr, config_gen;
    int irq_level;
    uint8_t *config;
    VirtioQueue *queues;

    ArmzIrqLine irq;
    ArmzGuestMem mem;
    uint64_t base;

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
    unsigned bad_accesses;
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
update_irq(ArmzVirtioDev *d)
{
    int level = d->isr != 0;
    if (level == d->irq_level)
        return;
    d->irq_level = level;
    armz_irq_line_set(&d->irq, level);
}

static void
raise_irq(ArmzVirtioDev *d, uint32_t bit)
{
    g_mutex_lock(&d->lock);
    d->isr |= bit;
    update_irq(d);
    g_mutex_unlock(&d->lock);
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
    if (d->status & VIRTIO_STATUS_DRIVER_OK) {
        d->isr |= VIRTIO_MMIO_INT_CONFIG;
        update_irq(d);
    }
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
    d->host_features = features | VIRTIO_BIT(VIRTIO_F_VERSION_1) |
                       VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
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

gboolean
armz_virtio_dev_attach(ArmzVirtioDev *d, ArmzMmioBus *bus, uint64_t base, ArmzIrqLine irq,
                       const ArmzGuestMem *mem, ArmzIoeventfdFn ioeventfd,
                       void *ioeventfd_opaque, GError **error)
{
    d->base = base;
    d->irq = irq;
    d->mem = *mem;
    if (bus) {
        ArmzMmioRegion r = { d->ops->name, base, 0x200, armz_virtio_mmio_read,
                             armz_virtio_mmio_write, d };
        if (!armz_mmio_bus_add(bus, &r, error))
            return FALSE;
    }
    for (unsigned i = 0; ioeventfd && i < d->ops->nqueues; i++) {
        int r = ioeventfd(ioeventfd_opaque, base + VIRTIO_MMIO_QUEUE_NOTIFY, 4, i,
                          d->queues[i].notify_fd);
        d->queues[i].ioeventfd = r == 0;
        if (r < 0)
            armz_vmm_debug("%s: no ioeventfd for queue %u (%s): notifications exit to the VMM",
                           d->label, i, g_strerror(-r));
    }
    return TRUE;
}

static void *
worker_thread(void *opaque)
{
    ArmzVirtioDev *d = opaque;
    char name[16];

    g_snprintf(name, sizeof(name), "%s", d->ops->name);
    pthread_setname_np(pthread_self(), name);
    while (armz_virtio_dev_run_once(d, -1))
        ;
    return NULL;
}

gboolean
armz_virtio_dev_start(ArmzVirtioDev *d, GError **error)
{
    sigset_t all, old;
    int r;

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
        pfd[1 + i].fd = d->queues[i].notify_fd;
        pfd[1 + i].events = POLLIN;
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
    d->isr = 0;
    update_irq(d);
    d->driver_features = 0;
    d->dev_feat_sel = d->drv_feat_sel = d->queue_sel = d->shm_sel = 0;
    for (unsigned i = 0; i < d->ops->nqueues; i++) {
        VirtioQueue *q = &d->queues[i];
        q->num = d->ops->queue_max;
        q->desc = q->avail = q->used = 0;
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
    if (d->ops->free_priv)
        d->ops->free_priv(d->priv);
    for (unsigned i = 0; i < d->ops->nqueues; i++)
        close(d->queues[i].notify_fd);
    close(d->ctl_fd);
    g_free(d->queues);
    g_free(d->config);
    g_free(d->label);
    g_mutex_clear(&d->lock);
    g_cond_clear(&d->cond);
    g_free(d);
}

/* ---- registers ---- */

static void
bad_access(ArmzVirtioDev *d, uint64_t offset, unsigned size, bool write)
{
    /* a driver bug, not a reason to stop: log a few */
    if (++d->bad_accesses <= 8)
        armz_vmm_warn(_("%s: ignoring %u-byte %s at register offset 0x%" PRIx64),
                      d->label, size, write ? _("write") : _("read"), offset);
}

static uint64_t
config_read(ArmzVirtioDev *d, uint64_t off, unsigned size)
{
    uint64_t v = 0;

    g_mutex_lock(&d->lock);
    if (off < d->ops->config_size && size <= d->ops->config_size - off)
        v = armz_le_bytes_to_u64(d->config + off, size);
    g_mutex_unlock(&d->lock);
    return v;
}

uint64_t
armz_virtio_mmio_read(void *opaque, uint64_t offset, unsigned size)
{
    ArmzVirtioDev *d = opaque;
    uint64_t v = 0;
    VirtioQueue *q;

    if (offset >= VIRTIO_MMIO_CONFIG)
        return config_read(d, offset - VIRTIO_MMIO_CONFIG, size);
    g_mutex_lock(&d->lock);
    if (size != 4 || (offset & 3)) {
        bad_access(d, offset, size, false);
        g_mutex_unlock(&d->lock);
        return 0;
    }
    q = d->queue_sel < d->ops->nqueues ? &d->queues[d->queue_sel] : NULL;
    switch (offset) {
    case VIRTIO_MMIO_MAGIC_VALUE:
        v = VIRTIO_MMIO_MAGIC;
        break;
    case VIRTIO_MMIO_VERSION:
        v = VIRTIO_MMIO_VERSION_MODERN;
        break;
    case VIRTIO_MMIO_DEVICE_ID:
        v = d->ops->device_id;
        break;
    case VIRTIO_MMIO_VENDOR_ID:
        v = ARMZ_VIRTIO_VENDOR_ID;
        break;
    case VIRTIO_MMIO_DEVICE_FEATURES:
        v = d->dev_feat_sel == 0 ? (uint32_t)d->host_features :
            d->dev_feat_sel == 1 ? (uint32_t)(d->host_features >> 32) : 0;
        break;
    case VIRTIO_MMIO_QUEUE_NUM_MAX:
        v = q ? d->ops->queue_max : 0;
        break;
    case VIRTIO_MMIO_QUEUE_READY:
        v = q ? q->ready : 0;
        break;
    case VIRTIO_MMIO_INTERRUPT_STATUS:
        v = d->isr;
        break;
    case VIRTIO_MMIO_STATUS:
        v = d->status;
        break;
    case VIRTIO_MMIO_QUEUE_DESC_LOW:   v = q ? (uint32_t)q->desc : 0; break;
    case VIRTIO_MMIO_QUEUE_DESC_HIGH:  v = q ? (uint32_t)(q->desc >> 32) : 0; break;
    case VIRTIO_MMIO_QUEUE_DRIVER_LOW: v = q ? (uint32_t)q->avail : 0; break;
    case VIRTIO_MMIO_QUEUE_DRIVER_HIGH: v = q ? (uint32_t)(q->avail >> 32) : 0; break;
    case VIRTIO_MMIO_QUEUE_DEVICE_LOW: v = q ? (uint32_t)q->used : 0; break;
    case VIRTIO_MMIO_QUEUE_DEVICE_HIGH: v = q ? (uint32_t)(q->used >> 32) : 0; break;
    case VIRTIO_MMIO_QUEUE_NUM:        v = q ? q->num : 0; break;
    case VIRTIO_MMIO_SHM_LEN_LOW:
    case VIRTIO_MMIO_SHM_LEN_HIGH:
        v = 0xffffffffu;        /* no shared memory regions: length -1 */
        break;
    case VIRTIO_MMIO_CONFIG_GENERATION:
        v = d->config_gen;
        break;
    default:
        v = 0;
        break;
    }
    g_mutex_unlock(&d->lock);
    return v;
}

/* lock held */
static void
set_status(ArmzVirtioDev *d, uint32_t v)
{
    uint32_t old = d->status, new = v & 0xff;
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
        !(old & VIRTIO_STATUS_DRIVER_OK)) {
        d->isr |= VIRTIO_MMIO_INT_CONFIG;
        update_irq(d);
    }
    quiesce_end(d);
}

/* lock held */
static void
set_queue_ready(ArmzVirtioDev *d, VirtioQueue *q, bool ready)
{
    if (ready == q->ready)
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
    } else if (!armz_virtq_setup(&q->vq, &d->mem, q->num, q->desc, q->avail, q->used,
                                 d->driver_features & VIRTIO_BIT(VIRTIO_F_EVENT_IDX),
                                 d->driver_features & VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC))) {
        g_autofree char *why = g_strdup_printf(_("queue %u: %s"), (unsigned)(q - d->queues),
                                               armz_virtq_error(&q->vq));
        needs_reset_locked(d, why);
    }
    quiesce_end(d);
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
armz_virtio_mmio_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    ArmzVirtioDev *d = opaque;
    uint32_t v = (uint32_t)value;
    VirtioQueue *q;
    int notify = -1;

    g_mutex_lock(&d->lock);
    if (offset >= VIRTIO_MMIO_CONFIG) {
        uint64_t off = offset - VIRTIO_MMIO_CONFIG;
        if (d->ops->config_write && off < d->ops->config_size &&
            size <= d->ops->config_size - off)
            d->ops->config_write(d, (unsigned)off, size, value);
        g_mutex_unlock(&d->lock);
        return;
    }
    if (size != 4 || (offset & 3)) {
        bad_access(d, offset, size, true);
        g_mutex_unlock(&d->lock);
        return;
    }
    q = d->queue_sel < d->ops->nqueues ? &d->queues[d->queue_sel] : NULL;
    /* queue registers are frozen while the queue is live (4.2.2.3) */
    if (q && q->ready && offset >= VIRTIO_MMIO_QUEUE_DESC_LOW &&
        offset <= VIRTIO_MMIO_QUEUE_DEVICE_HIGH)
        q = NULL;
    switch (offset) {
    case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
        d->dev_feat_sel = v;
        break;
    case VIRTIO_MMIO_DRIVER_FEATURES:
        if (!(d->status & VIRTIO_STATUS_FEATURES_OK) && d->drv_feat_sel < 2)
            set_half(&d->driver_features, d->drv_feat_sel == 1, v);
        break;
    case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
        d->drv_feat_sel = v;
        break;
    case VIRTIO_MMIO_QUEUE_SEL:
        d->queue_sel = v;
        break;
    case VIRTIO_MMIO_QUEUE_NUM:
        if (q && !q->ready)
            q->num = v;
        break;
    case VIRTIO_MMIO_QUEUE_READY:
        if (q)
            set_queue_ready(d, q, v & 1);
        break;
    case VIRTIO_MMIO_QUEUE_NOTIFY:
        if (v < d->ops->nqueues)
            notify = (int)v;
        break;
    case VIRTIO_MMIO_INTERRUPT_ACK:
        d->isr &= ~v;
        update_irq(d);
        break;
    case VIRTIO_MMIO_STATUS:
        set_status(d, v);
        break;
    case VIRTIO_MMIO_QUEUE_DESC_LOW:
    case VIRTIO_MMIO_QUEUE_DESC_HIGH:
        if (q)
            set_half(&q->desc, offset == VIRTIO_MMIO_QUEUE_DESC_HIGH, v);
        break;
    case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
    case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
        if (q)
            set_half(&q->avail, offset == VIRTIO_MMIO_QUEUE_DRIVER_HIGH, v);
        break;
    case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
    case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
        if (q)
            set_half(&q->used, offset == VIRTIO_MMIO_QUEUE_DEVICE_HIGH, v);
        break;
    case VIRTIO_MMIO_SHM_SEL:
        d->shm_sel = v;
        break;
    default:
        bad_access(d, offset, size, true);
        break;
    }
    g_mutex_unlock(&d->lock);
    if (notify >= 0)
        eventfd_signal(d->queues[notify].notify_fd);
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
    if (device_live(d)) {
        d->isr |= VIRTIO_MMIO_INT_CONFIG;
        update_irq(d);
    }
    g_mutex_unlock(&d->lock);
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
    if (armz_virtq_need_notify(&q->vq))
        raise_irq(d, VIRTIO_MMIO_INT_VRING);
}
