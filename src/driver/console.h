/* The driver's side of virDomainOpenConsole: which pty a domain's console
 * or serial device is on. The daemon opens the pty and streams it. */
#pragma once
#include <glib.h>
#include "driver/driver.h"

/* The pty path of domain DOM's character device DEV_NAME (its alias,
 * e.g. "serial0" or "console0"; NULL: the first console, else the first
 * serial port, when it is a pty). Fails with libvirt's errors:
 * VIR_ERR_NO_DOMAIN, VIR_ERR_OPERATION_INVALID "domain is not running",
 * VIR_ERR_INTERNAL_ERROR "cannot find character device %s" and
 * "character device %s is not using a PTY", VIR_ERR_OPERATION_FAILED when
 * the pty is not assigned yet. FLAGS (virDomainConsoleFlags) are the
 * daemon's to act on: the driver only checks them. *PTY_PATH is newly
 * allocated. */
gboolean armz_driver_domain_console_path(ArmzDriver *drv, const ArmzDomainId *dom,
                                         const char *dev_name, unsigned int flags,
                                         char **pty_path, GError **error);
