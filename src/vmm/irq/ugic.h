/* Userspace GIC: a GICv2 distributor and per-CPU interfaces emulated in
 * armz-vmm, for hosts without an in-kernel vGIC (s390x kvm-arm64).  The
 * result of its arbitration is one IRQ line per vCPU, which the VMM drives
 * with KVM_IRQ_LINE (type CPU).  GICv2 because its CPU interface is
 * memory-mapped: a GICv3 CPU interface is system registers, which KVM does
 * not forward to user space.
 *
 * No security extensions: every interrupt is group 0 and signalled as IRQ. */
#pragma once
#include <stdint.h>
#include <stdbool.h>

#define UGIC_MAX_CPUS 8

/* GICD register offsets */
#define GICD_CTLR       0x000
#define GICD_TYPER      0x004
#define GICD_IIDR       0x008
#define GICD_IGROUPR    0x080
#define GICD_ISENABLER  0x100
#define GICD_ICENABLER  0x180
#define GICD_ISPENDR    0x200
#define GICD_ICPENDR    0x280
#define GICD_ISACTIVER  0x300
#define GICD_ICACTIVER  0x380
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR  0x800
#define GICD_ICFGR      0xc00
#define GICD_SGIR       0xf00
#define GICD_CPENDSGIR  0xf10
#define GICD_SPENDSGIR  0xf20

/* GICC register offsets */
#define GICC_CTLR       0x00
#define GICC_PMR        0x04
#define GICC_BPR        0x08
#define GICC_IAR        0x0c
#define GICC_EOIR       0x10
#define GICC_RPR        0x14
#define GICC_HPPIR      0x18
#define GICC_AIAR       0x20
#define GICC_AHPPIR     0x28
#define GICC_IIDR       0xfc
#define GICC_DIR        0x1000

#define GIC_SPURIOUS    1023

typedef struct _ArmzUgic ArmzUgic;

/* LINE(opaque, cpu, level): the IRQ input of vCPU CPU changes. Called with
 * the GIC lock held: it must not call back into the GIC. */
typedef void (*ArmzUgicLineFn)(void *opaque, unsigned cpu, int level);

ArmzUgic *armz_ugic_new(unsigned ncpus, unsigned nirqs, ArmzUgicLineFn line, void *opaque);
void armz_ugic_free(ArmzUgic *g);
void armz_ugic_reset(ArmzUgic *g);

/* Shared peripheral interrupt input (ArmzIrqSetFn compatible; INTID >= 32). */
void armz_ugic_set_spi(void *gic, unsigned intid, int level);
/* Private (PPI) input of one CPU, e.g. its virtual timer (INTID 16..31). */
void armz_ugic_set_ppi(ArmzUgic *g, unsigned cpu, unsigned intid, int level);

/* MMIO handlers; the accessing CPU is armz_mmio_cpu. */
uint64_t armz_ugic_dist_read(void *opaque, uint64_t offset, unsigned size);
void armz_ugic_dist_write(void *opaque, uint64_t offset, unsigned size, uint64_t value);
uint64_t armz_ugic_cpu_read(void *opaque, uint64_t offset, unsigned size);
void armz_ugic_cpu_write(void *opaque, uint64_t offset, unsigned size, uint64_t value);

/* Current IRQ line level of CPU (for tests). */
int armz_ugic_line(ArmzUgic *g, unsigned cpu);
