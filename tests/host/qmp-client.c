/* qmp-client: a tiny QMP client for the test host scenarios (built static
 * for aarch64 by tests/host/run-host; builds natively too).
 *
 *   qmp-client [-t SECONDS] [-n] SOCKET STEP...
 *
 * Connects to the unix socket SOCKET (retrying until it exists), reads the
 * greeting and negotiates capabilities (-n: does not), then runs each STEP:
 *   NAME           sends {"execute": "NAME"} and waits for its reply
 *   {...}          sends this JSON text as is and waits for a reply
 *   wait:EVENT     waits for the event EVENT (also one seen earlier)
 *   sleep:MS       sleeps
 *   rwfd:FILE      the same, opened read-write (a disk for device_add)
 *   tapfd:IFNAME   attaches to the tap IFNAME (/dev/net/tun, vnet header)
 *                  and passes that fd the same way
 *   waitfile:FILE:TEXT  waits until FILE contains TEXT (a guest's serial
 *                  output: a step the guest has reached)
 *   fd:FILE        opens FILE read-only and passes it (SCM_RIGHTS) with the
 *                  next command (for getfd)
 *   close          closes the connection (later steps reconnect)
 * Every line received is printed on stdout. Exit status: 0 when every reply
 * was a "return", 1 when one was an "error", 2 on a timeout or a
 * connection failure (with a message on stderr). -t bounds each wait
 * (default 30 s). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <sys/un.h>

static int timeout_ms = 30000;
static int fd = -1;
static char buf[65536];
static size_t buflen;
static char seen[4096];        /* " NAME NAME " of events seen */
static int pass_fd = -1;       /* fd:FILE, sent with the next command */

static long long
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void
fail(const char *what)
{
    fprintf(stderr, "qmp-client: %s\n", what);
    exit(2);
}

static void
do_connect(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    long long end = now_ms() + timeout_ms;

    if (strlen(path) >= sizeof(sa.sun_path))
        fail("socket path too long");
    strcpy(sa.sun_path, path);
    for (;;) {
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            fail("socket");
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
            break;
        close(fd);
        fd = -1;
        if (now_ms() > end) {
            fprintf(stderr, "qmp-client: cannot connect to %s: %s\n", path, strerror(errno));
            exit(2);
        }
        usleep(50000);
    }
    buflen = 0;
}

