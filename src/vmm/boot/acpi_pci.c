/* The PCIe host bridge in the DSDT (--pci with --acpi), as QEMU's virt
 * describes its own: Device(PCI0) with the bus range and the 32-bit and
 * 64-bit windows in _CRS, INTx through four interrupt links in _PRT (their
 * level/high SPIs are what the GIC accepts; a hardwired _PRT entry would
 * be level/low), _OSC granting the OS native PCIe hotplug, PME, AER and
 * the PCIe capability, and the ECAM reserved by a motherboard device. */
#include <string.h>
#include "boot/acpi_pci.h"
#include "boot/acpi_aml.h"
#include "devices/mmio.h"
#include "layout.h"

#define AML_PACKAGE_OP  0x12
#define AML_BUFFER_OP   0x11
#define AML_METHOD_OP   0x14

/* the _OSC UUID of PCI host bridges, 33DB4D5B-1FF7-401C-9657-7441C03DD766,
 * in ToUUID byte order */
static const uint8_t pci_osc_uuid[16] = {
    0x5b, 0x4d, 0xdb, 0x33, 0xf7, 0x1f, 0x1c, 0x40,
    0x96, 0x57, 0x74, 0x41, 0xc0, 0x3d, 0xd7, 0x66,
};
/* _OSC control bits granted: native hotplug, PME, AER, PCIe capability
 * (not SHPC: there is none) */
#define PCI_OSC_GRANTED 0x1d

static void
put(GByteArray *out, const void *p, unsigned n)
{
    g_byte_array_append(out, p, n);
}

static void
put_le(GByteArray *out, unsigned n, uint64_t v)
{
    uint8_t b[8];
    armz_u64_to_le_bytes(b, n, v);
    put(out, b, n);
}

/* a Word (2-byte), DWord (4-byte) or QWord (8-byte) address space
 * descriptor: a bridge's window of resource TYPE (0 memory, 2 bus
 * numbers), ResourceProducer, PosDecode, MinFixed, MaxFixed, no
 * granularity or translation */
static void
res_window(GByteArray *r, unsigned width, uint8_t type, uint8_t type_flags, uint64_t min,
           uint64_t len)
{
    const uint8_t h[6] = { width == 2 ? 0x88 : width == 4 ? 0x87 : 0x8a,
                           (uint8_t)(3 + 5 * width), 0x00, type, 0x0c, type_flags };
    const uint64_t fields[5] = { 0, min, min + len - 1, 0, len };

    put(r, h, sizeof(h));
    for (unsigned i = 0; i < 5; i++)
        put_le(r, width, fields[i]);
}

/* WordBusNumber(..., MIN, MAX) */
static void
res_bus_range(GByteArray *r, uint16_t min, uint16_t max)
{
    res_window(r, 2, 2, 0, min, max - min + 1u);
}

/* DWordMemory(..., NonCacheable, ReadWrite, BASE, BASE + SIZE - 1, SIZE) */
static void
res_dword_memory(GByteArray *r, uint32_t base, uint32_t size)
{
    res_window(r, 4, 0, 0x01, base, size);
}

/* QWordMemory(..., NonCacheable, ReadWrite, BASE, BASE + SIZE - 1, SIZE),
 * as QEMU's virt describes its 64-bit window */
static void
res_qword_memory(GByteArray *r, uint64_t base, uint64_t size)
{
    res_window(r, 8, 0, 0x01, base, size);
}

/* Memory32Fixed(ReadWrite, BASE, SIZE) */
static void
res_memory32_fixed(GByteArray *r, uint32_t base, uint32_t size)
{
    static const uint8_t h[4] = { 0x86, 0x09, 0x00, 0x01 };
    put(r, h, sizeof(h));
    put_le(r, 4, base);
    put_le(r, 4, size);
}

/* Interrupt(ResourceConsumer, Level, ActiveHigh, Exclusive) { GSIV } */
static void
res_interrupt(GByteArray *r, uint32_t gsiv)
{
    static const uint8_t h[5] = { 0x89, 0x06, 0x00, 0x01, 0x01 };
    put(r, h, sizeof(h));
    put_le(r, 4, gsiv);
}

/* Device(GSIn): an interrupt link with one fixed level/high SPI */
static void
link_device(GByteArray *scope, unsigned i)
{
    g_autoptr(GByteArray) d = g_byte_array_new();
    g_autoptr(GByteArray) r = g_byte_array_new();
    g_autoptr(GByteArray) m = g_byte_array_new();
    static const uint8_t method_op = AML_METHOD_OP;
    char seg[5];

    res_interrupt(r, 32 + ARMZ_PCIE_INTX_SPI + i);
    armz_aml_name_string(d, "_HID", "PNP0C0F");
    armz_aml_name_int(d, "_UID", i);
    armz_aml_name_resources(d, "_PRS", r);
    armz_aml_name_resources(d, "_CRS", r);
    /* Method(_SRS, 1) {}: the line cannot change */
    put(m, "_SRS\x01", 5);
    armz_aml_package(d, &method_op, 1, m);
    g_snprintf(seg, sizeof(seg), "GSI%u", i);
    armz_aml_device(scope, seg, d);
}

/* Name(_PRT, Package() { Package() { slot << 16 | 0xffff, PIN, GSIn, 0 }, ... }):
 * INTA-D of slot S on link (S + PIN) % 4, the swizzle of pci_host.c */
