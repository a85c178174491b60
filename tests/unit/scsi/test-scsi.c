/* The SCSI target of armz-vmm (src/vmm/scsi) and the virtio-scsi request
 * walker: a table of malformed CDBs (each ends in CHECK CONDITION with the
 * right sense, none crashes), golden INQUIRY and READ CAPACITY bytes,
 * reads and writes on a real file, UNMAP, the CD-ROM's media state
 * machine, and requests decoded from virtqueue elements (bad target,
 * overrun, chains too short for a header). Runs natively and under
 * qemu-s390x-static (big-endian host). */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include "scsi/scsi_int.h"
#include "virtio/virtio_scsi.h"

#define DISK_BLOCKS 2048        /* 1 MiB disk */
#define CD_BLOCKS   64          /* 128 KiB ISO */

static char *tmpdir;

/* a CDB and its length, for run() and run_out() */
#define CDB(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

static int
make_image(const char *name, size_t size, int flags)
{
    g_autofree char *path = g_build_filename(tmpdir, name, NULL);
    g_autofree uint8_t *buf = g_malloc(size);
    int fd;

    for (size_t i = 0; i < size; i++)
        buf[i] = (uint8_t)(i / 512 * 7 + i % 512);
    g_assert_true(g_file_set_contents(path, (char *)buf, (gssize)size, NULL));
    fd = open(path, flags | O_CLOEXEC);
    g_assert_cmpint(fd, >=, 0);
    return fd;
}

static ArmzScsiLun *
new_lun(ArmzScsiKind kind, int fd, const char *serial)
{
    ArmzScsiLunConfig c = { kind, kind == ARMZ_SCSI_CDROM ? 1 : 0, fd, false, serial,
                            kind == ARMZ_SCSI_CDROM ? "cd0" : "disk0" };
    GError *err = NULL;
    ArmzScsiLun *l = armz_scsi_lun_new(&c, &err);

    g_assert_no_error(err);
    g_assert_nonnull(l);
    return l;
}

/* runs CDB (LEN bytes, padded to 32) with IN_LEN bytes of data-in into IN */
static void
run(ArmzScsiLun *l, const uint8_t *cdb, size_t len, uint8_t *in, size_t in_len,
    ArmzScsiResult *r)
{
    uint8_t full[32] = { 0 };
    struct iovec iov = { in, in_len };
    ArmzScsiCmd c = { full, sizeof(full), NULL, 0, 0, &iov, 1, in_len };

    memcpy(full, cdb, len);
    armz_scsi_lun_exec(l, &c, r);
}

static void
run_out(ArmzScsiLun *l, const uint8_t *cdb, size_t len, const uint8_t *out, size_t out_len,
        ArmzScsiResult *r)
{
    uint8_t full[32] = { 0 };
    struct iovec iov = { (void *)out, out_len };
    ArmzScsiCmd c = { full, sizeof(full), &iov, 1, out_len, NULL, 0, 0 };

    memcpy(full, cdb, len);
    armz_scsi_lun_exec(l, &c, r);
}

static void
assert_sense(const ArmzScsiResult *r, uint32_t sense)
{
    g_assert_cmpuint(r->status, ==, ARMZ_SCSI_CHECK_CONDITION);
    g_assert_cmpuint(r->sense_len, ==, 18);
    g_assert_cmphex(r->sense[0], ==, 0x70);
    g_assert_cmphex(SENSE(r->sense[2] & 0xf, r->sense[12], r->sense[13]), ==, sense);
}

static void
assert_good(const ArmzScsiResult *r)
{
    if (r->status != ARMZ_SCSI_GOOD)
        g_error("CHECK CONDITION %x/%02x/%02x", r->sense[2], r->sense[12], r->sense[13]);
    g_assert_cmpuint(r->sense_len, ==, 0);
}

/* ---- malformed CDBs ---- */

