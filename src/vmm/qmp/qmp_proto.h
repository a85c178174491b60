/* QMP protocol pieces of armz-vmm that need no socket: the stream splitter
 * (bytes -> one JSON text per request), the request parser (yajl_tree), the
 * reply/event builders (yajl_gen) and the session, which runs the protocol
 * (greeting, capabilities negotiation, dispatch to ArmzQmpOps) for one
 * client. qmp_server.c only moves bytes between a socket and a session.
 * Internal to src/vmm/qmp and its unit tests. */
#pragma once
#include <glib.h>
#include <yajl/yajl_tree.h>
#include "qmp_server.h"

/* Error domain of the QMP server's own errors (codes: 0). */
#define ARMZ_QMP_ERROR (armz_qmp_error_quark())
GQuark armz_qmp_error_quark(void);

/* Largest request accepted, and deepest nesting: beyond them the request
 * is answered with a GenericError and skipped up to the next newline. */
#define ARMZ_QMP_MAX_REQUEST (1024 * 1024)
#define ARMZ_QMP_MAX_DEPTH 64

/* --- splitter -------------------------------------------------------------- */

typedef enum {
    ARMZ_QMP_SPLIT_MORE,      /* no complete request buffered */
    ARMZ_QMP_SPLIT_REQUEST,   /* *TEXT is one JSON object/array text */
    ARMZ_QMP_SPLIT_JUNK,      /* *TEXT is a top-level token that is no object or
                               * array: a scalar, or garbage */
    ARMZ_QMP_SPLIT_TOO_LARGE, /* a request exceeded the limits: dropped */
} ArmzQmpSplitResult;

typedef struct {
    GString *buf;        /* the request being collected */
    GString *pending;    /* bytes fed and not yet examined */
    gsize pos;           /* next byte of PENDING to examine */
    int depth;
    gboolean in_string;
    gboolean escape;
    gboolean junk;       /* collecting a token that is not a request */
    gboolean resync;     /* dropping input up to the next newline */
} ArmzQmpSplitter;

void armz_qmp_splitter_init(ArmzQmpSplitter *sp);
void armz_qmp_splitter_clear(ArmzQmpSplitter *sp);
void armz_qmp_splitter_feed(ArmzQmpSplitter *sp, const char *data, gsize len);
/* Returns the next complete item; *TEXT (for REQUEST and JUNK) is owned by
 * the caller. Call until it returns MORE. */
ArmzQmpSplitResult armz_qmp_splitter_next(ArmzQmpSplitter *sp, char **text);

/* --- requests ---------------------------------------------------------------- */

typedef struct {
    char *execute;          /* the command name */
    yajl_val arguments;     /* an object, or NULL; points into TREE */
    char *id_json;          /* the "id" member re-serialized, or NULL */
    yajl_val tree;
} ArmzQmpRequest;

void armz_qmp_request_free(ArmzQmpRequest *req);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzQmpRequest, armz_qmp_request_free)

/* Parses one request text. On failure returns NULL with ERROR set (its
 * message is the QMP "desc", always a GenericError) and *ID_JSON set to the
 * request's id where the text was an object that had one, else NULL. */
ArmzQmpRequest *armz_qmp_request_parse(const char *text, char **id_json, GError **error);

/* --- replies and events (each a complete line ending in "\r\n") ----------- */

char *armz_qmp_build_greeting(const char *package);
/* RETURN_JSON: the value of "return" as JSON text; NULL means {}. */
char *armz_qmp_build_return(const char *id_json, const char *return_json);
char *armz_qmp_build_error(const char *id_json, const char *klass, const char *desc);
/* DATA_JSON NULL means {}; REALTIME_US is g_get_real_time(). Returns NULL
 * when NAME is empty or DATA_JSON is not a JSON object. */
char *armz_qmp_build_event(const char *name, const char *data_json, gint64 realtime_us);
/* JSON text of VALUE (compact). */
char *armz_qmp_value_to_json(yajl_val value);

/* --- session -------------------------------------------------------------------- */

typedef struct _ArmzQmpSession ArmzQmpSession;
/* Writes LEN bytes of DATA to the client. */
typedef void (*ArmzQmpSendFunc)(const char *data, gsize len, gpointer user_data);

ArmzQmpSession *armz_qmp_session_new(const ArmzQmpOps *ops, gpointer opaque,
                                     ArmzQmpSendFunc send, gpointer send_data);
void armz_qmp_session_free(ArmzQmpSession *s);
/* Sends the greeting. */
void armz_qmp_session_start(ArmzQmpSession *s);
/* Handles the bytes a client sent: every complete request is answered (in
 * order) before this returns. After "quit" the reply is sent, ops->quit runs
 * and later input is ignored. */
void armz_qmp_session_feed(ArmzQmpSession *s, const char *data, gsize len);
gboolean armz_qmp_session_negotiated(ArmzQmpSession *s);
gboolean armz_qmp_session_quit_requested(ArmzQmpSession *s);
/* Sends an event when capabilities are negotiated; returns whether it did. */
gboolean armz_qmp_session_emit(ArmzQmpSession *s, const char *name, const char *data_json);
/* The fd table of getfd/closefd (qmp_fds.h): the server's, shared by its
 * sessions; without this call the session has one of its own. */
typedef struct _ArmzQmpFds ArmzQmpFds;
void armz_qmp_session_set_fds(ArmzQmpSession *s, ArmzQmpFds *fds);
ArmzQmpFds *armz_qmp_session_fds(ArmzQmpSession *s);
