/* Input format of the virtio-scsi request fuzz target, shared with its
 * seed generator.  Multi-byte fields are little-endian.
 *   0      flags: bit 0 control queue (else request queue)
 *   1      cdb_size the driver set (clamped to 255)
 *   2      sense_size the driver set (clamped to 252)
 *   3      device-readable buffers (1..8, taken modulo 8, 0 -> 8)
 *   4      device-writable buffers (0..8, modulo 9)
 *   5..    one u16 length per buffer, readable ones first
 *   rest   the bytes of the readable buffers, in order (zero-filled) */
#pragma once
#include <stdint.h>

#define FUZZ_SCSI_HDR      5
#define FUZZ_SCSI_MAX_BUFS 8
#define FUZZ_SCSI_F_CTRL   1
