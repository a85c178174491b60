/* What the driver knows about a running domain (ArmzDomainObj->priv):
 * its armz-vmm process, monitor and the host resources made for it.
 * Guarded by the object's lock; changed under the domain job except where
 * process_watch.c notes otherwise. */
#pragma once
#include <sys/types.h>
#include <glib.h>
#include "driver/domain_obj.h"
#include "driver/monitor.h"
#include "driver/vmm_command.h"
#include "driver/qsd_process.h"

typedef struct {
    pid_t pid;
    gboolean child;             /* ours (child watch), or found again after a restart (pidfd) */
    int pidfd;                  /* reconnected processes: readable when the VMM exits */
    GSource *exit_source;       /* child watch or pidfd source in the main context */
    guint64 generation;         /* which start this is: late callbacks of an old one are ignored */
    ArmzMonitor *mon;
    char *qmp_path;
    char *pidfile;
    char *log_path;
    GPtrArray *taps;            /* char*: tap names (they vanish with the VMM) */
    GPtrArray *dac;             /* ArmzDacRecord*: files given to the VMM's user */
    char *jail_root;            /* its jail's mount point, or NULL (vmm_jail.h) */
    ArmzDomainLifecycleAction on_poweroff, on_reboot, on_crash;
    gint64 start_time;          /* g_get_real_time() */
    guint64 autodestroy_client; /* 0: none; else the client whose close destroys it */
    char *cgroup;               /* its cgroup v2 directory; NULL: none (cgroup.h) */

    /* set from the main context (process_watch.c) */
    gboolean exited;            /* the process is gone */
    int wait_status;            /* its wait status (children only), else -1 */
    gboolean shutdown_seen;     /* QMP SHUTDOWN arrived: the guest or host powered it off */
    gboolean shutdown_by_guest;
    gboolean destroying;        /* destroy in progress: an exit is DESTROYED */
    GCond cond;                 /* broadcast when exited changes (with the object's lock) */

    ArmzQsdRun *qsd;            /* its qemu-storage-daemon, or NULL (qsd_process.h) */
    GArray *virtiofsds;         /* GPid: its virtiofsds (virtiofs_process.h) */
    gboolean virtiofsds_ours;   /* children of this daemon (else found after a restart) */
    char *vhost_dir;            /* STATE_DIR/UUID.vu, or NULL */
    guint qsd_quitting;         /* storage daemons still quitting (armz_qsd_quit) */
} ArmzDomainRun;

ArmzDomainRun *armz_domain_run_new(void);
void armz_domain_run_free(ArmzDomainRun *run);

static inline ArmzDomainRun *
armz_domain_run(ArmzDomainObj *obj)
{
    return obj->priv;
}
