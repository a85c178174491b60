/* virtio-blk on a real temporary file: read, write (split buffers and
 * indirect tables), flush, get-id, read-only disks, out-of-range and
 * malformed requests, discard / write-zeroes where the file system can, a
 * passed fd, open errors, and requests served by the worker thread. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <seccomp.h>
#include <sys/stat.h>
#include <linux/falloc.h>
#include <glib.h>
#include "vtest.h"
#include "virtio/virtio.h"
#include "virtio/blk_io.h"

#define BASE     0x0a000000ULL
#define RAM_SIZE (4u << 20)
#define RING     (VT_RAM_GPA + 0x1000)
#define HDR      (VT_RAM_GPA + 0x8000)
#define STATUS   (VT_RAM_GPA + 0x8100)
#define TABLE    (VT_RAM_GPA + 0x9000)
#define HDRS     (VT_RAM_GPA + 0xa000)
#define DATA     (VT_RAM_GPA + 0x100000)
#define DISK_SECTORS 2048

static VtMem *mem;

typedef struct {
    ArmzVirtioDev *dev;
    ArmzMmioBus *bus;
    VtIrq irq;
    VtDrv d;
    uint64_t features;
    char *path;
} Fix;

static char *
make_image(const char *name, size_t size)
{
    char *path = g_build_filename(vt_tmpdir(), name, NULL);
    g_autofree uint8_t *buf = g_malloc(size);
    GError *err = NULL;

    /* sector s, byte i holds (s * 7 + i) & 0xff */
    for (size_t i = 0; i < size; i++)
        buf[i] = (uint8_t)((i / 512) * 7 + (i % 512));
    g_assert_true(g_file_set_contents(path, (char *)buf, (gssize)size, &err));
    g_assert_no_error(err);
    return path;
}

static uint8_t
pattern(uint64_t byte)
{
    return (uint8_t)((byte / 512) * 7 + (byte % 512));
}

static void
fix_open(Fix *f, ArmzDiskOpt *o)
{
    GError *err = NULL;

    f->dev = armz_virtio_blk_new(o, "vda", &err);
    g_assert_no_error(err);
    g_assert_nonnull(f->dev);
    f->bus = vt_attach(f->dev, BASE, mem, &f->irq);
    vt_drv_init(&f->d, mem, 64, RING);
    f->features = vt_negotiate(f->bus, BASE, ~0ULL);
    g_assert_cmphex(f->features, !=, 0);
    vt_queue_setup(f->bus, BASE, 0, &f->d);
    vt_driver_ok(f->bus, BASE);
}

static void
fix_init(Fix *f, gboolean readonly, const char *serial)
{
    ArmzDiskOpt o = { 0 };

    memset(f, 0, sizeof(*f));
    f->path = make_image("disk.img", DISK_SECTORS * 512 + 100);
    o.path = f->path;
    o.fd = -1;
    o.readonly = readonly;
    o.serial = (char *)serial;
    o.discard = TRUE;       /* discard=unmap: DISCARD punches holes */
    fix_open(f, &o);
}

/* a fresh image with the modes of O (its path and fd are set here) */
static void
fix_init_opt(Fix *f, ArmzDiskOpt *o)
{
    memset(f, 0, sizeof(*f));
    f->path = make_image("disk.img", DISK_SECTORS * 512);
    o->path = f->path;
    o->fd = -1;
    fix_open(f, o);
}

static void
fix_free(Fix *f)
{
    armz_virtio_dev_free(f->dev);
    armz_mmio_bus_free(f->bus);
    if (f->path)
        unlink(f->path);
    g_free(f->path);
}

static void
put_hdr(uint32_t type, uint64_t sector)
{
    uint8_t *h = vt_ptr(mem, HDR);
    armz_st_le32(h, type);
    armz_st_le32(h + 4, 0);
    armz_st_le64(h + 8, sector);
    *vt_ptr(mem, STATUS) = 0xee;
}

/* submits chain BUFS and runs the device; the status byte and used length */
static uint8_t
submit(Fix *f, const VtBuf *bufs, unsigned n, uint32_t *used_len)
{
    uint32_t id, len;
    uint16_t head = vt_add(&f->d, bufs, n);

    vt_wr(f->bus, BASE, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    vt_run(f->dev);
    g_assert_true(vt_get_used(&f->d, &id, &len));
    g_assert_cmpuint(id, ==, head);
    if (used_len)
        *used_len = len;
    return *vt_ptr(mem, STATUS);
}

/* header, one data buffer, status */
static uint8_t
req(Fix *f, uint32_t type, uint64_t sector, uint32_t data_len, bool dev_writes,
    uint32_t *used_len)
{
    VtBuf b[3] = { { HDR, 16, false }, { DATA, data_len, dev_writes }, { STATUS, 1, true } };
    put_hdr(type, sector);
    if (data_len)
        return submit(f, b, 3, used_len);
    b[1] = b[2];
    return submit(f, b, 2, used_len);
}

static void
read_file_at(const char *path, uint64_t off, void *buf, size_t len)
{
    int fd = open(path, O_RDONLY);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(pread(fd, buf, len, (off_t)off), ==, (ssize_t)len);
    close(fd);
}

static void
test_config(void)
{
    Fix f;

    fix_init(&f, FALSE, NULL);
    g_assert_cmphex(vt_rd_sized(f.bus, BASE + 0x100 + VIRTIO_BLK_CFG_CAPACITY, 8), ==,
                    DISK_SECTORS);
    g_assert_cmpuint(vt_rd(f.bus, BASE, 0x100 + VIRTIO_BLK_CFG_SEG_MAX), ==, 254);
    g_assert_cmpuint(vt_rd(f.bus, BASE, 0x100 + VIRTIO_BLK_CFG_BLK_SIZE), ==, 512);
    g_assert_true(f.features & VIRTIO_BIT(VIRTIO_BLK_F_FLUSH));
    g_assert_true(f.features & VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX));
    g_assert_false(f.features & VIRTIO_BIT(VIRTIO_BLK_F_RO));
    g_assert_cmpuint(vt_rd(f.bus, BASE, VIRTIO_MMIO_DEVICE_ID), ==, VIRTIO_ID_BLOCK);
    fix_free(&f);
}

