/* Backing chains of disk images, read from their headers as libvirt does
 * before it starts a guest: qemu-storage-daemon then gets every layer as an
 * explicit blockdev node (it never probes), and the live XML shows the
 * chain as <backingStore>.
 *
 * Only qcow2 images have a backing file here (raw has none). A backing file
 * whose format the image does not record is accepted when its header says
 * qcow2; a raw one is refused (probing raw is unsafe: a guest could write a
 * qcow2 header into it), with libvirt's message. Loops, overlong names,
 * protocol names (nbd:, rbd:, ...), unknown formats and missing files are
 * refused, naming the file. */
#pragma once
#include <glib.h>

/* qcow2: a backing file name is at most this long (QEMU's limit) */
#define ARMZ_QCOW2_BACKING_NAME_MAX 1023
/* layers below the top image at most (libvirt's VIR_STORAGE_MAX_CHAIN_DEPTH is
 * larger; a chain this deep is a mistake) */
#define ARMZ_DISK_CHAIN_MAX 64

typedef struct {
    char *path;             /* absolute */
    char *format;           /* "raw" | "qcow2" */
} ArmzDiskLayer;

void armz_disk_layer_free(gpointer layer);

/* The chain of the image at PATH (absolute) in FORMAT: element 0 is PATH
 * itself, then each backing file. NULL with ERROR on refusal. */
GPtrArray *armz_disk_chain_read(const char *path, const char *format, GError **error);

/* The backing file of one qcow2 image read from FD: *NAME (NULL: none) and
 * *FORMAT (NULL: not recorded). FALSE with ERROR for a malformed header;
 * PATH names the image in messages. */
gboolean armz_qcow2_backing(int fd, const char *path, char **name, char **format,
                            GError **error);
