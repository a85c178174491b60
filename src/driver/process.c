/* Launching and stopping armz-vmm processes (see process.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/log.h"
#include "driver/machined.h"
#include "driver/cgroup.h"
#include "driver/domain_tune_api.h"
#include "driver/domain_log.h"
#include "driver/domain_stats.h"
#include "driver/firmware.h"
#include "driver/nvram.h"
#include "driver/disk_chain.h"
#include "driver/vhost_user_json.h"
#include "driver/virtiofs_process.h"
#include "driver/ovs.h"
#include "driver/process_fds.h"
#include "driver/process_priv.h"
#include "driver/domain_hotplug_priv.h"
#include "driver/security_dac.h"
#include "driver/vmm_jail.h"
#include "driver/qsd_keys.h"

#define MONITOR_START_TIMEOUT_MS 60000  /* nested KVM under TCG is slow */
#define KILL_GRACE_US (10 * G_USEC_PER_SEC)
#define KILL_HARD_US (5 * G_USEC_PER_SEC)

ArmzDomainRun *
armz_domain_run_new(void)
{
    ArmzDomainRun *run = g_new0(ArmzDomainRun, 1);
    run->pidfd = -1;
    run->wait_status = -1;
    run->taps = g_ptr_array_new_with_free_func(g_free);
    run->dac = armz_dac_records_new();
    run->virtiofsds = g_array_new(FALSE, FALSE, sizeof(GPid));
    g_cond_init(&run->cond);
    return run;
}

void
armz_domain_run_free(ArmzDomainRun *run)
{
    if (!run)
        return;
    if (run->mon) {
        armz_monitor_close(run->mon);
        armz_monitor_unref(run->mon);
    }
    if (run->exit_source) {
        g_source_destroy(run->exit_source);
        g_source_unref(run->exit_source);
    }
    if (run->pidfd >= 0)
        close(run->pidfd);
    g_free(run->qmp_path);
    g_free(run->pidfile);
    g_free(run->log_path);
    g_free(run->cgroup);
    g_ptr_array_unref(run->taps);
    g_ptr_array_unref(run->dac);
    g_free(run->jail_root);
    armz_qsd_run_free(run->qsd);
    g_array_unref(run->virtiofsds);
    g_free(run->vhost_dir);
    g_cond_clear(&run->cond);
    g_free(run);
}

const char *
armz_process_kvm_device(void)
{
    struct utsname u;
    const char *env = g_getenv("ARMZ_KVM_DEVICE");  /* tests, odd hosts */

    if (env && *env)
        return access(env, R_OK | W_OK) == 0 ? env : NULL;
    if (access("/dev/kvm-arm64", R_OK | W_OK) == 0)
        return "/dev/kvm-arm64";
    /* /dev/kvm runs guests of the host's own architecture only */
    if (uname(&u) == 0 && strcmp(u.machine, "aarch64") == 0 &&
        access("/dev/kvm", R_OK | W_OK) == 0)
        return "/dev/kvm";
    return NULL;
}

gboolean
armz_process_read_chain(const char *path, const char *format, GPtrArray **chain,
                        gpointer opaque, GError **error)
{
    (void)opaque;
    return (*chain = armz_disk_chain_read(path, format, error)) != NULL;
}

static void
child_setup(gpointer data)
{
    armz_cgroup_enter(*(const int *)data);  /* before exec: all it uses is charged there */
    setsid();   /* a signal to the daemon's process group never reaches guests */
}

