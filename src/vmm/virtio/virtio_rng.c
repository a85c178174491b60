/* virtio-rng (5.4): the guest's entropy requests are filled from a file
 * (default /dev/urandom) or a passed fd, read straight into guest memory. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>
#include <sys/uio.h>
#include <glib/gi18n-lib.h>
#include "virtio/virtio.h"
#include "vmmlog.h"

#define RNG_QUEUE_SIZE 64
#define RNG_DEFAULT    "/dev/urandom"

typedef struct {
    int fd;
    bool own_fd;
    bool wait_input;            /* a non-blocking source had nothing: poll it */
    bool ended;                 /* the source is exhausted */
    ArmzVirtqElem elem;
} Rng;

static bool
rng_work(ArmzVirtioDev *d, unsigned q)
{
    Rng *r = armz_virtio_priv(d);

    for (unsigned n = 0; n < RNG_QUEUE_SIZE; n++) {
        ssize_t got;

        if (r->ended || r->wait_input || armz_virtio_pop(d, 0, &r->elem) <= 0)
            return false;
        if (!r->elem.n_in) {
            armz_virtio_push(d, 0, &r->elem, 0);
            continue;
        }
        do {
            got = readv(r->fd, armz_elem_in(&r->elem), (int)r->elem.n_in);
        } while (got < 0 && errno == EINTR);
        if (got > 0) {
            armz_virtio_push(d, 0, &r->elem, (uint32_t)got);
            continue;
        }
        /* keep the request for later: more input, or never */
        armz_virtio_unpop(d, 0);
        if (got < 0 && errno == EAGAIN) {
            r->wait_input = true;
        } else {
            r->ended = true;
            armz_vmm_warn(_("%s: the entropy source ended (%s); requests stay pending"),
                          armz_virtio_label(d), got == 0 ? _("end of file") : g_strerror(errno));
        }
        return false;
    }
    return true;
}

static short
rng_fd_events(ArmzVirtioDev *d, unsigned i)
{
    Rng *r = armz_virtio_priv(d);
    return r->wait_input && !r->ended ? POLLIN : 0;
}

static void
rng_fd_ready(ArmzVirtioDev *d, unsigned i, short revents)
{
    Rng *r = armz_virtio_priv(d);
    r->wait_input = false;
    while (rng_work(d, 0))
        ;
}

static void
rng_reset(ArmzVirtioDev *d)
{
    Rng *r = armz_virtio_priv(d);
    r->wait_input = false;
}

static void
rng_free(void *priv)
{
    Rng *r = priv;
    if (r->own_fd)
        close(r->fd);
    g_free(r);
}

static const ArmzVirtioOps rng_ops = {
    .name = "virtio-rng",
    .device_id = VIRTIO_ID_RNG,
    .nqueues = 1,
    .queue_max = RNG_QUEUE_SIZE,
    .config_size = 0,
    .queue_work = rng_work,
    .fd_events = rng_fd_events,
    .fd_ready = rng_fd_ready,
    .reset = rng_reset,
    .free_priv = rng_free,
};

ArmzVirtioDev *
armz_virtio_rng_new(const char *path, int fd, GError **error)
{
    Rng *r = g_new0(Rng, 1);
    ArmzVirtioDev *d;

    if (fd >= 0) {
        if (fcntl(fd, F_GETFD) < 0) {
            g_set_error(error, ARMZ_VMM_ERROR, 0,
                        _("--rng fd:%d is not an open file descriptor"), fd);
            g_free(r);
            return NULL;
        }
        r->fd = fd;
    } else {
        if (!path || !*path)
            path = RNG_DEFAULT;
        r->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (r->fd < 0) {
            g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot open the entropy source %s: %s"),
                        path, g_strerror(errno));
            g_free(r);
            return NULL;
        }
        r->own_fd = true;
    }
    d = armz_virtio_dev_new(&rng_ops, r, "virtio-rng", 0);
    armz_virtio_add_fd(d, r->fd);
    return d;
}
