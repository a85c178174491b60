/* armz-vmm: lightweight arm64 virtual machine monitor, one process per
 * guest, on the arm64 KVM interface (/dev/kvm-arm64 on s390x, /dev/kvm on
 * arm64).  See docs/armz-vmm.8. */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include "vmm.h"
#include "layout.h"
#include "vmmlog.h"
#include "sandbox/seccomp.h"

static gboolean
write_pidfile(const char *path, GError **error)
{
    g_autofree char *s = g_strdup_printf("%ld\n", (long)getpid());
    if (!g_file_set_contents(path, s, -1, error))
        return FALSE;
    return TRUE;
}

#ifdef HAVE_ARMZ_QMP
static int
qmp_listen(const char *path, GError **error)
{
    struct sockaddr_un sa;
    int fd;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("QMP socket path %s is too long"), path);
        return -1;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    strcpy(sa.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot create the QMP socket: %s"),
                    g_strerror(errno));
        return -1;
    }
    unlink(path);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 8) < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("cannot listen on QMP socket %s: %s"),
                    path, g_strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}
#endif

/* --debug: where a start's time goes before the guest runs
 * (docs/performance.md), in ms since main() began */
static gint64 main_t0;

static void
start_step(const char *step)
{
    armz_vmm_debug("start: %s after %.1f ms", step,
                   (double)(g_get_monotonic_time() - main_t0) / 1000.0);
}

static gboolean
on_signal(gpointer opaque)
{
    ArmzVm *vm = opaque;
    armz_vm_finish(vm, 0, "host-signal", FALSE);
    return G_SOURCE_CONTINUE;
}

