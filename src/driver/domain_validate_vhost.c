/* Define-time checks of what the vhost-user backends serve: virtiofs
 * shares (<filesystem>) and the guest memory they need (<memoryBacking>). */
#include <string.h>
#include <libvirt/virterror.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "driver/domain_validate.h"

/* the virtio-fs config space's tag field */
#define FS_TAG_MAX 36

gboolean
armz_domain_has_vhost_user(const ArmzDomainDef *def)
{
    for (guint i = 0; i < def->disks->len; i++)
        if (armz_domain_disk_uses_qsd(g_ptr_array_index(def->disks, i)))
            return TRUE;
    return def->filesystems->len > 0;
}

static gboolean
check_fs(const ArmzDomainFsDef *fs, GError **error)
{
    g_autofree char *what = g_strdup_printf(_("filesystem '%s'"), fs->target_dir);

    if (g_strcmp0(fs->driver_type, "virtiofs") != 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("filesystem '%s': only <driver type='virtiofs'/> is supported by the "
                      "armz driver"), fs->target_dir);
        return FALSE;
    }
    if (fs->readonly) {
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                            _("virtiofs does not yet support read-only mode"));
        return FALSE;
    }
    if (strlen(fs->target_dir) > FS_TAG_MAX) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("filesystem target '%s' is longer than the %d bytes of a virtio-fs tag"),
                    fs->target_dir, FS_TAG_MAX);
        return FALSE;
    }
    if (strpbrk(fs->target_dir, ",=") || !g_utf8_validate(fs->target_dir, -1, NULL)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("filesystem target '%s' has a character the armz driver cannot pass "
                      "on (',' or '=')"), fs->target_dir);
        return FALSE;
    }
    if (fs->address && g_strcmp0(fs->address->type, "virtio-mmio") != 0 &&
        g_strcmp0(fs->address->type, "pci") != 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("<address type='%s'> of %s is not supported by the armz driver: "
                      "its devices sit on virtio-mmio or PCI"), fs->address->type, what);
        return FALSE;
    }
    if (fs->binary_path && !armz_domain_check_abs_path(fs->binary_path, what, error))
        return FALSE;
    return armz_domain_check_abs_path(fs->source_dir, what, error);
}

gboolean
armz_domain_check_vhost_user(const ArmzDomainDef *def, GError **error)
{
    for (guint i = 0; i < def->filesystems->len; i++) {
        const ArmzDomainFsDef *fs = g_ptr_array_index(def->filesystems, i);
        if (!check_fs(fs, error))
            return FALSE;
        for (guint j = 0; j < i; j++)
            if (g_str_equal(fs->target_dir,
                            ((ArmzDomainFsDef *)g_ptr_array_index(def->filesystems, j))->target_dir)) {
                g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                            _("filesystem target '%s' used more than once"), fs->target_dir);
                return FALSE;
            }
    }
    if (!armz_domain_has_vhost_user(def))
        return TRUE;
    /* a backend maps guest RAM: libvirt asks for shared memory too */
    if (g_strcmp0(def->mem_access, "private") == 0 ||
        g_strcmp0(def->mem_source, "anonymous") == 0) {
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                            _("vhost-user devices (virtiofs shares, disks of "
                              "qemu-storage-daemon) need shared guest memory: use "
                              "<memoryBacking><source type='memfd'/><access mode='shared'/>"
                              "</memoryBacking> or leave it out"));
        return FALSE;
    }
    return TRUE;
}
