#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <libvirt/virterror.h>
#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/unixaddr.h"

gboolean
armz_unix_addr(const char *path, struct sockaddr_un *sa, int *dirfd, GError **error)
{
    g_autofree char *dir = NULL;
    g_autofree char *base = NULL;
    g_autofree char *via = NULL;

    memset(sa, 0, sizeof(*sa));
    sa->sun_family = AF_UNIX;
    *dirfd = -1;
    if (strlen(path) < sizeof(sa->sun_path)) {
        memcpy(sa->sun_path, path, strlen(path) + 1);
        return TRUE;
    }
    dir = g_path_get_dirname(path);
    base = g_path_get_basename(path);
    if ((*dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot open the directory of socket '%s': %s"), path,
                    g_strerror(errno));
        return FALSE;
    }
    via = g_strdup_printf("/proc/self/fd/%d/%s", *dirfd, base);
    if (strlen(via) >= sizeof(sa->sun_path)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("socket name '%s' is too long for a unix socket address"), base);
        close(*dirfd);
        *dirfd = -1;
        return FALSE;
    }
    memcpy(sa->sun_path, via, strlen(via) + 1);
    return TRUE;
}
