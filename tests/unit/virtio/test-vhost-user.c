/* The vhost-user front-end of armz-vmm: message encoding (byte for byte,
 * in the host's byte order as the protocol wants, so the s390x run checks
 * the big-endian wire; the virtio config space inside stays little-endian)
 * and the device's state machine against a fake back-end on a UNIX socket:
 * handshake, config space, the ring hand-over at DRIVER_OK with the memfd,
 * kick and call eventfds, reset, and reconnection after the back-end went
 * away, with the ring base replayed from the used index; a completed read
 * counted in the disk's statistics, once across the replay. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <glib.h>
#include <glib/gstdio.h>
#include "vtest.h"
#include "virtio/virtio.h"
#include "virtio/vhost_user.h"

#define RAM_SIZE    (1u << 20)
#define RING0       (VT_RAM_GPA + 0x1000)
#define QNUM        16
#define BLK_F_FLUSH 9
#define BLK_F_RO    5

/* ---- byte order helpers for expected wire bytes ---- */

static void
host32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[G_BYTE_ORDER == G_LITTLE_ENDIAN ? i : 3 - i] = (uint8_t)(v >> (8 * i));
}

static void
host64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[G_BYTE_ORDER == G_LITTLE_ENDIAN ? i : 7 - i] = (uint8_t)(v >> (8 * i));
}

static void
test_encode_header(void)
{
    ArmzVuMsg m;
    uint8_t buf[ARMZ_VU_HDR_SIZE + ARMZ_VU_MAX_PAYLOAD], want[20];
    size_t n;

    armz_vu_msg_init(&m, ARMZ_VU_GET_FEATURES);
    n = armz_vu_msg_bytes(&m, buf, sizeof(buf));
    g_assert_cmpuint(n, ==, 12);
    host32(want, 1);
    host32(want + 4, 1);
    host32(want + 8, 0);
    g_assert_cmpmem(buf, n, want, 12);

    armz_vu_msg_u64(&m, ARMZ_VU_SET_FEATURES, 0x0000000140000200ULL);
    n = armz_vu_msg_bytes(&m, buf, sizeof(buf));
    host32(want, 2);
    host32(want + 4, 1);
    host32(want + 8, 8);
    host64(want + 12, 0x0000000140000200ULL);
    g_assert_cmpmem(buf, n, want, 20);
}

static void
test_encode_payloads(void)
{
    ArmzVuMsg m;
    uint8_t buf[ARMZ_VU_HDR_SIZE + ARMZ_VU_MAX_PAYLOAD], want[64];
    ArmzVuVringAddr a = { 1, 0, 0x1111222233334444ULL, 0x5555666677778888ULL,
                          0x99990000aaaabbbbULL, 0 };
    ArmzVuRegion r = { 0x40000000, 0x100000, 0x7f0000200000ULL, 0 }, back[8];
    ArmzVuVringAddr aback;
    uint8_t cfg[8] = { 0x00, 0x00, 0x10, 0, 0, 0, 0, 0 };    /* le64 capacity 0x100000 */
    uint32_t idx, num;
    unsigned nr;
    size_t n;

    armz_vu_msg_state(&m, ARMZ_VU_SET_VRING_NUM, 1, 256);
    n = armz_vu_msg_bytes(&m, buf, sizeof(buf));
    g_assert_cmpuint(n, ==, 20);
    host32(want, 1);
    host32(want + 4, 256);
    g_assert_cmpmem(buf + 12, 8, want, 8);
    g_assert_true(armz_vu_req_state(&m, &idx, &num));
    g_assert_cmpuint(idx, ==, 1);
    g_assert_cmpuint(num, ==, 256);

    armz_vu_msg_addr(&m, &a);
    n = armz_vu_msg_bytes(&m, buf, sizeof(buf));
    g_assert_cmpuint(n, ==, 12 + 40);
    host32(want, 1);
    host32(want + 4, 0);
    host64(want + 8, a.desc);
    host64(want + 16, a.used);      /* used before avail on the wire */
    host64(want + 24, a.avail);
    host64(want + 32, 0);
    g_assert_cmpmem(buf + 12, 40, want, 40);
    g_assert_true(armz_vu_req_addr(&m, &aback));
    g_assert_cmphex(aback.avail, ==, a.avail);

    armz_vu_msg_mem(&m, &r, 1);
    n = armz_vu_msg_bytes(&m, buf, sizeof(buf));
    g_assert_cmpuint(n, ==, 12 + 8 + 32);       /* nregions, padding, one region */
    host32(want, 1);
    host32(want + 4, 0);
    host64(want + 8, r.gpa);
    host64(want + 16, r.size);
    host64(want + 24, r.uaddr);
    host64(want + 32, 0);
    g_assert_cmpmem(buf + 12, 40, want, 40);
    g_assert_true(armz_vu_req_mem(&m, back, &nr));
    g_assert_cmpuint(nr, ==, 1);
    g_assert_cmphex(back[0].uaddr, ==, r.uaddr);

    /* config bytes are the guest's little-endian config space, untouched */
    armz_vu_msg_config(&m, ARMZ_VU_GET_CONFIG, 0, 8, cfg);
    n = armz_vu_msg_bytes(&m, buf, sizeof(buf));
    g_assert_cmpuint(n, ==, 12 + 12 + 8);
    host32(want, 0);
    host32(want + 4, 8);
    host32(want + 8, 0);
    g_assert_cmpmem(buf + 12, 12, want, 12);
    g_assert_cmpmem(buf + 24, 8, cfg, 8);
}

