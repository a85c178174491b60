/* Device tree of the armz-vmm board, built with libfdt. */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <glib.h>
#include "pci/msi.h"
#include "pci/pci_window.h"

typedef enum {
    ARMZ_GIC_V3,        /* in-kernel vGICv3 */
    ARMZ_GIC_V2,        /* in-kernel vGICv2 or the userspace GICv2 */
} ArmzGicVersion;

typedef struct {
    uint64_t ram_base, ram_size;
    unsigned ncpus;
    const uint64_t *mpidr;          /* ncpus entries (MPIDR_EL1 affinity) */
    ArmzGicVersion gic;
    const char *cmdline;            /* may be NULL */
    uint64_t initrd_start, initrd_end;  /* both 0: no initrd */
    unsigned nvirtio;               /* virtio-mmio slots 0 .. nvirtio-1 */
    bool firmware;                  /* flash banks and fw_cfg present */
    unsigned sockets, cores, threads;   /* cpu-map; sockets 0: none */
    bool pci;                       /* the PCIe host bridge (virtio devices on it) */
    ArmzMsiKind msi;                /* with an ITS or a GICv2m frame in the GIC node */
    ArmzPciWindow pci_high;         /* its 64-bit MMIO window (size 0: none) */
} ArmzFdtConfig;

#define ARMZ_FDT_RNG_SEED_SIZE 32      /* QEMU virt's /chosen/rng-seed */

/* Returns a packed device tree (g_free it) of *SIZE bytes, at most 2 MiB. */
void *armz_fdt_build(const ArmzFdtConfig *cfg, size_t *size, GError **error);

/* Fresh random bytes in /chosen/kaslr-seed and /chosen/rng-seed of FDT,
 * for each boot (a reset boots a new kernel: the old one wiped its seeds
 * and a reused seed would give it the same layout). */
gboolean armz_fdt_randomize(void *fdt, GError **error);
