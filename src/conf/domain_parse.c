/* Domain XML -> ArmzDomainDef: the <domain> element and everything outside
 * <devices>. Every element is either understood, kept verbatim, or refused
 * by name: nothing is dropped silently. */
#include "conf/domain_parse_priv.h"
#include "conf/domain_tune_priv.h"
#include "util/error.h"
#include "util/armz-i18n.h"
#include "util/names.h"

#include <string.h>

typedef gboolean (*ElementParser)(ArmzDomainDef *def, xmlNodePtr node, GError **error);

static gboolean
parse_name(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    def->name = armz_xml_text(node);
    return armz_name_check(ARMZ_NAME_DOMAIN, def->name, error);
}

static gboolean
parse_uuid(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    g_autofree char *s = armz_xml_text(node);

    if (!armz_uuid_parse(s, def->uuid))
        return armz_conf_fail(error, VIR_ERR_XML_ERROR, _("malformed uuid element '%s'"), s);
    return TRUE;
}

static gboolean
parse_title(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    def->title = armz_xml_text(node);
    if (strchr(def->title, '\n'))
        return armz_conf_fail(error, VIR_ERR_XML_ERROR, _("title can't contain newlines"));
    return TRUE;
}

static gboolean
parse_description(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    def->description = armz_xml_text(node);
    return TRUE;
}

static gboolean
parse_metadata(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    for (xmlNodePtr c = armz_xml_first_element(node); c; c = armz_xml_next_element(c))
        g_ptr_array_add(def->metadata, armz_xml_fragment_capture(c));
    return TRUE;
}

/* <memory unit='GiB'>4</memory> -> KiB */
static gboolean
parse_memory_value(xmlNodePtr node, unsigned long long *kib, GError **error)
{
    g_autofree char *text = armz_xml_text(node);
    g_autofree char *unit = armz_xml_prop(node, "unit");
    guint64 v;

    g_strstrip(text);
    if (!armz_parse_u64(text, 0, G_MAXUINT64, &v))
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("invalid value '%s' for element <%s>"),
                              text, (const char *)node->name);
    if (!armz_memory_to_kib(v, unit, kib))
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("invalid unit '%s' or value too large for element <%s>"),
                              unit ? unit : "", (const char *)node->name);
    return TRUE;
}

static gboolean
parse_memory(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    if (!parse_memory_value(node, &def->memory_kib, error))
        return FALSE;
    if (def->memory_kib == 0)
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("memory size must be greater than zero"));
    return TRUE;
}

static gboolean
parse_current_memory(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    return parse_memory_value(node, &def->current_memory_kib, error);
}

static gboolean
parse_vcpu(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    static const char *const placements[] = { "static", NULL };
    static const char *const placements_no[] = { "auto", NULL };
    g_autofree char *text = armz_xml_text(node);
    g_autofree char *placement = NULL;
    guint64 n;

    if (!armz_conf_choice_attr(node, "placement", NULL, placements, placements_no,
                               &placement, error))
        return FALSE;
    g_strstrip(text);
    if (!armz_parse_u64(text, 1, 4096, &n))
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("invalid value '%s' for element <vcpu>"), text);
    def->vcpus = (unsigned int)n;
    def->vcpus_current = 0;
    if (!armz_conf_uint_attr(node, "current", &def->vcpus_current, error))
        return FALSE;
    if (def->vcpus_current > def->vcpus)
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("current vcpus count must be less than or equal to maximum"));
    if (def->vcpus_current == 0)
        def->vcpus_current = def->vcpus;
    def->vcpu_cpuset = armz_xml_prop(node, "cpuset");
    return TRUE;
}

