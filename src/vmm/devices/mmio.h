/* MMIO bus: dispatches guest accesses (KVM_EXIT_MMIO) to device models.
 * Values handed to devices are host integers; the bytes in kvm_run are in
 * guest (little-endian) order and converted here, explicitly. */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include <glib.h>

typedef uint64_t (*ArmzMmioReadFn)(void *opaque, uint64_t offset, unsigned size);
typedef void (*ArmzMmioWriteFn)(void *opaque, uint64_t offset, unsigned size,
                                uint64_t value);

typedef struct {
    const char *name;
    uint64_t base;
    uint64_t size;
    ArmzMmioReadFn read;
    ArmzMmioWriteFn write;
    void *opaque;
} ArmzMmioRegion;

typedef struct _ArmzMmioBus ArmzMmioBus;

ArmzMmioBus *armz_mmio_bus_new(void);
void armz_mmio_bus_free(ArmzMmioBus *bus);
/* FALSE (and ERROR) if the range overlaps a registered one. */
gboolean armz_mmio_bus_add(ArmzMmioBus *bus, const ArmzMmioRegion *region,
                           GError **error);
const ArmzMmioRegion *armz_mmio_bus_find(ArmzMmioBus *bus, uint64_t addr);

/* One guest access: DATA holds LEN (1, 2, 4 or 8) bytes in guest order.
 * Reads fill DATA.  Returns FALSE when nothing is mapped at ADDR: reads
 * then return zero, writes are dropped, and the access is logged. */
gboolean armz_mmio_bus_access(ArmzMmioBus *bus, uint64_t addr, uint8_t *data,
                              unsigned len, bool is_write);
/* --debug: logs the accesses seen so far per region (docs/performance.md). */
void armz_mmio_bus_debug_counts(ArmzMmioBus *bus);
/* Number of unmapped accesses seen so far (for tests and diagnostics). */
unsigned armz_mmio_bus_unmapped_count(ArmzMmioBus *bus);

/* Guest (little-endian) bytes <-> host integers, independent of host order. */
static inline uint64_t
armz_le_bytes_to_u64(const uint8_t *p, unsigned len)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < len && i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static inline void
armz_u64_to_le_bytes(uint8_t *p, unsigned len, uint64_t v)
{
    for (unsigned i = 0; i < len && i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Index of the vCPU performing the current MMIO access (banked registers of
 * the userspace GIC).  Each vCPU thread sets it once; tests set it by hand. */
extern __thread unsigned armz_mmio_cpu;
