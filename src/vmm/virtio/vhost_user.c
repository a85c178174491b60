/* vhost-user messages and exchanges: see vhost_user.h. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <glib/gi18n-lib.h>
#include "virtio/vhost_user.h"
#include "vmmlog.h"

/* host-order stores and loads into a payload at any alignment */
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

void
armz_vu_msg_init(ArmzVuMsg *m, ArmzVuRequest req)
{
    m->request = req;
    m->flags = ARMZ_VU_VERSION;
    m->size = 0;
}

void
armz_vu_msg_u64(ArmzVuMsg *m, ArmzVuRequest req, uint64_t v)
{
    armz_vu_msg_init(m, req);
    put64(m->payload, v);
    m->size = 8;
}

void
armz_vu_msg_state(ArmzVuMsg *m, ArmzVuRequest req, uint32_t index, uint32_t num)
{
    armz_vu_msg_init(m, req);
    put32(m->payload, index);
    put32(m->payload + 4, num);
    m->size = 8;
}

void
armz_vu_msg_addr(ArmzVuMsg *m, const ArmzVuVringAddr *a)
{
    armz_vu_msg_init(m, ARMZ_VU_SET_VRING_ADDR);
    put32(m->payload, a->index);
    put32(m->payload + 4, a->flags);
    put64(m->payload + 8, a->desc);
    put64(m->payload + 16, a->used);
    put64(m->payload + 24, a->avail);
    put64(m->payload + 32, a->log);
    m->size = 40;
}

void
armz_vu_msg_mem(ArmzVuMsg *m, const ArmzVuRegion *r, unsigned n)
{
    g_assert(n <= ARMZ_VU_MAX_REGIONS);
    armz_vu_msg_init(m, ARMZ_VU_SET_MEM_TABLE);
    put32(m->payload, n);
    put32(m->payload + 4, 0);
    for (unsigned i = 0; i < n; i++) {
        uint8_t *p = m->payload + 8 + 32 * i;
        put64(p, r[i].gpa);
        put64(p + 8, r[i].size);
        put64(p + 16, r[i].uaddr);
        put64(p + 24, r[i].mmap_offset);
    }
    /* only the regions given: back-ends check the size against nregions */
    m->size = 8 + 32 * n;
}

void
armz_vu_msg_config(ArmzVuMsg *m, ArmzVuRequest req, uint32_t offset, uint32_t size,
                   const uint8_t *data)
{
    g_assert(size <= ARMZ_VU_MAX_CONFIG);
    armz_vu_msg_init(m, req);
    put32(m->payload, offset);
    put32(m->payload + 4, size);
    put32(m->payload + 8, 0);
    if (data)
        memcpy(m->payload + 12, data, size);
    else
        memset(m->payload + 12, 0, size);
    m->size = 12 + size;
}

size_t
armz_vu_msg_bytes(const ArmzVuMsg *m, uint8_t *buf, size_t len)
{
    g_assert(len >= ARMZ_VU_HDR_SIZE + m->size && m->size <= ARMZ_VU_MAX_PAYLOAD);
    put32(buf, m->request);
    put32(buf + 4, m->flags);
    put32(buf + 8, m->size);
    memcpy(buf + ARMZ_VU_HDR_SIZE, m->payload, m->size);
    return ARMZ_VU_HDR_SIZE + m->size;
}

gboolean
armz_vu_msg_parse_header(const uint8_t *hdr, ArmzVuMsg *m, GError **error)
{
    m->request = get32(hdr);
    m->flags = get32(hdr + 4);
    m->size = get32(hdr + 8);
    if (m->size > ARMZ_VU_MAX_PAYLOAD) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("vhost-user message %u announces %u payload bytes (at most %u)"),
                    m->request, m->size, (unsigned)ARMZ_VU_MAX_PAYLOAD);
        return FALSE;
    }
    if ((m->flags & 0x3) != ARMZ_VU_VERSION) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("vhost-user message %u has version %u, not 1"),
                    m->request, m->flags & 0x3);
        return FALSE;
    }
    return TRUE;
}

static gboolean
bad_size(const ArmzVuMsg *m, uint32_t want, GError **error)
{
    g_set_error(error, ARMZ_VMM_ERROR, 0,
                _("vhost-user reply to %s has %u payload bytes, expected %u"),
                armz_vu_request_name(m->request), m->size, want);
    return FALSE;
}

gboolean
armz_vu_reply_u64(const ArmzVuMsg *m, uint64_t *v, GError **error)
{
    if (m->size != 8)
        return bad_size(m, 8, error);
    *v = get64(m->payload);
    return TRUE;
}

