/* arm64 KVM user-space ABI constants used by armz-vmm.
 *
 * s390x hosts (the kvm-arm64 module) install no arm64 <asm/kvm.h>, and x86
 * hosts have none either, so armz-vmm carries the few numbers it needs here,
 * written from the documented ABI (Documentation/virt/kvm/api.rst and the
 * arm64 uAPI).  Everything is prefixed ARMZ_ so it never clashes with the
 * host's own headers.  Generic KVM ioctls (KVM_RUN, KVM_CREATE_VM, ...) come
 * from <linux/kvm.h>, which every Linux host architecture installs. */
#pragma once

#include <stddef.h>
#include <string.h>
#include <stdint.h>
#include <linux/ioctl.h>
#include <linux/kvm.h>

/* ---- vCPU initialisation ------------------------------------------------ */

/* struct kvm_vcpu_init of arm64: a target and a 7-word feature bitmap. */
struct armz_kvm_vcpu_init {
    uint32_t target;
    uint32_t features[7];
};

#define ARMZ_KVM_ARM_VCPU_INIT         _IOW(KVMIO, 0xae, struct armz_kvm_vcpu_init)
#define ARMZ_KVM_ARM_PREFERRED_TARGET  _IOR(KVMIO, 0xaf, struct armz_kvm_vcpu_init)

#define ARMZ_KVM_ARM_TARGET_GENERIC_V8 5

/* feature bits in features[0] */
#define ARMZ_KVM_ARM_VCPU_POWER_OFF    0   /* vCPU starts powered off (PSCI) */
#define ARMZ_KVM_ARM_VCPU_EL1_32BIT    1
#define ARMZ_KVM_ARM_VCPU_PSCI_0_2     2   /* in-kernel PSCI v0.2+ */
#define ARMZ_KVM_ARM_VCPU_PMU_V3       3
#define ARMZ_KVM_ARM_VCPU_SVE          4
#define ARMZ_KVM_ARM_VCPU_PTRAUTH_ADDRESS 5
#define ARMZ_KVM_ARM_VCPU_PTRAUTH_GENERIC 6

/* ---- ONE_REG register ids ----------------------------------------------- */

#define ARMZ_KVM_REG_ARM64             0x6000000000000000ULL
#define ARMZ_KVM_REG_SIZE_U64          0x0030000000000000ULL
#define ARMZ_KVM_REG_ARM_CORE          (0x0010ULL << 16)
#define ARMZ_KVM_REG_ARM64_SYSREG      (0x0013ULL << 16)

/* Core registers are addressed by their offset, in 32-bit words, inside the
 * arm64 struct kvm_regs: regs[31] (x0..x30), sp, pc, pstate, all u64, at the
 * start of the structure. */
#define ARMZ_CORE_OFF_X(n)             ((uint64_t)(n) * 2)
#define ARMZ_CORE_OFF_SP               (31 * 2)
#define ARMZ_CORE_OFF_PC               (32 * 2)
#define ARMZ_CORE_OFF_PSTATE           (33 * 2)
#define ARMZ_CORE_REG(off) \
    (ARMZ_KVM_REG_ARM64 | ARMZ_KVM_REG_SIZE_U64 | ARMZ_KVM_REG_ARM_CORE | (uint64_t)(off))

#define ARMZ_SYS_REG(op0, op1, crn, crm, op2) \
    (ARMZ_KVM_REG_ARM64 | ARMZ_KVM_REG_SIZE_U64 | ARMZ_KVM_REG_ARM64_SYSREG | \
     ((uint64_t)(op0) << 14) | ((uint64_t)(op1) << 11) | ((uint64_t)(crn) << 7) | \
     ((uint64_t)(crm) << 3) | (uint64_t)(op2))
#define ARMZ_REG_MPIDR_EL1             ARMZ_SYS_REG(3, 0, 0, 0, 5)

/* PSTATE at kernel entry: EL1h (SPSel = 1), D, A, I, F masked. */
#define ARMZ_PSTATE_EL1H_DAIF          0x3c5ULL

/* ---- VM type ------------------------------------------------------------ */

#define ARMZ_KVM_VM_TYPE_IPA_SIZE_MASK 0xffULL

/* ---- Capabilities (generic numbering, defined here for old headers) ------ */

#define ARMZ_KVM_CAP_NR_VCPUS          9
#define ARMZ_KVM_CAP_IRQFD             32
#define ARMZ_KVM_CAP_IOEVENTFD         36
#define ARMZ_KVM_CAP_MAX_VCPUS         66
#define ARMZ_KVM_CAP_ONE_REG           70
#define ARMZ_KVM_CAP_SIGNAL_MSI        77
#define ARMZ_KVM_CAP_READONLY_MEM      81
#define ARMZ_KVM_CAP_ARM_PSCI          87
#define ARMZ_KVM_CAP_DEVICE_CTRL       89
#define ARMZ_KVM_CAP_ARM_PSCI_0_2      102
#define ARMZ_KVM_CAP_ARM_PMU_V3        126
#define ARMZ_KVM_CAP_MAX_VCPU_ID       128
#define ARMZ_KVM_CAP_IMMEDIATE_EXIT    136
#define ARMZ_KVM_CAP_ARM_USER_IRQ      144
#define ARMZ_KVM_CAP_ARM_VM_IPA_SIZE   165
#define ARMZ_KVM_CAP_ARM_SVE           170
#define ARMZ_KVM_CAP_ARM_PTRAUTH_ADDRESS 171
#define ARMZ_KVM_CAP_ARM_PTRAUTH_GENERIC 172

