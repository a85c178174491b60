/* virDomainGetBlockInfo: the sizes of a domain's disk, from its file or
 * block device (running or not: armz-vmm does not change them). */
#pragma once
#include "driver/driver.h"

typedef struct {
    guint64 capacity;       /* what the guest sees: the image's virtual size */
    guint64 allocation;     /* bytes the host has allocated for it */
    guint64 physical;       /* the file's size, or the block device's */
} ArmzBlockInfo;

/* PATH names the disk by target ("vda") or by source path. OBJ locked. */
gboolean armz_driver_block_info(ArmzDriver *drv, ArmzDomainObj *obj, const char *path,
                                ArmzBlockInfo *out, GError **error);
