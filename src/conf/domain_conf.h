/* Domain definitions: libvirt domain XML <-> ArmzDomainDef.
 *
 * CONTRACT (the driver codes against these names; extend, do not rename):
 * parse never loads external entities, DTDs or anything from the network;
 * format(parse(x)) is a fixed point: parse(format(def)) formats identically.
 *
 * Conventions of the structured part below:
 * - optional strings are NULL when the XML did not give them;
 * - optional unsigned numbers are 0 when absent, optional signed ones -1;
 * - device lists are GPtrArrays that always exist (possibly empty) and own
 *   their elements;
 * - "fragment" strings hold elements we keep but do not interpret
 *   (metadata children, <resource>, controller children, and the parts of
 *   typed elements listed in ArmzDomainXmlExtra): one serialized element,
 *   self-contained (namespace declarations included), printed again
 *   re-indented. Nothing outside conf/ parses a fragment: what the driver
 *   reads has a typed field. */
#pragma once
#include <glib.h>
#include "util/uuid.h"
#include "conf/domain_tune.h"

typedef struct _ArmzDomainDef ArmzDomainDef;

/* An optional on/off (or yes/no) attribute. */
typedef enum {
    ARMZ_TRISTATE_ABSENT = 0,
    ARMZ_TRISTATE_ON,       /* "on" / "yes" */
    ARMZ_TRISTATE_OFF,      /* "off" / "no" */
} ArmzTristate;

/* One attribute kept as given. */
typedef struct {
    char *name;
    char *value;
} ArmzXmlAttr;

/* What a typed element carries beyond the fields armz reads: its other
 * attributes (input order) and child elements (fragments). Kept so the
 * formatter gives back what was defined; its presence is all the driver
 * may test. Both arrays always exist. */
typedef struct {
    GPtrArray *attrs;       /* ArmzXmlAttr* */
    GPtrArray *children;    /* fragments */
} ArmzDomainXmlExtra;

/* <address type='' .../> of a device. */
typedef struct {
    char *type;             /* "virtio-mmio", "pci", ...; NULL when not given */
    ArmzDomainXmlExtra extra;   /* bus, slot, ... */
} ArmzDomainAddressDef;

/* <on_poweroff>, <on_reboot>, <on_crash> values, in libvirt's order. */
typedef enum {
    ARMZ_DOMAIN_LIFECYCLE_DESTROY = 0,
    ARMZ_DOMAIN_LIFECYCLE_RESTART,
    ARMZ_DOMAIN_LIFECYCLE_PRESERVE,
    ARMZ_DOMAIN_LIFECYCLE_RENAME_RESTART,
    ARMZ_DOMAIN_LIFECYCLE_COREDUMP_DESTROY,
    ARMZ_DOMAIN_LIFECYCLE_COREDUMP_RESTART,
    ARMZ_DOMAIN_LIFECYCLE_LAST
} ArmzDomainLifecycleAction;

/* <os><loader readonly='' type='' secure=''>PATH</loader> */
typedef struct {
    char *path;         /* may be NULL (firmware auto-selection) */
    char *readonly;     /* "yes" | "no" */
    char *type;         /* "rom" | "pflash" */
    char *secure;       /* "yes" | "no" */
} ArmzDomainLoaderDef;

/* <os><nvram template=''>PATH</nvram> */
typedef struct {
    char *path;
    char *template_path;
} ArmzDomainNvramDef;

/* <cpu><feature policy='' name=''/> */
typedef struct {
    char *policy;       /* force|require|optional|disable|forbid */
    char *name;
} ArmzDomainCpuFeatureDef;

/* <cpu mode='' match='' check='' migratable=''> */
typedef struct {
    char *mode;             /* host-passthrough|host-model|maximum|custom */
    char *match;            /* minimum|exact|strict */
    char *check;            /* none|partial|full */
    char *migratable;       /* on|off */
    char *model;            /* <model>cortex-a57</model> */
    char *model_fallback;   /* allow|forbid */
    unsigned int sockets, dies, cores, threads; /* <topology>, 0 = absent */
    GPtrArray *features;    /* ArmzDomainCpuFeatureDef* */
} ArmzDomainCpuDef;