static gboolean
vm_setup(ArmzVm *vm, GError **error)
{
    ArmzOptions *o = vm->opts;
    ArmzFdtConfig fc;
    g_autofree uint64_t *mpidr = NULL;

    vm->ram_base = ARMZ_RAM_BASE;
    vm->ram_size = o->memory_mib << 20;
    vm->nvcpus = o->vcpus;

    /* boot payload first: a bad kernel is reported before touching KVM */
    if (o->kernel) {
        uint8_t hdr[ARMZ_IMAGE_HEADER_SIZE] = { 0 };
        uint64_t klen;

        vm->kernel = armz_boot_file_open(_("kernel"), o->kernel, error);
        if (!vm->kernel)
            return FALSE;
        klen = armz_boot_file_size(vm->kernel);
        if (!armz_boot_file_read(vm->kernel, 0, hdr, MIN(klen, sizeof(hdr)), error) ||
            !armz_image_parse(hdr, (size_t)MIN(klen, G_MAXSIZE), &vm->image, error))
            return FALSE;
    }
    if (o->initrd && !(vm->initrd = armz_boot_file_open(_("initrd"), o->initrd, error)))
        return FALSE;
    start_step("boot files opened");
    if (ARMZ_OPTS_FIRMWARE(o)) {
        vm->firmware = armz_firmware_open(o, error);
        if (!vm->firmware)
            return FALSE;
    } else if (!armz_boot_layout(vm->ram_base, vm->ram_size, &vm->image,
                                 vm->initrd ? armz_boot_file_size(vm->initrd) : 0, &vm->layout,
                                 error)) {
        return FALSE;
    }

    vm->serial = armz_serial_open(o, error);
    if (!vm->serial)
        return FALSE;
    /* virtio backends too, before KVM: a missing disk is reported first */
    if (!armz_board_open_virtio(&vm->board, o, error))
        return FALSE;
    armz_vm_control_attach(vm);
    armz_vm_media_init(vm);

    if (!armz_kvm_open(vm, error) || !armz_kvm_create_vm(vm, error) ||
        !armz_irqchip_setup(vm, error) || !armz_kvm_create_vcpus(vm, error))
        return FALSE;
    start_step("VM and vCPUs created");

    vm->bus = armz_mmio_bus_new();
    vm->board.bus = vm->bus;
    vm->board.uart_tx = armz_serial_tx;
    vm->board.uart_tx_opaque = vm->serial;
    vm->board.mem.host = vm->ram;
    vm->board.mem.gpa = vm->ram_base;
    vm->board.mem.size = vm->ram_size;
    vm->board.mem.fd = vm->ram_fd;
    vm->board.mem.has_fd = vm->ram_fd >= 0;
    /* ARMZ_VMM_NO_IOEVENTFD: take QueueNotify as an MMIO exit even where KVM
     * has ioeventfds, to test the path of kernels without them */
    if (armz_kvm_check_cap(vm, ARMZ_KVM_CAP_IOEVENTFD) > 0 && !g_getenv("ARMZ_VMM_NO_IOEVENTFD")) {
        vm->board.ioeventfd = armz_kvm_ioeventfd;
        vm->board.ioeventfd_set = armz_kvm_ioeventfd_set;
        vm->board.ioeventfd_opaque = vm;
    }
    armz_vmm_debug("virtio queue notifications: %s",
                   vm->board.ioeventfd ? "KVM_IOEVENTFD" : "MMIO exits");
    if (vm->firmware && !armz_firmware_attach(vm->firmware, vm, error))
        return FALSE;
    if (o->pci)
        armz_pci_window_choose(vm->ram_base + vm->ram_size, vm->ipa_bits, &vm->board.pci_high);
    if (!armz_irqchip_finalize(vm, error) || !armz_board_create_devices(&vm->board, error))
        return FALSE;
    armz_vm_block_setup(vm);
    armz_vm_hotplug_setup(vm);

    mpidr = g_new0(uint64_t, vm->nvcpus);
    for (unsigned i = 0; i < vm->nvcpus; i++)
        mpidr[i] = vm->vcpus[i].mpidr;
    memset(&fc, 0, sizeof(fc));
    fc.ram_base = vm->ram_base;
    fc.ram_size = vm->ram_size;
    fc.ncpus = vm->nvcpus;
    fc.mpidr = mpidr;
    fc.gic = vm->irqchip == ARMZ_IRQ_KERNEL_GICV3 ? ARMZ_GIC_V3 : ARMZ_GIC_V2;
    fc.cmdline = o->cmdline;
    fc.initrd_start = vm->layout.initrd_addr;
    fc.initrd_end = vm->layout.initrd_end;
    fc.nvirtio = vm->board.nmmio;
    fc.pci = o->pci;
    fc.msi = vm->msi;
    fc.pci_high = vm->board.pci_high;
    fc.firmware = vm->firmware != NULL;
    fc.sockets = o->sockets;
    fc.cores = o->cores;
    fc.threads = o->threads;
    if (vm->firmware) {
        /* the firmware hands its own command line and initrd to the OS */
        fc.cmdline = NULL;
        fc.initrd_start = fc.initrd_end = 0;
    }
    vm->dtb = armz_fdt_build(&fc, &vm->dtb_size, error);
    if (!vm->dtb)
        return FALSE;
    if (vm->firmware && !armz_firmware_load_config(vm->firmware, vm, error))
        return FALSE;
    start_step("devices and device tree made");
    if (!armz_vm_load_boot(vm, error))
        return FALSE;
    start_step("boot payload in guest RAM");
    armz_vmm_debug("kernel at 0x%" G_GINT64_MODIFIER "x, initrd 0x%" G_GINT64_MODIFIER
                   "x-0x%" G_GINT64_MODIFIER "x, dtb at 0x%" G_GINT64_MODIFIER "x (%zu bytes)",
                   (guint64)vm->layout.kernel_addr, (guint64)vm->layout.initrd_addr,
                   (guint64)vm->layout.initrd_end, (guint64)vm->layout.dtb_addr, vm->dtb_size);

    armz_serial_attach(vm->serial, vm->board.uart, vm->ctx);

    if (o->qmp_path || o->qmp_fd >= 0) {
#ifdef HAVE_ARMZ_QMP
        int fd = o->qmp_fd >= 0 ? o->qmp_fd : qmp_listen(o->qmp_path, error);
        if (fd < 0)
            return FALSE;
        vm->qmp = armz_qmp_server_new(fd, &armz_vm_qmp_ops, vm, error);
        if (!vm->qmp)
            return FALSE;
#else
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("this armz-vmm was built without QMP support"));
        return FALSE;
#endif
    }
    return TRUE;
}

