#include <string.h>
#include <rpc/rpc.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/log.h"
#include "rpc/dispatch.h"
#include "rpc/packet.h"
#include "rpc/procinfo.h"
#include "rpc/readonly.h"
#include "rpc/wire_error.h"

/* Procedure numbers are small and dense; a flat array is the lookup. */
#define MAX_PROC 1024

/* The stream of the ARMZ_PROC_STREAM call this worker is running. */
static _Thread_local ArmzStream *call_stream;

ArmzStream *
armz_dispatch_stream(void)
{
    return call_stream;
}

struct _ArmzDispatcher {
    const ArmzProc *procs[MAX_PROC];
};

ArmzDispatcher *
armz_dispatcher_new(void)
{
    return g_new0(ArmzDispatcher, 1);
}

void
armz_dispatcher_free(ArmzDispatcher *d)
{
    g_free(d);
}

void
armz_dispatcher_add(ArmzDispatcher *d, const ArmzProc *procs, gsize n)
{
    for (gsize i = 0; i < n; i++) {
        g_assert(procs[i].proc > 0 && procs[i].proc < MAX_PROC);
        g_assert(d->procs[procs[i].proc] == NULL);
        /* Served procedures are libvirt's, with a read-only rule we apply. */
        g_assert(armz_proc_info(procs[i].proc) != NULL);
        g_assert(armz_readonly_rule_known(&procs[i]));
        d->procs[procs[i].proc] = &procs[i];
    }
}

static void
send_error(ArmzClient *client, const armz_message_header *call, const GError *error)
{
    armz_message_header hdr = *call;
    armz_error body;
    g_autoptr(GError) enc_err = NULL;
    GBytes *pkt;

    hdr.type = ARMZ_REPLY;
    hdr.status = ARMZ_STATUS_ERROR;
    armz_wire_error_fill(&body, error);
    pkt = armz_packet_encode(&hdr, (xdrproc_t)xdr_armz_error, &body, &enc_err);
    xdr_free((xdrproc_t)xdr_armz_error, (char *)&body);
    if (pkt)
        armz_client_send(client, pkt);
}

/* FALSE when the reply could not be encoded (an error went instead). */
static gboolean
send_reply(ArmzClient *client, const armz_message_header *call,
           const ArmzProc *p, void *ret)
{
    armz_message_header hdr = *call;
    g_autoptr(GError) error = NULL;
    GBytes *pkt;

    hdr.type = ARMZ_REPLY;
    hdr.status = ARMZ_STATUS_OK;
    pkt = armz_packet_encode(&hdr, p->ret_filter, ret, &error);
    if (!pkt) {
        send_error(client, call, error);
        return FALSE;
    }
    armz_client_send(client, pkt);
    return TRUE;
}

void
armz_client_send_message(ArmzClient *client, int proc, xdrproc_t filter, void *body)
{
    armz_message_header hdr = {
        .prog = ARMZ_PROGRAM, .vers = ARMZ_PROTOCOL_VERSION, .proc = proc,
        .type = ARMZ_MESSAGE, .serial = 0, .status = ARMZ_STATUS_OK,
    };
    g_autoptr(GError) error = NULL;
    GBytes *pkt = armz_packet_encode(&hdr, filter, body, &error);

    if (pkt)
        armz_client_send(client, pkt);
    else
        armz_warn("cannot encode event %d: %s", proc, error->message);
}

void
armz_dispatcher_call(ArmzDispatcher *d, ArmzClient *client, GBytes *pkt)
{
    gsize len;
    const guint8 *data = g_bytes_get_data(pkt, &len);
    armz_message_header hdr;
    const ArmzProc *p = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree void *args = NULL;
    g_autofree void *ret = NULL;
    g_autoptr(ArmzStream) st = NULL;
    gboolean opened, readonly, auth_pending;
    const char *api;

    if (!armz_packet_decode_header(data, len, &hdr, &error))
        return; /* checked on the main thread already */

    if (hdr.proc > 0 && hdr.proc < MAX_PROC)
        p = d->procs[hdr.proc];
    if (!p) {
        const char *name = armz_proc_name(hdr.proc);
        g_autofree char *what = name ? g_strdup_printf("%s (%d)", name, hdr.proc)
                                     : g_strdup_printf(_("unknown procedure %d"), hdr.proc);
        g_set_error_literal(&error, ARMZ_ERROR, VIR_ERR_NO_SUPPORT, what);
        send_error(client, &hdr, error);
        return;
    }

    api = armz_proc_api(hdr.proc);

    g_mutex_lock(&client->lock);
    opened = client->opened;
    readonly = client->readonly;
    auth_pending = client->auth_pending;
    g_mutex_unlock(&client->lock);

    /* As libvirt: a client that has not authenticated may only do that. */
    if (auth_pending && !(p->flags & ARMZ_PROC_AUTH)) {
        g_set_error_literal(&error, ARMZ_ERROR, VIR_ERR_RPC, _("authentication required"));
        send_error(client, &hdr, error);
        return;
    }

    /* Refused whatever the arguments: before decoding them. */
    if (opened && readonly && !armz_readonly_check(p, NULL, &error)) {
        send_error(client, &hdr, error);
        return;
    }

    args = p->args_size ? g_malloc0(p->args_size) : NULL;
    if (p->args_filter) {
        if (!armz_packet_decode_body(data, len, p->args_filter, args, &error)) {
            armz_warn("client %" G_GUINT64_FORMAT ": %s for %s; closing it",
                      client->id, error->message, api);
            send_error(client, &hdr, error);
            armz_client_close_after_flush(client);
            return;
        }
    } else if (len != ARMZ_PKT_MIN) {
        g_set_error(&error, ARMZ_ERROR, VIR_ERR_RPC,
                    _("unexpected payload for %s"), api);
        armz_warn("client %" G_GUINT64_FORMAT ": %s; closing it", client->id, error->message);
        send_error(client, &hdr, error);
        armz_client_close_after_flush(client);
        return;
    }

    if (!opened && !(p->flags & ARMZ_PROC_PREOPEN)) {
        g_set_error_literal(&error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                            _("connection not open"));
    } else if (readonly) {
        armz_readonly_check(p, args, &error);
    }

    if (!error && (p->flags & ARMZ_PROC_STREAM)) {
        /* Attached first: the client may send stream data as soon as it
         * has the reply. */
        st = armz_stream_new(client, hdr.proc, hdr.serial);
        if (!armz_stream_attach(st, &error))
            g_clear_pointer(&st, armz_stream_unref);
    }

    ret = p->ret_size ? g_malloc0(p->ret_size) : NULL;
    if (!error) {
        gboolean ok;

        call_stream = st;
        ok = p->handler(client, args, ret, &error);
        call_stream = NULL;
        if (ok) {
            if (send_reply(client, &hdr, p, ret)) {
                if (st)
                    armz_stream_start(st);
            } else if (st) {
                armz_stream_abort(st, NULL);
            }
        } else {
            if (st)
                armz_stream_abort(st, NULL);
            send_error(client, &hdr, error);
        }
    } else {
        send_error(client, &hdr, error);
    }

    if (p->args_filter)
        xdr_free(p->args_filter, args);
    if (p->ret_filter)
        xdr_free(p->ret_filter, ret);
}

void
armz_dispatcher_foreach(ArmzDispatcher *d, void (*func)(const ArmzProc *p, gpointer data),
                        gpointer data)
{
    for (int i = 0; i < MAX_PROC; i++)
        if (d->procs[i])
            func(d->procs[i], data);
}
