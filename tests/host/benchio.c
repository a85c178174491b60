/* benchio: disk and TCP throughput figures for tests/bench/virtio-io (built
 * static for aarch64 by tests/host/run-host; the bench also puts it into the
 * guest payload, so the guest and the test host measure with the same code).
 *
 *   benchio io seqread|seqwrite|randread|randwrite PATH MIB BS [OPS] [-d]
 *       seq: MIB MiB from offset 0 in BS-byte requests; rand: OPS requests
 *       (default: MIB MiB worth) of BS bytes at BS-aligned pseudo-random
 *       offsets inside the first MIB MiB. Writes end with fdatasync (timed).
 *       -d: O_DIRECT (when PATH refuses it, e.g. tmpfs, buffered: direct=0).
 *   benchio tcp-recv PORT [SECONDS]
 *       accepts one connection and reads it to the end (at most SECONDS,
 *       default 120); the time runs from the first byte to the end.
 *   benchio tcp-send ADDR PORT MIB [SECONDS]
 *       connects (retrying for SECONDS, default 60), sends MIB MiB, closes.
 *
 * Prints one line: "benchio WHAT bytes=N ms=T MBps=X [iops=Y] [direct=D]"
 * (MBps in MiB/s). Exit status 1 with a message on stderr on any failure. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

static double
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void
die(const char *what)
{
    fprintf(stderr, "benchio: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void
usage(void)
{
    fprintf(stderr,
            "usage: benchio io seqread|seqwrite|randread|randwrite PATH MIB BS [OPS] [-d]\n"
            "       benchio tcp-recv PORT [SECONDS]\n"
            "       benchio tcp-send ADDR PORT MIB [SECONDS]\n");
    exit(2);
}

static long
num(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v <= 0)
        usage();
    return v;
}

static void
report(const char *what, double bytes, double ms, long ops, int direct)
{
    if (ms < 0.001)
        ms = 0.001;
    printf("benchio %s bytes=%.0f ms=%.1f MBps=%.2f", what, bytes, ms,
           bytes / 1048576.0 / (ms / 1000.0));
    if (ops > 0)
        printf(" iops=%.0f", ops / (ms / 1000.0));
    if (direct >= 0)
        printf(" direct=%d", direct);
    printf("\n");
}

/* xorshift64: the same offsets in the guest and on the host */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t
next_rand(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static int
do_io(int argc, char **argv)
{
    const char *mode, *path;
    long mib, bs, ops = 0;
    int direct = 0, seq, wr, fd, i;
    char *buf;
    off_t span;
    double t0, t;

    for (i = 0; i < argc; i++) {
        if (strcmp(argv[i], "-d") == 0) {
            direct = 1;
            memmove(argv + i, argv + i + 1, (argc - i - 1) * sizeof(*argv));
            argc--;
            i--;
        }
    }
    if (argc < 4 || argc > 5)
        usage();
    mode = argv[0];
    path = argv[1];
    mib = num(argv[2]);
    bs = num(argv[3]);
    if (strcmp(mode, "seqread") == 0) { seq = 1; wr = 0; }
    else if (strcmp(mode, "seqwrite") == 0) { seq = 1; wr = 1; }
    else if (strcmp(mode, "randread") == 0) { seq = 0; wr = 0; }
    else if (strcmp(mode, "randwrite") == 0) { seq = 0; wr = 1; }
    else usage();
    span = (off_t)mib * 1048576;
    if (bs > span || span % bs != 0) {
        fprintf(stderr, "benchio: BS must divide MIB MiB\n");
        return 2;
    }
    ops = argc == 5 ? num(argv[4]) : (long)(span / bs);
    if (seq && ops > span / bs)
        ops = span / bs;
    if (posix_memalign((void **)&buf, 4096, bs) != 0)
        die("posix_memalign");
    for (i = 0; i < bs; i++)
        buf[i] = (char)(i * 7 + 1);

    fd = open(path, (wr ? O_WRONLY : O_RDONLY) | (direct ? O_DIRECT : 0));
    if (fd < 0 && direct && errno == EINVAL) {
        direct = 0;
        fd = open(path, wr ? O_WRONLY : O_RDONLY);
    }
    if (fd < 0)
        die(path);
    t0 = now_ms();
    for (long n = 0; n < ops; n++) {
        off_t off = seq ? (off_t)n * bs : (off_t)(next_rand() % (uint64_t)(span / bs)) * bs;
        ssize_t r = wr ? pwrite(fd, buf, bs, off) : pread(fd, buf, bs, off);
        if (r != bs) {
            if (r >= 0)
                errno = EIO;
            die(wr ? "pwrite" : "pread");
        }
    }
    if (wr && fdatasync(fd) != 0)
        die("fdatasync");
    t = now_ms() - t0;
    close(fd);
    report(mode, (double)ops * bs, t, seq ? 0 : ops, direct);
    return 0;
}

static void
wait_fd(int fd, short events, double deadline, const char *what)
{
    for (;;) {
        int left = (int)(deadline - now_ms());
        struct pollfd p = { .fd = fd, .events = events };
        if (left <= 0) {
            fprintf(stderr, "benchio: %s: timed out\n", what);
            exit(1);
        }
        int r = poll(&p, 1, left);
        if (r > 0)
            return;
        if (r < 0 && errno != EINTR)
            die("poll");
    }
}

static int
do_recv(int argc, char **argv)
{
    struct sockaddr_in sa = { .sin_family = AF_INET };
    int ls, fd, one = 1;
    long secs = 120;
    static char buf[262144];
    double deadline, t0 = 0, bytes = 0;

    if (argc < 1 || argc > 2)
        usage();
    sa.sin_port = htons((uint16_t)num(argv[0]));
    if (argc == 2)
        secs = num(argv[1]);
    deadline = now_ms() + secs * 1000.0;
    ls = socket(AF_INET, SOCK_STREAM, 0);
    if (ls < 0)
        die("socket");
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(ls, (struct sockaddr *)&sa, sizeof(sa)) != 0)
        die("bind");
    if (listen(ls, 1) != 0)
        die("listen");
    printf("benchio tcp-recv listening\n");
    fflush(stdout);
    wait_fd(ls, POLLIN, deadline, "accept");
    fd = accept(ls, NULL, NULL);
    if (fd < 0)
        die("accept");
    for (;;) {
        wait_fd(fd, POLLIN, deadline, "receive");
        ssize_t r = read(fd, buf, sizeof(buf));
        if (r < 0) {
            if (errno == EINTR)
                continue;
            die("read");
        }
        if (r == 0)
            break;
        if (bytes == 0)
            t0 = now_ms();
        bytes += r;
    }
    report("tcp-recv", bytes, bytes > 0 ? now_ms() - t0 : 0, 0, -1);
    return 0;
}