/* Puts the /dev/pts paths into the live definition's <serial>/<console>. */
static void
record_ptys(ArmzDomainDef *live, const ArmzLaunchPlan *plan, const ArmzLaunchFds *fds)
{
    for (guint i = 0; i < plan->chardevs->len; i++) {
        const ArmzLaunchChr *c = g_ptr_array_index(plan->chardevs, i);
        GPtrArray *list = c->list == ARMZ_LAUNCH_CHR_SERIAL ? live->serials : live->consoles;
        ArmzDomainChrDef *chr;
        const char *path = NULL;

        if (c->index >= list->len)
            continue;
        chr = g_ptr_array_index(list, c->index);
        if (c->type != ARMZ_DOMAIN_CHR_TYPE_PTY)
            continue;
        if (c->fd >= 3 && (guint)(c->fd - 3) < fds->pty_paths->len)
            path = g_ptr_array_index(fds->pty_paths, c->fd - 3);
        else if (c->alias_of >= 0 && (guint)c->alias_of < live->serials->len)
            path = ((ArmzDomainChrDef *)g_ptr_array_index(live->serials, c->alias_of))->source_path;
        if (path) {
            g_free(chr->source_path);
            chr->source_path = g_strdup(path);
        }
    }
}

/* Puts the tap names into the live definition's <interface><target dev>:
 * the plan makes one tap per <interface>, in order. */
static void
record_taps(ArmzDomainDef *live, const ArmzLaunchFds *fds)
{
    for (guint i = 0; i < live->nets->len && i < fds->taps->len; i++) {
        ArmzDomainNetDef *net = g_ptr_array_index(live->nets, i);
        g_free(net->target_dev);
        net->target_dev = g_strdup(g_ptr_array_index(fds->taps, i));
    }
}

void
armz_process_disk_backing(ArmzDomainDiskDef *disk, const GPtrArray *chain)
{
    if (disk->backing)
        g_ptr_array_unref(disk->backing);
    disk->backing = g_ptr_array_new_with_free_func(armz_domain_disk_backing_def_free);
    for (guint j = 1; j < chain->len; j++) {
        const ArmzDiskLayer *l = g_ptr_array_index(chain, j);
        ArmzDomainDiskBackingDef *b = g_new0(ArmzDomainDiskBackingDef, 1);
        struct stat st;

        b->path = g_strdup(l->path);
        b->format = g_strdup(l->format);
        b->block = stat(l->path, &st) == 0 && S_ISBLK(st.st_mode);
        g_ptr_array_add(disk->backing, b);
    }
}

/* Puts the backing chains the storage daemon was given into the live
 * definition's <backingStore>, as libvirt shows them. */
static void
record_backing(ArmzDomainDef *live, const ArmzLaunchPlan *plan)
{
    for (guint i = 0; plan->qsd && i < live->disks->len && i < plan->qsd->chains->len; i++) {
        GPtrArray *chain = g_ptr_array_index(plan->qsd->chains, i);

        if (chain)
            armz_process_disk_backing(g_ptr_array_index(live->disks, i), chain);
    }
}

/* The live definition: DEF with the host resources FDS opened for PLAN. */
static ArmzDomainDef *
live_def(const ArmzDomainDef *def, const ArmzLaunchPlan *plan, const ArmzLaunchFds *fds)
{
    ArmzDomainDef *live = armz_domain_def_copy(def);

    record_ptys(live, plan, fds);
    record_taps(live, fds);
    armz_launch_record_channels(live, plan, fds->pty_paths);
    record_backing(live, plan);
    if (plan->vhost_dir) {
        /* implied by the vhost-user devices: shown as libvirt users write it */
        g_free(live->mem_source);
        g_free(live->mem_access);
        live->mem_source = g_strdup("memfd");
        live->mem_access = g_strdup("shared");
    }
    return live;
}

/* The files of the storage daemon's chains, for the DAC driver; NULL-terminated. */
static GPtrArray *
chain_files(const ArmzLaunchPlan *plan)
{
    GPtrArray *files = g_ptr_array_new();

    for (guint i = 0; plan->qsd && i < plan->qsd->chains->len; i++) {
        GPtrArray *chain = g_ptr_array_index(plan->qsd->chains, i);
        for (guint j = 0; chain && j < chain->len; j++)
            g_ptr_array_add(files, ((ArmzDiskLayer *)g_ptr_array_index(chain, j))->path);
    }
    g_ptr_array_add(files, NULL);
    return files;
}

