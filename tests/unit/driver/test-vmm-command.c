/* Domain XML -> armz-vmm launch plan golden tests: every
 * tests/data/vmm-command/NAME.xml is parsed and planned with a fixed
 * context; the formatted plan must equal NAME.args, or the error
 * "CODE: message" must equal NAME.err (a parser refusal is written
 * "parse: CODE: message"). A few names get a different context (table
 * below). A successful plan is also checked for consistency: its fds are
 * 3, 4, ... and each is named exactly once on the command line.
 *
 * Define runs the same validator as the plan builder: every case that plans
 * must pass it, and every refusal that does not depend on the host (table
 * below) must be the validator's, with the same code and message, so define
 * refuses it as start does.
 *
 * tests/data/domain-capabilities/NAME.xml is virsh domcapabilities' text.
 *
 * ARMZ_REGENERATE=1 rewrites NAME.args / NAME.err and the domain
 * capabilities instead of comparing. */
#include "conf/domain_conf.h"
#include "driver/domain_capabilities.h"
#include "driver/domain_validate.h"
#include "driver/firmware.h"
#include "driver/vmm_command.h"
#include "driver/disk_chain.h"
#include "util/error.h"

#include <string.h>
#include <glib/gstdio.h>
#include <libvirt/virterror.h>

#define TEST_VMM "/usr/libexec/armz-vmm"
#define TEST_KVM "/dev/kvm-arm64"
#define TEST_STATE_DIR "/run/libvirt/armz"

static char *srcdir;

enum {
    CTX_PAUSED = 1 << 0,
    CTX_NO_KVM = 1 << 1,
    CTX_NO_NETWORK_DRIVER = 1 << 2,
    CTX_NO_STORAGE_DRIVER = 1 << 3,
    CTX_NO_VIRTIOFSD = 1 << 4,
    CTX_HOST_SMBIOS = 1 << 5,
};

static const struct {
    const char *name;
    unsigned int flags;
} ctx_overrides[] = {
    { "start-paused", CTX_PAUSED },
    { "err-type-kvm-no-kvm", CTX_NO_KVM },
    { "err-type-qemu-no-kvm", CTX_NO_KVM },
    { "err-net-network-no-driver", CTX_NO_NETWORK_DRIVER },
    { "err-disk-volume-no-driver", CTX_NO_STORAGE_DRIVER },
    { "fw-smbios-host", CTX_HOST_SMBIOS },
    { "err-fs-no-virtiofsd", CTX_NO_VIRTIOFSD },
};

/* Refused at start for what the host lacks or holds; define accepts them. */
static const char *const host_cases[] = {
    "err-type-kvm-no-kvm",          /* no KVM */
    "err-type-qemu-no-kvm",
    "err-net-network-no-driver",    /* no network driver */
    "err-net-network-unknown",      /* no such network (yet) */
    "err-disk-volume-no-driver",    /* no storage driver */
    "err-disk-volume-unknown",      /* no such pool (yet) */
    "err-fw-smbios-host-none",      /* no SMBIOS on the host */
    "err-disk-qcow2-missing-backing", /* a backing file is missing */
    "err-fs-no-virtiofsd",          /* no vhost-user descriptor of type fs */
    NULL
};

static const struct {
    int code;
    const char *name;
} code_names[] = {
    { VIR_ERR_CONFIG_UNSUPPORTED, "VIR_ERR_CONFIG_UNSUPPORTED" },
    { VIR_ERR_XML_ERROR, "VIR_ERR_XML_ERROR" },
    { VIR_ERR_INVALID_ARG, "VIR_ERR_INVALID_ARG" },
    { VIR_ERR_INTERNAL_ERROR, "VIR_ERR_INTERNAL_ERROR" },
    { VIR_ERR_NO_NETWORK, "VIR_ERR_NO_NETWORK" },
    { VIR_ERR_NO_STORAGE_POOL, "VIR_ERR_NO_STORAGE_POOL" },
    { VIR_ERR_OPERATION_FAILED, "VIR_ERR_OPERATION_FAILED" },
    { VIR_ERR_SYSTEM_ERROR, "VIR_ERR_SYSTEM_ERROR" },
};

