/* The <domainCapabilities> document, from the validator's tables. */
#include <string.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "driver/domain_capabilities.h"
#include "driver/domain_validate.h"
#include "driver/driver_priv.h"
#include "driver/firmware.h"
#include "driver/firmware_host.h"

/* <enum name='NAME'> with every value of LIST. */
static void
enum_append(GString *x, int level, const char *name, const char *const *list)
{
    if (!list[0]) {
        g_string_append_printf(x, "%*s<enum name='%s'/>\n", level * 2, "", name);
        return;
    }
    g_string_append_printf(x, "%*s<enum name='%s'>\n", level * 2, "", name);
    for (const char *const *v = list; *v; v++) {
        g_autofree char *esc = g_markup_escape_text(*v, -1);
        g_string_append_printf(x, "%*s<value>%s</value>\n", (level + 1) * 2, "", esc);
    }
    g_string_append_printf(x, "%*s</enum>\n", level * 2, "");
}

static void
cpu_append(GString *x, const ArmzDomainSupport *s)
{
    /* libvirt's modes, in its order */
    static const char *const modes[] = { "host-passthrough", "maximum", "host-model", "custom",
                                         NULL };

    g_string_append(x, "  <cpu>\n");
    for (const char *const *m = modes; *m; m++)
        g_string_append_printf(x, "    <mode name='%s' supported='%s'/>\n", *m,
                               g_strv_contains(s->cpu_modes, *m) ? "yes" : "no");
    g_string_append(x, "  </cpu>\n");
}

static void
devices_append(GString *x, const ArmzDomainSupport *s)
{
    g_string_append(x, "  <devices>\n    <disk supported='yes'>\n");
    enum_append(x, 3, "diskDevice", s->disk_devices);
    enum_append(x, 3, "bus", s->disk_buses);
    /* not in libvirt's domain capabilities: what <driver io> takes */
    enum_append(x, 3, "io", s->disk_ios);
    g_string_append(x, "    </disk>\n"
                       "    <graphics supported='no'/>\n"
                       "    <video supported='no'/>\n"
                       "    <hostdev supported='no'/>\n"
                       "    <rng supported='yes'>\n");
    enum_append(x, 3, "model", s->rng_models);
    enum_append(x, 3, "backendModel", s->rng_backends);
    /* not in libvirt's domain capabilities: what <memballoon model> takes */
    g_string_append(x, "    </rng>\n"
                       "    <memballoon supported='yes'>\n");
    enum_append(x, 3, "model", s->memballoon_models);
    /* nor is vsock (virtio, through the host's vhost-vsock) */
    g_string_append(x, "    </memballoon>\n"
                       "    <vsock supported='yes'>\n"
                       "      <enum name='model'>\n"
                       "        <value>virtio</value>\n"
                       "      </enum>\n"
                       "    </vsock>\n"
                       "    <filesystem supported='yes'>\n"
                       "      <enum name='driverType'>\n"
                       "        <value>virtiofs</value>\n"
                       "      </enum>\n"
                       "    </filesystem>\n"
                       "    <tpm supported='no'/>\n"
                       "    <redirdev supported='no'/>\n"
                       "    <channel supported='yes'>\n");
    enum_append(x, 3, "type", s->channel_types);
    /* nor are the PCI controllers define takes (pci_address.h: no
     * bridges or switches) and the devices the root ports hot-plug */
    g_string_append(x, "    </channel>\n"
                       "    <controller supported='yes'>\n"
                       "      <enum name='pciModel'>\n"
                       "        <value>pcie-root</value>\n"
                       "        <value>pcie-root-port</value>\n"
                       "      </enum>\n"
                       "      <enum name='hotplug'>\n"
                       "        <value>disk</value>\n"
                       "        <value>interface</value>\n"
                       "      </enum>\n"
                       "    </controller>\n"
                       "    <crypto supported='no'/>\n"
                       "  </devices>\n");
}

/* What armz_domain_validate_firmware() accepts: firmware 'efi' when a
 * descriptor is installed, pflash loaders, read-only, never secure; no
 * loader at all on a host that cannot map the flash (FIRMWARES NULL). */
static void
os_append(GString *x, const GPtrArray *firmwares)
{
    static const char *const efi[] = { "efi", NULL };
    static const char *const none[] = { NULL };
    static const char *const types[] = { "pflash", NULL };
    static const char *const yes[] = { "yes", NULL };
    static const char *const no[] = { "no", NULL };

    g_string_append(x, "  <os supported='yes'>\n");
    enum_append(x, 2, "firmware", firmwares && firmwares->len ? efi : none);
    if (!firmwares) {
        g_string_append(x, "    <loader supported='no'/>\n  </os>\n");
        return;
    }
    g_string_append(x, "    <loader supported='yes'>\n");
    for (guint i = 0; firmwares && i < firmwares->len; i++) {
        const ArmzFirmware *fw = g_ptr_array_index(firmwares, i);
        g_autofree char *esc = g_markup_escape_text(fw->code, -1);

        if (!fw->secure_boot && !fw->enrolled_keys)
            g_string_append_printf(x, "      <value>%s</value>\n", esc);
    }
    enum_append(x, 3, "type", types);
    enum_append(x, 3, "readonly", yes);
    enum_append(x, 3, "secure", no);
    g_string_append(x, "    </loader>\n  </os>\n");
}