static const struct {
    const char *what;
    bool cdrom;
    uint8_t cdb[32];
    size_t cdb_len;         /* 0: 32 */
    uint32_t sense;
} bad_cdbs[] = {
    { "unknown opcode", false, { 0xff }, 0, SENSE_INVALID_OPCODE },
    { "reserved group 3", false, { 0x7f }, 0, SENSE_INVALID_OPCODE },
    { "vendor group 6", false, { 0xc0 }, 0, SENSE_INVALID_OPCODE },
    { "empty CDB", false, { 0 }, 0xffff, SENSE_INVALID_OPCODE },
    { "READ(10) cut to 6 bytes", false, { 0x28 }, 6, SENSE_INVALID_FIELD },
    { "READ(16) cut to 10 bytes", false, { 0x88 }, 10, SENSE_INVALID_FIELD },
    { "NACA in the control byte", false, { 0x00, 0, 0, 0, 0, 0x04 }, 0, SENSE_INVALID_FIELD },
    { "INQUIRY CmdDt", false, { 0x12, 0x02, 0, 0, 36 }, 0, SENSE_INVALID_FIELD },
    { "INQUIRY page without EVPD", false, { 0x12, 0, 0x80, 0, 36 }, 0, SENSE_INVALID_FIELD },
    { "INQUIRY unknown VPD page", false, { 0x12, 1, 0x55, 0, 255 }, 0, SENSE_INVALID_FIELD },
    { "INQUIRY VPD 0x80 without serial", false, { 0x12, 1, 0x80, 0, 255 }, 0,
      SENSE_INVALID_FIELD },
    { "CD-ROM VPD 0xb0", true, { 0x12, 1, 0xb0, 0, 255 }, 0, SENSE_INVALID_FIELD },
    { "READ(10) past the end", false, { 0x28, 0, 0, 0, 0x07, 0xff, 0, 0, 2 }, 0,
      SENSE_LBA_OUT_OF_RANGE },
    { "READ(16) LBA 2^64-1", false, { 0x88, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                      0, 0, 0, 1 }, 0, SENSE_LBA_OUT_OF_RANGE },
    { "READ(16) count wraps", false, { 0x88, 0, 0, 0, 0, 0, 0, 0, 0, 1,
                                       0xff, 0xff, 0xff, 0xff }, 0, SENSE_LBA_OUT_OF_RANGE },
    { "READ(6) past the end", false, { 0x08, 0x1f, 0xff, 0xff, 1 }, 0, SENSE_LBA_OUT_OF_RANGE },
    { "READ(10) RDPROTECT", false, { 0x28, 0x20, 0, 0, 0, 0, 0, 0, 1 }, 0, SENSE_INVALID_FIELD },
    { "WRITE(10) on a CD-ROM", true, { 0x2a, 0, 0, 0, 0, 0, 0, 0, 1 }, 0,
      SENSE_WRITE_PROTECTED },
    { "SERVICE ACTION IN other than READ CAPACITY(16)", false, { 0x9e, 0x11 }, 0,
      SENSE_INVALID_FIELD },
    { "MODE SENSE saved values", false, { 0x1a, 0, 0xc8, 0, 255 }, 0, SENSE_SAVING_NOT_SUPP },
    { "MODE SENSE unknown page", false, { 0x1a, 0, 0x15, 0, 255 }, 0, SENSE_INVALID_FIELD },
    { "MODE SENSE(10) subpage", false, { 0x5a, 0, 0x08, 0x01, 0, 0, 0, 1, 0 }, 0,
      SENSE_INVALID_FIELD },
    { "MODE SENSE CD page on a disk", false, { 0x1a, 0, 0x2a, 0, 255 }, 0, SENSE_INVALID_FIELD },
    { "REQUEST SENSE descriptor format", false, { 0x03, 1, 0, 0, 18 }, 0, SENSE_INVALID_FIELD },
    { "UNMAP with ANCHOR", false, { 0x42, 1, 0, 0, 0, 0, 0, 0, 24 }, 0, SENSE_INVALID_FIELD },
    { "UNMAP parameter list of 4 bytes", false, { 0x42, 0, 0, 0, 0, 0, 0, 0, 4 }, 0,
      SENSE_PARAM_LEN },
    { "READ TOC format 2", true, { 0x43, 0, 2, 0, 0, 0, 0, 0, 255 }, 0, SENSE_INVALID_FIELD },
    { "READ TOC track 5", true, { 0x43, 0, 0, 0, 0, 0, 5, 0, 255 }, 0, SENSE_INVALID_FIELD },
    { "GET CONFIGURATION RT 3", true, { 0x46, 3, 0, 0, 0, 0, 0, 0, 255 }, 0,
      SENSE_INVALID_FIELD },
    { "GET EVENT STATUS asynchronous", true, { 0x4a, 0, 0, 0, 0x10, 0, 0, 0, 8 }, 0,
      SENSE_INVALID_FIELD },
    { "READ DISC INFORMATION type 1", true, { 0x51, 1, 0, 0, 0, 0, 0, 0, 34 }, 0,
      SENSE_INVALID_FIELD },
    { "SYNCHRONIZE CACHE on a CD-ROM", true, { 0x35 }, 0, SENSE_INVALID_OPCODE },
    { "READ TOC on a disk", false, { 0x43, 0, 0, 0, 0, 0, 0, 0, 255 }, 0, SENSE_INVALID_OPCODE },
    { "MODE SELECT", false, { 0x15, 0x10, 0, 0, 12 }, 0, SENSE_INVALID_OPCODE },
};

