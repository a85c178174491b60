/* Fetching Debian's arm64 packages with apt (its mirrors, proxies and
 * signed indexes), showing our own progress bar: apt-get download writes
 * the file we watch grow. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <glib-unix.h>
#include "cli.h"
#include "image_fetch.h"
#include "progress.h"

static const char apt_hint[] =
    N_("apt knows no arm64 packages here: run 'dpkg --add-architecture arm64 && apt-get "
       "update' first, or give --kernel-root and --busybox");

/* runs ARGV, returns its stdout; stderr goes into the error */
static char *
run(const char *const *argv, const char *cwd, GError **error)
{
    g_autofree char *out = NULL, *err = NULL;
    int status;

    if (!g_spawn_sync(cwd, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                      &status, error)) {
        g_prefix_error(error, _("cannot run %s: "), argv[0]);
        return NULL;
    }
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_OPERATION_FAILED, _("%s failed: %s"),
                    argv[0], g_strstrip(err));
        return NULL;
    }
    return g_steal_pointer(&out);
}

char *
armz_fetch_kernel_package(GError **error)
{
    const char *argv[] = { "apt-cache", "pkgnames", "linux-image-", NULL };
    g_autofree char *out = run(argv, NULL, error);
    g_auto(GStrv) lines = NULL;
    g_autoptr(GRegex) re = NULL;
    char *best = NULL;

    if (!out)
        return NULL;
    re = g_regex_new("^linux-image-[0-9.]+-[0-9]+-arm64-unsigned$", 0, 0, NULL);
    lines = g_strsplit(out, "\n", -1);
    for (char **l = lines; *l; l++)
        if (g_regex_match(re, *l, 0, NULL) && (!best || strverscmp(*l, best) > 0))
            best = *l;
    if (!best) {
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_NO_SUPPORT, "%s", _(apt_hint));
        return NULL;
    }
    return g_strdup(best);
}

typedef struct {
    char *url, *file, *sha256;
    guint64 size;
} DebUri;

static void
deb_uri_free(gpointer p)
{
    DebUri *u = p;
    g_free(u->url);
    g_free(u->file);
    g_free(u->sha256);
    g_free(u);
}

static gboolean
sha256_ok(const char *path, const char *want)
{
    g_autoptr(GMappedFile) m = g_mapped_file_new(path, FALSE, NULL);
    g_autofree char *sum = NULL;

    if (!m)
        return FALSE;
    sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256,
                                      (const guchar *)g_mapped_file_get_contents(m),
                                      g_mapped_file_get_length(m));
    return g_ascii_strcasecmp(sum, want) == 0;
}

/* apt-get download PKG in CACHE while a progress bar follows the file */
static gboolean
download(const char *pkg, const DebUri *u, const char *cache, GError **error)
{
    g_autofree char *path = g_build_filename(cache, u->file, NULL);
    g_autofree char *err_text = NULL;
    /* as root apt would drop to _apt, which cannot write into CACHE */
    const char *argv_root[] = { "apt-get", "download", "-q", "-o", "APT::Sandbox::User=root",
                                pkg, NULL };
    const char *argv_user[] = { "apt-get", "download", "-q", pkg, NULL };
    const char *const *argv = geteuid() == 0 ? argv_root : argv_user;
    ArmzProgress *bar;
    GPid pid;
    int err_fd, status = 0;
    struct stat st;
    g_autoptr(GString) err_buf = g_string_new(NULL);

    unlink(path);
    if (!g_spawn_async_with_pipes(cache, (char **)argv, NULL,
                                  G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
                                  G_SPAWN_STDOUT_TO_DEV_NULL,
                                  NULL, NULL, &pid, NULL, NULL, &err_fd, error)) {
        g_prefix_error(error, _("cannot run apt-get: "));
        return FALSE;
    }
    g_unix_set_fd_nonblocking(err_fd, TRUE, NULL);
    bar = armz_progress_new(u->file, u->size);
    for (;;) {
        char buf[512];
        ssize_t n;
        pid_t r = waitpid(pid, &status, WNOHANG);

        while ((n = read(err_fd, buf, sizeof(buf))) > 0)
            g_string_append_len(err_buf, buf, n);
        if (stat(path, &st) == 0)
            armz_progress_update(bar, st.st_size);
        if (r == pid)
            break;
        g_usleep(100000);
    }
    close(err_fd);
    g_spawn_close_pid(pid);
    if (!g_spawn_check_wait_status(status, NULL) || stat(path, &st) < 0) {
        armz_progress_done(bar, FALSE);
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("apt-get download %s failed: %s"), pkg, g_strstrip(err_buf->str));
        return FALSE;
    }
    armz_progress_done(bar, TRUE);
    if (u->sha256 && !sha256_ok(path, u->sha256)) {
        unlink(path);
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("%s: the SHA256 checksum does not match apt's index"), u->file);
        return FALSE;
    }
    return TRUE;
}

