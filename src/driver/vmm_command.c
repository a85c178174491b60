/* Domain definition -> armz-vmm launch plan. Pure: reads the definition
 * and the context, opens nothing. The checks follow the definition's
 * order (domain type, memory, vCPUs, os, cpu, features, clock, lifecycle,
 * power management, security, devices) so the first problem in document
 * order is the one reported. */
#include <stdarg.h>
#include <string.h>
#include <sys/un.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "driver/vmm_command.h"

/* Disk names vd[a-z]+ beyond this many letters are refused as invalid
 * (keeps the index arithmetic far from overflow). */
#define DISK_NAME_MAX_LETTERS 6
/* virtio-blk's device ID field (VIRTIO_BLK_ID_BYTES). */
#define DISK_SERIAL_MAX 20

typedef struct {
    const ArmzDomainDef *def;
    const ArmzLaunchCtx *ctx;
    ArmzLaunchPlan *plan;
} Builder;

static gboolean G_GNUC_PRINTF(3, 4)
fail(GError **error, int code, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error_literal(error, ARMZ_ERROR, code, msg);
    return FALSE;
}

/* ---------------- plan construction ---------------- */

static void
fd_free(gpointer p)
{
    ArmzLaunchFd *fd = p;

    g_free(fd->path);
    g_free(fd->tap.ifname);
    g_free(fd->tap.bridge);
    g_free(fd->role);
    g_free(fd);
}

void
armz_launch_plan_free(ArmzLaunchPlan *plan)
{
    if (!plan)
        return;
    g_ptr_array_unref(plan->argv);
    g_ptr_array_unref(plan->fds);
    g_ptr_array_unref(plan->chardevs);
    g_free(plan->qmp_path);
    g_free(plan->pidfile);
    g_free(plan);
}

static void
arg(Builder *b, const char *a)
{
    g_ptr_array_add(b->plan->argv, g_strdup(a));
}

static void G_GNUC_PRINTF(2, 3)
argf(Builder *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_ptr_array_add(b->plan->argv, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

static ArmzLaunchFd *
add_fd(Builder *b, ArmzLaunchFdKind kind, const char *path, const char *role, int device_index)
{
    ArmzLaunchFd *fd = g_new0(ArmzLaunchFd, 1);

    /* 0-2 are the child's stdio (the domain log) */
    fd->num = 3 + (int)b->plan->fds->len;
    fd->kind = kind;
    fd->path = g_strdup(path);
    fd->role = g_strdup(role);
    fd->device_index = device_index;
    g_ptr_array_add(b->plan->fds, fd);
    return fd;
}

static ArmzLaunchChr *
add_chr(Builder *b, ArmzLaunchChrList list, guint index, ArmzDomainChrType type)
{
    ArmzLaunchChr *chr = g_new0(ArmzLaunchChr, 1);

    chr->list = list;
    chr->index = index;
    chr->type = type;
    chr->fd = chr->log_fd = chr->alias_of = -1;
    g_ptr_array_add(b->plan->chardevs, chr);
    return chr;
}

/* ---------------- small checks ---------------- */

/* The daemon opens these paths with "/" as its working directory, and the
 * VMM may run elsewhere: a relative path would name some other file. */
static gboolean
check_abs_path(const char *path, const char *what, GError **error)
{
    if (!path || !*path)
        return fail(error, VIR_ERR_XML_ERROR, _("missing path of %s"), what);
    if (!g_path_is_absolute(path))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("relative path '%s' of %s is not supported: give an absolute path"),
                    path, what);
    return TRUE;
}

/* A fragment kept by conf/ (one element, well-formed XML of our own
 * making, no DTD or entities), parsed again to read its attributes. */
static xmlDocPtr
frag_parse(const char *frag)
{
    static gsize init;

    if (!frag || !*frag)
        return NULL;
    /* xmlInitParser is not thread-safe; plans are built on worker threads */
    if (g_once_init_enter(&init)) {
        xmlInitParser();
        g_once_init_leave(&init, 1);
    }
    return xmlReadMemory(frag, (int)strlen(frag), NULL, NULL,
                         XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

/* Attribute ATTR of the root element of FRAG, or NULL. */
static char *
frag_attr(const char *frag, const char *attr)
{
    xmlDocPtr doc = frag_parse(frag);
    xmlNodePtr root;
    char *ret = NULL;

    if (!doc)
        return NULL;
    root = xmlDocGetRootElement(doc);
    if (root) {
        xmlChar *v = xmlGetNoNsProp(root, BAD_CAST attr);
        if (v) {
            ret = g_strdup((const char *)v);
            xmlFree(v);
        }
    }
    xmlFreeDoc(doc);
    return ret;
}

/* <address type='virtio-mmio'/> is where armz puts every virtio device;
 * any other bus cannot be honoured. */
static gboolean
check_virtio_address(const char *address, const char *what, GError **error)
{
    g_autofree char *type = NULL;

    if (!address)
        return TRUE;
    type = frag_attr(address, "type");
    if (g_strcmp0(type, "virtio-mmio") == 0)
        return TRUE;
    return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                _("<address type='%s'> of %s is not supported by the armz driver: "
                  "its devices sit on virtio-mmio"),
                type ? type : "", what);
}

/* ---------------- domain-wide settings ---------------- */

static gboolean
check_virt_type(Builder *b, GError **error)
{
    const char *type = b->def->virt_type;

    if (g_strcmp0(type, "kvm") != 0 && g_strcmp0(type, "qemu") != 0)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<domain type='%s'> is not supported by the armz driver"),
                    type ? type : "");
    if (b->ctx->kvm_device)
        return TRUE;
    /* 'qemu' would mean emulation with QEMU; armz has only KVM, so both
     * types need it (DESIGN.md 5). */
    if (g_str_equal(type, "kvm"))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("Domain requires KVM, but it is not available: neither "
                      "/dev/kvm-arm64 nor /dev/kvm offers arm64 KVM on this host"));
    return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                _("domain type 'qemu' needs hardware assistance on this host, but neither "
                  "/dev/kvm-arm64 nor /dev/kvm offers arm64 KVM (armz has no CPU emulator)"));
}

