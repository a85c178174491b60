/* The qemu-storage-daemon half of a live attach or detach of a disk it
 * serves (qcow2 with its chain, <iotune>, nbd): the nodes and the
 * vhost-user-blk export come from the same builder as at start
 * (qsd_command.c), given to the domain's running daemon by QMP
 * (blockdev-add, object-add, block-export-add for --blockdev, --object,
 * --export) or, when the domain has none yet, by starting it with them.
 * They are added to the daemon's command line too, so a restarted daemon
 * (qsd_process.c) and a restarted virtarmzd (the status) have them. A
 * detach that leaves the daemon no export ends it (armz_qsd_quit). */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <libvirt/virterror.h>
#include <yajl/yajl_tree.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/log.h"
#include "util/unixaddr.h"
#include "driver/disk_chain.h"
#include "driver/domain_hotplug_priv.h"
#include "driver/domain_run.h"
#include "driver/domain_validate.h"
#include "driver/monitor.h"
#include "driver/process_priv.h"
#include "driver/security_dac.h"

/* qsd's answers to a blockdev-del while the export still goes */
#define RELEASE_TRIES 50
#define RELEASE_PAUSE_US (100 * 1000)

static const ArmzMonitorCallbacks no_callbacks = { 0 };

/* The QMP command that adds what command-line option OPT adds, and the
 * one that takes it away again. */
static gboolean
qmp_names(const char *opt, const char **add, const char **del, const char **key)
{
    if (g_str_equal(opt, "--blockdev")) {
        *add = "blockdev-add", *del = "blockdev-del", *key = "node-name";
        return TRUE;
    }
    if (g_str_equal(opt, "--object")) {
        *add = "object-add", *del = "object-del", *key = "id";
        return TRUE;
    }
    if (g_str_equal(opt, "--export")) {
        *add = "block-export-add", *del = "block-export-del", *key = "id";
        return TRUE;
    }
    return FALSE;
}

/* {"KEY": name} of the node, object or export JSON (an option's value)
 * makes; NULL if it names none. */
static char *
del_args(const char *json, const char *key, char **name)
{
    const char *path[] = { key, NULL };
    yajl_val v = yajl_tree_parse(json, NULL, 0);
    yajl_val n = v ? yajl_tree_get(v, path, yajl_t_string) : NULL;
    char *args = NULL;

    if (n) {
        *name = g_strdup(YAJL_GET_STRING(n));
        args = g_strdup_printf("{\"%s\": \"%s\"}", key, *name);
    }
    yajl_tree_free(v);
    return args;
}

/* Runs the commands CMDS/ARGS (pairs) on the daemon at QMP_PATH, OBJ
 * unlocked meanwhile (NULL: it is not held); *DONE: how many succeeded. */
static gboolean
qsd_commands(ArmzDriver *drv, ArmzDomainObj *obj, const char *qmp_path, GPtrArray *cmds,
             GPtrArray *args, guint *done, GError **error)
{
    g_autoptr(ArmzMonitor) mon = armz_monitor_connect_path(qmp_path, drv->ctx, &no_callbacks,
                                                           NULL, error);
    GError *err = NULL;

    *done = 0;
    if (!mon)
        return FALSE;
    if (obj)
        g_mutex_unlock(&obj->lock);
    while (*done < cmds->len &&
           armz_monitor_command(mon, g_ptr_array_index(cmds, *done),
                                g_ptr_array_index(args, *done), NULL, 0, &err))
        (*done)++;
    if (obj)
        g_mutex_lock(&obj->lock);
    armz_monitor_close(mon);
    if (err)
        armz_monitor_propagate_error(error, err);
    return *done == cmds->len;
}

/* The undo of the first N options (pairs) of OPTS, last first. */
static void
undo_list(const GPtrArray *opts, guint n, GPtrArray *cmds, GPtrArray *args)
{
    for (guint i = n; i-- > 0;) {
        const char *add, *del, *key;
        g_autofree char *name = NULL;
        char *a;

        if (!qmp_names(g_ptr_array_index(opts, 2 * i), &add, &del, &key) ||
            !(a = del_args(g_ptr_array_index(opts, 2 * i + 1), key, &name)))
            continue;
        g_ptr_array_add(cmds, g_strdup(del));
        g_ptr_array_add(args, a);
    }
}

