/* arm64 Linux Image loader (Documentation/arch/arm64/booting.rst). */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include <glib.h>

#define ARMZ_IMAGE_HEADER_SIZE  64
#define ARMZ_IMAGE_MAGIC_OFF    56
#define ARMZ_IMAGE_MAGIC        0x644d5241u     /* "ARM\x64", little-endian */
#define ARMZ_IMAGE_ALIGN        0x200000ull     /* 2 MiB */
#define ARMZ_DTB_MAX            0x200000ull

#define ARMZ_IMAGE_FLAG_BE        (1ull << 0)
#define ARMZ_IMAGE_FLAG_ANYWHERE  (1ull << 3)

typedef struct {
    uint64_t text_offset;   /* load offset from a 2 MiB aligned base */
    uint64_t image_size;    /* bytes the kernel occupies, BSS included */
    uint64_t flags;
} ArmzImageInfo;

/* Parses the 64-byte header of an Image of LEN bytes. */
gboolean armz_image_parse(const uint8_t *buf, size_t len, ArmzImageInfo *info,
                          GError **error);

typedef struct {
    uint64_t kernel_addr, kernel_end;   /* [addr, addr + image_size) */
    uint64_t initrd_addr, initrd_end;   /* 0, 0 without an initrd */
    uint64_t dtb_addr;
} ArmzBootLayout;

/* Places kernel, initrd and device tree in guest RAM [RAM_BASE, +RAM_SIZE):
 * the kernel at the first 2 MiB aligned base plus text_offset, the DTB in
 * the last 2 MiB, the initrd just below it. */
gboolean armz_boot_layout(uint64_t ram_base, uint64_t ram_size,
                          const ArmzImageInfo *img, uint64_t initrd_size,
                          ArmzBootLayout *out, GError **error);
