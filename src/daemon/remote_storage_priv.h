/* Shared by the storage procedure files (remote_storage*.c). */
#pragma once
#include "daemon/daemon.h"
#include "storage/storage_driver.h"

/* The storage driver, for the procedures. */
#define STORAGE armz_daemon->storage

void armz_remote_make_pool(armz_nonnull_storage_pool *out, const ArmzPoolId *id);
void armz_remote_make_vol(armz_nonnull_storage_vol *out, const ArmzVolId *id);
/* Wire identities as the driver takes them (borrowing the strings). */
ArmzPoolId armz_remote_pool_id(const armz_nonnull_storage_pool *pool);
ArmzVolId armz_remote_vol_id(const armz_nonnull_storage_vol *vol);

void armz_remote_storage_vol_register(ArmzDispatcher *d);
void armz_remote_storage_events_register(ArmzDispatcher *d);
