/* ACPI tables through the table-loader, run here as the firmware runs it:
 * allocate the files at made-up addresses, patch the pointers, compute the
 * checksums; then every table must check out and point where it should. */
#include <string.h>
#include <glib.h>
#include "boot/acpi.h"
#include "boot/acpi_aml.h"
#include "devices/mmio.h"
#include "layout.h"

#define RSDP_ADDR   0x7ff00000ULL
#define TABLES_ADDR 0x7fe00000ULL

typedef struct {
    uint8_t *rsdp, *tables;
    gsize rsdp_len, tables_len;
} Mem;

static uint64_t
rd(const uint8_t *p, unsigned n)
{
    return armz_le_bytes_to_u64(p, n);
}

static uint8_t *
file(Mem *m, const uint8_t *name, gsize *len, uint64_t *addr)
{
    if (g_str_equal((const char *)name, ARMZ_ACPI_RSDP_FILE)) {
        *len = m->rsdp_len;
        *addr = RSDP_ADDR;
        return m->rsdp;
    }
    g_assert_cmpstr((const char *)name, ==, ARMZ_ACPI_TABLES_FILE);
    *len = m->tables_len;
    *addr = TABLES_ADDR;
    return m->tables;
}

static uint8_t
sum(const uint8_t *p, gsize n)
{
    uint8_t s = 0;
    for (gsize i = 0; i < n; i++)
        s += p[i];
    return s;
}

static void
run_loader(Mem *m, GBytes *loader)
{
    gsize len;
    const uint8_t *l = g_bytes_get_data(loader, &len);
    unsigned allocs = 0;

    g_assert_cmpuint(len % ARMZ_ACPI_LOADER_ENTRY, ==, 0);
    for (gsize off = 0; off < len; off += ARMZ_ACPI_LOADER_ENTRY) {
        const uint8_t *e = l + off;
        gsize flen, slen;
        uint64_t faddr, saddr;
        uint8_t *f;

        switch (rd(e, 4)) {
        case ARMZ_ACPI_LOADER_ALLOCATE:
            file(m, e + 4, &flen, &faddr);
            g_assert_cmpuint(faddr % rd(e + 60, 4), ==, 0);
            allocs++;
            break;
        case ARMZ_ACPI_LOADER_ADD_POINTER: {
            unsigned size = e[120];
            uint32_t at = (uint32_t)rd(e + 116, 4);
            g_assert_cmpuint(allocs, ==, 2);
            f = file(m, e + 4, &flen, &faddr);
            file(m, e + 60, &slen, &saddr);
            g_assert_cmpuint(at + size, <=, flen);
            g_assert_cmpuint(rd(f + at, size), <, slen);
            armz_u64_to_le_bytes(f + at, size, rd(f + at, size) + saddr);
            break;
        }
        case ARMZ_ACPI_LOADER_ADD_CHECKSUM: {
            uint32_t res = (uint32_t)rd(e + 60, 4), start = (uint32_t)rd(e + 64, 4);
            uint32_t n = (uint32_t)rd(e + 68, 4);
            f = file(m, e + 4, &flen, &faddr);
            g_assert_cmpuint(start + n, <=, flen);
            g_assert_cmpuint(res, >=, start);
            g_assert_cmpuint(res, <, start + n);
            /* as EDK2: the byte makes the range sum to 0, counting its
             * current value (the builder must leave it 0) */
            f[res] = (uint8_t)(f[res] - sum(f + start, n));
            break;
        }
        default:
            g_assert_not_reached();
        }
    }
}

static const uint8_t *
table_at(Mem *m, uint64_t addr, const char *sig)
{
    const uint8_t *t;
    g_assert_cmphex(addr, >=, TABLES_ADDR);
    g_assert_cmphex(addr, <, TABLES_ADDR + m->tables_len);
    t = m->tables + (addr - TABLES_ADDR);
    g_assert_cmpmem(t, 4, sig, 4);
    g_assert_cmpuint(sum(t, rd(t + 4, 4)), ==, 0);
    return t;
}

