/* armz-vmm processes of running domains: launch, watch, stop, and find
 * them again after a daemon restart (libvirt's *_process.c). Every function
 * here is called with the domain object locked and its job held; the ones
 * that wait drop the lock meanwhile (never the job). */
#pragma once
#include <glib.h>
#include "driver/driver_priv.h"
#include "driver/monitor.h"

/* Starts the domain's VMM with FLAGS (VIR_DOMAIN_START_PAUSED,
 * VIR_DOMAIN_START_AUTODESTROY with AUTODESTROY_CLIENT), waits for its
 * monitor, gives it a fresh ID, saves its status and reports STARTED (and
 * SUSPENDED when paused). On failure nothing of it is left behind. */
gboolean armz_process_start(ArmzDriver *drv, ArmzDomainObj *obj, unsigned int flags,
                            guint64 autodestroy_client, GError **error);

/* Ends a running domain: kills the VMM if it still runs (SIGTERM, then
 * SIGKILL after a grace period unless GRACEFUL), then tears it down with
 * REASON (virDomainShutoffReason) and the STOPPED event DETAIL. FALSE when
 * GRACEFUL and the VMM would not go. */
gboolean armz_process_kill_and_stop(ArmzDriver *drv, ArmzDomainObj *obj, gboolean graceful,
                                    int reason, int detail, GError **error);

/* Tears down a domain whose VMM has exited: resources, status files, the
 * STOPPED event, the domain log line; then the transient/newdef rules. */
void armz_process_stop(ArmzDriver *drv, ArmzDomainObj *obj, int reason, int detail);

/* Object NOT locked: takes OBJ off the domain list if it was marked removed
 * (a transient domain that stopped). Call after dropping the lock. */
void armz_process_forget_removed(ArmzDriver *drv, ArmzDomainObj *obj);

/* The monitor of a running domain (new reference) or an error saying it is
 * not running. Object locked. */
ArmzMonitor *armz_process_monitor(ArmzDomainObj *obj, GError **error);

/* Daemon start: finds the VMMs a previous daemon left running. */
void armz_process_reconnect_all(ArmzDriver *drv);

/* Host probing: the arm64 KVM device of this host, or NULL. */
const char *armz_process_kvm_device(void);

/* CPU time used by the domain's VMM, in nanoseconds (0 if unknown). */
guint64 armz_process_cpu_time(ArmzDomainObj *obj);
