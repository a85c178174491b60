/* armz-vmm's command line for the virtio devices (the daemon generates it:
 * the syntax is a fixed contract): --disk, --net, --console,
 * --console-pty-file, --serial-log, --console-log, --rng; every malformed
 * one is refused with a message naming the option. */
#include <string.h>
#include <glib.h>
#include "options.h"

/* GOption rearranges argv: hand it a copy of the pointer array */
static char **
ptrs_dup(char **v, size_t n)
{
    char **c = g_new(char *, n);
    memcpy(c, v, sizeof(char *) * n);
    return c;
}

static gboolean
parse(ArmzOptions *o, GError **err, const char *first, ...)
{
    g_autoptr(GPtrArray) av = g_ptr_array_new();
    va_list ap;
    gboolean ok;
    char **argv;
    int argc;

    g_ptr_array_add(av, (char *)"armz-vmm");
    g_ptr_array_add(av, (char *)"--kernel");
    g_ptr_array_add(av, (char *)"Image");
    va_start(ap, first);
    for (const char *a = first; a; a = va_arg(ap, const char *))
        g_ptr_array_add(av, (char *)a);
    va_end(ap);
    g_ptr_array_add(av, NULL);
    argv = g_strdupv((char **)av->pdata);
    argc = (int)g_strv_length(argv);
    memset(o, 0, sizeof(*o));
    {
        char **keep = ptrs_dup(argv, (size_t)argc + 1);
        ok = armz_options_parse(argc, keep, o, err);
        g_free(keep);
    }
    g_strfreev(argv);
    return ok;
}

