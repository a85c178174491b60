/* A firmware domain's own UEFI variable store (libvirt's NVRAM): created
 * from the template at first start, kept across starts, removed or kept
 * at undefine as libvirt does. */
#pragma once
#include <glib.h>
#include "conf/domain_conf.h"
#include "driver/driver.h"

/* LIB_DIR/nvram, where NAME_VARS.fd files go. */
char *armz_nvram_dir(const ArmzPaths *paths);

/* armz_firmware_fill() with the driver's descriptor directories and
 * nvram directory. */
gboolean armz_driver_firmware_fill(ArmzDriver *drv, ArmzDomainDef *def, GError **error);

/* Before a start: copies the template to the store when the store is
 * missing or RESET is set (VIR_DOMAIN_START_RESET_NVRAM). No-op without
 * firmware. */
gboolean armz_nvram_prepare(const ArmzDomainDef *def, gboolean reset, GError **error);

/* virDomainUndefineFlags' rule for DEF's store (FLAGS: VIR_DOMAIN_UNDEFINE_*):
 * refuses when it exists and neither NVRAM nor KEEP_NVRAM is given, removes
 * it with NVRAM. */
gboolean armz_nvram_undefine(const ArmzDomainDef *def, unsigned int flags, GError **error);
