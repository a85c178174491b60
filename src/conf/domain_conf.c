/* Domain definition objects: allocation, release, deep copy and the small
 * value tables shared by the parser and the formatter. */
#include "conf/domain_parse_priv.h"
#include "util/error.h"
#include "util/armz-i18n.h"
#include "util/names.h"

#include <libvirt/libvirt.h>

static const char *const lifecycle_names[ARMZ_DOMAIN_LIFECYCLE_LAST] = {
    "destroy", "restart", "preserve", "rename-restart",
    "coredump-destroy", "coredump-restart",
};
static const char *const disk_type_names[ARMZ_DOMAIN_DISK_TYPE_LAST] = {
    "file", "block", "volume", "network",
};
static const char *const disk_device_names[ARMZ_DOMAIN_DISK_DEVICE_LAST] = {
    "disk", "cdrom",
};
static const char *const net_type_names[ARMZ_DOMAIN_NET_TYPE_LAST] = {
    "network", "bridge", "ethernet",
};
static const char *const chr_type_names[ARMZ_DOMAIN_CHR_TYPE_LAST] = {
    "pty", "file", "stdio", "null", "unix", "tcp",
};

/* Out-of-range values give NULL so a corrupted def never indexes past a
 * table. */
#define ENUM_TO_STRING(table, v) \
    (((unsigned int)(v) < G_N_ELEMENTS(table)) ? table[(v)] : NULL)

const char *
armz_domain_lifecycle_action_to_string(ArmzDomainLifecycleAction act)
{
    return ENUM_TO_STRING(lifecycle_names, act);
}

int
armz_domain_lifecycle_action_from_string(const char *str)
{
    for (guint i = 0; str && i < G_N_ELEMENTS(lifecycle_names); i++) {
        if (g_str_equal(str, lifecycle_names[i]))
            return (int)i;
    }
    return -1;
}

const char *
armz_domain_disk_type_to_string(ArmzDomainDiskType t)
{
    return ENUM_TO_STRING(disk_type_names, t);
}

const char *
armz_domain_disk_device_to_string(ArmzDomainDiskDevice d)
{
    return ENUM_TO_STRING(disk_device_names, d);
}

const char *
armz_domain_net_type_to_string(ArmzDomainNetType t)
{
    return ENUM_TO_STRING(net_type_names, t);
}

const char *
armz_domain_chr_type_to_string(ArmzDomainChrType t)
{
    return ENUM_TO_STRING(chr_type_names, t);
}

static void
cpu_feature_free(gpointer p)
{
    ArmzDomainCpuFeatureDef *f = p;
    g_free(f->policy);
    g_free(f->name);
    g_free(f);
}

static void
feature_free(gpointer p)
{
    ArmzDomainFeatureDef *f = p;
    g_free(f->name);
    g_free(f->gic_version);
    armz_domain_xml_extra_clear(&f->extra);
    g_free(f);
}

static void
timer_free(gpointer p)
{
    ArmzDomainTimerDef *t = p;
    g_free(t->name);
    armz_domain_xml_extra_clear(&t->extra);
    g_free(t);
}

static void
seclabel_free(gpointer p)
{
    ArmzDomainSeclabelDef *s = p;
    g_free(s->type);
    g_free(s->model);
    g_free(s->relabel);
    g_free(s->label);
    armz_domain_xml_extra_clear(&s->extra);
    g_free(s);
}

static void
cpu_def_free(ArmzDomainCpuDef *cpu)
{
    if (!cpu)
        return;
    g_free(cpu->mode);
    g_free(cpu->match);
    g_free(cpu->check);
    g_free(cpu->migratable);
    g_free(cpu->model);
    g_free(cpu->model_fallback);
    g_clear_pointer(&cpu->features, g_ptr_array_unref);
    g_free(cpu);
}

void
armz_domain_disk_def_free(ArmzDomainDiskDef *disk)
{
    if (!disk)
        return;
    g_free(disk->alias);
    g_free(disk->driver_name);
    g_free(disk->driver_type);
    g_free(disk->driver_cache);
    g_free(disk->driver_detect_zeroes);
    g_free(disk->driver_error_policy);
    g_free(disk->driver_rerror_policy);
    g_free(disk->driver_io);
    g_free(disk->driver_discard);
    g_free(disk->src_path);
    g_free(disk->src_pool);
    g_free(disk->src_volume);
    g_free(disk->target_dev);
    g_free(disk->target_bus);
    g_free(disk->serial);
    armz_domain_address_def_free(disk->address);
    if (disk->backing)
        g_ptr_array_unref(disk->backing);
    g_free(disk->src_protocol);
    g_free(disk->src_name);
    g_free(disk->src_host_name);
    g_free(disk->src_host_port);
    g_free(disk->src_host_transport);
    g_free(disk->src_host_socket);
    g_free(disk->encryption_format);
    g_free(disk->secret_uuid);
    g_free(disk->secret_usage);
    g_free(disk);
}

