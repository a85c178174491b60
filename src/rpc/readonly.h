/* libvirt's read-only rule, applied to a call on a read-only connection:
 * the rule of each procedure comes from the procedure list (procinfo.h). */
#pragma once
#include <glib.h>
#include "rpc/dispatch.h"

/* FALSE with ERROR (VIR_ERR_OPERATION_DENIED) when a read-only connection
 * may not make call P. ARGS NULL: not decoded yet, only the procedures
 * refused whatever their arguments are refused. */
gboolean armz_readonly_check(const ArmzProc *p, const void *args, GError **error);

/* Whether P's rule can be applied: a rule that depends on the arguments
 * knows where P keeps them. */
gboolean armz_readonly_rule_known(const ArmzProc *p);
