/* ACPI tables of the armz-vmm board (ACPI 6.0 layouts, hardware-reduced,
 * PSCI over HVC) and the table-loader script that installs them. */
#include <string.h>
#include "boot/acpi.h"
#include "boot/acpi_aml.h"
#include "boot/acpi_pci.h"
#include "devices/mmio.h"
#include "layout.h"

#define HDR 36

typedef struct {
    GByteArray *blob;           /* etc/acpi/tables */
    GByteArray *loader;
} Ctx;

static void
le(uint8_t *p, unsigned n, uint64_t v)
{
    armz_u64_to_le_bytes(p, n, v);
}

/* starts a table of LEN bytes (header included, zeroed): its offset */
static guint
table_begin(GByteArray *b, const char *sig, unsigned len, uint8_t rev)
{
    guint off = b->len;
    uint8_t *h;

    g_byte_array_set_size(b, off + len);
    h = b->data + off;
    memset(h, 0, len);
    memcpy(h, sig, 4);
    h[8] = rev;
    memcpy(h + 10, "ARMZ  ", 6);            /* OEM ID */
    memcpy(h + 16, "ARMZVMM ", 8);          /* OEM table ID */
    le(h + 24, 4, 1);                       /* OEM revision */
    memcpy(h + 28, "ARMZ", 4);              /* creator */
    le(h + 32, 4, 1);
    return off;
}

/* the table at OFF ends here: its length field */
static void
table_end(GByteArray *b, guint off)
{
    le(b->data + off + 4, 4, b->len - off);
}

static void
cmd_name(uint8_t *p, const char *file)
{
    g_strlcpy((char *)p, file, ARMZ_ACPI_LOADER_FILE_NAME);
}

static uint8_t *
cmd_new(Ctx *c, uint32_t type)
{
    guint off = c->loader->len;
    g_byte_array_set_size(c->loader, off + ARMZ_ACPI_LOADER_ENTRY);
    memset(c->loader->data + off, 0, ARMZ_ACPI_LOADER_ENTRY);
    le(c->loader->data + off, 4, type);
    return c->loader->data + off;
}

static void
cmd_allocate(Ctx *c, const char *file, uint32_t align, uint8_t zone)
{
    uint8_t *p = cmd_new(c, ARMZ_ACPI_LOADER_ALLOCATE);
    cmd_name(p + 4, file);
    le(p + 60, 4, align);
    p[64] = zone;
}

/* DEST_FILE at OFFSET holds SIZE bytes: an offset into SRC_FILE, to which
 * the firmware adds SRC_FILE's address */
static void
cmd_pointer(Ctx *c, const char *dest, const char *src, uint32_t offset, uint8_t size)
{
    uint8_t *p = cmd_new(c, ARMZ_ACPI_LOADER_ADD_POINTER);
    cmd_name(p + 4, dest);
    cmd_name(p + 60, src);
    le(p + 116, 4, offset);
    p[120] = size;
}

static void
cmd_checksum(Ctx *c, const char *file, uint32_t result, uint32_t start, uint32_t len)
{
    uint8_t *p = cmd_new(c, ARMZ_ACPI_LOADER_ADD_CHECKSUM);
    cmd_name(p + 4, file);
    le(p + 60, 4, result);
    le(p + 64, 4, start);
    le(p + 68, 4, len);
}

static void
table_checksum(Ctx *c, guint off)
{
    uint32_t len = (uint32_t)armz_le_bytes_to_u64(c->blob->data + off + 4, 4);
    cmd_checksum(c, ARMZ_ACPI_TABLES_FILE, off + 9, off, len);
}

