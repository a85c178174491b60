/* Unix socket addresses for paths of any length: sun_path holds 107 bytes,
 * less than a deep state directory plus a socket name, so a long path is
 * reached through an fd of its directory (/proc/self/fd/N/NAME). */
#pragma once
#include <glib.h>
#include <sys/un.h>

/* Fills SA for PATH. *DIRFD is -1, or the directory fd SA goes through,
 * which the caller closes after bind() or connect(). */
gboolean armz_unix_addr(const char *path, struct sockaddr_un *sa, int *dirfd,
                        GError **error);
