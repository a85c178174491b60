/* QMP hooks (ArmzQmpOps): what each QMP command does to the VM.  Runs on
 * the main thread. */
#include <string.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include "vmm.h"
#include "vmmlog.h"
#include "sandbox/seccomp.h"
#include "virtio/virtio.h"

/* QEMU's QOM path of the balloon, where libvirt finds its statistics */
#define BALLOON_PATH "/machine/peripheral/balloon0"
#define VSOCK_PATH "/machine/peripheral/vsock0"

static ArmzRunState
ctl_query_status(gpointer opaque)
{
    ArmzVm *vm = opaque;
    return vm->state;
}

static gboolean
not_after_shutdown(ArmzVm *vm, GError **error)
{
    if (vm->state == ARMZ_RUNSTATE_SHUTDOWN) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("the guest has shut down"));
        return FALSE;
    }
    return TRUE;
}

static gboolean
ctl_stop(gpointer opaque, GError **error)
{
    ArmzVm *vm = opaque;
    return not_after_shutdown(vm, error) && armz_vm_stop(vm);
}

static gboolean
ctl_cont(gpointer opaque, GError **error)
{
    ArmzVm *vm = opaque;
    return not_after_shutdown(vm, error) && armz_vm_cont(vm);
}

static gboolean
ctl_system_powerdown(gpointer opaque, GError **error)
{
    ArmzVm *vm = opaque;
    if (!not_after_shutdown(vm, error))
        return FALSE;
    armz_vm_powerdown(vm);
    return TRUE;
}

static gboolean
ctl_system_reset(gpointer opaque, GError **error)
{
    ArmzVm *vm = opaque;
    if (!not_after_shutdown(vm, error))
        return FALSE;
    return armz_vm_reset(vm, error);
}

static void
ctl_quit(gpointer opaque)
{
    ArmzVm *vm = opaque;
    armz_vm_finish(vm, 0, "host-qmp-quit", FALSE);
}

static gboolean
ctl_x_debug_syscall(gpointer opaque, GError **error)
{
    armz_seccomp_debug_syscall();
    return TRUE;
}

static ArmzVirtioDev *
balloon_dev(ArmzVm *vm, GError **error)
{
    if (!vm->board.balloon)
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("No balloon device has been activated"));
    return vm->board.balloon;
}

static gboolean
ctl_balloon(gpointer opaque, gint64 value, GError **error)
{
    ArmzVm *vm = opaque;
    ArmzVirtioDev *b = balloon_dev(vm, error);

    if (!b)
        return FALSE;
    armz_virtio_balloon_set_target(b, (guint64)value);
    return TRUE;
}

static gboolean
ctl_query_balloon(gpointer opaque, guint64 *actual, GError **error)
{
    ArmzVm *vm = opaque;
    ArmzVirtioDev *b = balloon_dev(vm, error);

    if (!b)
        return FALSE;
    *actual = armz_virtio_balloon_actual(b);
    return TRUE;
}

/* The balloon is the only object with properties. */
static ArmzVirtioDev *
qom_balloon(ArmzVm *vm, const char *path, GError **error)
{
    if (!vm->board.balloon || strcmp(path, BALLOON_PATH) != 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("Device '%s' not found"), path);
        return NULL;
    }
    return vm->board.balloon;
}

static char *
ctl_qom_get(gpointer opaque, const char *path, const char *property, GError **error)
{
    ArmzVm *vm = opaque;
    ArmzVirtioDev *b;

    /* the vsock device's CID (what cid=auto found) */
    if (vm->board.vsock && strcmp(path, VSOCK_PATH) == 0) {
        if (strcmp(property, "guest-cid") == 0)
            return g_strdup_printf("%" G_GUINT64_FORMAT,
                                   (guint64)armz_virtio_vsock_cid(vm->board.vsock));
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("Property '%s' not found"), property);
        return NULL;
    }
    b = qom_balloon(opaque, path, error);

    if (!b)
        return NULL;
    if (strcmp(property, "guest-stats") == 0)
        return armz_virtio_balloon_stats_json(b);
    if (strcmp(property, "guest-stats-polling-interval") == 0)
        return g_strdup_printf("%u", armz_virtio_balloon_poll_interval(b));
    g_set_error(error, ARMZ_VMM_ERROR, 0, _("Property '%s' not found"), property);
    return NULL;
}

static gboolean
ctl_qom_set(gpointer opaque, const char *path, const char *property, gint64 value,
            GError **error)
{
    ArmzVirtioDev *b = qom_balloon(opaque, path, error);

    if (!b)
        return FALSE;
    if (strcmp(property, "guest-stats-polling-interval") != 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("Property '%s' not found"), property);
        return FALSE;
    }
    if (value < 0 || value > G_MAXINT) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("timer value is too big"));
        return FALSE;
    }
    armz_virtio_balloon_set_poll_interval(b, (unsigned)value);
    return TRUE;
}

typedef struct {
    ArmzVm *vm;
    guint64 actual;
} BalloonChange;

/* S as a JSON string */
static void
armz_json_append_string(GString *j, const char *s)
{
    g_string_append_c(j, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            g_string_append_printf(j, "\\%c", *p);
        else if (*p < 0x20)
            g_string_append_printf(j, "\\u%04x", *p);
        else
            g_string_append_c(j, (char)*p);
    }
    g_string_append_c(j, '"');
}

static gboolean
balloon_change_emit(gpointer data)
{
    BalloonChange *c = data;
    g_autofree char *json = g_strdup_printf("{\"actual\": %" G_GUINT64_FORMAT "}", c->actual);

    armz_vm_emit(c->vm, "BALLOON_CHANGE", json);
    return G_SOURCE_REMOVE;
}