static gboolean
parse_os_type(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    g_autofree char *text = armz_xml_text(node);

    g_strstrip(text);
    if (!g_str_equal(text, "hvm"))
        return armz_conf_fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                              _("os type '%s' is not supported by the armz driver"), text);
    def->os_type = g_steal_pointer(&text);
    def->os_arch = armz_xml_prop(node, "arch");
    if (!def->os_arch)
        def->os_arch = g_strdup("aarch64");
    if (!g_str_equal(def->os_arch, "aarch64"))
        return armz_conf_fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                              _("architecture '%s' is not supported by the armz driver (only aarch64)"),
                              def->os_arch);
    def->os_machine = armz_xml_prop(node, "machine");
    if (!def->os_machine)
        def->os_machine = g_strdup("virt");
    /* "virt" or a versioned "virt-8.2" as written by tools that ask qemu */
    if (!g_str_equal(def->os_machine, "virt") && !g_str_has_prefix(def->os_machine, "virt-"))
        return armz_conf_fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                              _("machine type '%s' is not supported by the armz driver (only 'virt')"),
                              def->os_machine);
    return TRUE;
}

static gboolean
parse_os(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    static const char *const yesno[] = { "yes", "no", NULL };
    static const char *const loader_types[] = { "rom", "pflash", NULL };
    static const char *const boot_devs[] = { "hd", "cdrom", "network", NULL };
    static const char *const boot_devs_no[] = { "fd", NULL };
    g_autoptr(GPtrArray) boots = g_ptr_array_new_with_free_func(g_free);

    if (!armz_conf_os_firmware_attr(def, node, error))
        return FALSE;
    for (xmlNodePtr c = armz_xml_first_element(node); c; c = armz_xml_next_element(c)) {
        if (armz_conf_os_child_is_firmware(c)) {
            if (!armz_conf_os_child_parse(def, c, error))
                return FALSE;
        } else if (armz_xml_is(c, "type")) {
            if (!parse_os_type(def, c, error))
                return FALSE;
        } else if (armz_xml_is(c, "loader") && !def->os_loader) {
            ArmzDomainLoaderDef *l = def->os_loader = g_new0(ArmzDomainLoaderDef, 1);
            g_autofree char *path = armz_xml_text(c);

            if (*g_strstrip(path))
                l->path = g_steal_pointer(&path);
            if (!armz_conf_choice_attr(c, "readonly", NULL, yesno, NULL, &l->readonly, error) ||
                !armz_conf_choice_attr(c, "type", NULL, loader_types, NULL, &l->type, error) ||
                !armz_conf_choice_attr(c, "secure", NULL, yesno, NULL, &l->secure, error))
                return FALSE;
        } else if (armz_xml_is(c, "nvram") && !def->os_nvram) {
            ArmzDomainNvramDef *n = def->os_nvram = g_new0(ArmzDomainNvramDef, 1);
            g_autofree char *path = armz_xml_text(c);

            if (*g_strstrip(path))
                n->path = g_steal_pointer(&path);
            n->template_path = armz_xml_prop(c, "template");
        } else if (armz_xml_is(c, "kernel") && !def->os_kernel) {
            def->os_kernel = armz_xml_text(c);
        } else if (armz_xml_is(c, "initrd") && !def->os_initrd) {
            def->os_initrd = armz_xml_text(c);
        } else if (armz_xml_is(c, "cmdline") && !def->os_cmdline) {
            def->os_cmdline = armz_xml_text(c);
        } else if (armz_xml_is(c, "dtb") && !def->os_dtb) {
            def->os_dtb = armz_xml_text(c);
        } else if (armz_xml_is(c, "boot")) {
            int i = armz_conf_enum_attr(c, "dev", NULL, boot_devs, boot_devs_no, error);
            if (i < 0)
                return FALSE;
            g_ptr_array_add(boots, g_strdup(boot_devs[i]));
        } else {
            return armz_conf_unsupported_child(c, "os", error);
        }
    }
    if (!def->os_type)
        return armz_conf_fail(error, VIR_ERR_XML_ERROR, _("an os <type> must be specified"));
    if (boots->len) {
        g_ptr_array_add(boots, NULL);
        def->os_boot_devs = (GStrv)g_ptr_array_free(g_steal_pointer(&boots), FALSE);
    }
    return TRUE;
}

