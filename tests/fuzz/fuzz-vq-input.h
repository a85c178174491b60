/* Input format of the virtqueue fuzz target, shared with its seed
 * generator.  All multi-byte fields are little-endian, like the guest's.
 *   0      flags: bit 0 EVENT_IDX, bit 1 INDIRECT_DESC, bit 2 raw ring
 *          addresses (24 bytes of 3 x u64 follow the header)
 *   1      log2 of the queue size (taken modulo 16: up to 32768)
 *   2..7   desc, avail, used offsets (u16 each, in units of 4 bytes from
 *          the start of guest RAM: up to 256 KiB, beyond the 64 KiB RAM)
 *   [8..31 raw desc, avail, used guest addresses when flags bit 2]
 *   rest   the initial contents of guest RAM (zero-filled) */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_VQ_RAM_GPA   0x40000000ULL
#define FUZZ_VQ_RAM_SIZE  0x10000u
#define FUZZ_VQ_HDR       8
#define FUZZ_VQ_RAW       24
#define FUZZ_VQ_F_EVENT   1
#define FUZZ_VQ_F_INDIR   2
#define FUZZ_VQ_F_RAW     4

static inline uint64_t
fuzz_vq_le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* Input DATA: its flags, queue size (1 << (byte 1 % LOG2_MOD)), ring
 * addresses (desc, avail, used) and guest RAM (FUZZ_VQ_RAM_SIZE bytes from
 * calloc, for the caller to free); NULL when it is too short. */
static inline uint8_t *
fuzz_vq_parse(const uint8_t *data, size_t size, unsigned log2_mod, uint8_t *flags,
              unsigned *num, uint64_t ring[3])
{
    size_t off = FUZZ_VQ_HDR;
    uint8_t *ram;

    if (size < FUZZ_VQ_HDR)
        return NULL;
    *flags = data[0];
    *num = 1u << (data[1] % log2_mod);
    for (unsigned i = 0; i < 3; i++)
        ring[i] = FUZZ_VQ_RAM_GPA + 4ull * (data[2 + 2 * i] | data[3 + 2 * i] << 8);
    if (*flags & FUZZ_VQ_F_RAW) {
        if (size < FUZZ_VQ_HDR + FUZZ_VQ_RAW)
            return NULL;
        for (unsigned i = 0; i < 3; i++)
            ring[i] = fuzz_vq_le64(data + 8 + 8 * i);
        off += FUZZ_VQ_RAW;
    }
    ram = calloc(1, FUZZ_VQ_RAM_SIZE);
    if (ram)
        memcpy(ram, data + off, size - off < FUZZ_VQ_RAM_SIZE ? size - off : FUZZ_VQ_RAM_SIZE);
    return ram;
}