static int
do_send(int argc, char **argv)
{
    struct sockaddr_in sa = { .sin_family = AF_INET };
    int fd;
    long mib, secs = 60;
    static char buf[65536];
    double deadline, t0, left;

    if (argc < 3 || argc > 4)
        usage();
    if (inet_pton(AF_INET, argv[0], &sa.sin_addr) != 1)
        usage();
    sa.sin_port = htons((uint16_t)num(argv[1]));
    mib = num(argv[2]);
    if (argc == 4)
        secs = num(argv[3]);
    deadline = now_ms() + secs * 1000.0;
    for (;;) {
        fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0)
            die("socket");
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
            break;
        close(fd);
        if (now_ms() > deadline)
            die("connect");
        usleep(100000);
    }
    memset(buf, 'z', sizeof(buf));
    t0 = now_ms();
    for (left = mib * 1048576.0; left > 0;) {
        size_t n = left < sizeof(buf) ? (size_t)left : sizeof(buf);
        ssize_t w = write(fd, buf, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            die("write");
        }
        left -= w;
    }
    /* the end: the receiver has read everything when it closes its side */
    shutdown(fd, SHUT_WR);
    while (read(fd, buf, sizeof(buf)) > 0)
        ;
    report("tcp-send", mib * 1048576.0, now_ms() - t0, 0, -1);
    close(fd);
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc < 2)
        usage();
    if (strcmp(argv[1], "io") == 0)
        return do_io(argc - 2, argv + 2);
    if (strcmp(argv[1], "tcp-recv") == 0)
        return do_recv(argc - 2, argv + 2);
    if (strcmp(argv[1], "tcp-send") == 0)
        return do_send(argc - 2, argv + 2);
    usage();
    return 2;
}
