/* Errors inside the daemon are GErrors in the ARMZ_ERROR domain whose code is
 * the virErrorNumber they become on the wire, so a failure is described once,
 * where it is detected, and travels unchanged to the client. */
#pragma once
#include <glib.h>
#include <libvirt/virterror.h>

#define ARMZ_ERROR (armz_error_quark())
GQuark armz_error_quark(void);
