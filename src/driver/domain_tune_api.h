/* virsh schedinfo, memtune and blkiotune: virDomainGet/SetSchedulerParameters
 * (Flags), Get/SetMemoryParameters, Get/SetBlkioParameters, on the running
 * domain's cgroup (LIVE) and on its definition (CONFIG). */
#pragma once
#include <sys/types.h>
#include <glib.h>
#include "driver/driver.h"
#include "driver/domain_obj.h"
#include "util/typed_params.h"

typedef enum {
    ARMZ_TUNE_SCHED = 0,        /* cpu_shares, vcpu_period, vcpu_quota */
    ARMZ_TUNE_MEMORY,           /* hard_limit, soft_limit, swap_hard_limit */
    ARMZ_TUNE_BLKIO,            /* weight */
} ArmzTuneKind;

/* virDomainGetSchedulerType: "posix", and the number of parameters. */
char *armz_driver_get_scheduler_type(ArmzDriver *drv, const ArmzDomainId *dom, int *nparams,
                                     GError **error);
/* How many parameters KIND has. */
int armz_tune_nparams(ArmzTuneKind kind);
/* The parameters of KIND (ArmzTypedParam), with libvirt's names and types;
 * FLAGS: virDomainModificationImpact (+ VIR_TYPED_PARAM_STRING_OKAY). */
GArray *armz_driver_get_tune(ArmzDriver *drv, const ArmzDomainId *dom, ArmzTuneKind kind,
                             unsigned int flags, GError **error);
gboolean armz_driver_set_tune(ArmzDriver *drv, const ArmzDomainId *dom, ArmzTuneKind kind,
                              const ArmzTypedParam *params, guint nparams, unsigned int flags,
                              GError **error);

/* LIVE or CONFIG from FLAGS (virDomainModificationImpact; CURRENT: what the
 * domain's state says), as libvirt's virDomainObjUpdateModificationImpact;
 * OBJ locked. */
gboolean armz_domain_resolve_impact(ArmzDomainObj *obj, unsigned int *flags, GError **error);

/* After a start (OBJ locked, its VMM ready): pins the vCPU threads as the
 * definition's <vcpupin> ask; a host that refuses is logged. */
void armz_domain_cgroup_started(ArmzDomainObj *obj);
