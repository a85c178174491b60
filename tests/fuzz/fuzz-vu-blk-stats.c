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

static uint64_t
le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

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
    uint64_t desc, avail, used;
    unsigned num;
    uint8_t flags;
    size_t off = FUZZ_VQ_HDR;
    uint8_t *ram;

    if (size < FUZZ_VQ_HDR)
        return 0;
    flags = data[0];
    num = 1u << (data[1] % 9);
    desc = FUZZ_VQ_RAM_GPA + 4ull * (data[2] | data[3] << 8);
    avail = FUZZ_VQ_RAM_GPA + 4ull * (data[4] | data[5] << 8);
    used = FUZZ_VQ_RAM_GPA + 4ull * (data[6] | data[7] << 8);
    if (flags & FUZZ_VQ_F_RAW) {
        if (size < FUZZ_VQ_HDR + FUZZ_VQ_RAW)
            return 0;
        desc = le64(data + 8);
        avail = le64(data + 16);
        used = le64(data + 24);
        off += FUZZ_VQ_RAW;
    }
    ram = calloc(1, FUZZ_VQ_RAM_SIZE);
    if (!ram)
        return 0;
    memcpy(ram, data + off, size - off < FUZZ_VQ_RAM_SIZE ? size - off : FUZZ_VQ_RAM_SIZE);
    mem.host = ram;
    mem.gpa = FUZZ_VQ_RAM_GPA;
    mem.size = FUZZ_VQ_RAM_SIZE;
    mem.fd = -1;
    mem.has_fd = false;

    s = armz_vu_blk_stats_new();
    if (armz_vu_blk_stats_start(s, 0, &mem, num, desc, avail, used, flags & FUZZ_VQ_F_INDIR)) {
        for (unsigned round = 0; round < 4; round++) {
            /* (at least one new entry each: the seeds leave the tail 0) */
            bump(ram, avail, (uint8_t)(ram[FUZZ_VQ_RAM_SIZE - 8 + 2 * round] + 1));
            bump(ram, used, (uint8_t)(ram[FUZZ_VQ_RAM_SIZE - 7 + 2 * round] + round % 2));
            armz_vu_blk_stats_walk(s, 0);
        }
    }
    armz_vu_blk_stats_get(s, &st);
    armz_vu_blk_stats_free(s);
    free(ram);
    return 0;
}