static gboolean
contains(const uint8_t *p, gsize n, const char *s)
{
    return memmem(p, n, s, strlen(s)) != NULL;
}

static void
check(ArmzGicVersion gic)
{
    uint64_t mpidr[3] = { 0, 1, 2 };
    ArmzAcpiConfig cfg = { 3, mpidr, gic, 2 };
    ArmzAcpiBlobs b = { NULL, NULL, NULL };
    Mem m;
    const uint8_t *xsdt, *fadt = NULL, *madt = NULL, *dsdt, *p, *end;
    unsigned n, gicc = 0, gicd = 0, gicr = 0;
    const char *want[4] = { "FACP", "APIC", "GTDT", "SPCR" };

    armz_acpi_build(&cfg, &b);
    m.rsdp = g_memdup2(g_bytes_get_data(b.rsdp, &m.rsdp_len), g_bytes_get_size(b.rsdp));
    m.tables = g_memdup2(g_bytes_get_data(b.tables, &m.tables_len), g_bytes_get_size(b.tables));
    run_loader(&m, b.loader);

    g_assert_cmpuint(m.rsdp_len, ==, 36);
    g_assert_cmpmem(m.rsdp, 8, "RSD PTR ", 8);
    g_assert_cmpuint(sum(m.rsdp, 20), ==, 0);
    g_assert_cmpuint(sum(m.rsdp, 36), ==, 0);
    xsdt = table_at(&m, rd(m.rsdp + 24, 8), "XSDT");
    n = (unsigned)(rd(xsdt + 4, 4) - 36) / 8;
    g_assert_cmpuint(n, ==, 4);
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *t = table_at(&m, rd(xsdt + 36 + 8 * i, 8), want[i]);
        if (i == 0)
            fadt = t;
        else if (i == 1)
            madt = t;
    }
    /* FADT: hardware-reduced, PSCI over HVC, X_DSDT patched */
    g_assert_cmphex(rd(fadt + 112, 4) & (1u << 20), !=, 0);
    g_assert_cmphex(rd(fadt + 129, 2), ==, 3);
    g_assert_cmpuint(fadt[8], ==, 6);
    dsdt = table_at(&m, rd(fadt + 140, 8), "DSDT");
    /* DSDT: one Scope(\_SB) package spanning the AML */
    g_assert_cmphex(dsdt[36], ==, 0x10);
    {
        unsigned lead = dsdt[37], nb = lead >> 6, pkg = lead & (nb ? 0x0f : 0x3f);
        for (unsigned i = 0; i < nb; i++)
            pkg |= (unsigned)dsdt[38 + i] << (4 + 8 * i);
        g_assert_cmpuint(36 + 1 + pkg, ==, rd(dsdt + 4, 4));
    }
    g_assert_true(contains(dsdt, rd(dsdt + 4, 4), "ARMH0011"));
    g_assert_true(contains(dsdt, rd(dsdt + 4, 4), "LNRO0005"));
    g_assert_true(contains(dsdt, rd(dsdt + 4, 4), "VR01"));
    g_assert_false(contains(dsdt, rd(dsdt + 4, 4), "VR02"));
    g_assert_true(contains(dsdt, rd(dsdt + 4, 4), "C002"));
    /* the power button: PL061 event pin 3 -> _E03 -> Notify(PWRB) */
    g_assert_true(contains(dsdt, rd(dsdt + 4, 4), "ARMH0061"));
    g_assert_true(contains(dsdt, rd(dsdt + 4, 4), "PNP0C0C"));
    g_assert_true(contains(dsdt, rd(dsdt + 4, 4), "_AEI"));
    g_assert_true(contains(dsdt, rd(dsdt + 4, 4), "_E03"));
    g_assert_true(contains(dsdt, rd(dsdt + 4, 4), "\\_SB.GPO0"));

    /* MADT: a GICC per CPU, the distributor, redistributors on v3 */
    end = madt + rd(madt + 4, 4);
    for (p = madt + 44; p < end; p += p[1]) {
        g_assert_cmpuint(p[1], >, 0);
        if (p[0] == 0x0b) {
            g_assert_cmpuint(p[1], ==, 80);
            g_assert_cmphex(rd(p + 68, 8), ==, mpidr[gicc]);
            g_assert_cmphex(rd(p + 32, 8), ==, gic == ARMZ_GIC_V2 ? ARMZ_GICV2_CPU_BASE : 0);
            gicc++;
        } else if (p[0] == 0x0c) {
            g_assert_cmphex(rd(p + 8, 8), ==, ARMZ_GIC_DIST_BASE);
            g_assert_cmpuint(p[20], ==, gic == ARMZ_GIC_V3 ? 3 : 2);
            gicd++;
        } else if (p[0] == 0x0e) {
            g_assert_cmphex(rd(p + 4, 8), ==, ARMZ_GICV3_REDIST_BASE);
            gicr++;
        }
    }
    g_assert_true(p == end);
    g_assert_cmpuint(gicc, ==, 3);
    g_assert_cmpuint(gicd, ==, 1);
    g_assert_cmpuint(gicr, ==, gic == ARMZ_GIC_V3 ? 1 : 0);

    g_free(m.rsdp);
    g_free(m.tables);
    armz_acpi_blobs_clear(&b);
}