/* The vhost-user back-ends of PLAN, started before the VMM; on failure none
 * is left. */
static gboolean
start_backends(ArmzDriver *drv, const ArmzLaunchPlan *plan, const ArmzDacPlan *dac,
               ArmzDomainObj *obj, const char *log_path, const char *cgroup, int cgroup_fd,
               ArmzQsdRun **qsd, GArray *virtiofsds, GError **error)
{
    /* made with no back-end too: a jailed VMM sees only the directories it
     * started with, and a disk attached live has its export there */
    if (plan->vhost_dir && (g_mkdir_with_parents(plan->vhost_dir, 0700) < 0 ||
                            (geteuid() == 0 && chown(plan->vhost_dir, dac->uid, dac->gid) < 0))) {
        int e = errno;
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot create the directory '%s': %s"), plan->vhost_dir, g_strerror(e));
        return FALSE;
    }
    if (plan->qsd) {
        *qsd = armz_qsd_run_new(plan->qsd, dac->uid, dac->gid, cgroup);
        if (!armz_qsd_start(*qsd, plan->qsd->sockets, obj, log_path, error)) {
            g_clear_pointer(qsd, armz_qsd_run_free);
            return FALSE;
        }
        if (!armz_qsd_keys_apply(drv, obj, plan->qsd->qmp_path, plan->qsd->keyed, error)) {
            armz_qsd_stop(*qsd);
            g_clear_pointer(qsd, armz_qsd_run_free);
            return FALSE;
        }
    }
    if (plan->virtiofsds &&
        !armz_virtiofs_start(plan, dac->uid, dac->gid, cgroup_fd, log_path, virtiofsds, error)) {
        if (*qsd) {
            armz_qsd_stop(*qsd);
            g_clear_pointer(qsd, armz_qsd_run_free);
        }
        return FALSE;
    }
    return TRUE;
}

/* Waits (object lock dropped while waiting) until the VMM is gone or
 * DEADLINE passes. */
static gboolean
wait_exit(ArmzDomainObj *obj, ArmzDomainRun *run, gint64 deadline)
{
    while (!run->exited)
        if (!g_cond_wait_until(&run->cond, &obj->lock, deadline))
            return run->exited;
    return TRUE;
}

static void
kill_now(ArmzDomainObj *obj, ArmzDomainRun *run)
{
    if (run->exited)
        return;
    kill(run->pid, SIGKILL);
    wait_exit(obj, run, g_get_monotonic_time() + KILL_HARD_US);
}

/* Debug-log timestamps of the start path (docs/performance.md): where the
 * time goes between the start call and the VMM's exec and first QMP word. */
static void
start_step(const ArmzDomainObj *obj, gint64 t0, const char *step)
{
    armz_debug("domain '%s' start: %s after %.1f ms", obj->name, step,
               (double)(g_get_monotonic_time() - t0) / 1000.0);
}

static gboolean
spawn_vmm(const ArmzLaunchPlan *plan, ArmzLaunchFds *fds, int logfd, int cgroup_fd, GPid *pid,
          GError **error)
{
    g_auto(GStrv) argv = armz_launch_plan_argv(plan);
    g_autofree int *targets = g_new(int, MAX(fds->fds->len, 1));
    g_autoptr(GError) err = NULL;

    for (guint i = 0; i < fds->fds->len; i++)
        targets[i] = ((const ArmzLaunchFd *)g_ptr_array_index(plan->fds, i))->num;
    if (!g_spawn_async_with_pipes_and_fds(NULL, (const char *const *)argv, NULL,
                                          G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL,
                                          child_setup, &cgroup_fd, -1, logfd, logfd,
                                          (const int *)fds->fds->data, targets, fds->fds->len,
                                          pid, NULL, NULL, NULL, &err)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("cannot execute '%s': %s"), argv[0], err->message);
        return FALSE;
    }
    return TRUE;
}