static gboolean
plan_memory(Builder *b, GError **error)
{
    const ArmzDomainDef *def = b->def;
    guint64 mib;

    if (def->current_memory_kib && def->current_memory_kib < def->memory_kib)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("currentMemory (%llu KiB) below memory (%llu KiB) needs a memory "
                      "balloon, which the armz driver does not provide"),
                    def->current_memory_kib, def->memory_kib);
    /* Whole MiB, rounded up as libvirt's QEMU driver aligns guest RAM. */
    mib = def->memory_kib / 1024 + (def->memory_kib % 1024 != 0);
    if (mib < ARMZ_LAUNCH_MIN_MEMORY_MIB)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("memory size %llu KiB is below the minimum of %u MiB"),
                    def->memory_kib, (unsigned int)ARMZ_LAUNCH_MIN_MEMORY_MIB);
    if (mib > ARMZ_LAUNCH_MAX_MEMORY_MIB)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("memory size %llu KiB exceeds the maximum of %u MiB"),
                    def->memory_kib, (unsigned int)ARMZ_LAUNCH_MAX_MEMORY_MIB);
    b->plan->memory_mib = mib;
    return TRUE;
}

static gboolean
check_vcpus(Builder *b, GError **error)
{
    const ArmzDomainDef *def = b->def;

    if (def->vcpus > ARMZ_LAUNCH_MAX_VCPUS)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("Maximum CPUs greater than specified machine type limit %u"),
                    (unsigned int)ARMZ_LAUNCH_MAX_VCPUS);
    if (def->vcpus_current && def->vcpus_current < def->vcpus)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("%u of %u vCPUs online at boot needs vCPU hotplug, which the armz "
                      "driver does not support"),
                    def->vcpus_current, def->vcpus);
    if (def->vcpu_cpuset)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<vcpu cpuset='%s'> (vCPU pinning) is not supported by the armz driver"),
                    def->vcpu_cpuset);
    return TRUE;
}

static gboolean
check_os(Builder *b, GError **error)
{
    const ArmzDomainDef *def = b->def;

    if (def->os_loader)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<loader> is not supported: the armz driver has no firmware yet, "
                      "guests boot a kernel directly (<os><kernel>)"));
    if (def->os_nvram)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<nvram> is not supported: the armz driver has no firmware yet, "
                      "guests boot a kernel directly (<os><kernel>)"));
    if (!def->os_kernel || !*def->os_kernel)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("no <kernel> given: the armz driver has no firmware yet, so guests "
                      "can only boot a kernel directly (<os><kernel>)"));
    if (def->os_dtb)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<dtb> is not supported: armz-vmm generates the guest's device tree"));
    if (!check_abs_path(def->os_kernel, "<kernel>", error))
        return FALSE;
    if (def->os_initrd && !check_abs_path(def->os_initrd, "<initrd>", error))
        return FALSE;
    /* <boot dev=''> and <boot order=''> select what firmware boots from; with
     * a kernel booted directly they have no effect, as with libvirt's QEMU
     * driver. They are accepted. */
    return TRUE;
}

static gboolean
check_cpu(Builder *b, GError **error)
{
    const ArmzDomainCpuDef *cpu = b->def->cpu;
    unsigned int s, d, c, t;

    if (!cpu)
        return TRUE;
    /* host-passthrough, maximum and host-model all give the guest the
     * host's CPU: KVM on arm64 offers nothing else to choose. match, check
     * and migratable change nothing then and are accepted. */
    if (cpu->mode && !g_str_equal(cpu->mode, "host-passthrough") &&
        !g_str_equal(cpu->mode, "maximum") && !g_str_equal(cpu->mode, "host-model"))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("CPU mode '%s' is not supported by the armz driver: use "
                      "'host-passthrough', 'host-model' or 'maximum'"), cpu->mode);
    if (cpu->model && *cpu->model)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("CPU model '%s' is not supported by the armz driver: guests get the "
                      "host's CPU"), cpu->model);
    if (cpu->features->len) {
        const ArmzDomainCpuFeatureDef *f = g_ptr_array_index(cpu->features, 0);
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("CPU feature '%s' is not supported by the armz driver: guests get the "
                      "host's CPU as it is"), f->name);
    }
    if (!cpu->sockets && !cpu->dies && !cpu->cores && !cpu->threads)
        return TRUE;
    s = cpu->sockets ? cpu->sockets : 1;
    d = cpu->dies ? cpu->dies : 1;
    c = cpu->cores ? cpu->cores : 1;
    t = cpu->threads ? cpu->threads : 1;
    if ((guint64)s * d * c * t != b->def->vcpus)
        return fail(error, VIR_ERR_XML_ERROR,
                    _("CPU topology doesn't match maximum vcpu count"));
    /* Without a cpu-map in the device tree Linux sees one package of
     * single-threaded cores: only that topology is honoured. */
    if (s != 1 || d != 1 || t != 1)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("CPU topology of %u sockets, %u dies, %u cores and %u threads is not "
                      "supported by the armz driver: guests see one socket of "
                      "single-threaded cores"), s, d, c, t);
    return TRUE;
}

