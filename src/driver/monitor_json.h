/* The monitor's QMP wire format (internal to monitor.c and its tests):
 * building commands with yajl_gen, and parsing and checking what the VMM
 * sends with yajl_tree. No sockets, no threads. */
#pragma once
#include <glib.h>
#include <yajl/yajl_tree.h>

/* Deepest nesting accepted from the VMM or in command arguments: yajl_tree
 * frees (and we serialize) recursively, so depth is bounded before parsing. */
#define ARMZ_MONITOR_MAX_DEPTH 64

/* Longest QMP error desc kept in a GError; the rest is cut. */
#define ARMZ_MONITOR_MAX_DESC 1024

typedef enum {
    ARMZ_MONITOR_MSG_GREETING,   /* {"QMP": {...}} */
    ARMZ_MONITOR_MSG_EVENT,      /* {"event": s, "data": {...}?, "timestamp": {...}?} */
    ARMZ_MONITOR_MSG_RETURN,     /* {"return": v, "id": s?} */
    ARMZ_MONITOR_MSG_ERROR,      /* {"error": {"class": s, "desc": s}, "id": s?} */
} ArmzMonitorMsgKind;

typedef struct {
    ArmzMonitorMsgKind kind;
    yajl_val tree;              /* the whole message: owned */
    gboolean has_id;            /* an "id" member is present */
    const char *id;             /* it, when it is a string; points into TREE */
    yajl_val value;             /* greeting: the "QMP" object; event: "data" or
                                 * NULL; return: "return" */
    const char *event;          /* event name */
    gint64 timestamp_us;        /* event time, -1 when absent or not integers */
    const char *err_class;      /* error class and desc */
    const char *err_desc;
} ArmzMonitorMsg;

void armz_monitor_msg_clear(ArmzMonitorMsg *msg);

/* Parses one line (LEN bytes, no newline) the VMM sent. Fails (ERROR in
 * ARMZ_MONITOR_ERROR, PROTOCOL) on embedded NULs, nesting deeper than
 * ARMZ_MONITOR_MAX_DEPTH, text that is not JSON, JSON that is not an object,
 * and objects that are none of the four message kinds or have unexpected
 * members or member types. */
gboolean armz_monitor_msg_parse(const char *line, gsize len, ArmzMonitorMsg *msg,
                                GError **error);

/* Whether TEXT (LEN bytes) nests arrays/objects at most MAX_DEPTH deep,
 * strings skipped. Says nothing about TEXT being valid JSON. */
gboolean armz_monitor_json_depth_ok(const char *text, gsize len, int max_depth);

/* Compact JSON text of V (NULL: "null"). */
char *armz_monitor_json_to_string(yajl_val v);

/* The line (ending in "\r\n") of command CMD with ARGS_JSON (a JSON object
 * or NULL) and string id ID. Fails (FAILED) on a CMD that is empty or not
 * UTF-8, and on ARGS_JSON that is not a JSON object. */
char *armz_monitor_json_build_command(const char *cmd, const char *args_json,
                                      const char *id, GError **error);

/* A short printable excerpt of untrusted bytes, for error messages. */
char *armz_monitor_json_excerpt(const char *data, gsize len);