static guint
build_dsdt(Ctx *c, const ArmzAcpiConfig *cfg)
{
    guint off = table_begin(c->blob, "DSDT", HDR, 2);
    g_autoptr(GByteArray) sb = g_byte_array_new();
    g_autoptr(GByteArray) scope = g_byte_array_new();
    static const uint8_t scope_op = 0x10;
    char seg[5];

    for (unsigned i = 0; i < cfg->ncpus; i++) {
        g_autoptr(GByteArray) d = g_byte_array_new();
        g_snprintf(seg, sizeof(seg), "C%03X", i);
        armz_aml_name_string(d, "_HID", "ACPI0007");
        armz_aml_name_int(d, "_UID", i);
        armz_aml_device(sb, seg, d);
    }
    {
        g_autoptr(GByteArray) d = g_byte_array_new();
        armz_aml_name_string(d, "_HID", "ARMH0011");
        armz_aml_name_int(d, "_UID", 0);
        armz_aml_crs_mmio_irq(d, ARMZ_UART_BASE, ARMZ_DEV_SIZE, 32 + ARMZ_UART_SPI);
        armz_aml_device(sb, "COM0", d);
    }
    {
        /* the power button: pin 3 of the PL061, whose edge runs _E03,
         * which notifies the ACPI power button device (as QEMU's virt did
         * before its GED) */
        g_autoptr(GByteArray) d = g_byte_array_new();
        char ev[5];
        armz_aml_name_string(d, "_HID", "ARMH0061");
        armz_aml_name_int(d, "_UID", 0);
        armz_aml_crs_mmio_irq(d, ARMZ_GPIO_BASE, ARMZ_DEV_SIZE, 32 + ARMZ_GPIO_SPI);
        armz_aml_aei_gpio(d, "\\_SB.GPO0", ARMZ_GPIO_POWER_PIN);
        g_snprintf(ev, sizeof(ev), "_E%02X", ARMZ_GPIO_POWER_PIN);
        armz_aml_method_notify(d, ev, "_SB_", "PWRB", 0x80);
        armz_aml_device(sb, "GPO0", d);
    }
    {
        g_autoptr(GByteArray) d = g_byte_array_new();
        armz_aml_name_string(d, "_HID", "PNP0C0C");
        armz_aml_name_int(d, "_UID", 0);
        armz_aml_device(sb, "PWRB", d);
    }
    for (unsigned i = 0; i < cfg->nvirtio; i++) {
        g_autoptr(GByteArray) d = g_byte_array_new();
        g_snprintf(seg, sizeof(seg), "VR%02X", i);
        armz_aml_name_string(d, "_HID", "LNRO0005");
        armz_aml_name_int(d, "_UID", i);
        armz_aml_name_int(d, "_CCA", 1);        /* cache coherent DMA */
        armz_aml_crs_mmio_irq(d, (uint32_t)(ARMZ_VIRTIO_BASE + i * ARMZ_VIRTIO_SLOT_SIZE),
                              ARMZ_VIRTIO_SLOT_SIZE, 32 + ARMZ_VIRTIO_SPI + i);
        armz_aml_device(sb, seg, d);
    }
    if (cfg->pci)
        armz_acpi_pci_dsdt(sb, &cfg->pci_high);
    /* Scope(\_SB) { ... } */
    g_byte_array_append(scope, (const uint8_t *)"\\_SB_", 5);
    g_byte_array_append(scope, sb->data, sb->len);
    armz_aml_package(c->blob, &scope_op, 1, scope);
    table_end(c->blob, off);
    return off;
}

static guint
build_fadt(Ctx *c, guint dsdt)
{
    guint off = table_begin(c->blob, "FACP", 276, 6);
    uint8_t *t = c->blob->data + off;

    le(t + 112, 4, 1u << 20);               /* HW_REDUCED_ACPI */
    le(t + 129, 2, 0x3);                    /* PSCI_COMPLIANT | PSCI_USE_HVC */
    t[131] = 0;                             /* FADT minor version: 6.0 */
    le(t + 140, 8, dsdt);                   /* X_DSDT: patched by the loader */
    table_end(c->blob, off);
    cmd_pointer(c, ARMZ_ACPI_TABLES_FILE, ARMZ_ACPI_TABLES_FILE, off + 140, 8);
    return off;
}

