/* virConnectBaselineCPU and virConnectBaselineHypervisorCPU: the CPU every
 * one of the given host CPU descriptions can provide. KVM on arm64 gives a
 * guest the host's own core and cannot present another one, so a baseline
 * exists only across CPUs of the same model (and vendor); its features are
 * those every CPU lists. armz's Arm models carry no feature list of their
 * own, so the features are always written out, as EXPAND_FEATURES asks,
 * and none of them blocks migration (MIGRATABLE). */
#include <string.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/flags.h"
#include "conf/xml_util.h"
#include "driver/driver.h"

typedef struct {
    char *arch;
    char *model;
    char *vendor;
    GPtrArray *features; /* names of the features the CPU has */
} BaselineCpu;

static void
baseline_cpu_clear(BaselineCpu *c)
{
    g_free(c->arch);
    g_free(c->model);
    g_free(c->vendor);
    if (c->features)
        g_ptr_array_unref(c->features);
}

/* The <cpu> of XML: the root, or the host's in a capabilities document. */
static xmlNodePtr
find_cpu(xmlNodePtr root)
{
    if (armz_xml_is(root, "cpu"))
        return root;
    for (xmlNodePtr c = armz_xml_first_element(root); c; c = armz_xml_next_element(c))
        if (armz_xml_is(c, "host"))
            for (xmlNodePtr h = armz_xml_first_element(c); h; h = armz_xml_next_element(h))
                if (armz_xml_is(h, "cpu"))
                    return h;
    return NULL;
}

static gboolean
parse_cpu(const char *xml, guint index, BaselineCpu *out, GError **error)
{
    g_autoptr(xmlDoc) doc = armz_xml_parse(xml, "(CPU_definition)", error);
    xmlNodePtr cpu;

    if (!doc)
        return FALSE;
    if (!(cpu = find_cpu(xmlDocGetRootElement(doc)))) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_XML_ERROR, "%s",
                    _("unexpected root element, expecting <cpu>"));
        return FALSE;
    }
    out->features = g_ptr_array_new_with_free_func(g_free);
    for (xmlNodePtr c = armz_xml_first_element(cpu); c; c = armz_xml_next_element(c)) {
        if (armz_xml_is(c, "arch") && !out->arch) {
            out->arch = g_strstrip(armz_xml_text(c));
        } else if (armz_xml_is(c, "model") && !out->model) {
            out->model = g_strstrip(armz_xml_text(c));
        } else if (armz_xml_is(c, "vendor") && !out->vendor) {
            out->vendor = g_strstrip(armz_xml_text(c));
        } else if (armz_xml_is(c, "feature")) {
            g_autofree char *name = armz_xml_prop(c, "name");
            g_autofree char *policy = armz_xml_prop(c, "policy");

            /* a host CPU lists features without a policy */
            if (name && (!policy || g_str_equal(policy, "require") ||
                         g_str_equal(policy, "force")))
                g_ptr_array_add(out->features, g_steal_pointer(&name));
        }
    }
    if (!out->model || !*out->model) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("no CPU model specified at index %u"), index);
        return FALSE;
    }
    return TRUE;
}

static gboolean
has_feature(const BaselineCpu *c, const char *name)
{
    for (guint i = 0; i < c->features->len; i++)
        if (g_str_equal(g_ptr_array_index(c->features, i), name))
            return TRUE;
    return FALSE;
}

