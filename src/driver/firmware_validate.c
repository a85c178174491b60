/* What the armz driver accepts of UEFI firmware boot and of the platform
 * pieces that reach the guest through it (SMBIOS, ACPI, vmcoreinfo, boot
 * order). Pure, like domain_validate.c. */
#include <string.h>
#include <libvirt/virterror.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/uuid.h"
#include "driver/domain_validate.h"

/* sets ERROR, gives FALSE */
#define fail(error, ...) (g_set_error((error), ARMZ_ERROR, __VA_ARGS__), FALSE)

gboolean
armz_domain_uses_firmware(const ArmzDomainDef *def)
{
    return g_strcmp0(def->os_firmware, "efi") == 0 || def->os_loader != NULL;
}

gboolean
armz_domain_validate_firmware(const ArmzDomainDef *def, GError **error)
{
    const ArmzDomainLoaderDef *l = def->os_loader;
    const ArmzDomainNvramDef *n = def->os_nvram;

    if (g_strcmp0(def->os_firmware, "bios") == 0)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("firmware 'bios' is not supported on aarch64: use firmware='efi' or "
                      "boot a kernel directly (<os><kernel>)"));
    /* The variable store sits in flash the guest's OS can write: without a
     * secure world (EL3/TrustZone), which armz-vmm lacks, Secure Boot's
     * authenticated variables could not be protected. */
    if (armz_domain_def_firmware_feature(def, "secure-boot") == ARMZ_TRISTATE_ON ||
        (l && g_strcmp0(l->secure, "yes") == 0))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("UEFI Secure Boot is not supported by the armz driver: armz-vmm has "
                      "no secure world to protect the variable store"));
    if (armz_domain_def_firmware_feature(def, "enrolled-keys") == ARMZ_TRISTATE_ON)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("firmware with enrolled Secure Boot keys is not supported by the armz "
                      "driver: armz-vmm has no secure world to protect the variable store"));
    if (def->os_firmware_features->len && !def->os_firmware)
        return fail(error, VIR_ERR_XML_ERROR,
                    _("firmware features require a firmware type (<os firmware='efi'>)"));
    if (!l && n)
        return fail(error, VIR_ERR_XML_ERROR,
                    _("<nvram> needs a <loader type='pflash'> or <os firmware='efi'>"));
    if (!l)
        return TRUE;
    if (!l->path && !def->os_firmware)
        return fail(error, VIR_ERR_XML_ERROR,
                    _("a <loader> without a path needs <os firmware='efi'>"));
    if (l->path && !l->type)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<loader> '%s' without type='pflash' would be a ROM image, which the "
                      "armz driver does not support: give type='pflash'"), l->path);
    if (l->type && !g_str_equal(l->type, "pflash"))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<loader type='%s'> is not supported by the armz driver: use "
                      "type='pflash'"), l->type);
    if (g_strcmp0(l->readonly, "no") == 0)
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<loader readonly='no'> is not supported by the armz driver: armz-vmm "
                      "maps the firmware code read-only"));
    if (l->path && !armz_domain_check_abs_path(l->path, "<loader>", error))
        return FALSE;
    if (n && n->path && !armz_domain_check_abs_path(n->path, "<nvram>", error))
        return FALSE;
    if (n && n->template_path &&
        !armz_domain_check_abs_path(n->template_path, "<nvram template=''>", error))
        return FALSE;
    return TRUE;
}

gboolean
armz_domain_platform_feature(const char *name)
{
    static const char *const names[] = { "acpi", "apic", "vmcoreinfo", NULL };

    return g_strv_contains(names, name);
}

gboolean
armz_domain_ignored_timer(const char *name)
{
    /* x86 timers Nova writes for every guest; QEMU's driver on aarch64
     * accepts them and has nothing to give */
    static const char *const names[] = { "pit", "rtc", "hpet", NULL };

    return name && g_strv_contains(names, name);
}

static gboolean
check_features(const ArmzDomainDef *def, GError **error)
{
    gboolean fw = armz_domain_uses_firmware(def);

    for (guint i = 0; i < def->features->len; i++) {
        const ArmzDomainFeatureDef *f = g_ptr_array_index(def->features, i);

        if (f->state == ARMZ_TRISTATE_OFF || !armz_domain_platform_feature(f->name))
            continue;
        if (g_str_equal(f->name, "apic")) {
            if (armz_domain_xml_extra_present(&f->extra))
                return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                            _("The 'eoi' attribute of the 'apic' feature is not supported "
                              "for architecture 'aarch64'"));
            continue;
        }
        if (fw)
            continue;
        if (g_str_equal(f->name, "acpi"))
            return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("ACPI requires UEFI on this architecture"));
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<vmcoreinfo/> reaches the guest through UEFI firmware (fw_cfg): it "
                      "needs <os firmware='efi'>"));
    }
    return TRUE;
}

