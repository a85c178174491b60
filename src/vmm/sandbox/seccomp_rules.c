/* The allow-lists of armz-vmm's thread roles. Names are libseccomp's; a
 * name the running architecture lacks (poll on arm64, whose glibc uses
 * ppoll) is skipped for it, so one list serves arm64 and s390x.
 * What each entry is for is said where it is not obvious; anything not
 * listed kills the process (or is logged with --seccomp=log). */
#include <termios.h>
#include <sys/ioctl.h>
#include <linux/vhost.h>
#include <linux/if_tun.h>
#include "sandbox/seccomp_rules.h"

#define ANY(n) { n, ARMZ_ARG_ANY }

/* What every thread does: memory, locks, time, its own fds, logging on
 * stderr, exiting, and abort() (which must stay a crash, not a SIGSYS). */
const ArmzSyscallRule armz_seccomp_common[] = {
    ANY("read"), ANY("write"), ANY("readv"), ANY("writev"), ANY("close"),
    ANY("lseek"), ANY("fstat"), ANY("newfstatat"),
    ANY("futex"), ANY("sched_yield"), ANY("restart_syscall"),
    ANY("brk"), ANY("mmap"), ANY("munmap"), ANY("mremap"), ANY("mprotect"), ANY("madvise"),
    /* the firmware's variable store reaches its file (cfi_flash, on vCPU exits) */
    ANY("msync"),
    ANY("clock_gettime"), ANY("gettimeofday"), ANY("clock_nanosleep"), ANY("nanosleep"),
    ANY("getrandom"),
    /* GLib main contexts and the virtio notify/kick eventfds */
    ANY("ppoll"), ANY("poll"), ANY("eventfd2"),
    /* GLib's log writer checks whether stderr is the journal's socket */
    ANY("getsockname"), ANY("getpeername"),
    ANY("rt_sigreturn"), ANY("rt_sigprocmask"),
    /* pthread_kill (vCPU kicks) and abort() */
    ANY("getpid"), ANY("gettid"), ANY("tgkill"),
    ANY("exit"), ANY("exit_group"),
    /* KVM_RUN, registers, KVM_IRQ_LINE, ioeventfds; stdio terminal modes */
    { "ioctl", ARMZ_ARG_IOCTL },
    { NULL, 0 }
};

/* The main loop: QMP clients, serial input, signals, the final cleanup
 * (removing the pidfile and QMP socket), and GLib's worker thread, which it
 * starts for signal sources and which inherits this list. */
static const ArmzSyscallRule main_rules[] = {
    ANY("accept4"), ANY("accept"), ANY("recvfrom"), ANY("sendto"), ANY("recvmsg"),
    ANY("sendmsg"), ANY("shutdown"), ANY("getsockopt"), ANY("fcntl"),
    /* s390x's glibc multiplexes socket calls through socketcall, and
     * libseccomp 2.5 knows no direct s390x socket syscalls */
    { "socketcall", ARMZ_ARG_SOCKETCALL },
    ANY("unlinkat"), ANY("unlink"),
    ANY("rt_sigaction"),
    /* guest RAM from a memfd (--memfd) is made during setup; listed for a
     * later allocation all the same */
    ANY("memfd_create"), ANY("ftruncate"),
    { "clone", ARMZ_ARG_CLONE_THREAD },
    { "clone3", ARMZ_ARG_ENOSYS },
    /* what a new thread does first (glibc, GLib naming it) */
    ANY("set_robust_list"), ANY("rseq"),
    { "prctl", ARMZ_ARG_PRCTL_NAME },
    /* qom-set of the balloon's statistics polling interval */
    ANY("timerfd_settime"),
    /* an io=native disk's AIO context, freed at exit */
    ANY("io_destroy"),
    /* device_add: a disk's fallocate probe here; the worker thread of a
     * hot-added device is created after this filter and inherits it
     * (armz_seccomp_enter), so its disk I/O is listed here too */
    ANY("fallocate"), ANY("pread64"), ANY("pwrite64"), ANY("preadv"), ANY("pwritev"),
    ANY("preadv2"), ANY("pwritev2"), ANY("fdatasync"), ANY("fsync"),
    /* device_add of an io=native disk: its AIO context is made here and
     * its worker (which inherits this list) submits and waits */
    ANY("io_setup"), ANY("io_submit"), ANY("io_getevents"),
    /* device_add of virtio-net-pci sets up the tap here: only this role
     * may (vCPUs and workers never reconfigure a tap) */
    { "ioctl", ARMZ_ARG_IOCTL_TAP },
    /* device_add of vhost-user-blk-pci: connecting to the back-end when no
     * connected fd is given; its thread, made after this filter, inherits
     * it and reconnects after a back-end restart */
    { "socket", ARMZ_ARG_SOCKET_UNIX }, ANY("connect"),
    { "socketcall", ARMZ_ARG_SOCKETCALL_VHOST },
    { NULL, 0 }
};

