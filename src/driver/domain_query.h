/* The APIs that read one domain's definition or state (virDomainGetInfo,
 * GetState, GetAutostart, IsActive...): check flags, look up, read under
 * the object lock. None takes the job: they never wait for a start or a
 * stop in progress, as libvirt's QEMU driver does not. */
#pragma once
#include "driver/driver.h"

typedef struct {
    int state;                  /* virDomainState */
    guint64 max_mem_kib, memory_kib;
    int nr_virt_cpu;
    guint64 cpu_time_ns;        /* 0 while inactive */
} ArmzDomainInfo;

gboolean armz_driver_get_info(ArmzDriver *drv, const ArmzDomainId *dom, ArmzDomainInfo *out,
                              GError **error);
gboolean armz_driver_get_state(ArmzDriver *drv, const ArmzDomainId *dom, int *state,
                               int *reason, unsigned int flags, GError **error);
char *armz_driver_get_os_type(ArmzDriver *drv, const ArmzDomainId *dom, GError **error);
gboolean armz_driver_get_max_memory(ArmzDriver *drv, const ArmzDomainId *dom, guint64 *kib,
                                    GError **error);

/* These return the answer (0 or 1 for the questions), or -1 on error. */
int armz_driver_get_autostart(ArmzDriver *drv, const ArmzDomainId *dom, GError **error);
int armz_driver_get_max_vcpus(ArmzDriver *drv, const ArmzDomainId *dom, GError **error);
int armz_driver_is_active(ArmzDriver *drv, const ArmzDomainId *dom, GError **error);
int armz_driver_is_persistent(ArmzDriver *drv, const ArmzDomainId *dom, GError **error);
int armz_driver_is_updated(ArmzDriver *drv, const ArmzDomainId *dom, GError **error);
int armz_driver_get_vcpus_flags(ArmzDriver *drv, const ArmzDomainId *dom, unsigned int flags,
                                GError **error);
int armz_driver_has_managed_save(ArmzDriver *drv, const ArmzDomainId *dom,
                                 unsigned int flags, GError **error);
