/* virtio-vsock: what can be checked without the host's vhost-vsock: a
 * missing /dev/vhost-vsock names the module to load, a passed fd that is
 * no vhost device is refused. (The data path runs in the test host:
 * tests/host/scenarios/virtio-vsock.sh.) */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include "vtest.h"
#include "virtio/virtio.h"

static void
test_missing_module(void)
{
    ArmzVsockOpt o = { .cid = 3, .fd = -1 };
    GError *err = NULL;
    ArmzVirtioDev *d;

    if (access("/dev/vhost-vsock", F_OK) == 0) {
        g_test_skip("this host has /dev/vhost-vsock");
        return;
    }
    d = armz_virtio_vsock_new(&o, &err);
    g_assert_null(d);
    g_assert_nonnull(strstr(err->message, "/dev/vhost-vsock"));
    g_assert_nonnull(strstr(err->message, "vhost_vsock"));
    g_clear_error(&err);
}

static void
test_not_vhost(void)
{
    ArmzVsockOpt o = { .cid = 3, .fd = open("/dev/null", O_RDWR | O_CLOEXEC) };
    GError *err = NULL;

    g_assert_cmpint(o.fd, >=, 0);
    g_assert_null(armz_virtio_vsock_new(&o, &err));
    g_assert_nonnull(strstr(err->message, "vhost-vsock"));
    g_clear_error(&err);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio-vsock/missing-module", test_missing_module);
    g_test_add_func("/virtio-vsock/not-vhost", test_not_vhost);
    return g_test_run();
}