static void
test_full(void)
{
    ArmzOptions o;
    GError *err = NULL;

    g_assert_true(parse(&o, &err,
                        "--disk", "path=/img/a.raw,serial=SN-1,id=virtio-disk0",
                        "--disk", "fd=7,readonly=on",
                        "--disk", "path=/img/with,,comma.raw,readonly=off",
                        "--net", "tap=vnet0,mac=52:54:00:12:34:56",
                        "--net", "fd=9,link=down",
                        "--serial", "none", "--serial-log", "file:/log/serial.log",
                        "--console", "pty", "--console-pty-file", "/run/c.pty",
                        "--console-log", "fd:11",
                        "--rng", "/dev/urandom", NULL));
    g_assert_no_error(err);
    g_assert_cmpuint(o.ndisks, ==, 3);
    g_assert_cmpstr(o.disks[0].path, ==, "/img/a.raw");
    g_assert_cmpstr(o.disks[0].serial, ==, "SN-1");
    g_assert_cmpstr(o.disks[0].id, ==, "virtio-disk0");
    g_assert_null(o.disks[1].id);
    g_assert_false(o.disks[0].readonly);
    g_assert_null(o.disks[1].path);
    g_assert_cmpint(o.disks[1].fd, ==, 7);
    g_assert_true(o.disks[1].readonly);
    g_assert_cmpstr(o.disks[2].path, ==, "/img/with,comma.raw");
    /* the defaults: QEMU's */
    g_assert_cmpint(o.disks[0].cache, ==, ARMZ_CACHE_WRITEBACK);
    g_assert_false(o.disks[0].discard);
    g_assert_cmpint(o.disks[0].detect_zeroes, ==, ARMZ_DETECT_ZEROES_OFF);
    g_assert_cmpint(o.disks[0].werror, ==, ARMZ_BLK_ERR_REPORT);
    g_assert_cmpint(o.disks[0].rerror, ==, ARMZ_BLK_ERR_REPORT);
    g_assert_cmpuint(o.nnets, ==, 2);
    g_assert_cmpstr(o.nets[0].tap, ==, "vnet0");
    g_assert_true(o.nets[0].has_mac);
    g_assert_cmpmem(o.nets[0].mac, 6, "\x52\x54\x00\x12\x34\x56", 6);
    g_assert_cmpint(o.nets[1].fd, ==, 9);
    g_assert_false(o.nets[1].has_mac);
    g_assert_false(o.nets[0].link_down);
    g_assert_true(o.nets[1].link_down);
    g_assert_cmpint(o.serial.kind, ==, ARMZ_SERIAL_NONE);
    g_assert_cmpstr(o.serial.log_path, ==, "/log/serial.log");
    g_assert_true(o.has_console);
    g_assert_cmpint(o.console.kind, ==, ARMZ_SERIAL_PTY);
    g_assert_cmpstr(o.console.pty_file, ==, "/run/c.pty");
    g_assert_cmpint(o.console.log_fd, ==, 11);
    g_assert_true(o.has_rng);
    g_assert_cmpstr(o.rng_path, ==, "/dev/urandom");
    armz_options_clear(&o);

    g_assert_true(parse(&o, &err, "--rng", "fd:4", "--serial-log", "fd:3",
                        "--console", "file:/tmp/hvc0.out", NULL));
    g_assert_cmpint(o.rng_fd, ==, 4);
    g_assert_cmpint(o.serial.log_fd, ==, 3);
    g_assert_cmpint(o.serial.kind, ==, ARMZ_SERIAL_STDIO);
    g_assert_cmpint(o.console.kind, ==, ARMZ_SERIAL_FILE);
    g_assert_cmpstr(o.console.path, ==, "/tmp/hvc0.out");
    armz_options_clear(&o);

    g_assert_true(parse(&o, &err, "--balloon", "stats-period=10,target=805306368,"
                        "deflate-on-oom=on,free-page-reporting=on", NULL));
    g_assert_true(o.has_balloon);
    g_assert_cmpuint(o.balloon.stats_period, ==, 10);
    g_assert_cmpuint(o.balloon.target, ==, 805306368);
    g_assert_true(o.balloon.deflate_on_oom);
    g_assert_true(o.balloon.free_page_reporting);
    armz_options_clear(&o);
    g_assert_true(parse(&o, &err, "--channel", "name=org.qemu.guest_agent.0,fd=7,id=channel0",
                        "--channel", "name=a,,b,path=/run/x.sock", NULL));
    g_assert_cmpuint(o.nchannels, ==, 2);
    g_assert_cmpstr(o.channels[0].name, ==, "org.qemu.guest_agent.0");
    g_assert_cmpint(o.channels[0].fd, ==, 7);
    g_assert_cmpstr(o.channels[0].id, ==, "channel0");
    g_assert_cmpstr(o.channels[1].name, ==, "a,b");
    g_assert_cmpstr(o.channels[1].path, ==, "/run/x.sock");
    g_assert_cmpint(o.channels[1].fd, ==, -1);
    armz_options_clear(&o);
    g_assert_true(parse(&o, &err, "--vsock", "cid=42,fd=9", NULL));
    g_assert_true(o.has_vsock);
    g_assert_cmpuint(o.vsock.cid, ==, 42);
    g_assert_cmpint(o.vsock.fd, ==, 9);
    armz_options_clear(&o);
    g_assert_true(parse(&o, &err, "--balloon", "on", NULL));
    g_assert_true(o.has_balloon);
    g_assert_cmpuint(o.balloon.stats_period + o.balloon.target, ==, 0);
    g_assert_false(o.balloon.deflate_on_oom);
    armz_options_clear(&o);
    g_assert_true(parse(&o, &err,
                        "--disk", "fd=3,cache=none,discard=unmap,detect-zeroes=unmap,"
                                  "werror=enospc,rerror=stop",
                        "--disk", "fd=4,cache=default,discard=ignore,werror=ignore",
                        "--disk", "fd=5,cache=directsync,io=native",
                        "--disk", "fd=6,cache=unsafe,io=io_uring",
                        "--disk", "fd=7,cache=writethrough,detect-zeroes=on,io=threads", NULL));
    g_assert_no_error(err);
    g_assert_cmpint(o.disks[0].cache, ==, ARMZ_CACHE_NONE);
    g_assert_true(o.disks[0].discard);
    g_assert_cmpint(o.disks[0].detect_zeroes, ==, ARMZ_DETECT_ZEROES_UNMAP);
    g_assert_cmpint(o.disks[0].werror, ==, ARMZ_BLK_ERR_ENOSPC);
    g_assert_cmpint(o.disks[0].rerror, ==, ARMZ_BLK_ERR_STOP);
    g_assert_cmpint(o.disks[1].cache, ==, ARMZ_CACHE_WRITEBACK);
    g_assert_false(o.disks[1].discard);
    g_assert_cmpint(o.disks[1].werror, ==, ARMZ_BLK_ERR_IGNORE);
    g_assert_cmpint(o.disks[0].io, ==, ARMZ_DISK_IO_THREADS);
    g_assert_cmpint(o.disks[2].cache, ==, ARMZ_CACHE_DIRECTSYNC);
    g_assert_cmpint(o.disks[2].io, ==, ARMZ_DISK_IO_NATIVE);
    g_assert_cmpint(o.disks[3].io, ==, ARMZ_DISK_IO_URING);
    g_assert_cmpint(o.disks[4].io, ==, ARMZ_DISK_IO_THREADS);
    g_assert_cmpint(o.disks[3].cache, ==, ARMZ_CACHE_UNSAFE);
    g_assert_cmpint(o.disks[4].cache, ==, ARMZ_CACHE_WRITETHROUGH);
    g_assert_cmpint(o.disks[4].detect_zeroes, ==, ARMZ_DETECT_ZEROES_ON);
    armz_options_clear(&o);

    /* nothing virtio by default */
    g_assert_true(parse(&o, &err, NULL));
    g_assert_cmpuint(o.ndisks + o.nnets, ==, 0);
    g_assert_false(o.has_console);
    g_assert_false(o.has_rng);
    g_assert_false(o.has_balloon);
    armz_options_clear(&o);
}

