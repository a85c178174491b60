/* virtio-balloon (5.5): the host asks the guest to give back memory
 * (num_pages in config space), the guest hands over 4 KiB frames on the
 * inflate queue (their host pages are dropped with MADV_DONTNEED) and takes
 * them back on the deflate queue (they fault in again, zeroed).  Also the
 * statistics queue (the guest's own memory figures, re-requested every
 * polling interval by returning its buffer) and free page reporting
 * (ranges the guest's allocator reports free are dropped the same way).
 *
 * The queues exist in order for the features the driver accepted: inflate,
 * deflate, then stats (STATS_VQ), then reporting (REPORTING), as Linux and
 * QEMU number them. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/timerfd.h>
#include <glib/gi18n-lib.h>
#include "virtio/virtio.h"
#include "vmmlog.h"

#define BALLOON_QUEUE_SIZE 128
#define BALLOON_NQUEUES    4
#define PFN_BATCH          256
#define BALLOON_PAGE       (1u << VIRTIO_BALLOON_PFN_SHIFT)

typedef enum { Q_INFLATE, Q_DEFLATE, Q_STATS, Q_REPORTING, Q_NONE } QueueRole;

/* The statistics tags Linux sends, by tag, with QEMU's names for them. */
static const char *const stat_names[] = {
    "stat-swap-in", "stat-swap-out", "stat-major-faults", "stat-minor-faults",
    "stat-free-memory", "stat-total-memory", "stat-available-memory", "stat-disk-caches",
    "stat-htlb-pgalloc", "stat-htlb-pgfail", "stat-oom-kills", "stat-alloc-stalls",
    "stat-async-scans", "stat-direct-scans", "stat-async-reclaims", "stat-direct-reclaims",
};
#define N_STATS G_N_ELEMENTS(stat_names)

typedef struct {
    uint64_t ram_size;
    size_t host_page;
    QueueRole role[BALLOON_NQUEUES];    /* set at FEATURES_OK, worker idle */
    int timer_fd;                       /* stats polling */
    /* worker only */
    bool stats_held;                    /* the guest's stats buffer is ours */
    ArmzVirtqElem stats_elem;
    ArmzVirtqElem elem;
    bool warned_range;
    /* stats, under stats_lock (worker writes, main thread reads) */
    GMutex stats_lock;
    uint64_t stats[N_STATS];
    uint32_t stats_seen;                /* bit per tag the guest reported */
    int64_t last_update;                /* seconds since the epoch, 0: never */
    unsigned poll_interval;
    /* actual changes, told from the vCPU thread under the device lock */
    ArmzBalloonChangeFn change_fn;
    void *change_opaque;
} Balloon;

/* Drops the whole host pages inside [P, P+LEN) of guest RAM (a host page
 * larger than the balloon's 4 KiB is kept unless wholly inside). */
static void
discard(Balloon *b, uint8_t *p, uint64_t len)
{
    uintptr_t start = ((uintptr_t)p + b->host_page - 1) & ~(uintptr_t)(b->host_page - 1);
    uintptr_t end = ((uintptr_t)p + len) & ~(uintptr_t)(b->host_page - 1);

    if (end > start && madvise((void *)start, end - start, MADV_DONTNEED) < 0)
        armz_vmm_warn("virtio-balloon: madvise(MADV_DONTNEED) of %zu bytes failed: %s",
                      (size_t)(end - start), g_strerror(errno));
}

/* The little-endian u32 frame numbers of one inflate request, contiguous
 * runs merged, each dropped. */
