/* Interrupt controller selection: in-kernel vGICv3, in-kernel vGICv2, or
 * the userspace GICv2 with KVM_IRQ_LINE (type CPU) and KVM_CAP_ARM_USER_IRQ
 * for the timers.  Chosen from probed capabilities, never from the host
 * architecture. */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include "vmm.h"
#include "layout.h"
#include "vmmlog.h"
#include "kvm/probe.h"

/* the in-kernel vGIC of TYPE; its fd, or -1 (errno set) */
static int
vgic_create(ArmzVm *vm, uint32_t type)
{
    struct kvm_create_device cd;
    memset(&cd, 0, sizeof(cd));
    cd.type = type;
    if (ioctl(vm->vm_fd, KVM_CREATE_DEVICE, &cd) < 0)
        return -1;
    return (int)cd.fd;
}

static int
vgic_attr(ArmzVm *vm, uint32_t group, uint64_t attr, void *addr)
{
    struct kvm_device_attr a;
    memset(&a, 0, sizeof(a));
    a.group = group;
    a.attr = attr;
    a.addr = (uintptr_t)addr;
    return ioctl(vm->vgic_fd, KVM_SET_DEVICE_ATTR, &a);
}

/* SPI input for the in-kernel vGIC */
static void
vgic_set_spi(void *opaque, unsigned intid, int level)
{
    ArmzVm *vm = opaque;
    struct kvm_irq_level irq;
    memset(&irq, 0, sizeof(irq));
    irq.irq = (ARMZ_KVM_ARM_IRQ_TYPE_SPI << ARMZ_KVM_ARM_IRQ_TYPE_SHIFT) | intid;
    irq.level = level;
    if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &irq) < 0)
        armz_vmm_warn(_("KVM_IRQ_LINE (SPI %u) failed: %s"), intid, g_strerror(errno));
}

/* IRQ line of one vCPU, driven by the userspace GIC (its lock held).
 * KVM_IRQ_LINE sets HCR_EL2.VI with an atomic bit operation, but KVM
 * rewrites hcr_el2 non-atomically whenever it loads a running vCPU (the WFx
 * trap bits), so a line raised from another thread can be lost and the
 * vCPU then sleeps through its IPI.  The level is therefore only recorded
 * here and given to KVM by the vCPU's own thread before it enters the
 * guest (armz_irqchip_apply_line); the kick makes it do so now. */
static void
ugic_cpu_line(void *opaque, unsigned cpu, int level)
{
    ArmzVm *vm = opaque;
    ArmzVcpu *vcpu;

    if (!vm->vcpus || cpu >= vm->nvcpus)
        return;
    vcpu = &vm->vcpus[cpu];
    g_atomic_int_set(&vcpu->irq_line_want, level);
    if (armz_current_vcpu != vcpu)
        armz_vcpu_kick(vcpu);
}

/* On the vCPU's own thread, outside KVM_RUN. */
void
armz_irqchip_apply_line(ArmzVcpu *vcpu)
{
    ArmzVm *vm = vcpu->vm;
    struct kvm_irq_level irq;
    int level = g_atomic_int_get(&vcpu->irq_line_want);
    unsigned cpu = vcpu->index;

    if (level == vcpu->irq_line_set)
        return;
    memset(&irq, 0, sizeof(irq));
    irq.irq = (ARMZ_KVM_ARM_IRQ_TYPE_CPU << ARMZ_KVM_ARM_IRQ_TYPE_SHIFT) |
              ((cpu & 0xff) << ARMZ_KVM_ARM_IRQ_VCPU_SHIFT) |
              (((cpu >> 8) & 0xf) << ARMZ_KVM_ARM_IRQ_VCPU2_SHIFT) |
              ARMZ_KVM_ARM_IRQ_CPU_IRQ;
    irq.level = level;
    if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &irq) < 0)
        armz_vmm_warn(_("KVM_IRQ_LINE (vCPU %u IRQ) failed: %s"), cpu, g_strerror(errno));
    else
        vcpu->irq_line_set = level;
}

