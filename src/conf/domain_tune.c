/* <cputune>, <memtune>, <blkiotune>: parse, format, checks (domain_tune.h). */
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "conf/domain_parse_priv.h"
#include "conf/domain_tune.h"
#include "conf/domain_tune_priv.h"
#include "util/armz-i18n.h"
#include "util/error.h"

static void
vcpupin_free(gpointer p)
{
    ArmzDomainVcpuPinDef *pin = p;

    g_free(pin->cpuset);
    g_free(pin);
}

void
armz_domain_tune_clear(ArmzDomainTuneDef *tune)
{
    g_clear_pointer(&tune->vcpupins, g_ptr_array_unref);
    memset(tune, 0, sizeof(*tune));
}

static gboolean
text_u64(xmlNodePtr node, guint64 max, guint64 *out, GError **error)
{
    g_autofree char *text = armz_xml_text(node);

    g_strstrip(text);
    if (!armz_parse_u64(text, 0, max, out))
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("invalid value '%s' for element <%s>"),
                              text, (const char *)node->name);
    return TRUE;
}

static gboolean
text_i64(xmlNodePtr node, gint64 *out, GError **error)
{
    g_autofree char *text = armz_xml_text(node);
    const char *digits;
    guint64 v;

    g_strstrip(text);
    digits = text[0] == '-' ? text + 1 : text;
    if (!armz_parse_u64(digits, 0, G_MAXINT64, &v))
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("invalid value '%s' for element <%s>"),
                              text, (const char *)node->name);
    *out = digits == text ? (gint64)v : -(gint64)v;
    return TRUE;
}

gboolean
armz_cpuset_parse(const char *str, unsigned int max, void *setp)
{
    cpu_set_t *set = setp;
    g_auto(GStrv) parts = NULL;

    CPU_ZERO(set);
    if (!str || !*str)
        return FALSE;
    parts = g_strsplit(str, ",", -1);
    for (guint i = 0; parts[i]; i++) {
        char *p = g_strstrip(parts[i]);
        gboolean neg = *p == '^';
        char *dash;
        guint64 lo, hi;

        if (neg)
            p++;
        dash = strchr(p, '-');
        if (dash)
            *dash = '\0';
        if (!armz_parse_u64(p, 0, max ? max - 1 : 0, &lo))
            return FALSE;
        hi = lo;
        if (dash && (neg || !armz_parse_u64(dash + 1, lo, max ? max - 1 : 0, &hi)))
            return FALSE;
        if (lo >= CPU_SETSIZE || hi >= CPU_SETSIZE)
            return FALSE;
        for (guint64 c = lo; c <= hi; c++) {
            if (neg)
                CPU_CLR(c, set);
            else
                CPU_SET(c, set);
        }
    }
    return CPU_COUNT(set) > 0;
}

gboolean
armz_domain_cputune_parse(ArmzDomainTuneDef *tune, xmlNodePtr node, GError **error)
{
    for (xmlNodePtr c = armz_xml_first_element(node); c; c = armz_xml_next_element(c)) {
        if (armz_xml_is(c, "shares")) {
            if (!text_u64(c, ARMZ_TUNE_SHARES_MAX, &tune->shares, error))
                return FALSE;
            tune->has_shares = TRUE;
        } else if (armz_xml_is(c, "period")) {
            if (!text_u64(c, G_MAXINT64, &tune->period, error))
                return FALSE;
        } else if (armz_xml_is(c, "quota")) {
            if (!text_i64(c, &tune->quota, error))
                return FALSE;
        } else if (armz_xml_is(c, "vcpupin")) {
            g_autofree char *cpuset = armz_xml_prop(c, "cpuset");
            ArmzDomainVcpuPinDef *pin;
            unsigned int vcpu = G_MAXUINT;

            if (!armz_conf_uint_attr(c, "vcpu", &vcpu, error))
                return FALSE;
            if (vcpu == G_MAXUINT)
                return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                      _("missing vcpu id in vcpupin"));
            if (!cpuset)
                return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                      _("missing cpuset for vcpupin"));
            if (!tune->vcpupins)
                tune->vcpupins = g_ptr_array_new_with_free_func(vcpupin_free);
            for (guint i = 0; i < tune->vcpupins->len; i++)
                if (((ArmzDomainVcpuPinDef *)g_ptr_array_index(tune->vcpupins, i))->vcpu == vcpu)
                    return armz_conf_fail(error, VIR_ERR_INTERNAL_ERROR,
                                          _("duplicate vcpupin for vcpu '%u'"), vcpu);
            pin = g_new0(ArmzDomainVcpuPinDef, 1);
            pin->vcpu = vcpu;
            pin->cpuset = g_steal_pointer(&cpuset);
            g_ptr_array_add(tune->vcpupins, pin);
        } else {
            return armz_conf_unsupported_child(c, "cputune", error);
        }
    }
    return TRUE;
}

