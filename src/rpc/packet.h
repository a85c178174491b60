/* Framing of libvirt RPC messages: a big-endian u32 length that counts
 * itself, a 24-byte XDR header, then the XDR body. */
#pragma once
#include <glib.h>
#include "rpc/armz_protocol.h"

#define ARMZ_PKT_LEN_SIZE 4
#define ARMZ_PKT_HEADER_SIZE 24
#define ARMZ_PKT_MIN (ARMZ_PKT_LEN_SIZE + ARMZ_PKT_HEADER_SIZE)
#define ARMZ_PKT_MAX (32 * 1024 * 1024)

/* Length word of a packet whose first 4 bytes are in BUF; FALSE with ERROR
 * when it is outside [ARMZ_PKT_MIN, ARMZ_PKT_MAX]. */
gboolean armz_packet_length(const guint8 *buf, guint32 *len, GError **error);

/* Decodes the header of a complete packet PKT of LEN bytes; *BODY_OFF is the
 * offset of the body. */
gboolean armz_packet_decode_header(const guint8 *pkt, gsize len,
                                   armz_message_header *hdr, GError **error);

/* The message type (ARMZ_CALL, ARMZ_REPLY, ...) of an encoded packet, -1
 * when it is too short to have one. */
int armz_packet_type(GBytes *pkt);

/* Decodes the body of a complete packet with FILTER into OBJ (zeroed).
 * Refuses a body with bytes left over or a string holding a NUL byte. */
gboolean armz_packet_decode_body(const guint8 *pkt, gsize len,
                                 xdrproc_t filter, void *obj, GError **error);

/* Encodes a whole packet: header HDR and BODY through FILTER (FILTER NULL:
 * empty body; RAW/RAW_LEN: opaque stream bytes appended instead). */
GBytes *armz_packet_encode(const armz_message_header *hdr,
                           xdrproc_t filter, void *body, GError **error);
GBytes *armz_packet_encode_raw(const armz_message_header *hdr,
                               const void *raw, gsize raw_len);
