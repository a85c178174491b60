/* libFuzzer target: the virtio-scsi request walker (virtio_scsi_req.c) and
 * the SCSI target behind it (src/vmm/scsi) on elements whose buffers,
 * sizes and contents come from the input (format: fuzz-scsi-input.h).
 * Each buffer is a heap block of its exact size, so AddressSanitizer
 * reports any access outside it.  The target has a 1 MiB disk (LUN 0), a
 * CD-ROM with a medium (LUN 1) and an empty one (LUN 2), all on memfds,
 * kept across inputs so their state (tray, lock, unit attention) varies. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include "virtio/virtio_scsi.h"
#include "fuzz-scsi-input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ArmzScsiTarget *target;

static int
memfd_of(const char *name, off_t size)
{
    int fd = memfd_create(name, MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, size) < 0)
        abort();
    return fd;
}

static void
setup(void)
{
    ArmzScsiLunConfig disk = { ARMZ_SCSI_DISK, 0, memfd_of("disk", 1 << 20), false, "FUZZ", "d0" };
    ArmzScsiLunConfig cd = { ARMZ_SCSI_CDROM, 1, memfd_of("cd", 128 << 10), true, NULL, "cd0" };
    ArmzScsiLunConfig empty = { ARMZ_SCSI_CDROM, 2, -1, true, NULL, "cd1" };

    target = armz_scsi_target_new();
    if (!armz_scsi_target_add(target, armz_scsi_lun_new(&disk, NULL), NULL) ||
        !armz_scsi_target_add(target, armz_scsi_lun_new(&cd, NULL), NULL) ||
        !armz_scsi_target_add(target, armz_scsi_lun_new(&empty, NULL), NULL))
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ArmzVirtqElem e;
    uint8_t *bufs[2 * FUZZ_SCSI_MAX_BUFS] = { 0 };
    unsigned n_out, n_in, cdb, sense;
    size_t off, pos = 0;
    uint32_t written = 0;
    volatile uint8_t sink = 0;

    if (!target)
        setup();
    if (size < FUZZ_SCSI_HDR)
        return 0;
    n_out = data[3] % FUZZ_SCSI_MAX_BUFS;
    n_out = n_out ? n_out : FUZZ_SCSI_MAX_BUFS;
    n_in = data[4] % (FUZZ_SCSI_MAX_BUFS + 1);
    cdb = data[1] < VIRTIO_SCSI_CDB_MAX ? data[1] : VIRTIO_SCSI_CDB_MAX;
    sense = data[2] < VIRTIO_SCSI_SENSE_MAX ? data[2] : VIRTIO_SCSI_SENSE_MAX;
    off = FUZZ_SCSI_HDR + 2 * (n_out + n_in);
    if (size < off)
        return 0;
    memset(&e, 0, sizeof(e));
    e.n_out = n_out;
    e.n_in = n_in;
    for (unsigned i = 0; i < n_out + n_in; i++) {
        size_t len = data[FUZZ_SCSI_HDR + 2 * i] | (size_t)data[FUZZ_SCSI_HDR + 2 * i + 1] << 8;

        bufs[i] = malloc(len ? len : 1);
        if (!bufs[i])
            abort();
        if (i < n_out) {
            size_t k = size - off - pos < len ? size - off - pos : len;
            memset(bufs[i], 0, len);
            memcpy(bufs[i], data + off + pos, k);
            pos += k;
            e.out_len += len;
        } else {
            memset(bufs[i], 0xbe, len);
            e.in_len += len;
        }
        e.iov[i].iov_base = bufs[i];
        e.iov[i].iov_len = len;
    }
    if (data[0] & FUZZ_SCSI_F_CTRL)
        (void)armz_virtio_scsi_control(target, &e, &written);
    else
        (void)armz_virtio_scsi_request(target, &e, cdb, sense, &written);
    if (written > e.in_len)
        abort();                        /* more than the driver gave */
    for (unsigned i = 0; i < n_out + n_in; i++) {
        for (size_t k = 0; k < e.iov[i].iov_len; k++)
            sink ^= bufs[i][k];
        free(bufs[i]);
    }
    (void)sink;
    return 0;
}