/* Decides the interrupt controller (before the vCPUs are created). */
gboolean
armz_irqchip_setup(ArmzVm *vm, GError **error)
{
    ArmzIrqchipMode mode = vm->opts->irqchip;
    gboolean user_irq = armz_kvm_check_cap(vm, ARMZ_KVM_CAP_ARM_USER_IRQ) > 0;

    if (!armz_kvm_profile_allows_vgic(armz_vm_kvm_profile(vm))) {
        armz_vmm_info(_("KVM profile s390: not using an in-kernel GIC (the s390 host lacks "
                        "it)"));
        mode = ARMZ_IRQCHIP_USERSPACE;
    }

    if (mode != ARMZ_IRQCHIP_USERSPACE) {
        if (armz_kvm_vgic_available(vm->vm_fd, ARMZ_KVM_DEV_TYPE_ARM_VGIC_V3)) {
            vm->irqchip = ARMZ_IRQ_KERNEL_GICV3;
            goto done;
        }
        if (vm->nvcpus <= ARMZ_MAX_VCPUS_GICV2 &&
            armz_kvm_vgic_available(vm->vm_fd, ARMZ_KVM_DEV_TYPE_ARM_VGIC_V2)) {
            vm->irqchip = ARMZ_IRQ_KERNEL_GICV2;
            goto done;
        }
        if (mode == ARMZ_IRQCHIP_KERNEL) {
            g_set_error(error, ARMZ_VMM_ERROR, 0,
                        _("KVM device %s offers no in-kernel GIC (KVM_CREATE_DEVICE "
                          "of ARM_VGIC_V3 or ARM_VGIC_V2 fails); use --irqchip=userspace"),
                        vm->kvm_path);
            return FALSE;
        }
    }
    if (!user_irq) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("KVM device %s lacks capability KVM_CAP_ARM_USER_IRQ "
                      "(needed for the userspace interrupt controller)%s"),
                    vm->kvm_path,
                    mode == ARMZ_IRQCHIP_AUTO ? _(" and offers no in-kernel GIC") : "");
        return FALSE;
    }
    if (vm->nvcpus > ARMZ_MAX_VCPUS_GICV2) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("the userspace interrupt controller (GICv2) supports at most %d vCPUs"),
                    ARMZ_MAX_VCPUS_GICV2);
        return FALSE;
    }
    vm->irqchip = ARMZ_IRQ_USER_GICV2;
done:
    armz_vmm_debug("interrupt controller: %s",
                   vm->irqchip == ARMZ_IRQ_KERNEL_GICV3 ? "in-kernel GICv3" :
                   vm->irqchip == ARMZ_IRQ_KERNEL_GICV2 ? "in-kernel GICv2" :
                   "userspace GICv2");
    return TRUE;
}

/* ArmzMsiFn of the in-kernel ITS: the message write, with the requester
 * ID as the ITS device ID (msi-map is the identity) */
static void
its_send(void *opaque, uint64_t addr, uint32_t data, uint32_t devid)
{
    ArmzVm *vm = opaque;
    struct kvm_msi msi;

    memset(&msi, 0, sizeof(msi));
    msi.address_lo = (uint32_t)addr;
    msi.address_hi = (uint32_t)(addr >> 32);
    msi.data = data;
    msi.flags = ARMZ_KVM_MSI_VALID_DEVID;
    msi.devid = devid;
    /* 0: the guest has the LPI disabled or unmapped, as on hardware */
    if (ioctl(vm->vm_fd, ARMZ_KVM_SIGNAL_MSI, &msi) < 0)
        armz_vmm_debug("KVM_SIGNAL_MSI (devid 0x%x, data %u) failed: %s", devid, data,
                       g_strerror(errno));
}

/* --pci on the in-kernel GICv3: an ITS where KVM offers one (its fd, or
 * -1: the guest's PCI functions then use INTx) */
