/* ArmzDomainDef -> domain XML, in libvirt's element order and layout so
 * that virsh dumpxml output looks as users expect and diffs stay small. */
#include "conf/domain_parse_priv.h"
#include "conf/domain_tune_priv.h"

#include <libvirt/libvirt.h>

static void
format_memory(GString *buf, const char *name, unsigned long long kib)
{
    g_string_append_printf(buf, "  <%s unit='KiB'>%llu</%s>\n", name, kib, name);
}

static void
format_os(GString *buf, const ArmzDomainDef *def)
{
    g_string_append(buf, "  <os");
    armz_xml_attr_append(buf, "firmware", def->os_firmware);
    g_string_append(buf, ">\n    <type");
    armz_xml_attr_append(buf, "arch", def->os_arch);
    armz_xml_attr_append(buf, "machine", def->os_machine);
    g_string_append_c(buf, '>');
    armz_xml_escape_append(buf, def->os_type);
    g_string_append(buf, "</type>\n");
    armz_conf_os_firmware_format(buf, def);
    if (def->os_loader) {
        const ArmzDomainLoaderDef *l = def->os_loader;
        g_string_append(buf, "    <loader");
        armz_xml_attr_append(buf, "readonly", l->readonly);
        armz_xml_attr_append(buf, "secure", l->secure);
        armz_xml_attr_append(buf, "type", l->type);
        if (l->path) {
            g_string_append_c(buf, '>');
            armz_xml_escape_append(buf, l->path);
            g_string_append(buf, "</loader>\n");
        } else {
            g_string_append(buf, "/>\n");
        }
    }
    if (def->os_nvram) {
        g_string_append(buf, "    <nvram");
        armz_xml_attr_append(buf, "template", def->os_nvram->template_path);
        if (def->os_nvram->path) {
            g_string_append_c(buf, '>');
            armz_xml_escape_append(buf, def->os_nvram->path);
            g_string_append(buf, "</nvram>\n");
        } else {
            g_string_append(buf, "/>\n");
        }
    }
    armz_xml_text_element(buf, 2, "kernel", def->os_kernel);
    armz_xml_text_element(buf, 2, "initrd", def->os_initrd);
    armz_xml_text_element(buf, 2, "cmdline", def->os_cmdline);
    armz_xml_text_element(buf, 2, "dtb", def->os_dtb);
    for (guint i = 0; def->os_boot_devs && def->os_boot_devs[i]; i++)
        g_string_append_printf(buf, "    <boot dev='%s'/>\n", def->os_boot_devs[i]);
    armz_conf_os_smbios_format(buf, def);
    g_string_append(buf, "  </os>\n");
}

static void
format_cpu(GString *buf, const ArmzDomainCpuDef *cpu)
{
    gboolean empty = !cpu->model && !cpu->sockets && !cpu->dies && !cpu->cores &&
                     !cpu->threads && cpu->features->len == 0;

    g_string_append(buf, "  <cpu");
    armz_xml_attr_append(buf, "mode", cpu->mode);
    armz_xml_attr_append(buf, "match", cpu->match);
    armz_xml_attr_append(buf, "check", cpu->check);
    armz_xml_attr_append(buf, "migratable", cpu->migratable);
    if (empty) {
        g_string_append(buf, "/>\n");
        return;
    }
    g_string_append(buf, ">\n");
    if (cpu->model) {
        g_string_append(buf, "    <model");
        armz_xml_attr_append(buf, "fallback", cpu->model_fallback);
        g_string_append_c(buf, '>');
        armz_xml_escape_append(buf, cpu->model);
        g_string_append(buf, "</model>\n");
    }
    if (cpu->sockets || cpu->dies || cpu->cores || cpu->threads) {
        g_string_append(buf, "    <topology");
        if (cpu->sockets)
            g_string_append_printf(buf, " sockets='%u'", cpu->sockets);
        if (cpu->dies)
            g_string_append_printf(buf, " dies='%u'", cpu->dies);
        if (cpu->cores)
            g_string_append_printf(buf, " cores='%u'", cpu->cores);
        if (cpu->threads)
            g_string_append_printf(buf, " threads='%u'", cpu->threads);
        g_string_append(buf, "/>\n");
    }
    for (guint i = 0; i < cpu->features->len; i++) {
        const ArmzDomainCpuFeatureDef *f = g_ptr_array_index(cpu->features, i);
        g_string_append(buf, "    <feature");
        armz_xml_attr_append(buf, "policy", f->policy);
        armz_xml_attr_append(buf, "name", f->name);
        g_string_append(buf, "/>\n");
    }
    g_string_append(buf, "  </cpu>\n");
}

static void
format_clock(GString *buf, const ArmzDomainDef *def)
{
    g_string_append(buf, "  <clock");
    armz_xml_attr_append(buf, "offset", def->clock_offset ? def->clock_offset : "utc");
    armz_xml_attr_append(buf, "timezone", def->clock_timezone);
    armz_xml_attr_append(buf, "adjustment", def->clock_adjustment);
    armz_xml_attr_append(buf, "basis", def->clock_basis);
    if (def->clock_timers->len == 0) {
        g_string_append(buf, "/>\n");
        return;
    }
    g_string_append(buf, ">\n");
    for (guint i = 0; i < def->clock_timers->len; i++) {
        const ArmzDomainTimerDef *t = g_ptr_array_index(def->clock_timers, i);
        g_autoptr(GString) attrs = g_string_new(NULL);

        armz_xml_attr_append(attrs, "name", t->name);
        armz_conf_extra_element_append(buf, "timer", attrs, &t->extra, 2);
    }
    g_string_append(buf, "  </clock>\n");
}

