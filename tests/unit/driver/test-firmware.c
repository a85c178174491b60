/* Firmware descriptor selection (driver/firmware.c) over temporary
 * descriptor directories: libvirt's precedence of file names across the
 * directories, what armz can boot, and what <os firmware='efi'> becomes. */
#include "driver/firmware.h"
#include "util/error.h"

#include <stdlib.h>
#include <glib/gstdio.h>
#include <libvirt/virterror.h>

/* the codes, as numbers the messages can be compared with */
#define VIR_ERR_CONFIG_UNSUPPORTED_NUM 67
#define VIR_ERR_OPERATION_FAILED_NUM 9
G_STATIC_ASSERT(VIR_ERR_CONFIG_UNSUPPORTED == VIR_ERR_CONFIG_UNSUPPORTED_NUM);
G_STATIC_ASSERT(VIR_ERR_OPERATION_FAILED == VIR_ERR_OPERATION_FAILED_NUM);

static char *tmp;

static char *
mkdir_in(const char *name)
{
    char *d = g_build_filename(tmp, name, NULL);
    g_assert_cmpint(g_mkdir_with_parents(d, 0755), ==, 0);
    return d;
}

/* A descriptor for CODE; FEATURES, ARCH, MACHINE and DEVICE as given. */
static void
descriptor(const char *dir, const char *file, const char *code, const char *features,
           const char *arch, const char *machine, const char *device)
{
    g_autofree char *path = g_build_filename(dir, file, NULL);
    g_autofree char *json = g_strdup_printf(
        "{\"interface-types\": [\"uefi\"],"
        " \"mapping\": {\"device\": \"%s\","
        "   \"executable\": {\"filename\": \"%s\", \"format\": \"raw\"},"
        "   \"nvram-template\": {\"filename\": \"%s.vars\", \"format\": \"raw\"}},"
        " \"targets\": [{\"architecture\": \"%s\", \"machines\": [\"%s\"]}],"
        " \"features\": [%s]}", device, code, code, arch, machine, features);

    g_assert_true(g_file_set_contents(path, json, -1, NULL));
}

static char *
codes(GPtrArray *list)
{
    GString *s = g_string_new(NULL);

    for (guint i = 0; i < list->len; i++) {
        const ArmzFirmware *fw = g_ptr_array_index(list, i);
        g_string_append_printf(s, "%s%s%s", i ? " " : "", fw->code, fw->secure_boot ? "+sb" : "");
    }
    return g_string_free(s, FALSE);
}

static void
test_precedence(void)
{
    g_autofree char *sys = mkdir_in("prec/usr");
    g_autofree char *etc = mkdir_in("prec/etc");
    g_autofree char *user = mkdir_in("prec/user");
    g_autofree char *masked = g_build_filename(etc, "30-masked.json", NULL);
    const char *dirs[] = { sys, etc, user, NULL };
    g_autoptr(GPtrArray) list = NULL;
    g_autofree char *got = NULL;

    descriptor(sys, "40-secure.json", "/fw/secure", "\"secure-boot\"", "aarch64", "virt-*", "flash");
    descriptor(sys, "60-plain.json", "/fw/usr-plain", "", "aarch64", "virt-*", "flash");
    descriptor(etc, "60-plain.json", "/fw/etc-plain", "", "aarch64", "virt-*", "flash");
    descriptor(user, "60-plain.json", "/fw/user-plain", "", "aarch64", "virt*", "flash");
    descriptor(sys, "30-masked.json", "/fw/masked", "", "aarch64", "virt-*", "flash");
    g_assert_true(g_file_set_contents(masked, "", 0, NULL));
    descriptor(sys, "10-x86.json", "/fw/x86", "", "x86_64", "pc-q35-*", "flash");
    descriptor(sys, "20-memory.json", "/fw/mem", "", "aarch64", "virt-*", "memory");
    descriptor(sys, "25-other-machine.json", "/fw/sbsa", "", "aarch64", "sbsa-ref", "flash");
    g_assert_true(g_file_set_contents(g_build_filename(sys, "50-broken.json", NULL), "{", -1,
                                      NULL));
    descriptor(sys, "70-not-json.txt", "/fw/txt", "", "aarch64", "virt-*", "flash");

    list = armz_firmware_list(dirs);
    got = codes(list);
    g_assert_cmpstr(got, ==, "/fw/secure+sb /fw/user-plain");
}

/* <os firmware='efi'> with FEATURES resolved in DIR: loader and nvram, or
 * the error "CODE message". */
