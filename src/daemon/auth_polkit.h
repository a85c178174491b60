/* Whether polkit lets a local client use the daemon (auth_unix_rw =
 * "polkit"), asked over the system bus as libvirt does. */
#pragma once
#include <sys/types.h>
#include <glib.h>

/* Our actions, declared in org.libvirt-armz.policy. */
#define ARMZ_POLKIT_ACTION_MANAGE "org.libvirt-armz.unix.manage"
#define ARMZ_POLKIT_ACTION_MONITOR "org.libvirt-armz.unix.monitor"

/* TRUE when polkit authorizes ACTION for the process PID (started at
 * START_TIME, in clock ticks since boot, as /proc/PID/stat) running as UID.
 * Otherwise FALSE with VIR_ERR_AUTH_FAILED (denied), VIR_ERR_AUTH_UNAVAILABLE
 * (polkit wants an authentication agent, or cannot be reached). Blocks:
 * call it on a worker thread. */
gboolean armz_polkit_check(const char *action, pid_t pid, guint64 start_time, uid_t uid,
                           GError **error);
