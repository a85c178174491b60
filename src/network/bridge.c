/* Bridge creation and removal (see bridge.h). */
#include <sys/socket.h>
#include <net/if.h>
#include <libvirt/libvirt.h>

#include "conf/domain_conf.h"
#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/log.h"
#include "network/bridge.h"
#include "network/network_cmd.h"

gboolean
armz_bridge_if_exists(const char *name)
{
    return if_nametoindex(name) != 0;
}

gboolean
armz_bridge_is_bridge(const char *name)
{
    g_autofree char *p = g_build_filename("/sys/class/net", name, "bridge", NULL);
    return g_file_test(p, G_FILE_TEST_IS_DIR);
}

static gboolean
ip_cmd(GError **error, ...)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    va_list ap;
    const char *a;

    g_ptr_array_add(argv, (gpointer)"ip");
    va_start(ap, error);
    while ((a = va_arg(ap, const char *)))
        g_ptr_array_add(argv, (gpointer)a);
    va_end(ap);
    g_ptr_array_add(argv, NULL);
    return armz_net_run((const char *const *)argv->pdata, NULL, NULL, error);
}

gboolean
armz_bridge_create(const ArmzNetworkDef *def, GError **error)
{
    const char *br = def->bridge;
    /* iproute2 takes the forward delay in hundredths of a second */
    g_autofree char *delay = g_strdup_printf("%u", def->delay * 100);
    g_autofree char *mtu = g_strdup_printf("%u", def->mtu);
    char mac[18];

    if (armz_bridge_if_exists(br)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("cannot create bridge '%s' for network '%s': an interface of that "
                      "name already exists"), br, def->name);
        return FALSE;
    }
    armz_mac_format(def->mac, mac);
    /* the delay is set before STP is turned on: the kernel refuses a short
     * delay on a bridge with STP already running */
    if (!ip_cmd(error, "link", "add", "name", br, "address", mac, "type", "bridge",
                "forward_delay", delay, "stp_state", def->stp ? "1" : "0", NULL))
        return FALSE;
    if (def->mtu && !ip_cmd(error, "link", "set", "dev", br, "mtu", mtu, NULL))
        goto fail;
    for (guint i = 0; i < def->ips->len; i++) {
        const ArmzNetIPDef *ip = g_ptr_array_index(def->ips, i);
        char a[46];
        g_autofree char *cidr = NULL;
        gboolean ok;

        armz_ip_format(&ip->address, a);
        cidr = g_strdup_printf("%s/%u", a, ip->prefix);
        if (ip->address.family == AF_INET) {
            ArmzIPAddr b;
            char bs[46];
            armz_ip_broadcast(&ip->address, ip->prefix, &b);
            armz_ip_format(&b, bs);
            ok = ip_cmd(error, "addr", "add", cidr, "broadcast", bs, "dev", br, NULL);
        } else {
            /* no duplicate address detection: the bridge is ours alone */
            ok = ip_cmd(error, "-6", "addr", "add", cidr, "dev", br, "nodad", NULL);
        }
        if (!ok)
            goto fail;
    }
    if (!ip_cmd(error, "link", "set", "dev", br, "up", NULL))
        goto fail;
    armz_info("network '%s': bridge %s created", def->name, br);
    return TRUE;

fail:
    {
        g_autoptr(GError) err = NULL;
        if (!armz_bridge_delete(br, &err))
            armz_warn("%s", err->message);
    }
    return FALSE;
}

gboolean
armz_bridge_delete(const char *name, GError **error)
{
    if (!armz_bridge_if_exists(name))
        return TRUE;
    if (!armz_bridge_is_bridge(name)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("interface '%s' is not a bridge: left as it is"), name);
        return FALSE;
    }
    if (!ip_cmd(error, "link", "del", "dev", name, "type", "bridge", NULL))
        return FALSE;
    armz_info("bridge %s removed", name);
    return TRUE;
}
