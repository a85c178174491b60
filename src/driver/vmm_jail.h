/* Starting armz-vmm in a jail, the pattern of Firecracker's jailer: a child
 * made with clone3() in its own mount, PID and IPC namespaces, whose root
 * is a fresh tmpfs (mounted over STATE_DIR/jail/NAME in the child's
 * namespace only) holding just what the VMM needs:
 *   /lib*, /usr      the system's, bound read-only (the dynamic loader and
 *                    the libraries)
 *   files            the ones it opens by path (kernel, initrd, dtb) and
 *                    the VMM binary when it is outside /usr (the build
 *                    tree), bound read-only at their own paths; the VMM is
 *                    executed by path in there (through an fd, it would be
 *                    named after the fd's number in ps)
 *   /dev             null, urandom, and the KVM device as a node of its
 *                    own owned by the VMM user (so no host group is needed);
 *                    the slaves of its ptys, bound (it holds them open so
 *                    that their masters never hang up between clients)
 *   /proc            of its PID namespace
 * then it runs as the domain's user and group (security_dac.h) with no
 * capabilities in any set (bounding and ambient included) and
 * no_new_privs. Everything else it holds is the fds the daemon passes.
 *
 * The daemon sees the VMM's real pid (clone3 returns it); inside, the VMM is
 * pid 1, so the daemon writes the pid file itself. */
#pragma once
#include <glib.h>
#include <sys/types.h>
#include "driver/process_fds.h"
#include "driver/security_dac.h"

typedef struct {
    const char *const *argv;    /* argv[0]: the VMM binary */
    const int *fds;             /* daemon fds ... */
    const int *targets;         /* ... become these in the child */
    guint n_fds;
    int log_fd;                 /* stdout and stderr; stdin is /dev/null */
    const char *root;           /* the jail's mount point (created here) */
    const char *const *files;   /* NULL-terminated: bound at their paths */
    const char *const *ptys;    /* NULL-terminated: /dev/pts/N slaves to bind */
    const char *const *dirs;    /* NULL-terminated: directories bound at their paths
                                 * (the vhost-user sockets of the domain's backends) */
    const char *kvm_device;     /* NULL: none */
    uid_t uid;
    gid_t gid;
    gboolean has_cgroup;        /* join the domain's cgroup first: */
    int cgroup_fd;              /* its cgroup.procs (cgroup.h) */
} ArmzJailSpec;

/* A jailed VMM started but not yet known to have executed (armz_vmm_jail_start). */
typedef struct ArmzJailPending ArmzJailPending;

/* Starts the VMM of SPEC; its pid in *PID. An error of any step in the
 * child (mount, identity change, exec) is reported here, naming the step. */
gboolean armz_vmm_jail_spawn(const ArmzJailSpec *spec, GPid *pid, GError **error);

/* The jail of a launch plan: PLAN's command line without --pidfile (the
 * daemon writes it), FDS at their numbers, the files DEF's VMM opens by
 * path and its pty slaves (given to DAC's user) bound, as DAC's user.
 * Returns as soon as the child exists (*PID), while it builds its jail:
 * the caller does its own work meanwhile, then armz_vmm_jail_finish. */
gboolean armz_vmm_jail_start(const ArmzLaunchPlan *plan, const ArmzLaunchFds *fds, int logfd,
                             const ArmzDacPlan *dac, const char *kvm_device,
                             const char *jail_root, const ArmzDomainDef *def, int cgroup_fd,
                             GPid *pid, ArmzJailPending **pending, GError **error);

/* Waits until the child of PENDING (freed here) has executed the VMM, or
 * reports the step it failed in (the child reaped, its mount point gone);
 * writes the pid file of armz_vmm_jail_start. */
gboolean armz_vmm_jail_finish(ArmzJailPending *pending, GError **error);

/* Removes the mount point of an ended jail (the tmpfs went with the VMM's
 * namespace). */
void armz_vmm_jail_cleanup(const char *root);

/* STATE_DIR/jail/NAME. */
char *armz_vmm_jail_root(const char *state_dir, const char *name);