/* One child of <features>. */
typedef struct {
    char *name;             /* "acpi", "gic", "pmu", ... */
    ArmzTristate state;     /* state='on|off' */
    char *gic_version;      /* <gic version=''>: "2" | "3" | "host", NULL when absent */
    ArmzDomainXmlExtra extra;   /* e.g. <apic eoi=''>, <kvm> children */
} ArmzDomainFeatureDef;

/* <clock><timer name='' .../> */
typedef struct {
    char *name;             /* "rtc", "pit", "kvmclock", ... */
    ArmzDomainXmlExtra extra;   /* tickpolicy, present, <catchup>, ... */
} ArmzDomainTimerDef;

/* <seclabel type='' model='' relabel=''> */
typedef struct {
    char *type;             /* "none" | "dynamic" | "static"; NULL when absent */
    char *model;
    char *relabel;          /* "yes" | "no" */
    char *label;            /* text of <label> (also kept in extra); NULL when absent */
    ArmzDomainXmlExtra extra;   /* <label>, <imagelabel>, ... */
} ArmzDomainSeclabelDef;

typedef enum {
    ARMZ_DOMAIN_DISK_TYPE_FILE = 0,
    ARMZ_DOMAIN_DISK_TYPE_BLOCK,
    ARMZ_DOMAIN_DISK_TYPE_VOLUME,
    ARMZ_DOMAIN_DISK_TYPE_NETWORK,
    ARMZ_DOMAIN_DISK_TYPE_LAST
} ArmzDomainDiskType;

typedef enum {
    ARMZ_DOMAIN_DISK_DEVICE_DISK = 0,
    ARMZ_DOMAIN_DISK_DEVICE_CDROM,
    ARMZ_DOMAIN_DISK_DEVICE_LAST
} ArmzDomainDiskDevice;

/* One <backingStore> layer: a file or block device in FORMAT. */
typedef struct {
    char *path;
    char *format;           /* "raw" | "qcow2" */
    gboolean block;         /* type='block' */
} ArmzDomainDiskBackingDef;

/* <iotune> of a disk; 0: no limit. */
typedef struct {
    guint64 total_bytes_sec, read_bytes_sec, write_bytes_sec;
    guint64 total_iops_sec, read_iops_sec, write_iops_sec;
} ArmzDomainDiskIotune;

typedef struct {
    ArmzDomainDiskType type;
    ArmzDomainDiskDevice device;
    char *driver_name;      /* <driver name=''>, e.g. "qemu" */
    char *driver_type;      /* "raw" | "qcow2" */
    char *driver_cache;     /* default|none|writethrough|writeback|directsync|unsafe */
    char *driver_io;        /* native|threads|io_uring */
    char *driver_discard;   /* ignore|unmap */
    char *driver_detect_zeroes;     /* off|on|unmap */
    char *driver_error_policy;      /* stop|report|ignore|enospace */
    char *driver_rerror_policy;     /* stop|report|ignore */
    char *src_path;         /* file= (FILE) or dev= (BLOCK) */
    char *src_pool;         /* VOLUME */
    char *src_volume;       /* VOLUME */
    char *target_dev;       /* "vda" */
    char *target_bus;       /* "virtio" */
    gboolean tray_open;     /* live: <target tray='open'/> (a CD-ROM ejected) */
    gboolean readonly;
    gboolean shareable;
    char *serial;
    unsigned int boot_order; /* 0 = none */
    ArmzDomainAddressDef *address;  /* NULL when absent */
    GPtrArray *backing;     /* ArmzDomainDiskBackingDef*, the layers under the
                             * image from the top down (<backingStore>, live
                             * XML); NULL: not known */
    ArmzDomainDiskIotune iotune;
    /* NETWORK: <source protocol='' name=''><host name='' port=''/> or
     * <host transport='unix' socket=''/> (one host) */
    char *src_protocol;     /* "nbd", ... */
    char *src_name;         /* the export (nbd), image (rbd), target (iscsi) */
    char *src_host_name;
    char *src_host_port;
    char *src_host_transport;   /* "tcp" | "unix"; NULL: tcp */
    char *src_host_socket;
    char *alias;            /* <alias name=''>: live, or a user's (ua-) */
    /* <encryption format='luks'><secret type='passphrase' uuid=''|usage=''/>:
     * in <source>, or directly in <disk> (libvirt's older place, formatted
     * there again) */
    char *encryption_format;    /* "luks"; NULL: none */
    gboolean encryption_in_disk;
    char *secret_uuid;
    char *secret_usage;         /* the usage id of a secret of usage type 'volume' */
} ArmzDomainDiskDef;

