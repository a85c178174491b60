/* MMIO bus: dispatch, guest byte order, unmapped accesses. */
#include <glib.h>
#include <string.h>
#include "devices/mmio.h"

typedef struct {
    uint64_t last_off;
    unsigned last_size;
    uint64_t last_val;
    uint64_t read_val;
    int writes, reads;
} Dev;

static uint64_t
dev_read(void *opaque, uint64_t off, unsigned size)
{
    Dev *d = opaque;
    d->reads++;
    d->last_off = off;
    d->last_size = size;
    return d->read_val;
}

static void
dev_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    Dev *d = opaque;
    d->writes++;
    d->last_off = off;
    d->last_size = size;
    d->last_val = val;
}

static void
test_dispatch(void)
{
    ArmzMmioBus *bus = armz_mmio_bus_new();
    Dev a = { 0 }, b = { 0 };
    ArmzMmioRegion ra = { "a", 0x9000000, 0x1000, dev_read, dev_write, &a };
    ArmzMmioRegion rb = { "b", 0x8000000, 0x10000, dev_read, dev_write, &b };
    uint8_t data[8] = { 0x78, 0x56, 0x34, 0x12, 0, 0, 0, 0 };

    g_assert_true(armz_mmio_bus_add(bus, &ra, NULL));
    g_assert_true(armz_mmio_bus_add(bus, &rb, NULL));
    g_assert_true(armz_mmio_bus_find(bus, 0x9000fff) == armz_mmio_bus_find(bus, 0x9000000));
    g_assert_null(armz_mmio_bus_find(bus, 0x9001000));

    /* guest bytes are little-endian whatever the host: 0x12345678 */
    g_assert_true(armz_mmio_bus_access(bus, 0x9000044, data, 4, true));
    g_assert_cmpint(a.writes, ==, 1);
    g_assert_cmpuint(a.last_off, ==, 0x44);
    g_assert_cmpuint(a.last_size, ==, 4);
    g_assert_cmphex(a.last_val, ==, 0x12345678);
    g_assert_cmpint(b.writes, ==, 0);

    b.read_val = 0x1122334455667788ull;
    memset(data, 0xff, sizeof(data));
    g_assert_true(armz_mmio_bus_access(bus, 0x8000008, data, 8, false));
    g_assert_cmpuint(b.last_off, ==, 8);
    g_assert_cmphex(data[0], ==, 0x88);
    g_assert_cmphex(data[1], ==, 0x77);
    g_assert_cmphex(data[7], ==, 0x11);

    /* narrow read: only LEN bytes are produced */
    b.read_val = 0xabcd;
    memset(data, 0xee, sizeof(data));
    g_assert_true(armz_mmio_bus_access(bus, 0x8000010, data, 2, false));
    g_assert_cmphex(data[0], ==, 0xcd);
    g_assert_cmphex(data[1], ==, 0xab);
    g_assert_cmphex(data[2], ==, 0xee);
    armz_mmio_bus_free(bus);
}

static void
test_overlap(void)
{
    ArmzMmioBus *bus = armz_mmio_bus_new();
    ArmzMmioRegion r1 = { "r1", 0x1000, 0x1000, NULL, NULL, NULL };
    ArmzMmioRegion r2 = { "r2", 0x1800, 0x1000, NULL, NULL, NULL };
    ArmzMmioRegion r3 = { "r3", 0x0, 0x0, NULL, NULL, NULL };
    GError *err = NULL;

    g_assert_true(armz_mmio_bus_add(bus, &r1, NULL));
    g_assert_false(armz_mmio_bus_add(bus, &r2, &err));
    g_assert_nonnull(err);
    g_clear_error(&err);
    g_assert_false(armz_mmio_bus_add(bus, &r3, &err));
    g_clear_error(&err);
    armz_mmio_bus_free(bus);
}

static void
test_unmapped(void)
{
    ArmzMmioBus *bus = armz_mmio_bus_new();
    Dev a = { 0 };
    ArmzMmioRegion ra = { "a", 0x9000000, 0x1000, dev_read, dev_write, &a };
    uint8_t data[8];

    g_assert_true(armz_mmio_bus_add(bus, &ra, NULL));
    memset(data, 0xaa, sizeof(data));
    g_assert_false(armz_mmio_bus_access(bus, 0x12345678, data, 4, false));
    for (int i = 0; i < 4; i++)
        g_assert_cmphex(data[i], ==, 0);
    g_assert_false(armz_mmio_bus_access(bus, 0x12345678, data, 4, true));
    /* an access running past the end of a region is not dispatched */
    g_assert_false(armz_mmio_bus_access(bus, 0x9000ffe, data, 4, false));
    g_assert_cmpint(a.reads, ==, 0);
    g_assert_cmpuint(armz_mmio_bus_unmapped_count(bus), ==, 3);
    armz_mmio_bus_free(bus);
}

static void
test_le_helpers(void)
{
    uint8_t b[8];
    armz_u64_to_le_bytes(b, 8, 0x0102030405060708ull);
    g_assert_cmphex(b[0], ==, 0x08);
    g_assert_cmphex(b[7], ==, 0x01);
    g_assert_cmphex(armz_le_bytes_to_u64(b, 8), ==, 0x0102030405060708ull);
    g_assert_cmphex(armz_le_bytes_to_u64(b, 3), ==, 0x060708);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmm/mmio/dispatch", test_dispatch);
    g_test_add_func("/vmm/mmio/overlap", test_overlap);
    g_test_add_func("/vmm/mmio/unmapped-reads-zero", test_unmapped);
    g_test_add_func("/vmm/mmio/le-helpers", test_le_helpers);
    return g_test_run();
}
