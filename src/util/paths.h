/* Where a daemon keeps its sockets, configs, state and logs: the system
 * layout (root), the session layout (other users), or either mirrored
 * under --root DIR for tests and the quickstart. */
#pragma once
#include <glib.h>

typedef struct {
    char *root;            /* NULL: the real system or session paths */
    gboolean privileged;   /* system layout (root or --root) */
    char *sock_dir;        /* .../run/libvirt */
    char *sock_rw;         /* virtarmzd-sock */
    char *sock_ro;         /* virtarmzd-sock-ro */
    char *sock_admin;      /* virtarmzd-admin-sock */
    char *config_file;     /* .../etc/libvirt/armz.conf */
    char *config_dir;      /* .../etc/libvirt/armz: domain XML */
    char *autostart_dir;   /* config_dir/autostart */
    char *lib_dir;         /* .../var/lib/libvirt/armz */
    char *state_dir;       /* .../run/libvirt/armz: runtime state */
    char *log_dir;         /* .../var/log/libvirt/armz */
    char *pid_file;        /* .../run/virtarmzd.pid: one daemon per layout */
} ArmzPaths;

ArmzPaths *armz_paths_new(const char *root, gboolean privileged);
void armz_paths_free(ArmzPaths *paths);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzPaths, armz_paths_free)

/* Creates the directories the daemon writes to. */
gboolean armz_paths_create(const ArmzPaths *paths, GError **error);
