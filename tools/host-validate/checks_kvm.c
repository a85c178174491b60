/* The KVM device and what it offers armz-vmm, probed with armz-vmm's own
 * code (src/vmm/kvm/probe.c), and the Arm facility of IBM Z CPUs. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gi18n-lib.h>
#include "checks.h"
#include "kvm/probe.h"

/* the devices armz-vmm tries, in its order (kvm/kvm.c) */
static const char *const kvm_devices[] = { "/dev/kvm-arm64", "/dev/kvm" };

gboolean
armz_cpuinfo_has_feature(const char *cpuinfo_text, const char *flag)
{
    g_auto(GStrv) lines = g_strsplit(cpuinfo_text, "\n", -1);

    for (char **l = lines; *l; l++) {
        const char *colon = strchr(*l, ':');
        g_autofree char *key = NULL;
        g_auto(GStrv) words = NULL;

        if (!colon)
            continue;
        key = g_strstrip(g_strndup(*l, colon - *l));
        if (!g_str_equal(key, "features"))
            continue;
        words = g_strsplit_set(colon + 1, " \t", -1);
        for (char **w = words; *w; w++)
            if (g_str_equal(*w, flag))
                return TRUE;
    }
    return FALSE;
}

static void
check_sae(GPtrArray *list, const ArmzHostPaths *paths)
{
    const char *title = _("Checking for the Arm facility of the CPU (sae)");
    g_autofree char *text = NULL;
    g_autoptr(GError) err = NULL;

    if (!g_file_get_contents(paths->cpuinfo, &text, NULL, &err))
        armz_check_add(list, "cpu-arm-facility", title, ARMZ_CHECK_FAIL, "%s", err->message);
    else if (armz_cpuinfo_has_feature(text, "sae"))
        armz_check_add(list, "cpu-arm-facility", title, ARMZ_CHECK_PASS, NULL);
    else
        armz_check_add(list, "cpu-arm-facility", title, ARMZ_CHECK_FAIL,
                       _("the features line of %s does not list 'sae': this machine "
                         "cannot run Arm64 guests"), paths->cpuinfo);
}

/* Why the current user cannot open PATH, with what to do about it. */
static char *
access_hint(const char *path)
{
    struct stat st;
    struct group *gr;
    struct passwd *pw = getpwuid(geteuid());
    const char *user = pw ? pw->pw_name : "USER";

    if (stat(path, &st) < 0)
        return g_strdup(g_strerror(errno));
    gr = getgrgid(st.st_gid);
    if (gr && (st.st_mode & 0060) == 0060)
        return g_strdup_printf(_("permission denied: %s belongs to group '%s'; join it "
                                 "(usermod -aG %s %s) and log in again"),
                               path, gr->gr_name, gr->gr_name, user);
    return g_strdup_printf(_("permission denied: %s (mode %03o) is read-write only for "
                             "its owner; run as root or through virtarmzd"),
                           path, (unsigned)(st.st_mode & 0777));
}

