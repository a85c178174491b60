/* CFI flash (Intel command set) as EDK2's NorFlash driver and Linux's CFI
 * probe drive it: 32-bit accesses, each command for both 16-bit chips. */
#include <string.h>
#include <glib.h>
#include "devices/cfi_flash.h"

#define SIZE (4 * ARMZ_FLASH_SECTOR_SIZE)
#define DUAL(c) ((uint32_t)(c) << 16 | (uint32_t)(c))

typedef struct {
    uint8_t *mem;
    ArmzCfiFlash *f;
    int romd_calls;
    bool romd;
    uint64_t persisted_off, persisted_len;
    int persists;
} Fx;

static void
on_romd(void *opaque, bool on)
{
    Fx *x = opaque;
    x->romd_calls++;
    x->romd = on;
}

static void
on_persist(void *opaque, uint64_t off, uint64_t len)
{
    Fx *x = opaque;
    x->persists++;
    x->persisted_off = off;
    x->persisted_len = len;
}

static void
fx_init(Fx *x, bool readonly)
{
    ArmzCfiFlashConfig cfg = { "test", NULL, SIZE, readonly, on_romd, on_persist, x };
    memset(x, 0, sizeof(*x));
    x->mem = g_malloc(SIZE);
    memset(x->mem, 0xff, SIZE);
    for (unsigned i = 0; i < 16; i++)
        x->mem[i] = (uint8_t)i;
    cfg.storage = x->mem;
    x->f = armz_cfi_flash_new(&cfg);
    x->romd = true;
}

static void
fx_clear(Fx *x)
{
    armz_cfi_flash_free(x->f);
    g_free(x->mem);
}

static uint32_t
rd(Fx *x, uint64_t off)
{
    return (uint32_t)armz_cfi_flash_read(x->f, off, 4);
}

static void
wr(Fx *x, uint64_t off, uint32_t v)
{
    armz_cfi_flash_write(x->f, off, 4, v);
}

static void
test_read_array(void)
{
    Fx x;
    fx_init(&x, false);
    g_assert_true(armz_cfi_flash_in_romd(x.f));
    g_assert_cmphex(rd(&x, 0), ==, 0x03020100);
    g_assert_cmphex(armz_cfi_flash_read(x.f, 8, 8), ==, 0x0f0e0d0c0b0a0908ULL);
    fx_clear(&x);
}

static void
test_query(void)
{
    Fx x;
    fx_init(&x, true);      /* queries work on the read-only bank too */
    wr(&x, 0x55 * 4, DUAL(0x98));
    g_assert_false(x.romd);
    g_assert_false(armz_cfi_flash_in_romd(x.f));
    /* each chip answers in its half of the bank */
    g_assert_cmphex(rd(&x, 0x10 * 4), ==, DUAL('Q'));
    g_assert_cmphex(rd(&x, 0x11 * 4), ==, DUAL('R'));
    g_assert_cmphex(rd(&x, 0x12 * 4), ==, DUAL('Y'));
    g_assert_cmphex(rd(&x, 0x13 * 4), ==, DUAL(0x01));     /* Intel command set */
    /* per chip: 4 sectors of 128 KiB = 512 KiB = 2^19 */
    g_assert_cmphex(rd(&x, 0x27 * 4), ==, DUAL(19));
    g_assert_cmphex(rd(&x, 0x2c * 4), ==, DUAL(1));
    g_assert_cmphex(rd(&x, 0x2d * 4), ==, DUAL(3));        /* blocks - 1 */
    g_assert_cmphex(rd(&x, 0x2f * 4), ==, DUAL(0x00));     /* 128 KiB / 256 */
    g_assert_cmphex(rd(&x, 0x30 * 4), ==, DUAL(0x02));
    g_assert_cmphex(rd(&x, 0x31 * 4), ==, DUAL('P'));
    g_assert_cmphex(rd(&x, 0x1000 * 4), ==, 0);
    /* a 16-bit read sees one chip */
    g_assert_cmphex(armz_cfi_flash_read(x.f, 0x10 * 4, 2), ==, 'Q');
    wr(&x, 0, DUAL(0xff));
    g_assert_true(x.romd);
    g_assert_cmphex(rd(&x, 0), ==, 0x03020100);
    fx_clear(&x);
}

static void
test_read_id(void)
{
    Fx x;
    fx_init(&x, false);
    wr(&x, 0, DUAL(0x90));
    g_assert_cmphex(rd(&x, 0), ==, DUAL(0x89));
    g_assert_cmphex(rd(&x, 4), ==, DUAL(0x18));
    g_assert_cmphex(rd(&x, 8), ==, 0);            /* block unlocked */
    wr(&x, 0, DUAL(0xff));
    fx_clear(&x);
}

