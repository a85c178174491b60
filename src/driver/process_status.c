/* Status of running domains on disk, so a restarted daemon finds its guests
 * again: STATE_DIR/NAME.status (a key file: process, IDs, state) beside
 * STATE_DIR/NAME.xml (the live definition). */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/fileutil.h"
#include "util/log.h"
#include "driver/process_priv.h"
#include "driver/security_dac.h"
#include "driver/vmm_jail.h"
#include "driver/virtiofs_process.h"

#define GROUP "run"

static char *
status_path(ArmzDriver *drv, const char *name, const char *ext)
{
    return g_strdup_printf("%s/%s.%s", drv->paths->state_dir, name, ext);
}

gboolean
armz_process_status_save(ArmzDriver *drv, ArmzDomainObj *obj, GError **error)
{
    ArmzDomainRun *run = obj->priv;
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autofree char *xml = NULL, *data = NULL, *xml_path = NULL, *st_path = NULL;
    g_auto(GStrv) dac = NULL;
    gsize len;

    if (!run)
        return TRUE;
    /* the owners to give back, for a daemon that restarts meanwhile */
    dac = armz_dac_records_to_strv(run->dac);
    g_key_file_set_string_list(kf, GROUP, "dac-restore", (const char *const *)dac,
                               g_strv_length(dac));
    if (run->jail_root)
        g_key_file_set_string(kf, GROUP, "jail", run->jail_root);
    g_key_file_set_int64(kf, GROUP, "pid", run->pid);
    g_key_file_set_integer(kf, GROUP, "id", obj->id);
    g_key_file_set_integer(kf, GROUP, "state", obj->state);
    g_key_file_set_integer(kf, GROUP, "reason", obj->reason);
    g_key_file_set_boolean(kf, GROUP, "persistent", obj->persistent);
    g_key_file_set_string(kf, GROUP, "qmp", run->qmp_path);
    g_key_file_set_string(kf, GROUP, "pidfile", run->pidfile);
    g_key_file_set_string(kf, GROUP, "log", run->log_path);
    if (run->cgroup)
        g_key_file_set_string(kf, GROUP, "cgroup", run->cgroup);
    g_key_file_set_int64(kf, GROUP, "start-time", run->start_time);
    g_key_file_set_integer(kf, GROUP, "on-poweroff", run->on_poweroff);
    g_key_file_set_integer(kf, GROUP, "on-reboot", run->on_reboot);
    g_key_file_set_integer(kf, GROUP, "on-crash", run->on_crash);
    g_key_file_set_boolean(kf, GROUP, "shutdown-seen", run->shutdown_seen);
    g_key_file_set_string_list(kf, GROUP, "taps", (const char *const *)run->taps->pdata,
                               run->taps->len);
    if (run->qsd)
        armz_qsd_status_save(run->qsd, kf, GROUP);
    if (run->vhost_dir)
        g_key_file_set_string(kf, GROUP, "vhost-dir", run->vhost_dir);
    if (run->virtiofsds->len) {
        g_autofree gint *pids = g_new(gint, run->virtiofsds->len);
        for (guint i = 0; i < run->virtiofsds->len; i++)
            pids[i] = (gint)g_array_index(run->virtiofsds, GPid, i);
        g_key_file_set_integer_list(kf, GROUP, "virtiofsd-pids", pids, run->virtiofsds->len);
    }
    data = g_key_file_to_data(kf, &len, NULL);
    xml = armz_domain_def_format(obj->def, obj->id, 0);
    xml_path = status_path(drv, obj->name, "xml");
    st_path = status_path(drv, obj->name, "status");
    /* the XML first: a status file always has its live definition */
    return armz_file_write_atomic(xml_path, xml, strlen(xml), 0600, error) &&
           armz_file_write_atomic(st_path, data, len, 0600, error);
}

void
armz_process_status_remove(ArmzDriver *drv, const char *name)
{
    g_autofree char *xml_path = status_path(drv, name, "xml");
    g_autofree char *st_path = status_path(drv, name, "status");

    unlink(st_path);
    unlink(xml_path);
}