gboolean
armz_vu_reply_state(const ArmzVuMsg *m, uint32_t *index, uint32_t *num, GError **error)
{
    if (m->size != 8)
        return bad_size(m, 8, error);
    *index = get32(m->payload);
    *num = get32(m->payload + 4);
    return TRUE;
}

gboolean
armz_vu_reply_config(const ArmzVuMsg *m, uint32_t size, uint8_t *out, GError **error)
{
    if (m->size != 12 + size || get32(m->payload + 4) != size)
        return bad_size(m, 12 + size, error);
    memcpy(out, m->payload + 12, size);
    return TRUE;
}

gboolean
armz_vu_req_state(const ArmzVuMsg *m, uint32_t *index, uint32_t *num)
{
    if (m->size != 8)
        return FALSE;
    *index = get32(m->payload);
    *num = get32(m->payload + 4);
    return TRUE;
}

gboolean
armz_vu_req_addr(const ArmzVuMsg *m, ArmzVuVringAddr *a)
{
    if (m->size != 40)
        return FALSE;
    a->index = get32(m->payload);
    a->flags = get32(m->payload + 4);
    a->desc = get64(m->payload + 8);
    a->used = get64(m->payload + 16);
    a->avail = get64(m->payload + 24);
    a->log = get64(m->payload + 32);
    return TRUE;
}

gboolean
armz_vu_req_mem(const ArmzVuMsg *m, ArmzVuRegion *r, unsigned *n)
{
    if (m->size < 8)
        return FALSE;
    *n = get32(m->payload);
    if (*n > ARMZ_VU_MAX_REGIONS || m->size < 8 + 32 * *n)
        return FALSE;
    for (unsigned i = 0; i < *n; i++) {
        const uint8_t *p = m->payload + 8 + 32 * i;
        r[i].gpa = get64(p);
        r[i].size = get64(p + 8);
        r[i].uaddr = get64(p + 16);
        r[i].mmap_offset = get64(p + 24);
    }
    return TRUE;
}

bool
armz_vu_has_reply(ArmzVuRequest req)
{
    switch (req) {
    case ARMZ_VU_GET_FEATURES:
    case ARMZ_VU_GET_PROTOCOL_FEATURES:
    case ARMZ_VU_GET_VRING_BASE:
    case ARMZ_VU_GET_QUEUE_NUM:
    case ARMZ_VU_GET_CONFIG:
        return true;
    default:
        return false;
    }
}

const char *
armz_vu_request_name(uint32_t req)
{
    static const char *const names[] = {
        [ARMZ_VU_GET_FEATURES] = "GET_FEATURES", [ARMZ_VU_SET_FEATURES] = "SET_FEATURES",
        [ARMZ_VU_SET_OWNER] = "SET_OWNER", [ARMZ_VU_RESET_OWNER] = "RESET_OWNER",
        [ARMZ_VU_SET_MEM_TABLE] = "SET_MEM_TABLE", [ARMZ_VU_SET_VRING_NUM] = "SET_VRING_NUM",
        [ARMZ_VU_SET_VRING_ADDR] = "SET_VRING_ADDR", [ARMZ_VU_SET_VRING_BASE] = "SET_VRING_BASE",
        [ARMZ_VU_GET_VRING_BASE] = "GET_VRING_BASE", [ARMZ_VU_SET_VRING_KICK] = "SET_VRING_KICK",
        [ARMZ_VU_SET_VRING_CALL] = "SET_VRING_CALL",
        [ARMZ_VU_GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
        [ARMZ_VU_SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES",
        [ARMZ_VU_GET_QUEUE_NUM] = "GET_QUEUE_NUM", [ARMZ_VU_SET_VRING_ENABLE] = "SET_VRING_ENABLE",
        [ARMZ_VU_GET_CONFIG] = "GET_CONFIG", [ARMZ_VU_SET_CONFIG] = "SET_CONFIG",
    };
    if (req < G_N_ELEMENTS(names) && names[req])
        return names[req];
    return "?";
}

/* ---- socket ---- */

int
armz_vu_connect(const char *path, GError **error)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("vhost-user socket path '%s' is longer than %zu bytes"), path,
                    sizeof(sa.sun_path) - 1);
        return -1;
    }
    strcpy(sa.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot create a socket: %s"),
                    g_strerror(errno));
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("cannot connect to the vhost-user back-end at '%s': %s"), path,
                    g_strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

