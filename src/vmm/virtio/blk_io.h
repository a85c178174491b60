/* How a raw virtio-blk disk's reads, writes and flushes reach the host:
 * io=threads (preadv/pwritev), native (Linux AIO) or io_uring.  Called on
 * the disk's worker thread only, one request at a time; the contexts are
 * set up at start, before any seccomp filter, so the workers need only the
 * submit and wait calls (see sandbox/seccomp_rules.c). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <glib.h>
#include "options.h"

typedef struct ArmzBlkIo ArmzBlkIo;

/* false when this build has no io_uring (meson -Dio_uring=disabled) */
bool armz_blk_io_have_uring(void);

/* NULL with ERROR naming the mode and the host's refusal (io_uring:
 * EPERM from a sysctl or seccomp, ENOSYS from an old kernel) */
ArmzBlkIo *armz_blk_io_new(ArmzDiskIo mode, const char *label, GError **error);
void armz_blk_io_free(ArmzBlkIo *io);
ArmzDiskIo armz_blk_io_mode(const ArmzBlkIo *io);

/* One preadv/pwritev of IOV (N entries) at OFF: bytes moved or -errno. */
ssize_t armz_blk_io_rw(ArmzBlkIo *io, int fd, bool write, const struct iovec *iov, unsigned n,
                       uint64_t off);
/* fdatasync(FD): 0 or -errno */
int armz_blk_io_flush(ArmzBlkIo *io, int fd);