static void
test_malformed(void)
{
    int dfd = make_image("bad-disk.img", DISK_BLOCKS * 512, O_RDWR);
    int cfd = make_image("bad-cd.iso", CD_BLOCKS * 2048, O_RDONLY);
    ArmzScsiLun *disk = new_lun(ARMZ_SCSI_DISK, dfd, NULL);
    ArmzScsiLun *cd = new_lun(ARMZ_SCSI_CDROM, cfd, NULL);
    uint8_t in[4096];

    for (size_t i = 0; i < G_N_ELEMENTS(bad_cdbs); i++) {
        ArmzScsiLun *l = bad_cdbs[i].cdrom ? cd : disk;
        size_t len = bad_cdbs[i].cdb_len == 0xffff ? 0 : bad_cdbs[i].cdb_len ? bad_cdbs[i].cdb_len : 32;
        struct iovec iov = { in, sizeof(in) };
        ArmzScsiCmd c = { bad_cdbs[i].cdb, len, NULL, 0, 0, &iov, 1, sizeof(in) };
        ArmzScsiResult r;

        g_test_message("%s", bad_cdbs[i].what);
        memset(in, 0xa5, sizeof(in));
        armz_scsi_lun_exec(l, &c, &r);
        assert_sense(&r, bad_cdbs[i].sense);
        g_assert_cmpuint(r.data_in, ==, 0);
        g_assert_false(r.overrun);
    }
    armz_scsi_lun_free(disk);
    armz_scsi_lun_free(cd);
}

/* every CDB of every opcode with random bytes: CHECK CONDITION or GOOD,
 * nothing outside the buffers (they are exact heap blocks for ASan) */
static void
test_random_cdbs(void)
{
    int dfd = make_image("rnd-disk.img", DISK_BLOCKS * 512, O_RDWR);
    ArmzScsiLun *disk = new_lun(ARMZ_SCSI_DISK, dfd, "S1");
    ArmzScsiLun *cd = new_lun(ARMZ_SCSI_CDROM, -1, NULL);
    GRand *rnd = g_rand_new_with_seed(16);

    for (unsigned op = 0; op < 256; op++) {
        for (unsigned k = 0; k < 40; k++) {
            uint8_t cdb[32];
            size_t in_len = g_rand_int_range(rnd, 0, 3) * 512;
            g_autofree uint8_t *in = g_malloc(in_len + 1);
            ArmzScsiResult r;

            for (size_t i = 0; i < sizeof(cdb); i++)
                cdb[i] = (uint8_t)g_rand_int(rnd);
            cdb[0] = (uint8_t)op;
            if (op == 0x2a || op == 0x0a || op == 0x8a || op == 0xaa || op == 0x42) {
                run_out(disk, cdb, sizeof(cdb), in, in_len, &r);
            } else {
                run(disk, cdb, sizeof(cdb), in, in_len, &r);
                g_assert_cmpuint(r.data_in, <=, in_len);
                run(cd, cdb, sizeof(cdb), in, in_len, &r);
                g_assert_cmpuint(r.data_in, <=, in_len);
            }
            g_assert_true(r.status == ARMZ_SCSI_GOOD || r.status == ARMZ_SCSI_CHECK_CONDITION);
        }
    }
    g_rand_free(rnd);
    armz_scsi_lun_free(disk);
    armz_scsi_lun_free(cd);
}

/* ---- golden bytes ---- */

static void
test_inquiry(void)
{
    int dfd = make_image("inq.img", DISK_BLOCKS * 512, O_RDWR);
    ArmzScsiLun *disk = new_lun(ARMZ_SCSI_DISK, dfd, "SER123");
    ArmzScsiLun *cd = new_lun(ARMZ_SCSI_CDROM, -1, NULL);
    static const uint8_t golden[36] = {
        0x00, 0x00, 0x05, 0x12, 31, 0, 0, 0x02,
        'A', 'R', 'M', 'Z', ' ', ' ', ' ', ' ',
        'V', 'I', 'R', 'T', 'U', 'A', 'L', ' ', 'D', 'I', 'S', 'K', ' ', ' ', ' ', ' ',
        '1', '.', '0', ' ' };
    static const uint8_t pages[] = { 0x00, 0x00, 0x00, 0x06, 0x00, 0x80, 0x83, 0xb0, 0xb1, 0xb2 };
    static const uint8_t serial[] = { 0x00, 0x80, 0x00, 0x06, 'S', 'E', 'R', '1', '2', '3' };
    static const uint8_t ident[] = { 0x00, 0x83, 0x00, 0x12, 0x02, 0x01, 0x00, 0x0e,
                                     'A', 'R', 'M', 'Z', ' ', ' ', ' ', ' ',
                                     'S', 'E', 'R', '1', '2', '3' };
    uint8_t in[256];
    ArmzScsiResult r;

    run(disk, CDB(0x12, 0, 0, 0, 255), in, sizeof(in), &r);
    assert_good(&r);
    g_assert_cmpuint(r.data_in, ==, 36);
    g_assert_cmpmem(in, 36, golden, 36);
    /* the allocation length cuts the reply */
    run(disk, CDB(0x12, 0, 0, 0, 5), in, sizeof(in), &r);
    g_assert_cmpuint(r.data_in, ==, 5);
    run(disk, CDB(0x12, 1, 0x00, 0, 255), in, sizeof(in), &r);
    g_assert_cmpmem(in, r.data_in, pages, sizeof(pages));
    run(disk, CDB(0x12, 1, 0x80, 0, 255), in, sizeof(in), &r);
    g_assert_cmpmem(in, r.data_in, serial, sizeof(serial));
    run(disk, CDB(0x12, 1, 0x83, 0, 255), in, sizeof(in), &r);
    g_assert_cmpmem(in, r.data_in, ident, sizeof(ident));
    run(disk, CDB(0x12, 1, 0xb1, 0, 255), in, sizeof(in), &r);
    g_assert_cmpuint(r.data_in, ==, 64);
    g_assert_cmphex(scsi_ld16(in + 2), ==, 60);
    g_assert_cmphex(scsi_ld16(in + 4), ==, 1);          /* non-rotating */
    run(disk, CDB(0x12, 1, 0xb0, 0, 255), in, sizeof(in), &r);
    g_assert_cmpuint(r.data_in, ==, 64);
    run(disk, CDB(0x12, 1, 0xb2, 0, 255), in, sizeof(in), &r);
    g_assert_cmpuint(r.data_in, ==, 8);

    /* CD-ROM: type 5, removable */
    run(cd, CDB(0x12, 0, 0, 0, 255), in, sizeof(in), &r);
    assert_good(&r);
    g_assert_cmphex(in[0], ==, 0x05);
    g_assert_cmphex(in[1], ==, 0x80);
    g_assert_cmpmem(in + 16, 16, "VIRTUAL CD-ROM  ", 16);
    armz_scsi_lun_free(disk);
    armz_scsi_lun_free(cd);
}

