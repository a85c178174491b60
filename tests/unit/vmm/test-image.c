/* arm64 Image header parsing and boot placement, on synthetic images. */
#include <glib.h>
#include <string.h>
#include "boot/image.h"
#include "devices/mmio.h"

/* a synthetic Image: fields stored little-endian, whatever the host */
static uint8_t *
make_image(size_t len, uint64_t text_offset, uint64_t image_size, uint64_t flags,
           uint32_t magic)
{
    uint8_t *b = g_malloc0(len);
    armz_u64_to_le_bytes(b + 8, 8, text_offset);
    armz_u64_to_le_bytes(b + 16, 8, image_size);
    armz_u64_to_le_bytes(b + 24, 8, flags);
    if (len >= 60)
        armz_u64_to_le_bytes(b + 56, 4, magic);
    return b;
}

static void
test_valid(void)
{
    g_autofree uint8_t *img = make_image(4096, 0, 0x2000000, 0xa, ARMZ_IMAGE_MAGIC);
    ArmzImageInfo info;
    GError *err = NULL;

    /* the magic is the bytes "ARM\x64" at 0x38 */
    g_assert_cmpmem(img + 56, 4, "ARM\x64", 4);
    g_assert_true(armz_image_parse(img, 4096, &info, &err));
    g_assert_no_error(err);
    g_assert_cmphex(info.text_offset, ==, 0);
    g_assert_cmphex(info.image_size, ==, 0x2000000);
    g_assert_cmphex(info.flags, ==, 0xa);
}

static void
test_legacy(void)
{
    /* image_size 0: a kernel older than 3.17, text_offset 0x80000 implied */
    g_autofree uint8_t *img = make_image(8192, 0x1234, 0, 0, ARMZ_IMAGE_MAGIC);
    ArmzImageInfo info;
    g_assert_true(armz_image_parse(img, 8192, &info, NULL));
    g_assert_cmphex(info.text_offset, ==, 0x80000);
    g_assert_cmpuint(info.image_size, ==, 8192);
}

static void
expect_bad(uint8_t *img, size_t len, const char *what)
{
    ArmzImageInfo info;
    GError *err = NULL;
    g_assert_false(armz_image_parse(img, len, &info, &err));
    g_assert_nonnull(err);
    if (g_test_verbose())
        g_printerr("%s: %s\n", what, err->message);
    g_error_free(err);
}

static void
test_bad(void)
{
    g_autofree uint8_t *magic = make_image(4096, 0, 0x10000, 0, 0x64415241);  /* swapped */
    g_autofree uint8_t *small = make_image(32, 0, 0x10000, 0, 0);
    g_autofree uint8_t *be = make_image(4096, 0, 0x10000, ARMZ_IMAGE_FLAG_BE, ARMZ_IMAGE_MAGIC);
    g_autofree uint8_t *size = make_image(4096, 0, 100, 0, ARMZ_IMAGE_MAGIC);
    g_autofree uint8_t *toff = make_image(4096, 0x80001, 0x10000, 0, ARMZ_IMAGE_MAGIC);
    g_autofree uint8_t *toff2 = make_image(4096, 0x200000, 0x10000, 0, ARMZ_IMAGE_MAGIC);

    expect_bad(magic, 4096, "bad magic");
    expect_bad(small, 32, "too small");
    expect_bad(be, 4096, "big-endian kernel");
    expect_bad(size, 4096, "image_size below file size");
    expect_bad(toff, 4096, "unaligned text_offset");
    expect_bad(toff2, 4096, "text_offset past 2 MiB");
}

static void
test_layout(void)
{
    ArmzImageInfo info = { 0x80000, 0x3000000, 0 };
    ArmzBootLayout l;
    const uint64_t base = 0x40000000, size = 256ull << 20;

    g_assert_true(armz_boot_layout(base, size, &info, 3 * 1024 * 1024 + 5, &l, NULL));
    g_assert_cmphex(l.kernel_addr, ==, base + 0x80000);
    g_assert_cmphex(l.kernel_end, ==, base + 0x80000 + 0x3000000);
    g_assert_cmphex(l.dtb_addr, ==, base + size - 0x200000);
    g_assert_cmphex(l.dtb_addr % 0x200000, ==, 0);
    g_assert_cmphex(l.initrd_addr % 4096, ==, 0);
    g_assert_cmpuint(l.initrd_end - l.initrd_addr, ==, 3 * 1024 * 1024 + 5);
    g_assert_true(l.initrd_end <= l.dtb_addr);
    g_assert_true(l.initrd_addr >= l.kernel_end);

    /* without an initrd */
    g_assert_true(armz_boot_layout(base, size, &info, 0, &l, NULL));
    g_assert_cmpuint(l.initrd_addr, ==, 0);
    g_assert_cmpuint(l.initrd_end, ==, 0);

    /* RAM too small for kernel + initrd + DTB */
    GError *err = NULL;
    g_assert_false(armz_boot_layout(base, 64ull << 20, &info, 40ull << 20, &l, &err));
    g_assert_nonnull(err);
    g_clear_error(&err);
    g_assert_false(armz_boot_layout(base, 16ull << 20, &info, 0, &l, &err));
    g_clear_error(&err);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmm/image/valid", test_valid);
    g_test_add_func("/vmm/image/legacy-header", test_legacy);
    g_test_add_func("/vmm/image/rejects-bad-images", test_bad);
    g_test_add_func("/vmm/image/layout", test_layout);
    return g_test_run();
}
