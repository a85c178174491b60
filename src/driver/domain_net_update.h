/* virDomainUpdateDeviceFlags with an <interface>: its link state (virsh
 * domif-setlink), LIVE and/or CONFIG. */
#pragma once
#include <glib.h>
#include "conf/domain_conf.h"
#include "driver/driver_priv.h"

/* QMP set_link of the NIC with ALIAS on the running VMM; OBJ locked, its
 * job held (unlocked meanwhile). */
gboolean armz_net_set_link_live(ArmzDomainObj *obj, const char *alias, gboolean up,
                                GError **error);
/* OBJ locked, its job held, FLAGS resolved (no CURRENT). */
gboolean armz_net_update(ArmzDriver *drv, ArmzDomainObj *obj, const ArmzDomainNetDef *new,
                         unsigned int flags, GError **error);