typedef enum {
    ARMZ_DOMAIN_NET_TYPE_NETWORK = 0,
    ARMZ_DOMAIN_NET_TYPE_BRIDGE,
    ARMZ_DOMAIN_NET_TYPE_ETHERNET,
    ARMZ_DOMAIN_NET_TYPE_LAST
} ArmzDomainNetType;

typedef struct {
    ArmzDomainNetType type;
    unsigned char mac[6];   /* generated (52:54:00:xx:xx:xx) when absent */
    char *source_network;   /* NETWORK */
    char *source_bridge;    /* BRIDGE */
    char *target_dev;       /* <target dev=''> (tap name) */
    char *model;            /* "virtio" */
    unsigned int mtu;       /* 0 = not given */
    unsigned int boot_order;
    ArmzDomainAddressDef *address;  /* NULL when absent */
    char *driver_name;      /* <driver name='qemu|vhost'> */
    gboolean target_unmanaged;  /* <target managed='no'>: the tap exists already */
    char *vport_type;       /* <virtualport type='openvswitch'> */
    char *vport_interfaceid;    /* its <parameters interfaceid=''> (a UUID) */
    char *vport_profileid;
    char *alias;            /* <alias name=''>: live, or a user's (ua-) */
    char *link_state;       /* <link state=''>: "up" | "down"; NULL: not given (up) */
    gboolean mac_generated; /* no <mac> given: MAC is random (device XML lookups) */
} ArmzDomainNetDef;

typedef enum {
    ARMZ_DOMAIN_CHR_TYPE_PTY = 0,
    ARMZ_DOMAIN_CHR_TYPE_FILE,
    ARMZ_DOMAIN_CHR_TYPE_STDIO,
    ARMZ_DOMAIN_CHR_TYPE_NULL,
    ARMZ_DOMAIN_CHR_TYPE_UNIX,
    ARMZ_DOMAIN_CHR_TYPE_TCP,
    ARMZ_DOMAIN_CHR_TYPE_LAST
} ArmzDomainChrType;

/* <serial> and <console>. */
typedef struct {
    ArmzDomainChrType type;
    char *source_path;      /* file/unix path; pty path (live only) */
    char *source_mode;      /* unix, tcp: "bind" | "connect" */
    char *source_host;      /* tcp: <source host=''> */
    char *source_service;   /* tcp: <source service=''> (the port) */
    char *protocol;         /* tcp: <protocol type=''> */
    char *log_file;         /* <log file=''> */
    char *log_append;       /* "on" | "off" */
    char *target_type;      /* serial: "system-serial"...; console: "serial" | "virtio" */
    int target_port;        /* -1 = not given */
    char *target_model;     /* serial: <target><model name='pl011'/> */
    ArmzDomainAddressDef *address;  /* NULL when absent */
} ArmzDomainChrDef;

/* <rng model='virtio'><rate/><backend model='random'>PATH</backend> */
typedef struct {
    char *model;            /* "virtio" */
    char *backend_model;    /* "random" */
    char *backend_path;     /* e.g. /dev/urandom; NULL = VMM default */
    unsigned int rate_bytes;    /* 0 = unlimited */
    unsigned int rate_period;   /* ms, 0 = not given */
    ArmzDomainAddressDef *address;  /* NULL when absent */
} ArmzDomainRngDef;

/* <filesystem type='mount' accessmode='passthrough'><driver type='virtiofs'/>
 * <source dir=''/><target dir='TAG'/>: a virtiofsd share. */
typedef struct {
    char *type;             /* "mount" */
    char *accessmode;       /* "passthrough"; NULL when not given */
    char *driver_type;      /* "virtiofs"; NULL when not given */
    unsigned int queue_size;    /* <driver queue=''>; 0 = default */
    char *binary_path;      /* <binary path=''>: the virtiofsd to run */
    char *sandbox;          /* <binary><sandbox mode=''/>: namespace|chroot */
    char *source_dir;
    char *target_dir;       /* the mount tag */
    gboolean readonly;
    ArmzDomainAddressDef *address;  /* NULL when absent */
} ArmzDomainFsDef;