static gboolean
check_features(Builder *b, GError **error)
{
    const ArmzDomainDef *def = b->def;

    for (guint i = 0; i < def->features->len; i++) {
        const ArmzDomainFeatureDef *f = g_ptr_array_index(def->features, i);
        g_autofree char *state = frag_attr(f->xml, "state");

        /* a feature switched off is honoured: armz provides none of them */
        if (g_strcmp0(state, "off") == 0)
            continue;
        if (g_str_equal(f->name, "gic")) {
            g_autofree char *version = frag_attr(f->xml, "version");
            /* armz-vmm picks the GIC the host offers (--irqchip auto) */
            if (!version || g_str_equal(version, "host"))
                continue;
            return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("<gic version='%s'> is not supported by the armz driver: armz-vmm "
                          "uses the GIC the host offers (<gic version='host'/>)"), version);
        }
        if (g_str_equal(f->name, "acpi"))
            return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("ACPI requires UEFI on this architecture, and the armz driver has "
                          "no firmware yet"));
        if (g_str_equal(f->name, "pmu"))
            return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("the PMU is not supported by the armz driver (use <pmu state='off'/>)"));
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("The '%s' feature is not supported for architecture '%s' or machine "
                      "type '%s'"), f->name, def->os_arch ? def->os_arch : "aarch64",
                    def->os_machine ? def->os_machine : "virt");
    }
    return TRUE;
}

static gboolean
check_clock(Builder *b, GError **error)
{
    const ArmzDomainDef *def = b->def;

    /* The PL031 RTC shows the host's UTC time. */
    if (def->clock_offset && !g_str_equal(def->clock_offset, "utc"))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("clock offset '%s' is not supported by the armz driver: the guest's "
                      "RTC runs in UTC"), def->clock_offset);
    if (def->clock_adjustment || def->clock_basis || def->clock_timezone)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("clock adjustments are not supported by the armz driver: the guest's "
                      "RTC runs in UTC"));
    if (def->clock_timers->len) {
        g_autofree char *name = frag_attr(g_ptr_array_index(def->clock_timers, 0), "name");
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported timer type (name) '%s'"), name ? name : "");
    }
    return TRUE;
}

static gboolean
check_lifecycle(Builder *b, GError **error)
{
    const ArmzDomainDef *def = b->def;

    if (def->on_poweroff == ARMZ_DOMAIN_LIFECYCLE_RENAME_RESTART ||
        def->on_reboot == ARMZ_DOMAIN_LIFECYCLE_RENAME_RESTART ||
        def->on_crash == ARMZ_DOMAIN_LIFECYCLE_RENAME_RESTART)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("the armz driver doesn't support the 'rename-restart' action for "
                      "'on_reboot'/'on_poweroff'/'on_crash'"));
    /* a stopped guest cannot be kept for inspection: the VMM has exited */
    if (def->on_poweroff == ARMZ_DOMAIN_LIFECYCLE_PRESERVE ||
        def->on_reboot == ARMZ_DOMAIN_LIFECYCLE_PRESERVE)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("the armz driver doesn't support the 'preserve' action for "
                      "'on_reboot'/'on_poweroff'"));
    if (def->on_crash == ARMZ_DOMAIN_LIFECYCLE_COREDUMP_DESTROY ||
        def->on_crash == ARMZ_DOMAIN_LIFECYCLE_COREDUMP_RESTART)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("the armz driver doesn't support the '%s' action for 'on_crash': "
                      "armz-vmm cannot dump guest memory"),
                    armz_domain_lifecycle_action_to_string(def->on_crash));
    if (def->on_poweroff == ARMZ_DOMAIN_LIFECYCLE_RESTART &&
        def->on_reboot == ARMZ_DOMAIN_LIFECYCLE_DESTROY)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("the armz driver doesn't support 'on_reboot' set to 'destroy' and "
                      "'on_poweroff' set to 'restart'"));
    b->plan->on_poweroff = def->on_poweroff;
    b->plan->on_reboot = def->on_reboot;
    b->plan->on_crash = def->on_crash;
    return TRUE;
}