static void
test_decode_errors(void)
{
    uint8_t hdr[12];
    ArmzVuMsg m;
    uint64_t v;
    uint8_t cfg[8];
    g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL, e4 = NULL;

    host32(hdr, 1);
    host32(hdr + 4, ARMZ_VU_VERSION | ARMZ_VU_FLAG_REPLY);
    host32(hdr + 8, 100000);
    g_assert_false(armz_vu_msg_parse_header(hdr, &m, &e1));
    g_assert_nonnull(e1);
    host32(hdr + 4, 2 | ARMZ_VU_FLAG_REPLY);    /* version 2 */
    host32(hdr + 8, 8);
    g_assert_false(armz_vu_msg_parse_header(hdr, &m, &e2));
    g_assert_nonnull(e2);
    host32(hdr + 4, ARMZ_VU_VERSION | ARMZ_VU_FLAG_REPLY);
    host32(hdr + 8, 4);
    g_assert_true(armz_vu_msg_parse_header(hdr, &m, NULL));
    g_assert_false(armz_vu_reply_u64(&m, &v, &e3));    /* 4 bytes for a u64 */
    armz_vu_msg_config(&m, ARMZ_VU_GET_CONFIG, 0, 4, NULL);
    g_assert_false(armz_vu_reply_config(&m, 8, cfg, &e4));
    g_assert_true(armz_vu_has_reply(ARMZ_VU_GET_VRING_BASE));
    g_assert_false(armz_vu_has_reply(ARMZ_VU_SET_VRING_BASE));
}

/* ---- the fake back-end ---- */

typedef struct {
    unsigned session;
    ArmzVuMsg msg;
    int fds[8];
    unsigned nfds;
} Rec;

typedef struct {
    char *dir, *path;
    int lsock, sess;
    GMutex lock;
    GCond cond;
    GPtrArray *recs;
    unsigned sessions;
    int drop, relisten, stop;          /* atomics set by the test */
    uint64_t features, protocol;
    uint8_t config[ARMZ_VU_MAX_CONFIG];
    uint32_t vring_base;
    pthread_t thread;
} Be;

static void
rec_free(gpointer p)
{
    Rec *r = p;
    for (unsigned i = 0; i < r->nfds; i++)
        close(r->fds[i]);
    g_free(r);
}

static int
be_listen(Be *be)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    g_strlcpy(sa.sun_path, be->path, sizeof(sa.sun_path));
    g_assert_cmpint(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    g_assert_cmpint(listen(fd, 4), ==, 0);
    return fd;
}

static void
be_reply(Be *be, const ArmzVuMsg *req)
{
    ArmzVuMsg r;
    uint32_t idx, num;

    switch (req->request) {
    case ARMZ_VU_GET_FEATURES:
        armz_vu_msg_u64(&r, req->request, be->features);
        break;
    case ARMZ_VU_GET_PROTOCOL_FEATURES:
        armz_vu_msg_u64(&r, req->request, be->protocol);
        break;
    case ARMZ_VU_GET_QUEUE_NUM:
        armz_vu_msg_u64(&r, req->request, 1);
        break;
    case ARMZ_VU_GET_CONFIG:
        armz_vu_msg_config(&r, ARMZ_VU_GET_CONFIG, 0, req->size - 12, be->config);
        break;
    case ARMZ_VU_GET_VRING_BASE:
        g_assert_true(armz_vu_req_state(req, &idx, &num));
        armz_vu_msg_state(&r, req->request, idx, be->vring_base);
        break;
    default:
        if (!(req->flags & ARMZ_VU_FLAG_NEED_REPLY))
            return;
        armz_vu_msg_u64(&r, req->request, 0);
        break;
    }
    r.flags = ARMZ_VU_VERSION | ARMZ_VU_FLAG_REPLY;
    g_assert_true(armz_vu_send(be->sess, &r, NULL, 0, NULL));
}

