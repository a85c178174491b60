/* armz-vmm: the virtual machine of one guest. */
#pragma once
#include <pthread.h>
#include <stdint.h>
#include <glib.h>
#include "kvm/arm64-uapi.h"
#include "options.h"
#include "boot/image.h"
#include "boot/bootfile.h"
#include "boot/fdt.h"
#include "boot/firmware.h"
#include "devices/devices.h"
#include "irq/ugic.h"
#include "irq/gicv2m.h"
#include "qmp/qmp_server.h"
#include "pci/hotplug.h"

typedef struct _ArmzVm ArmzVm;
typedef struct _ArmzSerial ArmzSerial;

typedef enum {
    ARMZ_IRQ_KERNEL_GICV3,
    ARMZ_IRQ_KERNEL_GICV2,
    ARMZ_IRQ_USER_GICV2,
} ArmzIrqchipKind;

typedef enum {
    ARMZ_VCPU_OFF,
    ARMZ_VCPU_ON_PENDING,   /* PSCI CPU_ON accepted, thread not yet running */
    ARMZ_VCPU_ON,
} ArmzVcpuPower;

typedef struct {
    ArmzVm *vm;
    unsigned index;
    int fd;
    struct kvm_run *run;
    pthread_t thread;
    gboolean started;
    uint64_t mpidr;
    ArmzVcpuPower power;        /* userspace PSCI only; ON otherwise */
    uint64_t entry, context;    /* CPU_ON arguments */
    uint64_t irq_level;         /* last kvm_run device_irq_level seen */
    gint irq_line_want;         /* userspace GIC: IRQ line level to apply (atomic) */
    int irq_line_set;           /* level last given to KVM, by this vCPU's thread */
    gboolean parked;            /* waiting outside KVM_RUN */
} ArmzVcpu;

struct _ArmzVm {
    ArmzOptions *opts;

    /* KVM */
    char *kvm_path;
    int kvm_fd;
    int vm_fd;
    size_t run_size;
    unsigned ipa_bits;
    gboolean kernel_psci;
    gboolean smccc_filter;      /* PSCI forwarded to us by the SMCCC filter */
    uint64_t caps_refused[4];   /* s390 profile: capabilities already logged */
    ArmzIrqchipKind irqchip;
    int vgic_fd;
    ArmzUgic *ugic;
    /* --pci: where MSIs go (the in-kernel ITS, or the GICv2m frame) */
    ArmzMsiKind msi;
    int its_fd;
    ArmzGicv2m v2m;
    struct armz_kvm_vcpu_init vcpu_init;   /* features used for every vCPU */

    /* memory */
    uint8_t *ram;
    uint64_t ram_base, ram_size;
    int ram_fd;                 /* --memfd: the memfd RAM maps, -1 otherwise */

    unsigned nvcpus;
    ArmzVcpu *vcpus;

    /* devices */
    ArmzMmioBus *bus;
    ArmzBoard board;
    ArmzHotplug *hotplug;       /* device_add / device_del (pci/hotplug.c) */
    ArmzSerial *serial;
    guint power_key_timer;

    /* firmware boot (--flash-code), NULL otherwise */
    ArmzFirmware *firmware;

    /* boot payload, read again at a reset (NULL when not given) */
    ArmzBootFile *kernel, *initrd;
    ArmzImageInfo image;
    ArmzBootLayout layout;
    void *dtb;
    size_t dtb_size;

    /* run control: vCPUs run while !user_paused && !hold && !exiting */
    GMutex lock;
    GCond cond;
    gboolean user_paused;
    unsigned hold;              /* internal stops (reset, shutdown) in progress */
    gboolean exiting;
    unsigned parked;
    ArmzRunState state;

    GMainContext *ctx;
    GMainLoop *loop;
    ArmzQmpServer *qmp;
    int exit_status;
    gboolean finished;
};

/* kvm/kvm.c */
gboolean armz_kvm_open(ArmzVm *vm, GError **error);
gboolean armz_kvm_create_vm(ArmzVm *vm, GError **error);
gboolean armz_kvm_create_vcpus(ArmzVm *vm, GError **error);
gboolean armz_kvm_vcpu_reset(ArmzVcpu *vcpu, gboolean power_off, GError **error);
int armz_kvm_get_reg(ArmzVcpu *vcpu, uint64_t id, uint64_t *val);
int armz_kvm_set_reg(ArmzVcpu *vcpu, uint64_t id, uint64_t val);
/* KVM_CHECK_EXTENSION of CAP, 0 where the KVM profile does not let
 * armz-vmm ask for CAP (logged once per capability). */