static void
test_read(void)
{
    Fix f;
    uint32_t len;
    uint8_t *data = vt_ptr(mem, DATA);

    fix_init(&f, FALSE, NULL);
    memset(data, 0, 4096);
    g_assert_cmpuint(req(&f, VIRTIO_BLK_T_IN, 3, 1024, true, &len), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpuint(len, ==, 1025);
    for (unsigned i = 0; i < 1024; i++)
        g_assert_cmpuint(data[i], ==, pattern(3 * 512 + i));
    /* the last sector of the disk */
    g_assert_cmpuint(req(&f, VIRTIO_BLK_T_IN, DISK_SECTORS - 1, 512, true, &len), ==,
                     VIRTIO_BLK_S_OK);
    g_assert_cmpuint(data[511], ==, pattern((DISK_SECTORS - 1) * 512ull + 511));
    g_assert_cmpint(f.irq.level, ==, 1);
    fix_free(&f);
}

static void
test_write(void)
{
    Fix f;
    uint32_t len;
    uint8_t *data = vt_ptr(mem, DATA), back[1024];

    fix_init(&f, FALSE, NULL);
    for (unsigned i = 0; i < 1024; i++)
        data[i] = (uint8_t)(i * 3 + 1);
    g_assert_cmpuint(req(&f, VIRTIO_BLK_T_OUT, 10, 1024, false, &len), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpuint(len, ==, 1);
    read_file_at(f.path, 10 * 512, back, sizeof(back));
    g_assert_cmpmem(back, sizeof(back), data, 1024);
    /* neighbours untouched */
    read_file_at(f.path, 9 * 512, back, 512);
    g_assert_cmpuint(back[0], ==, pattern(9 * 512));
    g_assert_cmpuint(req(&f, VIRTIO_BLK_T_FLUSH, 0, 0, false, &len), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpuint(len, ==, 1);
    fix_free(&f);
}

/* the header split over two descriptors, the data over three of uneven
 * sizes, then the same through an indirect table */
static void
test_split_and_indirect(void)
{
    Fix f;
    uint32_t len;
    uint8_t back[1024];
    VtBuf b[6] = { { HDR, 7, false }, { HDR + 7, 9, false }, { DATA, 100, false },
                   { DATA + 0x1000, 412, false }, { DATA + 0x2000, 512, false },
                   { STATUS, 1, true } };

    fix_init(&f, FALSE, NULL);
    memset(vt_ptr(mem, DATA), 0x11, 100);
    memset(vt_ptr(mem, DATA + 0x1000), 0x22, 412);
    memset(vt_ptr(mem, DATA + 0x2000), 0x33, 512);
    put_hdr(VIRTIO_BLK_T_OUT, 20);
    g_assert_cmpuint(submit(&f, b, 6, &len), ==, VIRTIO_BLK_S_OK);
    read_file_at(f.path, 20 * 512, back, sizeof(back));
    g_assert_cmpuint(back[0], ==, 0x11);
    g_assert_cmpuint(back[99], ==, 0x11);
    g_assert_cmpuint(back[100], ==, 0x22);
    g_assert_cmpuint(back[511], ==, 0x22);
    g_assert_cmpuint(back[512], ==, 0x33);
    g_assert_cmpuint(back[1023], ==, 0x33);

    /* read it back through an indirect table, into two buffers */
    {
        VtBuf ib[4] = { { HDR, 16, false }, { DATA + 0x3000, 300, true },
                        { DATA + 0x4000, 724, true }, { STATUS, 1, true } };
        uint32_t id;
        put_hdr(VIRTIO_BLK_T_IN, 20);
        vt_add_indirect(&f.d, TABLE, ib, 4);
        vt_wr(f.bus, BASE, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
        vt_run(f.dev);
        g_assert_true(vt_get_used(&f.d, &id, &len));
        g_assert_cmpuint(*vt_ptr(mem, STATUS), ==, VIRTIO_BLK_S_OK);
        g_assert_cmpuint(len, ==, 1025);
        g_assert_cmpmem(vt_ptr(mem, DATA + 0x3000), 300, back, 300);
        g_assert_cmpmem(vt_ptr(mem, DATA + 0x4000), 724, back + 300, 724);
    }
    fix_free(&f);
}

static void
test_get_id(void)
{
    Fix f;
    uint32_t len;
    uint8_t *data = vt_ptr(mem, DATA);

    fix_init(&f, FALSE, "ARMZ-SN-1");
    memset(data, 0xff, 64);
    g_assert_cmpuint(req(&f, VIRTIO_BLK_T_GET_ID, 0, 20, true, &len), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpuint(len, ==, 21);
    g_assert_cmpmem(data, 20, "ARMZ-SN-1\0\0\0\0\0\0\0\0\0\0\0", 20);
    fix_free(&f);

    /* longer serials are cut to 20 bytes, without a terminator */
    fix_init(&f, FALSE, "0123456789abcdefghijKLMNOP");
    memset(data, 0xff, 64);
    g_assert_cmpuint(req(&f, VIRTIO_BLK_T_GET_ID, 0, 20, true, &len), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpmem(data, 20, "0123456789abcdefghij", 20);
    g_assert_cmpuint(data[20], ==, 0xff);
    fix_free(&f);

    /* no serial: zeroes */
    fix_init(&f, FALSE, NULL);
    memset(data, 0xff, 64);
    g_assert_cmpuint(req(&f, VIRTIO_BLK_T_GET_ID, 0, 20, true, &len), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpmem(data, 20, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 20);
    fix_free(&f);
}

static void
test_readonly(void)
{
    Fix f;
    uint32_t len;
    uint8_t back[512];

    fix_init(&f, TRUE, NULL);
    g_assert_true(f.features & VIRTIO_BIT(VIRTIO_BLK_F_RO));
    g_assert_false(f.features & VIRTIO_BIT(VIRTIO_BLK_F_DISCARD));
    g_assert_false(f.features & VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES));
    memset(vt_ptr(mem, DATA), 0x5a, 512);
    g_assert_cmpuint(req(&f, VIRTIO_BLK_T_OUT, 4, 512, false, &len), ==, VIRTIO_BLK_S_IOERR);
    read_file_at(f.path, 4 * 512, back, 512);
    g_assert_cmpuint(back[0], ==, pattern(4 * 512));
    g_assert_cmpuint(req(&f, VIRTIO_BLK_T_IN, 4, 512, true, &len), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpuint(*vt_ptr(mem, DATA), ==, pattern(4 * 512));
    /* discard and write-zeroes on a read-only disk: I/O error */
    memset(vt_ptr(mem, DATA), 0, 16);
    armz_st_le64(vt_ptr(mem, DATA), 0);
    armz_st_le32(vt_ptr(mem, DATA + 8), 8);
    g_assert_cmpuint(req(&f, VIRTIO_BLK_T_DISCARD, 0, 16, false, &len), ==, VIRTIO_BLK_S_IOERR);
    g_assert_cmpuint(req(&f, VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false, &len), ==,
                     VIRTIO_BLK_S_IOERR);
    g_assert_cmpuint(req(&f, VIRTIO_BLK_T_FLUSH, 0, 0, false, &len), ==, VIRTIO_BLK_S_OK);
    read_file_at(f.path, 0, back, 512);
    g_assert_cmpuint(back[5], ==, pattern(5));
    fix_free(&f);
}

static void
test_out_of_range(void)
{
    Fix f;
    uint32_t len;

    fix_init(&f, FALSE, NULL);
    g_assert_cmpuint(req(&f, VIRTIO_BLK_T_IN, DISK_SECTORS - 1, 1024, true, &len), ==,
                     VIRTIO_BLK_S_IOERR);
    g_assert_cmpuint(len, ==, 1);
    g_assert_cmpuint(req(&f, VIRTIO_BLK_T_IN, DISK_SECTORS, 512, true, &len), ==,
                     VIRTIO_BLK_S_IOERR);
    g_assert_cmpuint(req(&f, VIRTIO_BLK_T_OUT, DISK_SECTORS, 512, false, &len), ==,
                     VIRTIO_BLK_S_IOERR);
    /* sector * 512 would overflow */
    g_assert_cmpuint(req(&f, VIRTIO_BLK_T_IN, 1ULL << 55, 512, true, &len), ==,
                     VIRTIO_BLK_S_IOERR);
    g_assert_cmpuint(req(&f, VIRTIO_BLK_T_IN, UINT64_MAX, 512, true, &len), ==,
                     VIRTIO_BLK_S_IOERR);
    g_assert_cmpuint(req(&f, VIRTIO_BLK_T_OUT, UINT64_MAX - 1, 1024, false, &len), ==,
                     VIRTIO_BLK_S_IOERR);
    /* not a multiple of the sector size */
    g_assert_cmpuint(req(&f, VIRTIO_BLK_T_IN, 0, 100, true, &len), ==, VIRTIO_BLK_S_IOERR);
    g_assert_cmpuint(req(&f, VIRTIO_BLK_T_OUT, 0, 513, false, &len), ==, VIRTIO_BLK_S_IOERR);
    /* unknown request type */
    g_assert_cmpuint(req(&f, 99, 0, 512, true, &len), ==, VIRTIO_BLK_S_UNSUPP);
    g_assert_false(armz_virtio_needs_reset(f.dev));
    /* a request with no room for the status: the driver is broken */
    {
        VtBuf b[1] = { { HDR, 16, false } };
        uint32_t id;
        put_hdr(VIRTIO_BLK_T_IN, 0);
        vt_add(&f.d, b, 1);
        vt_wr(f.bus, BASE, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
        vt_run(f.dev);
        g_assert_false(vt_get_used(&f.d, &id, &len));
        g_assert_true(armz_virtio_needs_reset(f.dev));
        g_assert_true(vt_rd(f.bus, BASE, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG);
    }
    fix_free(&f);
}

static bool
fs_can(int mode)
{
    g_autofree char *p = g_build_filename(vt_tmpdir(), "probe", NULL);
    int fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);
    bool ok;

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, 65536), ==, 0);
    ok = fallocate(fd, mode | FALLOC_FL_KEEP_SIZE, 4096, 4096) == 0;
    close(fd);
    unlink(p);
    return ok;
}

static void
test_discard_write_zeroes(void)
{
    Fix f;
    uint32_t len;
    uint8_t back[4096], zero[4096] = { 0 };
    bool punch = fs_can(FALLOC_FL_PUNCH_HOLE), zr = fs_can(FALLOC_FL_ZERO_RANGE);
    uint8_t *seg = vt_ptr(mem, DATA);

    fix_init(&f, FALSE, NULL);
    g_test_message("file system: punch hole %d, zero range %d", punch, zr);
    g_assert_cmpint(!!(f.features & VIRTIO_BIT(VIRTIO_BLK_F_DISCARD)), ==, punch);
    g_assert_cmpint(!!(f.features & VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES)), ==, zr);
    /* the probe past the end changed neither size nor contents */
    {
        struct stat st;
        g_assert_cmpint(stat(f.path, &st), ==, 0);
        g_assert_cmpint(st.st_size, ==, DISK_SECTORS * 512 + 100);
    }

    memset(seg, 0, 64);
    armz_st_le64(seg, 16);
    armz_st_le32(seg + 8, 8);
    g_assert_cmpuint(req(&f, VIRTIO_BLK_T_DISCARD, 0, 16, false, &len), ==,
                     punch ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_UNSUPP);
    if (punch) {
        read_file_at(f.path, 16 * 512, back, 4096);
        g_assert_cmpmem(back, 4096, zero, 4096);
        read_file_at(f.path, 15 * 512, back, 512);
        g_assert_cmpuint(back[1], ==, pattern(15 * 512 + 1));
        read_file_at(f.path, 24 * 512, back, 512);
        g_assert_cmpuint(back[1], ==, pattern(24 * 512 + 1));
        /* discard with flags: unsupported; out of range / too many segments: error */
        armz_st_le32(seg + 12, 1);
        g_assert_cmpuint(req(&f, VIRTIO_BLK_T_DISCARD, 0, 16, false, &len), ==,
                         VIRTIO_BLK_S_UNSUPP);
        armz_st_le32(seg + 12, 0);
        armz_st_le64(seg, DISK_SECTORS - 4);
        g_assert_cmpuint(req(&f, VIRTIO_BLK_T_DISCARD, 0, 16, false, &len), ==,
                         VIRTIO_BLK_S_IOERR);
        g_assert_cmpuint(req(&f, VIRTIO_BLK_T_DISCARD, 0, 16 * 33, false, &len), ==,
                         VIRTIO_BLK_S_IOERR);
        g_assert_cmpuint(req(&f, VIRTIO_BLK_T_DISCARD, 0, 20, false, &len), ==,
                         VIRTIO_BLK_S_IOERR);
    }
    armz_st_le64(seg, 40);
    armz_st_le32(seg + 8, 8);
    armz_st_le32(seg + 12, 0);
    g_assert_cmpuint(req(&f, VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false, &len), ==,
                     zr ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_UNSUPP);
    if (zr) {
        read_file_at(f.path, 40 * 512, back, 4096);
        g_assert_cmpmem(back, 4096, zero, 4096);
        read_file_at(f.path, 48 * 512, back, 512);
        g_assert_cmpuint(back[1], ==, pattern(48 * 512 + 1));
    }
    fix_free(&f);
}

static void
test_fd_and_errors(void)
{
    Fix f;
    ArmzDiskOpt o = { 0 };
    GError *err = NULL;
    g_autofree char *path = make_image("fd.img", 8192);
    g_autofree char *missing = g_build_filename(vt_tmpdir(), "missing.img", NULL);
    uint32_t len;
    int fd;

    /* a passed read-write fd */
    fd = open(path, O_RDWR);
    g_assert_cmpint(fd, >=, 0);
    memset(&f, 0, sizeof(f));
    o.fd = fd;
    fix_open(&f, &o);
    g_assert_cmphex(vt_rd_sized(f.bus, BASE + 0x100, 8), ==, 16);
    g_assert_cmpuint(req(&f, VIRTIO_BLK_T_IN, 15, 512, true, &len), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpuint(*vt_ptr(mem, DATA + 3), ==, pattern(15 * 512 + 3));
    fix_free(&f);
    g_assert_cmpint(fcntl(fd, F_GETFD), >=, 0);     /* the device does not own it */
    close(fd);

    /* a missing image: the message names it */
    o.fd = -1;
    o.path = missing;
    g_assert_null(armz_virtio_blk_new(&o, "vda", &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err->message, missing));
    g_clear_error(&err);

    /* a read-only fd for a writable disk; a closed fd */
    fd = open(path, O_RDONLY);
    o.path = NULL;
    o.fd = fd;
    g_assert_null(armz_virtio_blk_new(&o, "vda", &err));
    g_assert_nonnull(strstr(err->message, "read-only"));
    g_clear_error(&err);
    o.readonly = TRUE;
    {
        ArmzVirtioDev *d = armz_virtio_blk_new(&o, "vda", &err);
        g_assert_no_error(err);
        armz_virtio_dev_free(d);
    }
    close(fd);
    g_assert_null(armz_virtio_blk_new(&o, "vda", &err));
    g_assert_nonnull(err);
    g_clear_error(&err);
    unlink(path);
}

/* the worker thread serves requests without the test driving it */
static void
test_thread(void)
{
    Fix f;
    GError *err = NULL;
    gint64 deadline;
    uint32_t id, len;

    fix_init(&f, FALSE, NULL);
    g_assert_true(armz_virtio_dev_start(f.dev, &err));
    g_assert_no_error(err);
    for (unsigned i = 0; i < 20; i++) {
        VtBuf b[3] = { { HDRS + 16 * i, 16, false }, { DATA + 512 * i, 512, true },
                       { STATUS + i, 1, true } };
        uint8_t *h = vt_ptr(mem, HDRS + 16 * i);
        armz_st_le32(h, VIRTIO_BLK_T_IN);
        armz_st_le64(h + 8, 100 + i);
        *vt_ptr(mem, STATUS + i) = 0xee;
        /* three descriptors per request: 20 requests wrap the 64-entry table */
        vt_add(&f.d, b, 3);
    }
    vt_wr(f.bus, BASE, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (vt_used_idx(&f.d) < 20 && g_get_monotonic_time() < deadline)
        g_usleep(1000);
    for (unsigned i = 0; i < 20; i++) {
        g_assert_true(vt_get_used(&f.d, &id, &len));
        g_assert_cmpuint(*vt_ptr(mem, STATUS + i), ==, VIRTIO_BLK_S_OK);
        g_assert_cmpuint(*vt_ptr(mem, DATA + 512 * i + 9), ==, pattern((100 + i) * 512 + 9));
    }
    fix_free(&f);
}

/* ---- cache modes, discard=ignore, detect-zeroes, error policy, stats ---- */

static bool
fs_has_direct(void)
{
    g_autofree char *p = g_build_filename(vt_tmpdir(), "direct.probe", NULL);
    int fd = open(p, O_RDWR | O_CREAT | O_DIRECT, 0600);
    if (fd >= 0)
        close(fd);
    unlink(p);
    return fd >= 0;
}

static void
test_open_flags(void)
{
    g_assert_cmpint(armz_virtio_blk_open_flags(ARMZ_CACHE_WRITEBACK), ==, 0);
    g_assert_cmpint(armz_virtio_blk_open_flags(ARMZ_CACHE_UNSAFE), ==, 0);
    g_assert_cmpint(armz_virtio_blk_open_flags(ARMZ_CACHE_NONE), ==, O_DIRECT);
    g_assert_cmpint(armz_virtio_blk_open_flags(ARMZ_CACHE_WRITETHROUGH), ==, O_DSYNC);
    g_assert_cmpint(armz_virtio_blk_open_flags(ARMZ_CACHE_DIRECTSYNC), ==, O_DIRECT | O_DSYNC);
}

/* the guest's write cache per mode (QEMU: on but for writethrough and
 * directsync), toggled by the driver; unsafe answers flushes at once */
static void
test_cache_wce(void)
{
    static const struct { ArmzCacheMode mode; int wce; } t[] = {
        { ARMZ_CACHE_WRITEBACK, 1 }, { ARMZ_CACHE_UNSAFE, 1 }, { ARMZ_CACHE_WRITETHROUGH, 0 },
        { ARMZ_CACHE_NONE, 1 }, { ARMZ_CACHE_DIRECTSYNC, 0 },
    };
    bool direct = fs_has_direct();

    for (unsigned i = 0; i < G_N_ELEMENTS(t); i++) {
        ArmzDiskOpt o = { .cache = t[i].mode };
        uint8_t *data = vt_ptr(mem, DATA), back[512];
        uint32_t len;
        Fix f;

        if ((armz_virtio_blk_open_flags(t[i].mode) & O_DIRECT) && !direct) {
            g_test_message("no O_DIRECT on this file system: mode %d skipped", t[i].mode);
            continue;
        }
        fix_init_opt(&f, &o);
        g_assert_true(f.features & VIRTIO_BIT(VIRTIO_BLK_F_CONFIG_WCE));
        g_assert_cmpuint(vt_rd_sized(f.bus, BASE + 0x100 + VIRTIO_BLK_CFG_WRITEBACK, 1), ==,
                         t[i].wce);
        memset(data, 0x5a, 512);
        g_assert_cmpuint(req(&f, VIRTIO_BLK_T_OUT, 7, 512, false, &len), ==, VIRTIO_BLK_S_OK);
        read_file_at(f.path, 7 * 512, back, 512);
        g_assert_cmpmem(back, 512, data, 512);
        g_assert_cmpuint(req(&f, VIRTIO_BLK_T_FLUSH, 0, 0, false, &len), ==, VIRTIO_BLK_S_OK);
        /* the driver turns its cache off */
        {
            uint8_t zero = 0;
            g_assert_true(armz_mmio_bus_access(f.bus, BASE + 0x100 + VIRTIO_BLK_CFG_WRITEBACK,
                                               &zero, 1, true));
        }
        g_assert_cmpuint(vt_rd_sized(f.bus, BASE + 0x100 + VIRTIO_BLK_CFG_WRITEBACK, 1), ==, 0);
        g_assert_cmpuint(req(&f, VIRTIO_BLK_T_OUT, 8, 512, false, &len), ==, VIRTIO_BLK_S_OK);
        fix_free(&f);
    }
}

/* cache=none: the fd is O_DIRECT (a passed fd gets it too); a guest buffer
 * that is not 512-aligned goes through the bounce buffer */
static void
test_direct(void)
{
    ArmzDiskOpt o = { .cache = ARMZ_CACHE_NONE };
    g_autofree char *path = NULL;
    uint8_t back[512];
    uint32_t len;
    Fix f;
    int fd;

    if (!fs_has_direct()) {
        g_test_skip("no O_DIRECT on this file system");
        return;
    }
    fix_init_opt(&f, &o);
    for (unsigned i = 0; i < 512; i++)
        *vt_ptr(mem, DATA + 3 + i) = (uint8_t)(i ^ 0xa5);
    {
        VtBuf b[3] = { { HDR, 16, false }, { DATA + 3, 512, false }, { STATUS, 1, true } };
        put_hdr(VIRTIO_BLK_T_OUT, 5);
        g_assert_cmpuint(submit(&f, b, 3, &len), ==, VIRTIO_BLK_S_OK);
        read_file_at(f.path, 5 * 512, back, 512);
        g_assert_cmpmem(back, 512, vt_ptr(mem, DATA + 3), 512);
        memset(vt_ptr(mem, DATA + 3), 0, 512);
        b[1].write = true;
        put_hdr(VIRTIO_BLK_T_IN, 5);
        g_assert_cmpuint(submit(&f, b, 3, &len), ==, VIRTIO_BLK_S_OK);
        g_assert_cmpmem(back, 512, vt_ptr(mem, DATA + 3), 512);
    }
    /* aligned: straight from guest memory */
    g_assert_cmpuint(req(&f, VIRTIO_BLK_T_IN, 6, 1024, true, &len), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpuint(*vt_ptr(mem, DATA + 1), ==, pattern(6 * 512 + 1));
    fix_free(&f);

    path = make_image("direct-fd.img", 8192);
    fd = open(path, O_RDWR);
    g_assert_cmpint(fd, >=, 0);
    o.path = NULL;
    o.fd = fd;
    memset(&f, 0, sizeof(f));
    fix_open(&f, &o);
    g_assert_true(fcntl(fd, F_GETFL) & O_DIRECT);
    fix_free(&f);
    close(fd);
    unlink(path);
}

/* discard=ignore (the default): offered, accepted, nothing punched */
static void
test_discard_ignore(void)
{
    ArmzDiskOpt o = { 0 };
    uint8_t *seg = vt_ptr(mem, DATA), back[512];
    uint32_t len;
    Fix f;

    fix_init_opt(&f, &o);
    g_assert_true(f.features & VIRTIO_BIT(VIRTIO_BLK_F_DISCARD));
    g_assert_cmpuint(vt_rd_sized(f.bus, BASE + 0x100 + VIRTIO_BLK_CFG_WZ_MAY_UNMAP, 1), ==, 0);
    memset(seg, 0, 16);
    armz_st_le64(seg, 16);
    armz_st_le32(seg + 8, 8);
    g_assert_cmpuint(req(&f, VIRTIO_BLK_T_DISCARD, 0, 16, false, &len), ==, VIRTIO_BLK_S_OK);
    read_file_at(f.path, 17 * 512, back, 512);
    g_assert_cmpuint(back[3], ==, pattern(17 * 512 + 3));
    fix_free(&f);
}

static bool
is_hole(const char *path, off_t off)
{
    int fd = open(path, O_RDONLY);
    off_t h = lseek(fd, off, SEEK_HOLE);
    close(fd);
    return h == off;
}

/* detect-zeroes=unmap with discard=unmap: an all-zero write punches a hole;
 * with detect-zeroes=off it is written */
static void
test_detect_zeroes(void)
{
    ArmzDiskOpt o = { .discard = TRUE, .detect_zeroes = ARMZ_DETECT_ZEROES_UNMAP };
    uint8_t back[4096], zero[4096] = { 0 };
    uint32_t len;
    Fix f;

    if (!fs_can(FALLOC_FL_PUNCH_HOLE)) {
        g_test_skip("the file system cannot punch holes");
        return;
    }
    fix_init_opt(&f, &o);
    memset(vt_ptr(mem, DATA), 0, 4096);
    g_assert_false(is_hole(f.path, 64 * 512));
    g_assert_cmpuint(req(&f, VIRTIO_BLK_T_OUT, 64, 4096, false, &len), ==, VIRTIO_BLK_S_OK);
    read_file_at(f.path, 64 * 512, back, 4096);
    g_assert_cmpmem(back, 4096, zero, 4096);
    g_assert_true(is_hole(f.path, 64 * 512));
    fix_free(&f);

    /* on: a zeroed range that keeps its blocks; unmap without discard=unmap: the same */
    for (unsigned i = 0; i < 2; i++) {
        ArmzDiskOpt on = { .discard = i == 0, .detect_zeroes = i == 0 ? ARMZ_DETECT_ZEROES_ON
                                                                    : ARMZ_DETECT_ZEROES_UNMAP };
        struct stat st0, st1;

        fix_init_opt(&f, &on);
        g_assert_cmpint(stat(f.path, &st0), ==, 0);
        g_assert_cmpuint(req(&f, VIRTIO_BLK_T_OUT, 64, 4096, false, &len), ==, VIRTIO_BLK_S_OK);
        read_file_at(f.path, 64 * 512, back, 4096);
        g_assert_cmpmem(back, 4096, zero, 4096);
        /* (an unwritten extent may count as a hole for SEEK_HOLE: compare blocks) */
        g_assert_cmpint(stat(f.path, &st1), ==, 0);
        g_assert_cmpint(st1.st_blocks, >=, st0.st_blocks);
        fix_free(&f);
    }

    o.detect_zeroes = ARMZ_DETECT_ZEROES_OFF;
    fix_init_opt(&f, &o);
    g_assert_cmpuint(req(&f, VIRTIO_BLK_T_OUT, 64, 4096, false, &len), ==, VIRTIO_BLK_S_OK);
    read_file_at(f.path, 64 * 512, back, 4096);
    g_assert_cmpmem(back, 4096, zero, 4096);
    g_assert_false(is_hole(f.path, 64 * 512));
    fix_free(&f);
}

/* 512 bytes from an odd guest address to SECTOR, checked in the image */
static void
write_unaligned(Fix *f, uint64_t sector)
{
    VtBuf b[3] = { { HDR, 16, false }, { DATA + 3, 512, false }, { STATUS, 1, true } };
    uint8_t back[512];
    uint32_t len;

    for (unsigned i = 0; i < 512; i++)
        *vt_ptr(mem, DATA + 3 + i) = (uint8_t)(i ^ sector);
    put_hdr(VIRTIO_BLK_T_OUT, sector);
    g_assert_cmpuint(submit(f, b, 3, &len), ==, VIRTIO_BLK_S_OK);
    read_file_at(f->path, sector * 512, back, 512);
    g_assert_cmpmem(back, 512, vt_ptr(mem, DATA + 3), 512);
}

/* io=native needs O_DIRECT (QEMU's rule) */
static void
test_io_native_needs_direct(void)
{
    g_autofree char *path = make_image("native.img", 8192);
    ArmzDiskOpt o = { .path = path, .fd = -1, .io = ARMZ_DISK_IO_NATIVE };
    GError *err = NULL;

    g_assert_null(armz_virtio_blk_new(&o, "vda", &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err->message, "io=native needs cache=none or cache=directsync"));
    g_error_free(err);
    unlink(path);
}

/* io=native and io=io_uring: reads, aligned and bounced writes, flushes
 * and write-through writes land in the image as with io=threads.  Skipped
 * where the host (or qemu-user) has no Linux AIO or io_uring, which is
 * what the error says. */
static void
test_io_modes(gconstpointer data)
{
    ArmzDiskIo mode = (ArmzDiskIo)GPOINTER_TO_INT(data);
    ArmzCacheMode caches[] = { ARMZ_CACHE_NONE, ARMZ_CACHE_WRITEBACK, ARMZ_CACHE_DIRECTSYNC };

    for (unsigned c = 0; c < G_N_ELEMENTS(caches); c++) {
        ArmzDiskOpt o = { .cache = caches[c], .io = mode };
        g_autofree char *path = make_image("io.img", DISK_SECTORS * 512);
        bool direct = (armz_virtio_blk_open_flags(caches[c]) & O_DIRECT) != 0;
        GError *err = NULL;
        uint8_t back[1024];
        uint32_t len;
        Fix f;

        if (mode == ARMZ_DISK_IO_NATIVE && !direct)
            continue;
        if (direct && !fs_has_direct()) {
            g_test_message("no O_DIRECT on this file system: cache %d skipped", caches[c]);
            unlink(path);
            continue;
        }
        o.path = path;
        o.fd = -1;
        f.dev = armz_virtio_blk_new(&o, "vda", &err);
        if (!f.dev) {
            g_assert_nonnull(err);
            g_assert_true(mode == ARMZ_DISK_IO_URING ? strstr(err->message, "io_uring") != NULL
                                                    : strstr(err->message, "AIO") != NULL);
            g_test_skip(err->message);
            g_error_free(err);
            unlink(path);
            return;
        }
        armz_virtio_dev_free(f.dev);
        memset(&f, 0, sizeof(f));
        fix_init_opt(&f, &o);
        unlink(path);
        /* read */
        g_assert_cmpuint(req(&f, VIRTIO_BLK_T_IN, 6, 1024, true, &len), ==, VIRTIO_BLK_S_OK);
        g_assert_cmpuint(len, ==, 1025);
        for (unsigned i = 0; i < 1024; i++)
            g_assert_cmpuint(*vt_ptr(mem, DATA + i), ==, pattern(6 * 512 + i));
        /* aligned write */
        for (unsigned i = 0; i < 1024; i++)
            *vt_ptr(mem, DATA + i) = (uint8_t)(i * 13 + c);
        g_assert_cmpuint(req(&f, VIRTIO_BLK_T_OUT, 9, 1024, false, &len), ==, VIRTIO_BLK_S_OK);
        read_file_at(f.path, 9 * 512, back, 1024);
        g_assert_cmpmem(back, 1024, vt_ptr(mem, DATA), 1024);
        /* a buffer O_DIRECT cannot take: bounced */
        write_unaligned(&f, 20);
        g_assert_cmpuint(req(&f, VIRTIO_BLK_T_FLUSH, 0, 0, false, &len), ==, VIRTIO_BLK_S_OK);
        /* out of range stays an error without a host call */
        g_assert_cmpuint(req(&f, VIRTIO_BLK_T_IN, DISK_SECTORS, 512, true, &len), ==,
                         VIRTIO_BLK_S_IOERR);
        fix_free(&f);
    }
}

/* A host whose seccomp policy refuses io_uring (EPERM, as Docker's default
 * profile does): armz_blk_io_new says so, naming the disk and the mode.
 * In a child, which loads the filter; skipped where seccomp cannot be
 * loaded (qemu-user) or the build has no io_uring. */
static void
test_io_uring_refused(void)
{
    pid_t pid;
    int status;

    if (!armz_blk_io_have_uring()) {
        g_test_skip("built without io_uring");
        return;
    }
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
        GError *err = NULL;
        ArmzBlkIo *io;

        if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
                                     seccomp_syscall_resolve_name("io_uring_setup"), 0) < 0 ||
            seccomp_load(ctx) < 0)
            _exit(77);
        io = armz_blk_io_new(ARMZ_DISK_IO_URING, "vdq", &err);
        if (io || !err)
            _exit(1);
        if (!strstr(err->message, "disk vdq") || !strstr(err->message, "io_uring") ||
            !strstr(err->message, "seccomp") || !strstr(err->message, "io=threads"))
            _exit(2);
        _exit(0);
    }
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 77) {
        g_test_skip("cannot load a seccomp filter here");
        return;
    }
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

static void
test_error_action(void)
{
    g_assert_cmpint(armz_virtio_blk_error_action(ARMZ_BLK_ERR_REPORT, ENOSPC), ==,
                    ARMZ_BLK_ERR_REPORT);
    g_assert_cmpint(armz_virtio_blk_error_action(ARMZ_BLK_ERR_IGNORE, EIO), ==,
                    ARMZ_BLK_ERR_IGNORE);
    g_assert_cmpint(armz_virtio_blk_error_action(ARMZ_BLK_ERR_STOP, EIO), ==, ARMZ_BLK_ERR_STOP);
    g_assert_cmpint(armz_virtio_blk_error_action(ARMZ_BLK_ERR_ENOSPC, ENOSPC), ==,
                    ARMZ_BLK_ERR_STOP);
    g_assert_cmpint(armz_virtio_blk_error_action(ARMZ_BLK_ERR_ENOSPC, EIO), ==,
                    ARMZ_BLK_ERR_REPORT);
}

typedef struct {
    unsigned calls;
    ArmzBlkIoError last;
} ErrSeen;

static void
on_error(void *opaque, ArmzVirtioDev *d, const ArmzBlkIoError *e)
{
    ErrSeen *s = opaque;
    s->calls++;
    s->last = *e;
}

/* Writes past RLIMIT_FSIZE fail (EFBIG) like a full disk: report, ignore,
 * stop (no completion until resume retries it, then it lands) */
static void
test_error_policy(void)
{
    static const ArmzBlkErrorPolicy pol[] = {
        ARMZ_BLK_ERR_REPORT, ARMZ_BLK_ERR_IGNORE, ARMZ_BLK_ERR_STOP };
    struct rlimit old, lim;
    uint8_t back[512];

    signal(SIGXFSZ, SIG_IGN);
    g_assert_cmpint(getrlimit(RLIMIT_FSIZE, &old), ==, 0);
    for (unsigned i = 0; i < G_N_ELEMENTS(pol); i++) {
        ArmzDiskOpt o = { .werror = pol[i], .rerror = ARMZ_BLK_ERR_REPORT };
        ErrSeen seen = { 0 };
        ArmzBlkStats st;
        uint32_t id, len;
        Fix f;

        fix_init_opt(&f, &o);
        armz_virtio_blk_set_error_fn(f.dev, on_error, &seen);
        lim = old;
        lim.rlim_cur = 512 * 512;   /* sectors from 512 on fail */
        g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &lim), ==, 0);
        memset(vt_ptr(mem, DATA), 0x77, 512);
        if (pol[i] != ARMZ_BLK_ERR_STOP) {
            uint8_t want = pol[i] == ARMZ_BLK_ERR_REPORT ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
            g_assert_cmpuint(req(&f, VIRTIO_BLK_T_OUT, 600, 512, false, &len), ==, want);
            g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &old), ==, 0);
        } else {
            VtBuf b[3] = { { HDR, 16, false }, { DATA, 512, false }, { STATUS, 1, true } };
            put_hdr(VIRTIO_BLK_T_OUT, 600);
            vt_add(&f.d, b, 3);
            vt_wr(f.bus, BASE, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
            vt_run(f.dev);
            g_assert_false(vt_get_used(&f.d, &id, &len));       /* held */
            /* a new kick does not retry it */
            vt_wr(f.bus, BASE, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
            vt_run(f.dev);
            g_assert_false(vt_get_used(&f.d, &id, &len));
            g_assert_cmpint(armz_virtio_blk_io_status(f.dev), ==, EFBIG);
            /* space is back: cont */
            g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &old), ==, 0);
            armz_virtio_blk_resume(f.dev);
            g_assert_cmpint(armz_virtio_blk_io_status(f.dev), ==, 0);
            vt_run(f.dev);
            g_assert_true(vt_get_used(&f.d, &id, &len));
            g_assert_cmpuint(*vt_ptr(mem, STATUS), ==, VIRTIO_BLK_S_OK);
            read_file_at(f.path, 600 * 512, back, 512);
            g_assert_cmpuint(back[0], ==, 0x77);
        }
        g_assert_cmpuint(seen.calls, ==, 1);
        g_assert_true(seen.last.write);
        g_assert_cmpint(seen.last.err, ==, EFBIG);
        g_assert_cmpint(seen.last.action, ==, pol[i]);
        g_assert_cmpstr(seen.last.label, ==, "vda");
        armz_virtio_blk_stats(f.dev, &st);
        g_assert_cmpuint(st.wr_ops, ==, 1);
        g_assert_cmpuint(st.failed_wr, ==, pol[i] == ARMZ_BLK_ERR_REPORT);
        fix_free(&f);
    }
    signal(SIGXFSZ, SIG_DFL);
}

static void
test_stats_resize(void)
{
    ArmzDiskOpt o = { 0 };
    GError *err = NULL;
    ArmzBlkStats st;
    uint32_t len;
    Fix f;

    fix_init_opt(&f, &o);
    g_assert_cmpuint(req(&f, VIRTIO_BLK_T_IN, 0, 4096, true, &len), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpuint(req(&f, VIRTIO_BLK_T_IN, 8, 1024, true, &len), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpuint(req(&f, VIRTIO_BLK_T_OUT, 8, 1024, false, &len), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpuint(req(&f, VIRTIO_BLK_T_FLUSH, 0, 0, false, &len), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpuint(req(&f, VIRTIO_BLK_T_IN, DISK_SECTORS, 512, true, &len), ==,
                     VIRTIO_BLK_S_IOERR);
    armz_virtio_blk_stats(f.dev, &st);
    g_assert_cmpuint(st.rd_ops, ==, 3);
    g_assert_cmpuint(st.rd_bytes, ==, 5120);
    g_assert_cmpuint(st.failed_rd, ==, 1);
    g_assert_cmpuint(st.wr_ops, ==, 1);
    g_assert_cmpuint(st.wr_bytes, ==, 1024);
    g_assert_cmpuint(st.flush_ops, ==, 1);
    g_assert_cmpuint(st.wr_highest_offset, ==, 9 * 512 + 512);

    /* the daemon grew the file: the guest sees the new capacity */
    g_assert_cmpint(truncate(f.path, DISK_SECTORS * 1024), ==, 0);
    g_assert_false(armz_virtio_blk_resize(f.dev, DISK_SECTORS * 2048, &err));
    g_assert_nonnull(strstr(err->message, "must be resized first"));
    g_clear_error(&err);
    f.irq.level = 0;
    g_assert_true(armz_virtio_blk_resize(f.dev, DISK_SECTORS * 1024, &err));
    g_assert_no_error(err);
    g_assert_cmphex(vt_rd_sized(f.bus, BASE + 0x100 + VIRTIO_BLK_CFG_CAPACITY, 8), ==,
                    DISK_SECTORS * 2);
    g_assert_cmpuint(armz_virtio_blk_capacity(f.dev), ==, DISK_SECTORS * 1024);
    g_assert_cmphex(vt_rd(f.bus, BASE, VIRTIO_MMIO_INTERRUPT_STATUS) & 2, ==, 2);
    g_assert_cmpuint(req(&f, VIRTIO_BLK_T_IN, DISK_SECTORS, 512, true, &len), ==,
                     VIRTIO_BLK_S_OK);
    fix_free(&f);
}

int
main(int argc, char **argv)
{
    int r;

    g_test_init(&argc, &argv, NULL);
    mem = vt_mem_new(RAM_SIZE);
    g_test_add_func("/virtio-blk/config", test_config);
    g_test_add_func("/virtio-blk/read", test_read);
    g_test_add_func("/virtio-blk/write-flush", test_write);
    g_test_add_func("/virtio-blk/split-and-indirect", test_split_and_indirect);
    g_test_add_func("/virtio-blk/get-id", test_get_id);
    g_test_add_func("/virtio-blk/readonly", test_readonly);
    g_test_add_func("/virtio-blk/out-of-range", test_out_of_range);
    g_test_add_func("/virtio-blk/discard-write-zeroes", test_discard_write_zeroes);
    g_test_add_func("/virtio-blk/fd-and-errors", test_fd_and_errors);
    g_test_add_func("/virtio-blk/thread", test_thread);
    g_test_add_func("/virtio-blk/open-flags", test_open_flags);
    g_test_add_func("/virtio-blk/cache-wce", test_cache_wce);
    g_test_add_func("/virtio-blk/direct", test_direct);
    g_test_add_func("/virtio-blk/discard-ignore", test_discard_ignore);
    g_test_add_func("/virtio-blk/detect-zeroes", test_detect_zeroes);
    g_test_add_func("/virtio-blk/error-action", test_error_action);
    g_test_add_func("/virtio-blk/io-native-needs-direct", test_io_native_needs_direct);
    g_test_add_data_func("/virtio-blk/io-native", GINT_TO_POINTER(ARMZ_DISK_IO_NATIVE),
                         test_io_modes);
    g_test_add_data_func("/virtio-blk/io-uring", GINT_TO_POINTER(ARMZ_DISK_IO_URING),
                         test_io_modes);
    g_test_add_func("/virtio-blk/io-uring-refused", test_io_uring_refused);
    g_test_add_func("/virtio-blk/error-policy", test_error_policy);
    g_test_add_func("/virtio-blk/stats-resize", test_stats_resize);
    r = g_test_run();
    vt_mem_free(mem);
    vt_tmpdir_cleanup();
    return r;
}
