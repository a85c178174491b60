/* Registration of running guests with systemd-machined (org.freedesktop.
 * machine1 on the system bus), so `machinectl list` shows them, as libvirt
 * does for its guests.  Best effort: where no system bus or no machined
 * answers, guests run all the same and only the debug log says so. */
#pragma once
#include <glib.h>

/* The machine name of domain NAME with ID: "armz-ID-NAME", reduced to the
 * characters machined accepts and at most 64 of them. */
char *armz_machined_name(const char *name, int id);

/* Asks machined to put LEADER (the VMM) in a scope of its own and register
 * it as a "vm" machine.  SCOPE_PROPS (a(sv), floating; NULL: none) are
 * systemd properties of the scope.  Returns at once; the answer is logged. */
void armz_machined_register(const char *name, int id, const unsigned char uuid[16],
                            GPid leader, GVariant *scope_props);

/* Tells machined the machine is gone (it also notices when the scope ends). */
void armz_machined_terminate(const char *name, int id);