/* <hard_limit unit='GiB'>1</hard_limit> -> KiB */
static gboolean
memory_limit(xmlNodePtr node, guint64 *kib, GError **error)
{
    g_autofree char *unit = armz_xml_prop(node, "unit");
    unsigned long long k;
    guint64 v;

    if (!text_u64(node, G_MAXUINT64, &v, error))
        return FALSE;
    if (!armz_memory_to_kib(v, unit, &k))
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("invalid unit '%s' or value too large for element <%s>"),
                              unit ? unit : "", (const char *)node->name);
    /* "unlimited" is no limit: absent */
    *kib = k >= ARMZ_TUNE_MEMORY_UNLIMITED ? 0 : k;
    return TRUE;
}

gboolean
armz_domain_memtune_parse(ArmzDomainTuneDef *tune, xmlNodePtr node, GError **error)
{
    for (xmlNodePtr c = armz_xml_first_element(node); c; c = armz_xml_next_element(c)) {
        guint64 *slot;

        if (armz_xml_is(c, "hard_limit"))
            slot = &tune->hard_limit_kib;
        else if (armz_xml_is(c, "soft_limit"))
            slot = &tune->soft_limit_kib;
        else if (armz_xml_is(c, "swap_hard_limit"))
            slot = &tune->swap_hard_limit_kib;
        else
            return armz_conf_unsupported_child(c, "memtune", error);
        if (!memory_limit(c, slot, error))
            return FALSE;
    }
    return TRUE;
}

gboolean
armz_domain_blkiotune_parse(ArmzDomainTuneDef *tune, xmlNodePtr node, GError **error)
{
    for (xmlNodePtr c = armz_xml_first_element(node); c; c = armz_xml_next_element(c)) {
        guint64 w;

        if (!armz_xml_is(c, "weight"))
            return armz_conf_unsupported_child(c, "blkiotune", error);
        if (!text_u64(c, G_MAXUINT, &w, error))
            return FALSE;
        tune->blkio_weight = (unsigned int)w;
    }
    return TRUE;
}

void
armz_domain_memtune_format(GString *buf, const ArmzDomainTuneDef *tune)
{
    if (tune->blkio_weight)
        g_string_append_printf(buf, "  <blkiotune>\n    <weight>%u</weight>\n  </blkiotune>\n",
                               tune->blkio_weight);
    if (!tune->hard_limit_kib && !tune->soft_limit_kib && !tune->swap_hard_limit_kib)
        return;
    g_string_append(buf, "  <memtune>\n");
    if (tune->hard_limit_kib)
        g_string_append_printf(buf, "    <hard_limit unit='KiB'>%" G_GUINT64_FORMAT
                               "</hard_limit>\n", tune->hard_limit_kib);
    if (tune->soft_limit_kib)
        g_string_append_printf(buf, "    <soft_limit unit='KiB'>%" G_GUINT64_FORMAT
                               "</soft_limit>\n", tune->soft_limit_kib);
    if (tune->swap_hard_limit_kib)
        g_string_append_printf(buf, "    <swap_hard_limit unit='KiB'>%" G_GUINT64_FORMAT
                               "</swap_hard_limit>\n", tune->swap_hard_limit_kib);
    g_string_append(buf, "  </memtune>\n");
}