static void *
be_thread(void *opaque)
{
    Be *be = opaque;

    while (!g_atomic_int_get(&be->stop)) {
        struct pollfd p;
        if (g_atomic_int_get(&be->drop)) {
            /* the daemon dies: its connection and its socket go */
            if (be->sess >= 0)
                close(be->sess);
            if (be->lsock >= 0)
                close(be->lsock);
            be->sess = be->lsock = -1;
            g_unlink(be->path);
            g_atomic_int_set(&be->drop, 0);
        }
        if (be->lsock < 0) {
            if (g_atomic_int_get(&be->relisten)) {
                g_atomic_int_set(&be->relisten, 0);
                be->lsock = be_listen(be);
            }
            g_usleep(10 * 1000);
            continue;
        }
        p.fd = be->sess >= 0 ? be->sess : be->lsock;
        p.events = POLLIN;
        if (poll(&p, 1, 20) <= 0)
            continue;
        if (be->sess < 0) {
            be->sess = accept4(be->lsock, NULL, NULL, SOCK_CLOEXEC);
            g_mutex_lock(&be->lock);
            be->sessions++;
            g_mutex_unlock(&be->lock);
            continue;
        }
        {
            Rec *r = g_new0(Rec, 1);
            if (!armz_vu_recv(be->sess, &r->msg, r->fds, 8, &r->nfds, 1000, NULL)) {
                g_free(r);
                close(be->sess);
                be->sess = -1;
                continue;
            }
            g_mutex_lock(&be->lock);
            r->session = be->sessions;
            g_ptr_array_add(be->recs, r);
            g_cond_broadcast(&be->cond);
            g_mutex_unlock(&be->lock);
            be_reply(be, &r->msg);
        }
    }
    return NULL;
}

static Be *
be_new(uint64_t features, uint64_t protocol)
{
    Be *be = g_new0(Be, 1);

    be->dir = g_dir_make_tmp("armz-vu-XXXXXX", NULL);
    be->path = g_build_filename(be->dir, "be.sock", NULL);
    g_mutex_init(&be->lock);
    g_cond_init(&be->cond);
    be->recs = g_ptr_array_new_with_free_func(rec_free);
    be->features = features;
    be->protocol = protocol;
    be->sess = -1;
    be->lsock = be_listen(be);
    g_assert_cmpint(pthread_create(&be->thread, NULL, be_thread, be), ==, 0);
    return be;
}

static void
be_free(Be *be)
{
    g_atomic_int_set(&be->stop, 1);
    pthread_join(be->thread, NULL);
    if (be->sess >= 0)
        close(be->sess);
    if (be->lsock >= 0)
        close(be->lsock);
    g_unlink(be->path);
    g_rmdir(be->dir);
    g_ptr_array_unref(be->recs);
    g_mutex_clear(&be->lock);
    g_cond_clear(&be->cond);
    g_free(be->path);
    g_free(be->dir);
    g_free(be);
}

/* the last message REQ of SESSION, waiting up to 5 s for it */
static Rec *
be_wait(Be *be, unsigned session, uint32_t req)
{
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    Rec *found = NULL;

    g_mutex_lock(&be->lock);
    for (;;) {
        for (guint i = be->recs->len; i-- > 0 && !found;) {
            Rec *r = g_ptr_array_index(be->recs, i);
            if (r->session == session && r->msg.request == req)
                found = r;
        }
        if (found || !g_cond_wait_until(&be->cond, &be->lock, end))
            break;
    }
    g_mutex_unlock(&be->lock);
    g_assert_nonnull(found);
    return found;
}

/* the requests of SESSION in order, as a string of names */
static char *
be_sequence(Be *be, unsigned session)
{
    GString *s = g_string_new(NULL);

    g_mutex_lock(&be->lock);
    for (guint i = 0; i < be->recs->len; i++) {
        Rec *r = g_ptr_array_index(be->recs, i);
        if (r->session == session)
            g_string_append_printf(s, "%s%s", s->len ? " " : "",
                                   armz_vu_request_name(r->msg.request));
    }
    g_mutex_unlock(&be->lock);
    return g_string_free(s, FALSE);
}