int armz_kvm_check_cap(ArmzVm *vm, long cap);
/* The KVM profile of VM (native where VM has no options, e.g. the probe). */
ArmzKvmProfile armz_vm_kvm_profile(const ArmzVm *vm);
/* ArmzIoeventfdFn (OPAQUE: the ArmzVm) */
int armz_kvm_ioeventfd(void *opaque, uint64_t addr, unsigned len, uint64_t datamatch, int fd);
int armz_kvm_ioeventfd_set(void *opaque, uint64_t addr, unsigned len, uint64_t datamatch, int fd,
                           bool assign);

/* kvm/smccc.c: chooses in-kernel or userspace PSCI (sets kernel_psci and
 * smccc_filter); before the vCPUs are created */
gboolean armz_kvm_psci_setup(ArmzVm *vm, GError **error);
gboolean armz_kvm_has_smccc_filter(int vm_fd);

/* kvm/vcpu.c */
gboolean armz_vcpus_start(ArmzVm *vm, GError **error);
void armz_vcpu_kick(ArmzVcpu *vcpu);
/* Sets the registers for kernel entry (vCPU 0) or a PSCI CPU_ON. */
int armz_vcpu_set_entry(ArmzVcpu *vcpu, uint64_t pc, uint64_t x0);

/* irq/irqchip.c */
gboolean armz_irqchip_setup(ArmzVm *vm, GError **error);
gboolean armz_irqchip_finalize(ArmzVm *vm, GError **error);
void armz_irqchip_reset(ArmzVm *vm);
void armz_vgic_reset(ArmzVm *vm);                  /* irq/vgic_reset.c */
void armz_irqchip_sync_timer(ArmzVcpu *vcpu);   /* userspace GIC: timer level */
void armz_irqchip_apply_line(ArmzVcpu *vcpu);   /* userspace GIC: IRQ line to KVM */
/* The vCPU whose thread this is (NULL on other threads). */
extern __thread ArmzVcpu *armz_current_vcpu;

/* kvm/vcpu.c: KVM_EXIT_HYPERCALL -> psci/psci.c */
void armz_vcpu_hypercall(ArmzVcpu *vcpu);

/* vm.c: run control; all but the _request functions run on the main thread */
void armz_vm_pause_all(ArmzVm *vm);         /* internal hold, waits */
void armz_vm_release_all(ArmzVm *vm);
gboolean armz_vm_stop(ArmzVm *vm);          /* QMP stop */
gboolean armz_vm_cont(ArmzVm *vm);          /* QMP cont */
gboolean armz_vm_reset(ArmzVm *vm, GError **error);
gboolean armz_vm_load_boot(ArmzVm *vm, GError **error);
void armz_vm_finish(ArmzVm *vm, int status, const char *reason, gboolean guest);
void armz_vm_powerdown(ArmzVm *vm);
void armz_vm_emit(ArmzVm *vm, const char *event, const char *data_json);

/* media.c: QMP eject / blockdev-change-medium on the SCSI CD-ROMs, and
 * their DEVICE_TRAY_MOVED events (init once the devices are open) */
void armz_vm_media_init(ArmzVm *vm);
gboolean armz_vm_media_eject(gpointer opaque, const char *id, gboolean force, GError **error);
gboolean armz_vm_media_change(gpointer opaque, const char *id, int fd, GError **error);
/* from vCPU threads: stop every vCPU now, then act on the main thread */
void armz_vm_request_shutdown(ArmzVm *vm);
void armz_vm_request_reset(ArmzVm *vm);
void armz_vm_request_fatal(ArmzVm *vm, char *message);   /* takes MESSAGE */
/* vCPU thread: blocks while the vCPU must not run; FALSE when exiting */
gboolean armz_vm_vcpu_wait(ArmzVcpu *vcpu);

/* devices/serial.c */
ArmzSerial *armz_serial_open(const ArmzOptions *opts, GError **error);
void armz_serial_attach(ArmzSerial *s, ArmzPl011 *uart, GMainContext *ctx);
void armz_serial_tx(void *opaque, uint8_t byte);
void armz_serial_close(ArmzSerial *s);

/* control.c */
extern const ArmzQmpOps armz_vm_qmp_ops;
/* hotplug (control.c): after armz_board_create_devices */
void armz_vm_hotplug_setup(ArmzVm *vm);
/* Device events (BALLOON_CHANGE) to QMP; after armz_board_open_virtio. */
void armz_vm_control_attach(ArmzVm *vm);

/* block.c: the disks' error policy, counters and resize (main thread) */
void armz_vm_block_setup(ArmzVm *vm);
void armz_vm_block_resume(ArmzVm *vm);      /* cont: retry stopped requests */
char *armz_vm_query_blockstats(ArmzVm *vm);
char *armz_vm_query_block(ArmzVm *vm);
gboolean armz_vm_block_resize(ArmzVm *vm, const char *device, guint64 size, GError **error);
/* vm.c: a disk error under policy 'stop' (state io-error) */
gboolean armz_vm_stop_io_error(ArmzVm *vm);