static void
pm_state_append(GString *buf, const char *name, ArmzTristate state)
{
    if (state == ARMZ_TRISTATE_ABSENT)
        return;
    g_string_append_printf(buf, "    <%s", name);
    armz_xml_attr_append(buf, "enabled", armz_conf_tristate_to_string(state, TRUE));
    g_string_append(buf, "/>\n");
}

static void
format_pm(GString *buf, const ArmzDomainDef *def)
{
    if (!def->has_pm)
        return;
    g_string_append(buf, "  <pm");
    armz_conf_extra_attrs_append(buf, &def->pm_extra);
    if (def->pm_suspend_to_mem == ARMZ_TRISTATE_ABSENT &&
        def->pm_suspend_to_disk == ARMZ_TRISTATE_ABSENT && def->pm_extra.children->len == 0) {
        g_string_append(buf, "/>\n");
        return;
    }
    g_string_append(buf, ">\n");
    pm_state_append(buf, "suspend-to-mem", def->pm_suspend_to_mem);
    pm_state_append(buf, "suspend-to-disk", def->pm_suspend_to_disk);
    armz_conf_extra_children_append(buf, &def->pm_extra, 2);
    g_string_append(buf, "  </pm>\n");
}

char *
armz_domain_def_format(const ArmzDomainDef *def, int id, unsigned int flags)
{
    gboolean live = id >= 0 && !(flags & VIR_DOMAIN_XML_INACTIVE);
    GString *buf = g_string_sized_new(2048);
    char uuid[37];

    g_return_val_if_fail(def != NULL, NULL);

    g_string_append(buf, "<domain");
    armz_xml_attr_append(buf, "type", def->virt_type ? def->virt_type : "kvm");
    if (live)
        g_string_append_printf(buf, " id='%d'", id);
    g_string_append(buf, ">\n");

    armz_xml_text_element(buf, 1, "name", def->name);
    armz_uuid_format(def->uuid, uuid);
    armz_xml_text_element(buf, 1, "uuid", uuid);
    armz_xml_text_element(buf, 1, "title", def->title);
    armz_xml_text_element(buf, 1, "description", def->description);
    if (def->metadata->len) {
        g_string_append(buf, "  <metadata>\n");
        for (guint i = 0; i < def->metadata->len; i++)
            armz_xml_fragment_append(buf, g_ptr_array_index(def->metadata, i), 2);
        g_string_append(buf, "  </metadata>\n");
    }
    format_memory(buf, "memory", def->memory_kib);
    format_memory(buf, "currentMemory", def->current_memory_kib);
    armz_domain_memtune_format(buf, &def->tune);
    armz_domain_memory_backing_format(buf, def);

    g_string_append(buf, "  <vcpu placement='static'");
    armz_xml_attr_append(buf, "cpuset", def->vcpu_cpuset);
    if (def->vcpus_current && def->vcpus_current < def->vcpus)
        g_string_append_printf(buf, " current='%u'", def->vcpus_current);
    g_string_append_printf(buf, ">%u</vcpu>\n", def->vcpus);
    if (def->iothreads)
        g_string_append_printf(buf, "  <iothreads>%u</iothreads>\n", def->iothreads);

    armz_domain_cputune_format(buf, &def->tune);
    armz_xml_fragment_append(buf, def->resource, 1);
    armz_conf_sysinfo_format(buf, def);
    if (def->os_type)
        format_os(buf, def);
    if (def->features->len) {
        g_string_append(buf, "  <features>\n");
        for (guint i = 0; i < def->features->len; i++) {
            const ArmzDomainFeatureDef *f = g_ptr_array_index(def->features, i);
            g_autoptr(GString) attrs = g_string_new(NULL);

            armz_xml_attr_append(attrs, "state", armz_conf_tristate_to_string(f->state, FALSE));
            armz_xml_attr_append(attrs, "version", f->gic_version);
            armz_conf_extra_element_append(buf, f->name, attrs, &f->extra, 2);
        }
        g_string_append(buf, "  </features>\n");
    }
    if (def->cpu)
        format_cpu(buf, def->cpu);
    format_clock(buf, def);
    armz_xml_text_element(buf, 1, "on_poweroff",
                          armz_domain_lifecycle_action_to_string(def->on_poweroff));
    armz_xml_text_element(buf, 1, "on_reboot",
                          armz_domain_lifecycle_action_to_string(def->on_reboot));
    armz_xml_text_element(buf, 1, "on_crash",
                          armz_domain_lifecycle_action_to_string(def->on_crash));
    format_pm(buf, def);
    armz_domain_devices_format(buf, def, live);
    for (guint i = 0; i < def->seclabels->len; i++) {
        const ArmzDomainSeclabelDef *sec = g_ptr_array_index(def->seclabels, i);
        g_autoptr(GString) attrs = g_string_new(NULL);

        armz_xml_attr_append(attrs, "type", sec->type);
        armz_xml_attr_append(attrs, "model", sec->model);
        armz_xml_attr_append(attrs, "relabel", sec->relabel);
        armz_conf_extra_element_append(buf, "seclabel", attrs, &sec->extra, 1);
    }
    g_string_append(buf, "</domain>\n");
    return g_string_free(buf, FALSE);
}
