/* The qemu-storage-daemon of a domain: one per running domain that has
 * disks it serves (qcow2 images with their backing chains, disks with
 * <iotune>), started before armz-vmm. Each such disk becomes explicit
 * --blockdev nodes (file, then format, from the bottom of its backing chain
 * up, plus a throttle node for <iotune>) and one vhost-user-blk --export
 * on a UNIX socket that armz-vmm connects to (--vhost-user-blk socket=).
 *
 * The daemon runs with its working directory DIR (STATE_DIR/UUID.vu), where
 * its export sockets, QMP socket and pid file are named relatively, so that
 * long state directories still fit a socket address. Part of the launch
 * plan (vmm_command.h): computed without touching the host. */
#pragma once
#include <glib.h>
#include "conf/domain_conf.h"

#define ARMZ_QSD_DEFAULT_PATH "/usr/bin/qemu-storage-daemon"
#define ARMZ_QSD_QMP_NAME "qsd.qmp"
#define ARMZ_QSD_PID_NAME "qsd.pid"

/* The backing chain of the image at PATH in FORMAT: ArmzDiskLayer*
 * (disk_chain.h), the image first. The daemon reads headers
 * (armz_disk_chain_read); tests give fixed chains. */
typedef gboolean (*ArmzResolveChainFunc)(const char *path, const char *format,
                                         GPtrArray **chain, gpointer opaque, GError **error);

/* An encrypted disk (<encryption format='luks'>): its nodes and export
 * are not on the command line but added over QMP once the daemon runs,
 * after the secret object DEV-secret that holds its passphrase
 * (qsd_keys.h), so the passphrase is never in an argument or a file. */
typedef struct {
    char *dev;
    char *secret_uuid;      /* the disk's <secret uuid=''>, or */
    char *secret_usage;     /* its usage='' (a secret of usage type 'volume') */
    GPtrArray *commands;    /* char*: "COMMAND ARGUMENTS-JSON", in order */
    char *socket;           /* its export's, absolute */
} ArmzQsdKeyedDisk;

void armz_qsd_keyed_disk_free(gpointer p);

typedef struct {
    GPtrArray *argv;        /* char*: qemu-storage-daemon and its options */
    char *dir;              /* its working directory: sockets, QMP, pid file */
    char *qmp_path;         /* DIR/qsd.qmp */
    char *pidfile;          /* DIR/qsd.pid */
    GPtrArray *sockets;     /* char*: the absolute export socket paths of the
                             * command line's exports */
    GPtrArray *keyed;       /* ArmzQsdKeyedDisk*: the encrypted disks */
    GPtrArray *chains;      /* per def->disks position: its chain (ArmzDiskLayer*,
                             * the image first), or NULL for a disk it does not serve */
} ArmzQsdPlan;

ArmzQsdPlan *armz_qsd_plan_new(const char *qsd_path, const char *dir, guint n_disks);
void armz_qsd_plan_free(ArmzQsdPlan *qsd);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzQsdPlan, armz_qsd_plan_free)

/* Adds DISK (at POS in def->disks, image PATH with backing CHAIN, taken) to
 * QSD; its export socket's absolute path in *SOCKET. FALSE with ERROR for a
 * path the daemon's JSON cannot carry. */
gboolean armz_qsd_plan_add_disk(ArmzQsdPlan *qsd, const ArmzDomainDiskDef *disk, guint pos,
                                GPtrArray *chain, char **socket, GError **error);

/* Adds the NBD disk DISK (<disk type='network'>, raw): a client node to
 * its server and the export; its socket in *SOCKET. */
void armz_qsd_plan_add_network_disk(ArmzQsdPlan *q, const ArmzDomainDiskDef *disk,
                                    char **socket);

/* The plan as text for golden files and the domain log: "# qsd cwd=DIR",
 * then its command line, one option per line, each line starting "# ". */
void armz_qsd_plan_format(const ArmzQsdPlan *qsd, GString *out);
