/* fw_cfg over MMIO with DMA: register values are built from the bytes the
 * guest stores (big-endian selector, DMA address and descriptors), so the
 * test means the same on a big-endian host (s390x, tier 20). */
#include <string.h>
#include <glib.h>
#include "devices/fw_cfg.h"
#include "devices/mmio.h"

#define RAM_GPA 0x40000000ULL
#define RAM_SIZE 0x10000

static uint8_t ram[RAM_SIZE];

/* what the bus hands the device for a guest store of BYTES */
static uint64_t
bus_value(const uint8_t *bytes, unsigned n)
{
    return armz_le_bytes_to_u64(bytes, n);
}

static void
select_key(ArmzFwCfg *s, uint16_t key)
{
    uint8_t b[2];
    armz_put_be16(b, key);
    armz_fw_cfg_write(s, 8, 2, bus_value(b, 2));
}

/* reads N bytes from the data register one access of SIZE at a time, as
 * the guest sees them in memory */
static void
read_data(ArmzFwCfg *s, uint8_t *out, unsigned n, unsigned size)
{
    for (unsigned i = 0; i < n; i += size)
        armz_u64_to_le_bytes(out + i, size, armz_fw_cfg_read(s, 0, size));
}

/* writes a descriptor at RAM offset DESC and starts it with two 32-bit
 * big-endian stores (high half, then low), as Linux does; returns the
 * control word the device left */
static uint32_t
dma(ArmzFwCfg *s, unsigned desc, uint32_t control, uint32_t len, uint64_t addr)
{
    uint8_t a[8];
    armz_put_be32(ram + desc, control);
    armz_put_be32(ram + desc + 4, len);
    armz_put_be64(ram + desc + 8, addr);
    armz_put_be64(a, RAM_GPA + desc);
    armz_fw_cfg_write(s, 16, 4, bus_value(a, 4));
    armz_fw_cfg_write(s, 20, 4, bus_value(a + 4, 4));
    return (uint32_t)armz_get_be(ram + desc, 4);
}

static ArmzFwCfg *
new_dev(void)
{
    ArmzGuestMem mem = { ram, RAM_GPA, RAM_SIZE };
    memset(ram, 0, sizeof(ram));
    return armz_fw_cfg_new(&mem);
}

static void
test_registers(void)
{
    ArmzFwCfg *s = new_dev();
    uint8_t buf[16];

    select_key(s, ARMZ_FW_CFG_SIGNATURE);
    read_data(s, buf, 4, 1);
    g_assert_cmpmem(buf, 4, "QEMU", 4);
    select_key(s, ARMZ_FW_CFG_SIGNATURE);
    read_data(s, buf, 4, 4);                  /* wide reads keep the byte order */
    g_assert_cmpmem(buf, 4, "QEMU", 4);
    select_key(s, ARMZ_FW_CFG_ID);
    read_data(s, buf, 4, 4);
    g_assert_cmpuint(armz_le_bytes_to_u64(buf, 4), ==,
                     ARMZ_FW_CFG_VERSION | ARMZ_FW_CFG_VERSION_DMA);
    /* the DMA address register reads "QEMU CFG" */
    armz_u64_to_le_bytes(buf, 8, armz_fw_cfg_read(s, 16, 8));
    g_assert_cmpmem(buf, 8, "QEMU CFG", 8);

    armz_fw_cfg_add_u64(s, ARMZ_FW_CFG_RAM_SIZE, 0x1122334455667788ULL);
    select_key(s, ARMZ_FW_CFG_RAM_SIZE);
    read_data(s, buf, 8, 8);
    g_assert_cmphex(armz_le_bytes_to_u64(buf, 8), ==, 0x1122334455667788ULL);   /* LE item */
    read_data(s, buf, 4, 4);                  /* past the end: zeros */
    g_assert_cmphex(armz_le_bytes_to_u64(buf, 4), ==, 0);
    select_key(s, 0x1234);                    /* no such item */
    read_data(s, buf, 4, 4);
    g_assert_cmphex(armz_le_bytes_to_u64(buf, 4), ==, 0);
    armz_fw_cfg_free(s);
}

