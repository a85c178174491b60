/* KVM device, capabilities, VM, guest memory and vCPU creation. */
#include <inttypes.h>
#include <errno.h>
#include <endian.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <glib/gi18n-lib.h>
#include "vmm.h"
#include "layout.h"
#include "vmmlog.h"
#include "psci/psci.h"
#include "pci/pci_window.h"

static const char *const default_devices[] = { "/dev/kvm-arm64", "/dev/kvm" };

ArmzKvmProfile
armz_vm_kvm_profile(const ArmzVm *vm)
{
    return vm->opts ? vm->opts->kvm_profile : ARMZ_KVM_PROFILE_NATIVE;
}

int
armz_kvm_check_cap(ArmzVm *vm, long cap)
{
    int fd = vm->vm_fd >= 0 ? vm->vm_fd : vm->kvm_fd;
    int r;

    if (!armz_kvm_profile_offers_cap(armz_vm_kvm_profile(vm),
                                     vm->opts && vm->opts->kvm_readonly_mem, cap)) {
        /* the s390 host does not offer it: behave as if KVM said no */
        if (cap >= 0 && cap < 256 && !(vm->caps_refused[cap / 64] & (1ull << (cap % 64)))) {
            vm->caps_refused[cap / 64] |= 1ull << (cap % 64);
            armz_vmm_info(_("KVM profile s390: not using %s (the s390 host lacks it)"),
                          armz_kvm_cap_name(cap));
        }
        return 0;
    }
    r = ioctl(fd, KVM_CHECK_EXTENSION, cap);
    if (r < 0 && fd == vm->vm_fd)
        r = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, cap);
    return r < 0 ? 0 : r;
}

static gboolean
missing_cap(ArmzVm *vm, const char *cap, const char *why, GError **error)
{
    g_set_error(error, ARMZ_VMM_ERROR, 0,
                _("KVM device %s lacks capability %s (%s)"), vm->kvm_path, cap, why);
    return FALSE;
}

gboolean
armz_kvm_open(ArmzVm *vm, GError **error)
{
    int api;

    if (vm->opts->kvm_device) {
        vm->kvm_path = g_strdup(vm->opts->kvm_device);
        vm->kvm_fd = open(vm->kvm_path, O_RDWR | O_CLOEXEC);
        if (vm->kvm_fd < 0) {
            g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot open KVM device %s: %s"),
                        vm->kvm_path, g_strerror(errno));
            return FALSE;
        }
    } else {
        int err = ENOENT;
        const char *failed = NULL;
        for (size_t i = 0; i < G_N_ELEMENTS(default_devices); i++) {
            vm->kvm_fd = open(default_devices[i], O_RDWR | O_CLOEXEC);
            if (vm->kvm_fd >= 0) {
                vm->kvm_path = g_strdup(default_devices[i]);
                break;
            }
            if (errno != ENOENT && !failed) {
                err = errno;
                failed = default_devices[i];
            }
        }
        if (vm->kvm_fd < 0) {
            if (err == ENOENT)
                g_set_error(error, ARMZ_VMM_ERROR, 0,
                            _("no KVM device: neither /dev/kvm-arm64 nor /dev/kvm exists "
                              "(arm64 KVM is not available on this host)"));
            else
                g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot open KVM device %s: %s"),
                            failed, g_strerror(err));
            return FALSE;
        }
    }

    api = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
    if (api < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("%s is not a KVM device (KVM_GET_API_VERSION: %s)"),
                    vm->kvm_path, g_strerror(errno));
        return FALSE;
    }
    if (api != KVM_API_VERSION) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("KVM device %s has API version %d, armz-vmm needs %d"),
                    vm->kvm_path, api, KVM_API_VERSION);
        return FALSE;
    }
    armz_vmm_debug("using %s (KVM API %d)", vm->kvm_path, api);
    return TRUE;
}

static unsigned
bits_for(uint64_t end)
{
    unsigned bits = 32;
    while (bits < 64 && (1ull << bits) < end)
        bits++;
    return bits;
}

/* --memfd: guest RAM becomes a shared mapping of a memfd, placed over the
 * aligned anonymous reservation, so that a vhost-user back-end can map the
 * same pages (SET_MEM_TABLE passes the fd). */
static gboolean
armz_kvm_ram_memfd(ArmzVm *vm, GError **error)
{
    int fd = memfd_create("armz-guest-ram", MFD_CLOEXEC);

    if (fd < 0 || ftruncate(fd, (off_t)vm->ram_size) < 0 ||
        mmap(vm->ram, vm->ram_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED | MAP_NORESERVE,
             fd, 0) == MAP_FAILED) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("cannot allocate %" PRIu64 " MiB of guest memory from a memfd: %s"),
                    (guint64)(vm->ram_size >> 20), g_strerror(errno));
        if (fd >= 0)
            close(fd);
        return FALSE;
    }
    vm->ram_fd = fd;
    armz_vmm_debug("guest RAM from memfd %d", fd);
    return TRUE;
}

