/* virDomainUpdateDeviceFlags with an <interface>: its link state (virsh
 * domif-setlink), LIVE and/or CONFIG. */
#pragma once
#include <glib.h>
#include "conf/domain_conf.h"
#include "driver/driver_priv.h"

/* OBJ locked, its job held, FLAGS resolved (no CURRENT). */
gboolean armz_net_update(ArmzDriver *drv, ArmzDomainObj *obj, const ArmzDomainNetDef *new,
                         unsigned int flags, GError **error);
