/* The counters of a virtio-blk request, as query-blockstats names them:
 * shared by armz-vmm's own virtio-blk (virtio_blk.c) and the statistics of
 * vhost-user-blk disks (vu_blk_stats.c), so both count alike. */
#include "virtio/virtio.h"
#include "virtio/virtio_abi.h"

void
armz_blk_stats_count(ArmzBlkStats *st, uint32_t type, uint64_t bytes, uint64_t ns, bool failed)
{
    switch (type) {
    case VIRTIO_BLK_T_IN:
        st->rd_ops++;
        st->rd_ns += ns;
        if (failed)
            st->failed_rd++;
        else
            st->rd_bytes += bytes;
        break;
    case VIRTIO_BLK_T_OUT:
        st->wr_ops++;
        st->wr_ns += ns;
        if (failed)
            st->failed_wr++;
        else
            st->wr_bytes += bytes;
        break;
    case VIRTIO_BLK_T_FLUSH:
        st->flush_ops++;
        st->flush_ns += ns;
        if (failed)
            st->failed_flush++;
        break;
    default:
        break;
    }
}
