/* Can this host map the firmware's flash (firmware_host.h)? */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "driver/driver_priv.h"
#include "driver/firmware_host.h"
#include "driver/process.h"

gboolean
armz_driver_firmware_runs(ArmzDriver *drv, GError **error)
{
    const char *profile = drv->cfg.kvm_profile;
    const char *dev;
    int fd, r;

    /* the s390 profile offers only what IBM Z's kvm-arm64 does; its test
     * variant "s390+readonly-mem" adds the slots, so the device decides */
    if (g_strcmp0(profile, "s390") == 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("firmware boot is not available on this host: the KVM profile '%s' "
                      "(IBM Z's kvm-arm64) has no read-only memory slots "
                      "(KVM_CAP_READONLY_MEM), which the firmware's flash needs; boot a "
                      "kernel directly (<os><kernel>)"), profile);
        return FALSE;
    }
    if (!(dev = armz_process_kvm_device()))
        return TRUE;
    if ((fd = open(dev, O_RDWR | O_CLOEXEC)) < 0)
        return TRUE;   /* the start reports the device's own error */
    r = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_READONLY_MEM);
    close(fd);
    /* r < 0: not a KVM device after all, which the start reports */
    if (r != 0)
        return TRUE;
    g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                _("firmware boot is not available on this host: KVM device %s has no "
                  "read-only memory slots (KVM_CAP_READONLY_MEM), which the firmware's "
                  "flash needs; boot a kernel directly (<os><kernel>)"), dev);
    return FALSE;
}