static void
inflate(ArmzVirtioDev *d, Balloon *b, ArmzVirtqElem *e)
{
    const ArmzGuestMem *mem = armz_virtio_mem(d);
    uint8_t raw[PFN_BATCH * 4];
    uint8_t *run = NULL;
    uint64_t run_len = 0;
    size_t off = 0, got;

    while ((got = armz_iov_to_buf(e->iov, e->n_out, off, raw, sizeof(raw))) >= 4) {
        for (size_t i = 0; i + 4 <= got; i += 4) {
            uint64_t gpa = (uint64_t)armz_ld_le32(raw + i) << VIRTIO_BALLOON_PFN_SHIFT;
            uint8_t *p = armz_gmem_ptr(mem, gpa, BALLOON_PAGE);

            if (!p) {
                if (!b->warned_range)
                    armz_vmm_warn(_("%s: the guest gave a page outside its RAM "
                                    "(0x%" G_GINT64_MODIFIER "x); ignored"),
                                  armz_virtio_label(d), (guint64)gpa);
                b->warned_range = true;
                continue;
            }
            if (run && p == run + run_len) {
                run_len += BALLOON_PAGE;
                continue;
            }
            if (run)
                discard(b, run, run_len);
            run = p;
            run_len = BALLOON_PAGE;
        }
        off += got - got % 4;
        if (got < sizeof(raw))
            break;
    }
    if (run)
        discard(b, run, run_len);
}

/* One statistics buffer: tag/value pairs, unknown tags skipped. */
static void
read_stats(Balloon *b, ArmzVirtqElem *e)
{
    uint8_t raw[64 * VIRTIO_BALLOON_STAT_SIZE];
    size_t got = armz_iov_to_buf(e->iov, e->n_out, 0, raw, sizeof(raw));

    g_mutex_lock(&b->stats_lock);
    for (size_t i = 0; i + VIRTIO_BALLOON_STAT_SIZE <= got; i += VIRTIO_BALLOON_STAT_SIZE) {
        uint16_t tag = armz_ld_le16(raw + i);
        if (tag < N_STATS) {
            b->stats[tag] = armz_ld_le64(raw + i + 2);
            b->stats_seen |= 1u << tag;
        }
    }
    b->last_update = (int64_t)time(NULL);
    g_mutex_unlock(&b->stats_lock);
}

/* The guest's stats buffer: read, and kept until the next poll. */
static bool
stats_work(ArmzVirtioDev *d, Balloon *b, unsigned q)
{
    for (unsigned n = 0; n < BALLOON_QUEUE_SIZE; n++) {
        if (armz_virtio_pop(d, q, &b->elem) <= 0)
            return false;
        /* a second buffer while we hold one: the old one goes back */
        if (b->stats_held)
            armz_virtio_push(d, q, &b->stats_elem, 0);
        read_stats(b, &b->elem);
        memcpy(&b->stats_elem, &b->elem, sizeof(b->elem));
        b->stats_held = true;
    }
    return true;
}

static bool
balloon_work(ArmzVirtioDev *d, unsigned q)
{
    Balloon *b = armz_virtio_priv(d);
    /* roles change only while the worker is idle (FEATURES_OK, reset) */
    QueueRole role = q < BALLOON_NQUEUES ? b->role[q] : Q_NONE;
    ArmzVirtqElem *e = &b->elem;

    if (role == Q_STATS)
        return stats_work(d, b, q);
    for (unsigned n = 0; n < BALLOON_QUEUE_SIZE; n++) {
        if (role == Q_NONE || armz_virtio_pop(d, q, e) <= 0)
            return false;
        if (role == Q_INFLATE) {
            inflate(d, b, e);
        } else if (role == Q_REPORTING) {
            for (unsigned k = 0; k < e->n_in; k++)
                discard(b, armz_elem_in(e)[k].iov_base, armz_elem_in(e)[k].iov_len);
        }
        /* deflated pages fault in again when the guest touches them */
        armz_virtio_push(d, q, e, 0);
    }
    return true;
}

static short
balloon_fd_events(ArmzVirtioDev *d, unsigned i)
{
    return POLLIN;
}

/* The polling timer: hand the stats buffer back so the guest refills it. */
static void
balloon_fd_ready(ArmzVirtioDev *d, unsigned i, short revents)
{
    Balloon *b = armz_virtio_priv(d);
    uint64_t ticks;
    unsigned q = BALLOON_NQUEUES;

    if (read(b->timer_fd, &ticks, sizeof(ticks)) < 0 || !b->stats_held)
        return;
    for (unsigned k = 0; k < BALLOON_NQUEUES; k++)
        if (b->role[k] == Q_STATS)
            q = k;
    if (q < BALLOON_NQUEUES) {
        b->stats_held = false;
        armz_virtio_push(d, q, &b->stats_elem, 0);
    }
}

