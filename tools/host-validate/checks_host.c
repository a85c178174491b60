/* Host facilities beyond KVM: taps, cgroups, huge pages. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gi18n-lib.h>
#include "checks.h"

void
armz_check_tun(GPtrArray *list, const ArmzHostPaths *paths)
{
    const char *title = _("Checking for the tap device (/dev/net/tun)");
    struct stat st;
    int fd;

    if (stat(paths->tun, &st) < 0) {
        armz_check_add(list, "tun", title, ARMZ_CHECK_WARN,
                       _("%s: %s; guests get no network interfaces (load the tun module)"),
                       paths->tun, g_strerror(errno));
        return;
    }
    if (!S_ISCHR(st.st_mode)) {
        armz_check_add(list, "tun", title, ARMZ_CHECK_WARN, _("%s is not a character device"),
                       paths->tun);
        return;
    }
    fd = open(paths->tun, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        /* virtarmzd opens it as root; an ordinary user cannot, which is normal */
        armz_check_add(list, "tun", title, errno == EACCES || errno == EPERM ?
                       ARMZ_CHECK_PASS : ARMZ_CHECK_WARN,
                       _("present (%s for this user)"), g_strerror(errno));
        return;
    }
    close(fd);
    armz_check_add(list, "tun", title, ARMZ_CHECK_PASS, NULL);
}

void
armz_check_cgroups(GPtrArray *list, const ArmzHostPaths *paths)
{
    static const char *const wanted[] = { "cpu", "memory", "pids" };
    const char *title = _("Checking for cgroup v2 controllers");
    g_autofree char *file = g_build_filename(paths->cgroup_root, "cgroup.controllers", NULL);
    g_autofree char *text = NULL;
    g_autoptr(GString) missing = g_string_new(NULL);
    g_auto(GStrv) have = NULL;

    if (!g_file_get_contents(file, &text, NULL, NULL)) {
        g_autofree char *v1 = g_build_filename(paths->cgroup_root, "cpu", NULL);
        if (g_file_test(v1, G_FILE_TEST_IS_DIR))
            armz_check_add(list, "cgroups", title, ARMZ_CHECK_WARN,
                           _("%s is a cgroup v1 hierarchy: guests' CPU and memory cannot be "
                             "limited or accounted"), paths->cgroup_root);
        else
            armz_check_add(list, "cgroups", title, ARMZ_CHECK_WARN,
                           _("no cgroup v2 filesystem on %s: guests' CPU and memory cannot be "
                             "limited or accounted"), paths->cgroup_root);
        return;
    }
    have = g_strsplit_set(g_strstrip(text), " \t\n", -1);
    for (size_t i = 0; i < G_N_ELEMENTS(wanted); i++)
        if (!g_strv_contains((const char *const *)have, wanted[i]))
            g_string_append_printf(missing, "%s%s", missing->len ? " " : "", wanted[i]);
    if (missing->len)
        armz_check_add(list, "cgroups", title, ARMZ_CHECK_WARN, _("missing: %s"), missing->str);
    else
        armz_check_add(list, "cgroups", title, ARMZ_CHECK_PASS, "%s", text);
}

/* The value in brackets of a sysfs choice file ("always [madvise] never"). */
static char *
sysfs_choice(const char *text)
{
    const char *open = strchr(text, '['), *close;

    if (!open || !(close = strchr(open, ']')))
        return NULL;
    return g_strndup(open + 1, close - open - 1);
}

static long
meminfo_value(const char *text, const char *key)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    size_t klen = strlen(key);

    for (char **l = lines; *l; l++)
        if (strncmp(*l, key, klen) == 0 && (*l)[klen] == ':')
            return strtol(*l + klen + 1, NULL, 10);
    return -1;
}

void
armz_check_hugepages(GPtrArray *list, const ArmzHostPaths *paths)
{
    const char *title = _("Checking for huge pages");
    g_autofree char *thp = NULL, *mem = NULL, *mode = NULL;
    long hp = -1;

    if (g_file_get_contents(paths->meminfo, &mem, NULL, NULL))
        hp = meminfo_value(mem, "HugePages_Total");
    if (!g_file_get_contents(paths->thp_enabled, &thp, NULL, NULL) || !(mode = sysfs_choice(thp))) {
        armz_check_add(list, "hugepages", title, ARMZ_CHECK_WARN,
                       _("no transparent huge pages (%s): guest memory uses 4 KiB pages"),
                       paths->thp_enabled);
        return;
    }
    if (g_str_equal(mode, "never"))
        armz_check_add(list, "hugepages", title, ARMZ_CHECK_WARN,
                       _("transparent huge pages are off (never): guest memory uses small "
                         "pages; echo madvise > %s"), paths->thp_enabled);
    else
        armz_check_add(list, "hugepages", title, ARMZ_CHECK_PASS,
                       _("transparent huge pages: %s; hugetlbfs pages: %ld"), mode,
                       hp < 0 ? 0 : hp);
}
