/* The armz hypervisor driver: what each libvirt API does with domains and
 * the host, independent of the RPC layer. Entry points follow libvirt's
 * sequence: check flags, look up, (access is checked by the dispatcher),
 * begin job, check state, act, end job. The daemon only converts wire
 * arguments and results: it never locks an object or reads the driver's
 * state. Errors are GErrors in ARMZ_ERROR. The query, statistics and
 * lifecycle APIs are in domain_query.h, domain_stats_api.h and lifecycle.h;
 * the objects (domain_obj.h) are the driver's own. */
#pragma once
#include <glib.h>
#include <sys/types.h>
#include "driver/domain_event.h"
#include "util/flags.h"
#include "util/paths.h"

typedef struct _ArmzDriver ArmzDriver;

typedef struct {
    char *vmm_path;        /* armz-vmm binary, shown as <emulator> */
    char *schema_dir;      /* where domain.rng is */
    const char *seccomp;   /* armz-vmm --seccomp MODE; NULL: its default (on) */
    uid_t vmm_uid;         /* who armz-vmm runs as (security_dac.h) */
    gid_t vmm_gid;
    char *kvm_profile;     /* armz-vmm --kvm-profile; NULL: native */
} ArmzDriverConfig;

ArmzDriver *armz_driver_new(const ArmzPaths *paths, const ArmzDriverConfig *cfg,
                            GError **error);
void armz_driver_free(ArmzDriver *drv);
void armz_driver_set_event_sink(ArmzDriver *drv, ArmzDomainEventSink sink, gpointer opaque);
const ArmzPaths *armz_driver_paths(ArmzDriver *drv);

/* How domains find their networks' bridges and their volumes' paths at
 * start, and their interfaces' DHCP leases: set by the daemon from the
 * network and storage drivers, before it serves. */
typedef gboolean (*ArmzResolveNetworkFunc)(const char *network, char **bridge,
                                           gpointer opaque, GError **error);
/* FORMAT: how the disk reads the volume ("raw", "qcow2"; NULL: only its
 * path is wanted); a volume that cannot be read so is refused. */
typedef gboolean (*ArmzResolveVolumeFunc)(const char *pool, const char *vol, const char *format,
                                          char **path, gpointer opaque, GError **error);
void armz_driver_set_network_resolver(ArmzDriver *drv, ArmzResolveNetworkFunc fn,
                                      gpointer opaque);
void armz_driver_set_volume_resolver(ArmzDriver *drv, ArmzResolveVolumeFunc fn,
                                     gpointer opaque);
/* The passphrase of an encrypted disk (<encryption><secret uuid=''|usage=''>,
 * usage naming a secret of usage type 'volume'): set by the daemon from the
 * secret driver. */
typedef GBytes *(*ArmzResolveSecretFunc)(const char *uuid, const char *usage, gpointer opaque,
                                         GError **error);
void armz_driver_set_secret_resolver(ArmzDriver *drv, ArmzResolveSecretFunc fn,
                                     gpointer opaque);

/* Addresses a DHCP server leased (virDomainInterfaceAddresses). */
typedef struct {
    int type;              /* virIPAddrType */
    char *addr;
    unsigned int prefix;
} ArmzDomainIPAddr;

/* How virDomainInterfaceAddresses finds the leases of MAC on network
 * NETWORK: an ArmzDomainIPAddr array (cleared with it), or NULL when there
 * are none to report. */
typedef GArray *(*ArmzNetworkLeasesFunc)(const char *network, const char *mac,
                                         gpointer opaque, GError **error);
void armz_driver_set_network_leases(ArmzDriver *drv, ArmzNetworkLeasesFunc fn,
                                    gpointer opaque);

/* Host. */
typedef struct {
    char model[32];
    guint64 memory_kib;
    int cpus, mhz, nodes, sockets, cores, threads;
} ArmzNodeInfo;

void armz_driver_node_info(ArmzDriver *drv, ArmzNodeInfo *info);
/* The arch of the CPU armz's guests run on, which the capabilities give as
 * the host CPU's (docs/nova.md, "An IBM Z compute node"): aarch64 on arm64,
 * and wherever an arm64 KVM device is found on another machine (IBM Z's
 * kvm-arm64 runs guests on arm64 cores); the machine's own arch otherwise.
 * *PHYSICAL_ONLY, when given, is set when this differs from the machine's
 * arch (uname), whose /proc/cpuinfo then says nothing of that CPU.
 * virNodeGetInfo's model stays the machine's arch. */
