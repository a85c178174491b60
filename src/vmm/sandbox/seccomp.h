/* armz-vmm's seccomp sandbox: one allow-list per thread role, built with
 * libseccomp for the architecture armz-vmm runs on (arm64 or s390x).
 *
 * Filters are per thread (installed without TSYNC): the vCPU threads and
 * the virtio worker threads each load their own role's filter when they
 * start, before they touch anything the guest controls; the main thread
 * loads its own once setup is over (KVM fds, memory, devices, sockets) and
 * the threads above exist, before the main loop serves the guest and QMP.
 * TSYNC is not used because the kernel refuses it once any thread carries a
 * filter that is not an ancestor of the caller's (every worker does), and
 * because one process-wide filter would have to allow the union of the
 * roles. The one thread the main thread still creates afterwards (GLib's
 * worker, for signal sources) inherits the main filter. */
#pragma once
#include <stdint.h>
#include <glib.h>

typedef enum {
    ARMZ_SECCOMP_OFF,
    ARMZ_SECCOMP_ON,        /* any syscall off the allow-list kills the VMM */
    ARMZ_SECCOMP_LOG,       /* ... is logged by the kernel (audit) and runs */
} ArmzSeccompMode;

typedef enum {
    ARMZ_SANDBOX_MAIN,      /* main loop: QMP, serial input, timers, exit */
    ARMZ_SANDBOX_VCPU,      /* KVM_RUN and the MMIO/hypercall exits */
    ARMZ_SANDBOX_WORKER,    /* one per virtio device: disk, tap, rng, console I/O */
    ARMZ_SANDBOX_N_ROLES
} ArmzSandboxRole;

/* "on", "log" or "off" (--seccomp). */
gboolean armz_seccomp_parse_mode(const char *s, ArmzSeccompMode *mode, GError **error);
const char *armz_seccomp_role_name(ArmzSandboxRole role);

/* The mode threads apply when they enter their role: set once by main()
 * before any thread starts (default off, so that unit tests linking the
 * device code run unfiltered). */
void armz_seccomp_set_mode(ArmzSeccompMode mode);
ArmzSeccompMode armz_seccomp_get_mode(void);

/* Builds ROLE's filter for ARCH (an SCMP_ARCH_* token; 0: the running
 * architecture) with DEFAULT_ACTION for every syscall off the list, and
 * loads it into the calling thread unless LOAD is FALSE. Returns the
 * libseccomp context (the caller releases it) or NULL with ERROR set. */
void *armz_seccomp_build(ArmzSandboxRole role, uint32_t arch, uint32_t default_action,
                         GError **error);
gboolean armz_seccomp_load_role(ArmzSandboxRole role, ArmzSeccompMode mode, GError **error);

/* Thread hooks: loads ROLE's filter in the calling thread with the mode set
 * by armz_seccomp_set_mode(); a thread that cannot do so ends the process
 * (it must not serve the guest unfiltered). */
void armz_seccomp_enter(ArmzSandboxRole role);
/* The calling thread has loaded a filter: a thread it starts now inherits
 * it and cannot load its own (no seccomp(2) in the main list, which lists
 * what a hot-added device's worker does). */
gboolean armz_seccomp_thread_filtered(void);

/* x-armz-debug-syscall: makes a syscall no role allows (reboot(2) with an
 * invalid magic, which does nothing when it is allowed to run): under
 * --seccomp=on the kernel kills the VMM. Returns its -errno otherwise. */
int armz_seccomp_debug_syscall(void);
/* With ARMZ_VMM_DEBUG_SYSCALL_ON_SIGUSR2 in the environment, SIGUSR2 makes
 * the main loop do the same (for tests of a VMM whose QMP socket the daemon
 * holds). Main thread, before the main loop runs. */
void armz_seccomp_debug_arm(void);
