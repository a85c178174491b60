/* virtio-vsock (5.10) through the host kernel's vhost-vsock: the receive
 * and transmit queues are served by /dev/vhost-vsock, which reads and
 * writes guest memory itself (no copy here).  armz-vmm hands it the memory
 * table, the rings and two eventfds per queue: the kick eventfd is the
 * core's notify eventfd of the queue (KVM_IOEVENTFD writes it without a
 * VM exit, the transport otherwise), and a thread turns the call eventfd
 * into the device's interrupt (there is no irqfd without an in-kernel
 * irqchip, and the transport owns the interrupt state).  The event queue
 * (transport resets, after a migration) is never used. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <linux/vhost.h>
#include <glib/gi18n-lib.h>
#include "virtio/virtio.h"
#include "vmmlog.h"
#include "sandbox/seccomp.h"

#define VSOCK_QUEUE_SIZE 128
#define VSOCK_VHOST_QUEUES 2        /* rx, tx; the event queue stays here */
#define VSOCK_DEVICE "/dev/vhost-vsock"

typedef struct {
    int vhost_fd;
    uint64_t cid;
    uint64_t vhost_features;
    int call_fd[VSOCK_VHOST_QUEUES];
    int stop_fd;                    /* eventfd: ends the call thread */
    pthread_t thread;
    bool thread_started;
    bool running;
    ArmzVirtioDev *dev;
} Vsock;

static void
vhost_warn(Vsock *v, const char *what)
{
    armz_vmm_warn(_("virtio-vsock: %s failed: %s"), what, g_strerror(errno));
}

/* The call eventfds: used buffers vhost put on a queue. */
static void *
call_thread(void *opaque)
{
    Vsock *v = opaque;

    /* polls, reads eventfds and raises interrupts: a worker's list */
    armz_seccomp_enter(ARMZ_SANDBOX_WORKER);
    for (;;) {
        struct pollfd p[3] = { { v->call_fd[0], POLLIN, 0 }, { v->call_fd[1], POLLIN, 0 },
                               { v->stop_fd, POLLIN, 0 } };
        uint64_t n;

        if (poll(p, 3, -1) < 0) {
            if (errno == EINTR)
                continue;
            return NULL;
        }
        if (p[2].revents)
            return NULL;
        for (unsigned q = 0; q < VSOCK_VHOST_QUEUES; q++)
            if (p[q].revents && read(v->call_fd[q], &n, sizeof(n)) == sizeof(n))
                armz_virtio_interrupt_queue(v->dev, q);
    }
}

static void
vsock_set_features(ArmzVirtioDev *d, uint64_t features)
{
    Vsock *v = armz_virtio_priv(d);
    uint64_t f = features & v->vhost_features;

    if (ioctl(v->vhost_fd, VHOST_SET_FEATURES, &f) < 0)
        vhost_warn(v, "VHOST_SET_FEATURES");
}

static bool
vring_setup(ArmzVirtioDev *d, Vsock *v, const ArmzGuestMem *mem, unsigned q)
{
    uint64_t gpa[3];
    uint32_t num = armz_virtio_queue_num(d, q);
    struct vhost_vring_state st = { .index = q, .num = num };
    struct vhost_vring_state base = { .index = q, .num = 0 };
    struct vhost_vring_addr addr = { .index = q };
    struct vhost_vring_file kick = { .index = q, .fd = armz_virtio_queue_notify_fd(d, q) };
    struct vhost_vring_file call = { .index = q, .fd = v->call_fd[q] };
    static const size_t desc_len = 16, avail_len = 6, used_len = 6;
    uint8_t *desc, *avail, *used;

    for (unsigned a = 0; a < 3; a++)
        gpa[a] = (uint64_t)armz_virtio_queue_addr(d, q, (ArmzVirtqArea)a, true) << 32 |
                 armz_virtio_queue_addr(d, q, (ArmzVirtqArea)a, false);
    desc = armz_gmem_ptr(mem, gpa[0], desc_len * num);
    avail = armz_gmem_ptr(mem, gpa[1], avail_len + 2 * num);
    used = armz_gmem_ptr(mem, gpa[2], used_len + 8 * num);
    if (!num || !armz_virtio_queue_ready(d, q) || !desc || !avail || !used)
        return false;       /* the core marked the queue broken already */
    addr.desc_user_addr = (uintptr_t)desc;
    addr.avail_user_addr = (uintptr_t)avail;
    addr.used_user_addr = (uintptr_t)used;
    if (ioctl(v->vhost_fd, VHOST_SET_VRING_NUM, &st) < 0 ||
        ioctl(v->vhost_fd, VHOST_SET_VRING_BASE, &base) < 0 ||
        ioctl(v->vhost_fd, VHOST_SET_VRING_ADDR, &addr) < 0 ||
        ioctl(v->vhost_fd, VHOST_SET_VRING_KICK, &kick) < 0 ||
        ioctl(v->vhost_fd, VHOST_SET_VRING_CALL, &call) < 0) {
        vhost_warn(v, "setting up a vring");
        return false;
    }
    return true;
}

