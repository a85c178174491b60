#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>
#include "util/log.h"

static ArmzLogLevel min_level = ARMZ_LOG_INFO;
static GMutex log_lock;

void
armz_log_set_level(ArmzLogLevel level)
{
    min_level = level;
}

void
armz_log(ArmzLogLevel level, const char *fmt, ...)
{
    static const char *names[] = { "debug", "info", "warning", "error" };
    va_list ap;
    g_autofree char *msg = NULL;
    g_autoptr(GDateTime) now = NULL;
    g_autofree char *stamp = NULL;

    if (level < min_level)
        return;
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    now = g_date_time_new_now_utc();
    stamp = g_date_time_format(now, "%F %T.%f");
    g_mutex_lock(&log_lock);
    fprintf(stderr, "%.23s+0000: %lu: %s : %s\n", stamp,
            (unsigned long)gettid(), names[level], msg);
    g_mutex_unlock(&log_lock);
}
