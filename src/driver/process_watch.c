/* Watching running VMMs from the main context: their exit (child watch, or
 * a pidfd for a VMM found again after a daemon restart) and their monitor
 * events. Callbacks only record what happened and report events; anything
 * that needs the domain job goes to the reaper pool. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <glib-unix.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/log.h"
#include "driver/process_priv.h"
#include "driver/domain_log.h"
#include "driver/domain_block.h"
#include "driver/domain_media.h"
#include "driver/domain_hotplug_priv.h"

ArmzRunRef *
armz_run_ref_new(ArmzDriver *drv, ArmzDomainObj *obj, guint64 generation)
{
    ArmzRunRef *r = g_new0(ArmzRunRef, 1);
    r->drv = drv;
    r->obj = armz_domain_obj_ref(obj);
    r->generation = generation;
    return r;
}

void
armz_run_ref_free(gpointer p)
{
    ArmzRunRef *r = p;
    armz_domain_obj_unref(r->obj);
    g_free(r);
}

/* Object locked: the run this callback belongs to, or NULL if it ended. */
static ArmzDomainRun *
run_of(ArmzRunRef *r)
{
    ArmzDomainRun *run = r->obj->priv;
    return run && run->generation == r->generation ? run : NULL;
}

typedef struct {
    ArmzRunRef *ref;
    ArmzReapKind kind;
} ReapTask;

void
armz_process_queue_reap(ArmzDriver *drv, ArmzDomainObj *obj, guint64 generation,
                        ArmzReapKind kind)
{
    ReapTask *t = g_new0(ReapTask, 1);
    t->ref = armz_run_ref_new(drv, obj, generation);
    t->kind = kind;
    g_thread_pool_push(drv->reaper, t, NULL);
}

/* A VMM killed by SIGSYS broke its seccomp filter (armz-vmm --seccomp):
 * say so in the domain log, where the crash is looked into. */
static void
log_seccomp_kill(ArmzDomainObj *obj, ArmzDomainRun *run)
{
    int fd;

    if (run->wait_status == -1 || !WIFSIGNALED(run->wait_status) ||
        WTERMSIG(run->wait_status) != SIGSYS)
        return;
    armz_warn("domain '%s': armz-vmm was killed by its seccomp filter (SIGSYS)", obj->name);
    if (run->log_path && (fd = armz_domain_log_open(run->log_path, NULL)) >= 0) {
        armz_domain_log_line(fd, "armz-vmm was killed by SIGSYS: seccomp violation (a system "
                                 "call outside its allow-list; the kernel's audit log, "
                                 "type=1326, names it)");
        close(fd);
    }
}

