/* What the host offers: node info, free memory, capabilities XML. */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "driver/driver_priv.h"
#include "driver/process.h"

/* armz-vmm's own vCPU limit (the GICv3 redistributor region it lays out),
 * which define enforces. */
#define ARMZ_MAX_VCPUS ARMZ_LAUNCH_MAX_VCPUS

static guint64
meminfo_kib(const char *key)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    gsize klen = strlen(key);

    if (!g_file_get_contents("/proc/meminfo", &text, NULL, NULL))
        return 0;
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++)
        if (strncmp(*l, key, klen) == 0 && (*l)[klen] == ':')
            return g_ascii_strtoull(*l + klen + 1, NULL, 10);
    return 0;
}

static int
cpu_mhz(void)
{
    g_autofree char *text = NULL;
    const char *p;

    /* arm64 and s390x kernels do not all report a clock in cpuinfo. */
    if (g_file_get_contents("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq",
                            &text, NULL, NULL))
        return (int)(g_ascii_strtoull(text, NULL, 10) / 1000);
    g_clear_pointer(&text, g_free);
    if (g_file_get_contents("/proc/cpuinfo", &text, NULL, NULL) &&
        (p = strstr(text, "cpu MHz")) && (p = strchr(p, ':')))
        return (int)g_ascii_strtod(p + 1, NULL);
    return 0;
}

void
armz_driver_node_info(ArmzDriver *drv, ArmzNodeInfo *info)
{
    struct utsname u;
    long ncpus = sysconf(_SC_NPROCESSORS_ONLN);

    memset(info, 0, sizeof(*info));
    uname(&u);
    g_strlcpy(info->model, u.machine, sizeof(info->model));
    info->memory_kib = meminfo_kib("MemTotal");
    info->cpus = ncpus > 0 ? ncpus : 1;
    info->mhz = cpu_mhz();
    info->nodes = 1;
    info->sockets = 1;
    info->cores = info->cpus;
    info->threads = 1;
}

const char *
armz_driver_host_cpu_arch(gboolean *physical_only)
{
    struct utsname u;
    const char *machine;
    gboolean arm64_kvm;

    /* interned: a string that lives as long as the daemon, safely from any thread */
    machine = g_intern_string(uname(&u) == 0 ? u.machine : "unknown");
    /* probed, not assumed from the machine (DESIGN.md 2): a KVM device for
     * arm64 guests on another machine (IBM Z's /dev/kvm-arm64) runs them on
     * arm64 cores, and what Nova and virt-install derive from the host arch
     * (hardware assistance, the guest's CPU mode, UEFI, PCIe ports) must be
     * true of that CPU */
    arm64_kvm = !g_str_equal(machine, "aarch64") && armz_process_kvm_device() != NULL;
    if (physical_only)
        *physical_only = arm64_kvm;
    return arm64_kvm ? "aarch64" : machine;
}

guint64
armz_driver_node_free_memory(ArmzDriver *drv)
{
    return meminfo_kib("MemFree") * 1024;
}

int
armz_driver_max_vcpus(ArmzDriver *drv, const char *type, GError **error)
{
    if (type && g_ascii_strcasecmp(type, "kvm") != 0 && g_ascii_strcasecmp(type, "qemu") != 0 &&
        g_ascii_strcasecmp(type, "armz") != 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("unknown virtualization type '%s'"), type);
        return -1;
    }
    return ARMZ_MAX_VCPUS;
}

static char *
host_uuid(void)
{
    g_autofree char *id = NULL;

    /* A stable host UUID from machine-id, as a dashed UUID string. */
    if (g_file_get_contents("/etc/machine-id", &id, NULL, NULL) && strlen(g_strstrip(id)) == 32)
        return g_strdup_printf("%.8s-%.4s-%.4s-%.4s-%.12s", id, id + 8, id + 12, id + 16, id + 20);
    return g_strdup("00000000-0000-0000-0000-000000000000");
}

char *
armz_driver_capabilities(ArmzDriver *drv)
{
    ArmzNodeInfo ni;
    GString *x = g_string_new(NULL);
    g_autofree char *uuid = host_uuid();
    g_autofree char *emu = g_markup_escape_text(drv->cfg.vmm_path, -1);

    armz_driver_node_info(drv, &ni);
    g_string_append(x, "<capabilities>\n\n  <host>\n");
    g_string_append_printf(x, "    <uuid>%s</uuid>\n", uuid);
    g_string_append_printf(x, "    <cpu>\n      <arch>%s</arch>\n",
                           armz_driver_host_cpu_arch(NULL));
    g_string_append_printf(x, "      <topology sockets='1' dies='1' cores='%d' threads='1'/>\n",
                           ni.cpus);
    g_string_append(x, "    </cpu>\n    <power_management/>\n    <iommu support='no'/>\n");
    g_string_append(x, "    <topology>\n      <cells num='1'>\n        <cell id='0'>\n");
    g_string_append_printf(x, "          <memory unit='KiB'>%" G_GUINT64_FORMAT "</memory>\n",
                           ni.memory_kib);
    g_string_append_printf(x, "          <cpus num='%d'>\n", ni.cpus);
    for (int i = 0; i < ni.cpus; i++)
        g_string_append_printf(x, "            <cpu id='%d' socket_id='0' die_id='0' "
                               "core_id='%d' siblings='%d'/>\n", i, i, i);
    g_string_append(x, "          </cpus>\n        </cell>\n      </cells>\n    </topology>\n");
    /* the DAC driver (security_dac.h), with the identity VMMs get by default */
    g_string_append_printf(x, "    <secmodel>\n      <model>dac</model>\n      <doi>0</doi>\n"
                           "      <baselabel type='kvm'>+%u:+%u</baselabel>\n"
                           "      <baselabel type='qemu'>+%u:+%u</baselabel>\n"
                           "    </secmodel>\n  </host>\n\n",
                           (unsigned)drv->cfg.vmm_uid, (unsigned)drv->cfg.vmm_gid,
                           (unsigned)drv->cfg.vmm_uid, (unsigned)drv->cfg.vmm_gid);
    g_string_append(x, "  <guest>\n    <os_type>hvm</os_type>\n    <arch name='aarch64'>\n"
                       "      <wordsize>64</wordsize>\n");
    g_string_append_printf(x, "      <emulator>%s</emulator>\n", emu);
    /* 'virt' as an alias of a versioned-looking name, as QEMU lists it:
     * firmware descriptors match machines by globs such as "virt-*", and
     * clients (Nova's get_loader) match the canonical name */
    g_string_append_printf(x, "      <machine maxCpus='%d'>virt-armz</machine>\n"
                              "      <machine canonical='virt-armz' maxCpus='%d'>virt</machine>\n",
                           ARMZ_MAX_VCPUS, ARMZ_MAX_VCPUS);
    g_string_append(x, "      <domain type='qemu'/>\n      <domain type='kvm'/>\n"
                       "    </arch>\n    <features>\n      <cpuselection/>\n"
                       "    </features>\n  </guest>\n\n</capabilities>\n");
    return g_string_free(x, FALSE);
}