/* The pid still runs armz-vmm (not a recycled pid)? A pidfd for it, or -1. */
static int
open_vmm_pid(pid_t pid, const char *vmm_path)
{
    g_autofree char *exe_link = g_strdup_printf("/proc/%d/exe", (int)pid);
    g_autofree char *exe = g_file_read_link(exe_link, NULL);
    g_autofree char *base = exe ? g_path_get_basename(exe) : NULL;
    g_autofree char *want = g_path_get_basename(vmm_path);
    int fd;

    if (pid <= 0 || !base || (strcmp(base, want) != 0 && !g_str_has_prefix(base, "armz-vmm")))
        return -1;
    fd = (int)syscall(SYS_pidfd_open, pid, 0);
    return fd;
}

static void
load_virtiofsds(GKeyFile *kf, GArray *pids)
{
    gsize n = 0;
    g_autofree gint *v = g_key_file_get_integer_list(kf, GROUP, "virtiofsd-pids", &n, NULL);

    for (gsize i = 0; v && i < n; i++) {
        GPid pid = (GPid)v[i];
        g_array_append_val(pids, pid);
    }
}

static void
reconnect_one(ArmzDriver *drv, const char *name)
{
    g_autofree char *st_path = status_path(drv, name, "status");
    g_autofree char *xml_path = status_path(drv, name, "xml");
    g_autofree char *xml = NULL;
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) err = NULL;
    g_autoptr(ArmzDomainDef) live = NULL;
    g_autoptr(ArmzDomainObj) obj = NULL;
    g_auto(GStrv) taps = NULL, dac = NULL;
    g_autoptr(GPtrArray) dac_records = armz_dac_records_new();
    g_autofree char *jail_root = NULL;
    g_autoptr(ArmzQsdRun) qsd = NULL;
    g_autoptr(GArray) orphans = g_array_new(FALSE, FALSE, sizeof(GPid));
    g_autofree char *vhost_dir = g_key_file_get_string(kf, GROUP, "vhost-dir", NULL);
    ArmzDomainRun *run;
    pid_t pid;
    int pidfd, id;
    gboolean existing = FALSE;

    if (!g_key_file_load_from_file(kf, st_path, 0, &err) ||
        !g_file_get_contents(xml_path, &xml, NULL, &err) ||
        !(live = armz_domain_def_parse(xml, &err))) {
        armz_err("cannot read the status of domain '%s': %s", name, err->message);
        return;
    }
    dac = g_key_file_get_string_list(kf, GROUP, "dac-restore", NULL, NULL);
    armz_dac_records_from_strv(dac_records, (const char *const *)dac);
    armz_dac_adopt(dac_records);
    jail_root = g_key_file_get_string(kf, GROUP, "jail", NULL);
    pid = (pid_t)g_key_file_get_int64(kf, GROUP, "pid", NULL);
    id = g_key_file_get_integer(kf, GROUP, "id", NULL);
    pidfd = open_vmm_pid(pid, drv->cfg.vmm_path);
    if (pidfd < 0 || id <= 0) {
        g_autofree char *qmp = g_key_file_get_string(kf, GROUP, "qmp", NULL);
        g_autofree char *pidfile = g_key_file_get_string(kf, GROUP, "pidfile", NULL);
        armz_warn("domain '%s' stopped while the daemon was away (armz-vmm %d is gone)",
                  name, (int)pid);
        if (qmp)
            unlink(qmp);
        if (pidfile)
            unlink(pidfile);
        armz_dac_restore(dac_records);
        if (jail_root)
            armz_vmm_jail_cleanup(jail_root);
        /* the storage daemon of a guest that is gone has nothing to serve */
        if ((qsd = armz_qsd_status_load(kf, GROUP)))
            armz_qsd_stop_found(qsd);
        load_virtiofsds(kf, orphans);
        armz_virtiofs_stop(orphans, FALSE, vhost_dir);
        armz_process_status_remove(drv, name);
        return;
    }

    obj = armz_domain_list_find_uuid(drv->domains, live->uuid);
    if (obj) {
        existing = TRUE;
        g_mutex_lock(&obj->lock);
        armz_domain_obj_begin_job_wait(obj, "reconnect");
    } else {
        ArmzDomainDef *copy = armz_domain_def_copy(live);
        if (!(obj = armz_domain_list_add(drv->domains, copy, &existing, &err))) {
            armz_err("cannot take back running domain '%s': %s", name, err->message);
            armz_domain_def_free(copy);
            close(pidfd);
            return;
        }
        g_mutex_lock(&obj->lock);   /* a new object comes with its job taken */
        obj->persistent = FALSE;
    }
    if (obj->persistent) {
        armz_domain_def_free(obj->newdef);
        obj->newdef = obj->def;
    } else {
        armz_domain_def_free(obj->def);
    }
    obj->def = g_steal_pointer(&live);

    run = armz_domain_run_new();
    run->pid = pid;
    run->child = FALSE;
    run->pidfd = pidfd;
    run->generation = ++drv->next_generation;
    run->qmp_path = g_key_file_get_string(kf, GROUP, "qmp", NULL);
    run->pidfile = g_key_file_get_string(kf, GROUP, "pidfile", NULL);
    run->cgroup = g_key_file_get_string(kf, GROUP, "cgroup", NULL);
    run->log_path = g_key_file_get_string(kf, GROUP, "log", NULL);
    run->start_time = g_key_file_get_int64(kf, GROUP, "start-time", NULL);
    run->on_poweroff = g_key_file_get_integer(kf, GROUP, "on-poweroff", NULL);
    run->on_reboot = g_key_file_get_integer(kf, GROUP, "on-reboot", NULL);
    run->on_crash = g_key_file_get_integer(kf, GROUP, "on-crash", NULL);
    run->shutdown_seen = g_key_file_get_boolean(kf, GROUP, "shutdown-seen", NULL);
    taps = g_key_file_get_string_list(kf, GROUP, "taps", NULL, NULL);
    for (guint i = 0; taps && taps[i]; i++)
        g_ptr_array_add(run->taps, g_strdup(taps[i]));
    g_ptr_array_extend_and_steal(run->dac, g_steal_pointer(&dac_records));
    run->jail_root = g_steal_pointer(&jail_root);
    if ((run->qsd = armz_qsd_status_load(kf, GROUP)))
        armz_qsd_reattach(run->qsd, name, run->log_path);
    load_virtiofsds(kf, run->virtiofsds);
    run->virtiofsds_ours = FALSE;
    run->vhost_dir = g_key_file_get_string(kf, GROUP, "vhost-dir", NULL);
    obj->priv = run;
    obj->id = id;
    obj->state = g_key_file_get_integer(kf, GROUP, "state", NULL);
    obj->reason = g_key_file_get_integer(kf, GROUP, "reason", NULL);
    if (id >= g_atomic_int_get(&drv->next_id))
        g_atomic_int_set(&drv->next_id, id + 1);

    armz_process_watch_exit(drv, obj);
    armz_qsd_watch(drv, obj);
    /* a storage daemon started again has a new pid */
    if (run->qsd && !armz_process_status_save(drv, obj, &err)) {
        armz_warn("cannot save the status of domain '%s': %s", name, err->message);
        g_clear_error(&err);
    }
    if (!run->qmp_path || !(run->mon = armz_process_open_monitor(drv, obj, &err))) {
        /* a guest we cannot control is still a guest: leave it running, say so */
        armz_err("domain '%s' (armz-vmm %d) runs but its monitor cannot be reached: %s",
                 name, (int)pid, err ? err->message : _("no monitor socket"));
    }
    armz_info("domain '%s' (armz-vmm %d, id %d) found running", name, (int)pid, id);
    armz_domain_obj_end_job(obj);
    g_mutex_unlock(&obj->lock);
}

void
armz_process_reconnect_all(ArmzDriver *drv)
{
    g_autoptr(GDir) dir = g_dir_open(drv->paths->state_dir, 0, NULL);
    const char *entry;

    if (!dir)
        return;
    armz_file_remove_stale_tmp(drv->paths->state_dir);
    while ((entry = g_dir_read_name(dir))) {
        g_autofree char *name = NULL;
        if (!g_str_has_suffix(entry, ".status"))
            continue;
        name = g_strndup(entry, strlen(entry) - strlen(".status"));
        reconnect_one(drv, name);
    }
}
