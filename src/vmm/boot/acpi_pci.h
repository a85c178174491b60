/* The PCIe host bridge's DSDT devices (boot/acpi_pci.c). */
#pragma once
#include <glib.h>
#include "pci/pci_window.h"

/* appends Device(PCI0) and Device(RES0) (its ECAM) to the \_SB scope body
 * SB; HIGH: the 64-bit window (size 0: none) */
void armz_acpi_pci_dsdt(GByteArray *sb, const ArmzPciWindow *high);
