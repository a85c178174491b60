/* Procedure table and the generic call path: decode the arguments, enforce
 * the connection's rules (open first, read-only: see readonly.h), run the
 * handler, encode the reply or the error. */
#pragma once
#include <glib.h>
#include "rpc/armz_protocol.h"
#include "rpc/procnums.h"
#include "rpc/client.h"
#include "rpc/stream.h"

typedef gboolean (*ArmzProcHandler)(ArmzClient *client, void *args, void *ret,
                                    GError **error);

/* Whether a read-only connection may call a procedure is not a flag here:
 * it is libvirt's rule, kept with the procedure list (procinfo.h). */
enum {
    ARMZ_PROC_PREOPEN = 1 << 1,   /* allowed before CONNECT_OPEN */
    ARMZ_PROC_STREAM = 1 << 2,    /* opens a stream: see armz_dispatch_stream */
    ARMZ_PROC_AUTH = 1 << 3,      /* allowed before the listener's auth is done */
};

typedef struct {
    int proc;                     /* REMOTE_PROC_* */
    xdrproc_t args_filter;        /* NULL: no arguments */
    gsize args_size;
    xdrproc_t ret_filter;         /* NULL: empty reply */
    gsize ret_size;
    ArmzProcHandler handler;
    unsigned int flags;
} ArmzProc;

typedef struct _ArmzDispatcher ArmzDispatcher;

ArmzDispatcher *armz_dispatcher_new(void);
void armz_dispatcher_add(ArmzDispatcher *d, const ArmzProc *procs, gsize n);
void armz_dispatcher_free(ArmzDispatcher *d);

/* Worker thread: handles one REMOTE packet from CLIENT. */
void armz_dispatcher_call(ArmzDispatcher *d, ArmzClient *client, GBytes *pkt);

/* In the handler of an ARMZ_PROC_STREAM procedure: the stream the call opens
 * (proc and serial of the call), attached to the client before the handler
 * runs. The handler gives it its fd; on success the dispatcher queues the
 * reply, then starts the stream; on failure it ends it silently. */
ArmzStream *armz_dispatch_stream(void);

/* Sends an asynchronous MESSAGE (events) to CLIENT. */
void armz_client_send_message(ArmzClient *client, int proc, xdrproc_t filter, void *body);

/* xdr_void-shaped filter for procedures with no body. */
#define ARMZ_NOARGS NULL, 0
#define ARMZ_ARGS(t) (xdrproc_t)xdr_##t, sizeof(t)
#define ARMZ_NORET NULL, 0
#define ARMZ_RET(t) (xdrproc_t)xdr_##t, sizeof(t)

/* Calls FUNC for every registered procedure, in number order (tests). */
void armz_dispatcher_foreach(ArmzDispatcher *d, void (*func)(const ArmzProc *p, gpointer data),
                             gpointer data);
