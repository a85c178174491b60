#include "util/fileutil.h"
#include "util/paths.h"

ArmzPaths *
armz_paths_new(const char *root, gboolean privileged)
{
    ArmzPaths *p = g_new0(ArmzPaths, 1);

    p->root = g_strdup(root);
    p->privileged = privileged || root;
    if (p->privileged) {
        const char *r = root ? root : "/";
        p->sock_dir = g_build_filename(r, "run", "libvirt", NULL);
        p->config_file = g_build_filename(r, "etc", "libvirt", "armz.conf", NULL);
        p->config_dir = g_build_filename(r, "etc", "libvirt", "armz", NULL);
        p->lib_dir = g_build_filename(r, "var", "lib", "libvirt", "armz", NULL);
        p->state_dir = g_build_filename(r, "run", "libvirt", "armz", NULL);
        p->log_dir = g_build_filename(r, "var", "log", "libvirt", "armz", NULL);
        p->pid_file = g_build_filename(r, "run", "virtarmzd.pid", NULL);
    } else {
        /* libvirt's session layout, under the XDG directories. */
        const char *rt = g_get_user_runtime_dir();
        p->sock_dir = g_build_filename(rt, "libvirt", NULL);
        p->config_file = g_build_filename(g_get_user_config_dir(), "libvirt", "armz.conf", NULL);
        p->config_dir = g_build_filename(g_get_user_config_dir(), "libvirt", "armz", NULL);
        p->lib_dir = g_build_filename(g_get_user_config_dir(), "libvirt", "armz", "lib", NULL);
        p->state_dir = g_build_filename(rt, "libvirt", "armz", "run", NULL);
        p->log_dir = g_build_filename(g_get_user_cache_dir(), "libvirt", "armz", "log", NULL);
        p->pid_file = g_build_filename(rt, "libvirt", "virtarmzd.pid", NULL);
    }
    p->sock_rw = g_build_filename(p->sock_dir, "virtarmzd-sock", NULL);
    p->sock_ro = g_build_filename(p->sock_dir, "virtarmzd-sock-ro", NULL);
    p->sock_admin = g_build_filename(p->sock_dir, "virtarmzd-admin-sock", NULL);
    p->autostart_dir = g_build_filename(p->config_dir, "autostart", NULL);
    return p;
}

void
armz_paths_free(ArmzPaths *p)
{
    if (!p)
        return;
    g_free(p->root);
    g_free(p->sock_dir);
    g_free(p->sock_rw);
    g_free(p->sock_ro);
    g_free(p->sock_admin);
    g_free(p->config_file);
    g_free(p->config_dir);
    g_free(p->autostart_dir);
    g_free(p->lib_dir);
    g_free(p->state_dir);
    g_free(p->log_dir);
    g_free(p->pid_file);
    g_free(p);
}

gboolean
armz_paths_create(const ArmzPaths *p, GError **error)
{
    const char *dirs[] = { p->sock_dir, p->config_dir, p->autostart_dir,
                           p->lib_dir, p->state_dir, p->log_dir };

    for (gsize i = 0; i < G_N_ELEMENTS(dirs); i++)
        if (!armz_mkdir_p(dirs[i], 0755, error))
            return FALSE;
    return TRUE;
}