typedef struct {
    const char *opt, *val;          /* refused: OPT VAL */
    const char *opt2, *val2;        /* with these too */
    const char *mention;            /* the message names this */
} Bad;

static const Bad bad[] = {
    { "--disk", "path=/a,bogus=1", NULL, NULL, "--disk" },
    { "--disk", "path=/a,id=a b", NULL, NULL, "not a device id" },
    { "--net", "tap=t0,id=", NULL, NULL, "not a device id" },
    { "--disk", "readonly=on", NULL, NULL, "--disk" },
    { "--disk", "path=/a,fd=3", NULL, NULL, "--disk" },
    { "--disk", "path=", NULL, NULL, "--disk" },
    { "--disk", "path=/a,readonly=maybe", NULL, NULL, "--disk" },
    { "--disk", "fd=x", NULL, NULL, "--disk" },
    { "--disk", "fd=-1", NULL, NULL, "--disk" },
    { "--disk", "path=/a,path=/b", NULL, NULL, "--disk" },
    { "--disk", "/a.img", NULL, NULL, "--disk" },
    { "--disk", "", NULL, NULL, "--disk" },
    { "--disk", "path=/a,cache=fast", NULL, NULL, "writethrough" },
    { "--disk", "path=/a,discard=on", NULL, NULL, "unmap" },
    { "--disk", "path=/a,detect-zeroes=yes", NULL, NULL, "detect-zeroes" },
    { "--disk", "path=/a,werror=pause", NULL, NULL, "werror" },
    { "--disk", "path=/a,rerror=enospc", NULL, NULL, "werror only" },
    { "--disk", "path=/a,io=aio", NULL, NULL, "io_uring" },
    { "--net", "mac=52:54:00:12:34:56", NULL, NULL, "--net" },
    { "--net", "tap=t0,fd=3", NULL, NULL, "--net" },
    { "--net", "tap=t0,mac=52:54:00:12:34", NULL, NULL, "--net" },
    { "--net", "tap=t0,mac=52:54:00:12:34:5g", NULL, NULL, "--net" },
    { "--net", "tap=t0,mac=01:00:5e:00:00:01", NULL, NULL, "--net" },
    { "--net", "tap=a-very-long-interface-name", NULL, NULL, "--net" },
    { "--net", "tap=t0,queues=4", NULL, NULL, "--net" },
    { "--net", "tap=t0,link=off", NULL, NULL, "link='off' is neither up nor down" },
    { "--console", "tty", NULL, NULL, "--console" },
    { "--console", "fd:abc", NULL, NULL, "--console" },
    { "--console-pty-file", "/x", NULL, NULL, "--console-pty-file" },
    { "--console-pty-file", "/x", "--console", "stdio", "--console-pty-file" },
    { "--console-log", "file:/x", NULL, NULL, "--console-log" },
    { "--console-log", "/x", "--console", "none", "--console-log" },
    { "--serial-log", "/x", NULL, NULL, "--serial-log" },
    { "--serial-log", "fd:", NULL, NULL, "--serial-log" },
    { "--console", "stdio", NULL, NULL, "--console" },
    { "--rng", "fd:z", NULL, NULL, "--rng" },
    { "--balloon", "", NULL, NULL, "--balloon" },
    { "--channel", "name=x", NULL, NULL, "--channel" },
    { "--vsock", "cid=2", NULL, NULL, "--vsock" },
    { "--vsock", "fd=3", NULL, NULL, "--vsock" },
    { "--vsock", "cid=5,port=1", NULL, NULL, "--vsock" },
    { "--channel", "path=/x", NULL, NULL, "--channel" },
    { "--channel", "name=x,path=/x,fd=3", NULL, NULL, "--channel" },
    { "--channel", "name=,fd=3", NULL, NULL, "--channel" },
    { "--channel", "name=x,fd=3,speed=9", NULL, NULL, "--channel" },
    { "--balloon", "stats-period=x", NULL, NULL, "--balloon" },
    { "--balloon", "target=0", NULL, NULL, "--balloon" },
    { "--balloon", "deflate-on-oom=maybe", NULL, NULL, "--balloon" },
    { "--balloon", "free-page-hint=on", NULL, NULL, "--balloon" },
    { "--serial", "bogus", NULL, NULL, "--serial" },
    { "--topology", "sockets=2", NULL, NULL, "--topology" },          /* 2 != 1 vCPU */
    { "--topology", "sockets=2,cores=2", "--vcpus", "2", "--topology" },
    { "--topology", "dies=1", NULL, NULL, "--topology" },
    { "--topology", "sockets=0", NULL, NULL, "--topology" },
    { "--vhost-user-blk", "id=d0", NULL, NULL, "--vhost-user-blk" },
    { "--vhost-user-blk", "socket=/s,tag=x", NULL, NULL, "--vhost-user-blk" },
    { "--vhost-user-blk", "socket=/s,bootindex=0", NULL, NULL, "--vhost-user-blk" },
    { "--vhost-user-blk", "socket=/s,readonly=perhaps", NULL, NULL, "--vhost-user-blk" },
    { "--vhost-user-fs", "socket=/s", NULL, NULL, "--vhost-user-fs" },
    { "--vhost-user-fs", "tag=t", NULL, NULL, "--vhost-user-fs" },
    { "--vhost-user-fs", "socket=/s,tag=0123456789012345678901234567890123456",
      NULL, NULL, "--vhost-user-fs" },
    { "--vhost-user-fs", "socket=/s,tag=t,queue-size=100", NULL, NULL, "--vhost-user-fs" },
    { "--vhost-user-fs", "socket=/s,tag=t,queue-size=2048", NULL, NULL, "--vhost-user-fs" },
    { "--vhost-user-fs", "socket=/s,tag=t,readonly=on", NULL, NULL, "--vhost-user-fs" },
};