/* Lock held: the driver is live; vhost takes the rings over. */
static void
vsock_driver_ok(ArmzVirtioDev *d)
{
    Vsock *v = armz_virtio_priv(d);
    const ArmzGuestMem *mem = armz_virtio_mem(d);
    struct {
        struct vhost_memory hdr;
        struct vhost_memory_region region;
    } table;
    int on = 1;

    memset(&table, 0, sizeof(table));
    table.hdr.nregions = 1;
    table.region.guest_phys_addr = mem->gpa;
    table.region.memory_size = mem->size;
    table.region.userspace_addr = (uintptr_t)mem->host;
    if (ioctl(v->vhost_fd, VHOST_SET_MEM_TABLE, &table) < 0) {
        vhost_warn(v, "VHOST_SET_MEM_TABLE");
        return;
    }
    for (unsigned q = 0; q < VSOCK_VHOST_QUEUES; q++)
        if (!vring_setup(d, v, mem, q))
            return;
    if (ioctl(v->vhost_fd, VHOST_VSOCK_SET_RUNNING, &on) < 0) {
        vhost_warn(v, "VHOST_VSOCK_SET_RUNNING");
        return;
    }
    v->running = true;
}

static void
vsock_reset(ArmzVirtioDev *d)
{
    Vsock *v = armz_virtio_priv(d);
    int off = 0;

    if (v->running && ioctl(v->vhost_fd, VHOST_VSOCK_SET_RUNNING, &off) < 0)
        vhost_warn(v, "VHOST_VSOCK_SET_RUNNING");
    v->running = false;
}

static void
vsock_free(void *priv)
{
    Vsock *v = priv;
    uint64_t one = 1;

    if (v->thread_started) {
        if (write(v->stop_fd, &one, sizeof(one)) == sizeof(one))
            pthread_join(v->thread, NULL);
    }
    for (unsigned q = 0; q < VSOCK_VHOST_QUEUES; q++)
        if (v->call_fd[q] >= 0)
            close(v->call_fd[q]);
    if (v->stop_fd >= 0)
        close(v->stop_fd);
    if (v->vhost_fd >= 0)
        close(v->vhost_fd);
    g_free(v);
}

static const ArmzVirtioOps vsock_ops = {
    .name = "virtio-vsock",
    .device_id = VIRTIO_ID_VSOCK,
    .nqueues = 3,
    .queue_max = VSOCK_QUEUE_SIZE,
    .config_size = VIRTIO_VSOCK_CFG_SIZE,
    .set_features = vsock_set_features,
    .driver_ok = vsock_driver_ok,
    .reset = vsock_reset,
    .free_priv = vsock_free,
    .external_queues = (1u << 0) | (1u << 1),
};

static int
open_vhost(GError **error)
{
    int fd = open(VSOCK_DEVICE, O_RDWR | O_CLOEXEC);

    if (fd < 0)
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    errno == ENOENT
                    ? _("cannot open %s: %s (load the vhost_vsock kernel module)")
                    : _("cannot open %s: %s"), VSOCK_DEVICE, g_strerror(errno));
    return fd;
}

ArmzVirtioDev *
armz_virtio_vsock_new(const ArmzVsockOpt *o, GError **error)
{
    Vsock *v = g_new0(Vsock, 1);
    ArmzVirtioDev *d;
    int rc;

    v->call_fd[0] = v->call_fd[1] = v->stop_fd = -1;
    v->cid = o->cid;
    v->vhost_fd = o->fd >= 0 ? o->fd : open_vhost(error);
    if (v->vhost_fd < 0)
        goto fail;
    if (ioctl(v->vhost_fd, VHOST_SET_OWNER, NULL) < 0 ||
        ioctl(v->vhost_fd, VHOST_GET_FEATURES, &v->vhost_features) < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("%s does not work as vhost-vsock: %s"),
                    VSOCK_DEVICE, g_strerror(errno));
        goto fail;
    }
    /* the CID now, so that one another guest has fails the start; auto:
     * the kernel, which knows every guest's, says which are free */
    rc = -1;
    errno = EADDRINUSE;
    for (uint64_t c = v->cid ? v->cid : 3; c < G_MAXUINT32 && rc < 0 && errno == EADDRINUSE;
         c++) {
        v->cid = c;
        rc = ioctl(v->vhost_fd, VHOST_VSOCK_SET_GUEST_CID, &v->cid);
        if (o->cid)
            break;
    }
    if (rc < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot give the guest vsock CID %llu: %s"),
                    (unsigned long long)v->cid,
                    errno == EADDRINUSE ? _("another guest has it") : g_strerror(errno));
        goto fail;
    }
    for (unsigned q = 0; q < VSOCK_VHOST_QUEUES; q++)
        v->call_fd[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    v->stop_fd = eventfd(0, EFD_CLOEXEC);
    if (v->call_fd[0] < 0 || v->call_fd[1] < 0 || v->stop_fd < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("virtio-vsock: eventfd: %s"), g_strerror(errno));
        goto fail;
    }
    /* what the guest may negotiate: what vhost can do (the core adds
     * VERSION_1, INDIRECT_DESC and EVENT_IDX, which vhost has too) */
    d = armz_virtio_dev_new(&vsock_ops, v, "virtio-vsock", 0);
    v->dev = d;
    armz_st_le64(armz_virtio_config(d) + VIRTIO_VSOCK_CFG_GUEST_CID, v->cid);
    if (pthread_create(&v->thread, NULL, call_thread, v) == 0)
        v->thread_started = true;
    return d;

fail:
    vsock_free(v);
    return NULL;
}

uint64_t
armz_virtio_vsock_cid(ArmzVirtioDev *d)
{
    return ((Vsock *)armz_virtio_priv(d))->cid;
}
