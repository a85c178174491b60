/* A cgroup v2 per running domain, libvirt's layout without systemd:
 * ROOT/machine.slice/machine-armz\x2dID\x2dNAME.scope, where
 * "armz-ID-NAME" is the machine name given to systemd-machined (machined.h)
 * escaped as systemd escapes unit names, so that where machined is there
 * its scope for the guest is this same directory.  ROOT is /sys/fs/cgroup
 * when a cgroup2 file system is mounted there, or $ARMZ_CGROUP_ROOT (tests:
 * any directory).  Values follow libvirt's cgroup v2 mapping:
 *   <cputune><shares>     cpu.weight (as is, 1..10000)
 *   <period>, <quota>      cpu.max "QUOTA*VCPUS PERIOD": the vCPU quota is
 *                          per vCPU, the domain has one cgroup for all
 *   <memtune><hard_limit>  memory.max     <soft_limit> memory.high
 *   <swap_hard_limit>      memory.swap.max ("max" when unlimited)
 *   <blkiotune><weight>    io.bfq.weight, else io.weight "default N" */
#pragma once
#include <sys/types.h>
#include <glib.h>
#include "conf/domain_conf.h"

/* The hierarchy's root, or NULL when the host has no cgroup v2 there. */
char *armz_cgroup_root(void);

/* systemd's escaping of one unit name part ("-" is "\x2d"). */
char *armz_cgroup_escape(const char *part);

/* ROOT/machine.slice/machine-ESCAPED.scope of the domain NAME with ID. */
char *armz_cgroup_domain_path(const char *root, const char *name, int id);

/* Makes the domain's cgroup (controllers enabled on the way) and writes
 * DEF's limits into it.  *PATH: the cgroup, NULL when the host has none
 * (not an error unless DEF has limits); *PROCS_FD: its cgroup.procs open
 * for writing (-1 without a cgroup), for armz_cgroup_enter(). */
gboolean armz_cgroup_create(const ArmzDomainDef *def, int id, char **path, int *procs_fd,
                            GError **error);

/* In the child between fork and exec (async-signal-safe): joins the cgroup
 * whose cgroup.procs is FD; nothing when FD < 0. */
void armz_cgroup_enter(int fd);

/* systemd properties (a(sv), floating) that give machined's scope of the
 * domain the same limits, and delegate it so that systemd leaves its
 * controllers enabled. */
GVariant *armz_cgroup_scope_properties(const ArmzDomainDef *def);

/* Removes the cgroup at PATH (NULL: nothing) once its processes are gone. */
void armz_cgroup_remove(const char *path);

/* Setters and getters of one value each, in libvirt's units (KiB, µs);
 * memory limits of ARMZ_TUNE_MEMORY_UNLIMITED (or 0) are "max", a quota of
 * -1 is "max". */
gboolean armz_cgroup_set_cpu_weight(const char *path, guint64 shares, GError **error);
gboolean armz_cgroup_get_cpu_weight(const char *path, guint64 *shares, GError **error);
gboolean armz_cgroup_set_cpu_max(const char *path, gint64 quota, guint64 period,
                                 unsigned int vcpus, GError **error);
gboolean armz_cgroup_get_cpu_max(const char *path, unsigned int vcpus, gint64 *quota,
                                 guint64 *period, GError **error);
/* FILE: "memory.max", "memory.high" or "memory.swap.max" */
gboolean armz_cgroup_set_memory(const char *path, const char *file, guint64 kib,
                                GError **error);
gboolean armz_cgroup_get_memory(const char *path, const char *file, guint64 *kib,
                                GError **error);
gboolean armz_cgroup_set_io_weight(const char *path, unsigned int weight, GError **error);
gboolean armz_cgroup_get_io_weight(const char *path, unsigned int *weight, GError **error);
/* cpu.stat: usage, user and system time in ns */
gboolean armz_cgroup_cpu_stat(const char *path, guint64 *total_ns, guint64 *user_ns,
                              guint64 *system_ns);

/* Pins the vCPU threads TIDS[i] (by vCPU number, 0 when unknown) as
 * TUNE's <vcpupin> ask. */
gboolean armz_cgroup_pin_vcpus(const ArmzDomainTuneDef *tune, const pid_t *tids, guint ntids,
                               GError **error);