int
main(int argc, char **argv)
{
    ArmzOptions opts;
    ArmzVm vm;
    g_autoptr(GError) err = NULL;
    int status;

    main_t0 = g_get_monotonic_time();
    setlocale(LC_ALL, "");
    bindtextdomain(GETTEXT_PACKAGE, LOCALEDIR);
    bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
    textdomain(GETTEXT_PACKAGE);

    memset(&opts, 0, sizeof(opts));
    if (!armz_options_parse(argc, argv, &opts, &err)) {
        fprintf(stderr, "armz-vmm: %s\n", err->message);
        fprintf(stderr, _("Try 'armz-vmm --help' for more information.\n"));
        return ARMZ_EXIT_USAGE;
    }
    armz_vmm_log_init(opts.name, opts.debug);
    armz_seccomp_set_mode(opts.seccomp);       /* threads load their filters */
    signal(SIGPIPE, SIG_IGN);

    memset(&vm, 0, sizeof(vm));
    vm.opts = &opts;
    vm.kvm_fd = vm.vm_fd = vm.vgic_fd = vm.its_fd = -1;
    g_mutex_init(&vm.lock);
    g_cond_init(&vm.cond);
    vm.ctx = g_main_context_default();
    vm.loop = g_main_loop_new(vm.ctx, FALSE);
    vm.state = opts.paused ? ARMZ_RUNSTATE_PAUSED : ARMZ_RUNSTATE_RUNNING;
    vm.user_paused = opts.paused;

    if (!vm_setup(&vm, &err) ||
        (opts.pidfile && !write_pidfile(opts.pidfile, &err)) ||
        !armz_vcpus_start(&vm, &err) ||
        !armz_seccomp_load_role(ARMZ_SANDBOX_MAIN, opts.seccomp, &err)) {
        fprintf(stderr, "armz-vmm: %s\n", err->message);
        armz_serial_close(vm.serial);
        if (opts.pidfile)
            unlink(opts.pidfile);
        return ARMZ_EXIT_FAILURE;
    }
    start_step("vCPUs started");
    g_unix_signal_add(SIGTERM, on_signal, &vm);
    g_unix_signal_add(SIGINT, on_signal, &vm);
    g_unix_signal_add(SIGHUP, on_signal, &vm);
    armz_seccomp_debug_arm();

    g_main_loop_run(vm.loop);

    /* let the QMP server flush the last event, then leave; vCPU threads are
     * parked and end with the process */
    status = vm.exit_status;
    if (vm.bus && armz_vmm_debug_enabled())
        armz_mmio_bus_debug_counts(vm.bus);
    g_mutex_lock(&vm.lock);
    vm.exiting = TRUE;
    g_cond_broadcast(&vm.cond);
    g_mutex_unlock(&vm.lock);
#ifdef HAVE_ARMZ_QMP
    if (vm.qmp) {
        for (int i = 0; i < 20 && g_main_context_iteration(vm.ctx, FALSE); i++)
            ;
        armz_qmp_server_free(vm.qmp);
    }
#endif
    armz_serial_close(vm.serial);
    if (opts.pidfile)
        unlink(opts.pidfile);
    if (opts.qmp_path)
        unlink(opts.qmp_path);
    fflush(stdout);
    fflush(stderr);
    _exit(status);
}
