/* Check results and the default places the checks look at. */
#include <stdarg.h>
#include <sys/utsname.h>
#include "checks.h"

void
armz_host_paths_default(ArmzHostPaths *paths)
{
    static char machine[65];
    struct utsname u;

    if (!machine[0] && uname(&u) == 0)
        g_strlcpy(machine, u.machine, sizeof(machine));
    paths->machine = machine;
    paths->cpuinfo = "/proc/cpuinfo";
    paths->tun = "/dev/net/tun";
    paths->cgroup_root = "/sys/fs/cgroup";
    paths->thp_enabled = "/sys/kernel/mm/transparent_hugepage/enabled";
    paths->meminfo = "/proc/meminfo";
}

const char *
armz_check_status_name(ArmzCheckStatus st)
{
    switch (st) {
    case ARMZ_CHECK_PASS: return "PASS";
    case ARMZ_CHECK_WARN: return "WARN";
    case ARMZ_CHECK_FAIL: return "FAIL";
    }
    return "FAIL";
}

ArmzCheck *
armz_check_add(GPtrArray *list, const char *id, const char *title, ArmzCheckStatus status,
               const char *detail_fmt, ...)
{
    ArmzCheck *c = g_new0(ArmzCheck, 1);
    va_list ap;

    c->id = g_strdup(id);
    c->title = g_strdup(title);
    c->status = status;
    if (detail_fmt) {
        va_start(ap, detail_fmt);
        c->detail = g_strdup_vprintf(detail_fmt, ap);
        va_end(ap);
    }
    g_ptr_array_add(list, c);
    return c;
}

void
armz_check_free(gpointer check)
{
    ArmzCheck *c = check;

    if (!c)
        return;
    g_free(c->id);
    g_free(c->title);
    g_free(c->detail);
    g_free(c);
}

ArmzCheckStatus
armz_checks_worst(GPtrArray *list)
{
    ArmzCheckStatus worst = ARMZ_CHECK_PASS;

    for (guint i = 0; i < list->len; i++) {
        ArmzCheck *c = g_ptr_array_index(list, i);
        if (c->status > worst)
            worst = c->status;
    }
    return worst;
}
