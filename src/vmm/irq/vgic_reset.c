/* A VM reset in place (QMP system_reset, PSCI SYSTEM_RESET) keeps the
 * in-kernel vGIC: KVM resets a vCPU's registers, not the interrupt
 * controller.  An interrupt the old kernel had taken but not yet ended stays
 * active (and its priority stays in the CPU interface's active-priority
 * registers), so the new kernel never sees that interrupt again and, with
 * the timer's, hangs.  Clearing what a reset clears on real hardware
 * (enables, pending and active bits, active priorities) through the
 * device's user-space register access gives the new kernel a quiet GIC; it
 * programs everything else itself.  Runs with every vCPU paused (KVM
 * refuses these accesses with EBUSY while one runs). */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <glib/gi18n-lib.h>
#include "vmm.h"
#include "layout.h"
#include "vmmlog.h"

/* GICD_/GICR_ "clear" banks, 32 interrupts per register. */
#define GIC_ICENABLER  0x180
#define GIC_ICPENDR    0x280
#define GIC_ICACTIVER  0x380
#define GICR_SGI_BASE  0x10000   /* SGI/PPI frame of a GICv3 redistributor */
#define GICC_APR0      0xd0      /* GICv2 active priorities */

static gboolean
vgic_write(ArmzVm *vm, uint32_t group, uint64_t attr, void *val)
{
    struct kvm_device_attr a;

    memset(&a, 0, sizeof(a));
    a.group = group;
    a.attr = attr;
    a.addr = (uintptr_t)val;
    if (ioctl(vm->vgic_fd, KVM_SET_DEVICE_ATTR, &a) == 0)
        return TRUE;
    armz_vmm_warn(_("resetting the in-kernel GIC: register group %u attribute 0x%" G_GINT64_MODIFIER
                    "x: %s"), group, (guint64)attr, g_strerror(errno));
    return FALSE;
}

static void
clear_banks(ArmzVm *vm, uint32_t group, uint64_t who, uint32_t base, unsigned first,
            unsigned last)
{
    static const uint32_t banks[] = { GIC_ICENABLER, GIC_ICPENDR, GIC_ICACTIVER };
    uint32_t ones = 0xffffffffu;

    for (unsigned b = 0; b < G_N_ELEMENTS(banks); b++)
        for (unsigned n = first; n <= last; n++)
            vgic_write(vm, group, who | (base + banks[b] + 4 * n), &ones);
}

/* Active priorities: AP0R0..3 and AP1R0..3 exist up to the number of
 * priority bits the vCPU interface has; the missing ones are refused, which
 * is expected. */
static void
clear_v3_cpu(ArmzVm *vm, uint64_t who)
{
    uint64_t zero = 0;
    struct kvm_device_attr a;

    for (unsigned n = 0; n < 4; n++) {
        for (unsigned grp = 0; grp < 2; grp++) {
            uint64_t reg = grp == 0 ? ARMZ_VGIC_SYSREG(3, 0, 12, 8, 4 | n)
                                    : ARMZ_VGIC_SYSREG(3, 0, 12, 9, n);
            memset(&a, 0, sizeof(a));
            a.group = ARMZ_VGIC_GRP_CPU_SYSREGS;
            a.attr = who | reg;
            a.addr = (uintptr_t)&zero;
            if (ioctl(vm->vgic_fd, KVM_SET_DEVICE_ATTR, &a) < 0 && n == 0)
                armz_vmm_warn(_("resetting the in-kernel GIC: ICC_AP%uR0_EL1: %s"), grp,
                              g_strerror(errno));
        }
    }
}

void
armz_vgic_reset(ArmzVm *vm)
{
    unsigned last_spi_bank = ARMZ_NR_IRQS / 32 - 1;
    uint32_t zero = 0;

    if (vm->vgic_fd < 0)
        return;
    if (vm->irqchip == ARMZ_IRQ_KERNEL_GICV3) {
        /* shared interrupts in the distributor (bank 0 is the
         * redistributors' with affinity routing) */
        clear_banks(vm, ARMZ_VGIC_GRP_DIST_REGS, 0, 0, 1, last_spi_bank);
        for (unsigned i = 0; i < vm->nvcpus; i++) {
            uint64_t who = ARMZ_VGIC_MPIDR_ATTR(vm->vcpus[i].mpidr);
            clear_banks(vm, ARMZ_VGIC_GRP_REDIST_REGS, who, GICR_SGI_BASE, 0, 0);
            clear_v3_cpu(vm, who);
        }
    } else if (vm->irqchip == ARMZ_IRQ_KERNEL_GICV2) {
        clear_banks(vm, ARMZ_VGIC_GRP_DIST_REGS, 0, 0, 1, last_spi_bank);
        for (unsigned i = 0; i < vm->nvcpus; i++) {
            uint64_t who = (uint64_t)i << 32;
            clear_banks(vm, ARMZ_VGIC_GRP_DIST_REGS, who, 0, 0, 0);
            vgic_write(vm, ARMZ_VGIC_GRP_CPU_REGS, who | GICC_APR0, &zero);
        }
    }
}