/* Gives OPTS (option, value pairs) to OBJ's running daemon Q, undone again
 * on failure. */
static gboolean
qsd_add(ArmzDriver *drv, ArmzDomainObj *obj, ArmzQsdRun *q, const GPtrArray *opts,
        GError **error)
{
    g_autoptr(GPtrArray) cmds = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) ucmds = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) uargs = g_ptr_array_new_with_free_func(g_free);
    guint done, undone;

    for (guint i = 0; i + 1 < opts->len; i += 2) {
        const char *add, *del, *key;
        if (!qmp_names(g_ptr_array_index(opts, i), &add, &del, &key)) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                        _("qemu-storage-daemon option '%s' cannot be added to a running "
                          "daemon"), (const char *)g_ptr_array_index(opts, i));
            return FALSE;
        }
        g_ptr_array_add(cmds, g_strdup(add));
        g_ptr_array_add(args, g_strdup(g_ptr_array_index(opts, i + 1)));
    }
    if (qsd_commands(drv, obj, q->qmp_path, cmds, args, &done, error))
        return TRUE;
    undo_list(opts, done, ucmds, uargs);
    if (ucmds->len)
        qsd_commands(drv, obj, q->qmp_path, ucmds, uargs, &undone, NULL);
    return FALSE;
}

static void
argv_append(ArmzQsdRun *q, const GPtrArray *opts)
{
    guint n = g_strv_length(q->argv);

    q->argv = g_renew(char *, q->argv, n + opts->len + 1);
    for (guint i = 0; i < opts->len; i++)
        q->argv[n + i] = g_strdup(g_ptr_array_index(opts, i));
    q->argv[n + opts->len] = NULL;
}

/* A UNIX stream socket connected to PATH, or -1. */
static int
connect_export(const char *path, GError **error)
{
    struct sockaddr_un sa;
    int fd, dirfd, rc;

    if (!armz_unix_addr(path, &sa, &dirfd, error))
        return -1;
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    rc = fd < 0 ? -1 : connect(fd, (struct sockaddr *)&sa, sizeof(sa));
    if (rc < 0)
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot connect to the qemu-storage-daemon export '%s': %s"), path,
                    g_strerror(errno));
    if (dirfd >= 0)
        close(dirfd);
    if (rc < 0 && fd >= 0)
        close(fd);
    return rc < 0 ? -1 : fd;
}

/* The chain's files, given to the daemon's user like at start. */
static gboolean
label_chain(ArmzDriver *drv, ArmzDomainObj *obj, ArmzDomainRun *run, GPtrArray *chain,
            ArmzDacPlan *dac, GError **error)
{
    g_autoptr(GPtrArray) files = g_ptr_array_new();

    if (!armz_dac_plan(obj->def, drv->cfg.vmm_uid, drv->cfg.vmm_gid, dac, error))
        return FALSE;
    for (guint i = 0; chain && i < chain->len; i++)
        g_ptr_array_add(files, ((ArmzDiskLayer *)g_ptr_array_index(chain, i))->path);
    g_ptr_array_add(files, NULL);
    return armz_dac_label(dac, (const char *const *)files->pdata, run->dac, error);
}