static void
test_gicv3(void)
{
    check(ARMZ_GIC_V3);
}

static void
test_gicv2(void)
{
    check(ARMZ_GIC_V2);
}

/* --topology 2 sockets x 2 cores x 1 thread: a PPTT after the others,
 * packages with their cores as leaves whose IDs are the GICC UIDs */
static void
test_pptt(void)
{
    uint64_t mpidr[4] = { 0, 1, 2, 3 };
    ArmzAcpiConfig cfg = { 4, mpidr, ARMZ_GIC_V3, 1, 2, 2, 1 };
    ArmzAcpiBlobs b = { NULL, NULL, NULL };
    Mem m;
    const uint8_t *xsdt, *pptt, *p, *end;
    unsigned packages = 0, leaves = 0;
    uint32_t package_off[2] = { 0, 0 };

    armz_acpi_build(&cfg, &b);
    m.rsdp = g_memdup2(g_bytes_get_data(b.rsdp, &m.rsdp_len), g_bytes_get_size(b.rsdp));
    m.tables = g_memdup2(g_bytes_get_data(b.tables, &m.tables_len), g_bytes_get_size(b.tables));
    run_loader(&m, b.loader);
    xsdt = table_at(&m, rd(m.rsdp + 24, 8), "XSDT");
    g_assert_cmpuint((rd(xsdt + 4, 4) - 36) / 8, ==, 5);
    pptt = table_at(&m, rd(xsdt + 36 + 8 * 4, 8), "PPTT");
    g_assert_cmpuint(pptt[8], ==, 2);
    end = pptt + rd(pptt + 4, 4);
    for (p = pptt + 36; p < end; p += p[1]) {
        uint32_t flags = (uint32_t)rd(p + 4, 4), parent = (uint32_t)rd(p + 8, 4);

        g_assert_cmpuint(p[0], ==, 0);
        g_assert_cmpuint(p[1], ==, 20);
        if (flags & 1) {
            g_assert_cmpuint(parent, ==, 0);
            package_off[packages++] = (uint32_t)(p - pptt);
        } else {
            g_assert_cmphex(flags, ==, (1u << 1) | (1u << 3));
            g_assert_cmpuint(rd(p + 12, 4), ==, leaves);
            g_assert_cmpuint(parent, ==, package_off[leaves / 2]);
            leaves++;
        }
    }
    g_assert_true(p == end);
    g_assert_cmpuint(packages, ==, 2);
    g_assert_cmpuint(leaves, ==, 4);
    g_free(m.rsdp);
    g_free(m.tables);
    armz_acpi_blobs_clear(&b);
}