/* appends a zeroed MADT entry of TYPE and LEN bytes */
static uint8_t *
subtable(GByteArray *b, uint8_t type, uint8_t len)
{
    guint e = b->len;
    uint8_t *p;

    g_byte_array_set_size(b, e + len);
    p = b->data + e;
    memset(p, 0, len);
    p[0] = type;
    p[1] = len;
    return p;
}

static guint
build_madt(Ctx *c, const ArmzAcpiConfig *cfg)
{
    guint off = table_begin(c->blob, "APIC", 44, 4);
    GByteArray *b = c->blob;
    uint8_t *p;

    for (unsigned i = 0; i < cfg->ncpus; i++) {
        p = subtable(b, 0x0b, 80);          /* GICC */
        le(p + 4, 4, i);                    /* CPU interface number */
        le(p + 8, 4, i);                    /* ACPI processor UID (_UID) */
        le(p + 12, 4, 1);                   /* enabled */
        if (cfg->gic == ARMZ_GIC_V2)
            le(p + 32, 8, ARMZ_GICV2_CPU_BASE);
        le(p + 68, 8, cfg->mpidr[i] & 0xff00ffffffULL);
    }
    p = subtable(b, 0x0c, 24);              /* GICD */
    le(p + 8, 8, ARMZ_GIC_DIST_BASE);
    p[20] = cfg->gic == ARMZ_GIC_V3 ? 3 : 2;
    if (cfg->gic == ARMZ_GIC_V3) {
        p = subtable(b, 0x0e, 16);          /* GICR discovery range */
        le(p + 4, 8, ARMZ_GICV3_REDIST_BASE);
        le(p + 12, 4, ARMZ_GICV3_REDIST_SIZE * cfg->ncpus);
    }
    if (cfg->pci && cfg->msi == ARMZ_MSI_ITS) {
        p = subtable(b, 0x0f, 20);          /* GIC ITS, ID 0 (the IORT's) */
        le(p + 8, 8, ARMZ_GIC_ITS_BASE);
    } else if (cfg->pci && cfg->msi == ARMZ_MSI_GICV2M) {
        p = subtable(b, 0x0d, 24);          /* GIC MSI frame, ID 0 */
        le(p + 8, 8, ARMZ_GICV2M_BASE);
        le(p + 16, 4, 1);                   /* the SPI range below, not MSI_TYPER */
        le(p + 20, 2, ARMZ_GICV2M_NUM_SPIS);
        le(p + 22, 2, 32 + ARMZ_GICV2M_SPI);
    }
    table_end(b, off);
    return off;
}

static guint
build_gtdt(Ctx *c)
{
    guint off = table_begin(c->blob, "GTDT", 96, 2);
    uint8_t *t = c->blob->data + off;
    const uint32_t always_on = 1u << 2;     /* level, active high */

    le(t + 36, 8, ~0ULL);                   /* no CntControlBase */
    le(t + 48, 4, 16 + ARMZ_PPI_TIMER_SEC);
    le(t + 52, 4, always_on);
    le(t + 56, 4, 16 + ARMZ_PPI_TIMER_PHYS);
    le(t + 60, 4, always_on);
    le(t + 64, 4, 16 + ARMZ_PPI_TIMER_VIRT);
    le(t + 68, 4, always_on);
    le(t + 72, 4, 16 + ARMZ_PPI_TIMER_HYP);
    le(t + 76, 4, always_on);
    le(t + 80, 8, ~0ULL);                   /* no CntReadBase */
    table_end(c->blob, off);
    return off;
}

static guint
build_spcr(Ctx *c)
{
    guint off = table_begin(c->blob, "SPCR", 80, 2);
    uint8_t *t = c->blob->data + off;

    t[36] = 3;                              /* ARM PL011 */
    t[40] = 0;                              /* GAS: system memory, */
    t[41] = 32;                             /* 32-bit registers, */
    t[43] = 3;                              /* dword access */
    le(t + 44, 8, ARMZ_UART_BASE);
    t[52] = 8;                              /* interrupt: ARM GIC */
    le(t + 54, 4, 32 + ARMZ_UART_SPI);
    t[58] = 3;                              /* 9600 baud (as QEMU) */
    t[60] = 1;                              /* 1 stop bit */
    le(t + 64, 2, 0xffff);                  /* not a PCI device */
    le(t + 66, 2, 0xffff);
    table_end(c->blob, off);
    return off;
}