/* <controller type='' index='' model=''> (accepted and kept; children as
 * fragments). */
typedef struct {
    char *type;
    int index;              /* -1 = not given */
    char *model;
    GPtrArray *children;    /* fragments (<address>, <target>, <driver>...) */
} ArmzDomainControllerDef;

/* <sysinfo type='smbios'>: one block (<bios>, <system>, <baseBoard>,
 * <chassis>, <oemStrings>) and its <entry> elements in input order. */
typedef struct {
    char *block;
    GPtrArray *entries;     /* ArmzXmlAttr*: name (NULL in oemStrings), text */
} ArmzDomainSysinfoBlock;
/* <vsock model='virtio'><cid auto='yes|no' address='N'/></vsock> */
typedef struct {
    ArmzTristate cid_auto;          /* absent: auto unless an address is given */
    unsigned int cid;               /* 0: none yet (auto: the live XML has it) */
    ArmzDomainAddressDef *address;  /* NULL when absent */
} ArmzDomainVsockDef;

/* <channel type='unix'><source mode='bind' path=''/><target type='virtio'
 * name='' state=''/></channel>: a virtio-serial port. */
typedef struct {
    char *type;                     /* "unix" */
    char *source_mode;              /* "bind" or NULL */
    char *source_path;              /* NULL: generated at start (live XML) */
    char *target_type;              /* "virtio" */
    char *target_name;              /* org.qemu.guest_agent.0 */
    ArmzTristate state;             /* live: ON connected, OFF disconnected */
    ArmzDomainAddressDef *address;  /* NULL when absent */
} ArmzDomainChannelDef;

/* <memballoon model='none|virtio' autodeflate='on|off'
 * freePageReporting='on|off'><stats period='N'/></memballoon> */
typedef struct {
    gboolean virtio;                /* model='virtio'; FALSE: 'none' */
    unsigned int stats_period;      /* seconds, 0 = no polling */
    gboolean has_stats_period;      /* <stats period> was given */
    ArmzTristate autodeflate;
    ArmzTristate free_page_reporting;
    ArmzDomainAddressDef *address;  /* NULL when absent */
} ArmzDomainMemballoonDef;

struct _ArmzDomainDef {
    char *virt_type;                /* <domain type=''>: "kvm" or "qemu" */
    char *name;
    unsigned char uuid[16];         /* generated (v4) when absent */
    char *title;                    /* NULL when absent */
    char *description;
    unsigned long long memory_kib;  /* <memory> in KiB */
    unsigned long long current_memory_kib;
    unsigned int vcpus;
    char *os_type;                  /* "hvm" */
    char *os_arch;                  /* "aarch64" */
    char *os_machine;               /* "virt" */
    gpointer priv;                  /* conf-private extras (unused, NULL) */

    /* --- added by conf/ --- */
    unsigned int vcpus_current;     /* <vcpu current=''>; == vcpus when absent */
    char *vcpu_cpuset;              /* <vcpu cpuset=''> */
    unsigned int iothreads;         /* <iothreads>; 0 when absent */
    GPtrArray *metadata;            /* fragments: children of <metadata> */

    /* os */
    ArmzDomainLoaderDef *os_loader; /* NULL when absent */
    ArmzDomainNvramDef *os_nvram;   /* NULL when absent */
    char *os_kernel;
    char *os_initrd;
    char *os_cmdline;
    char *os_dtb;
    GStrv os_boot_devs;             /* <boot dev=''> in order: hd|cdrom|network|fd; NULL = none */

    ArmzDomainCpuDef *cpu;          /* NULL when absent */
    GPtrArray *features;            /* ArmzDomainFeatureDef*, input order */

    /* clock */
    char *clock_offset;             /* "utc" when absent */
    char *clock_timezone;
    char *clock_adjustment;
    char *clock_basis;
    GPtrArray *clock_timers;        /* ArmzDomainTimerDef* */

