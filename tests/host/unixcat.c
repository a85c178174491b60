/* unixcat: a tiny unix socket client for the test host scenarios (built
 * static for aarch64 by tests/host/run-host; builds natively too).
 *
 *   unixcat [-t SECONDS] SOCKET [TEXT]
 *
 * Connects to SOCKET (retrying until it exists), sends TEXT and a newline
 * when given, then prints the first line received. Exit status 0 when a
 * line came, 2 on a timeout or a connection failure. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

static long
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int
main(int argc, char **argv)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    long timeout_ms = 30000, end;
    char buf[4096];
    size_t got = 0;
    int fd = -1, i = 1;

    if (argc > 2 && strcmp(argv[1], "-t") == 0) {
        timeout_ms = atol(argv[2]) * 1000L;
        i = 3;
    }
    if (i >= argc || strlen(argv[i]) >= sizeof(sa.sun_path)) {
        fprintf(stderr, "usage: unixcat [-t SECONDS] SOCKET [TEXT]\n");
        return 2;
    }
    strcpy(sa.sun_path, argv[i]);
    end = now_ms() + timeout_ms;
    for (;;) {
        fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
            break;
        if (fd >= 0)
            close(fd);
        if (now_ms() > end) {
            fprintf(stderr, "unixcat: cannot connect to %s: %s\n", argv[i], strerror(errno));
            return 2;
        }
        usleep(100000);
    }
    if (i + 1 < argc) {
        size_t n = strlen(argv[i + 1]);
        if (write(fd, argv[i + 1], n) != (ssize_t)n || write(fd, "\n", 1) != 1) {
            fprintf(stderr, "unixcat: write: %s\n", strerror(errno));
            return 2;
        }
    }
    while (got < sizeof(buf) - 1) {
        struct pollfd p = { fd, POLLIN, 0 };
        long left = end - now_ms();
        ssize_t n;

        if (left <= 0 || poll(&p, 1, (int)left) <= 0)
            break;
        n = read(fd, buf + got, sizeof(buf) - 1 - got);
        if (n <= 0)
            break;
        got += (size_t)n;
        if (memchr(buf, '\n', got)) {
            buf[got] = '\0';
            *strchr(buf, '\n') = '\0';
            printf("%s\n", buf);
            return 0;
        }
    }
    fprintf(stderr, "unixcat: no line from %s\n", argv[i]);
    return 2;
}