static gboolean
check_pm(Builder *b, GError **error)
{
    const char *pm = b->def->pm;
    xmlDocPtr doc;
    gboolean ok = TRUE;

    if (!pm)
        return TRUE;
    doc = frag_parse(pm);
    if (!doc || !xmlDocGetRootElement(doc)) {
        if (doc)
            xmlFreeDoc(doc);
        return fail(error, VIR_ERR_INTERNAL_ERROR, _("cannot read the <pm> element"));
    }
    /* suspend disabled is what armz offers; anything else is not */
    for (xmlNodePtr c = xmlDocGetRootElement(doc)->children; c && ok; c = c->next) {
        xmlChar *enabled;

        if (c->type != XML_ELEMENT_NODE)
            continue;
        enabled = xmlGetNoNsProp(c, BAD_CAST "enabled");
        if (!enabled || !xmlStrEqual(enabled, BAD_CAST "no"))
            ok = fail(error, VIR_ERR_CONFIG_UNSUPPORTED, _("setting ACPI S3/S4 not supported"));
        xmlFree(enabled);
    }
    xmlFreeDoc(doc);
    return ok;
}

static gboolean
check_placement(Builder *b, GError **error)
{
    const ArmzDomainDef *def = b->def;

    if (def->resource)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<resource> (cgroup partition) is not supported by the armz driver"));
    for (guint i = 0; i < def->seclabels->len; i++) {
        g_autofree char *type = frag_attr(g_ptr_array_index(def->seclabels, i), "type");

        /* the daemon applies no security labels: only 'none' is true */
        if (g_strcmp0(type, "none") != 0)
            return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("<seclabel type='%s'> is not supported by the armz driver (only "
                          "type 'none')"), type ? type : "");
    }
    return TRUE;
}

/* ---------------- serial and consoles ---------------- */

static const char *
chr_what(gboolean console)
{
    return console ? "console" : "serial";
}

/* The backend of a <serial> or <console>: pty, file or null. */
static gboolean
check_chr_backend(const ArmzDomainChrDef *chr, gboolean console, GError **error)
{
    switch (chr->type) {
    case ARMZ_DOMAIN_CHR_TYPE_PTY:
    case ARMZ_DOMAIN_CHR_TYPE_NULL:
        break;
    case ARMZ_DOMAIN_CHR_TYPE_FILE:
        if (!check_abs_path(chr->source_path, console ? "<console> <source>" : "<serial> <source>",
                            error))
            return FALSE;
        break;
    case ARMZ_DOMAIN_CHR_TYPE_STDIO:
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<%s type='stdio'> is not supported by the armz driver: the daemon has "
                      "no terminal to connect it to"), chr_what(console));
    case ARMZ_DOMAIN_CHR_TYPE_UNIX:
    case ARMZ_DOMAIN_CHR_TYPE_LAST:
    default:
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<%s type='%s'> is not supported by the armz driver (pty, file and null "
                      "are)"), chr_what(console), armz_domain_chr_type_to_string(chr->type));
    }
    if (chr->log_file &&
        !check_abs_path(chr->log_file, console ? "<console> <log>" : "<serial> <log>", error))
        return FALSE;
    return TRUE;
}

/* The PL011: the first <serial>, or a serial-type <console> without one. */
static gboolean
check_uart(const ArmzDomainChrDef *chr, gboolean console, GError **error)
{
    if (chr->target_port > 0)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("%s port %d is not supported by the armz driver: the guest has one "
                      "serial port, port 0"), chr_what(console), chr->target_port);
    if (chr->target_type && !g_str_equal(chr->target_type, console ? "serial" : "system-serial"))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<%s> target type '%s' is not supported by the armz driver"),
                    chr_what(console), chr->target_type);
    if (chr->target_model && !g_str_equal(chr->target_model, "pl011"))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<%s> target model '%s' is not supported by the armz driver"),
                    chr_what(console), chr->target_model);
    if (chr->address)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<address> of <%s> is not supported by the armz driver: the PL011 "
                      "has a fixed place"), chr_what(console));
    return check_chr_backend(chr, console, error);
}

/* libvirt's console of target type 'serial' is another view of the first
 * serial port: it must describe that port, not a second backend. The
 * source and log may be left out (they are the serial's). */
static gboolean
check_console_alias(const ArmzDomainChrDef *con, const ArmzDomainChrDef *ser, GError **error)
{
    if (con->type != ser->type ||
        (con->type == ARMZ_DOMAIN_CHR_TYPE_FILE && con->source_path &&
         g_strcmp0(con->source_path, ser->source_path) != 0) ||
        (con->log_file && (g_strcmp0(con->log_file, ser->log_file) != 0 ||
                           g_strcmp0(con->log_append, ser->log_append) != 0)))
        return fail(error, VIR_ERR_XML_ERROR,
                    _("<console type='%s'> with target type 'serial' is the first <serial> "
                      "(type '%s') and must describe it the same way"),
                    armz_domain_chr_type_to_string(con->type),
                    armz_domain_chr_type_to_string(ser->type));
    if (con->target_port > 0)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("console port %d is not supported by the armz driver: the guest has one "
                      "serial port, port 0"), con->target_port);
    if (con->address)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<address> of <console> is not supported by the armz driver: the PL011 "
                      "has a fixed place"));
    return TRUE;
}

/* Adds the backend fd (if any) and the log fd (if any) of CHR, and the
 * options OPT / OPT-log. */