/* vhost-user devices keep their command-line order across both options,
 * and imply --memfd */
static void
test_vhost_user(void)
{
    ArmzOptions o;
    GError *err = NULL;

    g_assert_true(parse(&o, &err,
                        "--vhost-user-fs", "socket=/run/fs0.sock,tag=share,queue-size=256",
                        "--vhost-user-blk=socket=/run/vda.sock,id=ua-disk0,bootindex=2",
                        "--disk", "path=/img/raw",
                        "--vhost-user-blk", "socket=/run/b,,c.sock,readonly=on",
                        NULL));
    g_assert_no_error(err);
    g_assert_true(o.memfd);
    g_assert_cmpuint(o.nvhost_user, ==, 3);
    g_assert_cmpint(o.vhost_user[0].kind, ==, ARMZ_VHOST_USER_FS);
    g_assert_cmpstr(o.vhost_user[0].socket, ==, "/run/fs0.sock");
    g_assert_cmpstr(o.vhost_user[0].tag, ==, "share");
    g_assert_cmpuint(o.vhost_user[0].queue_size, ==, 256);
    g_assert_cmpint(o.vhost_user[1].kind, ==, ARMZ_VHOST_USER_BLK);
    g_assert_cmpstr(o.vhost_user[1].id, ==, "ua-disk0");
    g_assert_cmpuint(o.vhost_user[1].bootindex, ==, 2);
    g_assert_false(o.vhost_user[1].readonly);
    g_assert_cmpstr(o.vhost_user[2].socket, ==, "/run/b,c.sock");
    g_assert_true(o.vhost_user[2].readonly);
    /* slots in command-line order across --disk and the vhost-user devices */
    g_assert_cmpuint(armz_options_vhost_user_slot(&o, 0), ==, 0);
    g_assert_cmpuint(armz_options_vhost_user_slot(&o, 1), ==, 1);
    g_assert_cmpuint(armz_options_disk_slot(&o, 0), ==, 2);
    g_assert_cmpuint(armz_options_vhost_user_slot(&o, 2), ==, 3);
    armz_options_clear(&o);

    g_assert_true(parse(&o, &err, "--memfd", NULL));
    g_assert_true(o.memfd);
    g_assert_cmpuint(o.nvhost_user, ==, 0);
    armz_options_clear(&o);
    g_assert_true(parse(&o, &err, "--disk", "path=/a", NULL));
    g_assert_false(o.memfd);
    armz_options_clear(&o);
}

