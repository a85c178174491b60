/* Host bridges of managed networks, made and removed with iproute2. */
#pragma once
#include <glib.h>
#include "network/network_conf.h"

/* Whether an interface named NAME exists / is a bridge. */
gboolean armz_bridge_if_exists(const char *name);
gboolean armz_bridge_is_bridge(const char *name);

/* Creates DEF's bridge with its MAC, MTU, STP settings and addresses, and
 * brings it up. Refuses (VIR_ERR_OPERATION_FAILED) when an interface of
 * that name exists already. On failure nothing is left behind. */
gboolean armz_bridge_create(const ArmzNetworkDef *def, GError **error);
/* Removes bridge NAME; only a bridge is ever removed. */
gboolean armz_bridge_delete(const char *name, GError **error);