static int resolver_calls;

/* Test networks: default -> virbr0, isolated -> virbr1. Failures are worded
 * as the network driver's (armz_network_resolve_bridge), which is what
 * libvirt users see: VIR_ERR_NO_NETWORK gets no prefix on the wire. */
static gboolean
test_resolve_network(const char *network, char **bridge, gpointer opaque, GError **error)
{
    g_assert_true(opaque == &resolver_calls);
    resolver_calls++;
    if (g_str_equal(network, "default")) {
        *bridge = g_strdup("virbr0");
        return TRUE;
    }
    if (g_str_equal(network, "isolated")) {
        *bridge = g_strdup("virbr1");
        return TRUE;
    }
    g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_NETWORK,
                "Network not found: no network with matching name '%s'", network);
    return FALSE;
}

/* Test pool: default, in /var/lib/libvirt/images. */
static gboolean
test_resolve_volume(const char *pool, const char *vol, const char *format, char **path,
                    gpointer opaque, GError **error)
{
    g_assert_true(opaque == &resolver_calls);
    resolver_calls++;
    if (g_str_equal(pool, "default")) {
        *path = g_build_filename("/var/lib/libvirt/images", vol, NULL);
        return TRUE;
    }
    g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_STORAGE_POOL,
                "Storage pool not found: no storage pool with matching name '%s'", pool);
    return FALSE;
}

/* Backing chains: images named overlay* sit on a raw file in Nova's
 * _base (as Nova makes them); images named chain3* on a qcow2 on a raw;
 * missing* have a missing backing file; anything else has none. */
static gboolean
test_resolve_chain(const char *path, const char *format, GPtrArray **chain, gpointer opaque,
                   GError **error)
{
    g_autofree char *base = g_path_get_basename(path);
    GPtrArray *c = g_ptr_array_new_with_free_func(armz_disk_layer_free);
    const char *layers[3][2] = { { path, format } };
    guint n = 1;

    g_assert_true(opaque == &resolver_calls);
    if (g_str_has_prefix(base, "missing")) {
        g_ptr_array_unref(c);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    "Cannot access backing file '/nope' of storage file '%s': "
                    "No such file or directory", path);
        return FALSE;
    }
    if (g_str_equal(format, "qcow2") && g_str_has_prefix(base, "overlay")) {
        layers[n][0] = "/var/lib/nova/instances/_base/6f1ed002ab5595859014ebf0951522d9";
        layers[n++][1] = "raw";
    } else if (g_str_equal(format, "qcow2") && g_str_has_prefix(base, "chain3")) {
        layers[n][0] = "/var/lib/libvirt/images/middle.qcow2";
        layers[n++][1] = "qcow2";
        layers[n][0] = "/var/lib/libvirt/images/base,with 'odd' \"chars\".raw";
        layers[n++][1] = "raw";
    }
    for (guint i = 0; i < n; i++) {
        ArmzDiskLayer *l = g_new0(ArmzDiskLayer, 1);
        l->path = g_strdup(layers[i][0]);
        l->format = g_strdup(layers[i][1]);
        g_ptr_array_add(c, l);
    }
    *chain = c;
    return TRUE;
}

static void
ctx_init(ArmzLaunchCtx *ctx, unsigned int flags)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->vmm_path = TEST_VMM;
    ctx->kvm_device = (flags & CTX_NO_KVM) ? NULL : TEST_KVM;
    ctx->state_dir = TEST_STATE_DIR;
    ctx->start_paused = (flags & CTX_PAUSED) != 0;
    ctx->resolve_network = (flags & CTX_NO_NETWORK_DRIVER) ? NULL : test_resolve_network;
    ctx->resolve_volume = (flags & CTX_NO_STORAGE_DRIVER) ? NULL : test_resolve_volume;
    ctx->network_opaque = ctx->volume_opaque = &resolver_calls;
    if (flags & CTX_HOST_SMBIOS) {
        static const char *const host[] = { "type=0,vendor=Host,, Inc.",
                                            "type=1,manufacturer=Host,product=Box", NULL };
        ctx->host_smbios = host;
    }
    ctx->virtiofsd_path = (flags & CTX_NO_VIRTIOFSD) ? NULL : "/usr/lib/qemu/virtiofsd";
    ctx->resolve_chain = test_resolve_chain;
    ctx->chain_opaque = &resolver_calls;
}