/* --topology: counts default to 1, their product is --vcpus */
static void
test_topology(void)
{
    ArmzOptions o;
    GError *err = NULL;

    g_assert_true(parse(&o, &err, "--vcpus", "4", "--topology", "sockets=2,threads=2", NULL));
    g_assert_no_error(err);
    g_assert_cmpuint(o.sockets, ==, 2);
    g_assert_cmpuint(o.cores, ==, 1);
    g_assert_cmpuint(o.threads, ==, 2);
    armz_options_clear(&o);
    g_assert_true(parse(&o, &err, "--vcpus", "2", NULL));
    g_assert_cmpuint(o.sockets, ==, 0);
    armz_options_clear(&o);
}

static void
test_bad(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        ArmzOptions o;
        GError *err = NULL;
        gboolean ok = parse(&o, &err, bad[i].opt, bad[i].val, bad[i].opt2, bad[i].val2, NULL);
        g_test_message("%s %s %s %s: %s", bad[i].opt, bad[i].val,
                       bad[i].opt2 ? bad[i].opt2 : "", bad[i].val2 ? bad[i].val2 : "",
                       err ? err->message : "(accepted)");
        g_assert_false(ok);
        g_assert_nonnull(err);
        g_assert_nonnull(strstr(err->message, bad[i].mention));
        g_clear_error(&err);
        armz_options_clear(&o);
    }
}