/* ---- SMCCC filter (Linux 6.4+): VM attribute, KVM_SET_DEVICE_ATTR on the VM -- */

#define ARMZ_KVM_ARM_VM_SMCCC_CTRL     0   /* attribute group */
#define ARMZ_KVM_ARM_VM_SMCCC_FILTER   0   /* attribute */
#define ARMZ_KVM_SMCCC_FILTER_HANDLE   0
#define ARMZ_KVM_SMCCC_FILTER_DENY     1
#define ARMZ_KVM_SMCCC_FILTER_FWD_TO_USER 2

/* struct kvm_smccc_filter: function ids BASE .. BASE + NR_FUNCTIONS - 1 */
struct armz_kvm_smccc_filter {
    uint32_t base;
    uint32_t nr_functions;
    uint8_t action;
    uint8_t pad[15];
};

/* kvm_run.hypercall.flags on arm64 (a u64 at the offset of the older
 * headers' u32 longmode: read it whole, or a big-endian host sees the
 * wrong half) */
#define ARMZ_KVM_HYPERCALL_EXIT_SMC    (1ULL << 0)
#define ARMZ_KVM_HYPERCALL_EXIT_16BIT  (1ULL << 1)

/* ---- KVM_IOEVENTFD (generic struct kvm_ioeventfd of <linux/kvm.h>) ------- */

#define ARMZ_KVM_IOEVENTFD             _IOW(KVMIO, 0x79, struct kvm_ioeventfd)
#define ARMZ_KVM_IOEVENTFD_FLAG_DATAMATCH (1u << 0)
#define ARMZ_KVM_IOEVENTFD_FLAG_DEASSIGN  (1u << 2)

/* ---- MSIs through the in-kernel ITS (--pci) ------------------------------- */

#define ARMZ_KVM_CAP_SIGNAL_MSI        77
#define ARMZ_KVM_CAP_MSI_DEVID         131
#define ARMZ_KVM_SIGNAL_MSI            _IOW(KVMIO, 0xa5, struct kvm_msi)
#define ARMZ_KVM_MSI_VALID_DEVID       (1u << 0)
#define ARMZ_KVM_DEV_TYPE_ARM_VGIC_ITS 8
#define ARMZ_VGIC_ITS_ADDR_TYPE        4
#define ARMZ_VGIC_ITS_CTRL_RESET       4

/* ---- In-kernel vGIC (KVM_CREATE_DEVICE) ---------------------------------- */

#define ARMZ_KVM_DEV_TYPE_ARM_VGIC_V2  5
#define ARMZ_KVM_DEV_TYPE_ARM_VGIC_V3  7
#define ARMZ_KVM_CREATE_DEVICE_TEST    1

#define ARMZ_VGIC_GRP_ADDR             0
#define ARMZ_VGIC_GRP_DIST_REGS        1   /* attr: cpu (v2) or MPIDR (v3) << 32 | offset */
#define ARMZ_VGIC_GRP_CPU_REGS         2   /* GICv2 CPU interface, attr as above */
#define ARMZ_VGIC_GRP_NR_IRQS          3
#define ARMZ_VGIC_GRP_CTRL             4
#define ARMZ_VGIC_CTRL_INIT            0
#define ARMZ_VGIC_GRP_REDIST_REGS      5   /* GICv3 redistributor, attr: MPIDR << 32 | offset */
#define ARMZ_VGIC_GRP_CPU_SYSREGS      6   /* GICv3 ICC_* of one vCPU, attr: MPIDR << 32 | sysreg */
/* The MPIDR field of these attributes: Aff3.Aff2.Aff1.Aff0, one byte each. */
#define ARMZ_VGIC_MPIDR_ATTR(mpidr) \
    ((((mpidr) >> 8 & 0xff000000ull) | ((mpidr) & 0xffffffull)) << 32)
/* The sysreg field: op0 op1 CRn CRm op2 as in ARMZ_SYS_REG. */
#define ARMZ_VGIC_SYSREG(op0, op1, crn, crm, op2) \
    (((uint64_t)(op0) << 14) | ((uint64_t)(op1) << 11) | ((uint64_t)(crn) << 7) | \
     ((uint64_t)(crm) << 3) | (uint64_t)(op2))

#define ARMZ_VGIC_V2_ADDR_TYPE_DIST    0
#define ARMZ_VGIC_V2_ADDR_TYPE_CPU     1
#define ARMZ_VGIC_V3_ADDR_TYPE_DIST    2
#define ARMZ_VGIC_V3_ADDR_TYPE_REDIST  3

/* ---- KVM_IRQ_LINE encoding ----------------------------------------------- */