static void
plan_chr_fds(Builder *b, const ArmzDomainChrDef *chr, ArmzLaunchChr *rec, const char *opt,
             const char *role, int index)
{
    g_autofree char *log_opt = g_strconcat(opt, "-log", NULL);
    g_autofree char *log_role = g_strconcat(role, "-log", NULL);
    ArmzLaunchFd *fd;

    switch (chr->type) {
    case ARMZ_DOMAIN_CHR_TYPE_PTY:
        fd = add_fd(b, ARMZ_LAUNCH_FD_PTY, NULL, role, index);
        rec->fd = fd->num;
        arg(b, opt);
        argf(b, "fd:%d", fd->num);
        break;
    case ARMZ_DOMAIN_CHR_TYPE_FILE:
        /* QEMU's file chardev truncates; <source append=''> is not kept by
         * conf/, so that is what the file gets */
        fd = add_fd(b, ARMZ_LAUNCH_FD_FILE_OUT, chr->source_path, role, index);
        rec->fd = fd->num;
        arg(b, opt);
        argf(b, "fd:%d", fd->num);
        break;
    default:
        /* null: the device is there, its output goes nowhere */
        arg(b, opt);
        arg(b, "none");
        break;
    }
    if (chr->log_file) {
        fd = add_fd(b, ARMZ_LAUNCH_FD_FILE_OUT, chr->log_file, log_role, index);
        fd->append = g_strcmp0(chr->log_append, "on") == 0;
        rec->log_fd = fd->num;
        arg(b, log_opt);
        argf(b, "fd:%d", fd->num);
    }
}

static gboolean
plan_chardevs(Builder *b, GError **error)
{
    const ArmzDomainDef *def = b->def;
    const ArmzDomainChrDef *uart = NULL, *vcon = NULL;
    gboolean uart_is_console = FALSE;
    int alias_console = -1;
    guint vcon_index = 0;
    ArmzLaunchChr *uart_rec = NULL;

    if (def->serials->len > 1)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("%u <serial> devices given, but the armz driver supports one (the guest "
                      "has one PL011 UART)"), def->serials->len);
    if (def->serials->len == 1) {
        uart = g_ptr_array_index(def->serials, 0);
        if (!check_uart(uart, FALSE, error))
            return FALSE;
    }
    for (guint i = 0; i < def->consoles->len; i++) {
        const ArmzDomainChrDef *con = g_ptr_array_index(def->consoles, i);

        /* libvirt's default console target on arm is the serial port */
        if (!con->target_type || g_str_equal(con->target_type, "serial")) {
            if (i != 0)
                return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                            _("Only the first console can be a serial port"));
            if (uart) {
                if (!check_console_alias(con, uart, error))
                    return FALSE;
                alias_console = 0;
            } else {
                if (!check_uart(con, TRUE, error))
                    return FALSE;
                uart = con;
                uart_is_console = TRUE;
            }
        } else if (g_str_equal(con->target_type, "virtio")) {
            if (vcon)
                return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                            _("more than one virtio <console> is not supported by the armz "
                              "driver"));
            if (con->target_port > 0)
                return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                            _("virtio console port %d is not supported by the armz driver: "
                              "the guest has one virtio console, port 0 (hvc0)"),
                            con->target_port);
            if (!check_virtio_address(con->address, "<console>", error) ||
                !check_chr_backend(con, TRUE, error))
                return FALSE;
            vcon = con;
            vcon_index = i;
        } else {
            return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("<console> target type '%s' is not supported by the armz driver"),
                        con->target_type);
        }
    }

    /* the VMM's own default is its stdio, which belongs to the domain log */
    if (uart) {
        uart_rec = add_chr(b, uart_is_console ? ARMZ_LAUNCH_CHR_CONSOLE : ARMZ_LAUNCH_CHR_SERIAL,
                           0, uart->type);
        plan_chr_fds(b, uart, uart_rec, "--serial", uart_is_console ? "console0" : "serial0", 0);
    } else {
        arg(b, "--serial");
        arg(b, "none");
    }
    if (alias_console >= 0) {
        ArmzLaunchChr *rec = add_chr(b, ARMZ_LAUNCH_CHR_CONSOLE, 0, uart->type);
        rec->fd = uart_rec->fd;
        rec->log_fd = uart_rec->log_fd;
        rec->alias_of = 0;
    }
    if (vcon) {
        g_autofree char *role = g_strdup_printf("console%u", vcon_index);
        ArmzLaunchChr *rec = add_chr(b, ARMZ_LAUNCH_CHR_CONSOLE, vcon_index, vcon->type);
        plan_chr_fds(b, vcon, rec, "--console", role, (int)vcon_index);
    }
    return TRUE;
}

/* ---------------- disks ---------------- */

typedef struct {
    guint64 index;
    guint pos;          /* in def->disks */
    const ArmzDomainDiskDef *disk;
} DiskSlot;

