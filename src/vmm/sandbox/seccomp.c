/* armz-vmm's seccomp sandbox: builds a role's filter from its allow-list
 * (seccomp_rules.c) and loads it into the calling thread. See seccomp.h
 * for which thread loads what, and when. */
#include <errno.h>
#include <malloc.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <seccomp.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include "sandbox/seccomp_rules.h"
#include "vmmlog.h"

/* KVM's ioctl requests all carry its type 0xAE in bits 8-15 */
#define KVM_IOCTL_TYPE_MASK 0xff00u
#define KVM_IOCTL_TYPE      0xae00u

static ArmzSeccompMode seccomp_mode = ARMZ_SECCOMP_OFF;

gboolean
armz_seccomp_parse_mode(const char *s, ArmzSeccompMode *mode, GError **error)
{
    if (g_str_equal(s, "on"))
        *mode = ARMZ_SECCOMP_ON;
    else if (g_str_equal(s, "log"))
        *mode = ARMZ_SECCOMP_LOG;
    else if (g_str_equal(s, "off"))
        *mode = ARMZ_SECCOMP_OFF;
    else {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    _("--seccomp: unknown mode '%s' (on, log, off)"), s);
        return FALSE;
    }
    return TRUE;
}

const char *
armz_seccomp_role_name(ArmzSandboxRole role)
{
    switch (role) {
    case ARMZ_SANDBOX_MAIN: return "main";
    case ARMZ_SANDBOX_VCPU: return "vcpu";
    case ARMZ_SANDBOX_WORKER: return "worker";
    default: return "?";
    }
}

void
armz_seccomp_set_mode(ArmzSeccompMode mode)
{
    seccomp_mode = mode;
}

ArmzSeccompMode
armz_seccomp_get_mode(void)
{
    return seccomp_mode;
}

/* Adds RULE to CTX, whose only architecture is ARCH. */
static gboolean
add_rule(scmp_filter_ctx ctx, uint32_t arch, const ArmzSyscallRule *rule, GError **error)
{
    int on_arch = seccomp_syscall_resolve_name_arch(arch, rule->name);
    /* rules take the build machine's number: libseccomp translates it */
    int nr = seccomp_syscall_resolve_name(rule->name);
    int r = 0;

    if (on_arch == __NR_SCMP_ERROR || nr == __NR_SCMP_ERROR) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("seccomp: unknown system call '%s'"),
                    rule->name);
        return FALSE;
    }
    /* a name this architecture does not have (libseccomp's pseudo numbers
     * from -10000 down; those above are s390x's socketcall multiplexed
     * calls, which it turns into rules on socketcall and the direct call) */
    if (on_arch <= -10000)
        return TRUE;
    switch (rule->args) {
    case ARMZ_ARG_ANY:
        r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
        break;
    case ARMZ_ARG_IOCTL:
        r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
                             SCMP_A1_64(SCMP_CMP_MASKED_EQ, KVM_IOCTL_TYPE_MASK, KVM_IOCTL_TYPE));
        for (unsigned i = 0; r == 0 && i < armz_seccomp_n_tty_ioctls; i++)
            r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
                                 SCMP_A1_64(SCMP_CMP_MASKED_EQ, 0xffffffffu,
                                            armz_seccomp_tty_ioctls[i]));
        for (unsigned i = 0; r == 0 && i < armz_seccomp_n_vhost_ioctls; i++)
            r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
                                 SCMP_A1_64(SCMP_CMP_MASKED_EQ, 0xffffffffu,
                                            armz_seccomp_vhost_ioctls[i]));
        break;
    case ARMZ_ARG_IOCTL_TAP:
        for (unsigned i = 0; r == 0 && i < armz_seccomp_n_tap_ioctls; i++)
            r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
                                 SCMP_A1_64(SCMP_CMP_MASKED_EQ, 0xffffffffu,
                                            armz_seccomp_tap_ioctls[i]));
        break;
    case ARMZ_ARG_CLONE_THREAD:
        /* s390x's clone takes the stack first and the flags second */
        r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
                             SCMP_CMP(arch == SCMP_ARCH_S390X ? 1 : 0, SCMP_CMP_MASKED_EQ,
                                      CLONE_THREAD, CLONE_THREAD));
        break;
    case ARMZ_ARG_PRCTL_NAME:
        r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, SCMP_A0_64(SCMP_CMP_EQ, PR_SET_NAME));
        break;
    case ARMZ_ARG_SOCKETCALL:
        for (unsigned i = 0; r == 0 && i < armz_seccomp_n_socketcalls; i++)
            r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
                                 SCMP_A0_64(SCMP_CMP_EQ, armz_seccomp_socketcalls[i]));
        break;
    case ARMZ_ARG_SOCKETCALL_VHOST:
        for (unsigned i = 0; r == 0 && i < armz_seccomp_n_vhost_socketcalls; i++)
            r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
                                 SCMP_A0_64(SCMP_CMP_EQ, armz_seccomp_vhost_socketcalls[i]));
        break;
    case ARMZ_ARG_SOCKET_UNIX:
        r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, SCMP_A0_64(SCMP_CMP_EQ, AF_UNIX));
        break;
    case ARMZ_ARG_ENOSYS:
        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
        break;
    }
    if (r < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("seccomp: cannot add the rule for '%s': %s"),
                    rule->name, g_strerror(-r));
        return FALSE;
    }
    return TRUE;
}