/* vCPU threads: KVM_RUN and device emulation on MMIO exits, which only
 * touches memory, eventfds, the serial backend and KVM: the common list. */
static const ArmzSyscallRule vcpu_rules[] = {
    /* vhost-user: DRIVER_OK and a reset talk to the back-end's socket */
    ANY("sendmsg"), ANY("recvmsg"), { "socketcall", ARMZ_ARG_SOCKETCALL_VHOST },
    { NULL, 0 }
};

/* virtio workers: disk I/O (virtio-blk: preadv/pwritev, flush, discard and
 * write-zeroes), tap and rng reads/writes (common readv/writev). */
static const ArmzSyscallRule worker_rules[] = {
    ANY("pread64"), ANY("pwrite64"), ANY("preadv"), ANY("pwritev"),
    ANY("preadv2"), ANY("pwritev2"),
    ANY("fdatasync"), ANY("fsync"), ANY("fallocate"),
    /* io=native (Linux AIO) and io=io_uring disks: contexts and rings are
     * set up before the filters, the workers submit and wait */
    ANY("io_submit"), ANY("io_getevents"), ANY("io_uring_enter"),
    /* virtio-serial: a port's client connects, the guest's output to it */
    ANY("accept4"), ANY("sendmsg"),
    { "socketcall", ARMZ_ARG_SOCKETCALL },
    /* the vhost-user thread: reconnecting to the back-end's UNIX socket
     * (socket, connect), messages with descriptors, MSG_PEEK checks
     * (recvfrom); s390x's socketcall cannot check the address family */
    { "socket", ARMZ_ARG_SOCKET_UNIX }, ANY("connect"), ANY("recvmsg"),
    ANY("recvfrom"), { "socketcall", ARMZ_ARG_SOCKETCALL_VHOST },
    { NULL, 0 }
};

const ArmzSyscallRule *const armz_seccomp_roles[ARMZ_SANDBOX_N_ROLES] = {
    [ARMZ_SANDBOX_MAIN] = main_rules,
    [ARMZ_SANDBOX_VCPU] = vcpu_rules,
    [ARMZ_SANDBOX_WORKER] = worker_rules,
};

/* isatty() and the raw mode of a terminal on stdio (set at start, restored
 * at exit) */
const unsigned long armz_seccomp_tty_ioctls[] = {
    TCGETS, TCSETS, TCSETSW, TCSETSF, TIOCGWINSZ,
};
const unsigned armz_seccomp_n_tty_ioctls = G_N_ELEMENTS(armz_seccomp_tty_ioctls);

/* device_add of virtio-net-pci: the tap fd's header size, endianness and
 * offloads (virtio/tap.c); the main list's ARMZ_ARG_IOCTL_TAP only */
const unsigned long armz_seccomp_tap_ioctls[] = {
    TUNGETIFF, TUNSETVNETHDRSZ, TUNSETVNETLE, TUNSETOFFLOAD,
};
const unsigned armz_seccomp_n_tap_ioctls = G_N_ELEMENTS(armz_seccomp_tap_ioctls);

/* socketcall's first argument (linux/net.h SYS_*) for the calls of the
 * main list above (the worker's accept4 and sendmsg among them): accept, getsockname, getpeername, sendto, recvfrom,
 * shutdown, getsockopt, sendmsg, recvmsg, accept4 */
const unsigned long armz_seccomp_socketcalls[] = { 5, 6, 7, 11, 12, 13, 15, 16, 17, 18 };
const unsigned armz_seccomp_n_socketcalls = G_N_ELEMENTS(armz_seccomp_socketcalls);

/* vhost-vsock, once the guest drives the device (vCPU exits; a reset also
 * from the main loop): the rings, the memory table, start and stop. Owner,
 * features and CID are set before any filter is loaded. */
const unsigned long armz_seccomp_vhost_ioctls[] = {
    VHOST_GET_FEATURES, VHOST_SET_FEATURES, VHOST_SET_MEM_TABLE,
    VHOST_SET_VRING_NUM, VHOST_SET_VRING_BASE, VHOST_SET_VRING_ADDR,
    VHOST_SET_VRING_KICK, VHOST_SET_VRING_CALL, VHOST_VSOCK_SET_RUNNING,
};
const unsigned armz_seccomp_n_vhost_ioctls = G_N_ELEMENTS(armz_seccomp_vhost_ioctls);
/* ... and for vhost-user's (vCPU and worker lists): socket, connect,
 * recvfrom, sendmsg, recvmsg */
const unsigned long armz_seccomp_vhost_socketcalls[] = { 1, 3, 12, 16, 17 };
const unsigned armz_seccomp_n_vhost_socketcalls = G_N_ELEMENTS(armz_seccomp_vhost_socketcalls);
