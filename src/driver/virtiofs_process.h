/* The virtiofsd processes of a running domain, one per <filesystem>
 * (vmm_command.h: ArmzVirtiofsdPlan): started before armz-vmm on a
 * listening socket the daemon binds in STATE_DIR/UUID.vu for the VMM's
 * user, ended with the domain. A virtiofsd that dies is not restarted: a
 * guest's FUSE session cannot be carried over to a new one (libvirt does
 * not either); the domain log says so. */
#pragma once
#include <sys/types.h>
#include <glib.h>
#include "driver/vmm_command.h"

/* Starts PLAN's virtiofsds (output to the domain log LOG_PATH) in the
 * domain's cgroup (CGROUP_FD: its cgroup.procs, or -1), as root: virtiofsd
 * takes the guest's credentials for each file (libvirt runs it so too);
 * their pids are appended to PIDS (GPid). On failure none is left running. */
gboolean armz_virtiofs_start(const ArmzLaunchPlan *plan, uid_t uid, gid_t gid, int cgroup_fd,
                             const char *log_path, GArray *pids, GError **error);

/* Ends the virtiofsds of PIDS (ours to reap when CHILDREN; else found after
 * a daemon restart) and removes their sockets and DIR if empty. */
void armz_virtiofs_stop(GArray *pids, gboolean children, const char *dir);