/* The baseline of XMLS for guests of ARCH. */
static char *
baseline(const char *const *xmls, guint n, const char *arch, GError **error)
{
    g_autofree BaselineCpu *cpus = NULL;
    g_autoptr(GString) x = NULL;
    char *result = NULL;
    guint parsed = 0;

    if (n == 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG, "%s",
                    _("no CPU definitions to baseline"));
        return NULL;
    }
    cpus = g_new0(BaselineCpu, n);
    for (; parsed < n; parsed++)
        if (!parse_cpu(xmls[parsed], parsed, &cpus[parsed], error))
            goto out;
    for (guint i = 0; i < n; i++) {
        if (cpus[i].arch && !g_str_equal(cpus[i].arch, arch)) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_CPU_INCOMPATIBLE,
                        _("CPU arch %s of CPU %u does not match arch %s"),
                        cpus[i].arch, i, arch);
            goto out;
        }
        if (g_ascii_strcasecmp(cpus[i].model, cpus[0].model) != 0) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                        _("CPUs are incompatible: models %s and %s differ, and KVM on "
                          "arm64 gives a guest its host's own core"),
                        cpus[0].model, cpus[i].model);
            goto out;
        }
        if (g_strcmp0(cpus[i].vendor, cpus[0].vendor) != 0) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED, "%s",
                        _("CPU vendors do not match"));
            goto out;
        }
    }
    x = g_string_new("<cpu mode='custom' match='exact'>\n");
    armz_xml_indent(x, 1);
    g_string_append(x, "<model fallback='forbid'>");
    armz_xml_escape_append(x, cpus[0].model);
    g_string_append(x, "</model>\n");
    armz_xml_text_element(x, 1, "vendor", cpus[0].vendor);
    for (guint f = 0; f < cpus[0].features->len; f++) {
        const char *name = g_ptr_array_index(cpus[0].features, f);
        gboolean common = TRUE;

        for (guint i = 1; i < n && common; i++)
            common = has_feature(&cpus[i], name);
        if (!common)
            continue;
        armz_xml_indent(x, 1);
        g_string_append(x, "<feature policy='require'");
        armz_xml_attr_append(x, "name", name);
        g_string_append(x, "/>\n");
    }
    g_string_append(x, "</cpu>\n");
    result = g_string_free(g_steal_pointer(&x), FALSE);
out:
    for (guint i = 0; i < n; i++)
        baseline_cpu_clear(&cpus[i]);
    return result;
}

static gboolean
check_flags(unsigned int flags, const char *func, GError **error)
{
    return armz_check_flags(flags, VIR_CONNECT_BASELINE_CPU_EXPAND_FEATURES |
                            VIR_CONNECT_BASELINE_CPU_MIGRATABLE, func, error);
}

char *
armz_driver_baseline_cpu(ArmzDriver *drv, const char *const *xmls, guint n,
                         unsigned int flags, GError **error)
{
    const char *host_arch = armz_driver_host_cpu_arch(NULL);
    g_autofree char *arch = NULL;

    (void)drv;
    if (!check_flags(flags, "virConnectBaselineCPU", error))
        return NULL;
    /* The host CPUs of this host's arch (a compute node's own, as Nova
     * asks) or of the guests' arch. */
    arch = g_strdup(host_arch);
    if (n > 0) {
        g_autoptr(xmlDoc) doc = armz_xml_parse(xmls[0], "(CPU_definition)", NULL);
        xmlNodePtr cpu = doc ? find_cpu(xmlDocGetRootElement(doc)) : NULL;

        for (xmlNodePtr c = cpu ? armz_xml_first_element(cpu) : NULL; c;
             c = armz_xml_next_element(c))
            if (armz_xml_is(c, "arch")) {
                g_autofree char *a = g_strstrip(armz_xml_text(c));

                if (!g_str_equal(a, "aarch64") && !g_str_equal(a, host_arch)) {
                    g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_SUPPORT,
                                _("'%s' architecture is not supported by CPU driver"), a);
                    return NULL;
                }
                g_free(arch);
                arch = g_steal_pointer(&a);
                break;
            }
    }
    return baseline(xmls, n, arch, error);
}

char *
armz_driver_baseline_hypervisor_cpu(ArmzDriver *drv, const char *emulator, const char *arch,
                                    const char *machine, const char *virttype,
                                    const char *const *xmls, guint n, unsigned int flags,
                                    GError **error)
{
    g_autofree char *caps = NULL;

    if (!check_flags(flags, "virConnectBaselineHypervisorCPU", error))
        return NULL;
    /* the (emulator, arch, machine, virttype) getDomainCapabilities answers */
    if (!(caps = armz_driver_domain_capabilities(drv, emulator, arch, machine, virttype, 0,
                                                 error)))
        return NULL;
    return baseline(xmls, n, "aarch64", error);
}