/* golden AML bytes: names, integers, package lengths of 1 and 2 bytes */
static void
test_aml(void)
{
    g_autoptr(GByteArray) a = g_byte_array_new();
    g_autoptr(GByteArray) body = g_byte_array_new();
    static const uint8_t op = 0x10;

    armz_aml_name_int(a, "_UID", 0x1234);
    g_assert_cmpmem(a->data, a->len, "\x08_UID\x0b\x34\x12", 8);
    g_byte_array_set_size(a, 0);
    armz_aml_name_string(a, "_HID", "ACPI0007");
    g_assert_cmpmem(a->data, a->len, "\x08_HID\x0d" "ACPI0007\0", 15);
    g_byte_array_set_size(a, 0);
    g_byte_array_set_size(body, 62);            /* 62 + 1 = 63: one byte */
    armz_aml_package(a, &op, 1, body);
    g_assert_cmpuint(a->len, ==, 1 + 1 + 62);
    g_assert_cmphex(a->data[1], ==, 63);
    g_byte_array_set_size(a, 0);
    g_byte_array_set_size(body, 100);           /* 100 + 2 = 102 = 0x66 */
    armz_aml_package(a, &op, 1, body);
    g_assert_cmpuint(a->len, ==, 1 + 2 + 100);
    g_assert_cmphex(a->data[1], ==, 0x46);
    g_assert_cmphex(a->data[2], ==, 0x06);
    g_byte_array_set_size(a, 0);
    armz_aml_crs_mmio_irq(a, 0x09000000, 0x1000, 33);
    g_assert_cmpmem(a->data, a->len,
                    "\x08_CRS\x11\x1a\x0a\x17"
                    "\x86\x09\x00\x01\x00\x00\x00\x09\x00\x10\x00\x00"
                    "\x89\x06\x00\x01\x01\x21\x00\x00\x00"
                    "\x79\x00", 5 + 4 + 23);
}

/* builds the tables of CFG and runs the loader over them: the XSDT */
static const uint8_t *
load(const ArmzAcpiConfig *cfg, Mem *m)
{
    ArmzAcpiBlobs b = { NULL, NULL, NULL };

    armz_acpi_build(cfg, &b);
    m->rsdp = g_memdup2(g_bytes_get_data(b.rsdp, &m->rsdp_len), g_bytes_get_size(b.rsdp));
    m->tables = g_memdup2(g_bytes_get_data(b.tables, &m->tables_len), g_bytes_get_size(b.tables));
    run_loader(m, b.loader);
    armz_acpi_blobs_clear(&b);
    return table_at(m, rd(m->rsdp + 24, 8), "XSDT");
}

/* the MADT entry of TYPE (exactly one), or NULL */
static const uint8_t *
madt_entry(const uint8_t *madt, uint8_t type)
{
    const uint8_t *p, *end = madt + rd(madt + 4, 4), *found = NULL;

    for (p = madt + 44; p < end; p += p[1]) {
        g_assert_cmpuint(p[1], >, 0);
        if (p[0] == type) {
            g_assert_null(found);
            found = p;
        }
    }
    g_assert_true(p == end);
    return found;
}

/* --pci: MCFG for the ECAM, the host bridge in the DSDT, and the MSI
 * controller: the ITS in the MADT and the IORT, or the GICv2m frame in
 * the MADT alone; with HIGH, the 64-bit window in _CRS */
