/* Resource tuning of a domain: <cputune>, <memtune> and <blkiotune>, the
 * limits the driver applies through the domain's cgroup. */
#pragma once
#include <glib.h>

/* libvirt's ranges (its cgroup code and domain validator) */
#define ARMZ_TUNE_PERIOD_MIN 1000ULL
#define ARMZ_TUNE_PERIOD_MAX 1000000ULL
#define ARMZ_TUNE_QUOTA_MIN 1000LL
#define ARMZ_TUNE_QUOTA_MAX 17592186044415LL
#define ARMZ_TUNE_SHARES_MAX 262144ULL
#define ARMZ_TUNE_BLKIO_WEIGHT_MIN 100U
#define ARMZ_TUNE_BLKIO_WEIGHT_MAX 1000U
/* VIR_DOMAIN_MEMORY_PARAM_UNLIMITED: no limit, in KiB */
#define ARMZ_TUNE_MEMORY_UNLIMITED 9007199254740991ULL

/* <cputune><vcpupin vcpu='N' cpuset='LIST'/> */
typedef struct {
    unsigned int vcpu;
    char *cpuset;
} ArmzDomainVcpuPinDef;

typedef struct {
    gboolean has_shares;        /* <shares> given (0 is a value) */
    guint64 shares;
    guint64 period;             /* µs; 0 = absent */
    gint64 quota;               /* µs; 0 = absent, -1 = unlimited */
    GPtrArray *vcpupins;        /* ArmzDomainVcpuPinDef*; NULL = none */
    /* <memtune>, KiB; 0 = absent (no limit) */
    guint64 hard_limit_kib;
    guint64 soft_limit_kib;
    guint64 swap_hard_limit_kib;
    unsigned int blkio_weight;  /* <blkiotune><weight>; 0 = absent */
} ArmzDomainTuneDef;

void armz_domain_tune_clear(ArmzDomainTuneDef *tune);

/* Range checks of the values (libvirt's define-time messages). */
gboolean armz_domain_tune_check(const ArmzDomainTuneDef *tune, unsigned int vcpus,
                                GError **error);

/* libvirt's CPU list syntax ("0-3,^2,6"): CPUs below MAX into *SET
 * (a cpu_set_t); FALSE on a syntax error or a CPU >= MAX. */
gboolean armz_cpuset_parse(const char *str, unsigned int max, void *set);
