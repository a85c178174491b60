#include <string.h>
#include <rpc/rpc.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "rpc/packet.h"
#include "rpc/xdr_string.h"

gboolean
armz_packet_length(const guint8 *buf, guint32 *len, GError **error)
{
    guint32 n = ((guint32)buf[0] << 24) | ((guint32)buf[1] << 16) |
                ((guint32)buf[2] << 8) | buf[3];

    if (n < ARMZ_PKT_MIN || n > ARMZ_PKT_MAX) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_RPC,
                    _("packet length %u is outside the allowed %u..%u bytes"),
                    n, (unsigned)ARMZ_PKT_MIN, (unsigned)ARMZ_PKT_MAX);
        return FALSE;
    }
    *len = n;
    return TRUE;
}

int
armz_packet_type(GBytes *pkt)
{
    gsize len;
    const guint8 *p = g_bytes_get_data(pkt, &len);

    if (len < ARMZ_PKT_MIN)
        return -1;
    /* The header's fourth word, after the length word. */
    p += ARMZ_PKT_LEN_SIZE + 12;
    return (int)(((guint32)p[0] << 24) | ((guint32)p[1] << 16) | ((guint32)p[2] << 8) | p[3]);
}

gboolean
armz_packet_decode_header(const guint8 *pkt, gsize len,
                          armz_message_header *hdr, GError **error)
{
    XDR xdr;
    gboolean ok;

    memset(hdr, 0, sizeof(*hdr));
    if (len < ARMZ_PKT_MIN) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_RPC, _("packet too short for a header"));
        return FALSE;
    }
    xdrmem_create(&xdr, (char *)pkt + ARMZ_PKT_LEN_SIZE, ARMZ_PKT_HEADER_SIZE, XDR_DECODE);
    ok = xdr_armz_message_header(&xdr, hdr);
    xdr_destroy(&xdr);
    if (!ok) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_RPC, _("unable to decode message header"));
        return FALSE;
    }
    return TRUE;
}

gboolean
armz_packet_decode_body(const guint8 *pkt, gsize len,
                        xdrproc_t filter, void *obj, GError **error)
{
    XDR xdr;
    gboolean ok;
    gsize off = ARMZ_PKT_MIN;

    xdrmem_create(&xdr, (char *)pkt + off, len - off, XDR_DECODE);
    armz_xdr_string_nul_reset();
    ok = filter(&xdr, obj, 0);
    /* Trailing bytes mean the peer and we disagree on the message shape. */
    if (ok && xdr_getpos(&xdr) != len - off)
        ok = FALSE;
    xdr_destroy(&xdr);
    if (!ok) {
        xdr_free(filter, obj);
        /* Taking the string up to the NUL would act on another name than
         * the peer sent. */
        if (armz_xdr_string_nul_seen())
            g_set_error(error, ARMZ_ERROR, VIR_ERR_RPC,
                        _("a string in the message payload contains a NUL byte"));
        else
            g_set_error(error, ARMZ_ERROR, VIR_ERR_RPC, _("unable to decode message payload"));
        return FALSE;
    }
    return TRUE;
}

static void
put_be32(guint8 *p, guint32 v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

static guint8 *
encode_header(const armz_message_header *hdr, gsize total)
{
    guint8 *buf = g_malloc(total);
    XDR xdr;

    put_be32(buf, total);
    xdrmem_create(&xdr, (char *)buf + ARMZ_PKT_LEN_SIZE, ARMZ_PKT_HEADER_SIZE, XDR_ENCODE);
    if (!xdr_armz_message_header(&xdr, (armz_message_header *)hdr))
        g_assert_not_reached(); /* fixed-size header always fits */
    xdr_destroy(&xdr);
    return buf;
}

GBytes *
armz_packet_encode(const armz_message_header *hdr,
                   xdrproc_t filter, void *body, GError **error)
{
    gsize body_len = filter ? xdr_sizeof(filter, body) : 0;
    gsize total = ARMZ_PKT_MIN + body_len;
    guint8 *buf;
    XDR xdr;

    if (total > ARMZ_PKT_MAX) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_RPC,
                    _("reply of %zu bytes exceeds the %u byte message limit"),
                    total, (unsigned)ARMZ_PKT_MAX);
        return NULL;
    }
    buf = encode_header(hdr, total);
    if (filter) {
        xdrmem_create(&xdr, (char *)buf + ARMZ_PKT_MIN, body_len, XDR_ENCODE);
        if (!filter(&xdr, body, 0)) {
            xdr_destroy(&xdr);
            g_free(buf);
            g_set_error(error, ARMZ_ERROR, VIR_ERR_RPC, _("unable to encode message payload"));
            return NULL;
        }
        xdr_destroy(&xdr);
    }
    return g_bytes_new_take(buf, total);
}

GBytes *
armz_packet_encode_raw(const armz_message_header *hdr, const void *raw, gsize raw_len)
{
    gsize total = ARMZ_PKT_MIN + raw_len;
    guint8 *buf = encode_header(hdr, total);

    if (raw_len)
        memcpy(buf + ARMZ_PKT_MIN, raw, raw_len);
    return g_bytes_new_take(buf, total);
}