char *
armz_domain_capabilities_format(const char *vmm_path, const char *virttype,
                                const GPtrArray *firmwares)
{
    const ArmzDomainSupport *s = &armz_domain_support;
    g_autofree char *path = g_markup_escape_text(vmm_path, -1);
    g_autofree char *type = g_markup_escape_text(virttype, -1);
    GString *x = g_string_new("<domainCapabilities>\n");

    g_string_append_printf(x, "  <path>%s</path>\n  <domain>%s</domain>\n", path, type);
    g_string_append_printf(x, "  <machine>virt</machine>\n  <arch>aarch64</arch>\n"
                              "  <vcpu max='%d'/>\n  <iothreads supported='yes'/>\n",
                           ARMZ_LAUNCH_MAX_VCPUS);
    os_append(x, firmwares);
    cpu_append(x, s);
    /* memfd: what vhost-user backends need (and imply) */
    g_string_append(x, "  <memoryBacking supported='yes'>\n"
                       "    <enum name='sourceType'>\n"
                       "      <value>anonymous</value>\n"
                       "      <value>memfd</value>\n"
                       "    </enum>\n"
                       "  </memoryBacking>\n");
    devices_append(x, s);
    /* libvirt lists GIC versions as numbers; armz takes the host's GIC,
     * which is all <gic version=''> may say */
    g_string_append(x, "  <features>\n    <gic supported='yes'>\n");
    enum_append(x, 3, "version", s->gic_versions);
    g_string_append(x, "    </gic>\n"
                       "    <vmcoreinfo supported='yes'/>\n"
                       "    <genid supported='no'/>\n"
                       "    <backingStoreInput supported='no'/>\n"
                       "    <backup supported='no'/>\n"
                       "    <sev supported='no'/>\n"
                       "  </features>\n"
                       "</domainCapabilities>\n");
    return g_string_free(x, FALSE);
}

/* libvirt's architecture names (virArch) */
static const char *const libvirt_archs[] = {
    "alpha", "armv6l", "armv7l", "armv7b", "aarch64", "cris", "i686", "itanium", "lm32",
    "loongarch64", "m68k", "microblaze", "microblazeel", "mips", "mipsel", "mips64",
    "mips64el", "openrisc", "parisc", "parisc64", "ppc", "ppcle", "ppc64", "ppc64le", "ppcemb",
    "riscv32", "riscv64", "s390", "s390x", "sh4", "sh4eb", "sparc", "sparc64", "unicore32",
    "x86_64", "xtensa", "xtensaeb", NULL,
};

char *
armz_driver_domain_capabilities(ArmzDriver *drv, const char *emulator, const char *arch,
                                const char *machine, const char *virttype,
                                unsigned int flags, GError **error)
{
    if (!armz_check_flags(flags, 0, "virConnectGetDomainCapabilities", error))
        return NULL;
    if (arch && strcmp(arch, "aarch64") != 0) {
        /* libvirt's answers: an arch it knows but has no emulator for, and
         * one it does not know */
        if (g_strv_contains(libvirt_archs, arch))
            g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                        _("unable to find any emulator to serve '%s' architecture"), arch);
        else
            g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                        _("unknown architecture: %s"), arch);
        return NULL;
    }
    /* virt-armz: the canonical name the capabilities give 'virt' */
    if (machine && strcmp(machine, "virt") != 0 && strcmp(machine, "virt-armz") != 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("machine type '%s' is not supported: armz offers 'virt'"), machine);
        return NULL;
    }
    if (!virttype)
        virttype = "kvm";
    if (!g_strv_contains(armz_domain_support.virt_types, virttype)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("virtualization type '%s' is not supported: use 'kvm' or 'qemu'"),
                    virttype);
        return NULL;
    }
    if (emulator && strcmp(emulator, drv->cfg.vmm_path) != 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("emulator '%s' is not armz-vmm ('%s')"), emulator, drv->cfg.vmm_path);
        return NULL;
    }
    {
        g_auto(GStrv) dirs = armz_firmware_dirs(drv->paths->privileged);
        g_autoptr(GPtrArray) fws = NULL;

        if (armz_driver_firmware_runs(drv, NULL))
            fws = armz_firmware_list((const char *const *)dirs);
        return armz_domain_capabilities_format(drv->cfg.vmm_path, virttype, fws);
    }
}
