/* Files the daemon keeps: written atomically so a crash or a full disk never
 * leaves a half-written definition in place of a good one. */
#pragma once
#include <glib.h>

/* Writes DATA to PATH through PATH.tmp-XXXXXX, fsync, rename, fsync of the
 * directory. On failure PATH is untouched and the temporary file removed. */
gboolean armz_file_write_atomic(const char *path, const char *data, gsize len,
                                int mode, GError **error);

/* Removes DIR/NAME.tmp-XXXXXX files that a crash left behind in the middle
 * of armz_file_write_atomic(); only while nothing writes into DIR (stores
 * call it when they are loaded at start). Returns how many it removed. */
guint armz_file_remove_stale_tmp(const char *dir);

/* mkdir -p with MODE for the missing components. */
gboolean armz_mkdir_p(const char *path, int mode, GError **error);

/* Creates and write-locks PATH holding our pid, for as long as the returned
 * fd stays open; fails naming the holder when another process has it. */
int armz_pidfile_acquire(const char *path, GError **error);
