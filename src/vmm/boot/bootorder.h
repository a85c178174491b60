/* The fw_cfg "bootorder" file the firmware (AAVMF's QemuBootOrderLib)
 * follows: the boot devices by bootindex, one OpenFirmware path per line,
 * spelled as QEMU's virt machine spells them for the same topology. */
#pragma once
#include <glib.h>
#include "options.h"
#include "devices/devices.h"

/* After armz_board_create_devices (the PCI addresses are known); NULL when
 * no device has a bootindex. */
GBytes *armz_boot_order(const ArmzOptions *o, const ArmzBoard *b);
