/* Domain log files (see domain_log.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "driver/domain_log.h"

#define LOG_TAIL_MAX (64 * 1024)

int
armz_domain_log_open(const char *path, GError **error)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

    if (fd < 0)
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot open log file '%s': %s"), path, g_strerror(errno));
    return fd;
}

void
armz_domain_log_line(int fd, const char *text)
{
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *stamp = g_date_time_format(now, "%Y-%m-%d %H:%M:%S");
    g_autofree char *line = g_strdup_printf("%s.%03d+0000: %s\n", stamp,
                                            g_date_time_get_microsecond(now) / 1000, text);
    const char *p = line;
    size_t left = strlen(line);

    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;     /* a full disk loses log lines, never the guest */
        p += n;
        left -= (size_t)n;
    }
}

char *
armz_domain_log_vmm_error(const char *path, goffset offset)
{
    return armz_domain_log_last_line(path, offset, "armz-vmm: ");
}

char *
armz_domain_log_last_line(const char *path, goffset offset, const char *prefix)
{
    g_autofree char *buf = NULL;
    g_auto(GStrv) lines = NULL;
    char *found = NULL;
    off_t end;
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return NULL;
    end = lseek(fd, 0, SEEK_END);
    if (end < 0 || end <= offset) {
        close(fd);
        return NULL;
    }
    if (end - offset > LOG_TAIL_MAX)
        offset = end - LOG_TAIL_MAX;
    buf = g_malloc0((gsize)(end - offset) + 1);
    n = pread(fd, buf, (size_t)(end - offset), offset);
    close(fd);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    lines = g_strsplit(buf, "\n", -1);
    for (guint i = 0; lines[i]; i++)
        if (g_str_has_prefix(lines[i], prefix) && !strstr(lines[i], " pty /dev/")) {
            g_free(found);
            found = g_strdup(g_strstrip(lines[i]));
        }
    return found;
}
