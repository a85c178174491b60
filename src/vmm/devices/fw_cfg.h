/* QEMU's firmware configuration device (fw_cfg), MMIO form with DMA, as on
 * "virt" (docs/specs/fw_cfg.rst of QEMU): data register at +0, selector at
 * +8 (16 bits, big-endian), DMA address at +16 (64 bits, big-endian).  Items
 * are byte strings chosen by a 16-bit key; named "files" from key 0x20 are
 * listed in the directory item (big-endian fields).  Numeric items are
 * little-endian, as the specification says. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "virtio/virtqueue.h"

#define ARMZ_FW_CFG_SIZE            0x18

#define ARMZ_FW_CFG_SIGNATURE       0x00
#define ARMZ_FW_CFG_ID              0x01
#define ARMZ_FW_CFG_UUID            0x02
#define ARMZ_FW_CFG_RAM_SIZE        0x03
#define ARMZ_FW_CFG_NOGRAPHIC       0x04
#define ARMZ_FW_CFG_NB_CPUS         0x05
#define ARMZ_FW_CFG_KERNEL_SIZE     0x08
#define ARMZ_FW_CFG_INITRD_SIZE     0x0b
#define ARMZ_FW_CFG_BOOT_MENU       0x0e
#define ARMZ_FW_CFG_MAX_CPUS        0x0f
#define ARMZ_FW_CFG_KERNEL_DATA     0x11
#define ARMZ_FW_CFG_INITRD_DATA     0x12
#define ARMZ_FW_CFG_CMDLINE_SIZE    0x14
#define ARMZ_FW_CFG_CMDLINE_DATA    0x15
#define ARMZ_FW_CFG_SETUP_SIZE      0x17
#define ARMZ_FW_CFG_FILE_DIR        0x19
#define ARMZ_FW_CFG_FILE_FIRST      0x20
#define ARMZ_FW_CFG_MAX_FILES       256
#define ARMZ_FW_CFG_FILE_NAME       56

/* FW_CFG_ID bits */
#define ARMZ_FW_CFG_VERSION         0x01
#define ARMZ_FW_CFG_VERSION_DMA     0x02

/* DMA control bits */
#define ARMZ_FW_CFG_DMA_ERROR       0x01
#define ARMZ_FW_CFG_DMA_READ        0x02
#define ARMZ_FW_CFG_DMA_SKIP        0x04
#define ARMZ_FW_CFG_DMA_SELECT      0x08
#define ARMZ_FW_CFG_DMA_WRITE       0x10

/* "QEMU CFG", what the DMA address register reads as */
#define ARMZ_FW_CFG_DMA_SIGNATURE   0x51454d5520434647ULL

typedef struct _ArmzFwCfg ArmzFwCfg;

/* MEM: guest RAM, where DMA descriptors and buffers live. */
ArmzFwCfg *armz_fw_cfg_new(const ArmzGuestMem *mem);
void armz_fw_cfg_free(ArmzFwCfg *s);
/* Selector and offsets back to 0 (machine reset); items stay. */
void armz_fw_cfg_reset(ArmzFwCfg *s);

/* Item KEY (below 0x20) holds DATA (taken). */
void armz_fw_cfg_add(ArmzFwCfg *s, uint16_t key, GBytes *data);
void armz_fw_cfg_add_u16(ArmzFwCfg *s, uint16_t key, uint16_t v);
void armz_fw_cfg_add_u32(ArmzFwCfg *s, uint16_t key, uint32_t v);
void armz_fw_cfg_add_u64(ArmzFwCfg *s, uint16_t key, uint64_t v);
/* The file NAME holds DATA (taken); WRITABLE: the guest may write it by
 * DMA (etc/vmcoreinfo).  Files are kept sorted by name, as QEMU lists them;
 * FALSE when the name is too long, taken, or there are too many. */
bool armz_fw_cfg_add_file(ArmzFwCfg *s, const char *name, GBytes *data, bool writable);
/* Current contents of the file NAME (NULL: none), e.g. what the guest wrote. */
GBytes *armz_fw_cfg_get_file(ArmzFwCfg *s, const char *name);

/* ArmzMmioReadFn / ArmzMmioWriteFn (OPAQUE: the device) */
uint64_t armz_fw_cfg_read(void *opaque, uint64_t offset, unsigned size);
void armz_fw_cfg_write(void *opaque, uint64_t offset, unsigned size, uint64_t value);

/* big-endian fields in guest byte order, independent of host order */
static inline void
armz_put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void
armz_put_be32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static inline void
armz_put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static inline uint64_t
armz_get_be(const uint8_t *p, unsigned len)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < len; i++)
        v = v << 8 | p[i];
    return v;
}
