/* The I/O engines of a raw virtio-blk disk (blk_io.h).  Each request is
 * submitted and waited for on the disk's worker thread: the guest's
 * requests of one disk stay in order, as with io=threads, and the error
 * policy sees each result where it happened.
 *
 * native: Linux AIO through syscall(2) (glibc has no wrappers) with
 * IOCB_CMD_PREADV/PWRITEV; the fd is O_DIRECT (QEMU's rule), where the
 * kernel really submits asynchronously.  Flushes are fdatasync, as QEMU's
 * linux-aio leaves them to its thread pool.
 * io_uring: liburing, one ring per disk, IORING_OP_READV/WRITEV and
 * IORING_OP_FSYNC with IORING_FSYNC_DATASYNC. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/aio_abi.h>
#include <glib/gi18n-lib.h>
#if ARMZ_HAVE_IO_URING
#include <liburing.h>
#endif
#include "virtio/blk_io.h"
#include "vmmlog.h"

#define AIO_EVENTS  4
#define URING_DEPTH 4

struct ArmzBlkIo {
    ArmzDiskIo mode;
    aio_context_t aio;
#if ARMZ_HAVE_IO_URING
    struct io_uring ring;
#endif
};

bool
armz_blk_io_have_uring(void)
{
    return ARMZ_HAVE_IO_URING;
}

static const char *
refusal_hint(int err)
{
    switch (err) {
    case EPERM:
        return _("refused by the kernel's policy (sysctl kernel.io_uring_disabled or "
                 "a seccomp filter)");
    case ENOSYS:
        return _("the host kernel has no io_uring");
    default:
        return g_strerror(err);
    }
}

ArmzBlkIo *
armz_blk_io_new(ArmzDiskIo mode, const char *label, GError **error)
{
    g_autofree ArmzBlkIo *io = g_new0(ArmzBlkIo, 1);

    io->mode = mode;
    if (mode == ARMZ_DISK_IO_NATIVE &&
        syscall(__NR_io_setup, AIO_EVENTS, &io->aio) < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("disk %s: cannot set up Linux AIO for io=native: %s"), label,
                    g_strerror(errno));
        return NULL;
    }
    if (mode == ARMZ_DISK_IO_URING) {
#if ARMZ_HAVE_IO_URING
        int r = io_uring_queue_init(URING_DEPTH, &io->ring, 0);
        if (r < 0) {
            g_set_error(error, ARMZ_VMM_ERROR, 0,
                        _("disk %s: the host refuses io_uring for io=io_uring (%s): %s; "
                          "use io=threads or io=native"),
                        label, g_strerror(-r), refusal_hint(-r));
            return NULL;
        }
#else
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("disk %s: this armz-vmm was built without io_uring (meson option "
                      "io_uring): use io=threads or io=native"), label);
        return NULL;
#endif
    }
    return g_steal_pointer(&io);
}

void
armz_blk_io_free(ArmzBlkIo *io)
{
    if (!io)
        return;
    if (io->mode == ARMZ_DISK_IO_NATIVE)
        syscall(__NR_io_destroy, io->aio);
#if ARMZ_HAVE_IO_URING
    if (io->mode == ARMZ_DISK_IO_URING)
        io_uring_queue_exit(&io->ring);
#endif
    g_free(io);
}

ArmzDiskIo
armz_blk_io_mode(const ArmzBlkIo *io)
{
    return io->mode;
}

static ssize_t
aio_rw(ArmzBlkIo *io, int fd, bool write, const struct iovec *iov, unsigned n, uint64_t off)
{
    struct iocb cb;
    struct iocb *cbs[1] = { &cb };
    struct io_event ev;
    long r;

    memset(&cb, 0, sizeof(cb));
    cb.aio_lio_opcode = write ? IOCB_CMD_PWRITEV : IOCB_CMD_PREADV;
    cb.aio_fildes = (uint32_t)fd;
    cb.aio_buf = (uint64_t)(uintptr_t)iov;
    cb.aio_nbytes = n;
    cb.aio_offset = (int64_t)off;
    do
        r = syscall(__NR_io_submit, io->aio, 1L, cbs);
    while (r < 0 && (errno == EINTR || errno == EAGAIN));
    if (r < 0)
        return -errno;
    do
        r = syscall(__NR_io_getevents, io->aio, 1L, 1L, &ev, NULL);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return -errno;      /* cannot happen with a valid context */
    return (ssize_t)ev.res;
}

#if ARMZ_HAVE_IO_URING
/* submits the prepared SQE and waits for its completion: its res */
static int
uring_wait(ArmzBlkIo *io)
{
    struct io_uring_cqe *cqe;
    int r;

    do
        r = io_uring_submit(&io->ring);
    while (r == -EINTR);
    if (r < 0)
        return r;
    do
        r = io_uring_wait_cqe(&io->ring, &cqe);
    while (r == -EINTR);
    if (r < 0)
        return r;
    r = cqe->res;
    io_uring_cqe_seen(&io->ring, cqe);
    return r;
}
#endif

ssize_t
armz_blk_io_rw(ArmzBlkIo *io, int fd, bool write, const struct iovec *iov, unsigned n,
               uint64_t off)
{
    ssize_t r;

    switch (io ? io->mode : ARMZ_DISK_IO_THREADS) {
    case ARMZ_DISK_IO_NATIVE:
        return aio_rw(io, fd, write, iov, n, off);
    case ARMZ_DISK_IO_URING: {
#if ARMZ_HAVE_IO_URING
        struct io_uring_sqe *sqe = io_uring_get_sqe(&io->ring);
        if (!sqe)
            return -EBUSY;      /* one request at a time: the ring is empty */
        if (write)
            io_uring_prep_writev(sqe, fd, iov, n, off);
        else
            io_uring_prep_readv(sqe, fd, iov, n, off);
        return uring_wait(io);
#else
        return -ENOSYS;
#endif
    }
    case ARMZ_DISK_IO_THREADS:
        break;
    }
    do
        r = write ? pwritev(fd, iov, (int)n, (off_t)off) : preadv(fd, iov, (int)n, (off_t)off);
    while (r < 0 && errno == EINTR);
    return r < 0 ? -errno : r;
}

int
armz_blk_io_flush(ArmzBlkIo *io, int fd)
{
#if ARMZ_HAVE_IO_URING
    if (io && io->mode == ARMZ_DISK_IO_URING) {
        struct io_uring_sqe *sqe = io_uring_get_sqe(&io->ring);
        if (!sqe)
            return -EBUSY;
        io_uring_prep_fsync(sqe, fd, IORING_FSYNC_DATASYNC);
        return uring_wait(io);
    }
#endif
    return fdatasync(fd) < 0 ? -errno : 0;
}
