/* Tap creation (see tap.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "driver/tap.h"

#define TAP_AUTO_MAX 1024

static int
tap_open(const char *name, char actual[IFNAMSIZ], GError **error)
{
    struct ifreq ifr;
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

    if (fd < 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot open %s: %s"), "/dev/net/tun", g_strerror(errno));
        return -1;
    }
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
    g_strlcpy(ifr.ifr_name, name, IFNAMSIZ);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    g_strlcpy(actual, ifr.ifr_name, IFNAMSIZ);
    return fd;
}

static gboolean
ifr_ioctl(int sock, unsigned long req, struct ifreq *ifr, const char *what, GError **error)
{
    if (ioctl(sock, req, ifr) < 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot %s of tap device '%s': %s"), what, ifr->ifr_name,
                    g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

static gboolean
tap_configure(const char *name, const unsigned char mac[6], const char *bridge,
              unsigned int mtu, GError **error)
{
    struct ifreq ifr;
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    gboolean ok = FALSE;

    if (sock < 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot open a control socket: %s"), g_strerror(errno));
        return FALSE;
    }
    memset(&ifr, 0, sizeof(ifr));
    g_strlcpy(ifr.ifr_name, name, IFNAMSIZ);
    ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
    memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
    ifr.ifr_hwaddr.sa_data[0] = (char)0xfe;
    if (!ifr_ioctl(sock, SIOCSIFHWADDR, &ifr, _("set the MAC address"), error))
        goto out;
    if (mtu) {
        ifr.ifr_mtu = (int)mtu;
        if (!ifr_ioctl(sock, SIOCSIFMTU, &ifr, _("set the MTU"), error))
            goto out;
    }
    if (bridge) {
        struct ifreq br;
        unsigned idx = if_nametoindex(name);
        memset(&br, 0, sizeof(br));
        g_strlcpy(br.ifr_name, bridge, IFNAMSIZ);
        br.ifr_ifindex = (int)idx;
        if (ioctl(sock, SIOCBRADDIF, &br) < 0) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                        _("cannot attach tap device '%s' to bridge '%s': %s"), name, bridge,
                        g_strerror(errno));
            goto out;
        }
    }
    if (!ifr_ioctl(sock, SIOCGIFFLAGS, &ifr, _("read the flags"), error))
        goto out;
    ifr.ifr_flags |= IFF_UP;
    if (!ifr_ioctl(sock, SIOCSIFFLAGS, &ifr, _("bring up"), error))
        goto out;
    ok = TRUE;
out:
    close(sock);
    return ok;
}

int
armz_tap_create(const char *ifname, const unsigned char mac[6], const char *bridge,
                unsigned int mtu, char **name_out, GError **error)
{
    char actual[IFNAMSIZ];
    int fd = -1;

    if (ifname) {
        if (strlen(ifname) >= IFNAMSIZ) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("tap device name '%s' is too long"), ifname);
            return -1;
        }
        fd = tap_open(ifname, actual, error);
        if (fd < 0 && !(error && *error))
            g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                        _("cannot create tap device '%s': %s"), ifname, g_strerror(errno));
    } else {
        /* the first free vnetN: TUNSETIFF with an existing non-tap name or a
         * tap in use fails with EBUSY/EEXIST/EINVAL, so try the next one */
        for (unsigned i = 0; i < TAP_AUTO_MAX && fd < 0; i++) {
            char name[IFNAMSIZ];
            g_snprintf(name, sizeof(name), "vnet%u", i);
            if (if_nametoindex(name))
                continue;
            fd = tap_open(name, actual, error);
            if (fd < 0 && error && *error)
                return -1;
        }
        if (fd < 0 && !(error && *error))
            g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                        _("cannot create a tap device: %s"), g_strerror(errno));
    }
    if (fd < 0)
        return -1;
    if (!tap_configure(actual, mac, bridge, mtu, error)) {
        close(fd);
        return -1;
    }
    *name_out = g_strdup(actual);
    return fd;
}

int
armz_tap_open_existing(const char *ifname, char **name_out, GError **error)
{
    char actual[IFNAMSIZ];
    int fd;

    if (!if_nametoindex(ifname)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("tap device '%s' does not exist: <target managed='no'> uses a tap made "
                      "beforehand"), ifname);
        return -1;
    }
    if ((fd = tap_open(ifname, actual, error)) < 0) {
        if (!(error && *error))
            g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                        _("cannot open tap device '%s': %s"), ifname, g_strerror(errno));
        return -1;
    }
    *name_out = g_strdup(actual);
    return fd;
}
