/* Run control of the VM: pause/resume of the vCPU threads, reset inside the
 * same process, power-off and failure.  Every function here except the
 * *_request_* ones and armz_vm_vcpu_wait runs on the main thread. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <glib/gi18n-lib.h>
#include "vmm.h"
#include "layout.h"
#include "vmmlog.h"
#include "psci/psci.h"

#define PARK_TIMEOUT_S 10

/* vm->lock held: kick every running vCPU until all are parked */
static void
wait_parked(ArmzVm *vm)
{
    gint64 give_up = g_get_monotonic_time() + PARK_TIMEOUT_S * G_USEC_PER_SEC;

    while (vm->parked < vm->nvcpus) {
        for (unsigned i = 0; i < vm->nvcpus; i++)
            if (!vm->vcpus[i].parked)
                armz_vcpu_kick(&vm->vcpus[i]);
        g_cond_wait_until(&vm->cond, &vm->lock, g_get_monotonic_time() + 20 * 1000);
        if (g_get_monotonic_time() > give_up) {
            armz_vmm_warn(_("%u of %u vCPUs did not stop within %d s"),
                          vm->nvcpus - vm->parked, vm->nvcpus, PARK_TIMEOUT_S);
            break;
        }
    }
}

static void
kick_all(ArmzVm *vm)
{
    for (unsigned i = 0; i < vm->nvcpus; i++)
        armz_vcpu_kick(&vm->vcpus[i]);
}

gboolean
armz_vm_vcpu_wait(ArmzVcpu *vcpu)
{
    ArmzVm *vm = vcpu->vm;

    g_mutex_lock(&vm->lock);
    for (;;) {
        gboolean stop;
        if (vm->exiting) {
            g_mutex_unlock(&vm->lock);
            return FALSE;
        }
        stop = vm->user_paused || vm->hold;
        if (!stop && vcpu->power == ARMZ_VCPU_ON_PENDING) {
            /* userspace PSCI CPU_ON: fresh reset state, then the entry point */
            g_autoptr(GError) err = NULL;
            if (!armz_kvm_vcpu_reset(vcpu, FALSE, &err) ||
                armz_vcpu_set_entry(vcpu, vcpu->entry, vcpu->context) < 0) {
                armz_vmm_warn(_("vCPU %u cannot be powered on: %s"), vcpu->index,
                              err ? err->message : g_strerror(errno));
                vcpu->power = ARMZ_VCPU_OFF;
            } else {
                vcpu->power = ARMZ_VCPU_ON;
            }
        }
        if (!stop && vcpu->power == ARMZ_VCPU_ON)
            break;
        if (!vcpu->parked) {
            vcpu->parked = TRUE;
            vm->parked++;
            g_cond_broadcast(&vm->cond);
        }
        g_cond_wait(&vm->cond, &vm->lock);
    }
    if (vcpu->parked) {
        vcpu->parked = FALSE;
        vm->parked--;
    }
    vcpu->run->immediate_exit = 0;
    g_mutex_unlock(&vm->lock);
    return TRUE;
}

void
armz_vm_pause_all(ArmzVm *vm)
{
    g_mutex_lock(&vm->lock);
    vm->hold++;
    wait_parked(vm);
    g_mutex_unlock(&vm->lock);
}

void
armz_vm_release_all(ArmzVm *vm)
{
    g_mutex_lock(&vm->lock);
    if (vm->hold)
        vm->hold--;
    g_cond_broadcast(&vm->cond);
    g_mutex_unlock(&vm->lock);
}

void
armz_vm_emit(ArmzVm *vm, const char *event, const char *data_json)
{
    armz_vmm_debug("event %s %s", event, data_json ? data_json : "");
#ifdef HAVE_ARMZ_QMP
    if (vm->qmp)
        armz_qmp_server_emit(vm->qmp, event, data_json);
#else
    (void)vm;
#endif
}

static gboolean
stop_as(ArmzVm *vm, ArmzRunState state)
{
    if (vm->state != ARMZ_RUNSTATE_RUNNING)
        return TRUE;
    g_mutex_lock(&vm->lock);
    vm->user_paused = TRUE;
    wait_parked(vm);
    g_mutex_unlock(&vm->lock);
    vm->state = state;
    armz_vm_emit(vm, "STOP", NULL);
    return TRUE;
}

