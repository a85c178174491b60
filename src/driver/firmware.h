/* <os firmware='efi'> resolved as libvirt resolves it: from the QEMU
 * firmware descriptors (docs/interop/firmware.json of QEMU) installed by
 * the distribution, e.g. Debian's qemu-efi-aarch64. armz boots the ones
 * for aarch64, machine virt, mapped as flash, without Secure Boot
 * (armz-vmm has no secure world to keep the variable store from the
 * guest). */
#pragma once
#include <glib.h>
#include "conf/domain_conf.h"

typedef struct {
    char *descriptor;       /* the JSON file */
    char *code;             /* mapping.executable.filename */
    char *vars_template;    /* mapping.nvram-template.filename */
    gboolean secure_boot;   /* features: secure-boot */
    gboolean enrolled_keys; /* features: enrolled-keys */
} ArmzFirmware;

void armz_firmware_free(ArmzFirmware *fw);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzFirmware, armz_firmware_free)

/* The descriptor directories, lowest precedence first: /usr/share/qemu/
 * firmware, /etc/qemu/firmware and, for a session daemon (not
 * PRIVILEGED), $XDG_CONFIG_HOME/qemu/firmware. $ARMZ_FIRMWARE_DIRS
 * (colon-separated, same order) replaces them, for tests. */
GStrv armz_firmware_dirs(gboolean privileged);

/* The descriptors of DIRS armz can boot, in libvirt's order: by file name,
 * a file hiding those of the same name in earlier directories (an empty
 * one hides them and counts for nothing). Descriptors that do not parse
 * are skipped with a warning, as libvirt does. */
GPtrArray *armz_firmware_list(const char *const *dirs);

/* Resolves DEF's firmware in place: <os firmware='efi'> without a loader
 * path gets the first descriptor matching its <firmware> features; a
 * pflash loader gets readonly='yes' and an <nvram> with the template of
 * its descriptor and NVRAM_DIR/NAME_VARS.fd where it names none. A
 * definition without firmware is left alone. VIR_ERR_OPERATION_FAILED
 * when nothing matches, VIR_ERR_CONFIG_UNSUPPORTED for requests armz
 * cannot honour. */
gboolean armz_firmware_fill(ArmzDomainDef *def, const char *const *dirs, const char *nvram_dir,
                            GError **error);

/* <smbios mode='host'>: the host's SMBIOS blocks 0 and 1 but the UUID, as
 * armz-vmm --smbios values, from DMI_DIR (/sys/class/dmi/id); NULL when
 * the host has none. */
GStrv armz_firmware_host_smbios(const char *dmi_dir);