const char *armz_driver_host_cpu_arch(gboolean *physical_only);
guint64 armz_driver_node_free_memory(ArmzDriver *drv);
/* virNodeGetCPUMap: the host's CPUs (present, the highest + 1) and, in
 * *ONLINE_MAP (one bit per CPU, (present + 7) / 8 bytes, newly allocated)
 * and *ONLINE, those online; -1 on error. */
int armz_driver_node_cpu_map(ArmzDriver *drv, guchar **online_map, guint *online,
                             unsigned int flags, GError **error);
int armz_driver_max_vcpus(ArmzDriver *drv, const char *type, GError **error);
/* virNodeGetCPUStats / virNodeGetMemoryStats: with *NPARAMS 0 only the
 * count is set; otherwise it must be that count and OUT gets the fields. */
typedef struct {
    char field[80]; /* VIR_NODE_{CPU,MEMORY}_STATS_FIELD_LENGTH */
    guint64 value;
} ArmzNodeStat;
int armz_driver_node_cpu_stats(ArmzDriver *drv, int cpu, ArmzNodeStat *out, int *nparams,
                               unsigned int flags, GError **error);
int armz_driver_node_memory_stats(ArmzDriver *drv, int cell, ArmzNodeStat *out, int *nparams,
                                  unsigned int flags, GError **error);
/* virConnectCompareCPU (against the host's CPU) and
 * virConnectCompareHypervisorCPU (against the CPU aarch64 guests get):
 * a virCPUCompareResult. */
int armz_driver_compare_cpu(ArmzDriver *drv, const char *xml, unsigned int flags, GError **error);
int armz_driver_compare_hypervisor_cpu(ArmzDriver *drv, const char *arch, const char *machine,
                                       const char *virttype, const char *xml, unsigned int flags,
                                       GError **error);
/* virConnectBaselineCPU and virConnectBaselineHypervisorCPU: the guest
 * CPU XML every one of the N host CPU descriptions XMLS can provide. */
char *armz_driver_baseline_cpu(ArmzDriver *drv, const char *const *xmls, guint n,
                               unsigned int flags, GError **error);
char *armz_driver_baseline_hypervisor_cpu(ArmzDriver *drv, const char *emulator, const char *arch,
                                          const char *machine, const char *virttype,
                                          const char *const *xmls, guint n, unsigned int flags,
                                          GError **error);
/* virConnectGetCPUModelNames: appends the names to NAMES, returns their number. */
int armz_driver_cpu_model_names(ArmzDriver *drv, const char *arch, GPtrArray *names,
                                unsigned int flags, GError **error);
char *armz_driver_capabilities(ArmzDriver *drv);
char *armz_driver_domain_capabilities(ArmzDriver *drv, const char *emulator,
                                      const char *arch, const char *machine,
                                      const char *virttype, unsigned int flags,
                                      GError **error);

/* A domain as the API names it (libvirt's virDomainPtr): the domain is
 * found by UUID, as libvirt's daemon does, and NAME only completes a "no
 * such domain" message. Entry points borrow it; the ones that hand a
 * domain back fill one the caller clears, a snapshot of name, UUID and ID
 * (-1 when inactive). */
typedef struct {
    char *name;
    unsigned char uuid[16];
    int id;
} ArmzDomainId;

void armz_domain_id_clear(ArmzDomainId *id);

/* Lookups fill OUT, or fail with VIR_ERR_NO_DOMAIN; by UUID, the domain
 * DOM names (its name may be NULL). */
gboolean armz_driver_lookup_uuid(ArmzDriver *drv, const ArmzDomainId *dom, ArmzDomainId *out,
                                 GError **error);
gboolean armz_driver_lookup_name(ArmzDriver *drv, const char *name, ArmzDomainId *out,
                                 GError **error);
gboolean armz_driver_lookup_id(ArmzDriver *drv, int id, ArmzDomainId *out, GError **error);

/* Domain configuration APIs. */
gboolean armz_driver_define(ArmzDriver *drv, const char *xml, unsigned int flags,
                            ArmzDomainId *out, GError **error);
gboolean armz_driver_undefine(ArmzDriver *drv, const ArmzDomainId *dom, unsigned int flags,
                              GError **error);
char *armz_driver_get_xml(ArmzDriver *drv, const ArmzDomainId *dom, unsigned int flags,
                          GError **error);
gboolean armz_driver_set_autostart(ArmzDriver *drv, const ArmzDomainId *dom,
                                   gboolean autostart, GError **error);
/* ArmzDomainId array (cleared with it), sorted by name, of the domains
 * matching FLAGS (virConnectListAllDomainsFlags). */
GArray *armz_driver_list_all(ArmzDriver *drv, unsigned int flags, GError **error);

