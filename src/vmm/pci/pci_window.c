/* The 64-bit PCIe MMIO window: see pci_window.h. */
#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include "pci/pci_window.h"
#include "vmmlog.h"

#define GiB (1ULL << 30)
#define MiB (1ULL << 20)

static uint64_t
round_up(uint64_t v, uint64_t align)
{
    return (v + align - 1) & ~(align - 1);
}

bool
armz_pci_high_window(uint64_t ram_end, unsigned ipa_bits, ArmzPciWindow *w)
{
    uint64_t top = ipa_bits >= 64 ? UINT64_MAX : (1ULL << ipa_bits);
    uint64_t low = round_up(ram_end, GiB), at;

    w->base = w->size = 0;
    /* QEMU's extended map: from 256 GiB (or RAM's end) up, each region
     * aligned on its size */
    at = low > 256 * GiB ? low : 256 * GiB;
    at = round_up(at, 64 * MiB) + 64 * MiB;
    at = round_up(at, 256 * MiB) + 256 * MiB;
    at = round_up(at, ARMZ_PCIE_MMIO_HIGH_SIZE);
    if (ipa_bits < 64 && at + ARMZ_PCIE_MMIO_HIGH_SIZE <= top) {
        w->base = at;
        w->size = ARMZ_PCIE_MMIO_HIGH_SIZE;
        return true;
    }
    if (low < 4 * GiB)
        low = 4 * GiB;
    for (uint64_t size = ARMZ_PCIE_MMIO_HIGH_SIZE / 2; size >= ARMZ_PCIE_MMIO_HIGH_MIN;
         size /= 2) {
        if (size <= top && top - size >= low) {
            w->base = top - size;
            w->size = size;
            return true;
        }
    }
    return false;
}

void
armz_pci_window_choose(uint64_t ram_end, unsigned ipa_bits, ArmzPciWindow *w)
{
    if (armz_pci_high_window(ram_end, ipa_bits, w))
        armz_vmm_debug("PCI 64-bit MMIO window: 0x%" PRIx64 "-0x%" PRIx64 " (IPA %u bits)",
                       w->base, w->base + w->size - 1, ipa_bits);
    else
        armz_vmm_info(_("no 64-bit PCI MMIO window: a %u-bit guest physical address space has "
                        "no room for one past guest memory; 64-bit BARs go below 4 GiB"),
                      ipa_bits);
}