static void
test_read_capacity(void)
{
    int dfd = make_image("cap.img", DISK_BLOCKS * 512 + 100, O_RDWR);   /* a partial block */
    ArmzScsiLun *disk = new_lun(ARMZ_SCSI_DISK, dfd, NULL);
    static const uint8_t cap10[8] = { 0, 0, 0x07, 0xff, 0, 0, 0x02, 0x00 };
    uint8_t cap16[32] = { 0, 0, 0, 0, 0, 0, 0x07, 0xff, 0, 0, 0x02, 0x00 };
    uint8_t in[64];
    ArmzScsiResult r;

    run(disk, CDB(0x25), in, sizeof(in), &r);
    assert_good(&r);
    g_assert_cmpmem(in, r.data_in, cap10, sizeof(cap10));
    run(disk, CDB(0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32), in,
        sizeof(in), &r);
    assert_good(&r);
    if (disk->discard)
        cap16[14] = 0xc0;           /* LBPME, LBPRZ where the file system can punch holes */
    g_assert_cmpmem(in, r.data_in, cap16, sizeof(cap16));
    armz_scsi_lun_free(disk);
}

/* ---- data ---- */

static void
test_read_write(void)
{
    int dfd = make_image("rw.img", DISK_BLOCKS * 512, O_RDWR);
    ArmzScsiLun *disk = new_lun(ARMZ_SCSI_DISK, dfd, NULL);
    uint8_t buf[4096], back[4096];
    ArmzScsiResult r;

    /* READ(10) of blocks 3-4 */
    run(disk, CDB(0x28, 0, 0, 0, 0, 3, 0, 0, 2, 0), buf, 1024, &r);
    assert_good(&r);
    g_assert_cmpuint(r.data_in, ==, 1024);
    for (size_t i = 0; i < 1024; i++)
        g_assert_cmphex(buf[i], ==, (uint8_t)((3 + i / 512) * 7 + i % 512));
    /* WRITE(16) of 8 blocks at 100, READ(6) back */
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(i * 13);
    run_out(disk, CDB(0x8a, 0, 0, 0, 0, 0, 0, 0, 0, 100, 0, 0, 0, 8), buf,
            sizeof(buf), &r);
    assert_good(&r);
    g_assert_cmpuint(r.data_out, ==, 4096);
    run(disk, CDB(0x08, 0, 0, 100, 8, 0), back, sizeof(back), &r);
    assert_good(&r);
    g_assert_cmpmem(back, sizeof(back), buf, sizeof(buf));
    /* a buffer shorter than the transfer: overrun, nothing transferred */
    run(disk, CDB(0x28, 0, 0, 0, 0, 0, 0, 0, 2, 0), buf, 512, &r);
    g_assert_true(r.overrun);
    g_assert_cmpuint(r.data_in, ==, 0);
    /* SYNCHRONIZE CACHE, TUR */
    run(disk, CDB(0x35), NULL, 0, &r);
    assert_good(&r);
    run(disk, CDB(0x00), NULL, 0, &r);
    assert_good(&r);
    /* the counters of query-blockstats: two reads, one write, one flush
     * (the overrun moved nothing and is not counted) */
    {
        ArmzScsiLunStats st;
        armz_scsi_lun_stats(disk, &st);
        g_assert_cmpuint(st.rd_ops, ==, 2);
        g_assert_cmpuint(st.rd_bytes, ==, 1024 + 4096);
        g_assert_cmpuint(st.wr_ops, ==, 1);
        g_assert_cmpuint(st.wr_bytes, ==, 4096);
        g_assert_cmpuint(st.flush_ops, ==, 1);
        g_assert_cmpuint(st.failed_rd + st.failed_wr + st.failed_flush, ==, 0);
    }
    /* MODE SENSE(6) all pages: caching page with WCE */
    run(disk, CDB(0x1a, 0x08, 0x3f, 0, 255), buf, 255, &r);
    assert_good(&r);
    g_assert_cmpuint(r.data_in, ==, (size_t)buf[0] + 1);
    g_assert_cmphex(buf[2], ==, 0);         /* not write-protected */
    g_assert_cmphex(buf[4 + 12], ==, 0x08);
    g_assert_cmphex(buf[4 + 14], ==, 0x04);
    armz_scsi_lun_free(disk);

    /* read-only disk: WRITE refused, MODE SENSE says WP */
    {
        ArmzScsiLunConfig c = { ARMZ_SCSI_DISK, 0, make_image("ro.img", 8192, O_RDONLY), true,
                                NULL, "ro" };
        ArmzScsiLun *ro = armz_scsi_lun_new(&c, NULL);
        run_out(ro, CDB(0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0), buf, 512, &r);
        assert_sense(&r, SENSE_WRITE_PROTECTED);
        run(ro, CDB(0x5a, 0x08, 0x08, 0, 0, 0, 0, 0, 255, 0), buf, 255, &r);
        assert_good(&r);
        g_assert_cmphex(buf[3], ==, 0x80);
        armz_scsi_lun_free(ro);
    }
}

