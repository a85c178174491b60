/* virConnectGetCPUModelNames: the named CPU models a guest of ARCH can have
 * here. armz-vmm gives a guest the host's own CPU (KVM on arm64 cannot
 * present another core), so for aarch64 these are the models of libvirt's
 * Arm CPU map whose MIDR the host's CPUs carry; no other arch has any. */
#include <string.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/flags.h"
#include "driver/driver.h"

/* MIDR_EL1 implementer and part number of the models in libvirt's Arm CPU
 * map (src/cpu_map/arm_*.xml), by libvirt's name. */
static const struct {
    const char *name;
    unsigned implementer, part;
} arm_models[] = {
    { "cortex-a53", 0x41, 0xd03 },
    { "cortex-a57", 0x41, 0xd07 },
    { "cortex-a72", 0x41, 0xd08 },
    { "Neoverse-N1", 0x41, 0xd0c },
    { "Neoverse-V1", 0x41, 0xd40 },
    { "Neoverse-N2", 0x41, 0xd49 },
    { "Kunpeng-920", 0x48, 0xd01 },
    { "a64fx", 0x46, 0x001 },
};

/* Bit I set in the returned mask when a host CPU matches arm_models[I]. */
static guint
host_arm_models(void)
{
    g_autoptr(GDir) dir = g_dir_open("/sys/devices/system/cpu", 0, NULL);
    const char *ent;
    guint mask = 0;

    while (dir && (ent = g_dir_read_name(dir))) {
        g_autofree char *path = NULL;
        g_autofree char *text = NULL;
        guint64 midr;

        if (!g_str_has_prefix(ent, "cpu") || !g_ascii_isdigit(ent[3]))
            continue;
        path = g_strdup_printf("/sys/devices/system/cpu/%s/regs/identification/midr_el1", ent);
        if (!g_file_get_contents(path, &text, NULL, NULL))
            continue;
        midr = g_ascii_strtoull(text, NULL, 16);
        for (guint i = 0; i < G_N_ELEMENTS(arm_models); i++)
            if (((midr >> 24) & 0xff) == arm_models[i].implementer &&
                ((midr >> 4) & 0xfff) == arm_models[i].part)
                mask |= 1u << i;
    }
    return mask;
}

int
armz_driver_cpu_model_names(ArmzDriver *drv, const char *arch, GPtrArray *names,
                            unsigned int flags, GError **error)
{
    guint mask;

    (void)drv;
    if (!armz_check_flags(flags, 0, "virConnectGetCPUModelNames", error))
        return -1;
    if (!g_str_equal(arch, "aarch64")) {
        /* libvirt answers an arch it does not know with this error. */
        if (!g_str_equal(arch, "x86_64") && !g_str_equal(arch, "s390x") &&
            !g_str_equal(arch, "i686") && !g_str_equal(arch, "ppc64le") &&
            !g_str_equal(arch, "ppc64")) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                        _("cannot find architecture %s"), arch);
            return -1;
        }
        return 0;
    }
    mask = host_arm_models();
    for (guint i = 0; i < G_N_ELEMENTS(arm_models); i++)
        if (mask & (1u << i))
            g_ptr_array_add(names, g_strdup(arm_models[i].name));
    return (int)names->len;
}
