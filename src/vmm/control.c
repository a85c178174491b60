/* QMP hooks (ArmzQmpOps): what each QMP command does to the VM.  Runs on
 * the main thread. */
#include <glib/gi18n-lib.h>
#include "vmm.h"
#include "vmmlog.h"
#include "sandbox/seccomp.h"

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

const ArmzQmpOps armz_vm_qmp_ops = {
    .query_status = ctl_query_status,
    .stop = ctl_stop,
    .cont = ctl_cont,
    .system_powerdown = ctl_system_powerdown,
    .system_reset = ctl_system_reset,
    .quit = ctl_quit,
    .x_debug_syscall = ctl_x_debug_syscall,
    .query_blockstats = ctl_query_blockstats,
    .query_block = ctl_query_block,
    .block_resize = ctl_block_resize,
};