static char *
resolve(const char *dir, const char *features)
{
    g_autofree char *xml = g_strdup_printf(
        "<domain type='kvm'><name>g</name><memory>65536</memory>"
        "<os firmware='efi'><type arch='aarch64' machine='virt'>hvm</type>%s</os></domain>",
        features);
    g_autoptr(ArmzDomainDef) def = armz_domain_def_parse(xml, NULL);
    g_autoptr(GError) err = NULL;
    const char *dirs[] = { dir, NULL };

    g_assert_nonnull(def);
    if (!armz_firmware_fill(def, dirs, "/nv", &err))
        return g_strdup_printf("%d %s", err->code, err->message);
    return g_strdup_printf("%s %s %s %s %s", def->os_loader->path, def->os_loader->type,
                           def->os_loader->readonly, def->os_nvram->template_path,
                           def->os_nvram->path);
}

static void
test_resolve(void)
{
    g_autofree char *dir = mkdir_in("resolve");
    g_autofree char *empty = mkdir_in("empty");
    g_autofree char *sbonly = mkdir_in("sbonly");
    g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL;

    descriptor(dir, "40-secure-enrolled.json", "/fw/ms", "\"enrolled-keys\", \"secure-boot\"",
               "aarch64", "virt-*", "flash");
    descriptor(dir, "60-plain.json", "/fw/plain", "\"verbose-static\"", "aarch64", "virt-*",
               "flash");
    descriptor(sbonly, "40-secure.json", "/fw/sb", "\"secure-boot\"", "aarch64", "virt-*",
               "flash");

    a = resolve(dir, "");
    g_assert_cmpstr(a, ==, "/fw/plain pflash yes /fw/plain.vars /nv/g_VARS.fd");
    b = resolve(dir, "<firmware><feature enabled='no' name='secure-boot'/>"
                     "<feature enabled='no' name='enrolled-keys'/></firmware>");
    g_assert_cmpstr(b, ==, a);
    c = resolve(dir, "<firmware><feature enabled='yes' name='secure-boot'/></firmware>");
    g_assert_cmpstr(c, ==, G_STRINGIFY(VIR_ERR_CONFIG_UNSUPPORTED_NUM)
                    " UEFI Secure Boot is not supported by the armz driver: armz-vmm "
                    "has no secure world to protect the variable store");
    d = resolve(empty, "");
    g_assert_cmpstr(d, ==, G_STRINGIFY(VIR_ERR_OPERATION_FAILED_NUM)
                    " Unable to find any firmware to satisfy 'efi'");
    /* only Secure Boot firmware installed: nothing armz can boot */
    e = resolve(sbonly, "");
    g_assert_cmpstr(e, ==, d);
}

/* <smbios mode='host'>: blocks 0 and 1 of /sys/class/dmi/id, no UUID,
 * commas doubled, unreadable or empty files left out */
static void
test_host_smbios(void)
{
    g_autofree char *dmi = mkdir_in("dmi");
    g_autofree char *none = mkdir_in("nodmi");
    static const char *const files[][2] = {
        { "bios_vendor", "EFI Development Kit II, EDK II\n" }, { "bios_date", "02/06/2015\n" },
        { "sys_vendor", "QEMU\n" }, { "product_name", "KVM Virtual Machine\n" },
        { "product_family", "\n" }, { "product_uuid", "c7a5fdbd-edaf-4455-926a-d65c16db1809\n" },
    };
    g_auto(GStrv) got = NULL;
    g_auto(GStrv) nothing = NULL;

    for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *p = g_build_filename(dmi, files[i][0], NULL);
        g_assert_true(g_file_set_contents(p, files[i][1], -1, NULL));
    }
    got = armz_firmware_host_smbios(dmi);
    g_assert_nonnull(got);
    g_assert_cmpstr(got[0], ==, "type=0,vendor=EFI Development Kit II,, EDK II,date=02/06/2015");
    g_assert_cmpstr(got[1], ==, "type=1,manufacturer=QEMU,product=KVM Virtual Machine");
    g_assert_null(got[2]);
    nothing = armz_firmware_host_smbios(none);
    g_assert_null(nothing);
}

int
main(int argc, char **argv)
{
    int rc;
    g_autofree char *cmd = NULL;

    g_test_init(&argc, &argv, NULL);
    tmp = g_dir_make_tmp("armz-firmware-XXXXXX", NULL);
    g_test_add_func("/firmware/precedence", test_precedence);
    g_test_add_func("/firmware/resolve", test_resolve);
    g_test_add_func("/firmware/host-smbios", test_host_smbios);
    rc = g_test_run();
    cmd = g_strdup_printf("rm -rf '%s'", tmp);
    (void)!system(cmd);
    return rc;
}
