/* Command line of armz-vmm. */
#pragma once
#include <glib.h>
#include "boot/smbios.h"
#include "sandbox/seccomp.h"
#include "kvm/profile.h"
#include "pci/pci_options.h"

typedef enum {
    ARMZ_SERIAL_STDIO,
    ARMZ_SERIAL_PTY,
    ARMZ_SERIAL_FILE,
    ARMZ_SERIAL_FD,
    ARMZ_SERIAL_NONE,
    ARMZ_SERIAL_LISTEN,     /* a listening socket: one client at a time */
} ArmzSerialKind;

/* A character line (PL011 serial or virtio-console): its backend and an
 * optional append-only log of the guest's output. */
typedef struct {
    ArmzSerialKind kind;
    char *path;             /* file: PATH */
    int fd;                 /* fd: N, listen:fd:N */
    char *pty_file;         /* where to write the pty path */
    char *log_path;         /* --*-log file:PATH */
    int log_fd;             /* --*-log fd:N, -1: none */
} ArmzCharOpt;

/* Cache modes as QEMU and libvirt name them (see virtio_blk.c). */
typedef enum {
    ARMZ_CACHE_WRITEBACK = 0,   /* also "default" */
    ARMZ_CACHE_NONE,
    ARMZ_CACHE_WRITETHROUGH,
    ARMZ_CACHE_DIRECTSYNC,
    ARMZ_CACHE_UNSAFE,
} ArmzCacheMode;

/* What an I/O error does (QEMU's werror/rerror). */
typedef enum {
    ARMZ_BLK_ERR_REPORT = 0,    /* the guest sees the error */
    ARMZ_BLK_ERR_IGNORE,        /* the guest sees success */
    ARMZ_BLK_ERR_STOP,          /* the VM pauses; cont retries the request */
    ARMZ_BLK_ERR_ENOSPC,        /* stop on ENOSPC, report otherwise (werror only) */
} ArmzBlkErrorPolicy;

typedef enum {
    ARMZ_DETECT_ZEROES_OFF = 0,
    ARMZ_DETECT_ZEROES_ON,      /* all-zero writes become write-zeroes */
    ARMZ_DETECT_ZEROES_UNMAP,   /* ... which may punch holes (with discard=unmap) */
} ArmzDetectZeroes;

/* How a raw disk's reads and writes reach the host (QEMU's aio=). */
typedef enum {
    ARMZ_DISK_IO_THREADS = 0,   /* preadv/pwritev on the disk's worker thread */
    ARMZ_DISK_IO_NATIVE,        /* Linux AIO (io_submit), O_DIRECT only */
    ARMZ_DISK_IO_URING,         /* io_uring (liburing) */
} ArmzDiskIo;

/* --disk path=FILE|fd=N[,readonly=on][,serial=STR][,bootindex=N]
 *        [,cache=MODE][,discard=ignore|unmap][,detect-zeroes=off|on|unmap]
 *        [,werror=POLICY][,rerror=POLICY][,io=threads|native|io_uring] */
typedef struct {
    char *path;             /* NULL: fd */
    int fd;
    gboolean readonly;
    char *serial;           /* NULL: none; at most 20 bytes are shown */
    guint bootindex;        /* firmware boot order, 1 first; 0: not listed */
    ArmzPciAddrOpt pci;     /* pci=BUS:SLOT (implies --pci) */
    ArmzCacheMode cache;
    gboolean discard;       /* unmap: DISCARD punches holes (ignore: no-op) */
    ArmzDetectZeroes detect_zeroes;
    ArmzBlkErrorPolicy werror, rerror;
    ArmzDiskIo io;
    char *id;               /* id=ALIAS: the name device_del knows it by */
} ArmzDiskOpt;

/* --net tap=IFNAME|fd=N[,mac=52:54:00:12:34:56][,link=up|down] */
typedef struct {
    char *tap;              /* NULL: fd */
    int fd;
    gboolean has_mac;
    guint8 mac[6];
    ArmzPciAddrOpt pci;     /* pci=BUS:SLOT (implies --pci) */
    char *id;               /* id=ALIAS: the name device_del knows it by */
    gboolean link_down;     /* link=down: carrier off at start */
} ArmzNetOpt;