/* one processor hierarchy node (type 0, no private resources): its offset
 * in the PPTT, which is what children name as their parent */
static guint
pptt_node(GByteArray *b, guint table, uint32_t flags, guint parent, uint32_t id)
{
    guint off = b->len;
    uint8_t *p;

    g_byte_array_set_size(b, off + 20);
    p = b->data + off;
    memset(p, 0, 20);
    p[1] = 20;
    le(p + 4, 4, flags);
    le(p + 8, 4, parent ? parent - table : 0);
    le(p + 12, 4, id);
    return off;
}

/* PPTT (revision 2): socket > core > thread, processor IDs the MADT's
 * GICC UIDs (the vCPU index) */
static guint
build_pptt(Ctx *c, const ArmzAcpiConfig *cfg)
{
    enum { PPTT_PACKAGE = 1 << 0, ID_VALID = 1 << 1, THREAD = 1 << 2, LEAF = 1 << 3 };
    guint off = table_begin(c->blob, "PPTT", HDR, 2);
    unsigned cpu = 0;

    for (unsigned s = 0; s < cfg->sockets; s++) {
        guint sock = pptt_node(c->blob, off, PPTT_PACKAGE | ID_VALID, 0, s);

        for (unsigned k = 0; k < cfg->cores; k++) {
            if (cfg->threads == 1) {
                pptt_node(c->blob, off, ID_VALID | LEAF, sock, cpu++);
                continue;
            }
            guint core = pptt_node(c->blob, off, 0, sock, k);
            for (unsigned t = 0; t < cfg->threads; t++)
                pptt_node(c->blob, off, ID_VALID | THREAD | LEAF, core, cpu++);
        }
    }
    table_end(c->blob, off);
    return off;
}

/* MCFG: the ECAM of segment 0, buses 0 to the last the window holds */
static guint
build_mcfg(Ctx *c)
{
    guint off = table_begin(c->blob, "MCFG", 44 + 16, 1);
    uint8_t *e = c->blob->data + off + 44;

    le(e, 8, ARMZ_PCIE_ECAM_BASE);
    le(e + 8, 2, 0);
    e[10] = 0;
    e[11] = (uint8_t)((ARMZ_PCIE_ECAM_SIZE >> 20) - 1);
    table_end(c->blob, off);
    return off;
}

/* IORT (revision 0) for the ITS: an ITS group holding ITS 0 and the root
 * complex, whose requester IDs are the ITS device IDs (as the VMM sends
 * them with KVM_SIGNAL_MSI). The GICv2m frame needs none: Linux finds it
 * from the MADT. */
static guint
build_iort(Ctx *c)
{
    enum { ITS_NODE = 48, ITS_LEN = 24, RC_NODE = ITS_NODE + ITS_LEN, RC_LEN = 36 + 20 };
    guint off = table_begin(c->blob, "IORT", RC_NODE + RC_LEN, 0);
    uint8_t *t = c->blob->data + off, *n;

    le(t + 36, 4, 2);                       /* nodes */
    le(t + 40, 4, ITS_NODE);
    n = t + ITS_NODE;                       /* ITS group */
    n[0] = 0;
    le(n + 1, 2, ITS_LEN);
    le(n + 16, 4, 1);                       /* one ITS, */
    le(n + 20, 4, 0);                       /* ID 0 (the MADT's) */
    n = t + RC_NODE;                        /* PCI root complex */
    n[0] = 2;
    le(n + 1, 2, RC_LEN);
    le(n + 8, 4, 1);                        /* one ID mapping, */
    le(n + 12, 4, 36);                      /* after the node's fields */
    le(n + 16, 4, 1);                       /* cache coherent */
    n[23] = 3;                              /* CPM, DACS */
    le(n + 28, 4, 0);                       /* segment 0 */
    le(n + 36, 4, 0);                       /* input base: RID 0, */
    le(n + 40, 4, 0xffff);                  /* 0x10000 IDs (count - 1), */
    le(n + 44, 4, 0);                       /* output base 0, */
    le(n + 48, 4, ITS_NODE);                /* to the ITS group */
    table_end(c->blob, off);
    return off;
}