void
armz_domain_cputune_format(GString *buf, const ArmzDomainTuneDef *tune)
{
    guint npins = tune->vcpupins ? tune->vcpupins->len : 0;

    if (!tune->has_shares && !tune->period && !tune->quota && !npins)
        return;
    g_string_append(buf, "  <cputune>\n");
    if (tune->has_shares)
        g_string_append_printf(buf, "    <shares>%" G_GUINT64_FORMAT "</shares>\n", tune->shares);
    if (tune->period)
        g_string_append_printf(buf, "    <period>%" G_GUINT64_FORMAT "</period>\n", tune->period);
    if (tune->quota)
        g_string_append_printf(buf, "    <quota>%" G_GINT64_FORMAT "</quota>\n", tune->quota);
    for (guint i = 0; i < npins; i++) {
        const ArmzDomainVcpuPinDef *pin = g_ptr_array_index(tune->vcpupins, i);

        g_string_append_printf(buf, "    <vcpupin vcpu='%u'", pin->vcpu);
        armz_xml_attr_append(buf, "cpuset", pin->cpuset);
        g_string_append(buf, "/>\n");
    }
    g_string_append(buf, "  </cputune>\n");
}

gboolean
armz_domain_tune_check(const ArmzDomainTuneDef *tune, unsigned int vcpus, GError **error)
{
    guint npins = tune->vcpupins ? tune->vcpupins->len : 0;

    if (tune->period && (tune->period < ARMZ_TUNE_PERIOD_MIN ||
                         tune->period > ARMZ_TUNE_PERIOD_MAX))
        return armz_conf_fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                              _("Value of cputune period must be in range [%llu, %llu]"),
                              ARMZ_TUNE_PERIOD_MIN, ARMZ_TUNE_PERIOD_MAX);
    if (tune->quota && tune->quota != -1 &&
        (tune->quota < ARMZ_TUNE_QUOTA_MIN || tune->quota > ARMZ_TUNE_QUOTA_MAX))
        return armz_conf_fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                              _("Value of cputune quota must be in range [%lld, %lld]"),
                              ARMZ_TUNE_QUOTA_MIN, ARMZ_TUNE_QUOTA_MAX);
    if (tune->blkio_weight && (tune->blkio_weight < ARMZ_TUNE_BLKIO_WEIGHT_MIN ||
                               tune->blkio_weight > ARMZ_TUNE_BLKIO_WEIGHT_MAX))
        return armz_conf_fail(error, VIR_ERR_INVALID_ARG, _("out of blkio weight range."));
    if (tune->hard_limit_kib && tune->swap_hard_limit_kib &&
        tune->hard_limit_kib > tune->swap_hard_limit_kib)
        return armz_conf_fail(error, VIR_ERR_XML_DETAIL, "%s",
                              _("memory hard_limit tunable value must be lower than or "
                                "equal to swap_hard_limit"));
    for (guint i = 0; i < npins; i++) {
        const ArmzDomainVcpuPinDef *pin = g_ptr_array_index(tune->vcpupins, i);
        cpu_set_t set;

        if (pin->vcpu >= vcpus)
            return armz_conf_fail(error, VIR_ERR_INVALID_ARG,
                                  _("requested vcpu '%u' is not present in the domain"),
                                  pin->vcpu);
        if (!armz_cpuset_parse(pin->cpuset, CPU_SETSIZE, &set))
            return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                  _("invalid cpuset '%s' of vcpupin"), pin->cpuset);
    }
    return TRUE;
}