static void
test_too_many(void)
{
    g_autoptr(GPtrArray) av = g_ptr_array_new_with_free_func(g_free);
    ArmzOptions o;
    GError *err = NULL;
    char **argv;

    g_ptr_array_add(av, g_strdup("armz-vmm"));
    g_ptr_array_add(av, g_strdup("--kernel=Image"));
    for (int i = 0; i < 32; i++)
        g_ptr_array_add(av, g_strdup_printf("--disk=fd=%d", 10 + i));
    g_ptr_array_add(av, NULL);
    argv = ptrs_dup((char **)av->pdata, av->len);
    memset(&o, 0, sizeof(o));
    g_assert_true(armz_options_parse((int)av->len - 1, argv, &o, &err));
    g_assert_cmpuint(o.ndisks, ==, 32);
    armz_options_clear(&o);
    g_free(argv);

    g_ptr_array_insert(av, 2, g_strdup("--rng=/dev/urandom"));
    argv = ptrs_dup((char **)av->pdata, av->len);
    memset(&o, 0, sizeof(o));
    g_assert_false(armz_options_parse((int)av->len - 1, argv, &o, &err));
    g_assert_nonnull(strstr(err->message, "--disk"));
    g_clear_error(&err);
    armz_options_clear(&o);
    g_free(argv);
}

/* --pci and its addresses: root ports by libvirt's bus index, devices at
 * BUS:SLOT (decimal or 0x), any address implying --pci */