static void
test_unmap(void)
{
    int dfd = make_image("unmap.img", DISK_BLOCKS * 512, O_RDWR);
    ArmzScsiLun *disk = new_lun(ARMZ_SCSI_DISK, dfd, NULL);
    uint8_t p[24] = { 0, 22, 0, 16 }, back[1024];
    ArmzScsiResult r;

    if (!disk->discard) {
        run_out(disk, CDB(0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0), p, sizeof(p), &r);
        assert_sense(&r, SENSE_INVALID_OPCODE);
        armz_scsi_lun_free(disk);
        g_test_skip("the file system of the test directory cannot punch holes");
        return;
    }
    scsi_st64(p + 8, 8);
    scsi_st32(p + 16, 2);
    run_out(disk, CDB(0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0), p, sizeof(p), &r);
    assert_good(&r);
    run(disk, CDB(0x28, 0, 0, 0, 0, 8, 0, 0, 2, 0), back, sizeof(back), &r);
    for (size_t i = 0; i < sizeof(back); i++)
        g_assert_cmphex(back[i], ==, 0);
    /* past the end: nothing punched */
    scsi_st64(p + 8, DISK_BLOCKS - 1);
    run_out(disk, CDB(0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0), p, sizeof(p), &r);
    assert_sense(&r, SENSE_LBA_OUT_OF_RANGE);
    /* a descriptor length that is no multiple of 16 */
    p[3] = 15;
    run_out(disk, CDB(0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0), p, sizeof(p), &r);
    assert_sense(&r, SENSE_INVALID_PARAM);
    armz_scsi_lun_free(disk);
}

/* ---- CD-ROM ---- */

typedef struct {
    GString *log;
} TrayLog;

static void
tray_cb(void *opaque, const char *id, bool open)
{
    TrayLog *t = opaque;
    g_string_append_printf(t->log, "%s:%s ", id, open ? "open" : "closed");
}

static uint8_t
media_event(ArmzScsiLun *cd, uint8_t *status)
{
    uint8_t in[8];
    ArmzScsiResult r;

    run(cd, CDB(0x4a, 1, 0, 0, 0x10, 0, 0, 0, 8, 0), in, sizeof(in), &r);
    assert_good(&r);
    g_assert_cmphex(in[2], ==, 0x04);
    *status = in[5];
    return in[4];
}