gboolean
armz_hotplug_qsd_attach(ArmzDriver *drv, ArmzDomainObj *obj, ArmzDomainDiskDef *disk,
                        const char *path, int *fd, char **socket, GError **error)
{
    ArmzDomainRun *run = armz_domain_run(obj);
    g_autofree char *dir = NULL;
    g_autoptr(ArmzQsdPlan) plan = NULL;
    g_autoptr(GPtrArray) opts = g_ptr_array_new_with_free_func(g_free);
    GPtrArray *chain = NULL;
    ArmzDacPlan dac;
    guint base;
    gboolean started = FALSE;

    if (!run) {
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                            _("domain is not running"));
        return FALSE;
    }
    /* armz-vmm decides at start whether guest RAM is a memfd (--memfd:
     * vhost-user devices, or <source type='memfd'/>); a back-end cannot
     * map private memory */
    if (g_strcmp0(obj->def->mem_source, "memfd") != 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_UNSUPPORTED,
                    _("live attach of disk '%s': it is served by qemu-storage-daemon over "
                      "vhost-user, which needs guest RAM the daemon can map; start the domain "
                      "with <memoryBacking><source type='memfd'/><access mode='shared'/>"
                      "</memoryBacking>"), disk->target_dev);
        return FALSE;
    }
    /* its secret goes to the daemon by QMP at start (qsd_command.c's keyed
     * disks), which this path does not do yet */
    if (disk->encryption_format) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_UNSUPPORTED,
                    _("live attach of encrypted disk '%s' is not supported by the armz "
                      "driver; attach it with --config"), disk->target_dev);
        return FALSE;
    }
    /* a daemon that served the last such disk may still be going */
    armz_qsd_wait_quit(obj);
    if (!(run = armz_domain_run(obj))) {
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_OPERATION_INVALID,
                            _("domain is not running"));
        return FALSE;
    }
    dir = run->qsd ? g_strdup(run->qsd->dir)
                   : armz_domain_vhost_user_dir(obj->def, drv->paths->state_dir);
    plan = armz_qsd_plan_new(run->qsd ? run->qsd->argv[0] : NULL, dir, 1);
    base = plan->argv->len;
    if (disk->type == ARMZ_DOMAIN_DISK_TYPE_NETWORK) {
        armz_qsd_plan_add_network_disk(plan, disk, socket);
    } else if (!armz_process_read_chain(path, disk->driver_type ? disk->driver_type : "raw",
                                        &chain, NULL, error) ||
               !armz_qsd_plan_add_disk(plan, disk, 0, chain, socket, error)) {
        return FALSE;
    }
    chain = g_ptr_array_index(plan->chains, 0);
    for (guint i = base; i < plan->argv->len; i++)
        g_ptr_array_add(opts, g_strdup(g_ptr_array_index(plan->argv, i)));
    if (!label_chain(drv, obj, run, chain, &dac, error))
        return FALSE;
    if (!run->qsd) {
        ArmzQsdRun *q = armz_qsd_run_new(plan, dac.uid, dac.gid, run->cgroup);
        if (!armz_qsd_start(q, plan->sockets, obj, run->log_path, error)) {
            armz_qsd_run_free(q);
            return FALSE;
        }
        if (!(run = armz_domain_run(obj)) || run->qsd) {
            /* the domain went meanwhile */
            armz_qsd_stop(q);
            armz_qsd_run_free(q);
            g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                                _("domain is not running"));
            return FALSE;
        }
        run->qsd = q;
        armz_qsd_watch(drv, obj);
        started = TRUE;
    } else if (!qsd_add(drv, obj, run->qsd, opts, error)) {
        return FALSE;
    } else if ((run = armz_domain_run(obj)) && run->qsd) {
        argv_append(run->qsd, opts);
    }
    if ((*fd = connect_export(*socket, error)) < 0) {
        if (started && (run = armz_domain_run(obj)) && run->qsd) {
            armz_qsd_stop(run->qsd);
            g_clear_pointer(&run->qsd, armz_qsd_run_free);
        } else {
            armz_hotplug_qsd_release(drv, obj, disk);
        }
        return FALSE;
    }
    if (chain)
        armz_process_disk_backing(disk, chain);
    return TRUE;
}

/* ---------------- release ---------------- */

typedef struct {
    ArmzDriver *drv;
    char *qmp_path;
    char *name;
    GPtrArray *cmds, *args;
} Release;

