/* vhost-user backend descriptors, QEMU's docs/interop/vhost-user.json as
 * libvirt reads them: JSON files in /etc/qemu/vhost-user and
 * /usr/share/qemu/vhost-user (a file in /etc overrides one of the same name
 * in /usr/share), taken in file name order; the first of TYPE ("fs" for
 * virtiofsd) whose binary exists names the backend. */
#pragma once
#include <glib.h>

/* The binary of the first backend of TYPE in DIRS (NULL-terminated; NULL:
 * the two system directories), or NULL. */
char *armz_vhost_user_find(const char *type, const char *const *dirs);