static const char *const smbios_keys[][8] = {
    /* block, then the entries armz-vmm's --smbios takes for it */
    { "bios", "vendor", "version", "date", NULL },
    { "system", "manufacturer", "product", "version", "serial", "uuid", "sku", "family" },
    { "chassis", "manufacturer", "version", "serial", "asset", "sku", NULL },
};

static gboolean
check_sysinfo(const ArmzDomainDef *def, GError **error)
{
    const char *uuid_text;

    for (guint i = 0; i < def->sysinfo->len; i++) {
        const ArmzDomainSysinfoBlock *b = g_ptr_array_index(def->sysinfo, i);
        guint k;

        for (k = 0; k < G_N_ELEMENTS(smbios_keys) && !g_str_equal(smbios_keys[k][0], b->block);
             k++)
            ;
        if (k == G_N_ELEMENTS(smbios_keys))
            return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("<sysinfo><%s> is not supported by the armz driver: armz-vmm "
                          "offers SMBIOS <bios>, <system> and <chassis>"), b->block);
        for (guint j = 0; j < b->entries->len; j++) {
            const ArmzXmlAttr *a = g_ptr_array_index(b->entries, j);
            gboolean known = FALSE;

            for (guint m = 1; m < G_N_ELEMENTS(smbios_keys[k]) && smbios_keys[k][m]; m++)
                known = known || g_str_equal(smbios_keys[k][m], a->name);
            if (!known)
                return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                            _("<sysinfo><%s><entry name='%s'> is not supported by the armz "
                              "driver"), b->block, a->name);
        }
    }
    uuid_text = armz_domain_def_sysinfo_entry(def, "system", "uuid");
    if (uuid_text) {
        unsigned char uuid[16];

        if (!armz_uuid_parse(uuid_text, uuid))
            return fail(error, VIR_ERR_XML_ERROR,
                        _("malformed <sysinfo> uuid element"));
        if (memcmp(uuid, def->uuid, sizeof(uuid)) != 0)
            return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("UUID mismatch between <uuid> and <sysinfo>"));
    }
    return TRUE;
}

static gboolean
check_smbios(const ArmzDomainDef *def, GError **error)
{
    if (!def->os_smbios_mode || g_str_equal(def->os_smbios_mode, "emulate"))
        return TRUE;
    if (!armz_domain_uses_firmware(def))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<smbios mode='%s'>: SMBIOS tables reach the guest through UEFI "
                      "firmware, which needs <os firmware='efi'>"), def->os_smbios_mode);
    if (g_str_equal(def->os_smbios_mode, "sysinfo") && !def->sysinfo_type)
        return fail(error, VIR_ERR_XML_ERROR,
                    _("Domain requires SMBIOS, but no SMBIOS information provided"));
    return TRUE;
}

static gboolean
check_boot(const ArmzDomainDef *def, GError **error)
{
    gboolean per_device = FALSE;

    for (guint i = 0; i < def->disks->len; i++)
        per_device = per_device || ((ArmzDomainDiskDef *)g_ptr_array_index(def->disks, i))->boot_order;
    for (guint i = 0; i < def->nets->len; i++) {
        const ArmzDomainNetDef *net = g_ptr_array_index(def->nets, i);
        if (net->boot_order && armz_domain_uses_firmware(def))
            return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("<boot order> of an <interface> is not supported by the armz "
                          "driver: the firmware boots from disks only"));
        per_device = per_device || net->boot_order;
    }
    /* libvirt's rule; kernel-booted guests ignore both, as they always did */
    if (per_device && def->os_boot_devs && armz_domain_uses_firmware(def))
        return fail(error, VIR_ERR_XML_ERROR,
                    _("per-device boot elements cannot be used together with os/boot "
                      "elements"));
    if (def->os_boot_devs && def->nets->len && armz_domain_uses_firmware(def) &&
        g_strv_contains((const char *const *)def->os_boot_devs, "network"))
        return fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<boot dev='network'> is not supported by the armz driver: the "
                      "firmware boots from disks only"));
    return TRUE;
}

gboolean
armz_domain_validate_platform(const ArmzDomainDef *def, GError **error)
{
    return check_features(def, error) &&
           check_sysinfo(def, error) &&
           check_smbios(def, error) &&
           check_boot(def, error);
}