static gboolean
parse_cpu(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    static const char *const modes[] = {
        "custom", "host-model", "host-passthrough", "maximum", NULL };
    static const char *const matches[] = { "minimum", "exact", "strict", NULL };
    static const char *const checks[] = { "none", "partial", "full", NULL };
    static const char *const onoff[] = { "on", "off", NULL };
    static const char *const fallbacks[] = { "allow", "forbid", NULL };
    static const char *const policies[] = {
        "force", "require", "optional", "disable", "forbid", NULL };
    ArmzDomainCpuDef *cpu;

    if (def->cpu)
        return armz_conf_fail(error, VIR_ERR_XML_ERROR, _("more than one <cpu> element"));
    cpu = def->cpu = armz_domain_cpu_def_new();
    if (!armz_conf_choice_attr(node, "mode", "custom", modes, NULL, &cpu->mode, error) ||
        !armz_conf_choice_attr(node, "match", NULL, matches, NULL, &cpu->match, error) ||
        !armz_conf_choice_attr(node, "check", NULL, checks, NULL, &cpu->check, error) ||
        !armz_conf_choice_attr(node, "migratable", NULL, onoff, NULL, &cpu->migratable, error))
        return FALSE;

    for (xmlNodePtr c = armz_xml_first_element(node); c; c = armz_xml_next_element(c)) {
        if (armz_xml_is(c, "model") && !cpu->model) {
            cpu->model = armz_xml_text(c);
            g_strstrip(cpu->model);
            if (!armz_conf_choice_attr(c, "fallback", NULL, fallbacks, NULL,
                                       &cpu->model_fallback, error))
                return FALSE;
        } else if (armz_xml_is(c, "topology")) {
            if (!armz_conf_uint_attr(c, "sockets", &cpu->sockets, error) ||
                !armz_conf_uint_attr(c, "dies", &cpu->dies, error) ||
                !armz_conf_uint_attr(c, "cores", &cpu->cores, error) ||
                !armz_conf_uint_attr(c, "threads", &cpu->threads, error))
                return FALSE;
        } else if (armz_xml_is(c, "feature")) {
            ArmzDomainCpuFeatureDef *f = g_new0(ArmzDomainCpuFeatureDef, 1);

            g_ptr_array_add(cpu->features, f);
            if (!armz_conf_choice_attr(c, "policy", "require", policies, NULL, &f->policy, error))
                return FALSE;
            f->name = armz_xml_prop(c, "name");
            if (!f->name)
                return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                      _("missing attribute 'name' of <feature>"));
        } else {
            return armz_conf_unsupported_child(c, "cpu", error);
        }
    }
    if (g_str_equal(cpu->mode, "custom") && !cpu->model)
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("cpu mode 'custom' requires a <model>"));
    return TRUE;
}

/* One child of <features>: its state, the GIC version, the rest kept. */
static gboolean
parse_feature(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    static const char *const typed[] = { "state", NULL };
    static const char *const gic_typed[] = { "state", "version", NULL };
    static const char *const gic_versions[] = { "2", "3", "host", NULL };
    ArmzDomainFeatureDef *f = armz_domain_feature_def_new();
    gboolean gic = armz_xml_is(node, "gic");

    g_ptr_array_add(def->features, f);
    f->name = g_strdup((const char *)node->name);
    if (!armz_conf_tristate_attr(node, "state", FALSE, &f->state, error))
        return FALSE;
    if (gic && !armz_conf_choice_attr(node, "version", NULL, gic_versions, NULL,
                                      &f->gic_version, error))
        return FALSE;
    return armz_conf_extra_capture(&f->extra, node, gic ? gic_typed : typed, NULL, error);
}

