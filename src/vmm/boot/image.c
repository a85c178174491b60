/* arm64 Image header parsing and guest RAM placement. */
#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include "boot/image.h"
#include "devices/mmio.h"
#include "vmmlog.h"

gboolean
armz_image_parse(const uint8_t *buf, size_t len, ArmzImageInfo *info, GError **error)
{
    uint32_t magic;

    if (len < ARMZ_IMAGE_HEADER_SIZE) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("kernel is too small to be an arm64 Image (%zu bytes)"), len);
        return FALSE;
    }
    /* header fields are little-endian whatever the host */
    magic = (uint32_t)armz_le_bytes_to_u64(buf + ARMZ_IMAGE_MAGIC_OFF, 4);
    if (magic != ARMZ_IMAGE_MAGIC) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("kernel is not an arm64 Image (no \"ARM\\x64\" magic at offset 0x38); "
                      "a compressed vmlinuz must be decompressed first"));
        return FALSE;
    }
    info->text_offset = armz_le_bytes_to_u64(buf + 8, 8);
    info->image_size = armz_le_bytes_to_u64(buf + 16, 8);
    info->flags = armz_le_bytes_to_u64(buf + 24, 8);
    if (info->image_size == 0) {
        /* kernels before 3.17: text_offset was 0x80000 and no size was given */
        info->text_offset = 0x80000;
        info->image_size = len;
    }
    if (info->flags & ARMZ_IMAGE_FLAG_BE) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("kernel is a big-endian arm64 Image; only little-endian guests are supported"));
        return FALSE;
    }
    if (info->text_offset >= ARMZ_IMAGE_ALIGN || info->text_offset % 4096) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("kernel Image has an invalid text_offset 0x%" PRIx64 ""),
                    (guint64)info->text_offset);
        return FALSE;
    }
    if (info->image_size < len || info->image_size > (1ull << 40)) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("kernel Image declares image_size 0x%" PRIx64
                      " but the file has %zu bytes"),
                    (guint64)info->image_size, len);
        return FALSE;
    }
    return TRUE;
}

gboolean
armz_boot_layout(uint64_t ram_base, uint64_t ram_size, const ArmzImageInfo *img,
                 uint64_t initrd_size, ArmzBootLayout *out, GError **error)
{
    uint64_t base = (ram_base + ARMZ_IMAGE_ALIGN - 1) & ~(ARMZ_IMAGE_ALIGN - 1);
    uint64_t ram_end = ram_base + ram_size;
    uint64_t low_free;

    out->kernel_addr = base + img->text_offset;
    out->kernel_end = out->kernel_addr + img->image_size;
    low_free = (out->kernel_end + ARMZ_IMAGE_ALIGN - 1) & ~(ARMZ_IMAGE_ALIGN - 1);
    out->dtb_addr = (ram_end - ARMZ_DTB_MAX) & ~(ARMZ_IMAGE_ALIGN - 1);
    if (ram_end < ARMZ_DTB_MAX || out->dtb_addr < low_free) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("guest memory (%" PRIu64 " MiB) is too small for the kernel"),
                    (guint64)(ram_size >> 20));
        return FALSE;
    }
    if (initrd_size) {
        out->initrd_end = out->dtb_addr;
        out->initrd_addr = (out->dtb_addr - initrd_size) & ~0xfffull;
        if (initrd_size > out->dtb_addr || out->initrd_addr < low_free) {
            g_set_error(error, ARMZ_VMM_ERROR, 0,
                        _("guest memory (%" PRIu64 " MiB) is too small for "
                          "the kernel and the initrd"),
                        (guint64)(ram_size >> 20));
            return FALSE;
        }
        out->initrd_end = out->initrd_addr + initrd_size;
    } else {
        out->initrd_addr = out->initrd_end = 0;
    }
    return TRUE;
}