static const char *
code_name(const GError *err)
{
    if (err->domain != ARMZ_ERROR)
        return "NOT-ARMZ_ERROR";
    for (guint i = 0; i < G_N_ELEMENTS(code_names); i++) {
        if (code_names[i].code == err->code)
            return code_names[i].name;
    }
    return "UNEXPECTED-CODE";
}

static char *
read_file(const char *path)
{
    g_autoptr(GError) err = NULL;
    char *data = NULL;

    if (!g_file_get_contents(path, &data, NULL, &err))
        g_error("%s", err->message);
    return data;
}

/* Every fd is 3, 4, ... in order, named once on the command line, and the
 * chardev records point at fds of the plan. */
static void
check_consistency(const char *name, const ArmzLaunchPlan *plan)
{
    g_autofree int *seen = g_new0(int, plan->fds->len);
    g_auto(GStrv) argv = armz_launch_plan_argv(plan);

    g_assert_cmpuint(g_strv_length(argv), ==, plan->argv->len);
    g_assert_true(g_path_is_absolute(argv[0]));
    for (guint i = 0; i < plan->fds->len; i++) {
        const ArmzLaunchFd *fd = g_ptr_array_index(plan->fds, i);
        g_assert_cmpint(fd->num, ==, 3 + (int)i);
        g_assert_nonnull(fd->role);
        if (fd->kind == ARMZ_LAUNCH_FD_TCP_LISTEN)
            g_assert_true(fd->path && fd->port); /* a host and a port */
        else if (fd->kind != ARMZ_LAUNCH_FD_PTY && fd->kind != ARMZ_LAUNCH_FD_TAP)
            g_assert_true(fd->path && g_path_is_absolute(fd->path));
    }
    for (guint i = 1; i < plan->argv->len; i++) {
        const char *a = g_ptr_array_index(plan->argv, i);
        const char *prev = g_ptr_array_index(plan->argv, i - 1);
        const char *num = NULL;
        guint64 n;

        if (g_str_equal(prev, "--qmp-fd"))
            num = a;
        else if (g_str_has_prefix(a, "fd:") || g_str_has_prefix(a, "fd="))
            num = a + 3;
        else if (g_str_has_prefix(a, "listen:fd:"))
            num = a + 10;
        if (!num)
            continue;
        n = g_ascii_strtoull(num, NULL, 10);
        if (n < 3 || n >= 3 + plan->fds->len)
            g_error("%s: argument '%s' names an fd the plan does not pass", name, a);
        seen[n - 3]++;
    }
    for (guint i = 0; i < plan->fds->len; i++) {
        if (seen[i] != 1)
            g_error("%s: fd %u is named %d times on the command line", name, i + 3, seen[i]);
    }
    for (guint i = 0; i < plan->chardevs->len; i++) {
        const ArmzLaunchChr *chr = g_ptr_array_index(plan->chardevs, i);
        if (chr->fd >= 0)
            g_assert_cmpint(chr->fd, <, 3 + (int)plan->fds->len);
        if (chr->log_fd >= 0)
            g_assert_cmpint(chr->log_fd, <, 3 + (int)plan->fds->len);
        if (chr->type == ARMZ_DOMAIN_CHR_TYPE_PTY) {
            const ArmzLaunchFd *fd = g_ptr_array_index(plan->fds, chr->fd - 3);
            g_assert_cmpint(fd->kind, ==, ARMZ_LAUNCH_FD_PTY);
        }
    }
    g_assert_true(plan->qmp_path && g_str_has_prefix(plan->qmp_path, TEST_STATE_DIR "/"));
    g_assert_true(plan->pidfile && g_str_has_prefix(plan->pidfile, TEST_STATE_DIR "/"));
}

/* What define (armz_domain_validate) says of a definition that start
 * refused with START_ERR ("CODE: message\n"), or planned (NULL). */