/* Reads one line (without its end) into LINE; returns 0 on timeout/EOF. */
static int
read_line(char *line, size_t size)
{
    long long end = now_ms() + timeout_ms;

    for (;;) {
        char *nl = memchr(buf, '\n', buflen);
        if (nl) {
            size_t n = nl - buf + 1, copy = n - 1;
            if (copy > 0 && buf[copy - 1] == '\r')
                copy--;
            if (copy >= size)
                copy = size - 1;
            memcpy(line, buf, copy);
            line[copy] = '\0';
            memmove(buf, buf + n, buflen - n);
            buflen -= n;
            printf("%s\n", line);
            fflush(stdout);
            return 1;
        }
        long long left = end - now_ms();
        if (left <= 0)
            return 0;
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int r = poll(&p, 1, (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return 0;
        if (buflen == sizeof(buf))
            fail("line too long");
        ssize_t got = read(fd, buf + buflen, sizeof(buf) - buflen);
        if (got <= 0)
            return 0;
        buflen += got;
    }
}

/* The event name of LINE, or NULL. */
static const char *
event_name(const char *line, char *name, size_t size)
{
    const char *p = strstr(line, "\"event\"");
    size_t n = 0;

    if (!p)
        return NULL;
    p = strchr(p + 7, '"');
    if (!p)
        return NULL;
    for (p++; *p && *p != '"' && n + 1 < size; p++)
        name[n++] = *p;
    name[n] = '\0';
    return name;
}

/* waitfile:FILE:TEXT */
static void
wait_file(const char *arg)
{
    const char *colon = strchr(arg, ':');
    long long end = now_ms() + timeout_ms;
    char path[512];

    if (!colon || (size_t)(colon - arg) >= sizeof(path))
        fail("waitfile: FILE:TEXT expected");
    memcpy(path, arg, colon - arg);
    path[colon - arg] = '\0';
    for (;;) {
        static char text[1 << 20];
        int f = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n = f >= 0 ? read(f, text, sizeof(text) - 1) : -1;
        if (f >= 0)
            close(f);
        if (n > 0) {
            text[n] = '\0';
            if (strstr(text, colon + 1))
                return;
        }
        if (now_ms() > end) {
            fprintf(stderr, "qmp-client: '%s' not in %s in time\n", colon + 1, path);
            exit(2);
        }
        usleep(50000);
    }
}

static void
note_event(const char *line)
{
    char name[128];
    if (event_name(line, name, sizeof(name)) &&
        strlen(seen) + strlen(name) + 3 < sizeof(seen)) {
        if (!seen[0])
            strcat(seen, " ");
        strcat(seen, name);
        strcat(seen, " ");
    }
}

/* Sends TEXT and waits for the reply; 0 for a return, 1 for an error. */
static int
command(const char *text)
{
    char line[65536], out[65536];
    int len = snprintf(out, sizeof(out), "%s\r\n", text);

    /* one write: after "quit" the server may be gone before a second one
     * (a failed write is no failure: the reply may be there to read) */
    if (len >= (int)sizeof(out))
        fail("request too long");
    if (pass_fd >= 0) {
        union { char b[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } ctl;
        struct iovec iov = { out, (size_t)len };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                              .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b) };
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
        if (sendmsg(fd, &msg, 0) != len)
            fprintf(stderr, "qmp-client: sendmsg: %s\n", strerror(errno));
        close(pass_fd);
        pass_fd = -1;
    } else if (write(fd, out, len) != len) {
        fprintf(stderr, "qmp-client: write: %s\n", strerror(errno));
    }
    for (;;) {
        if (!read_line(line, sizeof(line))) {
            fprintf(stderr, "qmp-client: no reply to %s\n", text);
            exit(2);
        }
        if (strstr(line, "\"event\"")) {
            note_event(line);
            continue;
        }
        if (strncmp(line, "{\"return\"", 9) == 0 || strstr(line, "\"return\":") ||
            strstr(line, "\"return\" :"))
            return 0;
        if (strstr(line, "\"error\""))
            return 1;
    }
}

static void
wait_event(const char *name)
{
    char line[65536], pat[160];

    snprintf(pat, sizeof(pat), " %s ", name);
    while (!strstr(seen, pat)) {
        if (!read_line(line, sizeof(line))) {
            fprintf(stderr, "qmp-client: no %s event\n", name);
            exit(2);
        }
        note_event(line);
    }
    /* consumed: a later wait for the same event needs a new one */
    char *at = strstr(seen, pat);
    memmove(at + 1, at + strlen(pat), strlen(at + strlen(pat)) + 1);
}

int
main(int argc, char **argv)
{
    int opt, negotiate = 1, rc = 0;
    const char *path;
    char line[65536];

    while ((opt = getopt(argc, argv, "t:n")) != -1) {
        switch (opt) {
        case 't': timeout_ms = atoi(optarg) * 1000; break;
        case 'n': negotiate = 0; break;
        default:
            fprintf(stderr, "usage: qmp-client [-t SECONDS] [-n] SOCKET STEP...\n");
            return 2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "usage: qmp-client [-t SECONDS] [-n] SOCKET STEP...\n");
        return 2;
    }
    path = argv[optind++];
    signal(SIGPIPE, SIG_IGN);
    for (int i = optind - 1; i < argc; i++) {
        const char *step = i < optind ? NULL : argv[i];
        if (fd < 0) {
            do_connect(path);
            if (!read_line(line, sizeof(line)) || !strstr(line, "\"QMP\""))
                fail("no greeting");
            if (negotiate && command("{\"execute\": \"qmp_capabilities\"}") != 0)
                fail("capabilities negotiation failed");
        }
        if (!step)
            continue;
        if (strncmp(step, "wait:", 5) == 0) {
            wait_event(step + 5);
        } else if (strncmp(step, "sleep:", 6) == 0) {
            usleep(atoi(step + 6) * 1000);
        } else if (strncmp(step, "waitfile:", 9) == 0) {
            wait_file(step + 9);
        } else if (strncmp(step, "rwfd:", 5) == 0) {
            pass_fd = open(step + 5, O_RDWR | O_CLOEXEC);
            if (pass_fd < 0)
                fail("cannot open the file to pass");
        } else if (strncmp(step, "tapfd:", 6) == 0) {
            struct ifreq ifr;
            memset(&ifr, 0, sizeof(ifr));
            ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
            snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", step + 6);
            pass_fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
            if (pass_fd < 0 || ioctl(pass_fd, TUNSETIFF, &ifr) < 0)
                fail("cannot attach to the tap to pass");
        } else if (strncmp(step, "fd:", 3) == 0) {
            pass_fd = open(step + 3, O_RDONLY | O_CLOEXEC);
            if (pass_fd < 0)
                fail("cannot open the file to pass");
        } else if (strcmp(step, "close") == 0) {
            close(fd);
            fd = -1;
        } else if (step[0] == '{') {
            rc |= command(step);
        } else {
            char text[512];
            snprintf(text, sizeof(text), "{\"execute\": \"%s\"}", step);
            rc |= command(text);
        }
    }
    return rc;
}
