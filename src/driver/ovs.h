/* Open vSwitch ports for <interface type='bridge'><virtualport
 * type='openvswitch'>, through ovs-vsctl as libvirt does, with the
 * external-ids Neutron's agents look for (iface-id, iface-status,
 * attached-mac, vm-uuid). */
#pragma once
#include <glib.h>

gboolean armz_ovs_add_port(const char *bridge, const char *ifname, const unsigned char mac[6],
                           const char *iface_id, const unsigned char vm_uuid[16],
                           GError **error);
/* Removes IFNAME's port wherever it is; a failure is only logged. */
void armz_ovs_del_port(const char *ifname);