#define ARMZ_KVM_ARM_IRQ_VCPU2_SHIFT   28
#define ARMZ_KVM_ARM_IRQ_TYPE_SHIFT    24
#define ARMZ_KVM_ARM_IRQ_VCPU_SHIFT    16
#define ARMZ_KVM_ARM_IRQ_TYPE_CPU      0
#define ARMZ_KVM_ARM_IRQ_TYPE_SPI      1
#define ARMZ_KVM_ARM_IRQ_TYPE_PPI      2
#define ARMZ_KVM_ARM_IRQ_CPU_IRQ       0
#define ARMZ_KVM_ARM_IRQ_CPU_FIQ       1

/* ---- KVM_CAP_ARM_USER_IRQ: kvm_run->s.regs.device_irq_level bits --------- */

#define ARMZ_KVM_ARM_DEV_EL1_VTIMER    (1ULL << 0)
#define ARMZ_KVM_ARM_DEV_EL1_PTIMER    (1ULL << 1)
#define ARMZ_KVM_ARM_DEV_PMU           (1ULL << 2)

/* The arm64 struct kvm_sync_regs starts with the u64 device_irq_level; the
 * generic kvm_run keeps that union at the same offset on every host
 * architecture, so read it through the union's padding bytes (host order:
 * it is a kernel ABI value, not guest memory). */
static inline uint64_t
armz_kvm_run_device_irq_level(const struct kvm_run *run)
{
    uint64_t v;
    memcpy(&v, &run->s, sizeof(v));
    return v;
}

/* ---- Exits and system events --------------------------------------------- */

#define ARMZ_KVM_EXIT_HYPERCALL        3
#define ARMZ_KVM_EXIT_MMIO             6
#define ARMZ_KVM_EXIT_SHUTDOWN         8
#define ARMZ_KVM_EXIT_FAIL_ENTRY       9
#define ARMZ_KVM_EXIT_INTR             10
#define ARMZ_KVM_EXIT_INTERNAL_ERROR   17
#define ARMZ_KVM_EXIT_SYSTEM_EVENT     24
#define ARMZ_KVM_EXIT_ARM_NISV         28

#define ARMZ_KVM_SYSTEM_EVENT_SHUTDOWN 1
#define ARMZ_KVM_SYSTEM_EVENT_RESET    2
#define ARMZ_KVM_SYSTEM_EVENT_CRASH    3

/* ---- PSCI (SMCCC function ids, PSCI 0.2/1.0) ------------------------------ */

#define ARMZ_PSCI_FN(n)                (0x84000000U + (n))
#define ARMZ_PSCI_FN64(n)              (0xC4000000U + (n))
#define ARMZ_PSCI_VERSION              ARMZ_PSCI_FN(0)
#define ARMZ_PSCI_CPU_SUSPEND          ARMZ_PSCI_FN(1)
#define ARMZ_PSCI_CPU_OFF              ARMZ_PSCI_FN(2)
#define ARMZ_PSCI_CPU_ON               ARMZ_PSCI_FN(3)
#define ARMZ_PSCI_AFFINITY_INFO        ARMZ_PSCI_FN(4)
#define ARMZ_PSCI_MIGRATE              ARMZ_PSCI_FN(5)
#define ARMZ_PSCI_MIGRATE_INFO_TYPE    ARMZ_PSCI_FN(6)
#define ARMZ_PSCI_SYSTEM_OFF           ARMZ_PSCI_FN(8)
#define ARMZ_PSCI_SYSTEM_RESET         ARMZ_PSCI_FN(9)
#define ARMZ_PSCI_FEATURES             ARMZ_PSCI_FN(10)
#define ARMZ_PSCI_CPU_SUSPEND64        ARMZ_PSCI_FN64(1)
#define ARMZ_PSCI_CPU_ON64             ARMZ_PSCI_FN64(3)
#define ARMZ_PSCI_AFFINITY_INFO64      ARMZ_PSCI_FN64(4)

#define ARMZ_PSCI_RET_SUCCESS          0
#define ARMZ_PSCI_RET_NOT_SUPPORTED    (-1)
#define ARMZ_PSCI_RET_INVALID_PARAMS   (-2)
#define ARMZ_PSCI_RET_DENIED           (-3)
#define ARMZ_PSCI_RET_ALREADY_ON       (-4)
#define ARMZ_PSCI_RET_ON_PENDING       (-5)
#define ARMZ_PSCI_RET_INTERNAL_FAILURE (-6)

#define ARMZ_PSCI_AFFINITY_ON          0
#define ARMZ_PSCI_AFFINITY_OFF         1
#define ARMZ_PSCI_AFFINITY_ON_PENDING  2

#define ARMZ_PSCI_SYSTEM_RESET2        ARMZ_PSCI_FN(18)
#define ARMZ_PSCI_SYSTEM_RESET2_64     ARMZ_PSCI_FN64(18)
/* the PSCI function ranges forwarded by the SMCCC filter */
#define ARMZ_PSCI_RANGE_SIZE           0x20

#define ARMZ_SMCCC_VERSION             0x80000000U
#define ARMZ_SMCCC_ARCH_FEATURES       0x80000001U
