/* Firmware boot (--flash-code): the flash banks backed by their files and
 * mapped as read-only KVM memory slots, and the fw_cfg items the firmware
 * reads; the vCPU starts at the flash's reset vector with the device tree
 * at the start of RAM, as on QEMU's "virt". */
#pragma once
#include <glib.h>

typedef struct _ArmzVm ArmzVm;
typedef struct _ArmzFirmware ArmzFirmware;

/* Opens and maps the flash files (before KVM: a bad file is reported
 * first, naming it). */
ArmzFirmware *armz_firmware_open(const ArmzOptions *o, GError **error);
/* After the VM and before the board's devices: memory slots, the flash
 * devices and fw_cfg in VM->board. */
gboolean armz_firmware_attach(ArmzFirmware *fw, ArmzVm *vm, GError **error);
/* Once the device tree is known: the fw_cfg items that depend on it and on
 * the boot payload (kernel/initrd/cmdline, SMBIOS, ACPI, boot order). */
gboolean armz_firmware_load_config(ArmzFirmware *fw, ArmzVm *vm, GError **error);