gboolean
armz_kvm_create_vm(ArmzVm *vm, GError **error)
{
    int max_ipa, max_vcpus, mmap_size;
    unsigned need;
    unsigned long type;
    struct kvm_userspace_memory_region region;
    size_t map_len;
    uint8_t *map;

    /* the arm64 KVM interface answers this on every kernel we support: a
     * device that does not is some other architecture's KVM */
    max_ipa = armz_kvm_check_cap(vm, ARMZ_KVM_CAP_ARM_VM_IPA_SIZE);
    if (max_ipa <= 0)
        return missing_cap(vm, "KVM_CAP_ARM_VM_IPA_SIZE",
                           _("it is not an arm64 KVM device"), error);
    max_vcpus = armz_kvm_check_cap(vm, ARMZ_KVM_CAP_MAX_VCPUS);
    if (max_vcpus <= 0)
        max_vcpus = armz_kvm_check_cap(vm, ARMZ_KVM_CAP_NR_VCPUS);
    if (max_vcpus <= 0)
        max_vcpus = 4;      /* KVM's documented default */
    if (vm->nvcpus > (unsigned)max_vcpus) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("KVM device %s supports at most %d vCPUs (KVM_CAP_MAX_VCPUS), %u requested"),
                    vm->kvm_path, max_vcpus, vm->nvcpus);
        return FALSE;
    }

    need = bits_for(vm->ram_base + vm->ram_size);
    if (need > (unsigned)max_ipa) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("guest memory ends at 2^%u but KVM device %s allows %d-bit guest "
                      "physical addresses (KVM_CAP_ARM_VM_IPA_SIZE)"),
                    need, vm->kvm_path, max_ipa);
        return FALSE;
    }
    vm->ipa_bits = need < 40 ? MIN(40u, (unsigned)max_ipa) : need;
    /* --pci: room for the 64-bit window where QEMU would put it with this
     * KVM's IPA limit (past large RAM that is above 40 bits), as QEMU asks */
    if (vm->opts->pci) {
        ArmzPciWindow w;
        if (armz_pci_high_window(vm->ram_base + vm->ram_size, (unsigned)max_ipa, &w) &&
            bits_for(w.base + w.size) > vm->ipa_bits)
            vm->ipa_bits = bits_for(w.base + w.size);
    }
    type = vm->ipa_bits & ARMZ_KVM_VM_TYPE_IPA_SIZE_MASK;
    do {
        vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, type);
    } while (vm->vm_fd < 0 && errno == EINTR);
    if (vm->vm_fd < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("KVM_CREATE_VM on %s (IPA %u bits) failed: %s"),
                    vm->kvm_path, vm->ipa_bits, g_strerror(errno));
        return FALSE;
    }
    armz_vmm_debug("VM created: IPA %u bits (max %d), max %d vCPUs", vm->ipa_bits, max_ipa,
                   max_vcpus);

    mmap_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (mmap_size < (int)sizeof(struct kvm_run)) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("KVM_GET_VCPU_MMAP_SIZE failed: %s"),
                    g_strerror(errno));
        return FALSE;
    }
    vm->run_size = (size_t)mmap_size;

    /* guest RAM: anonymous, 2 MiB aligned so that THP can back it */
    map_len = vm->ram_size + ARMZ_IMAGE_ALIGN;
    map = mmap(NULL, map_len, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (map == MAP_FAILED) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("cannot allocate %" PRIu64 " MiB of guest memory: %s"),
                    (guint64)(vm->ram_size >> 20), g_strerror(errno));
        return FALSE;
    }
    vm->ram = (uint8_t *)(((uintptr_t)map + ARMZ_IMAGE_ALIGN - 1) & ~(uintptr_t)(ARMZ_IMAGE_ALIGN - 1));
    vm->ram_fd = -1;
    if (vm->opts && vm->opts->memfd && !armz_kvm_ram_memfd(vm, error))
        return FALSE;
    madvise(vm->ram, vm->ram_size, MADV_HUGEPAGE);
    madvise(vm->ram, vm->ram_size, MADV_DONTDUMP);

    memset(&region, 0, sizeof(region));
    region.slot = 0;
    region.guest_phys_addr = vm->ram_base;
    region.memory_size = vm->ram_size;
    region.userspace_addr = (uintptr_t)vm->ram;
    if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("KVM_SET_USER_MEMORY_REGION failed: %s"),
                    g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

int
armz_kvm_get_reg(ArmzVcpu *vcpu, uint64_t id, uint64_t *val)
{
    struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)val };
    return ioctl(vcpu->fd, KVM_GET_ONE_REG, &reg);
}

int
armz_kvm_set_reg(ArmzVcpu *vcpu, uint64_t id, uint64_t val)
{
    struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&val };
    return ioctl(vcpu->fd, KVM_SET_ONE_REG, &reg);
}

/* KVM_ARM_VCPU_INIT (again): resets the vCPU to its architectural reset
 * state.  POWER_OFF asks the in-kernel PSCI to hold it until CPU_ON. */
