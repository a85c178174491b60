/* External storage tools (qemu-img, mkfs, mount, lvm2) run synchronously,
 * their failure reported with the tool's own words. */
#pragma once
#include <glib.h>

/* Runs ARGV (argv[0] looked up in PATH, then the sbin directories);
 * *OUT gets its stdout when OUT is not NULL. A missing tool or a non-zero
 * exit is VIR_ERR_OPERATION_FAILED (CODE overrides when not 0) naming the
 * command and quoting its stderr. */
gboolean armz_sto_run(const char *const *argv, char **out, int code, GError **error);
/* armz_sto_run with the N_FDS FDS open in the tool under the same numbers
 * (see armz_sto_fd_path). */
gboolean armz_sto_run_fds(const char *const *argv, const int *fds, guint n_fds, char **out,
                          int code, GError **error);

/* The path of tool NAME, or NULL. */
char *armz_sto_find_tool(const char *name);

/* lvm2's --config argument for this host (no devices file; no udev wait
 * where no udev runs, as in containers). */
const char *armz_sto_lvm_config(void);