/* Reaper thread: ends a domain whose VMM went away with no API waiting. */
void
armz_process_reap(gpointer data, gpointer user_data)
{
    ReapTask *t = data;
    ArmzDomainObj *obj = t->ref->obj;
    ArmzDomainRun *run;
    (void)user_data;

    g_mutex_lock(&obj->lock);
    armz_domain_obj_begin_job_wait(obj, "reap");
    if ((run = run_of(t->ref))) {
        if (t->kind == ARMZ_REAP_DESTROY_ON_REBOOT) {
            g_autoptr(GError) err = NULL;
            /* on_reboot='destroy': the guest's reboot ends it like a shutdown */
            run->shutdown_seen = TRUE;
            if (!armz_process_kill_and_stop(t->ref->drv, obj, FALSE, VIR_DOMAIN_SHUTOFF_SHUTDOWN,
                                            VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN, &err))
                armz_err("domain '%s': %s", obj->name, err->message);
        } else if (run->exited) {
            gboolean clean_exit = run->wait_status == 0 ||
                                  (run->wait_status == -1 && run->shutdown_seen);
            if (run->shutdown_seen && clean_exit)
                armz_process_stop(t->ref->drv, obj, VIR_DOMAIN_SHUTOFF_SHUTDOWN,
                                  VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN);
            else if (run->destroying)
                armz_process_stop(t->ref->drv, obj, VIR_DOMAIN_SHUTOFF_DESTROYED,
                                  VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
            else {
                log_seccomp_kill(obj, run);
                /* libvirt's wording for an emulator that died on its own */
                armz_process_stop(t->ref->drv, obj, VIR_DOMAIN_SHUTOFF_CRASHED,
                                  VIR_DOMAIN_EVENT_STOPPED_FAILED);
            }
        }
    }
    armz_domain_obj_end_job(obj);
    g_mutex_unlock(&obj->lock);
    armz_process_forget_removed(t->ref->drv, obj);
    armz_run_ref_free(t->ref);
    g_free(t);
}

static void
exited(ArmzRunRef *r, int wait_status)
{
    ArmzDomainObj *obj = r->obj;
    ArmzDomainRun *run;

    g_mutex_lock(&obj->lock);
    if ((run = run_of(r)) && !run->exited) {
        run->exited = TRUE;
        run->wait_status = wait_status;
        armz_debug("domain '%s': armz-vmm %d exited (status 0x%x)", obj->name,
                   (int)run->pid, wait_status);
        g_cond_broadcast(&run->cond);
        /* an API that killed it tears it down itself */
        if (!run->destroying)
            armz_process_queue_reap(r->drv, obj, r->generation, ARMZ_REAP_EXITED);
    }
    g_mutex_unlock(&obj->lock);
}

static void
child_exited(GPid pid, gint status, gpointer data)
{
    (void)pid;
    exited(data, status);
}

static gboolean
pidfd_ready(gint fd, GIOCondition cond, gpointer data)
{
    (void)fd;
    (void)cond;
    exited(data, -1);
    return G_SOURCE_REMOVE;
}

void
armz_process_watch_exit(ArmzDriver *drv, ArmzDomainObj *obj)
{
    ArmzDomainRun *run = obj->priv;
    ArmzRunRef *ref = armz_run_ref_new(drv, obj, run->generation);
    GSource *src;

    if (run->child) {
        src = g_child_watch_source_new(run->pid);
        g_source_set_callback(src, (GSourceFunc)(void (*)(void))child_exited, ref,
                              armz_run_ref_free);
    } else {
        src = g_unix_fd_source_new(run->pidfd, G_IO_IN | G_IO_HUP | G_IO_ERR);
        g_source_set_callback(src, (GSourceFunc)(void (*)(void))pidfd_ready, ref,
                              armz_run_ref_free);
    }
    g_source_attach(src, drv->ctx);
    run->exit_source = src;    /* our reference: destroyed when the run ends */
}

/* ---- monitor events ------------------------------------------------------- */

static void
set_state(ArmzDriver *drv, ArmzDomainObj *obj, int state, int reason)
{
    g_autoptr(GError) err = NULL;

    obj->state = state;
    obj->reason = reason;
    if (!armz_process_status_save(drv, obj, &err))
        armz_warn("cannot save the status of domain '%s': %s", obj->name, err->message);
}

static void
mon_event(ArmzMonitor *mon, const char *name, yajl_val data, const char *data_json,
          gint64 timestamp_us, gpointer opaque)
{
    ArmzRunRef *r = opaque;
    ArmzDomainObj *obj = r->obj;
    ArmzDomainRun *run;
    (void)mon;
    (void)timestamp_us;

    g_mutex_lock(&obj->lock);
    if (!(run = run_of(r))) {
        g_mutex_unlock(&obj->lock);
        return;
    }
    armz_debug("domain '%s': monitor event %s %s", obj->name, name, data_json);
    if (strcmp(name, "SHUTDOWN") == 0) {
        const char *path[] = { "guest", NULL };
        yajl_val guest = data ? yajl_tree_get(data, path, yajl_t_any) : NULL;
        run->shutdown_seen = TRUE;
        run->shutdown_by_guest = guest && YAJL_IS_TRUE(guest);
        if (obj->state != VIR_DOMAIN_SHUTDOWN)
            set_state(r->drv, obj, VIR_DOMAIN_SHUTDOWN, VIR_DOMAIN_SHUTDOWN_USER);
        armz_driver_emit_lifecycle(r->drv, obj, obj->id, VIR_DOMAIN_EVENT_SHUTDOWN,
                                   run->shutdown_by_guest ? VIR_DOMAIN_EVENT_SHUTDOWN_GUEST
                                                          : VIR_DOMAIN_EVENT_SHUTDOWN_HOST);
    } else if (strcmp(name, "STOP") == 0) {
        if (obj->state == VIR_DOMAIN_RUNNING) {
            set_state(r->drv, obj, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
            armz_driver_emit_lifecycle(r->drv, obj, obj->id, VIR_DOMAIN_EVENT_SUSPENDED,
                                       VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
        }
    } else if (strcmp(name, "RESUME") == 0) {
        if (obj->state == VIR_DOMAIN_PAUSED) {
            set_state(r->drv, obj, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);
            armz_driver_emit_lifecycle(r->drv, obj, obj->id, VIR_DOMAIN_EVENT_RESUMED,
                                       VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
        }
    } else if (strcmp(name, "BALLOON_CHANGE") == 0) {
        /* the live size is what the guest gave back, as libvirt keeps it */
        const char *path[] = { "actual", NULL };
        yajl_val actual = data ? yajl_tree_get(data, path, yajl_t_number) : NULL;
        if (actual && YAJL_IS_INTEGER(actual) && YAJL_GET_INTEGER(actual) > 0)
            obj->def->current_memory_kib = (unsigned long long)YAJL_GET_INTEGER(actual) / 1024;
    } else if (strcmp(name, "VSERPORT_CHANGE") == 0) {
        /* the guest opened or closed a channel's port: channel<N> */
        const char *idp[] = { "id", NULL }, *openp[] = { "open", NULL };
        yajl_val id = data ? yajl_tree_get(data, idp, yajl_t_string) : NULL;
        yajl_val open = data ? yajl_tree_get(data, openp, yajl_t_any) : NULL;
        guint64 n;
        ArmzDomainChannelDef *ch = NULL;
        if (id && open && g_str_has_prefix(id->u.string, "channel") &&
            g_ascii_string_to_unsigned(id->u.string + 7, 10, 0, G_MAXUINT, &n, NULL) &&
            n < obj->def->channels->len)
            ch = g_ptr_array_index(obj->def->channels, n);
        if (ch && ch->state != (YAJL_IS_TRUE(open) ? ARMZ_TRISTATE_ON : ARMZ_TRISTATE_OFF)) {
            ch->state = YAJL_IS_TRUE(open) ? ARMZ_TRISTATE_ON : ARMZ_TRISTATE_OFF;
            if (g_strcmp0(ch->target_name, "org.qemu.guest_agent.0") == 0)
                armz_driver_emit_agent_lifecycle(
                    r->drv, obj, obj->id,
                    YAJL_IS_TRUE(open) ? VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_STATE_CONNECTED
                                       : VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_STATE_DISCONNECTED,
                    VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_REASON_CHANNEL);
        }
    } else if (strcmp(name, "DEVICE_TRAY_MOVED") == 0) {
        /* armz-vmm's ids are libvirt's disk aliases (scsi0-0-0-UNIT) */
        const char *id_path[] = { "id", NULL }, *open_path[] = { "tray-open", NULL };
        yajl_val id = data ? yajl_tree_get(data, id_path, yajl_t_string) : NULL;
        yajl_val open = data ? yajl_tree_get(data, open_path, yajl_t_any) : NULL;
        if (id && open) {
            armz_domain_media_tray_moved(obj, YAJL_GET_STRING(id), YAJL_IS_TRUE(open));
            armz_driver_emit_tray_change(r->drv, obj, obj->id, YAJL_GET_STRING(id),
                                         YAJL_IS_TRUE(open));
        }
    } else if (strcmp(name, "DEVICE_DELETED") == 0 ||
               strcmp(name, "DEVICE_UNPLUG_GUEST_ERROR") == 0) {
        armz_hotplug_vmm_event(r->drv, obj, strcmp(name, "DEVICE_DELETED") == 0, data);
    } else if (strcmp(name, "BLOCK_IO_ERROR") == 0) {
        armz_domain_block_io_error(r->drv, obj, data);
    } else if (strcmp(name, "RESET") == 0) {
        armz_driver_emit_reboot(r->drv, obj, obj->id);
        if (run->on_reboot == ARMZ_DOMAIN_LIFECYCLE_DESTROY)
            armz_process_queue_reap(r->drv, obj, r->generation, ARMZ_REAP_DESTROY_ON_REBOOT);
    }
    g_mutex_unlock(&obj->lock);
}

static void
mon_eof(ArmzMonitor *mon, gpointer opaque)
{
    ArmzRunRef *r = opaque;
    (void)mon;
    /* the exit watch decides what became of the domain */
    armz_debug("domain '%s': monitor closed by armz-vmm", r->obj->name);
}

static void
mon_error(ArmzMonitor *mon, const GError *error, gpointer opaque)
{
    ArmzRunRef *r = opaque;
    (void)mon;
    armz_warn("domain '%s': monitor connection failed: %s", r->obj->name, error->message);
}

static const ArmzMonitorCallbacks mon_callbacks = {
    .event = mon_event,
    .eof = mon_eof,
    .error = mon_error,
    .dispose = armz_run_ref_free,
};

ArmzMonitor *
armz_process_open_monitor(ArmzDriver *drv, ArmzDomainObj *obj, GError **error)
{
    ArmzDomainRun *run = obj->priv;
    ArmzRunRef *ref = armz_run_ref_new(drv, obj, run->generation);
    ArmzMonitor *mon = armz_monitor_connect_path(run->qmp_path, drv->ctx, &mon_callbacks,
                                                 ref, error);
    if (!mon)
        armz_run_ref_free(ref);
    return mon;
}