GPtrArray *
armz_fetch_debs(const char *const *packages, const char *cache, GError **error)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) uris = g_ptr_array_new_with_free_func(deb_uri_free);
    g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *out = NULL;
    g_auto(GStrv) lines = NULL;
    guint n = g_strv_length((char **)packages);
    g_autoptr(GError) err = NULL;

    if (g_mkdir_with_parents(cache, 0755) < 0) {
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_SYSTEM_ERROR, _("cannot create %s: %s"),
                    cache, g_strerror(errno));
        return NULL;
    }
    g_ptr_array_add(argv, g_strdup("apt-get"));
    g_ptr_array_add(argv, g_strdup("download"));
    g_ptr_array_add(argv, g_strdup("--print-uris"));
    for (guint i = 0; i < n; i++)
        g_ptr_array_add(argv, g_strdup_printf("%s:arm64", packages[i]));
    g_ptr_array_add(argv, NULL);
    if (!(out = run((const char *const *)argv->pdata, cache, &err))) {
        g_set_error(error, ARMZ_CLI_ERROR, err->code, "%s (%s)", _(apt_hint), err->message);
        return NULL;
    }
    /* 'URL' FILE SIZE SHA256:HEX, in the order asked */
    lines = g_strsplit(out, "\n", -1);
    for (char **l = lines; *l; l++) {
        g_auto(GStrv) f = g_strsplit(*l, " ", -1);
        DebUri *u;
        if (g_strv_length(f) < 3 || f[0][0] != '\'')
            continue;
        u = g_new0(DebUri, 1);
        u->url = g_strndup(f[0] + 1, strlen(f[0]) - 2);
        u->file = g_strdup(f[1]);
        u->size = g_ascii_strtoull(f[2], NULL, 10);
        if (f[3] && g_str_has_prefix(f[3], "SHA256:"))
            u->sha256 = g_strdup(f[3] + 7);
        g_ptr_array_add(uris, u);
    }
    if (uris->len != n) {
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("apt-get download --print-uris named %u files for %u packages"),
                    uris->len, n);
        return NULL;
    }
    for (guint i = 0; i < n; i++) {
        DebUri *u = g_ptr_array_index(uris, i);
        g_autofree char *pkg = g_strdup_printf("%s:arm64", packages[i]);
        char *path = g_build_filename(cache, u->file, NULL);
        struct stat st;

        g_ptr_array_add(paths, path);
        if (stat(path, &st) == 0 && (guint64)st.st_size == u->size &&
            (!u->sha256 || sha256_ok(path, u->sha256))) {
            g_printerr(_("%s: in the cache (%s)\n"), u->file, cache);
            continue;
        }
        if (!download(pkg, u, cache, error))
            return NULL;
    }
    return g_steal_pointer(&paths);
}

char *
armz_fetch_unpack(const char *deb, const char *cache, GError **error)
{
    g_autofree char *base = g_path_get_basename(deb);
    g_autofree char *dir = NULL, *tmp = NULL, *stamp = NULL;
    const char *argv[] = { "dpkg-deb", "-x", deb, NULL, NULL };
    g_autofree char *out = NULL;

    if (g_str_has_suffix(base, ".deb"))
        base[strlen(base) - 4] = '\0';
    dir = g_build_filename(cache, "unpacked", base, NULL);
    stamp = g_build_filename(dir, ".armz-unpacked", NULL);
    if (g_file_test(stamp, G_FILE_TEST_EXISTS))
        return g_steal_pointer(&dir);
    tmp = g_strdup_printf("%s.tmp", dir);
    argv[3] = tmp;
    {
        const char *rm[] = { "rm", "-rf", tmp, NULL };
        g_autofree char *ignored = run(rm, NULL, NULL);
    }
    if (g_mkdir_with_parents(tmp, 0755) < 0) {
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_SYSTEM_ERROR, _("cannot create %s: %s"),
                    tmp, g_strerror(errno));
        return NULL;
    }
    g_printerr(_("unpacking %s\n"), base);
    if (!(out = run(argv, NULL, error)))
        return NULL;
    {
        g_autofree char *tmp_stamp = g_build_filename(tmp, ".armz-unpacked", NULL);
        if (!g_file_set_contents(tmp_stamp, "", 0, error))
            return NULL;
    }
    if (rename(tmp, dir) < 0) {
        g_set_error(error, ARMZ_CLI_ERROR, VIR_ERR_SYSTEM_ERROR, _("cannot rename %s: %s"),
                    tmp, g_strerror(errno));
        return NULL;
    }
    return g_steal_pointer(&dir);
}
