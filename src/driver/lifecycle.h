/* The lifecycle APIs of running domains (libvirt's virDomainCreate*,
 * Destroy*, Shutdown*, Reboot, Reset, Suspend, Resume), each following
 * libvirt's entry sequence: check flags, (lookup by the caller), begin job,
 * check state, act, end job. Run on worker threads. */
#pragma once
#include "driver/driver.h"

/* CLIENT_ID: the connection, for VIR_DOMAIN_START_AUTODESTROY. */
gboolean armz_driver_start(ArmzDriver *drv, ArmzDomainObj *obj, unsigned int flags,
                           guint64 client_id, GError **error);
/* Defines a transient domain and starts it; it vanishes when it stops. */
ArmzDomainObj *armz_driver_create_xml(ArmzDriver *drv, const char *xml, unsigned int flags,
                                      guint64 client_id, GError **error);
gboolean armz_driver_destroy(ArmzDriver *drv, ArmzDomainObj *obj, unsigned int flags,
                             GError **error);
gboolean armz_driver_shutdown(ArmzDriver *drv, ArmzDomainObj *obj, unsigned int flags,
                              GError **error);
gboolean armz_driver_reboot(ArmzDriver *drv, ArmzDomainObj *obj, unsigned int flags,
                            GError **error);
gboolean armz_driver_reset(ArmzDriver *drv, ArmzDomainObj *obj, unsigned int flags,
                           GError **error);
gboolean armz_driver_suspend(ArmzDriver *drv, ArmzDomainObj *obj, GError **error);
gboolean armz_driver_resume(ArmzDriver *drv, ArmzDomainObj *obj, GError **error);

/* CPU time of the running domain in ns (0 when inactive). Object locked. */
guint64 armz_driver_domain_cpu_time(ArmzDomainObj *obj);

/* Does CLIENT_ID own an AUTODESTROY domain? Never waits for a job. */
gboolean armz_driver_has_autodestroy(ArmzDriver *drv, guint64 client_id);
/* A client went away: destroys the domains it started with AUTODESTROY. */
void armz_driver_autodestroy(ArmzDriver *drv, guint64 client_id);
/* How many domains run now. */
guint armz_driver_active_count(ArmzDriver *drv);
/* Daemon start: starts every domain marked autostart that is not running. */
void armz_driver_autostart(ArmzDriver *drv);
