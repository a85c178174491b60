/* virConnectCompareCPU and virConnectCompareHypervisorCPU. armz-vmm gives a
 * guest the CPU KVM presents (the host's own on arm64), so a CPU
 * description is compatible when its arch is the one compared against, its
 * model (if any) is one of the host's models (host_cpu_models.c) and every
 * feature it requires is in the host's /proc/cpuinfo. Nova compares an
 * aarch64 host's CPU description with the host, as libvirt supports on Arm.
 * On IBM Z the CPU is kvm-arm64's arm64 core, whose features the s390x
 * /proc/cpuinfo does not list: a required feature cannot be confirmed. */
#include <string.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/flags.h"
#include "conf/xml_util.h"
#include "driver/driver.h"

/* The host's CPU feature names, from /proc/cpuinfo. */
static GHashTable *
host_features(void)
{
    GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents("/proc/cpuinfo", &text, NULL, NULL))
        return set;
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        const char *colon = strchr(*l, ':');
        g_auto(GStrv) words = NULL;

        /* arm64 "Features", x86 "flags", s390x "features" */
        if (!colon || !(g_str_has_prefix(*l, "Features") || g_str_has_prefix(*l, "flags") ||
                        g_str_has_prefix(*l, "features")))
            continue;
        words = g_strsplit_set(colon + 1, " \t", -1);
        for (char **w = words; *w; w++)
            if (**w)
                g_hash_table_add(set, g_strdup(*w));
        break;
    }
    return set;
}

static gboolean
host_has_model(ArmzDriver *drv, const char *model)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);

    if (armz_driver_cpu_model_names(drv, "aarch64", names, 0, NULL) < 0)
        return FALSE;
    for (guint i = 0; i < names->len; i++)
        if (g_ascii_strcasecmp(g_ptr_array_index(names, i), model) == 0)
            return TRUE;
    return FALSE;
}

/* Why CPU (the <cpu> element) cannot run where the arch is ARCH, or NULL
 * when it can; *EXTRA set when it names features beyond a bare CPU. */
static char *
incompatibility(ArmzDriver *drv, xmlNodePtr cpu, const char *arch, gboolean *extra)
{
    g_autofree char *mode = armz_xml_prop(cpu, "mode");
    g_autoptr(GHashTable) have = NULL;
    g_autoptr(GString) missing = g_string_new(NULL);
    gboolean unknown;

    *extra = FALSE;
    if (mode && (g_str_equal(mode, "host-passthrough") || g_str_equal(mode, "host-model") ||
                 g_str_equal(mode, "maximum")))
        return NULL;
    for (xmlNodePtr c = armz_xml_first_element(cpu); c; c = armz_xml_next_element(c)) {
        g_autofree char *text = armz_xml_text(c);

        if (armz_xml_is(c, "arch") && text && !g_str_equal(g_strstrip(text), arch))
            return g_strdup_printf(_("CPU arch %s does not match host arch %s"), text, arch);
        if (armz_xml_is(c, "model") && text && *g_strstrip(text) &&
            !host_has_model(drv, text))
            return g_strdup_printf(_("host CPU is not a %s: armz gives a guest the CPU "
                                     "KVM presents"), text);
    }
    armz_driver_host_cpu_arch(&unknown);
    have = unknown ? g_hash_table_new(g_str_hash, g_str_equal) : host_features();
    for (xmlNodePtr c = armz_xml_first_element(cpu); c; c = armz_xml_next_element(c)) {
        g_autofree char *name = NULL;
        g_autofree char *policy = NULL;

        if (!armz_xml_is(c, "feature"))
            continue;
        name = armz_xml_prop(c, "name");
        policy = armz_xml_prop(c, "policy");
        *extra = TRUE;
        if (!name || (policy && !g_str_equal(policy, "require") && !g_str_equal(policy, "force")))
            continue;
        if (!g_hash_table_contains(have, name))
            g_string_append_printf(missing, "%s%s", missing->len ? ", " : "", name);
    }
    if (missing->len && unknown)
        return g_strdup_printf(_("the features of the arm64 CPU kvm-arm64 gives guests are "
                                 "not known on this host, so these cannot be confirmed: %s"),
                               missing->str);
    if (missing->len)
        return g_strdup_printf(_("Host CPU does not provide required features: %s"),
                               missing->str);
    return NULL;
}

static int
compare(ArmzDriver *drv, const char *xml, const char *arch, unsigned int flags,
        const char *func, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autofree char *why = NULL;
    xmlNodePtr root;
    gboolean extra;

    if (!armz_check_flags(flags, VIR_CONNECT_COMPARE_CPU_FAIL_INCOMPATIBLE |
                          VIR_CONNECT_COMPARE_CPU_VALIDATE_XML, func, error))
        return VIR_CPU_COMPARE_ERROR;
    if (!(doc = armz_xml_parse(xml, "(CPU_definition)", error)))
        return VIR_CPU_COMPARE_ERROR;
    root = xmlDocGetRootElement(doc);
    if (!root || !armz_xml_is(root, "cpu")) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_XML_ERROR, "%s",
                    _("unexpected root element, expecting <cpu>"));
        return VIR_CPU_COMPARE_ERROR;
    }
    if (!(why = incompatibility(drv, root, arch, &extra)))
        return extra ? VIR_CPU_COMPARE_SUPERSET : VIR_CPU_COMPARE_IDENTICAL;
    if (flags & VIR_CONNECT_COMPARE_CPU_FAIL_INCOMPATIBLE) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_CPU_INCOMPATIBLE,
                    _("the CPU is incompatible with host CPU: %s"), why);
        return VIR_CPU_COMPARE_ERROR;
    }
    return VIR_CPU_COMPARE_INCOMPATIBLE;
}

int
armz_driver_compare_cpu(ArmzDriver *drv, const char *xml, unsigned int flags, GError **error)
{
    return compare(drv, xml, armz_driver_host_cpu_arch(NULL), flags, "virConnectCompareCPU",
                   error);
}

int
armz_driver_compare_hypervisor_cpu(ArmzDriver *drv, const char *arch, const char *machine,
                                   const char *virttype, const char *xml, unsigned int flags,
                                   GError **error)
{
    /* The one guest arch armz runs, whatever the host's. */
    if ((arch && !g_str_equal(arch, "aarch64")) ||
        (virttype && !g_str_equal(virttype, "kvm") && !g_str_equal(virttype, "qemu")) ||
        (machine && !g_str_has_prefix(machine, "virt"))) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("no hypervisor CPU for arch '%s', machine '%s', virttype '%s': "
                      "armz runs aarch64 guests on machine virt"),
                    arch ? arch : "aarch64", machine ? machine : "virt", virttype ? virttype : "kvm");
        return VIR_CPU_COMPARE_ERROR;
    }
    return compare(drv, xml, "aarch64", flags, "virConnectCompareHypervisorCPU", error);
}
