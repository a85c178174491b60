/* Domain definition -> armz-vmm launch plan: the command line plus the host
 * resources (fds) the daemon must open and hand to the VMM, computed
 * without touching the host, so golden tests can pin it down
 * (tests/data/vmm-command).
 *
 * Every element of the definition is either honoured by the plan or
 * refused with a GError in ARMZ_ERROR: first by armz_domain_validate()
 * (domain_validate.h), which define runs too, then for what depends on the
 * host at start (VIR_ERR_CONFIG_UNSUPPORTED without KVM or without the
 * network or storage driver; errors of the resolver callbacks are passed
 * on unchanged).
 *
 * The fds are passed to the child as 3, 4, 5, ... in list order; the
 * command line refers to them by those numbers. */
#pragma once
#include <glib.h>
#include "conf/domain_conf.h"
#include "driver/domain_validate.h"
#include "driver/driver.h"
#include "driver/qsd_command.h"


/* The resolvers (driver.h): <interface type='network'> NETWORK to the bridge
 * its taps join, <disk type='volume'> POOL/VOL to the path the daemon opens;
 * results are g_free'd by the caller, FALSE with ERROR set on failure. */

typedef struct {
    const char *vmm_path;       /* armz-vmm, unless the definition has <emulator> */
    const char *kvm_device;     /* the host's arm64 KVM device; NULL: no hardware assistance */
    const char *kvm_profile;    /* --kvm-profile; NULL or "native": not given */
    const char *state_dir;      /* STATE_DIR/UUID.qmp and STATE_DIR/NAME.pid */
    gboolean start_paused;      /* VIR_DOMAIN_START_PAUSED: --paused */
    const char *seccomp;        /* --seccomp MODE (armz.conf seccomp_sandbox); NULL: default */
    /* <smbios mode='host'>: the host's SMBIOS as --smbios values
     * (armz_firmware_host_smbios()); NULL or empty: the host has none */
    const char *const *host_smbios;
    ArmzResolveNetworkFunc resolve_network;  /* NULL: no network driver */
    gpointer network_opaque;
    ArmzResolveVolumeFunc resolve_volume;    /* NULL: no storage driver */
    gpointer volume_opaque;
    /* disks of qemu-storage-daemon (qsd_command.h) */
    const char *qsd_path;                    /* NULL: ARMZ_QSD_DEFAULT_PATH */
    ArmzResolveChainFunc resolve_chain;      /* backing chains; NULL: none can be read */
    gpointer chain_opaque;
    const char *virtiofsd_path;              /* from the vhost-user descriptors; NULL: none */
} ArmzLaunchCtx;

/* One virtiofsd: its command line (it gets its listening socket, which the
 * daemon binds at SOCKET for the VMM's user, as fd 3). Runs as root, as
 * libvirt runs it: it serves the guest's files with their owners, in its
 * own namespace sandbox rooted at the shared directory. */
typedef struct {
    GPtrArray *argv;
    char *socket;
} ArmzVirtiofsdPlan;

typedef enum {
    ARMZ_LAUNCH_FD_DISK,        /* open PATH O_RDWR, or O_RDONLY when readonly */
    ARMZ_LAUNCH_FD_TAP,         /* create a tap (see tap), pass its fd */
    ARMZ_LAUNCH_FD_PTY,         /* open a pty pair, pass the master; record the
                                 * slave's /dev/pts path in the live XML */
    ARMZ_LAUNCH_FD_FILE_OUT,    /* open PATH write-only, create, append or truncate */
    ARMZ_LAUNCH_FD_QMP_LISTEN,  /* bind + listen a unix socket at PATH */
    ARMZ_LAUNCH_FD_RNG,         /* open PATH O_RDONLY */
    ARMZ_LAUNCH_FD_FLASH,       /* firmware code (readonly) or variable store:
                                 * open PATH O_RDONLY or O_RDWR, a regular file */
    ARMZ_LAUNCH_FD_CHANNEL_LISTEN, /* bind + listen a unix socket at PATH (its
                                 * directory made first) */
    ARMZ_LAUNCH_FD_VHOST,       /* open the vhost device at PATH O_RDWR (the
                                 * jailed VMM cannot reach /dev) */
    ARMZ_LAUNCH_FD_TCP_LISTEN,  /* bind + listen TCP on PATH (host) and port */
} ArmzLaunchFdKind;

