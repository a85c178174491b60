/* The memory APIs that go through the virtio balloon: virDomainSetMemory
 * and SetMemoryFlags (the live size through the balloon, the definition's
 * currentMemory and memory), virDomainSetMemoryStatsPeriod, and the
 * guest's own figures for virDomainMemoryStats and the balloon group of the
 * all-domain statistics. */
#pragma once
#include <glib.h>
#include "driver/driver.h"
#include "driver/domain_obj.h"
#include "driver/domain_stats_api.h"

gboolean armz_driver_set_memory_flags(ArmzDriver *drv, const ArmzDomainId *dom,
                                      guint64 memory_kib, unsigned int flags, GError **error);
gboolean armz_driver_set_memory_stats_period(ArmzDriver *drv, const ArmzDomainId *dom,
                                             int period, unsigned int flags, GError **error);

/* OBJ locked (unlocked during the monitor calls): the balloon's figures of
 * a running domain with a virtio balloon, in libvirt's order (actual first,
 * in KiB), up to MAX. How many (0 without a balloon), or -1. */
int armz_domain_balloon_stats(ArmzDomainObj *obj, ArmzMemoryStat *stats, guint max,
                              GError **error);
/* OBJ locked (unlocked meanwhile): the guest's figures as the balloon.*
 * statistics of virConnectGetAllDomainStats (nothing when there are none). */
void armz_domain_balloon_stats_params(ArmzDomainObj *obj, GArray *params);
