/* The allow-lists of armz-vmm's thread roles (seccomp_rules.c), read by
 * seccomp.c. Internal to src/vmm/sandbox. */
#pragma once
#include <stdint.h>
#include "sandbox/seccomp.h"

typedef enum {
    ARMZ_ARG_ANY,           /* any arguments */
    ARMZ_ARG_IOCTL,         /* ioctl: KVM requests, a few terminal and vhost ones */
    ARMZ_ARG_CLONE_THREAD,  /* clone: threads only (CLONE_THREAD set) */
    ARMZ_ARG_PRCTL_NAME,    /* prctl(PR_SET_NAME) only */
    ARMZ_ARG_ENOSYS,        /* refused with ENOSYS (clone3: glibc falls back to clone) */
    ARMZ_ARG_SOCKETCALL,    /* s390x socketcall: the main loop's socket calls only */
    ARMZ_ARG_SOCKET_UNIX,   /* socket(AF_UNIX, ...) only */
    ARMZ_ARG_SOCKETCALL_VHOST,  /* s390x socketcall: the vhost-user calls only */
    ARMZ_ARG_IOCTL_TAP,     /* ioctl: the tap requests of a NIC's device_add only */
} ArmzArgRule;

typedef struct {
    const char *name;       /* libseccomp's name; absent on an arch: skipped */
    ArmzArgRule args;
} ArmzSyscallRule;

/* NULL-terminated lists: every role's list is common + its own. */
extern const ArmzSyscallRule armz_seccomp_common[];
extern const ArmzSyscallRule *const armz_seccomp_roles[ARMZ_SANDBOX_N_ROLES];

/* ioctl requests every role may make besides KVM's (type 0xAE) */
extern const unsigned long armz_seccomp_tty_ioctls[];
extern const unsigned armz_seccomp_n_tty_ioctls;
extern const unsigned long armz_seccomp_vhost_ioctls[];
extern const unsigned armz_seccomp_n_vhost_ioctls;
extern const unsigned long armz_seccomp_tap_ioctls[];
extern const unsigned armz_seccomp_n_tap_ioctls;
extern const unsigned long armz_seccomp_socketcalls[];
extern const unsigned armz_seccomp_n_socketcalls;
extern const unsigned long armz_seccomp_vhost_socketcalls[];
extern const unsigned armz_seccomp_n_vhost_socketcalls;