static void
check_define(const char *name, const ArmzDomainDef *def, const char *start_err,
             gboolean refused)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *define_err = NULL;
    gboolean host = g_strv_contains(host_cases, name);

    if (armz_domain_validate(def, &err)) {
        if (refused && !host)
            g_error("%s: refused at start (%s) but accepted at define", name, start_err);
        return;
    }
    define_err = g_strdup_printf("%s: %s\n", code_name(err), err->message);
    if (!refused || host)
        g_error("%s: refused at define (%s) but %s at start", name, define_err,
                refused ? "refused only for the host" : "planned");
    g_assert_cmpstr(define_err, ==, start_err);
}

/* What define does before it validates: <os firmware='efi'> from the
 * descriptors of tests/data/firmware (none for fw-*-no-descriptor). */
static gboolean
fill_firmware(const char *name, ArmzDomainDef *def, GError **error)
{
    g_autofree char *dir = g_build_filename(srcdir, "tests", "data", "firmware", NULL);
    const char *dirs[] = { strstr(name, "no-descriptor") ? "" : dir, NULL };

    return armz_firmware_fill(def, dirs, "/var/lib/libvirt/armz/nvram", error);
}

static void
test_golden(gconstpointer data)
{
    const char *name = data;
    g_autofree char *dir = g_build_filename(srcdir, "tests", "data", "vmm-command", NULL);
    g_autofree char *xml_path = g_strdup_printf("%s/%s.xml", dir, name);
    g_autofree char *args_path = g_strdup_printf("%s/%s.args", dir, name);
    g_autofree char *err_path = g_strdup_printf("%s/%s.err", dir, name);
    g_autofree char *xml = read_file(xml_path);
    g_autoptr(GError) err = NULL;
    g_autoptr(ArmzDomainDef) def = NULL;
    g_autoptr(ArmzLaunchPlan) plan = NULL;
    g_autofree char *actual = NULL;
    const char *out_path, *other_path;
    unsigned int flags = 0;
    ArmzLaunchCtx ctx;

    for (guint i = 0; i < G_N_ELEMENTS(ctx_overrides); i++) {
        if (g_str_equal(ctx_overrides[i].name, name))
            flags = ctx_overrides[i].flags;
    }
    ctx_init(&ctx, flags);

    def = armz_domain_def_parse(xml, &err);
    if (!def) {
        actual = g_strdup_printf("parse: %s: %s\n", code_name(err), err->message);
    } else if (!fill_firmware(name, def, &err)) {
        actual = g_strdup_printf("firmware: %s: %s\n", code_name(err), err->message);
    } else if (!(plan = armz_launch_plan_build(def, &ctx, &err))) {
        actual = g_strdup_printf("%s: %s\n", code_name(err), err->message);
        check_define(name, def, actual, TRUE);
    } else {
        check_define(name, def, NULL, FALSE);
        g_assert_no_error(err);
        check_consistency(name, plan);
        actual = armz_launch_plan_format(plan);
        /* the inputs that work are what tools may write: schema-valid */
        if (!armz_domain_xml_validate(xml, NULL, &err))
            g_error("%s fails the schema: %s", xml_path, err->message);
    }
    out_path = plan ? args_path : err_path;
    other_path = plan ? err_path : args_path;

    if (g_strcmp0(g_getenv("ARMZ_REGENERATE"), "1") == 0) {
        g_autoptr(GError) werr = NULL;

        if (!g_file_set_contents(out_path, actual, -1, &werr))
            g_error("%s", werr->message);
        g_unlink(other_path);
        return;
    }
    if (g_file_test(other_path, G_FILE_TEST_EXISTS))
        g_error("%s: expected %s, got:\n%s", name, other_path, actual);
    {
        g_autofree char *expected = read_file(out_path);
        g_assert_cmpstr(actual, ==, expected);
    }
}

/* ---------------- cases the XML cannot express ---------------- */

static ArmzDomainDef *
parse_data(const char *name)
{
    g_autofree char *path = g_strdup_printf("%s/tests/data/vmm-command/%s.xml", srcdir, name);
    g_autofree char *xml = read_file(path);
    g_autoptr(GError) err = NULL;
    ArmzDomainDef *def = armz_domain_def_parse(xml, &err);

    g_assert_no_error(err);
    return def;
}

