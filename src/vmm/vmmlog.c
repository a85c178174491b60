/* Diagnostics of armz-vmm. */
#include <stdarg.h>
#include <stdio.h>
#include "vmmlog.h"

static gboolean debug_on;
static char *guest_name;

G_DEFINE_QUARK(armz-vmm-error-quark, armz_vmm_error)

void
armz_vmm_log_init(const char *name, gboolean debug)
{
    g_free(guest_name);
    guest_name = g_strdup(name);
    debug_on = debug;
}

gboolean
armz_vmm_debug_enabled(void)
{
    return debug_on;
}

static void
vlog(const char *kind, const char *fmt, va_list ap)
{
    char *msg = g_strdup_vprintf(fmt, ap);
    if (guest_name)
        fprintf(stderr, "armz-vmm: [%s] %s%s\n", guest_name, kind, msg);
    else
        fprintf(stderr, "armz-vmm: %s%s\n", kind, msg);
    g_free(msg);
}

void
armz_vmm_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("warning: ", fmt, ap);
    va_end(ap);
}

void
armz_vmm_info(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("", fmt, ap);
    va_end(ap);
}

void
armz_vmm_debug(const char *fmt, ...)
{
    va_list ap;
    if (!debug_on)
        return;
    va_start(ap, fmt);
    vlog("debug: ", fmt, ap);
    va_end(ap);
}