static void
test_cdrom(void)
{
    ArmzScsiTarget *t = armz_scsi_target_new();
    ArmzScsiLun *cd = new_lun(ARMZ_SCSI_CDROM, -1, NULL);
    TrayLog log = { g_string_new(NULL) };
    uint8_t in[256], st;
    ArmzScsiResult r;
    GError *err = NULL;

    g_assert_true(armz_scsi_target_add(t, cd, NULL));
    armz_scsi_target_set_tray_cb(t, tray_cb, &log);
    g_assert_true(armz_scsi_target_find(t, "cd0") == cd);

    /* empty: NOT READY, medium not present, tray closed */
    run(cd, CDB(0x00), NULL, 0, &r);
    assert_sense(&r, SENSE_NO_MEDIUM_CLOSED);
    run(cd, CDB(0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0), in, 2048 > sizeof(in) ? sizeof(in) : 2048, &r);
    assert_sense(&r, SENSE_NO_MEDIUM_CLOSED);
    run(cd, CDB(0x46, 0, 0, 0, 0, 0, 0, 0, 255, 0), in, sizeof(in), &r);
    assert_good(&r);
    g_assert_cmphex(scsi_ld16(in + 6), ==, 0);          /* no current profile */
    g_assert_cmphex(media_event(cd, &st), ==, MEC_NO_CHANGE);
    g_assert_cmphex(st, ==, 0);

    /* insert: tray cycles, NewMedia event, then UNIT ATTENTION once */
    g_assert_true(armz_scsi_cdrom_change(cd, make_image("cd.iso", CD_BLOCKS * 2048, O_RDONLY),
                                         &err));
    g_assert_no_error(err);
    g_assert_cmpstr(log.log->str, ==, "cd0:open cd0:closed ");
    g_assert_cmphex(media_event(cd, &st), ==, MEC_NEW_MEDIA);   /* GESN reports no UA */
    g_assert_cmphex(st, ==, 0x02);
    g_assert_cmphex(media_event(cd, &st), ==, MEC_NO_CHANGE);
    run(cd, CDB(0x00), NULL, 0, &r);
    assert_sense(&r, SENSE_MEDIUM_CHANGED);
    run(cd, CDB(0x00), NULL, 0, &r);
    assert_good(&r);
    run(cd, CDB(0x25), in, sizeof(in), &r);
    assert_good(&r);
    g_assert_cmphex(scsi_ld32(in), ==, CD_BLOCKS - 1);
    g_assert_cmphex(scsi_ld32(in + 4), ==, 2048);
    run(cd, CDB(0x46, 0, 0, 0, 0, 0, 0, 0, 255, 0), in, sizeof(in), &r);
    g_assert_cmphex(scsi_ld16(in + 6), ==, 0x0008);     /* CD-ROM profile */
    /* READ TOC: track 1 at 0, lead-out at the end (LBA and MSF) */
    run(cd, CDB(0x43, 0, 0, 0, 0, 0, 1, 0, 255, 0), in, sizeof(in), &r);
    assert_good(&r);
    g_assert_cmpuint(r.data_in, ==, 20);
    g_assert_cmphex(in[5], ==, 0x14);
    g_assert_cmphex(in[14], ==, 0xaa);
    g_assert_cmphex(scsi_ld32(in + 16), ==, CD_BLOCKS);
    run(cd, CDB(0x43, 0x02, 0, 0, 0, 0, 0xaa, 0, 255, 0), in, sizeof(in), &r);
    g_assert_cmpuint(r.data_in, ==, 12);
    g_assert_cmphex(in[9], ==, 0);                      /* 64 + 150 frames = 00:02:64 */
    g_assert_cmphex(in[10], ==, 2);
    g_assert_cmphex(in[11], ==, 64);
    /* the session format the old way (byte 9) */
    run(cd, CDB(0x43, 0, 0, 0, 0, 0, 0, 0, 12, 0x40), in, sizeof(in), &r);
    assert_good(&r);
    g_assert_cmphex(scsi_ld16(in), ==, 10);
    run(cd, CDB(0x51, 0, 0, 0, 0, 0, 0, 0, 34, 0), in, sizeof(in), &r);
    assert_good(&r);
    g_assert_cmpuint(r.data_in, ==, 34);
    /* 2048-byte blocks: block 1 holds the image's bytes 2048.. */
    run(cd, CDB(0x28, 0, 0, 0, 0, 1, 0, 0, 0, 0), in, 0, &r);
    assert_good(&r);

    /* the guest locks the tray: its own eject and a QMP eject without force fail */
    run(cd, CDB(0x1e, 0, 0, 0, 1), NULL, 0, &r);
    assert_good(&r);
    run(cd, CDB(0x1b, 0, 0, 0, 0x02), NULL, 0, &r);
    assert_sense(&r, SENSE_REMOVAL_PREVENTED);
    g_assert_false(armz_scsi_cdrom_open_tray(cd, false, &err));
    g_assert_nonnull(strstr(err->message, "is locked"));
    g_clear_error(&err);
    g_assert_cmphex(media_event(cd, &st), ==, MEC_EJECT_REQUEST);
    run(cd, CDB(0x5a, 0, 0x2a, 0, 0, 0, 0, 0, 255, 0), in, sizeof(in), &r);
    assert_good(&r);
    g_assert_cmphex(in[8], ==, 0x2a);
    g_assert_cmphex(in[8 + 6] & 0x02, ==, 0x02);        /* lock state */
    /* unlocked, the guest ejects: tray open, NOT READY tray open */
    run(cd, CDB(0x1e, 0, 0, 0, 0), NULL, 0, &r);
    g_string_truncate(log.log, 0);
    run(cd, CDB(0x1b, 0, 0, 0, 0x02), NULL, 0, &r);
    assert_good(&r);
    g_assert_cmpstr(log.log->str, ==, "cd0:open ");
    run(cd, CDB(0x00), NULL, 0, &r);
    assert_sense(&r, SENSE_NO_MEDIUM_OPEN);
    run(cd, CDB(0xbd, 0, 0, 0, 0, 0, 0, 0, 0, 8), in, sizeof(in), &r);
    g_assert_cmphex(in[1], ==, 0x10);
    g_assert_cmphex(media_event(cd, &st), ==, MEC_MEDIA_REMOVAL);
    g_assert_cmphex(st, ==, 0x01);
    /* and loads it again: the medium is back */
    run(cd, CDB(0x1b, 0, 0, 0, 0x03), NULL, 0, &r);
    assert_good(&r);
    run(cd, CDB(0x00), NULL, 0, &r);
    assert_good(&r);

    /* QMP eject with force on a locked tray, then removal: empty, tray open */
    run(cd, CDB(0x1e, 0, 0, 0, 1), NULL, 0, &r);
    g_string_truncate(log.log, 0);
    g_assert_true(armz_scsi_cdrom_open_tray(cd, true, &err));
    g_assert_true(armz_scsi_cdrom_change(cd, -1, &err));
    g_assert_cmpstr(log.log->str, ==, "cd0:open ");
    run(cd, CDB(0x00), NULL, 0, &r);
    assert_sense(&r, SENSE_NO_MEDIUM_OPEN);
    {
        bool open, medium, locked;
        armz_scsi_cdrom_state(cd, &open, &medium, &locked);
        g_assert_true(open);
        g_assert_false(medium);
        g_assert_false(locked);
    }
    g_string_free(log.log, TRUE);
    armz_scsi_target_free(t);
}