static uint64_t
rec_u64(const Rec *r)
{
    uint64_t v;
    g_assert_true(armz_vu_reply_u64(&r->msg, &v, NULL));
    return v;
}

/* ---- guest memory from a memfd, a fake transport ---- */

static VtMem *
memfd_mem(void)
{
    VtMem *m = g_new0(VtMem, 1);
    int fd = memfd_create("test-ram", MFD_CLOEXEC);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, RAM_SIZE), ==, 0);
    m->map = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    g_assert(m->map != MAP_FAILED);
    m->map_len = RAM_SIZE;
    m->mem.host = m->map;
    m->mem.gpa = VT_RAM_GPA;
    m->mem.size = RAM_SIZE;
    m->mem.fd = fd;
    m->mem.has_fd = true;
    return m;
}

static void
memfd_mem_free(VtMem *m)
{
    close(m->mem.fd);
    vt_mem_free(m);
}

typedef struct {
    int vring[8];               /* atomic */
    int config;                 /* atomic: config change interrupts */
} Fake;

static void
fake_interrupt(void *opaque, ArmzVirtioIntCause cause, unsigned queue)
{
    Fake *f = opaque;
    if (cause == ARMZ_VIRTIO_INT_VRING && queue < 8)
        g_atomic_int_inc(&f->vring[queue]);
    else if (cause == ARMZ_VIRTIO_INT_CONFIG)
        g_atomic_int_inc(&f->config);
}

static const ArmzVirtioTransport fake_transport = { .interrupt = fake_interrupt };

static void
set_status(ArmzVirtioDev *d, uint8_t s)
{
    armz_virtio_lock(d);
    armz_virtio_set_status(d, s);
    armz_virtio_unlock(d);
}

/* the driver: features, queue 0 over DRV, DRIVER_OK */
static void
drive_up(ArmzVirtioDev *d, uint64_t features, VtDrv *drv)
{
    uint8_t s = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;
    set_status(d, 0);
    set_status(d, s);
    armz_virtio_lock(d);
    armz_virtio_set_driver_features(d, 0, (uint32_t)features);
    armz_virtio_set_driver_features(d, 1, (uint32_t)(features >> 32));
    armz_virtio_unlock(d);
    s |= VIRTIO_STATUS_FEATURES_OK;
    set_status(d, s);
    armz_virtio_lock(d);
    g_assert_true(armz_virtio_status(d) & VIRTIO_STATUS_FEATURES_OK);
    armz_virtio_queue_set_num(d, 0, drv->num);
    armz_virtio_queue_set_addr(d, 0, ARMZ_VIRTQ_AREA_DESC, false, (uint32_t)drv->desc);
    armz_virtio_queue_set_addr(d, 0, ARMZ_VIRTQ_AREA_DRIVER, false, (uint32_t)drv->avail);
    armz_virtio_queue_set_addr(d, 0, ARMZ_VIRTQ_AREA_DEVICE, false, (uint32_t)drv->used);
    armz_virtio_queue_set_ready(d, 0, true);
    armz_virtio_unlock(d);
    set_status(d, s | VIRTIO_STATUS_DRIVER_OK);
}

static bool
fd_readable(int fd, int timeout_ms)
{
    struct pollfd p = { fd, POLLIN, 0 };
    return poll(&p, 1, timeout_ms) == 1;
}

#define BE_FEATURES (VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX) | \
                     VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | VIRTIO_BIT(BLK_F_FLUSH) | \
                     VIRTIO_BIT(ARMZ_VU_F_PROTOCOL_FEATURES) | VIRTIO_BIT(34) /* packed */)
#define BE_PROTOCOL ((1ULL << ARMZ_VU_PROTOCOL_F_MQ) | (1ULL << ARMZ_VU_PROTOCOL_F_REPLY_ACK) | \
                     (1ULL << ARMZ_VU_PROTOCOL_F_CONFIG) | (1ULL << 12) /* inflight */)

/* what a connection starts with, and the hand-over of one ring */
#define HANDSHAKE "GET_FEATURES GET_PROTOCOL_FEATURES SET_PROTOCOL_FEATURES SET_OWNER"
#define HANDOVER "SET_FEATURES SET_MEM_TABLE SET_VRING_NUM SET_VRING_BASE SET_VRING_ADDR " \
                 "SET_VRING_KICK SET_VRING_CALL SET_VRING_ENABLE"

/* armz_vhost_user_blk_refresh(D, SIZE): the guest sees SECTORS, with config
 * change interrupt number N */