static gboolean
parse_features(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    /* The hypervisor features that make sense for an Arm64 guest; the
     * schema lists the same names. */
    static const char *const known[] = {
        "acpi", "apic", "pae", "hap", "privnet", "pmu", "gic", "vmcoreinfo",
        "kvm", "ioapic", "smm", "htm", NULL };

    for (xmlNodePtr c = armz_xml_first_element(node); c; c = armz_xml_next_element(c)) {
        if (c->ns || !g_strv_contains(known, (const char *)c->name))
            return armz_conf_unsupported_child(c, "features", error);
        if (armz_domain_def_find_feature(def, (const char *)c->name))
            return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                  _("feature '%s' appears more than once"),
                                  (const char *)c->name);
        if (!parse_feature(def, c, error))
            return FALSE;
    }
    return TRUE;
}

static gboolean
parse_clock(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    static const char *const offsets[] = {
        "utc", "localtime", "timezone", "variable", "absolute", NULL };

    g_clear_pointer(&def->clock_offset, g_free);
    if (!armz_conf_choice_attr(node, "offset", "utc", offsets, NULL, &def->clock_offset, error))
        return FALSE;
    def->clock_timezone = armz_xml_prop(node, "timezone");
    def->clock_adjustment = armz_xml_prop(node, "adjustment");
    def->clock_basis = armz_xml_prop(node, "basis");
    for (xmlNodePtr c = armz_xml_first_element(node); c; c = armz_xml_next_element(c)) {
        static const char *const typed[] = { "name", NULL };
        ArmzDomainTimerDef *t;

        if (!armz_xml_is(c, "timer"))
            return armz_conf_unsupported_child(c, "clock", error);
        t = armz_domain_timer_def_new();
        g_ptr_array_add(def->clock_timers, t);
        t->name = armz_xml_prop(c, "name");
        if (!armz_conf_extra_capture(&t->extra, c, typed, NULL, error))
            return FALSE;
    }
    return TRUE;
}

static gboolean
parse_lifecycle(ArmzDomainLifecycleAction *out, xmlNodePtr node, gboolean crash,
                GError **error)
{
    g_autofree char *text = armz_xml_text(node);
    int act;

    g_strstrip(text);
    act = armz_domain_lifecycle_action_from_string(text);
    /* coredump-* only make sense after a crash */
    if (act < 0 || (!crash && act >= ARMZ_DOMAIN_LIFECYCLE_COREDUMP_DESTROY))
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("invalid value '%s' for element <%s>"),
                              text, (const char *)node->name);
    *out = (ArmzDomainLifecycleAction)act;
    return TRUE;
}

static gboolean
parse_on_poweroff(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    return parse_lifecycle(&def->on_poweroff, node, FALSE, error);
}

static gboolean
parse_on_reboot(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    return parse_lifecycle(&def->on_reboot, node, FALSE, error);
}

static gboolean
parse_on_crash(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    return parse_lifecycle(&def->on_crash, node, TRUE, error);
}

/* <suspend-to-mem enabled=''/> and <suspend-to-disk enabled=''/> are typed
 * when they are just that (the first of each); anything else in <pm>,
 * <suspend-to-mem/> without enabled too, is kept in pm_extra. */
static gboolean
pm_state_only(xmlNodePtr node, ArmzTristate *out)
{
    xmlAttrPtr a = node->properties;

    return out && *out == ARMZ_TRISTATE_ABSENT && !armz_xml_first_element(node) &&
           a && !a->next && !a->ns && xmlStrEqual(a->name, BAD_CAST "enabled");
}

static gboolean
parse_pm(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    static const char *const typed[] = { "suspend-to-mem", "suspend-to-disk", NULL };

    def->has_pm = TRUE;
    if (!armz_conf_extra_capture(&def->pm_extra, node, NULL, typed, error))
        return FALSE;
    for (xmlNodePtr c = armz_xml_first_element(node); c; c = armz_xml_next_element(c)) {
        ArmzTristate *state = armz_xml_is(c, "suspend-to-mem") ? &def->pm_suspend_to_mem :
                              armz_xml_is(c, "suspend-to-disk") ? &def->pm_suspend_to_disk :
                              NULL;

        if (!state)
            continue;       /* captured above */
        if (!pm_state_only(c, state))
            g_ptr_array_add(def->pm_extra.children, armz_xml_fragment_capture(c));
        else if (!armz_conf_tristate_attr(c, "enabled", TRUE, state, error))
            return FALSE;
    }
    return TRUE;
}