/* vCPU thread: the guest resized its balloon; the event goes out on the
 * main thread */
static void
balloon_changed(void *opaque, uint64_t actual)
{
    ArmzVm *vm = opaque;
    BalloonChange *c = g_new(BalloonChange, 1);
    GSource *src = g_idle_source_new();

    /* always queued: this thread holds the device lock */
    c->vm = vm;
    c->actual = actual;
    g_source_set_callback(src, balloon_change_emit, c, g_free);
    g_source_attach(src, vm->ctx);
    g_source_unref(src);
}

typedef struct {
    ArmzVm *vm;
    char *json;
} PortChange;

static void
port_change_free(gpointer data)
{
    PortChange *c = data;
    g_free(c->json);
    g_free(c);
}

static gboolean
port_change_emit(gpointer data)
{
    PortChange *c = data;
    armz_vm_emit(c->vm, "VSERPORT_CHANGE", c->json);
    return G_SOURCE_REMOVE;
}

/* worker thread: the guest opened or closed a virtio-serial port */
static void
port_changed(void *opaque, const char *id, const char *name, bool open)
{
    ArmzVm *vm = opaque;
    PortChange *c = g_new(PortChange, 1);
    GSource *src = g_idle_source_new();
    g_autoptr(GString) j = g_string_new("{\"id\": ");

    /* ID and NAME come from the command line, not the guest; quoted anyway */
    armz_json_append_string(j, id);
    g_string_append_printf(j, ", \"open\": %s, \"name\": ", open ? "true" : "false");
    armz_json_append_string(j, name);
    g_string_append_c(j, '}');
    c->vm = vm;
    c->json = g_string_free(g_steal_pointer(&j), FALSE);
    g_source_set_callback(src, port_change_emit, c, port_change_free);
    g_source_attach(src, vm->ctx);
    g_source_unref(src);
}

void
armz_vm_control_attach(ArmzVm *vm)
{
    if (vm->board.balloon)
        armz_virtio_balloon_set_listener(vm->board.balloon, balloon_changed, vm);
    if (vm->board.serial)
        armz_virtio_serial_set_listener(vm->board.serial, port_changed, vm);
}

static char *
ctl_query_blockstats(gpointer opaque, GError **error)
{
    return armz_vm_query_blockstats(opaque);
}

static char *
ctl_query_block(gpointer opaque, GError **error)
{
    return armz_vm_query_block(opaque);
}

static gboolean
ctl_block_resize(gpointer opaque, const char *device, guint64 size, GError **error)
{
    ArmzVm *vm = opaque;
    return not_after_shutdown(vm, error) && armz_vm_block_resize(vm, device, size, error);
}

static void
hp_pause(void *opaque)
{
    armz_vm_pause_all(opaque);
}

static void
hp_resume(void *opaque)
{
    armz_vm_release_all(opaque);
}

static void
hp_event(void *opaque, const char *name, const char *data_json)
{
    armz_vm_emit(opaque, name, data_json);
}

void
armz_vm_hotplug_setup(ArmzVm *vm)
{
    ArmzHotplugHooks h = { hp_pause, hp_resume, hp_event, vm, vm->ctx, 30000,
                           vm->opts->seccomp == ARMZ_SECCOMP_OFF };

    vm->hotplug = armz_hotplug_new(&vm->board, &h);
}

static gboolean
ctl_device_add(gpointer opaque, const ArmzDeviceAddArgs *args, GError **error)
{
    ArmzVm *vm = opaque;

    if (!not_after_shutdown(vm, error)) {
        if (args->fd >= 0)
            close(args->fd);
        return FALSE;
    }
    return armz_hotplug_device_add(vm->hotplug, args, error);
}

static gboolean
ctl_device_del(gpointer opaque, const char *id, GError **error)
{
    ArmzVm *vm = opaque;
    return not_after_shutdown(vm, error) && armz_hotplug_device_del(vm->hotplug, id, error);
}

static char *
ctl_query_pci(gpointer opaque, GError **error)
{
    ArmzVm *vm = opaque;
    return armz_hotplug_query_pci(vm->hotplug);
}

/* libvirt names the NIC by its alias (the --net id=, device_add id) */
static gboolean
ctl_set_link(gpointer opaque, const char *name, gboolean up, GError **error)
{
    ArmzVm *vm = opaque;

    for (unsigned i = 0; i < vm->board.nvirtio; i++) {
        ArmzVirtioDev *d = vm->board.virtio[i];
        if (armz_virtio_is_net(d) && g_str_equal(armz_virtio_id(d), name)) {
            armz_virtio_net_set_link(d, up);
            return TRUE;
        }
    }
    g_set_error(error, ARMZ_VMM_ERROR, 0, _("Device '%s' not found"), name);
    return FALSE;
}

const ArmzQmpOps armz_vm_qmp_ops = {
    .query_status = ctl_query_status,
    .stop = ctl_stop,
    .cont = ctl_cont,
    .system_powerdown = ctl_system_powerdown,
    .system_reset = ctl_system_reset,
    .quit = ctl_quit,
    .x_debug_syscall = ctl_x_debug_syscall,
    .balloon = ctl_balloon,
    .query_balloon = ctl_query_balloon,
    .qom_get = ctl_qom_get,
    .qom_set = ctl_qom_set,
    .eject = armz_vm_media_eject,
    .change_medium = armz_vm_media_change,
    .query_blockstats = ctl_query_blockstats,
    .query_block = ctl_query_block,
    .block_resize = ctl_block_resize,
    .device_add = ctl_device_add,
    .device_del = ctl_device_del,
    .query_pci = ctl_query_pci,
    .set_link = ctl_set_link,
};