static void
check_pci(ArmzGicVersion gic, ArmzMsiKind msi, bool high)
{
    uint64_t mpidr[2] = { 0, 1 };
    ArmzAcpiConfig cfg = { 2, mpidr, gic, 1, 0, 0, 0, TRUE, msi };
    Mem m;
    const uint8_t *xsdt, *madt, *mcfg, *dsdt, *e;
    unsigned n;
    gsize dlen;
    /* _CRS: WordBusNumber 0-15, DWordMemory 0x10000000-0x3efeffff */
    static const uint8_t crs[] =
        "\x08_CRS\x11\x2f\x0a\x2c"
        "\x88\x0d\x00\x02\x0c\x00\x00\x00\x00\x00\x0f\x00\x00\x00\x10\x00"
        "\x87\x17\x00\x00\x0c\x01\x00\x00\x00\x00\x00\x00\x00\x10\xff\xff\xfe\x3e"
        "\x00\x00\x00\x00\x00\x00\xff\x2e"
        "\x79\x00";
    /* the same, then QWordMemory(ResourceProducer, PosDecode, MinFixed,
     * MaxFixed, NonCacheable, ReadWrite, 0, 0x8000000000, 0xffffffffff, 0,
     * 0x8000000000): a 2-byte PkgLength (94) and 90 bytes */
    static const uint8_t crs_high[] =
        "\x08_CRS\x11\x4e\x05\x0a\x5a"
        "\x88\x0d\x00\x02\x0c\x00\x00\x00\x00\x00\x0f\x00\x00\x00\x10\x00"
        "\x87\x17\x00\x00\x0c\x01\x00\x00\x00\x00\x00\x00\x00\x10\xff\xff\xfe\x3e"
        "\x00\x00\x00\x00\x00\x00\xff\x2e"
        "\x8a\x2b\x00\x00\x0c\x01\x00\x00\x00\x00\x00\x00\x00\x00"
        "\x00\x00\x00\x00\x80\x00\x00\x00\xff\xff\xff\xff\xff\x00\x00\x00"
        "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x00\x00\x00"
        "\x79\x00";
    /* _PRT: slot 2, INTB (pin 1) on link GSI3 */
    static const uint8_t prt_2b[] =
        "\x12\x0d\x04\x0c\xff\xff\x02\x00\x01GSI3\x00";
    /* the PCI host bridge _OSC UUID, 33DB4D5B-1FF7-401C-9657-7441C03DD766 */
    static const uint8_t osc_uuid[] =
        "\x5b\x4d\xdb\x33\xf7\x1f\x1c\x40\x96\x57\x74\x41\xc0\x3d\xd7\x66";
    /* GSI1: Interrupt(ResourceConsumer, Level, ActiveHigh, Exclusive) { 36 } */
    static const uint8_t gsi1[] = "\x89\x06\x00\x01\x01\x24\x00\x00\x00";

    if (high) {
        cfg.pci_high.base = 0x8000000000ULL;
        cfg.pci_high.size = ARMZ_PCIE_MMIO_HIGH_SIZE;
    }
    xsdt = load(&cfg, &m);
    n = (unsigned)(rd(xsdt + 4, 4) - 36) / 8;
    g_assert_cmpuint(n, ==, msi == ARMZ_MSI_ITS ? 6 : 5);
    madt = table_at(&m, rd(xsdt + 36 + 8, 8), "APIC");
    mcfg = table_at(&m, rd(xsdt + 36 + 8 * 4, 8), "MCFG");
    g_assert_cmpuint(rd(mcfg + 4, 4), ==, 60);
    g_assert_cmpmem(mcfg + 44, 16,
                    "\x00\x00\x00\x3f\x00\x00\x00\x00\x00\x00\x00\x0f\x00\x00\x00\x00", 16);

    dsdt = table_at(&m, rd(table_at(&m, rd(xsdt + 36, 8), "FACP") + 140, 8), "DSDT");
    dlen = rd(dsdt + 4, 4);
    g_assert_true(contains(dsdt, dlen, "PCI0"));
    g_assert_true(contains(dsdt, dlen, "PNP0A08"));
    g_assert_true(contains(dsdt, dlen, "PNP0A03"));
    g_assert_true(contains(dsdt, dlen, "PNP0C0F"));
    g_assert_true(contains(dsdt, dlen, "PNP0C02"));
    if (high)
        g_assert_nonnull(memmem(dsdt, dlen, crs_high, sizeof(crs_high) - 1));
    else
        g_assert_nonnull(memmem(dsdt, dlen, crs, sizeof(crs) - 1));
    g_assert_nonnull(memmem(dsdt, dlen, prt_2b, sizeof(prt_2b) - 1));
    g_assert_nonnull(memmem(dsdt, dlen, osc_uuid, sizeof(osc_uuid) - 1));
    g_assert_nonnull(memmem(dsdt, dlen, gsi1, sizeof(gsi1) - 1));
    g_assert_true(contains(dsdt, dlen, "VR00"));       /* the mmio slot beside */
    g_assert_false(contains(dsdt, dlen, "VR01"));

    e = madt_entry(madt, 0x0f);
    if (msi == ARMZ_MSI_ITS) {
        const uint8_t *iort = table_at(&m, rd(xsdt + 36 + 8 * 5, 8), "IORT"), *its, *rc;

        g_assert_nonnull(e);
        g_assert_cmpuint(e[1], ==, 20);
        g_assert_cmpuint(rd(e + 4, 4), ==, 0);
        g_assert_cmphex(rd(e + 8, 8), ==, ARMZ_GIC_ITS_BASE);
        g_assert_null(madt_entry(madt, 0x0d));
        g_assert_cmpuint(rd(iort + 36, 4), ==, 2);
        its = iort + rd(iort + 40, 4);
        g_assert_cmpuint(its[0], ==, 0);
        g_assert_cmpuint(rd(its + 16, 4), ==, 1);
        g_assert_cmpuint(rd(its + 20, 4), ==, 0);          /* the MADT's ITS ID */
        rc = its + rd(its + 1, 2);
        g_assert_cmpuint(rc[0], ==, 2);
        g_assert_true(rc + rd(rc + 1, 2) == iort + rd(iort + 4, 4));
        g_assert_cmpuint(rd(rc + 8, 4), ==, 1);
        /* RIDs 0-0xffff are device IDs 0-0xffff of the ITS group */
        g_assert_cmpmem(rc + rd(rc + 12, 4), 20,
                        "\x00\x00\x00\x00\xff\xff\x00\x00\x00\x00\x00\x00"
                        "\x30\x00\x00\x00\x00\x00\x00\x00", 20);
        g_assert_true(iort + rd(rc + rd(rc + 12, 4) + 12, 4) == its);
    } else {
        g_assert_null(e);
        e = madt_entry(madt, 0x0d);
        g_assert_nonnull(e);
        g_assert_cmpmem(e, 24, "\x0d\x18\x00\x00\x00\x00\x00\x00"
                        "\x00\x00\x02\x08\x00\x00\x00\x00"
                        "\x01\x00\x00\x00\x20\x00\x60\x00", 24);
    }
    g_free(m.rsdp);
    g_free(m.tables);
}