static void
check_caps(GPtrArray *list, const ArmzKvmProbe *p)
{
    armz_check_add(list, "kvm-ipa-size",
                   _("Checking the guest physical address size (KVM_CAP_ARM_VM_IPA_SIZE)"),
                   p->ipa_bits >= 36 ? ARMZ_CHECK_PASS : ARMZ_CHECK_WARN,
                   _("%d bits: guest memory up to %llu GiB"), p->ipa_bits,
                   p->ipa_bits >= 31 && p->ipa_bits < 64 ? ((1ull << p->ipa_bits) >> 30) - 1 : 0ull);

    if (!p->vm_created) {
        armz_check_add(list, "kvm-create-vm", _("Checking if a VM can be created (KVM_CREATE_VM)"),
                       ARMZ_CHECK_FAIL, "%s", p->vm_error);
        return;
    }
    armz_check_add(list, "kvm-create-vm", _("Checking if a VM can be created (KVM_CREATE_VM)"),
                   ARMZ_CHECK_PASS, NULL);
    if (p->vcpu_created)
        armz_check_add(list, "kvm-create-vcpu",
                       _("Checking if a vCPU can be created (KVM_ARM_VCPU_INIT)"),
                       ARMZ_CHECK_PASS, _("at most %d vCPUs per guest"), p->max_vcpus);
    else
        armz_check_add(list, "kvm-create-vcpu",
                       _("Checking if a vCPU can be created (KVM_ARM_VCPU_INIT)"),
                       ARMZ_CHECK_FAIL, "%s", p->vcpu_error);

    const char *irq = _("Checking for an interrupt controller");
    if (p->vgic_v3)
        armz_check_add(list, "kvm-irqchip", irq, ARMZ_CHECK_PASS, _("in-kernel GICv3"));
    else if (p->vgic_v2)
        armz_check_add(list, "kvm-irqchip", irq, ARMZ_CHECK_PASS,
                       _("in-kernel GICv2: at most 8 vCPUs per guest"));
    else if (p->user_irq)
        armz_check_add(list, "kvm-irqchip", irq, ARMZ_CHECK_WARN,
                       _("no in-kernel GIC: armz-vmm uses its userspace GICv2 "
                         "(at most 8 vCPUs per guest, slower interrupts)"));
    else
        armz_check_add(list, "kvm-irqchip", irq, ARMZ_CHECK_FAIL,
                       _("no in-kernel GIC (KVM_CREATE_DEVICE of ARM_VGIC_V3/V2) and no "
                         "KVM_CAP_ARM_USER_IRQ for the userspace fallback"));

    armz_check_add(list, "kvm-user-irq",
                   _("Checking for user space interrupt delivery (KVM_CAP_ARM_USER_IRQ)"),
                   p->user_irq ? ARMZ_CHECK_PASS : ARMZ_CHECK_WARN, "%s",
                   p->user_irq ? "" : _("missing: --irqchip=userspace is not available"));
    armz_check_add(list, "kvm-ioeventfd", _("Checking for ioeventfd (KVM_CAP_IOEVENTFD)"),
                   p->ioeventfd ? ARMZ_CHECK_PASS : ARMZ_CHECK_WARN, "%s",
                   p->ioeventfd ? "" : _("missing: every virtio notification is a round trip "
                                         "through armz-vmm (slower disk and network)"));
    armz_check_add(list, "kvm-psci", _("Checking for PSCI in the kernel (KVM_CAP_ARM_PSCI_0_2)"),
                   p->psci_0_2 ? ARMZ_CHECK_PASS : ARMZ_CHECK_WARN, "%s",
                   p->psci_0_2 ? "" : _("missing: armz-vmm handles PSCI calls in user space"));
    /* the profile armz-vmm runs this device with, and whether the s390
     * profile could be tried on it (arm64 KVM with the SMCCC filter) */
    if (p->profile == ARMZ_KVM_PROFILE_S390)
        armz_check_add(list, "kvm-profile", _("Checking the KVM profile"), ARMZ_CHECK_PASS,
                       _("s390: IBM Z's kvm-arm64 (userspace GIC and PSCI)"));
    else
        armz_check_add(list, "kvm-profile", _("Checking the KVM profile"), ARMZ_CHECK_PASS,
                       p->smccc_filter ? _("native (--kvm-profile=s390 is available: KVM has "
                                           "the SMCCC filter)")
                                       : _("native (--kvm-profile=s390 is not: KVM lacks the "
                                           "SMCCC filter of Linux 6.4)"));
}

void
armz_check_kvm(GPtrArray *list, const char *device, const ArmzHostPaths *paths)
{
    const char *title = _("Checking for the arm64 KVM device");
    const char *access_title = _("Checking if the KVM device is accessible");
    ArmzKvmProbe probe;
    g_autoptr(GError) err = NULL;

    if (g_str_equal(paths->machine, "s390x"))
        check_sae(list, paths);

    if (!armz_kvm_probe(device, &probe, &err)) {
        const char *path = device;
        for (size_t i = 0; !path && i < G_N_ELEMENTS(kvm_devices); i++)
            if (access(kvm_devices[i], F_OK) == 0)
                path = kvm_devices[i];
        if (path && access(path, R_OK | W_OK) < 0 && errno == EACCES) {
            g_autofree char *hint = access_hint(path);
            armz_check_add(list, "kvm-device", title, ARMZ_CHECK_PASS, "%s", path);
            armz_check_add(list, "kvm-access", access_title, ARMZ_CHECK_FAIL, "%s", hint);
        } else {
            armz_check_add(list, "kvm-device", title, ARMZ_CHECK_FAIL, "%s", err->message);
        }
        return;
    }
    if (probe.ipa_bits <= 0) {
        armz_check_add(list, "kvm-device", title, ARMZ_CHECK_FAIL,
                       _("%s is not an arm64 KVM device (no KVM_CAP_ARM_VM_IPA_SIZE: it runs "
                         "%s guests); Arm64 guests need /dev/kvm-arm64 (IBM Z with the Arm "
                         "facility) or /dev/kvm on an arm64 host"),
                       probe.device, paths->machine);
        armz_kvm_probe_clear(&probe);
        return;
    }
    armz_check_add(list, "kvm-device", title, ARMZ_CHECK_PASS, _("%s, KVM API %d"),
                   probe.device, probe.api_version);
    armz_check_add(list, "kvm-access", access_title, ARMZ_CHECK_PASS, NULL);
    check_caps(list, &probe);
    armz_kvm_probe_clear(&probe);
}
