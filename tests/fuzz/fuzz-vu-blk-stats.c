/* libFuzzer target: the statistics walk of vhost-user-blk disks
 * (src/vmm/virtio/vu_blk_stats.c) over guest RAM whose rings, descriptors
 * and requests come from the input (the virtqueue target's format,
 * fuzz-vq-input.h, and its seeds; queue sizes up to 256).  Guest RAM is a
 * heap block of its exact size, so AddressSanitizer reports any access
 * outside it.  Between walks the driver's and the back-end's indexes move
 * by amounts taken from the last bytes of guest RAM (the available one by
 * at least one). */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "virtio/vu_blk_stats.h"
#include "fuzz-vq-input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* adds DELTA to the ring index at GPA + 2 */
static void
bump(uint8_t *ram, uint64_t gpa, uint8_t delta)
{
    uint8_t *p = ram + (gpa - FUZZ_VQ_RAM_GPA) + 2;
    uint16_t v = (uint16_t)(p[0] | p[1] << 8);

    v = (uint16_t)(v + delta);
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ArmzGuestMem mem;
    ArmzVuBlkStats *s;
    ArmzBlkStats st;
    uint64_t ring[3];
    unsigned num;
    uint8_t flags;
    uint8_t *ram;

    /* queue sizes up to 256 */
    if (!(ram = fuzz_vq_parse(data, size, 9, &flags, &num, ring)))
        return 0;
    mem.host = ram;
    mem.gpa = FUZZ_VQ_RAM_GPA;
    mem.size = FUZZ_VQ_RAM_SIZE;
    mem.fd = -1;
    mem.has_fd = false;

    s = armz_vu_blk_stats_new();
    if (armz_vu_blk_stats_start(s, 0, &mem, num, ring[0], ring[1], ring[2],
                                flags & FUZZ_VQ_F_INDIR)) {
        for (unsigned round = 0; round < 4; round++) {
            /* (at least one new entry each: the seeds leave the tail 0) */
            bump(ram, ring[1], (uint8_t)(ram[FUZZ_VQ_RAM_SIZE - 8 + 2 * round] + 1));
            bump(ram, ring[2], (uint8_t)(ram[FUZZ_VQ_RAM_SIZE - 7 + 2 * round] + round % 2));
            armz_vu_blk_stats_walk(s, 0);
        }
    }
    armz_vu_blk_stats_get(s, &st);
    armz_vu_blk_stats_free(s);
    free(ram);
    return 0;
}
