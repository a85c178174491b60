/* The monitor: virtarmzd's QMP client for one armz-vmm process (the VMM's
 * side is src/vmm/qmp/).
 *
 * THREADING CONTRACT
 * - All socket I/O and every callback run in the GMainContext given to
 *   armz_monitor_open() ("the main context"), never in the caller's thread.
 * - armz_monitor_command() and the typed helpers are synchronous and block:
 *   call them from worker threads only. Called from the thread that owns
 *   the main context (e.g. inside a monitor callback) they fail at once with
 *   ARMZ_MONITOR_ERROR_FAILED instead of deadlocking.
 * - Commands from several threads are queued and sent one at a time, in
 *   call order; each caller gets its own reply (replies are matched by id).
 * - Do not hold a lock across a command that a callback takes (the domain
 *   object lock): the main context would block in the callback and never
 *   read the reply. Hold the domain job instead, as libvirt does.
 * - armz_monitor_close() and ref/unref are safe from any thread. Sources in
 *   the main context hold references, so a callback that runs while another
 *   thread closes still sees a valid monitor (and opaque: it is released by
 *   cb->dispose when the last reference goes, which can be in any thread).
 *   Closed from the main context's own thread, no callback runs after
 *   armz_monitor_close() returns; from another thread, one already
 *   dispatched may still finish.
 * - Each monitor reports at most one of eof/error, once, and neither after
 *   armz_monitor_close(): a monitor closed by its owner reports nothing.
 *
 * TIMEOUTS: the timeout of a command covers its whole call (waiting for the
 * handshake and for earlier commands, then for the reply). A command that
 * times out after it was sent is abandoned, not cancelled: the VMM may still
 * carry it out. The monitor stays open and usable: the late reply is
 * recognized by its id and dropped. The caller decides whether a VMM that
 * does not answer is to be killed (then armz_monitor_close()). */
#pragma once
#include <glib.h>
#include <yajl/yajl_tree.h>

typedef struct _ArmzMonitor ArmzMonitor;

/* Error domain of the monitor's errors. */
#define ARMZ_MONITOR_ERROR (armz_monitor_error_quark())
GQuark armz_monitor_error_quark(void);

typedef enum {
    ARMZ_MONITOR_ERROR_FAILED,            /* local: bad arguments, wrong thread, socket setup */
    ARMZ_MONITOR_ERROR_PROTOCOL,          /* the VMM sent something that is not QMP: closed
                                           * (a typed helper's unexpected "return" value
                                           * fails only that call) */
    ARMZ_MONITOR_ERROR_IO,                /* reading/writing the socket failed: closed */
    ARMZ_MONITOR_ERROR_EOF,               /* the VMM went away (closed its socket): closed */
    ARMZ_MONITOR_ERROR_CLOSED,            /* armz_monitor_close() was called */
    ARMZ_MONITOR_ERROR_TIMEOUT,           /* no reply in time (see TIMEOUTS) */
    /* The VMM answered with a QMP error; the code is its class, the message
     * names the command and carries the "desc". */
    ARMZ_MONITOR_ERROR_GENERIC_ERROR,     /* "GenericError" */
    ARMZ_MONITOR_ERROR_COMMAND_NOT_FOUND, /* "CommandNotFound" */
    ARMZ_MONITOR_ERROR_DEVICE_NOT_ACTIVE, /* "DeviceNotActive" */
    ARMZ_MONITOR_ERROR_DEVICE_NOT_FOUND,  /* "DeviceNotFound" */
    ARMZ_MONITOR_ERROR_KVM_MISSING_CAP,   /* "KVMMissingCap" */
    ARMZ_MONITOR_ERROR_QMP_OTHER,         /* another class: the message names it */
} ArmzMonitorErrorCode;

/* The QMP class name of a QMP error code above; NULL for the other codes
 * and for ARMZ_MONITOR_ERROR_QMP_OTHER (whose message names the class). */
const char *armz_monitor_error_class_name(int code);

/* Moves SRC into DEST; a monitor error becomes an ARMZ_ERROR (same message)
 * whose code is the virErrorNumber libvirt uses for it: TIMEOUT ->
 * VIR_ERR_OPERATION_TIMEOUT, COMMAND_NOT_FOUND -> VIR_ERR_OPERATION_UNSUPPORTED,
 * EOF/CLOSED and other QMP errors -> VIR_ERR_OPERATION_FAILED, the rest ->
 * VIR_ERR_INTERNAL_ERROR. Other errors pass unchanged. Takes SRC. */
void armz_monitor_propagate_error(GError **dest, GError *src);

/* Callbacks, all optional, run in the main context with no monitor lock
 * held (they may call armz_monitor_close(), not armz_monitor_command()). */
typedef struct {
    /* A QMP event. DATA is its "data" object (NULL when absent), valid
     * during the call only; DATA_JSON the same as JSON text ("{}" when
     * absent). TIMESTAMP_US is microseconds since the epoch, -1 when the
     * VMM sent none. */
    void (*event)(ArmzMonitor *mon, const char *name, yajl_val data,
                  const char *data_json, gint64 timestamp_us, gpointer opaque);
    /* The VMM closed the socket (exited, crashed, or "quit"). The monitor
     * is closed already: waiting commands got ARMZ_MONITOR_ERROR_EOF. */
    void (*eof)(ArmzMonitor *mon, gpointer opaque);
    /* The VMM sent garbage (PROTOCOL) or the socket failed (IO). The monitor
     * is closed already: waiting commands got the same error. */
    void (*error)(ArmzMonitor *mon, const GError *error, gpointer opaque);
    /* Releases OPAQUE when the monitor is freed (last unref, any thread);
     * not called when armz_monitor_open() fails. */
    GDestroyNotify dispose;
} ArmzMonitorCallbacks;

