/* Storage entry points with the API's flags, checked first as every
 * driver entry point does, around the volume calls of storage_driver.h;
 * and the pools this driver can serve (virConnectGetStoragePoolCapabilities). */
#pragma once
#include "storage/storage_driver.h"

/* virStoragePoolListAllVolumes: ArmzVolId* of the started pool ID. */
GPtrArray *armz_storage_pool_list_all_volumes(ArmzStorageDriver *drv, const ArmzPoolId *id,
                                              unsigned int flags, GError **error);
/* virStorageVolUpload / virStorageVolDownload: armz_storage_vol_open_transfer
 * once FLAGS are checked. */
int armz_storage_vol_upload(ArmzStorageDriver *drv, const ArmzVolId *vol, guint64 offset,
                            guint64 length, unsigned int flags, guint64 *limit,
                            GError **error);
int armz_storage_vol_download(ArmzStorageDriver *drv, const ArmzVolId *vol, guint64 offset,
                              guint64 length, unsigned int flags, guint64 *limit,
                              GError **error);
char *armz_storage_pool_capabilities(ArmzStorageDriver *drv, unsigned int flags,
                                     GError **error);