gboolean
armz_kvm_vcpu_reset(ArmzVcpu *vcpu, gboolean power_off, GError **error)
{
    struct armz_kvm_vcpu_init init = vcpu->vm->vcpu_init;

    if (power_off)
        init.features[0] |= 1u << ARMZ_KVM_ARM_VCPU_POWER_OFF;
    if (ioctl(vcpu->fd, ARMZ_KVM_ARM_VCPU_INIT, &init) < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("KVM_ARM_VCPU_INIT of vCPU %u failed: %s"),
                    vcpu->index, g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

gboolean
armz_kvm_create_vcpus(ArmzVm *vm, GError **error)
{
    struct armz_kvm_vcpu_init init;
    uint32_t refused;

    memset(&init, 0, sizeof(init));
    if (ioctl(vm->vm_fd, ARMZ_KVM_ARM_PREFERRED_TARGET, &init) < 0) {
        armz_vmm_debug("KVM_ARM_PREFERRED_TARGET failed (%s), using GENERIC_V8",
                       g_strerror(errno));
        memset(&init, 0, sizeof(init));
        init.target = ARMZ_KVM_ARM_TARGET_GENERIC_V8;
    }
    /* in-kernel PSCI where the kernel offers it (and the profile allows);
     * otherwise HVC exits to us */
    if (!armz_kvm_psci_setup(vm, error))
        return FALSE;
    if (vm->kernel_psci)
        init.features[0] |= 1u << ARMZ_KVM_ARM_VCPU_PSCI_0_2;
    init.features[0] = armz_kvm_profile_vcpu_features(armz_vm_kvm_profile(vm),
                                                      init.features[0], &refused);
    for (unsigned b = 0; b < 32; b++)
        if (refused & (1u << b))
            armz_vmm_info(_("KVM profile s390: not using vCPU feature %s (the s390 host "
                            "lacks it)"), armz_kvm_vcpu_feature_name(b));
    vm->vcpu_init = init;
    armz_vmm_debug("vCPU target %u, PSCI %s", init.target,
                   vm->kernel_psci ? "in kernel" : "in user space");

    vm->vcpus = g_new0(ArmzVcpu, vm->nvcpus);
    for (unsigned i = 0; i < vm->nvcpus; i++) {
        ArmzVcpu *v = &vm->vcpus[i];
        v->vm = vm;
        v->index = i;
        v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)i);
        if (v->fd < 0) {
            g_set_error(error, ARMZ_VMM_ERROR, 0, _("KVM_CREATE_VCPU %u failed: %s"),
                        i, g_strerror(errno));
            return FALSE;
        }
        v->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
        if (v->run == MAP_FAILED) {
            v->run = NULL;
            g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot map kvm_run of vCPU %u: %s"),
                        i, g_strerror(errno));
            return FALSE;
        }
        /* secondaries start powered off and wait for PSCI CPU_ON: in the
         * kernel, or in our loop (psci/psci.c, armz_vm_vcpu_wait) */
        if (!armz_kvm_vcpu_reset(v, i > 0, error))
            return FALSE;
        if (armz_kvm_get_reg(v, ARMZ_REG_MPIDR_EL1, &v->mpidr) < 0) {
            /* KVM's reset value: Aff0 = id[3:0], Aff1 = id[11:4], Aff2 = id[19:12] */
            v->mpidr = (i & 0xf) | (((uint64_t)(i >> 4) & 0xff) << 8) |
                       (((uint64_t)(i >> 12) & 0xff) << 16);
        }
        v->mpidr &= 0xff00ffffffull;
    }
    armz_psci_reset_power(vm);
    return TRUE;
}

/* ArmzIoeventfdFn for the virtio-mmio QueueNotify registers. */
int
armz_kvm_ioeventfd(void *opaque, uint64_t addr, unsigned len, uint64_t datamatch, int fd)
{
    return armz_kvm_ioeventfd_set(opaque, addr, len, datamatch, fd, true);
}

/* ArmzIoeventfdSetFn: virtio-pci's notify area moves with its BAR. */
int
armz_kvm_ioeventfd_set(void *opaque, uint64_t addr, unsigned len, uint64_t datamatch, int fd,
                       bool assign)
{
    ArmzVm *vm = opaque;
    struct kvm_ioeventfd ioe;

    memset(&ioe, 0, sizeof(ioe));
    ioe.addr = addr;
    ioe.len = len;
    ioe.fd = fd;
    ioe.flags = ARMZ_KVM_IOEVENTFD_FLAG_DATAMATCH | (assign ? 0 : ARMZ_KVM_IOEVENTFD_FLAG_DEASSIGN);
    /* KVM compares DATAMATCH with the store's bytes loaded as a host
     * integer; those bytes are in guest (little-endian) order, as in
     * kvm_run's MMIO data (devices/mmio.c), so match on the value whose
     * host representation is the guest's bytes */
    switch (len) {
    case 1: ioe.datamatch = (uint8_t)datamatch; break;
    case 2: ioe.datamatch = htole16((uint16_t)datamatch); break;
    case 4: ioe.datamatch = htole32((uint32_t)datamatch); break;
    default: ioe.datamatch = htole64(datamatch); break;
    }
    if (ioctl(vm->vm_fd, ARMZ_KVM_IOEVENTFD, &ioe) < 0)
        return -errno;
    return 0;
}