static void
test_pci_its(void)
{
    check_pci(ARMZ_GIC_V3, ARMZ_MSI_ITS, true);
}

static void
test_pci_gicv2m(void)
{
    check_pci(ARMZ_GIC_V2, ARMZ_MSI_GICV2M, false);
}

/* a GICv3 without an ITS: INTx only, neither an IORT nor an MSI frame */
static void
test_pci_intx(void)
{
    uint64_t mpidr[1] = { 0 };
    ArmzAcpiConfig cfg = { 1, mpidr, ARMZ_GIC_V3, 0, 0, 0, 0, TRUE, ARMZ_MSI_NONE };
    Mem m;
    const uint8_t *xsdt = load(&cfg, &m), *madt;

    g_assert_cmpuint((rd(xsdt + 4, 4) - 36) / 8, ==, 5);
    table_at(&m, rd(xsdt + 36 + 8 * 4, 8), "MCFG");
    madt = table_at(&m, rd(xsdt + 36 + 8, 8), "APIC");
    g_assert_null(madt_entry(madt, 0x0d));
    g_assert_null(madt_entry(madt, 0x0f));
    g_free(m.rsdp);
    g_free(m.tables);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmm/acpi/gicv3", test_gicv3);
    g_test_add_func("/vmm/acpi/gicv2", test_gicv2);
    g_test_add_func("/vmm/acpi/aml", test_aml);
    g_test_add_func("/vmm/acpi/pptt", test_pptt);
    g_test_add_func("/vmm/acpi/pci-its", test_pci_its);
    g_test_add_func("/vmm/acpi/pci-gicv2m", test_pci_gicv2m);
    g_test_add_func("/vmm/acpi/pci-intx", test_pci_intx);
    return g_test_run();
}
