/* virDomainGetBlockInfo: the sizes of a domain's disk, from its file or
 * block device (running or not: armz-vmm does not change them). */
#pragma once
#include "driver/domain_obj.h"
#include "driver/domain_stats_api.h"

/* The file behind DISK: its path, or its volume's (new string). */
char *armz_driver_disk_source(ArmzDriver *drv, const ArmzDomainDiskDef *disk, GError **error);

/* PATH names the disk by target ("vda") or by source path. OBJ locked. */
gboolean armz_driver_block_info(ArmzDriver *drv, ArmzDomainObj *obj, const char *path,
                                ArmzBlockInfo *out, GError **error);