/* --balloon [stats-period=SECONDS][,deflate-on-oom=on][,free-page-reporting=on]
 * [,target=BYTES] */
typedef struct {
    guint stats_period;
    guint64 target;         /* guest memory asked for from the start, 0: all */
    gboolean deflate_on_oom;
    gboolean free_page_reporting;
    ArmzPciAddrOpt pci;     /* pci=BUS:SLOT|off (implies --pci) */
} ArmzBalloonOpt;

/* --channel name=NAME,path=SOCKET|fd=N[,id=ID]: a virtio-serial port */
#define ARMZ_SERIAL_MAX_PORTS 8
typedef struct {
    char *name;             /* the guest's name for it: org.qemu.guest_agent.0 */
    char *path;             /* listen here; NULL: fd */
    int fd;                 /* a listening unix socket */
    char *id;               /* VSERPORT_CHANGE's id; NULL: channelN */
} ArmzChannelOpt;

/* --vsock cid=N|auto[,fd=M]: M an open /dev/vhost-vsock */
typedef struct {
    guint64 cid;            /* 0: auto */
    int fd;
    ArmzPciAddrOpt pci;     /* pci=BUS:SLOT|off (implies --pci) */
} ArmzVsockOpt;
/* --scsi-disk path=FILE|fd=N,lun=L[,id=ALIAS][,readonly=on][,serial=STR][,bootindex=N]
 * --scsi-cdrom [path=FILE|fd=N],lun=L[,id=ALIAS][,bootindex=N] (no image: empty) */
typedef struct {
    gboolean cdrom;
    char *path;             /* NULL: fd (or empty CD-ROM when fd is -1) */
    int fd;
    guint lun;
    char *id;               /* QMP's name for it; default scsi0-0-0-L */
    gboolean readonly;
    char *serial;
    guint bootindex;        /* firmware boot order, 1 first; 0: not listed */
} ArmzScsiOpt;
/* --vhost-user-blk socket=PATH[,id=ALIAS][,bootindex=N][,readonly=on|off]
 * --vhost-user-fs socket=PATH,tag=TAG[,id=ALIAS][,queue-size=N] */
typedef enum {
    ARMZ_VHOST_USER_BLK,
    ARMZ_VHOST_USER_FS,
} ArmzVhostUserKind;

typedef struct {
    ArmzVhostUserKind kind;
    char *socket;           /* the back-end's listening UNIX socket */
    char *id;               /* for logs; NULL: none */
    guint bootindex;        /* blk: firmware boot order, 0: not listed */
    gboolean readonly;      /* blk: the guest sees a read-only disk */
    char *tag;              /* fs: mount tag, at most 36 bytes */
    guint queue_size;       /* fs: request queue size, power of 2 */
    guint disk_pos;         /* --disk options before it on the command line */
    ArmzPciAddrOpt pci;     /* pci=BUS:SLOT|off (implies --pci) */
} ArmzVhostUserOpt;

typedef enum {
    ARMZ_IRQCHIP_AUTO,
    ARMZ_IRQCHIP_KERNEL,
    ARMZ_IRQCHIP_USERSPACE,
} ArmzIrqchipMode;

