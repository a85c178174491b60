/* The lifecycle APIs of running domains (libvirt's virDomainCreate*,
 * Destroy*, Shutdown*, Reboot, Reset, Suspend, Resume), each following
 * libvirt's entry sequence: check flags, look up, begin job, check state,
 * act, end job. Run on worker threads. */
#pragma once
#include <gio/gio.h>
#include "driver/driver.h"

/* CLIENT_ID: the connection, for VIR_DOMAIN_START_AUTODESTROY. Gives DOM
 * the new ID, as libvirt's drivers update the caller's handle. */
gboolean armz_driver_start(ArmzDriver *drv, ArmzDomainId *dom, unsigned int flags,
                           guint64 client_id, GError **error);
/* Defines a transient domain and starts it; it vanishes when it stops. */
gboolean armz_driver_create_xml(ArmzDriver *drv, const char *xml, unsigned int flags,
                                guint64 client_id, ArmzDomainId *out, GError **error);
gboolean armz_driver_destroy(ArmzDriver *drv, const ArmzDomainId *dom, unsigned int flags,
                             GError **error);
gboolean armz_driver_shutdown(ArmzDriver *drv, const ArmzDomainId *dom, unsigned int flags,
                              GError **error);
gboolean armz_driver_reboot(ArmzDriver *drv, const ArmzDomainId *dom, unsigned int flags,
                            GError **error);
gboolean armz_driver_reset(ArmzDriver *drv, const ArmzDomainId *dom, unsigned int flags,
                           GError **error);
gboolean armz_driver_suspend(ArmzDriver *drv, const ArmzDomainId *dom, GError **error);
gboolean armz_driver_resume(ArmzDriver *drv, const ArmzDomainId *dom, GError **error);

/* Does CLIENT_ID own an AUTODESTROY domain? Never waits for a job. */
gboolean armz_driver_has_autodestroy(ArmzDriver *drv, guint64 client_id);
/* A client went away: destroys the domains it started with AUTODESTROY. */
void armz_driver_autodestroy(ArmzDriver *drv, guint64 client_id);
/* How many domains run now. */
guint armz_driver_active_count(ArmzDriver *drv);
/* Daemon start: starts every domain marked autostart that is not running,
 * one after the other until CANCEL (may be NULL) is cancelled. */
void armz_driver_autostart(ArmzDriver *drv, GCancellable *cancel);