    ArmzDomainLifecycleAction on_poweroff;  /* default DESTROY */
    ArmzDomainLifecycleAction on_reboot;    /* default RESTART */
    ArmzDomainLifecycleAction on_crash;     /* default DESTROY */

    /* <pm>: has_pm when the element was given; each suspend state's
     * enabled='yes|no', children armz does not know in pm_extra */
    gboolean has_pm;
    ArmzTristate pm_suspend_to_mem;
    ArmzTristate pm_suspend_to_disk;
    ArmzDomainXmlExtra pm_extra;
    char *resource;                 /* fragment */
    GPtrArray *seclabels;           /* ArmzDomainSeclabelDef* */

    /* devices */
    char *emulator;
    GPtrArray *disks;               /* ArmzDomainDiskDef* */
    GPtrArray *nets;                /* ArmzDomainNetDef* */
    GPtrArray *serials;             /* ArmzDomainChrDef* */
    GPtrArray *consoles;            /* ArmzDomainChrDef* */
    GPtrArray *rngs;                /* ArmzDomainRngDef* */
    GPtrArray *channels;            /* ArmzDomainChannelDef* */
    GPtrArray *controllers;         /* ArmzDomainControllerDef* */
    gboolean has_memballoon;        /* <memballoon> was given */
    ArmzDomainMemballoonDef memballoon;
    gboolean has_vsock;
    ArmzDomainVsockDef vsock;
    ArmzDomainTuneDef tune;         /* <cputune>, <memtune>, <blkiotune> */

    /* --- firmware and platform (conf/domain_firmware.c) --- */
    char *os_firmware;              /* <os firmware=''>: "efi" | "bios"; NULL when absent */
    GPtrArray *os_firmware_features;    /* ArmzXmlAttr*: <firmware><feature name=''
                                         * enabled='yes|no'/> in input order */
    char *os_smbios_mode;           /* <os><smbios mode=''/>: emulate|host|sysinfo */
    char *sysinfo_type;             /* <sysinfo type=''>; NULL when absent */
    GPtrArray *sysinfo;             /* ArmzDomainSysinfoBlock* */
    GPtrArray *filesystems;         /* ArmzDomainFsDef* */
    char *mem_source;               /* <memoryBacking><source type=''>: memfd|anonymous */
    char *mem_access;               /* <memoryBacking><access mode=''>: shared|private */
};

ArmzDomainDef *armz_domain_def_new(void);
void armz_domain_def_free(ArmzDomainDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzDomainDef, armz_domain_def_free)

/* Parses domain XML. Errors are ARMZ_ERROR with codes VIR_ERR_XML_ERROR
 * (malformed or invalid values, message names the element/attribute),
 * VIR_ERR_CONFIG_UNSUPPORTED (hardware we do not provide, names it),
 * VIR_ERR_XML_DETAIL is not used. */
ArmzDomainDef *armz_domain_def_parse(const char *xml, GError **error);

/* Validates XML against the RelaxNG schema at RNG_PATH (schemas/domain.rng);
 * VIR_ERR_XML_INVALID_SCHEMA with the validator's messages on failure.
 * RNG_PATH NULL means armz_domain_schema_path(). */
gboolean armz_domain_xml_validate(const char *xml, const char *rng_path, GError **error);

/* Formats DEF. ID >= 0 formats a live definition (<domain ... id='N'>);
 * FLAGS are virDomainXMLFlags (VIR_DOMAIN_XML_INACTIVE drops id). */
char *armz_domain_def_format(const ArmzDomainDef *def, int id, unsigned int flags);

/* Deep copy (a running domain keeps its live copy). */
ArmzDomainDef *armz_domain_def_copy(const ArmzDomainDef *def);

/* armz_name_check(ARMZ_NAME_DOMAIN, ...) (see util/names.h). */
gboolean armz_domain_name_check(const char *name, GError **error);

/* --- helpers added by conf/ --- */

/* Where domain.rng is: $ARMZ_SCHEMA_DIR/domain.rng, else the installed
 * copy, else the source tree's (uninstalled runs). Static string. */
const char *armz_domain_schema_path(void);