/* ---- the target and the virtio-scsi walker ---- */

static void
test_target(void)
{
    ArmzScsiTarget *t = armz_scsi_target_new();
    GError *err = NULL;
    uint8_t in[64];
    ArmzScsiResult r;
    struct iovec iov = { in, sizeof(in) };
    uint8_t cdb[32] = { 0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 64 };
    ArmzScsiCmd c = { cdb, 32, NULL, 0, 0, &iov, 1, sizeof(in) };
    ArmzScsiLunConfig dup = { ARMZ_SCSI_CDROM, 1, -1, false, NULL, "dup" };
    ArmzScsiLun *l;

    g_assert_true(armz_scsi_target_add(t, new_lun(ARMZ_SCSI_CDROM, -1, NULL), NULL));
    l = armz_scsi_lun_new(&dup, NULL);
    g_assert_false(armz_scsi_target_add(t, l, &err));
    g_assert_error(err, G_FILE_ERROR, G_FILE_ERROR_EXIST);
    g_clear_error(&err);
    armz_scsi_lun_free(l);

    armz_scsi_target_exec(t, 0, &c, &r);
    assert_good(&r);
    g_assert_cmpuint(r.data_in, ==, 16);
    g_assert_cmphex(scsi_ld32(in), ==, 8);
    g_assert_cmphex(in[9], ==, 1);
    /* LUN 0 is not there: INQUIRY peripheral qualifier 3, others 25/00 */
    memset(cdb, 0, sizeof(cdb));
    cdb[0] = 0x12;
    cdb[4] = 36;
    armz_scsi_target_exec(t, 0, &c, &r);
    assert_good(&r);
    g_assert_cmphex(in[0], ==, 0x7f);
    cdb[0] = 0x00;
    cdb[4] = 0;
    armz_scsi_target_exec(t, 0, &c, &r);
    assert_sense(&r, SENSE_LUN_NOT_SUPPORTED);
    armz_scsi_target_exec(t, 9999, &c, &r);
    assert_sense(&r, SENSE_LUN_NOT_SUPPORTED);
    armz_scsi_target_free(t);
}

/* element: request header (LUN, CDB) | data-out ... || response | data-in */
static void
elem_init(ArmzVirtqElem *e, uint8_t *req, size_t req_len, uint8_t *resp, size_t resp_len,
          uint8_t *data, size_t data_len)
{
    memset(e, 0, sizeof(*e));
    e->iov[0] = (struct iovec){ req, req_len };
    e->n_out = 1;
    e->out_len = req_len;
    e->iov[1] = (struct iovec){ resp, resp_len };
    e->n_in = 1;
    e->in_len = resp_len;
    if (data_len) {
        e->iov[2] = (struct iovec){ data, data_len };
        e->n_in = 2;
        e->in_len += data_len;
    }
}

