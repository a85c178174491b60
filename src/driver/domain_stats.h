/* Statistics of a running domain, read from the host: CPU time of the
 * armz-vmm process and of each of its "vcpuN" threads and its resident
 * memory (/proc), and the counters of the guest's taps (/sys/class/net).
 * What libvirt's QEMU driver asks QEMU for, the kernel knows here. The
 * armz_domain_* calls want the domain object locked and fail with
 * VIR_ERR_OPERATION_INVALID when the domain is not running; the API entry
 * points (armz_driver_*, domain_stats_api.c) are at the end. */
#pragma once
#include <sys/types.h>
#include <glib.h>
#include <libvirt/libvirt.h>
#include "driver/disk_info.h"
#include "driver/domain_obj.h"
#include "driver/driver.h"

typedef struct {
    guint64 cpu_time_ns;        /* user + system */
    guint64 user_ns, system_ns;
    int cpu;                    /* the host CPU it last ran on */
} ArmzThreadStat;

/* /proc/PID/stat (TID 0) or /proc/PID/task/TID/stat. */
gboolean armz_proc_thread_stat(pid_t pid, pid_t tid, ArmzThreadStat *out);

typedef struct {
    guint number;
    pid_t tid;
    ArmzThreadStat stat;
} ArmzVcpuStat;

/* The domain's vCPUs (ArmzVcpuStat), by number. */
GArray *armz_domain_vcpu_stats(ArmzDomainObj *obj, GError **error);

typedef struct {
    gint64 rx_bytes, rx_packets, rx_errs, rx_drop;
    gint64 tx_bytes, tx_packets, tx_errs, tx_drop;
} ArmzIfaceStats;

/* Counters of the interface PATH (its tap name or its MAC address), as the
 * guest sees them: what the tap sends, the guest receives. */
gboolean armz_domain_interface_stats(ArmzDomainObj *obj, const char *path, ArmzIfaceStats *out,
                                     GError **error);

/* Resident memory of the VMM process, in KiB. */
gboolean armz_domain_rss_kib(ArmzDomainObj *obj, guint64 *out, GError **error);

/* The virConnectGetAllDomainStats groups (virDomainStatsTypes) there are
 * figures for: block I/O is counted nowhere (armz-vmm keeps no counters). */
#define ARMZ_DOMAIN_STATS_GROUPS                                                  \
    (VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_CPU_TOTAL | VIR_DOMAIN_STATS_BALLOON | \
     VIR_DOMAIN_STATS_VCPU | VIR_DOMAIN_STATS_INTERFACE)

/* Appends OBJ's statistics of GROUPS to PARAMS (armz_typed_params_new),
 * with libvirt's field names; an inactive domain has its state, memory and
 * vCPU counts only. Unlike the calls above, this does not fail: figures
 * that cannot be read are left out, as libvirt does. */
void armz_domain_stats_collect(ArmzDomainObj *obj, unsigned int groups, GArray *params);

/* The API entry points: check flags, look up, read under the object lock. */

typedef struct {
    guint number;
    int state;                  /* virVcpuState */
    guint64 cpu_time_ns;
    int cpu;                    /* the host CPU it last ran on */
} ArmzVcpuInfo;

/* virDomainGetVcpus: up to MAXINFO vCPUs into INFO and, when CPUMAPS is
 * not NULL, each one's affinity into its MAPLEN bytes of CPUMAPS (zeroed
 * by the caller). Returns how many, or -1. */
int armz_driver_get_vcpus(ArmzDriver *drv, const ArmzDomainId *dom, ArmzVcpuInfo *info,
                          int maxinfo, guchar *cpumaps, int maplen, GError **error);
gboolean armz_driver_interface_stats(ArmzDriver *drv, const ArmzDomainId *dom,
                                     const char *path, ArmzIfaceStats *out, GError **error);

typedef struct {
    int tag;                    /* virDomainMemoryStatTags */
    guint64 val;
} ArmzMemoryStat;

/* virDomainMemoryStats: up to NR_STATS figures into STATS; how many, or -1. */
int armz_driver_memory_stats(ArmzDriver *drv, const ArmzDomainId *dom, ArmzMemoryStat *stats,
                             guint nr_stats, unsigned int flags, GError **error);
gboolean armz_driver_get_block_info(ArmzDriver *drv, const ArmzDomainId *dom, const char *path,
                                    unsigned int flags, ArmzBlockInfo *out, GError **error);

typedef struct {
    ArmzDomainId dom;
    GArray *params;             /* ArmzTypedParam */
} ArmzDomainStatsRecord;

/* virConnectGetAllDomainStats (NDOMS 0: the host's domains FLAGS filter)
 * and virDomainListGetStats (the NDOMS domains DOMS): ArmzDomainStatsRecord
 * pointers, freed with the array. */
GPtrArray *armz_driver_get_all_domain_stats(ArmzDriver *drv, const ArmzDomainId *doms,
                                            guint ndoms, unsigned int stats,
                                            unsigned int flags, GError **error);