static void
check_refresh(ArmzVirtioDev *d, uint64_t size, uint64_t sectors, Fake *fake, int n)
{
    g_autoptr(GError) err = NULL;
    uint64_t bytes = 0;

    g_assert_true(armz_vhost_user_blk_refresh(d, size, &bytes, &err));
    g_assert_no_error(err);
    g_assert_cmphex(bytes, ==, sectors * 512);
    armz_virtio_lock(d);
    g_assert_cmphex(armz_virtio_config_read(d, 0, 8), ==, sectors);
    armz_virtio_unlock(d);
    g_assert_cmpint(g_atomic_int_get(&fake->config), ==, n);
}

static void
test_blk_state_machine(void)
{
    Be *be = be_new(BE_FEATURES, BE_PROTOCOL);
    VtMem *m = memfd_mem();
    ArmzVhostUserOpt o = { .kind = ARMZ_VHOST_USER_BLK, .socket = be->path, .id = "disk0" };
    uint64_t drv_features = VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX) |
                            VIRTIO_BIT(BLK_F_FLUSH);
    g_autoptr(GError) err = NULL;
    g_autofree char *seq1 = NULL, *seq2 = NULL;
    Fake fake = { { 0 } };
    ArmzVirtioDev *d;
    ArmzVuRegion reg[8];
    ArmzVuVringAddr a;
    VtDrv drv;
    Rec *r;
    uint8_t *shared;
    uint32_t idx, num;
    unsigned nr;
    int kick, call;

    armz_st_le64(be->config, 0x200000);     /* capacity in sectors */
    d = armz_vhost_user_new(&o, 0, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(armz_virtio_device_id(d), ==, 2);
    g_assert_cmpuint(armz_virtio_num_queues(d), ==, 1);
    /* offered: the back-end's bits that fit a split ring, never bit 30 */
    g_assert_cmphex(armz_virtio_device_features(d), ==,
                    BE_FEATURES & ~(VIRTIO_BIT(ARMZ_VU_F_PROTOCOL_FEATURES) | VIRTIO_BIT(34)));
    armz_virtio_lock(d);
    g_assert_cmphex(armz_virtio_config_read(d, 0, 8), ==, 0x200000);
    armz_virtio_unlock(d);
    r = be_wait(be, 1, ARMZ_VU_SET_PROTOCOL_FEATURES);
    g_assert_cmphex(rec_u64(r), ==, BE_PROTOCOL & ~(1ULL << 12));

    armz_virtio_dev_bind(d, &fake_transport, &fake, &m->mem);
    vt_drv_init(&drv, m, QNUM, RING0);
    drive_up(d, drv_features, &drv);

    r = be_wait(be, 1, ARMZ_VU_SET_VRING_ENABLE);
    seq1 = be_sequence(be, 1);
    g_assert_cmpstr(seq1, ==, HANDSHAKE " GET_CONFIG " HANDOVER);
    g_assert_true(armz_vu_req_state(&r->msg, &idx, &num));
    g_assert_cmpuint(num, ==, 1);
    /* REPLY_ACK: every SET_ asks for an answer */
    g_assert_true(r->msg.flags & ARMZ_VU_FLAG_NEED_REPLY);
    r = be_wait(be, 1, ARMZ_VU_SET_FEATURES);
    g_assert_cmphex(rec_u64(r), ==, drv_features | VIRTIO_BIT(ARMZ_VU_F_PROTOCOL_FEATURES));

    /* the memory table: guest RAM at its address in this process, and a
     * memfd that maps the very same pages */
    r = be_wait(be, 1, ARMZ_VU_SET_MEM_TABLE);
    g_assert_true(armz_vu_req_mem(&r->msg, reg, &nr));
    g_assert_cmpuint(nr, ==, 1);
    g_assert_cmphex(reg[0].gpa, ==, VT_RAM_GPA);
    g_assert_cmphex(reg[0].size, ==, RAM_SIZE);
    g_assert_cmphex(reg[0].uaddr, ==, (uint64_t)(uintptr_t)m->mem.host);
    g_assert_cmpuint(r->nfds, ==, 1);
    shared = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, r->fds[0], 0);
    g_assert(shared != MAP_FAILED);
    m->mem.host[0x5000] = 0xa5;
    g_assert_cmpuint(shared[0x5000], ==, 0xa5);
    munmap(shared, RAM_SIZE);

    r = be_wait(be, 1, ARMZ_VU_SET_VRING_ADDR);
    g_assert_true(armz_vu_req_addr(&r->msg, &a));
    g_assert_cmpuint(a.index, ==, 0);
    g_assert_cmphex(a.desc, ==, (uint64_t)(uintptr_t)vt_ptr(m, drv.desc));
    g_assert_cmphex(a.avail, ==, (uint64_t)(uintptr_t)vt_ptr(m, drv.avail));
    g_assert_cmphex(a.used, ==, (uint64_t)(uintptr_t)vt_ptr(m, drv.used));
    r = be_wait(be, 1, ARMZ_VU_SET_VRING_BASE);
    g_assert_true(armz_vu_req_state(&r->msg, &idx, &num));
    g_assert_cmpuint(num, ==, 0);
    r = be_wait(be, 1, ARMZ_VU_SET_VRING_NUM);
    g_assert_true(armz_vu_req_state(&r->msg, &idx, &num));
    g_assert_cmpuint(num, ==, QNUM);

    /* kick: the guest's notification reaches the back-end's fd; call: the
     * back-end's fd becomes the device's interrupt for queue 0 */
    kick = be_wait(be, 1, ARMZ_VU_SET_VRING_KICK)->fds[0];
    call = be_wait(be, 1, ARMZ_VU_SET_VRING_CALL)->fds[0];
    {
        uint64_t v;
        g_assert_true(fd_readable(kick, 1000));    /* the kick after hand-over */
        g_assert_cmpint(read(kick, &v, 8), ==, 8);
        g_assert_false(fd_readable(kick, 0));
        armz_virtio_queue_notify(d, 0);
        g_assert_true(fd_readable(kick, 1000));
        g_assert_cmpint(read(kick, &v, 8), ==, 8);
        int before;
        /* the hand-over itself interrupts once (completions a previous
         * back-end may not have signalled) */
        for (int i = 0; i < 200 && !g_atomic_int_get(&fake.vring[0]); i++)
            g_usleep(10 * 1000);
        g_assert_cmpint(g_atomic_int_get(&fake.vring[0]), ==, 1);
        before = g_atomic_int_get(&fake.vring[0]);
        v = 1;
        g_assert_cmpint(write(call, &v, 8), ==, 8);
        for (int i = 0; i < 200 && g_atomic_int_get(&fake.vring[0]) == before; i++)
            g_usleep(10 * 1000);
        g_assert_cmpint(g_atomic_int_get(&fake.vring[0]), ==, before + 1);
    }

    /* the back-end completes a read of 4 KiB: armz-vmm counts it off the
     * rings (query-blockstats, under the device's id) */
    {
        VtBuf b[3] = { { VT_RAM_GPA + 0x10000, 16, false },
                       { VT_RAM_GPA + 0x11000, 4096, true },
                       { VT_RAM_GPA + 0x12000, 1, true } };
        const char *name = NULL;
        ArmzBlkStats st;
        uint64_t v = 1;
        uint16_t head;
        int before = g_atomic_int_get(&fake.vring[0]);

        memset(vt_ptr(m, VT_RAM_GPA + 0x10000), 0, 16);    /* VIRTIO_BLK_T_IN */
        head = vt_add(&drv, b, 3);
        *vt_ptr(m, VT_RAM_GPA + 0x12000) = 0;               /* VIRTIO_BLK_S_OK */
        armz_st_le32(vt_ptr(m, drv.used + 4), head);
        armz_st_le32(vt_ptr(m, drv.used + 8), 4097);
        armz_st_le16(vt_ptr(m, drv.used + 2), 1);
        g_assert_cmpint(write(call, &v, 8), ==, 8);
        for (int i = 0; i < 200 && g_atomic_int_get(&fake.vring[0]) == before; i++)
            g_usleep(10 * 1000);
        g_assert_true(armz_vhost_user_blk_stats(d, &name, &st));
        g_assert_cmpstr(name, ==, "disk0");
        g_assert_cmpuint(st.rd_ops, ==, 1);
        g_assert_cmpuint(st.rd_bytes, ==, 4096);
    }

    /* the back-end dies after completing 3 requests; it comes back and
     * gets everything again, its ring resuming at used->idx */
    armz_st_le16(vt_ptr(m, drv.used) + 2, 3);
    g_atomic_int_set(&be->drop, 1);
    g_usleep(300 * 1000);
    armz_virtio_queue_notify(d, 0);     /* the guest goes on meanwhile */
    g_assert_cmpuint(armz_virtio_status(d) & VIRTIO_STATUS_NEEDS_RESET, ==, 0);
    g_atomic_int_set(&be->relisten, 1);
    r = be_wait(be, 2, ARMZ_VU_SET_VRING_ENABLE);
    seq2 = be_sequence(be, 2);
    g_assert_cmpstr(seq2, ==, HANDSHAKE " " HANDOVER);
    r = be_wait(be, 2, ARMZ_VU_SET_VRING_BASE);
    g_assert_true(armz_vu_req_state(&r->msg, &idx, &num));
    g_assert_cmpuint(num, ==, 3);
    g_assert_cmphex(rec_u64(be_wait(be, 2, ARMZ_VU_SET_FEATURES)), ==,
                    drv_features | VIRTIO_BIT(ARMZ_VU_F_PROTOCOL_FEATURES));
    g_assert_cmpuint(be_wait(be, 2, ARMZ_VU_SET_MEM_TABLE)->nfds, ==, 1);
    /* the driver was interrupted at the loss and again after the replay */
    for (int i = 0; i < 200 && g_atomic_int_get(&fake.vring[0]) < 3; i++)
        g_usleep(10 * 1000);
    g_assert_cmpint(g_atomic_int_get(&fake.vring[0]), >=, 3);
    /* the same kick fd, with the notification made while it was away */
    g_assert_true(fd_readable(be_wait(be, 2, ARMZ_VU_SET_VRING_KICK)->fds[0], 1000));

    /* the back-end resized the disk (block_resize in the storage daemon):
     * its config is read again, the guest gets a config change */
    g_mutex_lock(&be->lock);
    armz_st_le64(be->config, 0x300000);
    g_mutex_unlock(&be->lock);
    g_assert_false(armz_vhost_user_blk_is(d, "disk1"));
    g_assert_true(armz_vhost_user_blk_is(d, "disk0"));
    check_refresh(d, 0, 0x300000, &fake, 1);
    /* a back-end that keeps its old capacity (qemu-storage-daemon 7.2):
     * the size the caller gives wins */
    check_refresh(d, 0x400000ULL * 512, 0x400000, &fake, 2);
    /* the replay counted nothing again */
    {
        const char *name;
        ArmzBlkStats st;
        g_assert_true(armz_vhost_user_blk_stats(d, &name, &st));
        g_assert_cmpuint(st.rd_ops, ==, 1);
    }

    /* reset: the back-end stops the ring */
    be->vring_base = 3;
    armz_virtio_dev_reset(d);
    r = be_wait(be, 2, ARMZ_VU_GET_VRING_BASE);
    g_assert_true(armz_vu_req_state(&r->msg, &idx, &num));
    g_assert_cmpuint(idx, ==, 0);
    r = be_wait(be, 2, ARMZ_VU_SET_VRING_ENABLE);
    g_assert_true(armz_vu_req_state(&r->msg, &idx, &num));
    g_assert_cmpuint(num, ==, 0);

    armz_virtio_dev_free(d);
    memfd_mem_free(m);
    be_free(be);
}

