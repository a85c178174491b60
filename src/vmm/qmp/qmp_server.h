/* QMP server of armz-vmm: the control protocol the daemon (and qmp-shell)
 * speaks to one guest. Runs on the VMM's GLib main context (main thread).
 *
 * CONTRACT between vmm core (main.c) and qmp/: extend, do not rename. */
#pragma once
#include <glib.h>

typedef struct _ArmzQmpServer ArmzQmpServer;

typedef enum {
    ARMZ_RUNSTATE_RUNNING,
    ARMZ_RUNSTATE_PAUSED,      /* "paused": stopped by QMP stop or --paused start */
    ARMZ_RUNSTATE_SHUTDOWN,    /* "shutdown": guest powered off, VMM about to exit */
    ARMZ_RUNSTATE_IO_ERROR,    /* "io-error": a disk error paused it (werror=stop) */
} ArmzRunState;

/* device_add's arguments (QMP names; unset: NULL / FALSE); FD is the
 * getfd descriptor 'fdname' named (-1: none) */
typedef struct {
    const char *driver, *id, *bus;
    int fd;
    const char *path;
    gboolean readonly;
    const char *serial, *cache, *discard, *werror, *rerror;
    const char *mac;
    const char *io;             /* threads | native (io_uring: at start only) */
} ArmzDeviceAddArgs;

/* What the VMM core does for each command. Each returns TRUE on success or
 * FALSE with ERROR set (its message becomes the QMP "desc"). Called on the
 * main thread. */
typedef struct {
    ArmzRunState (*query_status)(gpointer opaque);
    gboolean (*stop)(gpointer opaque, GError **error);
    gboolean (*cont)(gpointer opaque, GError **error);
    gboolean (*system_powerdown)(gpointer opaque, GError **error);
    gboolean (*system_reset)(gpointer opaque, GError **error);
    void (*quit)(gpointer opaque);   /* reply is sent first, then quit runs */
    /* x-armz-debug-syscall: a syscall the seccomp sandbox forbids (the VMM
     * is killed under --seccomp=on; returns when the filter lets it run) */
    gboolean (*x_debug_syscall)(gpointer opaque, GError **error);
    /* virtio-balloon: target guest memory in bytes (> 0), and the current
     * size in bytes */
    gboolean (*balloon)(gpointer opaque, gint64 value, GError **error);
    gboolean (*query_balloon)(gpointer opaque, guint64 *actual, GError **error);
    /* qom-get: PROPERTY of the object at PATH as JSON text; qom-set of an
     * integer property */
    char *(*qom_get)(gpointer opaque, const char *path, const char *property, GError **error);
    gboolean (*qom_set)(gpointer opaque, const char *path, const char *property, gint64 value,
                        GError **error);
    /* eject: opens the tray of removable device ID and takes its medium
     * out (a tray the guest locked only with FORCE) */
    gboolean (*eject)(gpointer opaque, const char *id, gboolean force, GError **error);
    /* blockdev-change-medium: FD (taken, a getfd name in the command) is the
     * new medium of ID, the tray closes */
    gboolean (*change_medium)(gpointer opaque, const char *id, int fd, GError **error);
    /* query-blockstats, query-block: the reply's JSON array */
    char *(*query_blockstats)(gpointer opaque, GError **error);
    char *(*query_block)(gpointer opaque, GError **error);
    /* block_resize {device or node-name, size}: the image already has SIZE
     * bytes (the daemon resized it); the guest is told */
    gboolean (*block_resize)(gpointer opaque, const char *device, guint64 size, GError **error);
    /* device_add (ARGS->fd, a getfd descriptor or -1, is taken), device_del
     * {id}, query-pci (the reply's JSON array) */
    gboolean (*device_add)(gpointer opaque, const ArmzDeviceAddArgs *args, GError **error);
    gboolean (*device_del)(gpointer opaque, const char *id, GError **error);
    char *(*query_pci)(gpointer opaque, GError **error);
    /* set_link: the carrier of the NIC NAME (its id) */
    gboolean (*set_link)(gpointer opaque, const char *name, gboolean up, GError **error);
} ArmzQmpOps;

/* LISTEN_FD is a listening unix socket (created from --qmp PATH or passed
 * with --qmp-fd N). Clients are served one at a time, in turn. */
/* (qmp/ implementation notes) The server owns LISTEN_FD from here on and
 * closes it in armz_qmp_server_free(), which also gives a connected client
 * up to 0.5 s to read what is still queued (the last SHUTDOWN event). While
 * a client is connected the listening socket is not watched: a second
 * client's connect() completes in the backlog and it gets its greeting when
 * the first one leaves, as with QEMU's monitor. Each client negotiates
 * capabilities anew; a request is executed only once it has arrived whole.
 * The server emits no event of its own: the VMM core emits STOP, RESUME,
 * POWERDOWN, RESET and SHUTDOWN where they happen. */
ArmzQmpServer *armz_qmp_server_new(int listen_fd, const ArmzQmpOps *ops,
                                   gpointer opaque, GError **error);
void armz_qmp_server_free(ArmzQmpServer *srv);

/* Sends {"event": NAME, "data": DATA_JSON or {}, "timestamp": ...} to the
 * connected client that has finished qmp_capabilities (dropped otherwise).
 * Main thread only; vCPU threads must hop through g_main_context_invoke. */
void armz_qmp_server_emit(ArmzQmpServer *srv, const char *name, const char *data_json);

/* A file descriptor a client passed (SCM_RIGHTS) and named with getfd,
 * now the caller's (-1 with ERROR when there is none by that name). */
int armz_qmp_server_take_fd(ArmzQmpServer *srv, const char *name, GError **error);