/* Default timeout of the typed helpers (and of armz_monitor_command() with
 * TIMEOUT_MS 0), settable per monitor. */
#define ARMZ_MONITOR_DEFAULT_TIMEOUT_MS 30000

/* Longest line the VMM may send; a longer one is a PROTOCOL error. The
 * same bound applies to commands sent. */
#define ARMZ_MONITOR_MAX_LINE (1024 * 1024)

/* Starts a monitor on FD, a connected stream socket to the VMM's QMP server;
 * the monitor owns FD from here on, also on failure. The handshake (greeting,
 * qmp_capabilities) starts at once in CTX; commands issued earlier wait for
 * it. CB is kept by pointer (use a static table). Returns a reference; call
 * armz_monitor_close() then armz_monitor_unref() when done. */
ArmzMonitor *armz_monitor_open(int fd, GMainContext *ctx, const ArmzMonitorCallbacks *cb,
                               gpointer opaque, GError **error);
/* Connects to the unix socket PATH (a running VMM's, e.g. after a daemon
 * restart) without blocking, then armz_monitor_open(). Does not retry: the
 * socket has to exist and listen. */
ArmzMonitor *armz_monitor_connect_path(const char *path, GMainContext *ctx,
                                       const ArmzMonitorCallbacks *cb, gpointer opaque,
                                       GError **error);

ArmzMonitor *armz_monitor_ref(ArmzMonitor *mon);
void armz_monitor_unref(ArmzMonitor *mon);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzMonitor, armz_monitor_unref)

/* Closes the connection: idempotent, any thread. Waiting and later commands
 * fail with ARMZ_MONITOR_ERROR_CLOSED; no eof/error callback follows. */
void armz_monitor_close(ArmzMonitor *mon);
gboolean armz_monitor_is_closed(ArmzMonitor *mon);

void armz_monitor_set_default_timeout(ArmzMonitor *mon, guint timeout_ms);

/* Waits (worker thread) until the handshake is done. */
gboolean armz_monitor_wait_ready(ArmzMonitor *mon, guint timeout_ms, GError **error);

/* Runs CMD with ARGS_JSON (a JSON object, or NULL for none) and waits for
 * its reply (worker thread). On success *REPLY_JSON (when REPLY_JSON is not
 * NULL) is the "return" member as compact JSON text. TIMEOUT_MS 0 means the
 * monitor's default. */
gboolean armz_monitor_command(ArmzMonitor *mon, const char *cmd, const char *args_json,
                              char **reply_json, guint timeout_ms, GError **error);
/* The same, passing FD (still the caller's) with the command (SCM_RIGHTS),
 * as getfd needs. */
gboolean armz_monitor_command_fd(ArmzMonitor *mon, const char *cmd, const char *args_json,
                                 int fd, char **reply_json, guint timeout_ms, GError **error);

/* Typed commands with the default timeout (worker thread). */
gboolean armz_monitor_stop(ArmzMonitor *mon, GError **error);
gboolean armz_monitor_cont(ArmzMonitor *mon, GError **error);
gboolean armz_monitor_system_powerdown(ArmzMonitor *mon, GError **error);
gboolean armz_monitor_system_reset(ArmzMonitor *mon, GError **error);
/* The VMM answers, then exits: the VMM going away (EOF) while waiting for
 * the reply also counts as success. */
gboolean armz_monitor_quit(ArmzMonitor *mon, GError **error);
/* *RUNNING and *STATUS ("running", "paused", "shutdown", ...; free it) may
 * be NULL. */
gboolean armz_monitor_query_status(ArmzMonitor *mon, gboolean *running, char **status,
                                   GError **error);

/* monitor_balloon.c: the virtio balloon (worker thread, default timeout). */
/* The guest's figures: bytes, or counts for the faults and huge page
 * allocations; -1 for what the guest did not report. */
typedef struct {
    gint64 swap_in, swap_out, major_faults, minor_faults;
    gint64 free_memory, total_memory, available_memory, disk_caches;
    gint64 htlb_pgalloc, htlb_pgfail;
    gint64 last_update;             /* seconds since the epoch, 0: never */
} ArmzBalloonStats;

/* Asks the guest to keep BYTES of memory. */
gboolean armz_monitor_balloon(ArmzMonitor *mon, guint64 bytes, GError **error);
/* The guest's memory now, in bytes. */
gboolean armz_monitor_query_balloon(ArmzMonitor *mon, guint64 *actual, GError **error);
gboolean armz_monitor_get_balloon_stats(ArmzMonitor *mon, ArmzBalloonStats *out,
                                        GError **error);
/* The guest's statistics polling interval (0: off). */
gboolean armz_monitor_set_balloon_period(ArmzMonitor *mon, int seconds, GError **error);
/* The guest's vsock CID (what --vsock cid=auto found). */
gboolean armz_monitor_vsock_cid(ArmzMonitor *mon, guint64 *cid, GError **error);
/* The "return" of qom-get guest-stats (PROTOCOL error when malformed). */
gboolean armz_monitor_parse_balloon_stats(const char *reply, ArmzBalloonStats *out,
                                          GError **error);