static void
test_blk_readonly_and_refusals(void)
{
    Be *be = be_new(BE_FEATURES, BE_PROTOCOL);
    Be *noconf = be_new(BE_FEATURES, 1ULL << ARMZ_VU_PROTOCOL_F_REPLY_ACK);
    Be *v0 = be_new(VIRTIO_BIT(ARMZ_VU_F_PROTOCOL_FEATURES), BE_PROTOCOL);
    VtMem *m = memfd_mem();
    ArmzVhostUserOpt o = { .kind = ARMZ_VHOST_USER_BLK, .socket = be->path, .readonly = TRUE };
    uint64_t drv_features = VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(BLK_F_RO);
    g_autoptr(GError) e1 = NULL, e2 = NULL;
    Fake fake = { { 0 } };
    ArmzVirtioDev *d;
    VtDrv drv;

    d = armz_vhost_user_new(&o, 0, NULL);
    g_assert_nonnull(d);
    /* readonly=on: RO offered by us, not passed to a back-end without it */
    g_assert_true(armz_virtio_device_features(d) & VIRTIO_BIT(BLK_F_RO));
    armz_virtio_dev_bind(d, &fake_transport, &fake, &m->mem);
    vt_drv_init(&drv, m, QNUM, RING0);
    drive_up(d, drv_features, &drv);
    g_assert_cmphex(rec_u64(be_wait(be, 1, ARMZ_VU_SET_FEATURES)), ==,
                    VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(ARMZ_VU_F_PROTOCOL_FEATURES));
    armz_virtio_dev_free(d);

    /* a disk without its config space, a back-end without virtio 1 */
    o.readonly = FALSE;
    o.socket = noconf->path;
    g_assert_null(armz_vhost_user_new(&o, 1, &e1));
    g_assert_nonnull(strstr(e1->message, "CONFIG"));
    o.socket = v0->path;
    g_assert_null(armz_vhost_user_new(&o, 2, &e2));
    g_assert_nonnull(strstr(e2->message, "VERSION_1"));

    memfd_mem_free(m);
    be_free(be);
    be_free(noconf);
    be_free(v0);
}

