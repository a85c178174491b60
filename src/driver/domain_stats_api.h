/* The statistics APIs of domains (virDomainGetVcpus, InterfaceStats,
 * MemoryStats, GetBlockInfo, virConnectGetAllDomainStats): check flags,
 * look up, read the host's figures under the object lock (domain_stats.c,
 * disk_info.c). Figures of an inactive domain fail with
 * VIR_ERR_OPERATION_INVALID, except in the all-domains statistics. */
#pragma once
#include <glib.h>
#include <libvirt/libvirt.h>
#include "driver/driver.h"

/* The virConnectGetAllDomainStats groups (virDomainStatsTypes) there are
 * figures for (block: armz-vmm's query-blockstats, domain_block.c). */
#define ARMZ_DOMAIN_STATS_GROUPS                                                  \
    (VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_CPU_TOTAL | VIR_DOMAIN_STATS_BALLOON | \
     VIR_DOMAIN_STATS_VCPU | VIR_DOMAIN_STATS_INTERFACE | VIR_DOMAIN_STATS_BLOCK)

typedef struct {
    gint64 rx_bytes, rx_packets, rx_errs, rx_drop;
    gint64 tx_bytes, tx_packets, tx_errs, tx_drop;
} ArmzIfaceStats;

typedef struct {
    guint64 capacity;       /* what the guest sees: the image's virtual size */
    guint64 allocation;     /* bytes the host has allocated for it */
    guint64 physical;       /* the file's size, or the block device's */
} ArmzBlockInfo;

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