typedef struct {
    int num;                    /* fd number in the child: 3, 4, ... */
    ArmzLaunchFdKind kind;
    char *path;                 /* NULL for PTY and TAP */
    gboolean readonly;          /* DISK, FLASH */
    gboolean direct, dsync;     /* DISK: O_DIRECT, O_DSYNC (the cache mode) */
    gboolean append;            /* FILE_OUT: O_APPEND, else O_TRUNC */
    char *port;                 /* TCP_LISTEN: the service (a port number) */
    struct {
        char *ifname;           /* tap name to create; NULL: pick one (vnetN) */
        char *bridge;           /* bridge to attach it to; NULL: none (ethernet) */
        unsigned int mtu;       /* 0: leave the default (the bridge's) */
        unsigned char mac[6];   /* the guest's MAC (--net mac=) */
        gboolean unmanaged;     /* <target managed='no'>: open it, change nothing */
        char *ovs_bridge;       /* Open vSwitch bridge to add it to as a port */
        char *ovs_iface_id;     /* the port's external-ids:iface-id */
        unsigned char vm_uuid[16];  /* external-ids:vm-uuid */
    } tap;
    char *role;                 /* libvirt-style alias of the device it serves:
                                 * monitor, serial0, serial0-log, console0,
                                 * console0-log, virtio-disk<N>, net<N>, rng0,
                                 * pflash0 (code), pflash1 (variables),
                                 * channel<N>, vsock0 */
    int device_index;           /* index in the def's list (disks, nets, serials,
                                 * consoles, rngs, channels); -1 for the monitor */
} ArmzLaunchFd;

typedef enum {
    ARMZ_LAUNCH_CHR_SERIAL,     /* def->serials[index] */
    ARMZ_LAUNCH_CHR_CONSOLE,    /* def->consoles[index] */
} ArmzLaunchChrList;

/* One <serial> or <console> of the definition and what backs it. */
typedef struct {
    ArmzLaunchChrList list;
    guint index;
    ArmzDomainChrType type;     /* PTY, FILE or NULL */
    int fd;                     /* child fd of the backend (PTY, FILE), else -1 */
    int log_fd;                 /* child fd of its <log>, else -1 */
    int alias_of;               /* a <console> with target type 'serial': the
                                 * serial index it shows (same pty path in the
                                 * live XML), else -1 */
} ArmzLaunchChr;

typedef struct {
    GPtrArray *argv;            /* char*, argv[0] = VMM path; not NULL-terminated */
    GPtrArray *fds;             /* ArmzLaunchFd*, in child fd order */
    GPtrArray *chardevs;        /* ArmzLaunchChr*: every serial, then every console */
    char *qmp_path;             /* STATE_DIR/UUID.qmp */
    char *pidfile;              /* STATE_DIR/NAME.pid */
    guint64 memory_mib;         /* <memory> rounded up to whole MiB (live XML) */
    gboolean paused;
    /* What the process layer does when the guest powers off, reboots
     * (armz-vmm resets in place and emits RESET: for 'destroy' the daemon
     * stops it then) or crashes (armz-vmm has no panic device: never seen). */
    ArmzDomainLifecycleAction on_poweroff;
    ArmzDomainLifecycleAction on_reboot;
    ArmzDomainLifecycleAction on_crash;
    ArmzQsdPlan *qsd;           /* the domain's qemu-storage-daemon; NULL: none */
    GPtrArray *virtiofsds;      /* ArmzVirtiofsdPlan*, one per <filesystem> */
    char *vhost_dir;            /* STATE_DIR/UUID.vu when there are vhost-user devices */
} ArmzLaunchPlan;

ArmzLaunchPlan *armz_launch_plan_build(const ArmzDomainDef *def, const ArmzLaunchCtx *ctx,
                                       GError **error);
void armz_launch_plan_free(ArmzLaunchPlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzLaunchPlan, armz_launch_plan_free)

/* The live definition LIVE of a started plan: each channel's socket path
 * (generated ones included) or pty (PTY_PATHS: per plan fd, NULL or the
 * /dev/pts path) and its state, disconnected until the guest opens the port. */
void armz_launch_record_channels(ArmzDomainDef *live, const ArmzLaunchPlan *plan,
                                 const GPtrArray *pty_paths);

/* A NULL-terminated copy of plan->argv, for exec. */
GStrv armz_launch_plan_argv(const ArmzLaunchPlan *plan);

/* The plan as text (golden files, the domain log): the command line one
 * option per line with " \" continuations, shell-quoted where needed, then
 * "# fd N: ..." lines, "# chardev ..." lines and "# lifecycle: ...". */
char *armz_launch_plan_format(const ArmzLaunchPlan *plan);

const char *armz_launch_fd_kind_to_string(ArmzLaunchFdKind kind);

/* S shell-quoted onto OUT as the plan's text has it. */
void armz_launch_append_quoted(GString *out, const char *s);