gboolean
armz_vu_send(int sock, const ArmzVuMsg *m, const int *fds, unsigned nfds, GError **error)
{
    uint8_t buf[ARMZ_VU_HDR_SIZE + ARMZ_VU_MAX_PAYLOAD];
    union {
        char buf[CMSG_SPACE(sizeof(int) * ARMZ_VU_MAX_REGIONS)];
        struct cmsghdr align;
    } ctl;
    struct iovec iov = { buf, armz_vu_msg_bytes(m, buf, sizeof(buf)) };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
    ssize_t r;

    g_assert(nfds <= ARMZ_VU_MAX_REGIONS);
    if (nfds) {
        struct cmsghdr *c;
        memset(&ctl, 0, sizeof(ctl));
        mh.msg_control = ctl.buf;
        mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
        c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
    }
    do {
        /* MSG_NOSIGNAL: a back-end that went away is an error, not SIGPIPE */
        r = sendmsg(sock, &mh, MSG_NOSIGNAL);
    } while (r < 0 && errno == EINTR);
    if (r < 0 || (size_t)r != iov.iov_len) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot send %s to the vhost-user back-end: %s"),
                    armz_vu_request_name(m->request),
                    r < 0 ? g_strerror(errno) : _("short write"));
        return FALSE;
    }
    return TRUE;
}

/* reads exactly LEN bytes (the first chunk may carry descriptors) */
static gboolean
recv_all(int sock, uint8_t *buf, size_t len, int *fds, unsigned max_fds, unsigned *nfds,
         int timeout_ms, GError **error)
{
    size_t got = 0;

    while (got < len) {
        union {
            char buf[CMSG_SPACE(sizeof(int) * ARMZ_VU_MAX_REGIONS)];
            struct cmsghdr align;
        } ctl;
        struct iovec iov = { buf + got, len - got };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
                             .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
        struct pollfd p = { sock, POLLIN, 0 };
        ssize_t r;
        int pr;

        do {
            pr = poll(&p, 1, timeout_ms);
        } while (pr < 0 && errno == EINTR);
        if (pr == 0) {
            g_set_error(error, ARMZ_VMM_ERROR, 0,
                        _("the vhost-user back-end did not answer within %d ms"), timeout_ms);
            return FALSE;
        }
        do {
            r = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
        } while (r < 0 && errno == EINTR);
        if (r < 0 && errno == EAGAIN)
            continue;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); r > 0 && c; c = CMSG_NXTHDR(&mh, c)) {
            if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                continue;
            for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
                int fd;
                memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                if (nfds && fds && *nfds < max_fds)
                    fds[(*nfds)++] = fd;
                else
                    close(fd);
            }
        }
        if (r <= 0) {
            g_set_error(error, ARMZ_VMM_ERROR, 0,
                        _("the vhost-user back-end closed the connection%s%s"),
                        r < 0 ? ": " : "", r < 0 ? g_strerror(errno) : "");
            return FALSE;
        }
        got += (size_t)r;
    }
    return TRUE;
}

gboolean
armz_vu_recv(int sock, ArmzVuMsg *m, int *fds, unsigned max_fds, unsigned *nfds,
             int timeout_ms, GError **error)
{
    uint8_t hdr[ARMZ_VU_HDR_SIZE];
    unsigned dummy = 0;

    if (!nfds)
        nfds = &dummy;
    *nfds = 0;
    if (!recv_all(sock, hdr, sizeof(hdr), fds, max_fds, nfds, timeout_ms, error) ||
        !armz_vu_msg_parse_header(hdr, m, error))
        return FALSE;
    return recv_all(sock, m->payload, m->size, fds, max_fds, nfds, timeout_ms, error);
}

gboolean
armz_vu_exchange(int sock, ArmzVuMsg *req, const int *fds, unsigned nfds, bool need_ack,
                 ArmzVuMsg *reply, GError **error)
{
    bool has_reply = armz_vu_has_reply(req->request);
    ArmzVuMsg ack;
    uint64_t status;

    if (!has_reply && need_ack)
        req->flags |= ARMZ_VU_FLAG_NEED_REPLY;
    if (!armz_vu_send(sock, req, fds, nfds, error))
        return FALSE;
    if (!has_reply && !need_ack)
        return TRUE;
    if (!reply)
        reply = &ack;
    if (!armz_vu_recv(sock, reply, NULL, 0, NULL, ARMZ_VU_REPLY_TIMEOUT_MS, error))
        return FALSE;
    if (reply->request != req->request || !(reply->flags & ARMZ_VU_FLAG_REPLY)) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("the vhost-user back-end answered %s with message %u"),
                    armz_vu_request_name(req->request), reply->request);
        return FALSE;
    }
    if (has_reply)
        return TRUE;
    if (!armz_vu_reply_u64(reply, &status, error))
        return FALSE;
    if (status != 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("the vhost-user back-end refused %s (%llu)"),
                    armz_vu_request_name(req->request), (unsigned long long)status);
        return FALSE;
    }
    return TRUE;
}
