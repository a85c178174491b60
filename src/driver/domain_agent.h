/* The APIs that go through the guest agent (agent.c) on the domain's
 * org.qemu.guest_agent.0 channel: virDomainGetTime and virDomainSetTime
 * (virsh domtime, which Nova runs after unpausing), and the agent mode of
 * virDomainShutdownFlags, the agent source of virDomainInterfaceAddresses. Each takes the domain's job for the agent call,
 * as libvirt does, so agent commands to one guest do not interleave. */
#pragma once
#include <glib.h>
#include "driver/driver.h"

gboolean armz_driver_get_time(ArmzDriver *drv, const ArmzDomainId *dom, gint64 *seconds,
                              guint *nseconds, unsigned int flags, GError **error);
gboolean armz_driver_set_time(ArmzDriver *drv, const ArmzDomainId *dom, gint64 seconds,
                              guint nseconds, unsigned int flags, GError **error);
/* virDomainShutdownFlags(VIR_DOMAIN_SHUTDOWN_GUEST_AGENT): guest-shutdown. */
gboolean armz_driver_agent_shutdown(ArmzDriver *drv, const ArmzDomainId *dom, GError **error);
/* virDomainInterfaceAddresses(VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT):
 * ArmzDomainIface pointers from guest-network-get-interfaces. */
GPtrArray *armz_driver_agent_interfaces(ArmzDriver *drv, const ArmzDomainId *dom,
                                        GError **error);

#include "driver/agent.h"

/* Runs CMD (ARGS: a JSON object or NULL) on DOM's agent for API, with the
 * domain's job held; *REPLY (may be NULL) gets the "return" value. */
gboolean armz_driver_agent_call(ArmzDriver *drv, const ArmzDomainId *dom, const char *api,
                                const char *cmd, const char *args, ArmzAgentReplyKind kind,
                                char **reply, GError **error);
/* virDomainReboot(VIR_DOMAIN_REBOOT_GUEST_AGENT): guest-shutdown, mode reboot. */
gboolean armz_driver_agent_reboot(ArmzDriver *drv, const ArmzDomainId *dom, GError **error);
/* virDomainGetHostname (the agent source, the default): guest-get-host-name. */
char *armz_driver_get_hostname(ArmzDriver *drv, const ArmzDomainId *dom, unsigned int flags,
                               GError **error);
/* virDomainFSFreeze (MOUNTPOINTS, N of them; none: every file system) and
 * virDomainFSThaw: the number of file systems frozen or thawed, -1 on error. */
int armz_driver_fs_freeze(ArmzDriver *drv, const ArmzDomainId *dom, char **mountpoints,
                          guint n, gboolean thaw, unsigned int flags, GError **error);
/* virDomainSetUserPassword: guest-set-user-password. */
gboolean armz_driver_set_user_password(ArmzDriver *drv, const ArmzDomainId *dom,
                                       const char *user, const char *password,
                                       unsigned int flags, GError **error);
/* virDomainGetGuestVcpus: "vcpus", "online" and "offlinable" bitmaps
 * (ArmzTypedParam) from guest-get-vcpus. */
GArray *armz_driver_get_guest_vcpus(ArmzDriver *drv, const ArmzDomainId *dom,
                                    unsigned int flags, GError **error);
/* virDomainGetGuestInfo: users, OS, time zone, host name and file systems
 * (TYPES, 0: all of them) as libvirt's parameters. */
GArray *armz_driver_get_guest_info(ArmzDriver *drv, const ArmzDomainId *dom, unsigned int types,
                                   unsigned int flags, GError **error);

/* virDomainGetFSInfo: one per file system the agent reports. */
typedef struct {
    char *mountpoint;
    char *name;                 /* the guest's device, "vda1" */
    char *fstype;
    GPtrArray *dev_aliases;     /* char*: targets of the domain's disks ("vda") */
} ArmzFsInfo;
void armz_fsinfo_free(ArmzFsInfo *fs);
/* ArmzFsInfo pointers from guest-get-fsinfo. */
GPtrArray *armz_driver_get_fsinfo(ArmzDriver *drv, const ArmzDomainId *dom, unsigned int flags,
                                  GError **error);

/* The domain's disks as the agent's disk entries (guest-get-fsinfo's
 * "disk", guest-get-disks' "address") are matched to them: PCI address,
 * serial, then device node. */
#include <yajl/yajl_tree.h>
typedef struct _ArmzAgentDiskKey ArmzAgentDiskKey;
GPtrArray *armz_agent_disk_keys(ArmzDriver *drv, const ArmzDomainId *dom, GError **error);
/* The target ("vda") of the domain's disk DISK names, or NULL. */
const char *armz_agent_match_disk(const GPtrArray *keys, yajl_val disk);