static int
connect_to(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    return fd;
}

/* device_add's way: a socket the daemon connected (the path is where it
 * would reconnect, unreachable here); on refusal the socket is closed */
static void
test_blk_on_a_connected_fd(void)
{
    Be *be = be_new(BE_FEATURES, BE_PROTOCOL);
    Be *noconf = be_new(BE_FEATURES, 1ULL << ARMZ_VU_PROTOCOL_F_REPLY_ACK);
    VtMem *m = memfd_mem();
    ArmzVhostUserOpt o = { .kind = ARMZ_VHOST_USER_BLK, .socket = "/nonexistent/vdb.sock",
                           .id = "virtio-disk1" };
    g_autoptr(GError) err = NULL;
    Fake fake = { { 0 } };
    ArmzVirtioDev *d;
    VtDrv drv;
    int fd;

    d = armz_vhost_user_new_fd(&o, 0, connect_to(be->path), &err);
    g_assert_no_error(err);
    g_assert_true(armz_vhost_user_blk_is(d, "virtio-disk1"));
    armz_virtio_dev_bind(d, &fake_transport, &fake, &m->mem);
    vt_drv_init(&drv, m, QNUM, RING0);
    drive_up(d, VIRTIO_BIT(VIRTIO_F_VERSION_1), &drv);
    /* the memory table went over the given socket, with the memfd */
    g_assert_cmpuint(be_wait(be, 1, ARMZ_VU_SET_MEM_TABLE)->nfds, ==, 1);
    armz_virtio_dev_free(d);

    fd = connect_to(noconf->path);
    g_assert_null(armz_vhost_user_new_fd(&o, 1, fd, &err));
    g_assert_nonnull(strstr(err->message, "CONFIG"));
    g_assert_cmpint(fcntl(fd, F_GETFD), <, 0);

    memfd_mem_free(m);
    be_free(be);
    be_free(noconf);
}