static void
prt(GByteArray *out)
{
    static const uint8_t pkg_op = AML_PACKAGE_OP;
    g_autoptr(GByteArray) all = g_byte_array_new();
    uint8_t n = ARMZ_PCIE_MAX_SLOTS * 4;

    put(all, &n, 1);
    for (unsigned slot = 0; slot < ARMZ_PCIE_MAX_SLOTS; slot++) {
        for (unsigned pin = 0; pin < 4; pin++) {
            g_autoptr(GByteArray) e = g_byte_array_new();
            char link[5];
            uint8_t four = 4;

            put(e, &four, 1);
            armz_aml_int(e, (uint64_t)slot << 16 | 0xffff);
            armz_aml_int(e, pin);
            g_snprintf(link, sizeof(link), "GSI%u", (slot + pin) % 4);
            put(e, link, 4);
            armz_aml_int(e, 0);
            armz_aml_package(all, &pkg_op, 1, e);
        }
    }
    armz_aml_name_op(out, "_PRT");
    armz_aml_package(out, &pkg_op, 1, all);
}

/* Method(_OSC, 4) {
 *     CreateDWordField(Arg3, 0, CDW1)
 *     If (LEqual(Arg0, ToUUID("33DB4D5B-..."))) {
 *         CreateDWordField(Arg3, 8, CDW3)
 *         And(CDW3, GRANTED, CDW3)
 *     } Else {
 *         Or(CDW1, 4, CDW1)              // unrecognized UUID
 *     }
 *     Return(Arg3)
 * } */
static void
osc(GByteArray *out)
{
    static const uint8_t method_op = AML_METHOD_OP, if_op = 0xa0, else_op = 0xa1;
    static const uint8_t buffer_op = AML_BUFFER_OP;
    static const uint8_t cdw1[] = { 0x8a, 0x6b, 0x00, 'C', 'D', 'W', '1' };
    static const uint8_t cdw3[] = { 0x8a, 0x6b, 0x0a, 0x08, 'C', 'D', 'W', '3' };
    static const uint8_t and3[] = { 0x7b, 'C', 'D', 'W', '3', 0x0a, PCI_OSC_GRANTED,
                                    'C', 'D', 'W', '3' };
    static const uint8_t or1[] = { 0x7d, 'C', 'D', 'W', '1', 0x0a, 0x04, 'C', 'D', 'W', '1' };
    static const uint8_t lequal_arg0[] = { 0x93, 0x68 };
    static const uint8_t ret[] = { 0xa4, 0x6b };
    g_autoptr(GByteArray) m = g_byte_array_new();
    g_autoptr(GByteArray) then = g_byte_array_new();
    g_autoptr(GByteArray) other = g_byte_array_new();
    g_autoptr(GByteArray) uuid = g_byte_array_new();

    put(m, "_OSC\x04", 5);
    put(m, cdw1, sizeof(cdw1));
    armz_aml_int(uuid, sizeof(pci_osc_uuid));
    put(uuid, pci_osc_uuid, sizeof(pci_osc_uuid));
    put(then, lequal_arg0, sizeof(lequal_arg0));
    armz_aml_package(then, &buffer_op, 1, uuid);
    put(then, cdw3, sizeof(cdw3));
    put(then, and3, sizeof(and3));
    armz_aml_package(m, &if_op, 1, then);
    put(other, or1, sizeof(or1));
    armz_aml_package(m, &else_op, 1, other);
    put(m, ret, sizeof(ret));
    armz_aml_package(out, &method_op, 1, m);
}

void
armz_acpi_pci_dsdt(GByteArray *sb, const ArmzPciWindow *high)
{
    g_autoptr(GByteArray) d = g_byte_array_new();
    g_autoptr(GByteArray) r = g_byte_array_new();
    g_autoptr(GByteArray) res0 = g_byte_array_new();
    const unsigned last_bus = (unsigned)(ARMZ_PCIE_ECAM_SIZE >> 20) - 1;

    armz_aml_name_string(d, "_HID", "PNP0A08");
    armz_aml_name_string(d, "_CID", "PNP0A03");
    armz_aml_name_int(d, "_SEG", 0);
    armz_aml_name_int(d, "_BBN", 0);
    armz_aml_name_int(d, "_UID", 0);
    armz_aml_name_int(d, "_CCA", 1);            /* cache coherent DMA */
    prt(d);
    for (unsigned i = 0; i < 4; i++)
        link_device(d, i);
    /* no I/O window: the VMM has none */
    res_bus_range(r, 0, (uint16_t)last_bus);
    res_dword_memory(r, ARMZ_PCIE_MMIO_BASE, ARMZ_PCIE_MMIO_SIZE);
    if (high->size)
        res_qword_memory(r, high->base, high->size);
    armz_aml_name_resources(d, "_CRS", r);
    osc(d);
    armz_aml_device(sb, "PCI0", d);

    g_byte_array_set_size(r, 0);
    res_memory32_fixed(r, ARMZ_PCIE_ECAM_BASE, ARMZ_PCIE_ECAM_SIZE);
    armz_aml_name_string(res0, "_HID", "PNP0C02");
    armz_aml_name_int(res0, "_UID", 0);
    armz_aml_name_resources(res0, "_CRS", r);
    armz_aml_device(sb, "RES0", res0);
}