void
armz_domain_disk_backing_def_free(gpointer p)
{
    ArmzDomainDiskBackingDef *b = p;

    g_free(b->path);
    g_free(b->format);
    g_free(b);
}

gboolean
armz_domain_disk_has_iotune(const ArmzDomainDiskDef *disk)
{
    const ArmzDomainDiskIotune *t = &disk->iotune;

    return t->total_bytes_sec || t->read_bytes_sec || t->write_bytes_sec ||
           t->total_iops_sec || t->read_iops_sec || t->write_iops_sec;
}

void
armz_domain_net_def_free(ArmzDomainNetDef *net)
{
    if (!net)
        return;
    g_free(net->alias);
    g_free(net->source_network);
    g_free(net->source_bridge);
    g_free(net->target_dev);
    g_free(net->model);
    g_free(net->driver_name);
    g_free(net->vport_type);
    g_free(net->vport_interfaceid);
    g_free(net->vport_profileid);
    g_free(net->link_state);
    armz_domain_address_def_free(net->address);
    g_free(net);
}

void
armz_domain_chr_def_free(ArmzDomainChrDef *chr)
{
    if (!chr)
        return;
    g_free(chr->source_path);
    g_free(chr->source_mode);
    g_free(chr->source_host);
    g_free(chr->source_service);
    g_free(chr->protocol);
    g_free(chr->log_file);
    g_free(chr->log_append);
    g_free(chr->target_type);
    g_free(chr->target_model);
    armz_domain_address_def_free(chr->address);
    g_free(chr);
}

void
armz_domain_rng_def_free(ArmzDomainRngDef *rng)
{
    if (!rng)
        return;
    g_free(rng->model);
    g_free(rng->backend_model);
    g_free(rng->backend_path);
    armz_domain_address_def_free(rng->address);
    g_free(rng);
}

void
armz_domain_channel_def_free(ArmzDomainChannelDef *ch)
{
    if (!ch)
        return;
    g_free(ch->type);
    g_free(ch->source_mode);
    g_free(ch->source_path);
    g_free(ch->target_type);
    g_free(ch->target_name);
    armz_domain_address_def_free(ch->address);
    g_free(ch);
}

void
armz_domain_controller_def_free(ArmzDomainControllerDef *ctrl)
{
    if (!ctrl)
        return;
    g_free(ctrl->type);
    g_free(ctrl->model);
    g_clear_pointer(&ctrl->children, g_ptr_array_unref);
    g_free(ctrl);
}

ArmzDomainDef *
armz_domain_def_new(void)
{
    ArmzDomainDef *def = g_new0(ArmzDomainDef, 1);

    /* Lists always exist so callers iterate without NULL checks. */
    def->metadata = g_ptr_array_new_with_free_func(g_free);
    def->features = g_ptr_array_new_with_free_func(feature_free);
    def->clock_timers = g_ptr_array_new_with_free_func(timer_free);
    def->seclabels = g_ptr_array_new_with_free_func(seclabel_free);
    armz_domain_xml_extra_init(&def->pm_extra);
    def->disks = g_ptr_array_new_with_free_func((GDestroyNotify)armz_domain_disk_def_free);
    def->nets = g_ptr_array_new_with_free_func((GDestroyNotify)armz_domain_net_def_free);
    def->serials = g_ptr_array_new_with_free_func((GDestroyNotify)armz_domain_chr_def_free);
    def->consoles = g_ptr_array_new_with_free_func((GDestroyNotify)armz_domain_chr_def_free);
    def->rngs = g_ptr_array_new_with_free_func((GDestroyNotify)armz_domain_rng_def_free);
    def->channels = g_ptr_array_new_with_free_func((GDestroyNotify)armz_domain_channel_def_free);
    def->controllers = g_ptr_array_new_with_free_func((GDestroyNotify)armz_domain_controller_def_free);
    armz_domain_firmware_init(def);
    def->filesystems = g_ptr_array_new_with_free_func((GDestroyNotify)armz_domain_fs_def_free);
    def->on_poweroff = ARMZ_DOMAIN_LIFECYCLE_DESTROY;
    def->on_reboot = ARMZ_DOMAIN_LIFECYCLE_RESTART;
    def->on_crash = ARMZ_DOMAIN_LIFECYCLE_DESTROY;
    return def;
}

/* Exposed to the parser, which builds a cpu def piece by piece. */
ArmzDomainCpuDef *armz_domain_cpu_def_new(void);
ArmzDomainCpuDef *
armz_domain_cpu_def_new(void)
{
    ArmzDomainCpuDef *cpu = g_new0(ArmzDomainCpuDef, 1);
    cpu->features = g_ptr_array_new_with_free_func(cpu_feature_free);
    return cpu;
}

ArmzDomainFeatureDef *
armz_domain_feature_def_new(void)
{
    ArmzDomainFeatureDef *f = g_new0(ArmzDomainFeatureDef, 1);
    armz_domain_xml_extra_init(&f->extra);
    return f;
}

ArmzDomainTimerDef *
armz_domain_timer_def_new(void)
{
    ArmzDomainTimerDef *t = g_new0(ArmzDomainTimerDef, 1);
    armz_domain_xml_extra_init(&t->extra);
    return t;
}