gboolean
armz_process_start(ArmzDriver *drv, ArmzDomainObj *obj, unsigned int flags,
                   guint64 autodestroy_client, GError **error)
{
    g_auto(GStrv) host_smbios = g_strcmp0(obj->def->os_smbios_mode, "host") == 0
        ? armz_firmware_host_smbios("/sys/class/dmi/id") : NULL;
    ArmzLaunchCtx ctx = {
        .vmm_path = drv->cfg.vmm_path,
        .kvm_device = armz_process_kvm_device(),
        .kvm_profile = drv->cfg.kvm_profile,
        .state_dir = drv->paths->state_dir,
        .start_paused = (flags & VIR_DOMAIN_START_PAUSED) != 0,
        .seccomp = drv->cfg.seccomp,
        .host_smbios = (const char *const *)host_smbios,
        .resolve_network = drv->resolve_network,
        .network_opaque = drv->network_opaque,
        .resolve_volume = drv->resolve_volume,
        .volume_opaque = drv->volume_opaque,
        .resolve_chain = armz_process_read_chain,
    };
    g_autofree char *virtiofsd = NULL;
    g_autoptr(GArray) virtiofsds = g_array_new(FALSE, FALSE, sizeof(GPid));
    g_autoptr(ArmzLaunchPlan) plan = NULL;
    g_autoptr(ArmzDomainDef) live = NULL;
    g_autofree char *cmd = NULL, *log_path = NULL, *msg = NULL;
    ArmzLaunchFds fds;
    ArmzDomainRun *run;
    g_autoptr(GError) err = NULL;
    GPid pid;
    int logfd, cgroup_fd;
    /* taken now: the cgroup is named after it */
    int id = g_atomic_int_add(&drv->next_id, 1);
    g_autofree char *cgroup = NULL;
    goffset log_start;
    struct stat st;
    gboolean paused, jailed, spawned;
    ArmzJailPending *pending = NULL;
    ArmzDacPlan dac;
    g_autoptr(GPtrArray) dac_records = armz_dac_records_new();
    const char *label_paths[ARMZ_DAC_DOMAIN_FILES_MAX + 1];
    g_autofree char *jail_root = NULL;
    gint64 t0 = g_get_monotonic_time();
    g_autoptr(ArmzQsdRun) qsd = NULL;

    if (obj->def->filesystems->len)
        ctx.virtiofsd_path = virtiofsd = armz_vhost_user_find("fs", NULL);
    if (!armz_driver_firmware_fill(drv, obj->def, error) ||
        !armz_nvram_prepare(obj->def, (flags & VIR_DOMAIN_START_RESET_NVRAM) != 0, error) ||
        !(plan = armz_launch_plan_build(obj->def, &ctx, error)) ||
        !armz_dac_plan(obj->def, drv->cfg.vmm_uid, drv->cfg.vmm_gid, &dac, error))
        return FALSE;
    /* a root daemon whose VMM runs as another user jails it too */
    jailed = geteuid() == 0 && dac.uid != 0;
    armz_dac_domain_files(obj->def, label_paths);
    if (!armz_dac_label(&dac, label_paths, dac_records, error))
        return FALSE;
    if (plan->qsd) {
        /* the storage daemon runs as the VMM's user: its images are that user's */
        g_autoptr(GPtrArray) files = chain_files(plan);
        if (!armz_dac_label(&dac, (const char *const *)files->pdata, dac_records, error)) {
            armz_dac_restore(dac_records);
            return FALSE;
        }
    }
    start_step(obj, t0, "launch plan built, files labelled");
    log_path = g_strdup_printf("%s/%s.log", drv->paths->log_dir, obj->name);
    if ((logfd = armz_domain_log_open(log_path, error)) < 0) {
        armz_dac_restore(dac_records);
        return FALSE;
    }
    start_step(obj, t0, "domain log open");
    if (!armz_launch_fds_open(plan, &fds, error)) {
        armz_dac_restore(dac_records);
        close(logfd);
        return FALSE;
    }
    start_step(obj, t0, "log, ptys, taps and sockets open");
    log_start = fstat(logfd, &st) == 0 ? st.st_size : 0;
    armz_domain_log_line(logfd, "starting up");
    cmd = armz_launch_plan_format(plan);
    if (write(logfd, cmd, strlen(cmd)) < 0 || write(logfd, "\n", 1) < 0)
        armz_warn("cannot write the log of domain '%s': %s", obj->name, g_strerror(errno));

    /* before the back-ends: they join it too */
    if (!armz_cgroup_create(obj->def, id, &cgroup, &cgroup_fd, error) ||
        !start_backends(drv, plan, &dac, obj, log_path, cgroup, cgroup_fd, &qsd, virtiofsds,
                        error)) {
        armz_dac_restore(dac_records);
        armz_domain_log_line(logfd, (*error)->message);
        armz_cgroup_remove(cgroup);
        if (cgroup_fd >= 0)
            close(cgroup_fd);
        armz_launch_fds_close(&fds);
        armz_launch_fds_clear(&fds);
        close(logfd);
        unlink(plan->qmp_path);
        return FALSE;
    }
    start_step(obj, t0, "start log written, cgroup made, backends started");
    if (jailed)
        jail_root = armz_vmm_jail_root(drv->paths->state_dir, obj->name);
    spawned = jailed ? armz_vmm_jail_start(plan, &fds, logfd, &dac, ctx.kvm_device, jail_root,
                                           obj->def, cgroup_fd, &pid, &pending, error)
                     : spawn_vmm(plan, &fds, logfd, cgroup_fd, &pid, error);
    if (spawned) {
        if (pending)
            start_step(obj, t0, "jail's child made");
        /* the guest does not need it: made while the jailed child mounts */
        live = live_def(obj->def, plan, &fds);
        spawned = !pending || armz_vmm_jail_finish(g_steal_pointer(&pending), error);
    }
    if (!spawned) {
        armz_dac_restore(dac_records);
        armz_domain_log_line(logfd, (*error)->message);
        if (cgroup_fd >= 0)
            close(cgroup_fd);
        armz_launch_fds_close(&fds);
        armz_launch_fds_undo_ports(&fds);
        armz_launch_fds_clear(&fds);
        close(logfd);
        unlink(plan->qmp_path);
        if (qsd)
            armz_qsd_stop(qsd);
        armz_virtiofs_stop(virtiofsds, TRUE, plan->vhost_dir);
        armz_cgroup_remove(cgroup);     /* once the back-ends in it are gone */
        return FALSE;
    }
    start_step(obj, t0, jailed ? "jailed VMM spawned" : "VMM spawned");
    /* the VMM has its copies; ours would keep taps and ptys alive */
    armz_launch_fds_close(&fds);
    close(logfd);
    if (cgroup_fd >= 0)
        close(cgroup_fd);

    run = armz_domain_run_new();
    run->cgroup = g_steal_pointer(&cgroup);
    run->pid = pid;
    run->child = TRUE;
    run->generation = ++drv->next_generation;
    run->qmp_path = g_strdup(plan->qmp_path);
    run->pidfile = g_strdup(plan->pidfile);
    run->log_path = g_strdup(log_path);
    for (guint i = 0; i < fds.taps->len; i++)
        g_ptr_array_add(run->taps, g_strdup(g_ptr_array_index(fds.taps, i)));
    armz_launch_fds_clear(&fds);
    g_ptr_array_extend_and_steal(run->dac, g_steal_pointer(&dac_records));
    run->jail_root = g_steal_pointer(&jail_root);
    run->on_poweroff = plan->on_poweroff;
    run->on_reboot = plan->on_reboot;
    run->on_crash = plan->on_crash;
    run->start_time = g_get_real_time();
    run->autodestroy_client = (flags & VIR_DOMAIN_START_AUTODESTROY) ? autodestroy_client : 0;
    run->qsd = g_steal_pointer(&qsd);
    g_array_append_vals(run->virtiofsds, virtiofsds->data, virtiofsds->len);
    run->virtiofsds_ours = TRUE;
    run->vhost_dir = g_strdup(plan->vhost_dir);
    obj->priv = run;
    armz_process_watch_exit(drv, obj);
    armz_qsd_watch(drv, obj);

    run->mon = armz_process_open_monitor(drv, obj, &err);
    if (run->mon) {
        ArmzMonitor *mon = armz_monitor_ref(run->mon);
        g_mutex_unlock(&obj->lock);
        armz_monitor_wait_ready(mon, MONITOR_START_TIMEOUT_MS, &err);
        armz_monitor_unref(mon);
        g_mutex_lock(&obj->lock);
    }
    if (err) {
        /* the VMM's own words say best why it failed */
        g_autofree char *why = NULL;
        kill_now(obj, run);
        why = armz_domain_log_vmm_error(log_path, log_start);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("armz-vmm of domain '%s' failed to start: %s"), obj->name,
                    why ? why : err->message);
        obj->id = -1;
        armz_process_stop(drv, obj, VIR_DOMAIN_SHUTOFF_FAILED, VIR_DOMAIN_EVENT_STOPPED_FAILED);
        return FALSE;
    }

    start_step(obj, t0, "QMP handshake done");
    obj->id = id;
    armz_domain_cgroup_started(obj);
    paused = plan->paused;
    obj->state = paused ? VIR_DOMAIN_PAUSED : VIR_DOMAIN_RUNNING;
    obj->reason = paused ? VIR_DOMAIN_PAUSED_USER : VIR_DOMAIN_RUNNING_BOOTED;
    /* the config stays what it was; the live definition has the ptys */
    if (obj->persistent && !obj->newdef)
        obj->newdef = obj->def;
    else
        armz_domain_def_free(obj->def);
    armz_hotplug_assign_aliases(live);
    obj->def = g_steal_pointer(&live);
    if (!armz_process_status_save(drv, obj, &err))
        armz_warn("domain '%s' runs, but its status cannot be saved: %s", obj->name,
                  err->message);
    msg = g_strdup_printf("started, pid %d, id %d", (int)pid, id);
    if ((logfd = armz_domain_log_open(log_path, NULL)) >= 0) {
        armz_domain_log_line(logfd, msg);
        close(logfd);
    }
    armz_info("domain '%s' %s", obj->name, msg);
    armz_machined_register(obj->name, id, obj->uuid, pid,
                           armz_cgroup_scope_properties(obj->def));
    start_step(obj, t0, "status saved, machined asked, done");
    armz_driver_emit_lifecycle(drv, obj, id, VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED);
    if (paused)
        armz_driver_emit_lifecycle(drv, obj, id, VIR_DOMAIN_EVENT_SUSPENDED,
                                   VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
    return TRUE;
}

