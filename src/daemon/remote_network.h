/* Shared by the network procedure files (remote_network*.c). */
#pragma once
#include "network/network_driver.h"
#include "rpc/dispatch.h"

void armz_remote_network_events_register(ArmzDispatcher *d);
void armz_remote_network_ifaddr_register(ArmzDispatcher *d);
