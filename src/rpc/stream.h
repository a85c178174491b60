/* libvirt RPC streams between a client and a local fd (a console's pty, a
 * volume's file or block device).
 *
 * Wire rules (libvirt's remote protocol): stream packets have type STREAM and
 * the proc and serial of the call that opened the stream, whose REPLY comes
 * first. Status CONTINUE carries raw bytes; CONTINUE with no bytes from the
 * daemon is end of data; OK from the client finishes and ERROR (body empty
 * or an error) aborts, and the daemon confirms either with an empty OK; an
 * ERROR from the daemon carries an error body and ends the stream for the
 * client, which then sends nothing more for it.
 *
 * Threads: incoming packets and fd I/O run on the main thread; a stream is
 * created, attached and started on the worker that runs its call, and may be
 * aborted from any thread. Lock order: stream, then client. */
#pragma once
#include <glib.h>
#include "rpc/armz_protocol.h"
#include "rpc/client.h"

typedef struct _ArmzStream ArmzStream;

/* Called once when the stream ends, whatever ends it, without its lock. */
typedef void (*ArmzStreamClosedFunc)(ArmzStream *st, gpointer data);

/* Bytes of stream data a client may have queued before streams stop reading
 * their fds (and resume below half of it); the most one incoming stream may
 * have waiting for its fd before the client's socket is no longer read.
 * A few packets' worth: volume transfers keep the disk and the socket busy
 * together (tests/bench/vol-io). */
#define ARMZ_STREAM_TX_MAX (1024 * 1024)
#define ARMZ_STREAM_RX_MAX (1024 * 1024)
/* Largest data packet a stream sends: under libvirt's 262120-byte limit
 * for a stream packet's payload, which older clients enforce. */
#define ARMZ_STREAM_CHUNK (255 * 1024)

ArmzStream *armz_stream_new(ArmzClient *client, int proc, guint32 serial);
ArmzStream *armz_stream_ref(ArmzStream *st);
void armz_stream_unref(ArmzStream *st);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzStream, armz_stream_unref)

/* The non-blocking fd the stream reads from and writes to; the stream owns
 * it from now on and closes it when it ends (at once if it has ended). */
void armz_stream_set_fd(ArmzStream *st, int fd);
/* FALSE when ST has ended already: FN will not run and DATA stays the
 * caller's. */
gboolean armz_stream_set_closed_func(ArmzStream *st, ArmzStreamClosedFunc fn,
                                     gpointer data, GDestroyNotify destroy);

/* Makes ST a file transfer (a volume upload or download) rather than a
 * two-way byte pipe: an upload only receives, a download only sends; LIMIT
 * bounds the bytes it carries (0: none): a download ends there, data past
 * it in an upload fails the stream. An upload's data is flushed to the disk
 * (fdatasync) before the client's finish is confirmed. Before start. */
void armz_stream_set_transfer(ArmzStream *st, gboolean upload, guint64 limit);

/* Registers ST with its client so incoming packets reach it. Fails (VIR_ERR_RPC)
 * when the client is gone or already has a stream with that proc and serial. */
gboolean armz_stream_attach(ArmzStream *st, GError **error);

/* Starts reading the fd; call once the reply of the opening call is queued.
 * An abort that came before this sends its error now, after that reply. */
void armz_stream_start(ArmzStream *st);

/* Ends ST from the daemon's side: the client gets STREAM/ERROR with ERROR;
 * ERROR NULL ends it silently (the call failed, or the client is gone). */
void armz_stream_abort(ArmzStream *st, const GError *error);

gboolean armz_stream_is_closed(ArmzStream *st);
/* Neither ended nor at the end of its data: it can still carry bytes. */
gboolean armz_stream_is_live(ArmzStream *st);
guint32 armz_stream_serial(ArmzStream *st);

/* Internal to rpc/. Main thread: one STREAM or STREAM_HOLE packet. */
void armz_stream_dispatch(ArmzClient *client, const armz_message_header *hdr, GBytes *pkt);
/* Main thread: CLIENT disconnected; its streams end silently. */
void armz_stream_abort_all(ArmzClient *client);
/* Main thread: CLIENT's queue went below the bound; paused streams read again. */
void armz_stream_client_drained(ArmzClient *client);
