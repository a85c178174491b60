/* Daemon log lines go to stderr (journald under systemd), with a level. */
#pragma once
#include <glib.h>

typedef enum { ARMZ_LOG_DEBUG, ARMZ_LOG_INFO, ARMZ_LOG_WARN, ARMZ_LOG_ERROR } ArmzLogLevel;

void armz_log_set_level(ArmzLogLevel level);
void armz_log(ArmzLogLevel level, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

#define armz_debug(...) armz_log(ARMZ_LOG_DEBUG, __VA_ARGS__)
#define armz_info(...)  armz_log(ARMZ_LOG_INFO, __VA_ARGS__)
#define armz_warn(...)  armz_log(ARMZ_LOG_WARN, __VA_ARGS__)
#define armz_err(...)   armz_log(ARMZ_LOG_ERROR, __VA_ARGS__)