gboolean
armz_vm_stop(ArmzVm *vm)
{
    return stop_as(vm, ARMZ_RUNSTATE_PAUSED);
}

gboolean
armz_vm_stop_io_error(ArmzVm *vm)
{
    return stop_as(vm, ARMZ_RUNSTATE_IO_ERROR);
}

gboolean
armz_vm_cont(ArmzVm *vm)
{
    /* a disk stopped by an error retries its request (QEMU's cont does) */
    armz_vm_block_resume(vm);
    if (vm->state != ARMZ_RUNSTATE_PAUSED && vm->state != ARMZ_RUNSTATE_IO_ERROR)
        return TRUE;
    g_mutex_lock(&vm->lock);
    vm->user_paused = FALSE;
    g_cond_broadcast(&vm->cond);
    g_mutex_unlock(&vm->lock);
    vm->state = ARMZ_RUNSTATE_RUNNING;
    armz_vm_emit(vm, "RESUME", NULL);
    return TRUE;
}

gboolean
armz_vm_load_boot(ArmzVm *vm, GError **error)
{
    if (!armz_fdt_randomize(vm->dtb, error))
        return FALSE;
    if (vm->firmware) {
        /* as on QEMU's virt: the device tree at the start of RAM, the CPU
         * at the flash's reset vector; the kernel (if any) is in fw_cfg */
        memcpy(vm->ram, vm->dtb, vm->dtb_size);
        if (armz_vcpu_set_entry(&vm->vcpus[0], ARMZ_FLASH_BASE, 0) < 0) {
            g_set_error(error, ARMZ_VMM_ERROR, 0,
                        _("cannot set the boot registers of vCPU 0 (KVM_SET_ONE_REG): %s"),
                        g_strerror(errno));
            return FALSE;
        }
        return TRUE;
    }
    /* straight from the files into guest RAM: one copy, and nothing of
     * them left in the VMM (boot/bootfile.c) */
    if (!armz_boot_file_read(vm->kernel, 0, vm->ram + (vm->layout.kernel_addr - vm->ram_base),
                             (size_t)armz_boot_file_size(vm->kernel), error))
        return FALSE;
    if (vm->initrd &&
        !armz_boot_file_read(vm->initrd, 0, vm->ram + (vm->layout.initrd_addr - vm->ram_base),
                             (size_t)armz_boot_file_size(vm->initrd), error))
        return FALSE;
    memcpy(vm->ram + (vm->layout.dtb_addr - vm->ram_base), vm->dtb, vm->dtb_size);
    if (armz_vcpu_set_entry(&vm->vcpus[0], vm->layout.kernel_addr, vm->layout.dtb_addr) < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("cannot set the boot registers of vCPU 0 (KVM_SET_ONE_REG): %s"),
                    g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

static gboolean
vm_reset(ArmzVm *vm, gboolean guest, GError **error)
{
    g_autoptr(GError) err = NULL;

    /* before anything is torn down: with a boot file rewritten in place
     * the reset is refused and the guest runs on */
    if (!vm->firmware && ((vm->kernel && !armz_boot_file_check(vm->kernel, error)) ||
                          (vm->initrd && !armz_boot_file_check(vm->initrd, error))))
        return FALSE;
    armz_vm_pause_all(vm);
    armz_vmm_debug("resetting the guest");
    /* devices first: a virtio worker finishes its request and stops
     * touching guest RAM before the RAM is cleared */
    armz_board_reset_devices(&vm->board);
    /* fresh, zeroed RAM: anonymous memory drops its pages; a memfd's
     * shared pages would survive MADV_DONTNEED, so they are freed */
    if (madvise(vm->ram, vm->ram_size, vm->ram_fd >= 0 ? MADV_REMOVE : MADV_DONTNEED) < 0)
        memset(vm->ram, 0, vm->ram_size);
    armz_irqchip_reset(vm);
    for (unsigned n = 0; n < vm->nvcpus; n++)
        if (!armz_kvm_vcpu_reset(&vm->vcpus[n], n > 0, error))
            goto fail;
    armz_psci_reset_power(vm);
    if (!armz_vm_load_boot(vm, &err)) {
        /* (a boot file changed since the check, say): guest RAM is
         * cleared, so the VM cannot run on, and its log says why */
        armz_vmm_warn("%s", err->message);
        g_propagate_error(error, g_steal_pointer(&err));
        armz_vm_finish(vm, ARMZ_EXIT_FAILURE, NULL, FALSE);
        goto fail;
    }
    armz_vm_emit(vm, "RESET", guest ? "{\"guest\": true, \"reason\": \"guest-reset\"}"
                                    : "{\"guest\": false, \"reason\": \"host-qmp-system-reset\"}");
    armz_vm_release_all(vm);
    return TRUE;

fail:
    armz_vm_release_all(vm);
    return FALSE;
}

gboolean
armz_vm_reset(ArmzVm *vm, GError **error)
{
    return vm_reset(vm, FALSE, error);
}

void
armz_vm_finish(ArmzVm *vm, int status, const char *reason, gboolean guest)
{
    if (vm->finished)
        return;
    vm->finished = TRUE;
    armz_vm_pause_all(vm);
    vm->state = ARMZ_RUNSTATE_SHUTDOWN;
    vm->exit_status = status;
    if (reason) {
        char *data = g_strdup_printf("{\"guest\": %s, \"reason\": \"%s\"}",
                                     guest ? "true" : "false", reason);
        armz_vm_emit(vm, "SHUTDOWN", data);
        g_free(data);
    }
    g_main_loop_quit(vm->loop);
}

static gboolean
power_key_release(gpointer opaque)
{
    ArmzVm *vm = opaque;
    armz_pl061_set_input(vm->board.gpio, ARMZ_GPIO_POWER_PIN, 0);
    vm->power_key_timer = 0;
    return G_SOURCE_REMOVE;
}

void
armz_vm_powerdown(ArmzVm *vm)
{
    /* press the power key (gpio-keys, KEY_POWER) and release it 100 ms later */
    armz_pl061_set_input(vm->board.gpio, ARMZ_GPIO_POWER_PIN, 1);
    if (vm->power_key_timer)
        g_source_remove(vm->power_key_timer);
    vm->power_key_timer = g_timeout_add(100, power_key_release, vm);
    armz_vm_emit(vm, "POWERDOWN", NULL);
}

/* ---- requests from vCPU threads ---- */

static void
hold_and_kick(ArmzVm *vm)
{
    g_mutex_lock(&vm->lock);
    vm->hold++;
    kick_all(vm);
    g_mutex_unlock(&vm->lock);
}

static gboolean
shutdown_cb(gpointer opaque)
{
    ArmzVm *vm = opaque;
    armz_vm_finish(vm, 0, "guest-shutdown", TRUE);
    return G_SOURCE_REMOVE;
}

void
armz_vm_request_shutdown(ArmzVm *vm)
{
    hold_and_kick(vm);
    g_main_context_invoke(vm->ctx, shutdown_cb, vm);
}

static gboolean
reset_cb(gpointer opaque)
{
    ArmzVm *vm = opaque;
    g_autoptr(GError) err = NULL;

    /* (a reset that failed after clearing the RAM has said why and
     * finished the VM already) */
    if (!vm->finished && !vm_reset(vm, TRUE, &err) && !vm->finished) {
        fprintf(stderr, "armz-vmm: %s\n", err->message);
        armz_vm_finish(vm, ARMZ_EXIT_FAILURE, NULL, FALSE);
    }
    armz_vm_release_all(vm);    /* the hold taken by the request */
    return G_SOURCE_REMOVE;
}

void
armz_vm_request_reset(ArmzVm *vm)
{
    hold_and_kick(vm);
    g_main_context_invoke(vm->ctx, reset_cb, vm);
}

typedef struct {
    ArmzVm *vm;
    char *message;
} FatalReq;

static gboolean
fatal_cb(gpointer opaque)
{
    FatalReq *req = opaque;
    if (!req->vm->finished) {
        fprintf(stderr, "armz-vmm: %s\n", req->message);
        armz_vm_finish(req->vm, ARMZ_EXIT_FAILURE, NULL, FALSE);
    }
    g_free(req->message);
    g_free(req);
    return G_SOURCE_REMOVE;
}

void
armz_vm_request_fatal(ArmzVm *vm, char *message)
{
    FatalReq *req = g_new0(FatalReq, 1);
    req->vm = vm;
    req->message = message;
    hold_and_kick(vm);
    g_main_context_invoke(vm->ctx, fatal_cb, req);
}


