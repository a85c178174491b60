/* Command line of armz-vmm. */
#pragma once
#include <glib.h>
#include "boot/smbios.h"
#include "sandbox/seccomp.h"
#include "kvm/profile.h"

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

/* --disk path=FILE|fd=N[,readonly=on][,serial=STR][,bootindex=N] */
typedef struct {
    char *path;             /* NULL: fd */
    int fd;
    gboolean readonly;
    char *serial;           /* NULL: none; at most 20 bytes are shown */
    guint bootindex;        /* firmware boot order, 1 first; 0: not listed */
} ArmzDiskOpt;

/* --net tap=IFNAME|fd=N[,mac=52:54:00:12:34:56] */
typedef struct {
    char *tap;              /* NULL: fd */
    int fd;
    gboolean has_mac;
    guint8 mac[6];
} ArmzNetOpt;

/* --scsi-disk path=FILE|fd=N,lun=L[,id=ALIAS][,readonly=on][,serial=STR]
 * --scsi-cdrom [path=FILE|fd=N],lun=L[,id=ALIAS] (no image: empty) */
typedef struct {
    gboolean cdrom;
    char *path;             /* NULL: fd (or empty CD-ROM when fd is -1) */
    int fd;
    guint lun;
    char *id;               /* QMP's name for it; default scsi0-0-0-L */
    gboolean readonly;
    char *serial;
} ArmzScsiOpt;

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
    ArmzScsiOpt *scsi;      /* --scsi-disk, --scsi-cdrom: one virtio-scsi controller */
    guint nscsi;
} ArmzOptions;

/* Firmware boot: the code flash is given. */
#define ARMZ_OPTS_FIRMWARE(o) ((o)->flash_code || (o)->flash_code_fd >= 0)

#define ARMZ_EXIT_FAILURE 1
#define ARMZ_EXIT_USAGE   2

/* Parses ARGV; on error returns FALSE with ERROR set (exit status 2).
 * "--help" prints and exits. */
gboolean armz_options_parse(int argc, char **argv, ArmzOptions *opts, GError **error);
void armz_options_clear(ArmzOptions *opts);
const char *armz_irqchip_mode_name(ArmzIrqchipMode mode);
