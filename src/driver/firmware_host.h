/* Whether this host can boot firmware at all: the UEFI code flash is a
 * read-only KVM memory slot, which IBM Z's kvm-arm64 does not offer yet
 * (docs/firmware.md). Domain capabilities, define and start ask it, so a
 * client is told before it writes a guest that could never start. */
#pragma once
#include <glib.h>
#include "driver/driver.h"

/* TRUE when firmware guests can run here; FALSE with VIR_ERR_CONFIG_UNSUPPORTED
 * naming the KVM device or profile otherwise. A host without any arm64 KVM
 * device answers TRUE: its guests fail at start for that reason instead. */
gboolean armz_driver_firmware_runs(ArmzDriver *drv, GError **error);
