/* Statistics of a running domain, read from the host: CPU time of the
 * armz-vmm process and of each of its "vcpuN" threads and its resident
 * memory (/proc), and the counters of the guest's taps (/sys/class/net).
 * What libvirt's QEMU driver asks QEMU for, the kernel knows here. The
 * armz_domain_* calls want the domain object locked and fail with
 * VIR_ERR_OPERATION_INVALID when the domain is not running. The API entry
 * points around them are in domain_stats_api.h. */
#pragma once
#include <sys/types.h>
#include <glib.h>
#include <libvirt/libvirt.h>
#include "driver/domain_obj.h"
#include "driver/domain_stats_api.h"

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

/* Counters of the interface PATH (its tap name or its MAC address), as the
 * guest sees them: what the tap sends, the guest receives. */
gboolean armz_domain_interface_stats(ArmzDomainObj *obj, const char *path, ArmzIfaceStats *out,
                                     GError **error);

/* Resident memory of the VMM process, in KiB. */
gboolean armz_domain_rss_kib(ArmzDomainObj *obj, guint64 *out, GError **error);

/* Appends OBJ's statistics of GROUPS to PARAMS (armz_typed_params_new),
 * with libvirt's field names; an inactive domain has its state, memory and
 * vCPU counts only. Unlike the calls above, this does not fail: figures
 * that cannot be read are left out, as libvirt does. */
void armz_domain_stats_collect(ArmzDomainObj *obj, unsigned int groups, GArray *params);