/* libvirt's disk name order: vda=0 ... vdz=25, vdaa=26, ... */
static gboolean
disk_name_index(const char *name, guint64 *index)
{
    const char *p;
    guint64 idx = 0;
    size_t n;

    if (!g_str_has_prefix(name, "vd"))
        return FALSE;
    p = name + 2;
    n = strlen(p);
    if (n == 0 || n > DISK_NAME_MAX_LETTERS)
        return FALSE;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < 'a' || p[i] > 'z')
            return FALSE;
        idx = (i == 0 ? 0 : (idx + 1) * 26) + (guint64)(p[i] - 'a');
    }
    *index = idx;
    return TRUE;
}

static gint
disk_slot_cmp(gconstpointer a, gconstpointer b)
{
    const DiskSlot *x = a, *y = b;

    return x->index < y->index ? -1 : x->index > y->index;
}

static gboolean
check_disk_serial(const ArmzDomainDiskDef *disk, GError **error)
{
    /* libvirt's set; it also keeps the --disk option list unambiguous */
    static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_ .+-";

    if (strspn(disk->serial, ok) != strlen(disk->serial))
        return fail(error, VIR_ERR_INVALID_ARG,
                    _("disk serial (%s) contains invalid characters"), disk->serial);
    if (strlen(disk->serial) > DISK_SERIAL_MAX)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("disk serial (%s) is longer than the %d characters virtio-blk can report"),
                    disk->serial, DISK_SERIAL_MAX);
    return TRUE;
}

static gboolean
check_disk(const ArmzDomainDiskDef *disk, GError **error)
{
    const char *dev = disk->target_dev;

    if (disk->device != ARMZ_DOMAIN_DISK_DEVICE_DISK)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<disk device='%s'> is not supported by the armz driver (disk '%s')"),
                    armz_domain_disk_device_to_string(disk->device), dev);
    if (disk->target_bus && !g_str_equal(disk->target_bus, "virtio"))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<target bus='%s'> is not supported by the armz driver (disk '%s')"),
                    disk->target_bus, dev);
    if (disk->driver_name && !g_str_equal(disk->driver_name, "qemu"))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported driver name '%s' for disk '%s'"), disk->driver_name, dev);
    if (disk->driver_type && !g_str_equal(disk->driver_type, "raw"))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("disk format '%s' is not supported by the armz driver (disk '%s'): "
                      "armz-vmm reads raw images only"), disk->driver_type, dev);
    /* the daemon opens the image with plain buffered I/O and armz-vmm
     * passes flushes on: that is cache 'writeback' (QEMU's default) */
    if (disk->driver_cache && !g_str_equal(disk->driver_cache, "default") &&
        !g_str_equal(disk->driver_cache, "writeback"))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("disk cache mode '%s' is not supported by the armz driver (disk '%s')"),
                    disk->driver_cache, dev);
    if (disk->driver_io && !g_str_equal(disk->driver_io, "threads"))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("disk io mode '%s' is not supported by the armz driver (disk '%s')"),
                    disk->driver_io, dev);
    if (disk->driver_discard && !g_str_equal(disk->driver_discard, "ignore"))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("disk discard mode '%s' is not supported by the armz driver (disk '%s')"),
                    disk->driver_discard, dev);
    if (disk->shareable)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("shareable disk '%s' is not supported by the armz driver"), dev);
    if (disk->serial && !check_disk_serial(disk, error))
        return FALSE;
    return check_virtio_address(disk->address, "<disk>", error);
}

static gboolean
disk_source(Builder *b, const ArmzDomainDiskDef *disk, char **path, GError **error)
{
    const ArmzLaunchCtx *ctx = b->ctx;
    g_autofree char *p = NULL;

    switch (disk->type) {
    case ARMZ_DOMAIN_DISK_TYPE_FILE:
    case ARMZ_DOMAIN_DISK_TYPE_BLOCK:
        p = g_strdup(disk->src_path);
        break;
    case ARMZ_DOMAIN_DISK_TYPE_VOLUME:
        if (!ctx->resolve_volume)
            return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("disk '%s' uses storage volume '%s' of pool '%s', but the storage "
                          "driver is not available"),
                        disk->target_dev, disk->src_volume, disk->src_pool);
        if (!ctx->resolve_volume(disk->src_pool, disk->src_volume, &p, ctx->volume_opaque, error)) {
            if (error && !*error)
                fail(error, VIR_ERR_INTERNAL_ERROR,
                     _("cannot resolve storage volume '%s' of pool '%s'"),
                     disk->src_volume, disk->src_pool);
            return FALSE;
        }
        break;
    case ARMZ_DOMAIN_DISK_TYPE_LAST:
    default:
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("disk type of disk '%s' is not supported by the armz driver"),
                    disk->target_dev);
    }
    {
        g_autofree char *what = g_strdup_printf(_("disk '%s'"), disk->target_dev);
        if (!check_abs_path(p, what, error))
            return FALSE;
    }
    *path = g_steal_pointer(&p);
    return TRUE;
}

