/* The encrypted disks of a domain's qemu-storage-daemon (qsd_command.h's
 * ArmzQsdKeyedDisk): once the daemon runs, each disk's passphrase goes to
 * it over its QMP socket as a secret object (base64 data, never an argument
 * or a file), then the disk's nodes are opened and exported, then the
 * secret object is deleted again: the key is only read while the image is
 * opened. */
#pragma once
#include <glib.h>
#include "driver/domain_obj.h"
#include "driver/driver_priv.h"

/* Adds KEYED (ArmzQsdKeyedDisk*) to the daemon listening on QMP_PATH. OBJ
 * locked, its job held; the lock is dropped across the daemon's commands.
 * An error names the disk: a missing secret, one without a value, or the
 * daemon's own words (a wrong passphrase). */
gboolean armz_qsd_keys_apply(ArmzDriver *drv, ArmzDomainObj *obj, const char *qmp_path,
                             const GPtrArray *keyed, GError **error);
