/* The PCIe host bridge's DSDT devices (boot/acpi_pci.c). */
#pragma once
#include <glib.h>

/* appends Device(PCI0) and Device(RES0) (its ECAM) to the \_SB scope body SB */
void armz_acpi_pci_dsdt(GByteArray *sb);