static const char *
reason_name(int reason)
{
    switch (reason) {
    case VIR_DOMAIN_SHUTOFF_SHUTDOWN: return "shutdown";
    case VIR_DOMAIN_SHUTOFF_DESTROYED: return "destroyed";
    case VIR_DOMAIN_SHUTOFF_CRASHED: return "crashed";
    case VIR_DOMAIN_SHUTOFF_FAILED: return "failed";
    default: return "unknown";
    }
}

/* libvirt removes a guest's Open vSwitch ports when it stops (the taps are
 * gone, OVSDB would keep them). */
static void
remove_ovs_ports(const ArmzDomainDef *live)
{
    for (guint i = 0; i < live->nets->len; i++) {
        const ArmzDomainNetDef *net = g_ptr_array_index(live->nets, i);

        if (net->vport_type && net->target_dev)
            armz_ovs_del_port(net->target_dev);
    }
}

void
armz_process_stop(ArmzDriver *drv, ArmzDomainObj *obj, int reason, int detail)
{
    ArmzDomainRun *run = obj->priv;
    g_autofree char *line = NULL;
    int id = obj->id;
    int logfd;

    if (!run)
        return;
    obj->priv = NULL;
    if (run->qmp_path)
        unlink(run->qmp_path);
    if (run->pidfile)
        unlink(run->pidfile);
    armz_process_status_remove(drv, obj->name);
    remove_ovs_ports(obj->def);
    armz_dac_restore(run->dac);
    if (run->jail_root)
        armz_vmm_jail_cleanup(run->jail_root);
    if (run->qsd)
        armz_qsd_stop(run->qsd);
    armz_virtiofs_stop(run->virtiofsds, run->virtiofsds_ours, run->vhost_dir);
    line = g_strdup_printf("shutting down, reason=%s", reason_name(reason));
    if (run->log_path && (logfd = armz_domain_log_open(run->log_path, NULL)) >= 0) {
        armz_domain_log_line(logfd, line);
        close(logfd);
    }
    armz_info("domain '%s' %s", obj->name, line);
    if (id > 0)
        armz_machined_terminate(obj->name, id);
    armz_cgroup_remove(run->cgroup);
    armz_domain_run_free(run);

    obj->id = -1;
    obj->state = VIR_DOMAIN_SHUTOFF;
    obj->reason = reason;
    if (obj->newdef) {
        armz_domain_def_free(obj->def);
        obj->def = g_steal_pointer(&obj->newdef);
    }
    if (id > 0 || reason == VIR_DOMAIN_SHUTOFF_FAILED)
        armz_driver_emit_lifecycle(drv, obj, id > 0 ? id : -1, VIR_DOMAIN_EVENT_STOPPED, detail);
    /* a transient domain ends here; the caller takes it off the list once
     * it has dropped the object lock (list lock first, never after) */
    if (!obj->persistent)
        obj->removed = TRUE;
}