static gboolean
parse_resource(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    def->resource = armz_xml_fragment_capture(node);
    return TRUE;
}

static gboolean
parse_seclabel(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    static const char *const typed[] = { "type", "model", "relabel", NULL };
    ArmzDomainSeclabelDef *sec = armz_domain_seclabel_def_new();

    g_ptr_array_add(def->seclabels, sec);
    sec->type = armz_xml_prop(node, "type");
    sec->model = armz_xml_prop(node, "model");
    sec->relabel = armz_xml_prop(node, "relabel");
    for (xmlNodePtr c = armz_xml_first_element(node); c; c = armz_xml_next_element(c))
        if (armz_xml_is(c, "label") && !sec->label)
            sec->label = g_strstrip(armz_xml_text(c));
    return armz_conf_extra_capture(&sec->extra, node, typed, NULL, error);
}

static gboolean
parse_cputune(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    return armz_domain_cputune_parse(&def->tune, node, error);
}

static gboolean
parse_memtune(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    return armz_domain_memtune_parse(&def->tune, node, error);
}

static gboolean
parse_blkiotune(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    return armz_domain_blkiotune_parse(&def->tune, node, error);
}

/* <iothreads>N</iothreads>: armz-vmm serves every virtio device from an I/O
 * thread of its own, so any count is honoured (docs/tuning.md); the number
 * is kept for the clients that wrote it. */
static gboolean
parse_iothreads(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    g_autofree char *text = armz_xml_text(node);
    guint64 n;

    if (!text || !g_ascii_string_to_unsigned(g_strstrip(text), 10, 0, 4096, &n, NULL))
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("invalid iothreads count '%s'"), text ? text : "");
    def->iothreads = (unsigned int)n;
    return TRUE;
}

static gboolean
parse_devices(ArmzDomainDef *def, xmlNodePtr node, GError **error)
{
    return armz_domain_devices_parse(def, node, error);
}

static const struct {
    const char *name;
    ElementParser parse;
    gboolean repeats;
} top_elements[] = {
    { "name", parse_name, FALSE },
    { "uuid", parse_uuid, FALSE },
    { "title", parse_title, FALSE },
    { "description", parse_description, FALSE },
    { "metadata", parse_metadata, FALSE },
    { "memory", parse_memory, FALSE },
    { "currentMemory", parse_current_memory, FALSE },
    { "vcpu", parse_vcpu, FALSE },
    { "iothreads", parse_iothreads, FALSE },
    { "os", parse_os, FALSE },
    { "cpu", parse_cpu, FALSE },
    { "features", parse_features, FALSE },
    { "clock", parse_clock, FALSE },
    { "on_poweroff", parse_on_poweroff, FALSE },
    { "on_reboot", parse_on_reboot, FALSE },
    { "on_crash", parse_on_crash, FALSE },
    { "pm", parse_pm, FALSE },
    { "resource", parse_resource, FALSE },
    { "seclabel", parse_seclabel, TRUE },
    { "sysinfo", armz_conf_sysinfo_parse, FALSE },
    { "devices", parse_devices, FALSE },
    { "cputune", parse_cputune, FALSE },
    { "memtune", parse_memtune, FALSE },
    { "blkiotune", parse_blkiotune, FALSE },
    { "memoryBacking", armz_domain_memory_backing_parse, FALSE },
};

/* As libvirt: the first serial port is also the first console, so a
 * <serial> without a serial-type <console> gets one that describes it
 * (before a virtio console, which then is the second). */