static void
test_virtio_walker(void)
{
    ArmzScsiTarget *t = armz_scsi_target_new();
    int dfd = make_image("walk.img", DISK_BLOCKS * 512, O_RDWR);
    static ArmzVirtqElem e;
    uint8_t req[19 + 32] = { 1, 0, 0x40, 0 }, resp[12 + 96], data[1024];
    uint32_t written;

    g_assert_true(armz_scsi_target_add(t, new_lun(ARMZ_SCSI_DISK, dfd, NULL), NULL));
    /* READ(10) of 2 blocks into a 1 KiB buffer */
    req[19] = 0x28;
    req[19 + 8] = 2;
    elem_init(&e, req, sizeof(req), resp, sizeof(resp), data, sizeof(data));
    g_assert_true(armz_virtio_scsi_request(t, &e, 32, 96, &written));
    g_assert_cmpuint(written, ==, sizeof(resp) + 1024);
    g_assert_cmphex(resp[11], ==, VIRTIO_SCSI_S_OK);
    g_assert_cmphex(resp[10], ==, ARMZ_SCSI_GOOD);
    g_assert_cmphex(armz_ld_le32(resp + 4), ==, 0);
    g_assert_cmphex(data[513], ==, (uint8_t)(7 + 1));
    /* an unknown opcode: CHECK CONDITION with 18 bytes of sense */
    req[19] = 0xff;
    elem_init(&e, req, sizeof(req), resp, sizeof(resp), NULL, 0);
    g_assert_true(armz_virtio_scsi_request(t, &e, 32, 96, &written));
    g_assert_cmphex(resp[10], ==, ARMZ_SCSI_CHECK_CONDITION);
    g_assert_cmphex(armz_ld_le32(resp), ==, 18);
    g_assert_cmphex(resp[12 + 12], ==, 0x20);
    /* target 1: BAD_TARGET; a wrong first byte as well */
    req[1] = 1;
    g_assert_true(armz_virtio_scsi_request(t, &e, 32, 96, &written));
    g_assert_cmphex(resp[11], ==, VIRTIO_SCSI_S_BAD_TARGET);
    req[1] = 0;
    req[0] = 2;
    g_assert_true(armz_virtio_scsi_request(t, &e, 32, 96, &written));
    g_assert_cmphex(resp[11], ==, VIRTIO_SCSI_S_BAD_TARGET);
    req[0] = 1;
    /* READ(10) of 2 blocks into 512 bytes: OVERRUN */
    req[19] = 0x28;
    elem_init(&e, req, sizeof(req), resp, sizeof(resp), data, 512);
    g_assert_true(armz_virtio_scsi_request(t, &e, 32, 96, &written));
    g_assert_cmphex(resp[11], ==, VIRTIO_SCSI_S_OVERRUN);
    /* a short header or response: the driver is broken */
    elem_init(&e, req, 18 + 32, resp, sizeof(resp), NULL, 0);
    g_assert_false(armz_virtio_scsi_request(t, &e, 32, 96, &written));
    elem_init(&e, req, sizeof(req), resp, 12 + 95, NULL, 0);
    g_assert_false(armz_virtio_scsi_request(t, &e, 32, 96, &written));
    /* the driver's own CDB and sense sizes */
    elem_init(&e, req, 19 + 16, resp, 12 + 18, NULL, 0);
    req[19] = 0x00;
    g_assert_true(armz_virtio_scsi_request(t, &e, 16, 18, &written));
    g_assert_cmphex(resp[10], ==, ARMZ_SCSI_GOOD);
    /* control queue: a TMF is complete at once; AN query gets no events */
    {
        uint8_t tmf[24] = { 0 }, an[16] = { 1 }, out[5] = { 0xff, 0xff, 0xff, 0xff, 0xff };
        tmf[4] = 5;     /* LOGICAL UNIT RESET */
        tmf[8] = 1;
        elem_init(&e, tmf, sizeof(tmf), out, 1, NULL, 0);
        g_assert_true(armz_virtio_scsi_control(t, &e, &written));
        g_assert_cmpuint(written, ==, 1);
        g_assert_cmphex(out[0], ==, VIRTIO_SCSI_S_FUNCTION_COMPLETE);
        elem_init(&e, an, sizeof(an), out, 5, NULL, 0);
        g_assert_true(armz_virtio_scsi_control(t, &e, &written));
        g_assert_cmpuint(written, ==, 5);
        g_assert_cmphex(armz_ld_le32(out), ==, 0);
        elem_init(&e, tmf, 8, out, 1, NULL, 0);
        g_assert_false(armz_virtio_scsi_control(t, &e, &written));
    }
    armz_scsi_target_free(t);
}

int
main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("armz-scsi-XXXXXX", NULL);
    g_test_add_func("/scsi/malformed-cdbs", test_malformed);
    g_test_add_func("/scsi/random-cdbs", test_random_cdbs);
    g_test_add_func("/scsi/inquiry", test_inquiry);
    g_test_add_func("/scsi/read-capacity", test_read_capacity);
    g_test_add_func("/scsi/read-write", test_read_write);
    g_test_add_func("/scsi/unmap", test_unmap);
    g_test_add_func("/scsi/cdrom", test_cdrom);
    g_test_add_func("/scsi/target", test_target);
    g_test_add_func("/scsi/virtio-walker", test_virtio_walker);
    ret = g_test_run();
    {
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
        (void)!system(cmd);
    }
    return ret;
}
