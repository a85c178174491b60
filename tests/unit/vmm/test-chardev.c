/* The listen backend of the character lines (--serial listen:fd:N, Nova's
 * serial console): one client at a time, input and output to it, the log
 * meanwhile, and the next client after one leaves. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "devices/chardev.h"

static int
listen_unix(const char *path)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_strlcpy(a.sun_path, path, sizeof(a.sun_path));
    g_assert_cmpint(bind(fd, (struct sockaddr *)&a, sizeof(a)), ==, 0);
    g_assert_cmpint(listen(fd, 4), ==, 0);
    return fd;
}

static int
connect_unix(const char *path)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_strlcpy(a.sun_path, path, sizeof(a.sun_path));
    g_assert_cmpint(connect(fd, (struct sockaddr *)&a, sizeof(a)), ==, 0);
    return fd;
}

/* Polls the line's input fd and reads as the serial line does. */
static ssize_t
pump(ArmzChardev *c, char *buf, size_t len)
{
    struct pollfd p = { .fd = armz_chardev_in_fd(c), .events = POLLIN };

    g_assert_cmpint(p.fd, >=, 0);
    g_assert_cmpint(poll(&p, 1, 2000), ==, 1);
    return armz_chardev_read(c, buf, len);
}

static void
test_listen(void)
{
    g_autofree char *dir = g_dir_make_tmp("armz-chardev-XXXXXX", NULL);
    g_autofree char *sock = g_build_filename(dir, "s", NULL);
    g_autofree char *logp = g_build_filename(dir, "log", NULL);
    g_autofree char *log = NULL;
    int lfd = listen_unix(sock);
    ArmzCharOpt o = { .kind = ARMZ_SERIAL_LISTEN, .fd = lfd, .log_path = logp, .log_fd = -1 };
    g_autoptr(GError) err = NULL;
    ArmzChardev *c = armz_chardev_open(&o, "serial", &err);
    char buf[64];
    int cl;

    g_assert_no_error(err);
    g_assert_cmpint(armz_chardev_in_fd(c), ==, lfd);
    /* nobody connected: output reaches the log only, nothing blocks */
    armz_chardev_write(c, "boot\n", 5);

    cl = connect_unix(sock);
    g_assert_cmpint(pump(c, buf, sizeof(buf)), ==, 0);    /* the accept */
    g_assert_cmpint(armz_chardev_in_fd(c), !=, lfd);
    g_assert_cmpint(write(cl, "ls\n", 3), ==, 3);
    g_assert_cmpint(pump(c, buf, sizeof(buf)), ==, 3);
    g_assert_cmpmem(buf, 3, "ls\n", 3);
    armz_chardev_write(c, "bin\n", 4);
    g_assert_cmpint(read(cl, buf, sizeof(buf)), ==, 4);
    g_assert_cmpmem(buf, 4, "bin\n", 4);

    /* the client leaves: the line listens again and takes the next one */
    close(cl);
    g_assert_cmpint(pump(c, buf, sizeof(buf)), ==, 0);
    g_assert_cmpint(armz_chardev_in_fd(c), ==, lfd);
    armz_chardev_write(c, "alone\n", 6);
    cl = connect_unix(sock);
    g_assert_cmpint(pump(c, buf, sizeof(buf)), ==, 0);
    armz_chardev_write(c, "again\n", 6);
    g_assert_cmpint(read(cl, buf, sizeof(buf)), ==, 6);
    g_assert_cmpmem(buf, 6, "again\n", 6);
    close(cl);
    armz_chardev_close(c);
    close(lfd);

    g_assert_true(g_file_get_contents(logp, &log, NULL, NULL));
    g_assert_cmpstr(log, ==, "boot\nbin\nalone\nagain\n");
    g_unlink(sock);
    g_unlink(logp);
    g_rmdir(dir);
}

static void
test_listen_refuses_other_fds(void)
{
    int p[2];
    ArmzCharOpt o = { .kind = ARMZ_SERIAL_LISTEN, .log_fd = -1 };
    g_autoptr(GError) err = NULL;

    g_assert_cmpint(pipe(p), ==, 0);
    o.fd = p[0];
    g_assert_null(armz_chardev_open(&o, "serial", &err));
    g_assert_nonnull(strstr(err->message, "not a listening socket"));
    close(p[0]);
    close(p[1]);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/chardev/listen", test_listen);
    g_test_add_func("/chardev/listen-refuses-other-fds", test_listen_refuses_other_fds);
    return g_test_run();
}