void
armz_process_forget_removed(ArmzDriver *drv, ArmzDomainObj *obj)
{
    gboolean removed;

    g_mutex_lock(&obj->lock);
    removed = obj->removed;
    g_mutex_unlock(&obj->lock);
    if (removed)
        armz_domain_list_remove(drv->domains, obj);
}

gboolean
armz_process_kill_and_stop(ArmzDriver *drv, ArmzDomainObj *obj, gboolean graceful,
                           int reason, int detail, GError **error)
{
    ArmzDomainRun *run = obj->priv;

    if (!run)
        return TRUE;
    run->destroying = TRUE;
    if (!run->exited) {
        kill(run->pid, SIGTERM);
        wait_exit(obj, run, g_get_monotonic_time() + KILL_GRACE_US);
    }
    if (!run->exited) {
        if (graceful) {
            run->destroying = FALSE;
            g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                        _("failed to terminate process %d with SIGTERM"), (int)run->pid);
            return FALSE;
        }
        kill_now(obj, run);
    }
    if (!run->exited) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("failed to kill process %d with SIGKILL"), (int)run->pid);
        return FALSE;
    }
    armz_process_stop(drv, obj, reason, detail);
    return TRUE;
}

ArmzMonitor *
armz_process_monitor(ArmzDomainObj *obj, GError **error)
{
    ArmzDomainRun *run = obj->priv;

    if (!run || !run->mon || run->exited) {
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                            _("domain is not running"));
        return NULL;
    }
    return armz_monitor_ref(run->mon);
}

guint64
armz_process_cpu_time(ArmzDomainObj *obj)
{
    ArmzDomainRun *run = obj->priv;
    ArmzThreadStat st;

    if (!run || run->exited || !armz_proc_thread_stat(run->pid, 0, &st))
        return 0;
    return st.cpu_time_ns;
}
