/* The flags check every public API makes first, as libvirt's
 * virCheckFlags: shared by the domain, network and storage drivers. */
#pragma once
#include <glib.h>

/* Fails with VIR_ERR_INVALID_ARG naming FUNC when FLAGS has bits outside ALLOWED. */
gboolean armz_check_flags(unsigned int flags, unsigned int allowed, const char *func,
                          GError **error);
