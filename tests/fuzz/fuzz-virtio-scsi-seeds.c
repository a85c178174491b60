/* Writes a seed corpus for fuzz-virtio-scsi into DIR (fuzz-scsi-input.h):
 * well-formed requests to each LUN (INQUIRY and its VPD pages, READ and
 * WRITE, UNMAP, MODE SENSE, REPORT LUNS, the CD-ROM's MMC commands) and
 * control-queue messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz-scsi-input.h"

static unsigned seq;

/* a request to LUN with CDB (10 bytes shown), DATA_OUT bytes of OUT, a
 * response + IN_LEN bytes of data-in */
static void
seed(const char *dir, unsigned lun, const uint8_t *cdb, size_t cdb_len, const uint8_t *out,
     size_t out_len, unsigned in_len)
{
    uint8_t buf[1024] = { 0 };
    size_t n = 0;
    char path[4096];
    FILE *f;

    buf[n++] = 0;
    buf[n++] = 32;          /* cdb_size */
    buf[n++] = 96;          /* sense_size */
    buf[n++] = out_len ? 2 : 1;
    buf[n++] = in_len ? 2 : 1;
    buf[n++] = 19 + 32; buf[n++] = 0;
    if (out_len) { buf[n++] = (uint8_t)out_len; buf[n++] = (uint8_t)(out_len >> 8); }
    buf[n++] = 108; buf[n++] = 0;
    if (in_len) { buf[n++] = (uint8_t)in_len; buf[n++] = (uint8_t)(in_len >> 8); }
    buf[n++] = 1; buf[n++] = 0; buf[n++] = 0x40; buf[n++] = (uint8_t)lun;
    n += 4 + 8 + 3;         /* rest of the LUN, id, attr, prio, crn */
    memcpy(buf + n, cdb, cdb_len);
    n += 32;
    memcpy(buf + n, out, out_len);
    n += out_len;
    snprintf(path, sizeof(path), "%s/seed-%03u", dir, seq++);
    if (!(f = fopen(path, "wb")) || fwrite(buf, 1, n, f) != n || fclose(f))
        exit(1);
}

int
main(int argc, char **argv)
{
    static const uint8_t inq[] = { 0x12, 0, 0, 0, 255 }, vpd0[] = { 0x12, 1, 0, 0, 255 },
        vpdb0[] = { 0x12, 1, 0xb0, 0, 255 }, rd10[] = { 0x28, 0, 0, 0, 0, 1, 0, 0, 2, 0 },
        wr10[] = { 0x2a, 0, 0, 0, 0, 1, 0, 0, 1, 0 }, rc16[] = { 0x9e, 0x10, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 32 }, ms[] = { 0x5a, 0, 0x3f, 0, 0, 0, 0, 1, 0, 0 },
        rl[] = { 0xa0, 0, 0, 0, 0, 0, 0, 0, 1, 0 }, unmap[] = { 0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0 },
        toc[] = { 0x43, 0, 0, 0, 0, 0, 1, 0, 255, 0 }, gc[] = { 0x46, 0, 0, 0, 0, 0, 0, 0, 255, 0 },
        gesn[] = { 0x4a, 1, 0, 0, 0x10, 0, 0, 0, 8, 0 }, eject[] = { 0x1b, 0, 0, 0, 2, 0 },
        load[] = { 0x1b, 0, 0, 0, 3, 0 }, lock[] = { 0x1e, 0, 0, 0, 1, 0 },
        di[] = { 0x51, 0, 0, 0, 0, 0, 0, 0, 34, 0 }, tur[] = { 0 };
    static const uint8_t unmap_list[24] = { 0, 22, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8,
                                            0, 0, 0, 8 };
    static uint8_t data[512];
    const char *dir = argc > 1 ? argv[1] : ".";

    for (unsigned lun = 0; lun < 4; lun++) {
        seed(dir, lun, inq, sizeof(inq), NULL, 0, 255);
        seed(dir, lun, vpd0, sizeof(vpd0), NULL, 0, 255);
        seed(dir, lun, tur, sizeof(tur), NULL, 0, 0);
        seed(dir, lun, rd10, sizeof(rd10), NULL, 0, lun ? 4096 : 1024);
        seed(dir, lun, rc16, sizeof(rc16), NULL, 0, 32);
        seed(dir, lun, ms, sizeof(ms), NULL, 0, 256);
    }
    seed(dir, 0, vpdb0, sizeof(vpdb0), NULL, 0, 255);
    seed(dir, 0, wr10, sizeof(wr10), data, sizeof(data), 0);
    seed(dir, 0, unmap, sizeof(unmap), unmap_list, sizeof(unmap_list), 0);
    seed(dir, 0, rl, sizeof(rl), NULL, 0, 256);
    for (unsigned lun = 1; lun < 3; lun++) {
        seed(dir, lun, toc, sizeof(toc), NULL, 0, 255);
        seed(dir, lun, gc, sizeof(gc), NULL, 0, 255);
        seed(dir, lun, gesn, sizeof(gesn), NULL, 0, 8);
        seed(dir, lun, lock, sizeof(lock), NULL, 0, 0);
        seed(dir, lun, eject, sizeof(eject), NULL, 0, 0);
        seed(dir, lun, load, sizeof(load), NULL, 0, 0);
        seed(dir, lun, di, sizeof(di), NULL, 0, 34);
    }
    {
        /* control queue: a TMF and an AN query */
        uint8_t tmf[] = { 1, 0, 0, 1, 1, 24, 0, 1, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0x40, 0 };
        uint8_t an[] = { 1, 0, 0, 1, 1, 16, 0, 5, 0, 1, 0, 0, 0, 1, 0, 0x40, 0 };
        char path[4096];
        FILE *f;
        snprintf(path, sizeof(path), "%s/seed-ctrl-tmf", dir);
        if (!(f = fopen(path, "wb")) || fwrite(tmf, 1, sizeof(tmf), f) != sizeof(tmf) || fclose(f))
            return 1;
        snprintf(path, sizeof(path), "%s/seed-ctrl-an", dir);
        if (!(f = fopen(path, "wb")) || fwrite(an, 1, sizeof(an), f) != sizeof(an) || fclose(f))
            return 1;
    }
    return 0;
}
