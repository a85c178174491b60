/* Diagnostics of armz-vmm: one line each on stderr, "armz-vmm: ..." */
#pragma once
#include <glib.h>

void armz_vmm_log_init(const char *name, gboolean debug);
void armz_vmm_warn(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void armz_vmm_info(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void armz_vmm_debug(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
gboolean armz_vmm_debug_enabled(void);

#define ARMZ_VMM_ERROR (armz_vmm_error_quark())
GQuark armz_vmm_error_quark(void);
