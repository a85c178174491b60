/* The per-domain log, LOG_DIR/NAME.log: what the daemon did (command line,
 * start, stop) and, between those lines, the VMM's own output. */
#pragma once
#include <glib.h>

/* Opens NAME's log for appending (O_CLOEXEC), or -1 with ERROR. */
int armz_domain_log_open(const char *path, GError **error);
/* Appends "TIMESTAMP: TEXT\n" (TEXT may span lines). Best effort. */
void armz_domain_log_line(int fd, const char *text);
/* The last line of the log written by the VMM itself ("armz-vmm: ..."),
 * searched from byte OFFSET on; NULL when there is none. */
char *armz_domain_log_vmm_error(const char *path, goffset offset);
/* The same for lines starting with PREFIX (another process's words). */
char *armz_domain_log_last_line(const char *path, goffset offset, const char *prefix);