ArmzDomainSeclabelDef *
armz_domain_seclabel_def_new(void)
{
    ArmzDomainSeclabelDef *s = g_new0(ArmzDomainSeclabelDef, 1);
    armz_domain_xml_extra_init(&s->extra);
    return s;
}

void
armz_domain_def_free(ArmzDomainDef *def)
{
    if (!def)
        return;
    g_free(def->virt_type);
    g_free(def->name);
    g_free(def->title);
    g_free(def->description);
    g_free(def->os_type);
    g_free(def->os_arch);
    g_free(def->os_machine);
    g_free(def->vcpu_cpuset);
    armz_domain_tune_clear(&def->tune);
    g_clear_pointer(&def->metadata, g_ptr_array_unref);
    if (def->os_loader) {
        g_free(def->os_loader->path);
        g_free(def->os_loader->readonly);
        g_free(def->os_loader->type);
        g_free(def->os_loader->secure);
        g_free(def->os_loader);
    }
    if (def->os_nvram) {
        g_free(def->os_nvram->path);
        g_free(def->os_nvram->template_path);
        g_free(def->os_nvram);
    }
    armz_domain_firmware_clear(def);
    g_free(def->os_kernel);
    g_free(def->os_initrd);
    g_free(def->os_cmdline);
    g_free(def->os_dtb);
    g_strfreev(def->os_boot_devs);
    cpu_def_free(def->cpu);
    g_clear_pointer(&def->features, g_ptr_array_unref);
    g_free(def->clock_offset);
    g_free(def->clock_timezone);
    g_free(def->clock_adjustment);
    g_free(def->clock_basis);
    g_clear_pointer(&def->clock_timers, g_ptr_array_unref);
    armz_domain_xml_extra_clear(&def->pm_extra);
    g_free(def->resource);
    g_clear_pointer(&def->seclabels, g_ptr_array_unref);
    g_free(def->emulator);
    armz_domain_address_def_free(def->memballoon.address);
    armz_domain_address_def_free(def->vsock.address);
    g_clear_pointer(&def->disks, g_ptr_array_unref);
    g_clear_pointer(&def->nets, g_ptr_array_unref);
    g_clear_pointer(&def->serials, g_ptr_array_unref);
    g_clear_pointer(&def->consoles, g_ptr_array_unref);
    g_clear_pointer(&def->rngs, g_ptr_array_unref);
    g_clear_pointer(&def->channels, g_ptr_array_unref);
    g_clear_pointer(&def->controllers, g_ptr_array_unref);
    g_clear_pointer(&def->filesystems, g_ptr_array_unref);
    g_free(def->mem_source);
    g_free(def->mem_access);
    g_free(def);
}

/* A copy goes through the XML form: format() writes every field and the
 * round-trip tests prove parse(format(def)) reproduces it, so this cannot
 * fall out of step with the struct when fields are added. Live-only data
 * (a pty's path) is kept by formatting as live. */
ArmzDomainDef *
armz_domain_def_copy(const ArmzDomainDef *def)
{
    g_autofree char *xml = NULL;
    g_autoptr(GError) err = NULL;
    ArmzDomainDef *copy;

    g_return_val_if_fail(def != NULL, NULL);
    xml = armz_domain_def_format(def, 0, 0);
    copy = armz_domain_def_parse(xml, &err);
    if (!copy) {
        g_critical("copying domain '%s' failed: %s", def->name, err->message);
        return NULL;
    }
    copy->priv = def->priv;
    return copy;
}

gboolean
armz_domain_name_check(const char *name, GError **error)
{
    return armz_name_check(ARMZ_NAME_DOMAIN, name, error);
}

const ArmzDomainFeatureDef *
armz_domain_def_find_feature(const ArmzDomainDef *def, const char *name)
{
    for (guint i = 0; i < def->features->len; i++) {
        const ArmzDomainFeatureDef *f = g_ptr_array_index(def->features, i);
        if (g_str_equal(f->name, name))
            return f;
    }
    return NULL;
}

int
armz_domain_def_gic_version(const ArmzDomainDef *def)
{
    const ArmzDomainFeatureDef *gic = armz_domain_def_find_feature(def, "gic");

    if (!gic || !gic->gic_version)
        return 0;
    return (int)g_ascii_strtoll(gic->gic_version, NULL, 10);
}

const char *
armz_domain_schema_path(void)
{
    static char *path;

    if (g_once_init_enter(&path)) {
        const char *dir = g_getenv("ARMZ_SCHEMA_DIR");
        char *p;

        if (dir && *dir)
            p = g_build_filename(dir, "domain.rng", NULL);
        else if (g_file_test(PKGDATADIR "/schemas/domain.rng", G_FILE_TEST_EXISTS))
            p = g_strdup(PKGDATADIR "/schemas/domain.rng");
        else
            p = g_strdup(SRCDIR "/schemas/domain.rng");
        g_once_init_leave(&path, p);
    }
    return path;
}