static gboolean
plan_disks(Builder *b, GError **error)
{
    const GPtrArray *disks = b->def->disks;
    g_autoptr(GArray) slots = g_array_sized_new(FALSE, FALSE, sizeof(DiskSlot), disks->len);

    for (guint i = 0; i < disks->len; i++) {
        DiskSlot s = { 0, i, g_ptr_array_index(disks, i) };

        if (!disk_name_index(s.disk->target_dev, &s.index))
            return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("disk target '%s' is not supported by the armz driver: virtio disks "
                          "are named vda, vdb, ..."), s.disk->target_dev);
        g_array_append_val(slots, s);
    }
    g_array_sort(slots, disk_slot_cmp);
    for (guint i = 0; i < slots->len; i++) {
        const DiskSlot *s = &g_array_index(slots, DiskSlot, i);
        g_autofree char *path = NULL;
        g_autofree char *role = NULL;
        GString *opt;
        ArmzLaunchFd *fd;

        if (!check_disk(s->disk, error) || !disk_source(b, s->disk, &path, error))
            return FALSE;
        role = g_strdup_printf("virtio-disk%" G_GUINT64_FORMAT, s->index);
        fd = add_fd(b, ARMZ_LAUNCH_FD_DISK, path, role, (int)s->pos);
        fd->readonly = s->disk->readonly;
        opt = g_string_new(NULL);
        g_string_append_printf(opt, "fd=%d", fd->num);
        if (fd->readonly)
            g_string_append(opt, ",readonly=on");
        if (s->disk->serial)
            g_string_append_printf(opt, ",serial=%s", s->disk->serial);
        arg(b, "--disk");
        g_ptr_array_add(b->plan->argv, g_string_free(opt, FALSE));
    }
    return TRUE;
}

/* ---------------- interfaces ---------------- */

/* Linux's rules for a network device name (dev_valid_name). */
static gboolean
check_ifname(const char *name, GError **error)
{
    if (!*name || strlen(name) >= 16 || g_str_equal(name, ".") || g_str_equal(name, "..") ||
        strpbrk(name, "/: \t\n\r\v\f"))
        return fail(error, VIR_ERR_XML_ERROR,
                    _("invalid interface name '%s': at most 15 characters, no '/', ':' or "
                      "blanks"), name);
    return TRUE;
}

static gboolean
plan_nets(Builder *b, GError **error)
{
    const ArmzLaunchCtx *ctx = b->ctx;
    const GPtrArray *nets = b->def->nets;

    for (guint i = 0; i < nets->len; i++) {
        const ArmzDomainNetDef *net = g_ptr_array_index(nets, i);
        g_autofree char *bridge = NULL;
        g_autofree char *role = g_strdup_printf("net%u", i);
        const char *ifname = net->target_dev;
        char mac[18];
        ArmzLaunchFd *fd;

        if (net->model && !g_str_equal(net->model, "virtio"))
            return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("<model type='%s'> of <interface> is not supported by the armz "
                          "driver"), net->model);
        if (!check_virtio_address(net->address, "<interface>", error))
            return FALSE;
        switch (net->type) {
        case ARMZ_DOMAIN_NET_TYPE_NETWORK:
            if (!ctx->resolve_network)
                return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                            _("<interface type='network'> (network '%s') needs the network "
                              "driver, which is not available"), net->source_network);
            if (!ctx->resolve_network(net->source_network, &bridge, ctx->network_opaque, error)) {
                if (error && !*error)
                    fail(error, VIR_ERR_INTERNAL_ERROR, _("cannot resolve network '%s'"),
                         net->source_network);
                return FALSE;
            }
            if (!bridge || !*bridge)
                return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                            _("network '%s' has no bridge for the guest's tap device"),
                            net->source_network);
            break;
        case ARMZ_DOMAIN_NET_TYPE_BRIDGE:
            bridge = g_strdup(net->source_bridge);
            break;
        case ARMZ_DOMAIN_NET_TYPE_ETHERNET:
            break;
        case ARMZ_DOMAIN_NET_TYPE_LAST:
        default:
            return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("<interface type='%s'> is not supported by the armz driver"),
                        armz_domain_net_type_to_string(net->type));
        }
        /* As libvirt does, names with the prefixes of generated ones are
         * left to be generated afresh (a vnetN of an earlier run). */
        if (ifname && (g_str_has_prefix(ifname, "vnet") || g_str_has_prefix(ifname, "macvtap") ||
                       g_str_has_prefix(ifname, "macvlan")))
            ifname = NULL;
        if (ifname && !check_ifname(ifname, error))
            return FALSE;

        fd = add_fd(b, ARMZ_LAUNCH_FD_TAP, NULL, role, (int)i);
        fd->tap.ifname = g_strdup(ifname);
        fd->tap.bridge = g_steal_pointer(&bridge);
        fd->tap.mtu = net->mtu;
        memcpy(fd->tap.mac, net->mac, sizeof(fd->tap.mac));
        armz_mac_format(net->mac, mac);
        arg(b, "--net");
        argf(b, "fd=%d,mac=%s", fd->num, mac);
    }
    return TRUE;
}

/* ---------------- rng ---------------- */