/* A definition built in code (not by the parser) still gets refused. */
static void
test_disk_bus_not_virtio(void)
{
    g_autoptr(ArmzDomainDef) def = parse_data("disks-file-block");
    ArmzDomainDiskDef *disk = g_ptr_array_index(def->disks, 0);
    g_autoptr(GError) err = NULL;
    g_autoptr(ArmzLaunchPlan) plan = NULL;
    ArmzLaunchCtx ctx;

    ctx_init(&ctx, 0);
    g_free(disk->target_bus);
    disk->target_bus = g_strdup("sata");
    plan = armz_launch_plan_build(def, &ctx, &err);
    g_assert_null(plan);
    g_assert_error(err, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED);
    g_assert_nonnull(strstr(err->message, "<target bus='sata'>"));
}

static gboolean
silent_failure(const char *network, char **bridge, gpointer opaque, GError **error)
{
    return FALSE;
}

static gboolean
no_bridge(const char *network, char **bridge, gpointer opaque, GError **error)
{
    return TRUE;
}

/* A resolver that fails without saying why, or gives no bridge. */
static void
test_resolver_misbehaves(void)
{
    g_autoptr(ArmzDomainDef) def = parse_data("net-network");
    g_autoptr(GError) err = NULL;
    ArmzLaunchCtx ctx;

    ctx_init(&ctx, 0);
    ctx.resolve_network = silent_failure;
    g_assert_null(armz_launch_plan_build(def, &ctx, &err));
    g_assert_error(err, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR);
    g_assert_nonnull(strstr(err->message, "'default'"));
    g_clear_error(&err);
    ctx.resolve_network = no_bridge;
    g_assert_null(armz_launch_plan_build(def, &ctx, &err));
    g_assert_error(err, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED);
    g_clear_error(&err);
    /* a NULL error pointer is fine too */
    g_assert_null(armz_launch_plan_build(def, &ctx, NULL));
}

/* armz.conf seccomp_sandbox: --seccomp MODE after the fixed options, and
 * nothing when it is left to armz-vmm's default */
static void
test_seccomp_option(void)
{
    g_autoptr(ArmzDomainDef) def = parse_data("full");
    ArmzLaunchCtx ctx;
    const char *modes[] = { NULL, "on", "off" };

    for (guint m = 0; m < G_N_ELEMENTS(modes); m++) {
        g_autoptr(ArmzLaunchPlan) plan = NULL;
        guint found = 0;

        ctx_init(&ctx, 0);
        ctx.seccomp = modes[m];
        plan = armz_launch_plan_build(def, &ctx, NULL);
        g_assert_nonnull(plan);
        for (guint i = 0; i < plan->argv->len; i++) {
            if (!g_str_equal(g_ptr_array_index(plan->argv, i), "--seccomp"))
                continue;
            found++;
            g_assert_cmpuint(i + 1, <, plan->argv->len);
            g_assert_cmpstr(g_ptr_array_index(plan->argv, i + 1), ==, modes[m]);
        }
        g_assert_cmpuint(found, ==, modes[m] ? 1 : 0);
    }
}

