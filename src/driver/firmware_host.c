/* Can this host map the firmware's flash (firmware_host.h)? */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "driver/driver_priv.h"
#include "driver/firmware_host.h"
#include "driver/process.h"
#include "kvm/arm64-uapi.h"
#include "kvm/profile.h"

gboolean
armz_driver_firmware_runs(ArmzDriver *drv, GError **error)
{
    const char *spec = drv->cfg.kvm_profile;
    ArmzKvmProfile profile = ARMZ_KVM_PROFILE_NATIVE;
    gboolean readonly_mem = FALSE;
    const char *dev;
    int fd, r;

    /* what armz-vmm would refuse under the configured profile (the daemon
     * checked the spec at start) */
    if (spec && armz_kvm_profile_parse_spec(spec, &profile, &readonly_mem) &&
        !armz_kvm_profile_offers_cap(profile, readonly_mem, ARMZ_KVM_CAP_READONLY_MEM)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("firmware boot is not available on this host: the KVM profile '%s' "
                      "(IBM Z's kvm-arm64) has no read-only memory slots "
                      "(KVM_CAP_READONLY_MEM), which the firmware's flash needs; boot a "
                      "kernel directly (<os><kernel>)"), spec);
        return FALSE;
    }
    if (!(dev = armz_process_kvm_device()))
        return TRUE;
    if ((fd = open(dev, O_RDWR | O_CLOEXEC)) < 0)
        return TRUE;   /* the start reports the device's own error */
    r = ioctl(fd, KVM_CHECK_EXTENSION, ARMZ_KVM_CAP_READONLY_MEM);
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