static int
its_create(ArmzVm *vm)
{
    struct kvm_create_device cd;
    struct kvm_device_attr a;
    uint64_t base = ARMZ_GIC_ITS_BASE;

    if (armz_kvm_check_cap(vm, ARMZ_KVM_CAP_SIGNAL_MSI) <= 0)
        return -1;
    memset(&cd, 0, sizeof(cd));
    cd.type = ARMZ_KVM_DEV_TYPE_ARM_VGIC_ITS;
    if (ioctl(vm->vm_fd, KVM_CREATE_DEVICE, &cd) < 0)
        return -1;
    memset(&a, 0, sizeof(a));
    a.group = ARMZ_VGIC_GRP_ADDR;
    a.attr = ARMZ_VGIC_ITS_ADDR_TYPE;
    a.addr = (uintptr_t)&base;
    if (ioctl((int)cd.fd, KVM_SET_DEVICE_ATTR, &a) < 0)
        goto fail;
    memset(&a, 0, sizeof(a));
    a.group = ARMZ_VGIC_GRP_CTRL;
    a.attr = ARMZ_VGIC_CTRL_INIT;
    if (ioctl((int)cd.fd, KVM_SET_DEVICE_ATTR, &a) < 0)
        goto fail;
    return (int)cd.fd;

fail:
    close((int)cd.fd);
    return -1;
}

/* --pci: the MSI controller, from what KVM offers: the ITS of an in-kernel
 * GICv3, else the GICv2m frame of a GICv2; none (INTx) for a GICv3
 * without an ITS */
static gboolean
msi_setup(ArmzVm *vm, GError **error)
{
    vm->msi = ARMZ_MSI_NONE;
    if (!vm->opts->pci)
        return TRUE;
    if (vm->irqchip == ARMZ_IRQ_KERNEL_GICV3) {
        vm->its_fd = its_create(vm);
        if (vm->its_fd >= 0) {
            vm->msi = ARMZ_MSI_ITS;
            vm->board.msi.send = its_send;
            vm->board.msi.opaque = vm;
        }
    } else {
        ArmzMmioRegion r = { "gicv2m", ARMZ_GICV2M_BASE, ARMZ_GICV2M_SIZE,
                             armz_gicv2m_read, armz_gicv2m_write, &vm->v2m };
        armz_gicv2m_init(&vm->v2m, ARMZ_GICV2M_BASE, ARMZ_GICV2M_SPI, ARMZ_GICV2M_NUM_SPIS,
                         vm->board.irq_set, vm->board.irq_opaque);
        if (!armz_mmio_bus_add(vm->bus, &r, error))
            return FALSE;
        vm->msi = ARMZ_MSI_GICV2M;
        vm->board.msi.send = armz_gicv2m_send;
        vm->board.msi.opaque = &vm->v2m;
    }
    armz_vmm_debug("PCI MSIs: %s", vm->msi == ARMZ_MSI_ITS ? "in-kernel ITS (KVM_SIGNAL_MSI)" :
                                   vm->msi == ARMZ_MSI_GICV2M ? "GICv2m frame" : "none (INTx)");
    return TRUE;
}