/* The structured plan the process layer reads, beyond its text form. */
static void
test_plan_fields(void)
{
    g_autoptr(ArmzDomainDef) def = parse_data("full");
    g_autoptr(GError) err = NULL;
    g_autoptr(ArmzLaunchPlan) plan = NULL;
    const ArmzLaunchFd *fd;
    const ArmzLaunchChr *chr;
    ArmzLaunchCtx ctx;

    ctx_init(&ctx, CTX_PAUSED);
    plan = armz_launch_plan_build(def, &ctx, &err);
    g_assert_no_error(err);
    g_assert_true(plan->paused);
    g_assert_cmpuint(plan->memory_mib, ==, 1024);
    g_assert_cmpstr(plan->qmp_path, ==, TEST_STATE_DIR "/c7a5fdbd-edaf-4455-926a-d65c16db1809.qmp");
    g_assert_cmpstr(plan->pidfile, ==, TEST_STATE_DIR "/full.pid");
    g_assert_cmpint(plan->on_reboot, ==, ARMZ_DOMAIN_LIFECYCLE_RESTART);
    fd = g_ptr_array_index(plan->fds, 0);
    g_assert_cmpint(fd->kind, ==, ARMZ_LAUNCH_FD_QMP_LISTEN);
    g_assert_cmpint(fd->device_index, ==, -1);
    for (guint i = 0; i < plan->fds->len; i++) {
        fd = g_ptr_array_index(plan->fds, i);
        if (fd->kind != ARMZ_LAUNCH_FD_TAP)
            continue;
        g_assert_cmpstr(fd->tap.bridge, ==, "virbr0");
        g_assert_null(fd->tap.ifname);
        g_assert_cmpuint(fd->tap.mtu, ==, 1450);
        g_assert_cmpuint(fd->tap.mac[5], ==, 0x56);
        g_assert_cmpint(fd->device_index, ==, 0);
    }
    g_assert_cmpuint(plan->chardevs->len, ==, 2);
    chr = g_ptr_array_index(plan->chardevs, 0);
    g_assert_cmpint(chr->list, ==, ARMZ_LAUNCH_CHR_SERIAL);
    g_assert_cmpint(chr->type, ==, ARMZ_DOMAIN_CHR_TYPE_PTY);
    g_assert_cmpint(chr->alias_of, ==, -1);
    g_assert_cmpint(chr->log_fd, >=, 3);
    g_assert_true(((ArmzLaunchFd *)g_ptr_array_index(plan->fds, chr->log_fd - 3))->append);
    chr = g_ptr_array_index(plan->chardevs, 1);
    g_assert_cmpint(chr->list, ==, ARMZ_LAUNCH_CHR_CONSOLE);
    g_assert_cmpint(chr->alias_of, ==, 0);
    g_assert_cmpint(chr->fd, ==, ((ArmzLaunchChr *)g_ptr_array_index(plan->chardevs, 0))->fd);
}

/* The descriptors of tests/data/firmware (Debian's three for aarch64). */
static GPtrArray *
test_firmwares(void)
{
    g_autofree char *dir = g_build_filename(srcdir, "tests", "data", "firmware", NULL);
    const char *dirs[] = { dir, NULL };

    return armz_firmware_list(dirs);
}

/* kvm_profile (armz.conf, ARMZ_KVM_PROFILE): --kvm-profile s390 after
 * --irqchip; native is armz-vmm's default and is not written */
static void
test_kvm_profile(void)
{
    static const char *const profiles[] = { NULL, "native", "s390" };

    for (guint p = 0; p < G_N_ELEMENTS(profiles); p++) {
        g_autoptr(ArmzDomainDef) def = parse_data("full");
        g_autoptr(GError) err = NULL;
        g_autoptr(ArmzLaunchPlan) plan = NULL;
        ArmzLaunchCtx ctx;
        gint at = -1;

        ctx_init(&ctx, 0);
        ctx.kvm_profile = profiles[p];
        plan = armz_launch_plan_build(def, &ctx, &err);
        g_assert_no_error(err);
        for (guint i = 0; i < plan->argv->len; i++)
            if (g_str_equal(g_ptr_array_index(plan->argv, i), "--kvm-profile"))
                at = i;
        if (p < 2) {
            g_assert_cmpint(at, ==, -1);
            continue;
        }
        g_assert_cmpint(at, >, 0);
        g_assert_cmpuint(at + 1, <, plan->argv->len);
        g_assert_cmpstr(g_ptr_array_index(plan->argv, at + 1), ==, "s390");
    }
}

/* virsh domcapabilities, pinned; regenerated like the plans. */
static void
test_domain_capabilities(gconstpointer data)
{
    const char *type = data;
    g_autofree char *path = g_strdup_printf("%s/tests/data/domain-capabilities/%s.xml",
                                            srcdir, type);
    g_autoptr(GPtrArray) fws = test_firmwares();
    g_autofree char *actual = armz_domain_capabilities_format(TEST_VMM, type, fws);

    if (g_strcmp0(g_getenv("ARMZ_REGENERATE"), "1") == 0) {
        g_autoptr(GError) werr = NULL;
        g_autofree char *dir = g_path_get_dirname(path);

        g_mkdir_with_parents(dir, 0755);
        if (!g_file_set_contents(path, actual, -1, &werr))
            g_error("%s", werr->message);
        return;
    }
    {
        g_autofree char *expected = read_file(path);
        g_assert_cmpstr(actual, ==, expected);
    }
}

