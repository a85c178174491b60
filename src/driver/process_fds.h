/* The host resources of a launch plan: opened by the daemon, handed to the
 * VMM as fds 3, 4, ... (see vmm_command.h). */
#pragma once
#include <glib.h>
#include "driver/vmm_command.h"

typedef struct {
    GArray *fds;            /* int, parallel to plan->fds; -1 when not opened */
    GPtrArray *pty_paths;   /* char*, parallel to plan->fds; NULL for non-PTY */
    GPtrArray *taps;        /* char*: names of the taps created */
    GPtrArray *ovs_ports;   /* char*: Open vSwitch ports added for them */
} ArmzLaunchFds;

/* Opens every fd of PLAN (O_CLOEXEC: the spawn maps them explicitly).
 * On failure, everything opened so far is closed and ERROR names the
 * resource. */
gboolean armz_launch_fds_open(const ArmzLaunchPlan *plan, ArmzLaunchFds *out, GError **error);
/* Closes the fds (the taps vanish once the VMM's copies are gone too). */
void armz_launch_fds_close(ArmzLaunchFds *f);
void armz_launch_fds_clear(ArmzLaunchFds *f);
/* Removes the Open vSwitch ports added (a start that failed). */
void armz_launch_fds_undo_ports(ArmzLaunchFds *f);
