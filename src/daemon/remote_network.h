/* Shared by the network procedure files (remote_network*.c). */
#pragma once
#include "network/network_driver.h"
#include "rpc/dispatch.h"

/* The network driver of this daemon (NULL before init / after shutdown). */
extern ArmzNetworkDriver *armz_netdrv;

/* The driver's event sink: pushes 315 to every registered client. */
void armz_remote_network_event(const ArmzNetworkEvent *ev, gpointer opaque);
void armz_remote_network_events_register(ArmzDispatcher *d);
void armz_remote_network_ifaddr_register(ArmzDispatcher *d);
