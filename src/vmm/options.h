/* Command line of armz-vmm. */
#pragma once
#include <glib.h>

typedef enum {
    ARMZ_SERIAL_STDIO,
    ARMZ_SERIAL_PTY,
    ARMZ_SERIAL_FILE,
    ARMZ_SERIAL_FD,
    ARMZ_SERIAL_NONE,
} ArmzSerialKind;

typedef enum {
    ARMZ_IRQCHIP_AUTO,
    ARMZ_IRQCHIP_KERNEL,
    ARMZ_IRQCHIP_USERSPACE,
} ArmzIrqchipMode;

typedef struct {
    char *name;
    char *kernel;
    char *initrd;
    char *cmdline;
    guint64 memory_mib;
    guint vcpus;
    ArmzSerialKind serial;
    char *serial_path;      /* file: PATH */
    int serial_fd;          /* fd: N */
    char *pty_file;         /* where to write the pty path */
    char *qmp_path;
    int qmp_fd;             /* -1: none */
    char *kvm_device;       /* NULL: probe */
    ArmzIrqchipMode irqchip;
    char *pidfile;
    gboolean paused;
    gboolean debug;
} ArmzOptions;

#define ARMZ_EXIT_FAILURE 1
#define ARMZ_EXIT_USAGE   2

/* Parses ARGV; on error returns FALSE with ERROR set (exit status 2).
 * "--help" prints and exits. */
gboolean armz_options_parse(int argc, char **argv, ArmzOptions *opts, GError **error);
void armz_options_clear(ArmzOptions *opts);
const char *armz_irqchip_mode_name(ArmzIrqchipMode mode);
