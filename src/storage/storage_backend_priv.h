/* Helpers shared by the backends; internal to storage/. */
#pragma once
#include "storage/storage_backend.h"

/* OVERWRITE and NO_OVERWRITE together are refused. */
gboolean armz_sto_check_build_flags(unsigned int flags, GError **error);
/* mkdir -p of the target with the pool's permissions (0711 by default). */
gboolean armz_sto_make_target(const ArmzPoolDef *def, GError **error);
/* The target must be a directory. */
gboolean armz_sto_check_target(const ArmzPoolDef *def, GError **error);
/* rmdir of the target (an empty directory; a missing one is fine). */
gboolean armz_sto_remove_target(const ArmzPoolDef *def, GError **error);
/* statvfs + the files of the target. */
gboolean armz_sto_refresh_files(ArmzPoolDef *def, GPtrArray *vols, GError **error);
/* The filesystem type blkid finds on DEVICE (NULL: none); FALSE when
 * blkid fails otherwise. */
gboolean armz_sto_probe_signature(const char *device, char **type, GError **error);
