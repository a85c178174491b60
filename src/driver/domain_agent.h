/* The APIs that go through the guest agent (agent.c) on the domain's
 * org.qemu.guest_agent.0 channel: virDomainGetTime and virDomainSetTime
 * (virsh domtime, which Nova runs after unpausing), and the agent mode of
 * virDomainShutdownFlags, the agent source of virDomainInterfaceAddresses. Each takes the domain's job for the agent call,
 * as libvirt does, so agent commands to one guest do not interleave. */
#pragma once
#include <glib.h>
#include "driver/driver.h"

gboolean armz_driver_get_time(ArmzDriver *drv, const ArmzDomainId *dom, gint64 *seconds,
                              guint *nseconds, unsigned int flags, GError **error);
gboolean armz_driver_set_time(ArmzDriver *drv, const ArmzDomainId *dom, gint64 seconds,
                              guint nseconds, unsigned int flags, GError **error);
/* virDomainShutdownFlags(VIR_DOMAIN_SHUTDOWN_GUEST_AGENT): guest-shutdown. */
gboolean armz_driver_agent_shutdown(ArmzDriver *drv, const ArmzDomainId *dom, GError **error);
/* virDomainInterfaceAddresses(VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT):
 * ArmzDomainIface pointers from guest-network-get-interfaces. */
GPtrArray *armz_driver_agent_interfaces(ArmzDriver *drv, const ArmzDomainId *dom,
                                        GError **error);
