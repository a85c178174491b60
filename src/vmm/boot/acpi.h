/* ACPI tables for firmware boot with --acpi, handed to the firmware as QEMU
 * does: the fw_cfg files etc/acpi/tables (DSDT, FADT, MADT, GTDT, SPCR,
 * PPTT with a topology, MCFG and IORT with --pci, XSDT), etc/acpi/rsdp and etc/table-loader, whose commands tell the
 * firmware where to place them, which pointers to patch and which
 * checksums to compute (checksum fields are left 0 for it). */
#pragma once
#include <stdint.h>
#include <glib.h>
#include "boot/fdt.h"
#include "pci/msi.h"

#define ARMZ_ACPI_TABLES_FILE  "etc/acpi/tables"
#define ARMZ_ACPI_RSDP_FILE    "etc/acpi/rsdp"
#define ARMZ_ACPI_LOADER_FILE  "etc/table-loader"

/* table-loader commands: 128 bytes each, little-endian */
#define ARMZ_ACPI_LOADER_ENTRY        128
#define ARMZ_ACPI_LOADER_ALLOCATE     1
#define ARMZ_ACPI_LOADER_ADD_POINTER  2
#define ARMZ_ACPI_LOADER_ADD_CHECKSUM 3
#define ARMZ_ACPI_LOADER_FILE_NAME    56
#define ARMZ_ACPI_ZONE_HIGH           1
#define ARMZ_ACPI_ZONE_FSEG           2

typedef struct {
    unsigned ncpus;
    const uint64_t *mpidr;          /* ncpus entries */
    ArmzGicVersion gic;
    unsigned nvirtio;               /* virtio-mmio slots in use */
    unsigned sockets, cores, threads;   /* PPTT; sockets 0: no PPTT */
    gboolean pci;                   /* the PCIe host bridge: MCFG, DSDT PCI0, */
    ArmzMsiKind msi;                /* its MSIs: ITS (MADT + IORT) or GICv2m frame (MADT) */
    ArmzPciWindow pci_high;         /* its 64-bit MMIO window (size 0: none) */
} ArmzAcpiConfig;

typedef struct {
    GBytes *tables, *rsdp, *loader;
} ArmzAcpiBlobs;

void armz_acpi_build(const ArmzAcpiConfig *cfg, ArmzAcpiBlobs *out);
void armz_acpi_blobs_clear(ArmzAcpiBlobs *b);