static void
test_fs_device(void)
{
    Be *be = be_new(VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(ARMZ_VU_F_PROTOCOL_FEATURES),
                    (1ULL << ARMZ_VU_PROTOCOL_F_MQ) | (1ULL << ARMZ_VU_PROTOCOL_F_REPLY_ACK));
    ArmzVhostUserOpt o = { .kind = ARMZ_VHOST_USER_FS, .socket = be->path, .tag = "share",
                           .queue_size = 128 };
    g_autoptr(GError) err = NULL;
    ArmzVirtioDev *d = armz_vhost_user_new(&o, 0, &err);
    uint8_t want[40] = "share";
    g_autofree char *seq = NULL;

    g_assert_no_error(err);
    g_assert_cmpuint(armz_virtio_device_id(d), ==, 26);
    g_assert_cmpuint(armz_virtio_num_queues(d), ==, 2);    /* hiprio + 1 request queue */
    armz_virtio_lock(d);
    g_assert_cmpuint(armz_virtio_queue_num_max(d, 1), ==, 128);
    armz_virtio_unlock(d);
    want[36] = 1;       /* le32 num_request_queues */
    g_assert_cmpmem(armz_virtio_config(d), 40, want, 40);
    /* no GET_CONFIG: the tag is ours */
    be_wait(be, 1, ARMZ_VU_SET_OWNER);
    seq = be_sequence(be, 1);
    g_assert_cmpstr(seq, ==, HANDSHAKE);
    {
        const char *name;
        ArmzBlkStats st;
        g_assert_false(armz_vhost_user_blk_stats(d, &name, &st));     /* not a disk */
    }
    armz_virtio_dev_free(d);
    be_free(be);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vhost-user/encode-header", test_encode_header);
    g_test_add_func("/vhost-user/encode-payloads", test_encode_payloads);
    g_test_add_func("/vhost-user/decode-errors", test_decode_errors);
    g_test_add_func("/vhost-user/blk-state-machine", test_blk_state_machine);
    g_test_add_func("/vhost-user/blk-readonly-refusals", test_blk_readonly_and_refusals);
    g_test_add_func("/vhost-user/fs", test_fs_device);
    g_test_add_func("/vhost-user/blk-connected-fd", test_blk_on_a_connected_fd);
    return g_test_run();
}