static gpointer
release_thread(gpointer data)
{
    Release *r = data;
    guint done = 0, tries = 0;

    /* an export goes once its client has: a node under it stays in use a
     * moment longer */
    while (done < r->cmds->len && tries++ < RELEASE_TRIES) {
        g_autoptr(GError) err = NULL;
        g_autoptr(GPtrArray) c = g_ptr_array_new();
        g_autoptr(GPtrArray) a = g_ptr_array_new();
        guint n;

        for (guint i = done; i < r->cmds->len; i++) {
            g_ptr_array_add(c, g_ptr_array_index(r->cmds, i));
            g_ptr_array_add(a, g_ptr_array_index(r->args, i));
        }
        if (qsd_commands(r->drv, NULL, r->qmp_path, c, a, &n, &err)) {
            done = r->cmds->len;
            break;
        }
        done += n;
        if (tries == RELEASE_TRIES)
            armz_warn("domain '%s': qemu-storage-daemon keeps %s: %s", r->name,
                      (const char *)g_ptr_array_index(r->args, done), err->message);
        g_usleep(RELEASE_PAUSE_US);
    }
    g_free(r->qmp_path);
    g_free(r->name);
    g_ptr_array_unref(r->cmds);
    g_ptr_array_unref(r->args);
    g_free(r);
    return NULL;
}

/* Whether the node, object or export named NAME is DEV's (qsd_command.c's
 * names: DEV, DEV-..., throttle-DEV). */
static gboolean
is_disks(const char *name, const char *dev)
{
    size_t n = strlen(dev);

    if (g_str_has_prefix(name, "throttle-"))
        name += strlen("throttle-");
    return strncmp(name, dev, n) == 0 && (name[n] == '\0' || name[n] == '-');
}

void
armz_hotplug_qsd_release(ArmzDriver *drv, ArmzDomainObj *obj, const ArmzDomainDiskDef *disk)
{
    ArmzDomainRun *run = armz_domain_run(obj);
    g_autoptr(GPtrArray) mine = g_ptr_array_new_with_free_func(g_free);
    GPtrArray *keep;
    Release *r;
    guint n;
    gboolean exports = FALSE;

    if (!run || !run->qsd)
        return;
    keep = g_ptr_array_new_with_free_func(g_free);
    n = g_strv_length(run->qsd->argv);
    for (guint i = 0; i < n; i++) {
        const char *add, *del, *key;
        g_autofree char *name = NULL, *args = NULL;

        if (i + 1 < n && qmp_names(run->qsd->argv[i], &add, &del, &key) &&
            (args = del_args(run->qsd->argv[i + 1], key, &name)) &&
            is_disks(name, disk->target_dev)) {
            g_ptr_array_add(mine, g_strdup(run->qsd->argv[i]));
            g_ptr_array_add(mine, g_strdup(run->qsd->argv[i + 1]));
            i++;
            continue;
        }
        g_ptr_array_add(keep, g_strdup(run->qsd->argv[i]));
    }
    for (guint i = 0; i < keep->len && !exports; i++)
        exports = g_str_equal(g_ptr_array_index(keep, i), "--export");
    g_ptr_array_add(keep, NULL);
    g_strfreev(run->qsd->argv);
    run->qsd->argv = (char **)g_ptr_array_free(keep, FALSE);
    if (!mine->len)
        return;
    /* the last disk it served: it goes, the next such attach starts one */
    if (!exports && (!run->qsd->keyed || !run->qsd->keyed->len)) {
        g_autoptr(GError) err = NULL;

        armz_qsd_quit(drv, obj, g_steal_pointer(&run->qsd));
        if (!armz_process_status_save(drv, obj, &err))
            armz_warn("cannot save the status of domain '%s': %s", obj->name, err->message);
        return;
    }
    r = g_new0(Release, 1);
    r->drv = drv;
    r->qmp_path = g_strdup(run->qsd->qmp_path);
    r->name = g_strdup(obj->name);
    r->cmds = g_ptr_array_new_with_free_func(g_free);
    r->args = g_ptr_array_new_with_free_func(g_free);
    undo_list(mine, mine->len / 2, r->cmds, r->args);
    /* the caller may be the main loop, which the monitor needs */
    g_thread_unref(g_thread_new("qsd-release", release_thread, r));
}
