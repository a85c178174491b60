/* Statistics of a vhost-user-blk disk, read off its rings by armz-vmm
 * (qemu-storage-daemon counts nothing for its exports): see vu_blk_stats.c.
 * Every function may be called from any thread; each takes the object's
 * own lock. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "virtio/virtio.h"
#include "virtio/virtqueue.h"

/* queues and queue size the walk follows (the vhost-user-blk device's) */
#define ARMZ_VU_BLK_STATS_QUEUES 8
#define ARMZ_VU_BLK_STATS_QMAX   256

typedef struct ArmzVuBlkStats ArmzVuBlkStats;

ArmzVuBlkStats *armz_vu_blk_stats_new(void);
void armz_vu_blk_stats_free(ArmzVuBlkStats *s);

/* Queue Q now lives on the rings at DESC, AVAIL and USED (guest physical,
 * NUM entries, indirect descriptors if INDIRECT): the walk starts where
 * the rings are now.  False (the queue is not followed) when the rings do
 * not lie in MEM or Q or NUM is out of range. */
bool armz_vu_blk_stats_start(ArmzVuBlkStats *s, unsigned q, const ArmzGuestMem *mem,
                             unsigned num, uint64_t desc, uint64_t avail, uint64_t used,
                             bool indirect);
/* The device was reset: no queue is followed until started again (the
 * counters stay, as QEMU's do across a guest reboot). */
void armz_vu_blk_stats_stop(ArmzVuBlkStats *s);
/* Counts what queue Q completed since the last walk (the back-end called). */
void armz_vu_blk_stats_walk(ArmzVuBlkStats *s, unsigned q);
/* Walks every queue, then copies the counters. */
void armz_vu_blk_stats_get(ArmzVuBlkStats *s, ArmzBlkStats *out);
