/* The vhost-user protocol, front-end side: message encoding and decoding,
 * and request/reply exchanges over the back-end's UNIX socket (file
 * descriptors travel as SCM_RIGHTS).
 *
 * Byte order: the vhost-user specification puts every number of the
 * message header and payload in the byte order of the machine (front-end
 * and back-end share the host), so on s390x the wire is big-endian.  Only
 * the device config space carried by GET_CONFIG is little-endian (it is the
 * virtio config space the guest reads), and it passes through untouched. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <glib.h>

typedef enum {
    ARMZ_VU_GET_FEATURES = 1,
    ARMZ_VU_SET_FEATURES = 2,
    ARMZ_VU_SET_OWNER = 3,
    ARMZ_VU_RESET_OWNER = 4,
    ARMZ_VU_SET_MEM_TABLE = 5,
    ARMZ_VU_SET_VRING_NUM = 8,
    ARMZ_VU_SET_VRING_ADDR = 9,
    ARMZ_VU_SET_VRING_BASE = 10,
    ARMZ_VU_GET_VRING_BASE = 11,
    ARMZ_VU_SET_VRING_KICK = 12,
    ARMZ_VU_SET_VRING_CALL = 13,
    ARMZ_VU_GET_PROTOCOL_FEATURES = 15,
    ARMZ_VU_SET_PROTOCOL_FEATURES = 16,
    ARMZ_VU_GET_QUEUE_NUM = 17,
    ARMZ_VU_SET_VRING_ENABLE = 18,
    ARMZ_VU_GET_CONFIG = 24,
    ARMZ_VU_SET_CONFIG = 25,
} ArmzVuRequest;

/* GET_FEATURES bit: the back-end speaks GET/SET_PROTOCOL_FEATURES */
#define ARMZ_VU_F_PROTOCOL_FEATURES 30

/* protocol feature bits */
#define ARMZ_VU_PROTOCOL_F_MQ           0
#define ARMZ_VU_PROTOCOL_F_REPLY_ACK    3
#define ARMZ_VU_PROTOCOL_F_CONFIG       9

/* header flags: version 1 in bits 0-1 */
#define ARMZ_VU_VERSION         0x1u
#define ARMZ_VU_FLAG_REPLY      (1u << 2)
#define ARMZ_VU_FLAG_NEED_REPLY (1u << 3)

/* SET_VRING_KICK/CALL payload: index in bits 0-7, bit 8: no fd attached */
#define ARMZ_VU_VRING_NOFD      (1u << 8)

#define ARMZ_VU_HDR_SIZE        12
#define ARMZ_VU_MAX_REGIONS     8
#define ARMZ_VU_MAX_CONFIG      256
/* largest payload we send or accept: GET_CONFIG with 256 bytes of config */
#define ARMZ_VU_MAX_PAYLOAD     (12 + ARMZ_VU_MAX_CONFIG)
/* how long a back-end may take to answer before it counts as gone */
#define ARMZ_VU_REPLY_TIMEOUT_MS 10000

/* One message: the header in host order, the payload as it goes on the
 * wire (the encoders below fill it). */
typedef struct {
    uint32_t request;
    uint32_t flags;
    uint32_t size;              /* payload bytes */
    uint8_t payload[ARMZ_VU_MAX_PAYLOAD];
} ArmzVuMsg;

typedef struct {
    uint64_t gpa, size, uaddr, mmap_offset;
} ArmzVuRegion;

typedef struct {
    uint32_t index, flags;
    uint64_t desc, used, avail, log;    /* front-end virtual addresses */
} ArmzVuVringAddr;

/* ---- encoding (payload in host byte order) ---- */
void armz_vu_msg_init(ArmzVuMsg *m, ArmzVuRequest req);
void armz_vu_msg_u64(ArmzVuMsg *m, ArmzVuRequest req, uint64_t v);
void armz_vu_msg_state(ArmzVuMsg *m, ArmzVuRequest req, uint32_t index, uint32_t num);
void armz_vu_msg_addr(ArmzVuMsg *m, const ArmzVuVringAddr *a);
void armz_vu_msg_mem(ArmzVuMsg *m, const ArmzVuRegion *r, unsigned n);
/* GET_CONFIG (DATA NULL: SIZE zero bytes) or SET_CONFIG */
void armz_vu_msg_config(ArmzVuMsg *m, ArmzVuRequest req, uint32_t offset, uint32_t size,
                        const uint8_t *data);
/* The bytes on the wire: header then payload; their length. */
size_t armz_vu_msg_bytes(const ArmzVuMsg *m, uint8_t *buf, size_t len);
/* Parses a 12-byte header; false (ERROR set) when the size is too large. */
gboolean armz_vu_msg_parse_header(const uint8_t *hdr, ArmzVuMsg *m, GError **error);

/* ---- decoding a reply's payload; false (ERROR set) if malformed ---- */
gboolean armz_vu_reply_u64(const ArmzVuMsg *m, uint64_t *v, GError **error);
gboolean armz_vu_reply_state(const ArmzVuMsg *m, uint32_t *index, uint32_t *num,
                             GError **error);
/* GET_CONFIG: SIZE config bytes (the size asked for) into OUT */
gboolean armz_vu_reply_config(const ArmzVuMsg *m, uint32_t size, uint8_t *out, GError **error);

/* Decoders for a back-end (the tests' fake back-end); false if malformed. */
gboolean armz_vu_req_state(const ArmzVuMsg *m, uint32_t *index, uint32_t *num);
gboolean armz_vu_req_addr(const ArmzVuMsg *m, ArmzVuVringAddr *a);
gboolean armz_vu_req_mem(const ArmzVuMsg *m, ArmzVuRegion *r, unsigned *n);

/* Whether a back-end answers REQ with a message of its own. */
bool armz_vu_has_reply(ArmzVuRequest req);
const char *armz_vu_request_name(uint32_t req);

/* ---- socket ---- */

/* Connects to the back-end listening on PATH (non-blocking connect is not
 * needed: a listening UNIX socket accepts at once or refuses).  The fd,
 * or -1 with ERROR set. */
int armz_vu_connect(const char *path, GError **error);
/* Sends M with NFDS descriptors attached. */
gboolean armz_vu_send(int sock, const ArmzVuMsg *m, const int *fds, unsigned nfds,
                      GError **error);
/* Receives one message (waiting at most TIMEOUT_MS, -1 for ever); at most
 * MAX_FDS descriptors are kept (FDS may be NULL), the rest closed. */
gboolean armz_vu_recv(int sock, ArmzVuMsg *m, int *fds, unsigned max_fds, unsigned *nfds,
                      int timeout_ms, GError **error);
/* Sends REQ and, when it has a reply or NEED_ACK (REPLY_ACK negotiated and
 * the request has no reply of its own), waits for it: REPLY (may be NULL
 * for an ack) gets a reply to the same request; a non-zero ack fails. */
gboolean armz_vu_exchange(int sock, ArmzVuMsg *req, const int *fds, unsigned nfds,
                          bool need_ack, ArmzVuMsg *reply, GError **error);