typedef struct {
    char *name;
    char *kernel;
    char *initrd;
    char *cmdline;
    guint64 memory_mib;
    guint vcpus;
    ArmzCharOpt serial;
    gboolean has_console;   /* --console given: a virtio-console */
    ArmzCharOpt console;
    ArmzDiskOpt *disks;     /* in command-line order: vda, vdb, ... */
    guint ndisks;
    ArmzNetOpt *nets;
    guint nnets;
    char *rng_path;         /* --rng PATH ("" -> /dev/urandom) */
    int rng_fd;             /* --rng fd:N, -1: none */
    gboolean has_rng;
    gboolean has_balloon;
    ArmzBalloonOpt balloon;
    ArmzChannelOpt *channels;   /* one virtio-serial device with a port each */
    gboolean has_vsock;
    ArmzVsockOpt vsock;
    guint nchannels;
    char *qmp_path;
    int qmp_fd;             /* -1: none */
    char *kvm_device;       /* NULL: probe */
    ArmzIrqchipMode irqchip;
    ArmzKvmProfile kvm_profile;     /* --kvm-profile */
    gboolean kvm_readonly_mem;      /* --kvm-profile=s390+readonly-mem (tests) */
    char *pidfile;
    gboolean paused;
    gboolean debug;
    /* firmware boot: --flash-code / --flash-vars PATH or fd:N (fd -1: path) */
    char *flash_code, *flash_vars;
    int flash_code_fd, flash_vars_fd;
    ArmzSmbiosInfo smbios;  /* --smbios */
    gboolean acpi;          /* --acpi: ACPI tables instead of the device tree */
    gboolean vmcoreinfo;    /* --vmcoreinfo: writable fw_cfg etc/vmcoreinfo */
    ArmzSeccompMode seccomp;    /* --seccomp, default on */
    guint sockets, cores, threads;  /* --topology; sockets 0: not given */
    gboolean pci;               /* --pci: virtio devices on the PCIe host bridge */
    ArmzRootPortOpt *root_ports;    /* --pcie-root-port (imply --pci) */
    guint nroot_ports;
    ArmzPciAddrOpt console_pci, rng_pci;    /* --console-pci, --rng-pci */
    ArmzScsiOpt *scsi;      /* --scsi-disk, --scsi-cdrom: one virtio-scsi controller */
    guint nscsi;
    /* vhost-user devices in command-line order (blk and fs mixed) */
    ArmzVhostUserOpt *vhost_user;
    guint nvhost_user;
    gboolean memfd;         /* --memfd, or implied by a vhost-user device */
    /* --scsi-pci (the virtio-scsi controller), --channel-pci (the
     * virtio-serial device of the --channel ports) */
    ArmzPciAddrOpt scsi_pci, channel_pci;
} ArmzOptions;

/* Firmware boot: the code flash is given. */
#define ARMZ_OPTS_FIRMWARE(o) ((o)->flash_code || (o)->flash_code_fd >= 0)

#define ARMZ_EXIT_FAILURE 1
#define ARMZ_EXIT_USAGE   2

/* Parses ARGV; on error returns FALSE with ERROR set (exit status 2).
 * "--help" prints and exits. */
gboolean armz_options_parse(int argc, char **argv, ArmzOptions *opts, GError **error);
void armz_options_clear(ArmzOptions *opts);
/* The cache=, discard=, detect-zeroes=, werror= and rerror= keys of a
 * disk (--disk, QMP device_add; OPT names it in messages): *KNOWN is
 * FALSE for another key. */
gboolean armz_options_disk_mode(const char *opt, const char *key, const char *val,
                                ArmzDiskOpt *d, gboolean *known, GError **error);
/* A unicast MAC address "52:54:00:12:34:56". */
gboolean armz_options_parse_mac(const char *s, guint8 mac[6], GError **error);
/* virtio-mmio slots of --disk I and of vhost-user device J: the disks and
 * the vhost-user devices take the first slots in their command-line order
 * (the daemon gives them in the domain's disk order). */
static inline guint
armz_options_disk_slot(const ArmzOptions *opts, guint i)
{
    guint slot = i;
    for (guint j = 0; j < opts->nvhost_user; j++)
        if (opts->vhost_user[j].disk_pos <= i)
            slot++;
    return slot;
}

static inline guint
armz_options_vhost_user_slot(const ArmzOptions *opts, guint j)
{
    return opts->vhost_user[j].disk_pos + j;    /* disk_pos never decreases */
}
const char *armz_irqchip_mode_name(ArmzIrqchipMode mode);