/* the interrupt controller itself */
static gboolean
irqchip_create(ArmzVm *vm, GError **error)
{
    if (vm->irqchip == ARMZ_IRQ_USER_GICV2) {
        ArmzMmioRegion dist = { "gic-dist", ARMZ_GIC_DIST_BASE, 0x1000,
                                armz_ugic_dist_read, armz_ugic_dist_write, NULL };
        ArmzMmioRegion cpu = { "gic-cpu", ARMZ_GICV2_CPU_BASE, ARMZ_GICV2_CPU_SIZE,
                               armz_ugic_cpu_read, armz_ugic_cpu_write, NULL };
        vm->ugic = armz_ugic_new(vm->nvcpus, ARMZ_NR_IRQS, ugic_cpu_line, vm);
        dist.opaque = cpu.opaque = vm->ugic;
        if (!armz_mmio_bus_add(vm->bus, &dist, error) || !armz_mmio_bus_add(vm->bus, &cpu, error))
            return FALSE;
        vm->board.irq_set = armz_ugic_set_spi;
        vm->board.irq_opaque = vm->ugic;
        return TRUE;
    }

    uint32_t type = vm->irqchip == ARMZ_IRQ_KERNEL_GICV3 ? ARMZ_KVM_DEV_TYPE_ARM_VGIC_V3
                                                         : ARMZ_KVM_DEV_TYPE_ARM_VGIC_V2;
    uint64_t dist = ARMZ_GIC_DIST_BASE;
    uint64_t second = vm->irqchip == ARMZ_IRQ_KERNEL_GICV3 ? ARMZ_GICV3_REDIST_BASE
                                                           : ARMZ_GICV2_CPU_BASE;
    uint32_t nr_irqs = ARMZ_NR_IRQS;
    const char *what;

    vm->vgic_fd = vgic_create(vm, type);
    if (vm->vgic_fd < 0) {
        what = "KVM_CREATE_DEVICE";
        goto fail;
    }
    if (vgic_attr(vm, ARMZ_VGIC_GRP_ADDR,
                  vm->irqchip == ARMZ_IRQ_KERNEL_GICV3 ? ARMZ_VGIC_V3_ADDR_TYPE_DIST
                                                       : ARMZ_VGIC_V2_ADDR_TYPE_DIST,
                  &dist) < 0 ||
        vgic_attr(vm, ARMZ_VGIC_GRP_ADDR,
                  vm->irqchip == ARMZ_IRQ_KERNEL_GICV3 ? ARMZ_VGIC_V3_ADDR_TYPE_REDIST
                                                       : ARMZ_VGIC_V2_ADDR_TYPE_CPU,
                  &second) < 0) {
        what = "KVM_DEV_ARM_VGIC_GRP_ADDR";
        goto fail;
    }
    if (vgic_attr(vm, ARMZ_VGIC_GRP_NR_IRQS, 0, &nr_irqs) < 0) {
        what = "KVM_DEV_ARM_VGIC_GRP_NR_IRQS";
        goto fail;
    }
    if (vgic_attr(vm, ARMZ_VGIC_GRP_CTRL, ARMZ_VGIC_CTRL_INIT, NULL) < 0) {
        what = "KVM_DEV_ARM_VGIC_CTRL_INIT";
        goto fail;
    }
    vm->board.irq_set = vgic_set_spi;
    vm->board.irq_opaque = vm;
    return TRUE;

fail:
    g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot set up the in-kernel GIC%s: %s failed: %s"),
                vm->irqchip == ARMZ_IRQ_KERNEL_GICV3 ? "v3" : "v2", what, g_strerror(errno));
    return FALSE;
}

/* Creates the controller once the vCPUs exist, maps it, sets the devices'
 * interrupt input; then the MSI controller of --pci. */
gboolean
armz_irqchip_finalize(ArmzVm *vm, GError **error)
{
    return irqchip_create(vm, error) && msi_setup(vm, error);
}

void
armz_irqchip_reset(ArmzVm *vm)
{
    if (vm->ugic)
        armz_ugic_reset(vm->ugic);
    else
        armz_vgic_reset(vm);
    if (vm->its_fd >= 0) {
        /* the rebooted guest sets up the ITS afresh (kernels before 4.19
         * lack the reset: the guest's ITS driver then copes as on kexec) */
        struct kvm_device_attr a;
        memset(&a, 0, sizeof(a));
        a.group = ARMZ_VGIC_GRP_CTRL;
        a.attr = ARMZ_VGIC_ITS_CTRL_RESET;
        if (ioctl(vm->its_fd, KVM_SET_DEVICE_ATTR, &a) < 0)
            armz_vmm_debug("ITS reset failed: %s", g_strerror(errno));
    }
}

/* Userspace GIC: forward the timer outputs KVM reports in kvm_run. */
void
armz_irqchip_sync_timer(ArmzVcpu *vcpu)
{
    uint64_t level = armz_kvm_run_device_irq_level(vcpu->run);
    uint64_t changed = level ^ vcpu->irq_level;

    if (!changed)
        return;
    vcpu->irq_level = level;
    if (changed & ARMZ_KVM_ARM_DEV_EL1_VTIMER)
        armz_ugic_set_ppi(vcpu->vm->ugic, vcpu->index, 16 + ARMZ_PPI_TIMER_VIRT,
                          (level & ARMZ_KVM_ARM_DEV_EL1_VTIMER) != 0);
    if (changed & ARMZ_KVM_ARM_DEV_EL1_PTIMER)
        armz_ugic_set_ppi(vcpu->vm->ugic, vcpu->index, 16 + ARMZ_PPI_TIMER_PHYS,
                          (level & ARMZ_KVM_ARM_DEV_EL1_PTIMER) != 0);
}