static void
add_console_compat(ArmzDomainDef *def)
{
    const ArmzDomainChrDef *ser;
    const ArmzDomainChrDef *first;
    ArmzDomainChrDef *con;

    if (def->serials->len == 0)
        return;
    first = def->consoles->len ? g_ptr_array_index(def->consoles, 0) : NULL;
    if (first && (!first->target_type || g_str_equal(first->target_type, "serial")))
        return;
    ser = g_ptr_array_index(def->serials, 0);
    con = g_new0(ArmzDomainChrDef, 1);
    con->type = ser->type;
    con->source_path = g_strdup(ser->source_path);
    con->source_mode = g_strdup(ser->source_mode);
    con->source_host = g_strdup(ser->source_host);
    con->source_service = g_strdup(ser->source_service);
    con->protocol = g_strdup(ser->protocol);
    con->log_file = g_strdup(ser->log_file);
    con->log_append = g_strdup(ser->log_append);
    con->target_type = g_strdup("serial");
    con->target_port = 0;
    g_ptr_array_insert(def->consoles, 0, con);
}

static gboolean
parse_domain_root(ArmzDomainDef *def, xmlNodePtr root, GError **error)
{
    static const char *const types[] = { "kvm", "qemu", NULL };
    static const char *const types_no[] = {
        "xen", "lxc", "uml", "openvz", "test", "vmware", "hyperv", "vbox", "phyp",
        "vz", "bhyve", "ch", "armz", "kqemu", "kvm-armz", NULL };
    guint seen = 0;

    if (!armz_xml_is(root, "domain")) {
        g_autofree char *q = armz_xml_qname(root);
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("unexpected root element <%s>, expecting <domain>"), q);
    }
    if (!armz_conf_choice_attr(root, "type", NULL, types, types_no, &def->virt_type, error))
        return FALSE;
    if (!def->virt_type)
        return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                              _("missing domain type attribute"));

    G_STATIC_ASSERT(G_N_ELEMENTS(top_elements) <= sizeof(seen) * 8);
    for (xmlNodePtr c = armz_xml_first_element(root); c; c = armz_xml_next_element(c)) {
        guint i;

        for (i = 0; i < G_N_ELEMENTS(top_elements); i++) {
            if (armz_xml_is(c, top_elements[i].name))
                break;
        }
        if (i == G_N_ELEMENTS(top_elements)) {
            g_autofree char *q = armz_xml_qname(c);
            return armz_conf_fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                                  _("element '%s' is not supported by the armz driver"), q);
        }
        if (!top_elements[i].repeats && (seen & (1u << i)))
            return armz_conf_fail(error, VIR_ERR_XML_ERROR,
                                  _("element <%s> appears more than once"),
                                  top_elements[i].name);
        seen |= 1u << i;
        if (!top_elements[i].parse(def, c, error))
            return FALSE;
    }

    if (!def->name)
        return armz_conf_fail(error, VIR_ERR_XML_ERROR, _("missing domain <name>"));
    if (!(seen & (1u << 1)))     /* no <uuid>: libvirt generates one */
        armz_uuid_generate(def->uuid);
    if (def->memory_kib == 0)
        return armz_conf_fail(error, VIR_ERR_XML_ERROR, _("missing <memory> element"));
    /* currentMemory defaults to memory and never exceeds it */
    if (def->current_memory_kib == 0 || def->current_memory_kib > def->memory_kib)
        def->current_memory_kib = def->memory_kib;
    if (def->vcpus == 0)
        def->vcpus = def->vcpus_current = 1;
    if (!def->os_type)
        return armz_conf_fail(error, VIR_ERR_XML_ERROR, _("missing <os> element"));
    if (!def->clock_offset)
        def->clock_offset = g_strdup("utc");
    add_console_compat(def);
    return TRUE;
}

ArmzDomainDef *
armz_domain_def_parse(const char *xml, GError **error)
{
    g_autoptr(xmlDoc) doc = armz_xml_parse(xml, ARMZ_XML_DOMAIN_LABEL, error);
    g_autoptr(ArmzDomainDef) def = NULL;

    if (!doc)
        return NULL;
    def = armz_domain_def_new();
    if (!parse_domain_root(def, xmlDocGetRootElement(doc), error))
        return NULL;
    return g_steal_pointer(&def);
}
