/* virNetworkUpdate's edits of one section of a network definition: static
 * DHCP hosts, DHCP ranges and DNS hosts can be added, deleted and (hosts)
 * modified; the other sections are refused with VIR_ERR_NO_SUPPORT. */
#pragma once
#include <glib.h>
#include "network/network_conf.h"

/* Applies COMMAND (virNetworkUpdateCommand) with the element XML to
 * SECTION (virNetworkUpdateSection) of DEF, in the <ip> at PARENT_INDEX
 * (-1: the first <ip> of the element's address family), then checks DEF
 * as parsing does. On failure DEF may be half edited: callers edit a copy. */
gboolean armz_network_def_update(ArmzNetworkDef *def, unsigned int command,
                                 unsigned int section, int parent_index, const char *xml,
                                 GError **error);