/* disks-file-block with its first disk on bus BUS, or the CPU mode of
 * cpu-maximum set to MODE: does define accept it? */
static gboolean
accepts_disk_bus(const char *bus)
{
    g_autoptr(ArmzDomainDef) def = parse_data("disks-file-block");
    ArmzDomainDiskDef *disk = g_ptr_array_index(def->disks, 0);
    g_autoptr(GError) err = NULL;

    g_free(disk->target_bus);
    disk->target_bus = g_strdup(bus);
    armz_domain_scsi_complete(def);     /* what parsing does for bus='scsi' */
    return armz_domain_validate(def, &err);
}

static gboolean
accepts_cpu_mode(const char *mode)
{
    g_autoptr(ArmzDomainDef) def = parse_data("cpu-maximum");
    g_autoptr(GError) err = NULL;

    g_free(def->cpu->mode);
    def->cpu->mode = g_strdup(mode);
    return armz_domain_validate(def, &err);
}

/* Each value domcapabilities offers is one define accepts, and the values
 * it leaves out are refused. */
static void
test_capabilities_match_validator(void)
{
    const ArmzDomainSupport *sup = &armz_domain_support;
    static const char *const cpu_modes[] = {
        "host-passthrough", "host-model", "maximum", "custom", NULL };
    static const char *const buses[] = { "virtio", "sata", "scsi", "usb", NULL };
    g_autoptr(GPtrArray) fws = test_firmwares();
    g_autofree char *caps = armz_domain_capabilities_format(TEST_VMM, "kvm", fws);

    for (const char *const *v = buses; *v; v++)
        g_assert_cmpint(accepts_disk_bus(*v), ==, g_strv_contains(sup->disk_buses, *v));
    for (const char *const *v = cpu_modes; *v; v++) {
        g_autofree char *line = g_strdup_printf("<mode name='%s' supported='%s'/>", *v,
                                                accepts_cpu_mode(*v) ? "yes" : "no");
        g_assert_nonnull(strstr(caps, line));
    }
}

static int
cmp_strptr(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
    const char *env = g_getenv("ARMZ_SRCDIR");
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *dir = NULL;
    g_autoptr(GDir) d = NULL;
    const char *n;

    g_test_init(&argc, &argv, NULL);
    srcdir = g_strdup(env && *env ? env : SRCDIR);
    dir = g_build_filename(srcdir, "tests", "data", "vmm-command", NULL);
    d = g_dir_open(dir, 0, NULL);
    while (d && (n = g_dir_read_name(d))) {
        if (g_str_has_suffix(n, ".xml"))
            g_ptr_array_add(names, g_strndup(n, strlen(n) - 4));
    }
    g_ptr_array_sort(names, cmp_strptr);
    g_assert_cmpuint(names->len, >, 0);
    for (guint i = 0; i < names->len; i++) {
        g_autofree char *tn = g_strdup_printf("/vmm-command/golden/%s", (char *)names->pdata[i]);
        g_test_add_data_func(tn, names->pdata[i], test_golden);
    }
    g_test_add_func("/vmm-command/disk-bus-not-virtio", test_disk_bus_not_virtio);
    g_test_add_func("/vmm-command/resolver-misbehaves", test_resolver_misbehaves);
    g_test_add_func("/vmm-command/plan-fields", test_plan_fields);
    g_test_add_func("/vmm-command/seccomp-option", test_seccomp_option);
    g_test_add_func("/vmm-command/kvm-profile", test_kvm_profile);
    g_test_add_data_func("/vmm-command/domain-capabilities/kvm", "kvm",
                         test_domain_capabilities);
    g_test_add_data_func("/vmm-command/domain-capabilities/qemu", "qemu",
                         test_domain_capabilities);
    g_test_add_func("/vmm-command/capabilities-match-validator",
                    test_capabilities_match_validator);
    return g_test_run();
}
