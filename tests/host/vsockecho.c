/* vsockecho: AF_VSOCK echo for the test host scenarios (built static for
 * aarch64 by tests/host/run-host; the guest gets a copy).
 *
 *   vsockecho server PORT          accept one connection, send back the
 *                                  first line prefixed with "ECHO "
 *   vsockecho client CID PORT TEXT connect (retrying up to 60 s), send
 *                                  TEXT, print the line that comes back
 * Exit status 0 on success, 2 on any failure (with a message). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/vm_sockets.h>

static int
fail(const char *what)
{
    fprintf(stderr, "vsockecho: %s: %s\n", what, strerror(errno));
    return 2;
}

static ssize_t
read_line(int fd, char *buf, size_t len)
{
    size_t got = 0;

    while (got < len - 1) {
        ssize_t n = read(fd, buf + got, 1);
        if (n <= 0)
            return -1;
        if (buf[got] == '\n')
            break;
        got++;
    }
    buf[got] = '\0';
    return (ssize_t)got;
}

int
main(int argc, char **argv)
{
    struct sockaddr_vm sa = { .svm_family = AF_VSOCK };
    char line[512], out[600];
    int fd, c;

    if (argc == 3 && strcmp(argv[1], "server") == 0) {
        sa.svm_cid = VMADDR_CID_ANY;
        sa.svm_port = (unsigned)atoi(argv[2]);
        fd = socket(AF_VSOCK, SOCK_STREAM, 0);
        if (fd < 0)
            return fail("socket");
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0)
            return fail("bind/listen");
        printf("VSOCKECHO LISTENING %u\n", sa.svm_port);
        fflush(stdout);
        if ((c = accept(fd, NULL, NULL)) < 0)
            return fail("accept");
        if (read_line(c, line, sizeof(line)) < 0)
            return fail("read");
        snprintf(out, sizeof(out), "ECHO %s\n", line);
        if (write(c, out, strlen(out)) != (ssize_t)strlen(out))
            return fail("write");
        printf("VSOCKECHO ECHOED %s\n", line);
        close(c);
        return 0;
    }
    if (argc == 5 && strcmp(argv[1], "client") == 0) {
        sa.svm_cid = (unsigned)atoi(argv[2]);
        sa.svm_port = (unsigned)atoi(argv[3]);
        for (int i = 0;; i++) {
            fd = socket(AF_VSOCK, SOCK_STREAM, 0);
            if (fd < 0)
                return fail("socket");
            if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
                break;
            close(fd);
            if (i >= 600)
                return fail("connect");
            usleep(100000);
        }
        snprintf(out, sizeof(out), "%s\n", argv[4]);
        if (write(fd, out, strlen(out)) != (ssize_t)strlen(out))
            return fail("write");
        if (read_line(fd, line, sizeof(line)) < 0)
            return fail("read");
        printf("%s\n", line);
        return 0;
    }
    fprintf(stderr, "usage: vsockecho server PORT | client CID PORT TEXT\n");
    return 2;
}
