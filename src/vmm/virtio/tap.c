/* Tap devices for virtio-net: see tap.h. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <glib/gi18n-lib.h>
#include "virtio/tap.h"
#include "virtio/virtio_abi.h"
#include "vmmlog.h"

/* vnet header size 12, little-endian (the tap's default order is the
 * host's: wrong on big-endian s390x), no offloads: the kernel then hands
 * us complete, checksummed frames only */
static gboolean
setup_vnet(int fd, const char *what, GError **error)
{
    int hdr = VIRTIO_NET_HDR_SIZE, le = 1;

    if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("tap %s: TUNSETVNETHDRSZ failed: %s"), what,
                    g_strerror(errno));
        return FALSE;
    }
    if (ioctl(fd, TUNSETVNETLE, &le) < 0 && G_BYTE_ORDER == G_BIG_ENDIAN) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("tap %s: TUNSETVNETLE failed: %s"), what,
                    g_strerror(errno));
        return FALSE;
    }
    if (ioctl(fd, TUNSETOFFLOAD, 0UL) < 0)
        armz_vmm_debug("tap %s: TUNSETOFFLOAD 0 failed: %s", what, g_strerror(errno));
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return TRUE;
}

int
armz_tap_open(const char *ifname, GError **error)
{
    struct ifreq ifr;
    int fd;

    if (strlen(ifname) >= IFNAMSIZ) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("tap name %s is too long"), ifname);
        return -1;
    }
    fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot open /dev/net/tun for tap %s: %s"),
                    ifname, g_strerror(errno));
        return -1;
    }
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
    g_strlcpy(ifr.ifr_name, ifname, sizeof(ifr.ifr_name));
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot attach to tap %s (TUNSETIFF): %s"),
                    ifname, g_strerror(errno));
        close(fd);
        return -1;
    }
    if (!setup_vnet(fd, ifname, error)) {
        close(fd);
        return -1;
    }
    return fd;
}

gboolean
armz_tap_setup_fd(int fd, bool *vnet_hdr, GError **error)
{
    struct ifreq ifr;
    g_autofree char *what = g_strdup_printf("fd=%d", fd);

    if (fcntl(fd, F_GETFD) < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("--net fd=%d is not an open file descriptor"),
                    fd);
        return FALSE;
    }
    memset(&ifr, 0, sizeof(ifr));
    *vnet_hdr = ioctl(fd, TUNGETIFF, &ifr) == 0 && (ifr.ifr_flags & IFF_VNET_HDR);
    if (*vnet_hdr)
        return setup_vnet(fd, what, error);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return TRUE;
}
