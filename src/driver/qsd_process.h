/* The qemu-storage-daemon process of a running domain (qsd_command.h for
 * its command line): started before armz-vmm, watched like it, restarted
 * with the same exports when it dies while the domain runs (armz-vmm's
 * vhost-user frontend reconnects), found again by a restarted virtarmzd
 * through the domain's status, stopped and cleaned up with the domain.
 *
 * It runs as the domain's DAC user and group (security_dac.h: the VMM's),
 * with no capabilities (a root daemon's setuid drops them all) and
 * no_new_privs, in the domain's cgroup (libvirt's place for a domain's
 * helper processes), in its own session, its working directory STATE_DIR/UUID.vu
 * (mode 0700, that user's): its sockets are that user's, which is all
 * the VMM needs to connect; the image files it opens are given to that user
 * by the DAC driver, the backing files too. Not jailed: QEMU's block layer
 * needs more of the system than armz-vmm (modules, /proc, /sys) and opens
 * the images by path. All functions run with the domain object locked and
 * its job held. */
#pragma once
#include <sys/types.h>
#include <glib.h>
#include "driver/domain_obj.h"
#include "driver/driver_priv.h"
#include "driver/qsd_command.h"

typedef struct {
    GPid pid;
    int pidfd;              /* readable when it exits */
    gboolean child;         /* ours to reap (not one found after a restart) */
    GSource *watch;
    GStrv argv;
    char *dir;
    char *qmp_path;
    uid_t uid;
    gid_t gid;
    char *cgroup;           /* the domain's cgroup directory, or NULL (cgroup.h) */
    guint restarts;         /* within the window starting at window_start */
    gint64 window_start;
    GPtrArray *keyed;       /* ArmzQsdKeyedDisk*: its encrypted disks, added over
                             * QMP after each start (qsd_keys.h) */
    gboolean rekey;         /* restarted: its encrypted disks are to be added again */
} ArmzQsdRun;

ArmzQsdRun *armz_qsd_run_new(const ArmzQsdPlan *plan, uid_t uid, gid_t gid,
                             const char *cgroup);
/* Memory and the watch only (armz_qsd_stop ends the process). */
void armz_qsd_run_free(ArmzQsdRun *q);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzQsdRun, armz_qsd_run_free)

/* Makes its directory, starts it (output to the domain log LOG_PATH) and
 * waits, OBJ's lock dropped meanwhile, until its QMP socket and the export
 * SOCKETS exist. On failure it is stopped again and ERROR has its own
 * words when it said something. */
gboolean armz_qsd_start(ArmzQsdRun *q, const GPtrArray *sockets, ArmzDomainObj *obj,
                        const char *log_path, GError **error);

/* Watches OBJ's running storage daemon from the driver's main context;
 * after a restart, a worker thread gives it its encrypted disks again. */
void armz_qsd_watch(ArmzDriver *drv, ArmzDomainObj *obj);

/* Ends it (SIGTERM, then SIGKILL) and removes its directory. */
void armz_qsd_stop(ArmzQsdRun *q);

/* While OBJ runs, once no disk needs its storage daemon Q any more (taken
 * off the run by the caller, OBJ locked): a thread sends QMP quit, waits
 * (SIGTERM, then SIGKILL, when it does not go), reaps it and removes its
 * sockets and pid file, not the directory (a jailed VMM has it bound, the
 * next daemon of the domain listens there). Frees Q. */
void armz_qsd_quit(ArmzDriver *drv, ArmzDomainObj *obj, ArmzQsdRun *q);

/* OBJ locked: waits (the lock dropped meanwhile) until no storage daemon
 * of OBJ is still quitting, so that a new one can take its sockets. */
void armz_qsd_wait_quit(ArmzDomainObj *obj);

/* Its part of the domain's status file, and back (NULL: it has none). */
void armz_qsd_status_save(const ArmzQsdRun *q, GKeyFile *kf, const char *group);
ArmzQsdRun *armz_qsd_status_load(GKeyFile *kf, const char *group);

/* After a daemon restart: takes back the running storage daemon of domain
 * NAME, or starts it again when it is gone. */
void armz_qsd_reattach(ArmzQsdRun *q, const char *name, const char *log_path);

/* After a daemon restart, for a domain that is gone: ends its storage
 * daemon if it still runs, removes its directory. */
void armz_qsd_stop_found(ArmzQsdRun *q);
