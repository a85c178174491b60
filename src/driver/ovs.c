/* Open vSwitch ports (see ovs.h). ovs-vsctl finds the database through its
 * own defaults (OVS_RUNDIR in the environment moves them, which the tests
 * use); it runs with argv, never a shell, and every value it gets was
 * validated at define (bridge and tap names, a UUID, a MAC). */
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/log.h"
#include "util/uuid.h"
#include "driver/ovs.h"

#define OVS_VSCTL "ovs-vsctl"
#define OVS_TIMEOUT "--timeout=5"

static gboolean
run_vsctl(const char *const *argv, GError **error)
{
    g_autofree char *err = NULL;
    g_autoptr(GError) spawn_err = NULL;
    int status = 0;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                      NULL, NULL, NULL, &err, &status, &spawn_err)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("cannot run %s (is Open vSwitch installed?): %s"), OVS_VSCTL,
                    spawn_err->message);
        return FALSE;
    }
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("%s failed: %s"), OVS_VSCTL, err ? g_strstrip(err) : "");
        return FALSE;
    }
    return TRUE;
}

gboolean
armz_ovs_add_port(const char *bridge, const char *ifname, const unsigned char mac[6],
                  const char *iface_id, const unsigned char vm_uuid[16], GError **error)
{
    g_autofree char *id = g_strdup_printf("external-ids:iface-id=\"%s\"", iface_id);
    g_autofree char *amac = g_strdup_printf("external-ids:attached-mac=\"%02x:%02x:%02x:%02x:%02x:%02x\"",
                                            mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    g_autofree char *vm = NULL;
    char u[ARMZ_UUID_STRING_BUFLEN];

    armz_uuid_format(vm_uuid, u);
    vm = g_strdup_printf("external-ids:vm-uuid=\"%s\"", u);
    {
        const char *const argv[] = {
            OVS_VSCTL, OVS_TIMEOUT, "--", "--if-exists", "del-port", ifname,
            "--", "add-port", bridge, ifname,
            "--", "set", "Interface", ifname, id, "external-ids:iface-status=active",
            amac, vm, NULL };

        if (!run_vsctl(argv, error)) {
            g_prefix_error(error, _("cannot add port '%s' to Open vSwitch bridge '%s': "),
                           ifname, bridge);
            return FALSE;
        }
    }
    return TRUE;
}

void
armz_ovs_del_port(const char *ifname)
{
    const char *const argv[] = { OVS_VSCTL, OVS_TIMEOUT, "--", "--if-exists", "del-port",
                                 ifname, NULL };
    g_autoptr(GError) err = NULL;

    if (!run_vsctl(argv, &err))
        armz_warn("%s", err->message);
}
