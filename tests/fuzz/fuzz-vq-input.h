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
#include <stdint.h>

#define FUZZ_VQ_RAM_GPA   0x40000000ULL
#define FUZZ_VQ_RAM_SIZE  0x10000u
#define FUZZ_VQ_HDR       8
#define FUZZ_VQ_RAW       24
#define FUZZ_VQ_F_EVENT   1
#define FUZZ_VQ_F_INDIR   2
#define FUZZ_VQ_F_RAW     4