static void
test_dir_and_dma(void)
{
    ArmzFwCfg *s = new_dev();
    const char *bo = "/virtio-mmio@000000000a000000\n";
    uint8_t *dir = ram + 0x1000;
    uint16_t key_b = 0;

    g_assert_true(armz_fw_cfg_add_file(s, "etc/b", g_bytes_new("bbbb", 4), false));
    g_assert_true(armz_fw_cfg_add_file(s, "bootorder", g_bytes_new(bo, strlen(bo) + 1), false));
    g_assert_true(armz_fw_cfg_add_file(s, "etc/a", g_bytes_new("a", 1), false));
    g_assert_false(armz_fw_cfg_add_file(s, "etc/a", g_bytes_new("x", 1), false));

    /* the directory by DMA: select + read in one descriptor */
    g_assert_cmphex(dma(s, 0, (uint32_t)ARMZ_FW_CFG_FILE_DIR << 16 | ARMZ_FW_CFG_DMA_SELECT |
                        ARMZ_FW_CFG_DMA_READ, 4 + 3 * 64, RAM_GPA + 0x1000), ==, 0);
    g_assert_cmpuint(armz_get_be(dir, 4), ==, 3);
    /* sorted by name, big-endian size and key */
    g_assert_cmpstr((char *)dir + 4 + 8, ==, "bootorder");
    g_assert_cmpuint(armz_get_be(dir + 4, 4), ==, strlen(bo) + 1);
    g_assert_cmpuint(armz_get_be(dir + 4 + 4, 2), ==, 0x20);
    g_assert_cmpstr((char *)dir + 4 + 64 + 8, ==, "etc/a");
    g_assert_cmpstr((char *)dir + 4 + 128 + 8, ==, "etc/b");
    key_b = (uint16_t)armz_get_be(dir + 4 + 128 + 4, 2);
    g_assert_cmpuint(key_b, ==, 0x22);

    /* select etc/b, skip 1, read 5 (one past the end: zero) */
    memset(ram + 0x2000, 0xee, 8);
    g_assert_cmphex(dma(s, 0, (uint32_t)key_b << 16 | ARMZ_FW_CFG_DMA_SELECT |
                        ARMZ_FW_CFG_DMA_SKIP, 1, 0), ==, 0);
    g_assert_cmphex(dma(s, 0, ARMZ_FW_CFG_DMA_READ, 5, RAM_GPA + 0x2000), ==, 0);
    g_assert_cmpmem(ram + 0x2000, 6, "bbb\0\0\xee", 6);

    /* a buffer outside RAM is an error */
    g_assert_cmphex(dma(s, 0, ARMZ_FW_CFG_DMA_READ, 4, 0x1000), ==, ARMZ_FW_CFG_DMA_ERROR);
    /* writing a read-only file is an error */
    g_assert_cmphex(dma(s, 0, (uint32_t)key_b << 16 | ARMZ_FW_CFG_DMA_SELECT |
                        ARMZ_FW_CFG_DMA_WRITE, 1, RAM_GPA + 0x2000), ==, ARMZ_FW_CFG_DMA_ERROR);
    armz_fw_cfg_free(s);
}

static void
test_writable(void)
{
    ArmzFwCfg *s = new_dev();
    uint8_t info[24] = { 1, 0 };
    g_autoptr(GBytes) now = NULL;
    const uint8_t *p;
    uint8_t a[8];

    g_assert_true(armz_fw_cfg_add_file(s, "etc/vmcoreinfo", g_bytes_new(info, 24), true));
    /* the guest writes its note (format 1, size, address), one 64-bit
     * big-endian store of the descriptor address */
    memcpy(ram + 0x3000, "\x01\x00\x01\x00\x00\x10\x00\x00\x00\x00\x00\x41\x00\x00\x00\x00", 16);
    armz_put_be32(ram + 0x100, (uint32_t)0x20 << 16 | ARMZ_FW_CFG_DMA_SELECT |
                  ARMZ_FW_CFG_DMA_WRITE);
    armz_put_be32(ram + 0x104, 16);
    armz_put_be64(ram + 0x108, RAM_GPA + 0x3000);
    armz_put_be64(a, RAM_GPA + 0x100);
    armz_fw_cfg_write(s, 16, 8, bus_value(a, 8));
    g_assert_cmphex(armz_get_be(ram + 0x100, 4), ==, 0);
    now = armz_fw_cfg_get_file(s, "etc/vmcoreinfo");
    p = g_bytes_get_data(now, NULL);
    g_assert_cmpmem(p, 16, ram + 0x3000, 16);
    /* too long for the file: error, nothing written past it */
    g_assert_cmphex(dma(s, 0, ARMZ_FW_CFG_DMA_WRITE, 16, RAM_GPA + 0x3000), ==,
                    ARMZ_FW_CFG_DMA_ERROR);
    armz_fw_cfg_free(s);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmm/fw-cfg/registers", test_registers);
    g_test_add_func("/vmm/fw-cfg/dir-and-dma", test_dir_and_dma);
    g_test_add_func("/vmm/fw-cfg/writable", test_writable);
    return g_test_run();
}