static gboolean
plan_rngs(Builder *b, GError **error)
{
    const GPtrArray *rngs = b->def->rngs;
    const ArmzDomainRngDef *rng;
    const char *path;
    ArmzLaunchFd *fd;

    if (rngs->len == 0)
        return TRUE;
    if (rngs->len > 1)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("%u <rng> devices given, but the armz driver supports one"), rngs->len);
    rng = g_ptr_array_index(rngs, 0);
    if (rng->model && !g_str_equal(rng->model, "virtio"))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<rng model='%s'> is not supported by the armz driver"), rng->model);
    if (g_strcmp0(rng->backend_model, "random") != 0)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<backend model='%s'> of <rng> is not supported by the armz driver"),
                    rng->backend_model ? rng->backend_model : "");
    path = rng->backend_path ? rng->backend_path : "/dev/urandom";
    if (!g_str_equal(path, "/dev/urandom") && !g_str_equal(path, "/dev/random"))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("file '%s' is not a supported random source: use /dev/urandom or "
                      "/dev/random"), path);
    if (rng->rate_bytes || rng->rate_period)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<rate> of <rng> (rate limiting) is not supported by the armz driver"));
    if (!check_virtio_address(rng->address, "<rng>", error))
        return FALSE;
    fd = add_fd(b, ARMZ_LAUNCH_FD_RNG, path, "rng0", 0);
    arg(b, "--rng");
    argf(b, "fd:%d", fd->num);
    return TRUE;
}

/* ---------------- entry points ---------------- */

static gboolean
plan_paths(Builder *b, GError **error)
{
    const ArmzLaunchCtx *ctx = b->ctx;
    g_autofree char *qmp = g_strconcat(b->def->name, ".qmp", NULL);
    g_autofree char *pid = g_strconcat(b->def->name, ".pid", NULL);
    struct sockaddr_un sa;

    if (!ctx->state_dir || !g_path_is_absolute(ctx->state_dir))
        return fail(error, VIR_ERR_INTERNAL_ERROR, _("no absolute state directory for the VMM"));
    b->plan->qmp_path = g_build_filename(ctx->state_dir, qmp, NULL);
    b->plan->pidfile = g_build_filename(ctx->state_dir, pid, NULL);
    if (strlen(b->plan->qmp_path) >= sizeof(sa.sun_path))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("monitor socket path '%s' is too long for a unix socket (at most %zu "
                      "bytes): use a shorter domain name"),
                    b->plan->qmp_path, sizeof(sa.sun_path) - 1);
    return TRUE;
}

static const char *
vmm_path(Builder *b, GError **error)
{
    const char *emu = b->def->emulator;

    if (!emu) {
        if (!b->ctx->vmm_path || !*b->ctx->vmm_path) {
            fail(error, VIR_ERR_INTERNAL_ERROR, _("no armz-vmm path configured"));
            return NULL;
        }
        return b->ctx->vmm_path;
    }
    if (!check_abs_path(emu, "<emulator>", error))
        return NULL;
    return emu;
}

ArmzLaunchPlan *
armz_launch_plan_build(const ArmzDomainDef *def, const ArmzLaunchCtx *ctx, GError **error)
{
    g_autoptr(ArmzLaunchPlan) plan = g_new0(ArmzLaunchPlan, 1);
    Builder b = { def, ctx, plan };
    const char *vmm;
    ArmzLaunchFd *qmp;

    g_return_val_if_fail(def && ctx, NULL);
    plan->argv = g_ptr_array_new_with_free_func(g_free);
    plan->fds = g_ptr_array_new_with_free_func(fd_free);
    plan->chardevs = g_ptr_array_new_with_free_func(g_free);
    plan->paused = ctx->start_paused;

    if (!check_virt_type(&b, error) ||
        !plan_memory(&b, error) ||
        !check_vcpus(&b, error) ||
        !check_os(&b, error) ||
        !check_cpu(&b, error) ||
        !check_features(&b, error) ||
        !check_clock(&b, error) ||
        !check_lifecycle(&b, error) ||
        !check_pm(&b, error) ||
        !check_placement(&b, error) ||
        !(vmm = vmm_path(&b, error)) ||
        !plan_paths(&b, error))
        return NULL;
    /* <controller> elements describe buses; armz's devices all sit on
     * virtio-mmio, so there is nothing to do for them, as for
     * <memballoon model='none'/>. */

    arg(&b, vmm);
    arg(&b, "--name");
    arg(&b, def->name);
    arg(&b, "--kernel");
    arg(&b, def->os_kernel);
    if (def->os_initrd) {
        arg(&b, "--initrd");
        arg(&b, def->os_initrd);
    }
    if (def->os_cmdline) {
        arg(&b, "--cmdline");
        arg(&b, def->os_cmdline);
    }
    arg(&b, "--memory");
    argf(&b, "%" G_GUINT64_FORMAT, plan->memory_mib);
    arg(&b, "--vcpus");
    argf(&b, "%u", def->vcpus);
    arg(&b, "--kvm-device");
    arg(&b, ctx->kvm_device);
    arg(&b, "--irqchip");
    arg(&b, "auto");
    qmp = add_fd(&b, ARMZ_LAUNCH_FD_QMP_LISTEN, plan->qmp_path, "monitor", -1);
    arg(&b, "--qmp-fd");
    argf(&b, "%d", qmp->num);
    arg(&b, "--pidfile");
    arg(&b, plan->pidfile);
    if (ctx->start_paused)
        arg(&b, "--paused");

    if (!plan_chardevs(&b, error) ||
        !plan_disks(&b, error) ||
        !plan_nets(&b, error) ||
        !plan_rngs(&b, error))
        return NULL;
    return g_steal_pointer(&plan);
}