static void
balloon_set_features(ArmzVirtioDev *d, uint64_t features)
{
    Balloon *b = armz_virtio_priv(d);
    unsigned q = 0;

    for (unsigned k = 0; k < BALLOON_NQUEUES; k++)
        b->role[k] = Q_NONE;
    b->role[q++] = Q_INFLATE;
    b->role[q++] = Q_DEFLATE;
    if (features & VIRTIO_BIT(VIRTIO_BALLOON_F_STATS_VQ))
        b->role[q++] = Q_STATS;
    if (features & VIRTIO_BIT(VIRTIO_BALLOON_F_REPORTING))
        b->role[q++] = Q_REPORTING;
}

/* vCPU thread, lock held: the driver reports how many pages it holds. */
static void
balloon_config_write(ArmzVirtioDev *d, unsigned offset, unsigned size, uint64_t value)
{
    Balloon *b = armz_virtio_priv(d);
    uint8_t *cfg = armz_virtio_config(d);
    uint32_t before = armz_ld_le32(cfg + VIRTIO_BALLOON_CFG_ACTUAL);

    /* only actual is the driver's to write */
    for (unsigned i = 0; i < size; i++) {
        unsigned o = offset + i;
        if (o >= VIRTIO_BALLOON_CFG_ACTUAL && o < VIRTIO_BALLOON_CFG_ACTUAL + 4)
            cfg[o] = (uint8_t)(value >> (8 * i));
    }
    if (armz_ld_le32(cfg + VIRTIO_BALLOON_CFG_ACTUAL) != before && b->change_fn)
        b->change_fn(b->change_opaque, armz_virtio_balloon_actual_locked(d));
}

static void
balloon_reset(ArmzVirtioDev *d)
{
    Balloon *b = armz_virtio_priv(d);

    /* the guest starts over with all its memory */
    armz_st_le32(armz_virtio_config(d) + VIRTIO_BALLOON_CFG_ACTUAL, 0);
    b->stats_held = false;
    for (unsigned k = 0; k < BALLOON_NQUEUES; k++)
        b->role[k] = Q_NONE;
}

static void
balloon_free(void *priv)
{
    Balloon *b = priv;
    close(b->timer_fd);
    g_mutex_clear(&b->stats_lock);
    g_free(b);
}

static const ArmzVirtioOps balloon_ops = {
    .name = "virtio-balloon",
    .device_id = VIRTIO_ID_BALLOON,
    .nqueues = BALLOON_NQUEUES,
    .queue_max = BALLOON_QUEUE_SIZE,
    .config_size = VIRTIO_BALLOON_CFG_SIZE,
    .queue_work = balloon_work,
    .fd_events = balloon_fd_events,
    .fd_ready = balloon_fd_ready,
    .config_write = balloon_config_write,
    .set_features = balloon_set_features,
    .reset = balloon_reset,
    .free_priv = balloon_free,
};

ArmzVirtioDev *
armz_virtio_balloon_new(const ArmzBalloonOpt *o, uint64_t ram_size, GError **error)
{
    Balloon *b;
    ArmzVirtioDev *d;
    uint64_t features = VIRTIO_BIT(VIRTIO_BALLOON_F_STATS_VQ);
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);

    if (tfd < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("virtio-balloon: cannot create a timer: %s"),
                    g_strerror(errno));
        return NULL;
    }
    b = g_new0(Balloon, 1);
    b->ram_size = ram_size;
    b->host_page = (size_t)sysconf(_SC_PAGESIZE);
    b->timer_fd = tfd;
    g_mutex_init(&b->stats_lock);
    for (unsigned k = 0; k < BALLOON_NQUEUES; k++)
        b->role[k] = Q_NONE;
    if (o->deflate_on_oom)
        features |= VIRTIO_BIT(VIRTIO_BALLOON_F_DEFLATE_ON_OOM);
    if (o->free_page_reporting)
        features |= VIRTIO_BIT(VIRTIO_BALLOON_F_REPORTING);
    d = armz_virtio_dev_new(&balloon_ops, b, "virtio-balloon", features);
    armz_virtio_add_fd(d, tfd);
    armz_virtio_balloon_set_poll_interval(d, o->stats_period);
    if (o->target)
        armz_virtio_balloon_set_target(d, o->target);
    return d;
}