static gboolean
add_rules(scmp_filter_ctx ctx, uint32_t arch, const ArmzSyscallRule *rules, GError **error)
{
    for (const ArmzSyscallRule *r = rules; r->name; r++)
        if (!add_rule(ctx, arch, r, error))
            return FALSE;
    return TRUE;
}

void *
armz_seccomp_build(ArmzSandboxRole role, uint32_t arch, uint32_t default_action, GError **error)
{
    scmp_filter_ctx ctx;
    uint32_t native = seccomp_arch_native();
    int r;

    g_return_val_if_fail(role < ARMZ_SANDBOX_N_ROLES, NULL);
    ctx = seccomp_init(default_action);
    if (!ctx) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("seccomp: cannot create a filter"));
        return NULL;
    }
    if (arch == 0)
        arch = native;
    /* one architecture only: a syscall made through another ABI (compat
     * arm32 on arm64) gets the default action too */
    r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, default_action);
    /* removed first: a filter's architectures must share one endianness */
    if (r == 0 && arch != native) {
        r = seccomp_arch_remove(ctx, native);
        if (r == 0)
            r = seccomp_arch_add(ctx, arch);
    }
    if (r < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0, _("seccomp: cannot set up a filter: %s"),
                    g_strerror(-r));
        seccomp_release(ctx);
        return NULL;
    }
    if (!add_rules(ctx, arch, armz_seccomp_common, error) ||
        !add_rules(ctx, arch, armz_seccomp_roles[role], error)) {
        seccomp_release(ctx);
        return NULL;
    }
    return ctx;
}

/* this thread has loaded its filter */
static __thread gboolean thread_filtered;

/* glibc's malloc counts the CPUs (an openat of /sys/devices/system/cpu)
 * when a thread needs a 9th arena, which a VMM with many device threads
 * does after its filters are on: set now the limit glibc would compute
 * then (8 arenas per CPU on 64-bit hosts, 2 on 32-bit ones). */
static void
fix_malloc_arena_limit(void)
{
    static gsize done;

    if (g_once_init_enter(&done)) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        mallopt(M_ARENA_MAX, (int)(n > 0 ? n : 1) * (sizeof(long) == 4 ? 2 : 8));
        g_once_init_leave(&done, 1);
    }
}

gboolean
armz_seccomp_load_role(ArmzSandboxRole role, ArmzSeccompMode mode, GError **error)
{
    scmp_filter_ctx ctx;
    int r;

    if (mode == ARMZ_SECCOMP_OFF)
        return TRUE;
    fix_malloc_arena_limit();
    /* level 3: SCMP_ACT_KILL_PROCESS and SCMP_ACT_LOG (Linux 4.14) */
    if (seccomp_api_get() < 3) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("seccomp: this kernel cannot kill a process or log from a filter "
                      "(libseccomp API level %u, 3 needed); use --seccomp=off"),
                    seccomp_api_get());
        return FALSE;
    }
    ctx = armz_seccomp_build(role, 0,
                             mode == ARMZ_SECCOMP_LOG ? SCMP_ACT_LOG : SCMP_ACT_KILL_PROCESS,
                             error);
    if (!ctx)
        return FALSE;
    /* sets no_new_privs first (libseccomp's default), which an
     * unprivileged VMM needs to load a filter */
    r = seccomp_load(ctx);
    seccomp_release(ctx);
    if (r < 0) {
        g_set_error(error, ARMZ_VMM_ERROR, 0,
                    _("seccomp: cannot load the filter of the %s thread: %s"),
                    armz_seccomp_role_name(role), g_strerror(-r));
        return FALSE;
    }
    thread_filtered = TRUE;
    return TRUE;
}

gboolean
armz_seccomp_thread_filtered(void)
{
    return thread_filtered;
}

void
armz_seccomp_enter(ArmzSandboxRole role)
{
    g_autoptr(GError) err = NULL;

    if (armz_seccomp_load_role(role, seccomp_mode, &err))
        return;
    fprintf(stderr, "armz-vmm: %s\n", err->message);
    _exit(1);
}

int
armz_seccomp_debug_syscall(void)
{
    /* magic 0 is invalid: EINVAL (or EPERM) when the call is let through */
    long r = syscall(SYS_reboot, 0L, 0L, 0L, NULL);
    int err = r < 0 ? errno : 0;

    armz_vmm_warn(_("debug: the forbidden system call reboot(2) returned: %s"),
                  g_strerror(err));
    return -err;
}

static gboolean
debug_signal(gpointer data)
{
    armz_seccomp_debug_syscall();
    return G_SOURCE_CONTINUE;
}

void
armz_seccomp_debug_arm(void)
{
    if (g_getenv("ARMZ_VMM_DEBUG_SYSCALL_ON_SIGUSR2"))
        g_unix_signal_add(SIGUSR2, debug_signal, NULL);
}