static guint
build_xsdt(Ctx *c, const guint *tables, unsigned n)
{
    guint off = table_begin(c->blob, "XSDT", HDR + 8 * n, 1);
    for (unsigned i = 0; i < n; i++) {
        le(c->blob->data + off + HDR + 8 * i, 8, tables[i]);
        cmd_pointer(c, ARMZ_ACPI_TABLES_FILE, ARMZ_ACPI_TABLES_FILE, off + HDR + 8 * i, 8);
    }
    table_end(c->blob, off);
    return off;
}

void
armz_acpi_build(const ArmzAcpiConfig *cfg, ArmzAcpiBlobs *out)
{
    Ctx c = { g_byte_array_new(), g_byte_array_new() };
    uint8_t rsdp[36];
    guint dsdt, xsdt, list[7];
    unsigned n = 4;

    cmd_allocate(&c, ARMZ_ACPI_RSDP_FILE, 16, ARMZ_ACPI_ZONE_FSEG);
    cmd_allocate(&c, ARMZ_ACPI_TABLES_FILE, 64, ARMZ_ACPI_ZONE_HIGH);
    dsdt = build_dsdt(&c, cfg);
    table_checksum(&c, dsdt);
    list[0] = build_fadt(&c, dsdt);
    table_checksum(&c, list[0]);
    list[1] = build_madt(&c, cfg);
    table_checksum(&c, list[1]);
    list[2] = build_gtdt(&c);
    table_checksum(&c, list[2]);
    list[3] = build_spcr(&c);
    table_checksum(&c, list[3]);
    if (cfg->sockets) {
        list[n] = build_pptt(&c, cfg);
        table_checksum(&c, list[n++]);
    }
    if (cfg->pci) {
        list[n] = build_mcfg(&c);
        table_checksum(&c, list[n++]);
    }
    if (cfg->pci && cfg->msi == ARMZ_MSI_ITS) {
        list[n] = build_iort(&c);
        table_checksum(&c, list[n++]);
    }
    xsdt = build_xsdt(&c, list, n);
    table_checksum(&c, xsdt);

    /* RSDP 2.0: checksum over the first 20 bytes, extended over all 36 */
    memset(rsdp, 0, sizeof(rsdp));
    memcpy(rsdp, "RSD PTR ", 8);
    memcpy(rsdp + 9, "ARMZ  ", 6);
    rsdp[15] = 2;
    le(rsdp + 20, 4, sizeof(rsdp));
    le(rsdp + 24, 8, xsdt);
    cmd_pointer(&c, ARMZ_ACPI_RSDP_FILE, ARMZ_ACPI_TABLES_FILE, 24, 8);
    cmd_checksum(&c, ARMZ_ACPI_RSDP_FILE, 8, 0, 20);
    cmd_checksum(&c, ARMZ_ACPI_RSDP_FILE, 32, 0, 36);

    out->tables = g_byte_array_free_to_bytes(c.blob);
    out->rsdp = g_bytes_new(rsdp, sizeof(rsdp));
    out->loader = g_byte_array_free_to_bytes(c.loader);
}

void
armz_acpi_blobs_clear(ArmzAcpiBlobs *b)
{
    g_clear_pointer(&b->tables, g_bytes_unref);
    g_clear_pointer(&b->rsdp, g_bytes_unref);
    g_clear_pointer(&b->loader, g_bytes_unref);
}