static void
test_pci(void)
{
    static const struct { const char *opt, *val, *mention; } refused[] = {
        { "--disk", "fd=3,pci=0:0", "host bridge" },
        { "--disk", "fd=3,pci=1:2", "only slot 0" },
        { "--disk", "fd=3,pci=1", "BUS:SLOT" },
        { "--disk", "fd=3,pci=0:32", "0 to 31" },
        { "--net", "fd=3,pci=x:1", "--net pci=" },
        { "--pcie-root-port", "index=1", "addr=" },
        { "--pcie-root-port", "addr=2", "index=" },
        { "--pcie-root-port", "index=0,addr=2", "1 to 255" },
        { "--pcie-root-port", "index=1,addr=2.8", "0 to 7" },
        { "--pcie-root-port", "index=1,addr=2,bus=3", "unknown key 'bus'" },
        { "--rng-pci", "0:40", "--rng-pci" },
        { "--balloon", "pci=1:2", "only slot 0" },
        { "--vsock", "cid=5,pci=1", "--vsock pci=" },
        { "--vhost-user-fs", "socket=/s,tag=t,pci=0:0", "host bridge" },
        { "--scsi-pci", "1:0", "needs --scsi-disk" },
        { "--channel-pci", "1:0", "needs --channel" },
    };
    ArmzOptions o;
    GError *err = NULL;

    g_assert_true(parse(&o, &err, "--disk", "fd=3", NULL));
    g_assert_false(o.pci);
    armz_options_clear(&o);
    g_assert_true(parse(&o, &err, "--pci", "--disk", "fd=3", NULL));
    g_assert_true(o.pci);
    g_assert_false(o.disks[0].pci.set);
    armz_options_clear(&o);
    g_assert_true(parse(&o, &err, "--pcie-root-port", "index=1,addr=0x2.1,chassis=1,port=0x10",
                        "--pcie-root-port", "index=0x2,addr=2", "--disk", "fd=3,pci=0x1:0x0",
                        "--net", "fd=4,pci=0:7", "--console-pci", "2:0", NULL));
    g_assert_no_error(err);
    g_assert_true(o.pci);
    g_assert_cmpuint(o.nroot_ports, ==, 2);
    g_assert_cmpuint(o.root_ports[0].index, ==, 1);
    g_assert_cmpuint(o.root_ports[0].slot, ==, 2);
    g_assert_cmpuint(o.root_ports[0].function, ==, 1);
    g_assert_cmpuint(o.root_ports[0].port, ==, 0x10);
    g_assert_cmpuint(o.root_ports[1].index, ==, 2);
    g_assert_true(o.disks[0].pci.set);
    g_assert_cmpuint(o.disks[0].pci.bus, ==, 1);
    g_assert_cmpuint(o.nets[0].pci.slot, ==, 7);
    g_assert_cmpuint(o.console_pci.bus, ==, 2);
    armz_options_clear(&o);
    /* pci=off: that device stays on virtio-mmio; alone it implies nothing */
    g_assert_true(parse(&o, &err, "--disk", "fd=3,pci=off", "--rng-pci", "off", NULL));
    g_assert_false(o.pci);
    g_assert_true(o.disks[0].pci.off);
    g_assert_false(o.disks[0].pci.set);
    g_assert_true(o.rng_pci.off);
    armz_options_clear(&o);
    /* the same index or address twice */
    g_assert_false(parse(&o, &err, "--pcie-root-port", "index=1,addr=2", "--pcie-root-port",
                         "index=1,addr=3", NULL));
    g_assert_nonnull(strstr(err->message, "twice"));
    g_clear_error(&err);
    armz_options_clear(&o);
    g_assert_false(parse(&o, &err, "--pcie-root-port", "index=1,addr=2", "--pcie-root-port",
                         "index=2,addr=2.0", NULL));
    g_assert_nonnull(strstr(err->message, "twice"));
    g_clear_error(&err);
    armz_options_clear(&o);
    /* the other virtio devices: pci= on the device's option, or an
     * option of its own for the SCSI controller and the channels' device */
    g_assert_true(parse(&o, &err, "--balloon", "stats-period=5,pci=3:0", "--vsock",
                        "cid=5,pci=0x4:0", "--vhost-user-blk", "socket=/b,pci=5:0",
                        "--vhost-user-fs", "socket=/f,tag=t,pci=off", "--scsi-cdrom", "lun=0,bootindex=2",
                        "--scsi-pci", "6:0", "--channel", "name=a,fd=3", "--channel-pci",
                        "0:9", NULL));
    g_assert_no_error(err);
    g_assert_true(o.pci);
    g_assert_true(o.balloon.pci.set);
    g_assert_cmpuint(o.balloon.pci.bus, ==, 3);
    g_assert_cmpuint(o.balloon.stats_period, ==, 5);
    g_assert_cmpuint(o.vsock.pci.bus, ==, 4);
    g_assert_cmpuint(o.vhost_user[0].pci.bus, ==, 5);
    g_assert_true(o.vhost_user[1].pci.off);
    g_assert_cmpuint(o.scsi_pci.bus, ==, 6);
    g_assert_cmpuint(o.scsi[0].bootindex, ==, 2);
    g_assert_cmpuint(o.channel_pci.bus, ==, 0);
    g_assert_cmpuint(o.channel_pci.slot, ==, 9);
    armz_options_clear(&o);
    /* pci=off alone implies nothing */
    g_assert_true(parse(&o, &err, "--balloon", "pci=off", NULL));
    g_assert_false(o.pci);
    g_assert_true(o.balloon.pci.off);
    armz_options_clear(&o);
    /* ACPI describes the host bridge (MCFG, DSDT, IORT) */
    g_assert_true(parse(&o, &err, "--pci", "--flash-code", "fd:3", "--acpi", NULL));
    g_assert_true(o.pci && o.acpi);
    armz_options_clear(&o);
    for (size_t i = 0; i < G_N_ELEMENTS(refused); i++) {
        gboolean ok = parse(&o, &err, refused[i].opt, refused[i].val, NULL);
        g_test_message("%s %s: %s", refused[i].opt, refused[i].val, err ? err->message : "(accepted)");
        g_assert_false(ok);
        g_assert_nonnull(strstr(err->message, refused[i].mention));
        g_clear_error(&err);
        armz_options_clear(&o);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio-options/full", test_full);
    g_test_add_func("/virtio-options/refused", test_bad);
    g_test_add_func("/virtio-options/topology", test_topology);
    g_test_add_func("/virtio-options/too-many", test_too_many);
    g_test_add_func("/virtio-options/pci", test_pci);
    g_test_add_func("/virtio-options/vhost-user", test_vhost_user);
    return g_test_run();
}