/* MAC addresses "52:54:00:12:34:56"; format writes into BUF (18 bytes). */
gboolean armz_mac_parse(const char *str, unsigned char mac[6]);
void armz_mac_format(const unsigned char mac[6], char buf[18]);

const char *armz_domain_lifecycle_action_to_string(ArmzDomainLifecycleAction act);
int armz_domain_lifecycle_action_from_string(const char *str); /* -1 if unknown */
const char *armz_domain_disk_type_to_string(ArmzDomainDiskType t);
const char *armz_domain_disk_device_to_string(ArmzDomainDiskDevice d);
const char *armz_domain_net_type_to_string(ArmzDomainNetType t);
const char *armz_domain_chr_type_to_string(ArmzDomainChrType t);

/* The <features> child named NAME, or NULL. */
const ArmzDomainFeatureDef *armz_domain_def_find_feature(const ArmzDomainDef *def,
                                                         const char *name);
/* <gic version='N'/>: N, or 0 when absent or not a number ("host"). */
int armz_domain_def_gic_version(const ArmzDomainDef *def);
/* <firmware><feature name='NAME' enabled=''/>: ON, OFF or ABSENT. */
ArmzTristate armz_domain_def_firmware_feature(const ArmzDomainDef *def, const char *name);
/* The text of <sysinfo><BLOCK><entry name='NAME'>, or NULL. */
const char *armz_domain_def_sysinfo_entry(const ArmzDomainDef *def, const char *block,
                                          const char *name);
/* TRUE when EXTRA holds any attribute or child. */
gboolean armz_domain_xml_extra_present(const ArmzDomainXmlExtra *extra);

/* libvirt's scaled integers: VALUE in UNIT (NULL: bytes; b, bytes, k, KiB,
 * KB, M, MiB, MB ... E) to bytes; FALSE on an unknown unit or overflow. */
gboolean armz_unit_to_bytes(guint64 value, const char *unit, guint64 *bytes);
/* Converts VALUE given in UNIT (libvirt's units; NULL = KiB) to KiB,
 * rounding bytes up. FALSE on an unknown unit or overflow. */
gboolean armz_memory_to_kib(unsigned long long value, const char *unit,
                            unsigned long long *kib);

void armz_domain_disk_def_free(ArmzDomainDiskDef *disk);
void armz_domain_disk_backing_def_free(gpointer backing);
gboolean armz_domain_disk_has_iotune(const ArmzDomainDiskDef *disk);
void armz_domain_net_def_free(ArmzDomainNetDef *net);
void armz_domain_chr_def_free(ArmzDomainChrDef *chr);
void armz_domain_rng_def_free(ArmzDomainRngDef *rng);
void armz_domain_channel_def_free(ArmzDomainChannelDef *ch);
void armz_domain_controller_def_free(ArmzDomainControllerDef *ctrl);
/* domain_disk_xml.c: one <disk> element (virDomainUpdateDeviceFlags) */
ArmzDomainDiskDef *armz_domain_disk_parse(const char *xml, GError **error);
/* domain_disk_xml.c: one device element, in the device lists of an
 * otherwise empty definition */
ArmzDomainDef *armz_domain_device_parse(const char *xml, GError **error);
/* domain_scsi.c, run by parsing: SCSI disks without an address get
 * libvirt's drive address, and their controller is added */
void armz_domain_scsi_complete(ArmzDomainDef *def);
/* attribute NAME of an <address> (its extra part), NULL when absent */
const char *armz_domain_address_attr(const ArmzDomainAddressDef *addr, const char *name);
void armz_domain_address_def_free(ArmzDomainAddressDef *addr);
/* <address type='pci' domain='0x0000' bus='0xBB' slot='0xSS' function='0xF'/> */
ArmzDomainAddressDef *armz_domain_address_def_new_pci(unsigned int bus, unsigned int slot,
                                                      unsigned int function);
void armz_domain_fs_def_free(ArmzDomainFsDef *fs);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzDomainFsDef, armz_domain_fs_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzDomainDiskDef, armz_domain_disk_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzDomainNetDef, armz_domain_net_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzDomainChrDef, armz_domain_chr_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzDomainRngDef, armz_domain_rng_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzDomainChannelDef, armz_domain_channel_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzDomainControllerDef, armz_domain_controller_def_free)
