/* Where the 64-bit MMIO window of the PCIe host bridge goes: QEMU virt's
 * high PCIe MMIO region (512 GiB, aligned on its size, past RAM and past
 * the other high regions QEMU puts from 256 GiB up: 64 MiB of
 * redistributors and the 256 MiB high ECAM), which takes a 40-bit IPA;
 * with a smaller IPA the largest power-of-two window (at least 1 GiB)
 * that ends at the top of the IPA space, above 4 GiB and past RAM; or
 * none. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

typedef struct {
    uint64_t base, size;            /* size 0: no window */
} ArmzPciWindow;

#define ARMZ_PCIE_MMIO_HIGH_SIZE   (512ULL << 30)
#define ARMZ_PCIE_MMIO_HIGH_MIN    (1ULL << 30)

/* The window for guest RAM ending at RAM_END (exclusive) in an IPA space
 * of IPA_BITS; false (W->size 0) when none fits. */
bool armz_pci_high_window(uint64_t ram_end, unsigned ipa_bits, ArmzPciWindow *w);
/* The same, logged: where the window is (--debug), or that there is none. */
void armz_pci_window_choose(uint64_t ram_end, unsigned ipa_bits, ArmzPciWindow *w);
