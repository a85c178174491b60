/* armz-host-validate: the checks of this host, one result each. */
#pragma once
#include <glib.h>

typedef enum {
    ARMZ_CHECK_PASS,
    ARMZ_CHECK_WARN,
    ARMZ_CHECK_FAIL,
} ArmzCheckStatus;

typedef struct {
    char *id;               /* stable, for --json readers: "kvm-device", ... */
    char *title;            /* "Checking ..." line, translated */
    ArmzCheckStatus status;
    char *detail;           /* why, or what was found; may be NULL */
} ArmzCheck;

/* Where the host checks look; tests point them at fake trees. */
typedef struct {
    const char *machine;        /* uname -m */
    const char *cpuinfo;        /* /proc/cpuinfo */
    const char *tun;            /* /dev/net/tun */
    const char *cgroup_root;    /* /sys/fs/cgroup */
    const char *thp_enabled;    /* /sys/kernel/mm/transparent_hugepage/enabled */
    const char *meminfo;        /* /proc/meminfo */
} ArmzHostPaths;

void armz_host_paths_default(ArmzHostPaths *paths);

const char *armz_check_status_name(ArmzCheckStatus st);
/* Appends a result to LIST (a GPtrArray of ArmzCheck, freed with
 * armz_check_free). */
ArmzCheck *armz_check_add(GPtrArray *list, const char *id, const char *title,
                          ArmzCheckStatus status, const char *detail_fmt, ...)
    G_GNUC_PRINTF(5, 6);
void armz_check_free(gpointer check);
/* The worst status in LIST (PASS when empty). */
ArmzCheckStatus armz_checks_worst(GPtrArray *list);

/* checks_kvm.c: the KVM device (DEVICE NULL: as armz-vmm chooses), its
 * permissions and capabilities; the Arm facility on s390x. */
void armz_check_kvm(GPtrArray *list, const char *device, const ArmzHostPaths *paths);
/* TRUE when the "features" line of CPUINFO lists FLAG. */
gboolean armz_cpuinfo_has_feature(const char *cpuinfo_text, const char *flag);

/* checks_host.c: /dev/net/tun, cgroup v2 controllers, huge pages. */
void armz_check_tun(GPtrArray *list, const ArmzHostPaths *paths);
void armz_check_cgroups(GPtrArray *list, const ArmzHostPaths *paths);
void armz_check_hugepages(GPtrArray *list, const ArmzHostPaths *paths);

/* report.c */
void armz_checks_print(GPtrArray *list, gboolean quiet);
char *armz_checks_to_json(GPtrArray *list);