void
armz_virtio_balloon_set_listener(ArmzVirtioDev *d, ArmzBalloonChangeFn fn, void *opaque)
{
    Balloon *b = armz_virtio_priv(d);

    armz_virtio_lock(d);
    b->change_fn = fn;
    b->change_opaque = opaque;
    armz_virtio_unlock(d);
}

void
armz_virtio_balloon_set_target(ArmzVirtioDev *d, uint64_t target)
{
    Balloon *b = armz_virtio_priv(d);
    uint64_t pages;

    if (target > b->ram_size)
        target = b->ram_size;
    pages = (b->ram_size - target) >> VIRTIO_BALLOON_PFN_SHIFT;
    armz_virtio_lock(d);
    armz_st_le32(armz_virtio_config(d) + VIRTIO_BALLOON_CFG_NUM_PAGES,
                 (uint32_t)MIN(pages, G_MAXUINT32));
    armz_virtio_unlock(d);
    armz_virtio_config_changed(d);
}

uint64_t
armz_virtio_balloon_actual_locked(ArmzVirtioDev *d)
{
    Balloon *b = armz_virtio_priv(d);
    uint64_t held = (uint64_t)armz_ld_le32(armz_virtio_config(d) + VIRTIO_BALLOON_CFG_ACTUAL)
                    << VIRTIO_BALLOON_PFN_SHIFT;

    return held < b->ram_size ? b->ram_size - held : 0;
}

uint64_t
armz_virtio_balloon_actual(ArmzVirtioDev *d)
{
    uint64_t v;

    armz_virtio_lock(d);
    v = armz_virtio_balloon_actual_locked(d);
    armz_virtio_unlock(d);
    return v;
}

char *
armz_virtio_balloon_stats_json(ArmzVirtioDev *d)
{
    Balloon *b = armz_virtio_priv(d);
    GString *s = g_string_new("{\"stats\": {");
    gboolean first = TRUE;

    g_mutex_lock(&b->stats_lock);
    /* tags the guest never sent are left out (QEMU shows them as -1) */
    for (unsigned i = 0; i < N_STATS; i++) {
        if (!(b->stats_seen & (1u << i)))
            continue;
        g_string_append_printf(s, "%s\"%s\": %" G_GUINT64_FORMAT, first ? "" : ", ",
                               stat_names[i], (guint64)b->stats[i]);
        first = FALSE;
    }
    g_string_append_printf(s, "}, \"last-update\": %" G_GINT64_FORMAT "}",
                           (gint64)b->last_update);
    g_mutex_unlock(&b->stats_lock);
    return g_string_free(s, FALSE);
}

unsigned
armz_virtio_balloon_poll_interval(ArmzVirtioDev *d)
{
    Balloon *b = armz_virtio_priv(d);
    unsigned v;

    g_mutex_lock(&b->stats_lock);
    v = b->poll_interval;
    g_mutex_unlock(&b->stats_lock);
    return v;
}

void
armz_virtio_balloon_set_poll_interval(ArmzVirtioDev *d, unsigned seconds)
{
    Balloon *b = armz_virtio_priv(d);
    struct itimerspec its = { { seconds, 0 }, { seconds, 0 } };

    g_mutex_lock(&b->stats_lock);
    b->poll_interval = seconds;
    g_mutex_unlock(&b->stats_lock);
    /* 0 disarms: the guest then reports once, when its driver starts */
    timerfd_settime(b->timer_fd, 0, &its, NULL);
}