static void
test_erase_program(void)
{
    Fx x;
    uint64_t blk = ARMZ_FLASH_SECTOR_SIZE;
    fx_init(&x, false);
    memset(x.mem + blk, 0x5a, blk);
    x.mem[2 * blk] = 0x77;

    /* unlock (no locking modelled), erase block 1 */
    wr(&x, blk, DUAL(0x60));
    wr(&x, blk, DUAL(0xd0));
    wr(&x, blk + 0x100, DUAL(0x20));
    g_assert_false(x.romd);
    wr(&x, blk + 0x100, DUAL(0xd0));
    g_assert_cmphex(rd(&x, blk), ==, DUAL(0x80));        /* ready, no error */
    g_assert_cmphex(x.mem[blk], ==, 0xff);
    g_assert_cmphex(x.mem[2 * blk - 1], ==, 0xff);
    g_assert_cmphex(x.mem[2 * blk], ==, 0x77);            /* next block untouched */
    g_assert_cmpint(x.persists, ==, 1);
    g_assert_cmphex(x.persisted_off, ==, blk);
    g_assert_cmphex(x.persisted_len, ==, blk);

    /* word program */
    wr(&x, blk + 8, DUAL(0x40));
    wr(&x, blk + 8, 0x12345678);
    g_assert_cmphex(rd(&x, 0), ==, DUAL(0x80));
    wr(&x, 0, DUAL(0x70));
    g_assert_cmphex(rd(&x, 0), ==, DUAL(0x80));
    wr(&x, 0, DUAL(0xff));
    g_assert_true(x.romd);
    g_assert_cmphex(rd(&x, blk + 8), ==, 0x12345678);
    g_assert_cmpint(x.persists, ==, 2);
    fx_clear(&x);
}

static void
test_buffered(void)
{
    Fx x;
    uint64_t at = ARMZ_FLASH_SECTOR_SIZE + 0x80;
    fx_init(&x, false);

    wr(&x, at, DUAL(0xe8));
    g_assert_cmphex(rd(&x, at) & DUAL(0x80), ==, DUAL(0x80));   /* buffer free */
    wr(&x, at, DUAL(31));                                       /* 32 words */
    for (unsigned i = 0; i < 32; i++)
        wr(&x, at + 4 * i, 0xa0000000u + i);
    g_assert_cmpint(x.persists, ==, 0);                         /* not before confirm */
    wr(&x, 0, DUAL(0xd0));
    g_assert_cmpint(x.persists, ==, 1);
    g_assert_cmphex(x.persisted_off, ==, at);
    g_assert_cmphex(x.persisted_len, ==, 128);
    g_assert_cmphex(rd(&x, at), ==, DUAL(0x80));
    wr(&x, 0, DUAL(0xff));
    g_assert_cmphex(rd(&x, at), ==, 0xa0000000u);
    g_assert_cmphex(rd(&x, at + 124), ==, 0xa000001fu);
    g_assert_cmphex(rd(&x, at + 128), ==, 0xffffffffu);

    /* a count larger than the write buffer is refused: error status */
    wr(&x, at, DUAL(0xe8));
    wr(&x, at, DUAL(0x7ff));
    g_assert_true(x.romd);
    wr(&x, 0, DUAL(0x70));
    g_assert_cmphex(rd(&x, 0) & DUAL(0x30), !=, 0);
    wr(&x, 0, DUAL(0x50));                                      /* clear status */
    wr(&x, 0, DUAL(0x70));
    g_assert_cmphex(rd(&x, 0), ==, 0);
    fx_clear(&x);
}

static void
test_readonly(void)
{
    Fx x;
    fx_init(&x, true);
    wr(&x, 0, DUAL(0x20));
    wr(&x, 0, DUAL(0xd0));
    g_assert_cmphex(rd(&x, 0), ==, DUAL(0x80 | 0x20));        /* erase error */
    wr(&x, 0, DUAL(0x50));
    wr(&x, 4, DUAL(0x40));
    wr(&x, 4, 0);
    g_assert_cmphex(rd(&x, 0), ==, DUAL(0x80 | 0x10));        /* program error */
    wr(&x, 0, DUAL(0xff));
    g_assert_cmphex(rd(&x, 0), ==, 0x03020100);
    g_assert_cmphex(rd(&x, 4), ==, 0x07060504);
    g_assert_cmpint(x.persists, ==, 0);

    /* reset: back to read array */
    wr(&x, 0, DUAL(0x98));
    g_assert_false(x.romd);
    armz_cfi_flash_reset(x.f);
    g_assert_true(x.romd);
    g_assert_cmphex(rd(&x, 0), ==, 0x03020100);
    fx_clear(&x);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmm/cfi-flash/read-array", test_read_array);
    g_test_add_func("/vmm/cfi-flash/query", test_query);
    g_test_add_func("/vmm/cfi-flash/read-id", test_read_id);
    g_test_add_func("/vmm/cfi-flash/erase-program", test_erase_program);
    g_test_add_func("/vmm/cfi-flash/buffered", test_buffered);
    g_test_add_func("/vmm/cfi-flash/readonly", test_readonly);
    return g_test_run();
}
