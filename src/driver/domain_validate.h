/* What the armz driver can run: the checks a definition must pass at
 * define and again at start, and the tables behind them, which
 * virConnectGetDomainCapabilities reports (domain_capabilities.c).
 *
 * Only the definition is looked at: what depends on the host at start
 * (KVM present, files present, networks and volumes resolvable) is checked
 * by the launch-plan builder (vmm_command.c). The checks follow the
 * definition's order (domain type, memory, vCPUs, os, cpu, features, clock,
 * lifecycle, power management, security, devices), so the first problem in
 * document order is the one reported. Errors are ARMZ_ERROR:
 * VIR_ERR_CONFIG_UNSUPPORTED for valid libvirt XML armz cannot honour,
 * VIR_ERR_XML_ERROR (and VIR_ERR_INVALID_ARG for a disk serial, as libvirt)
 * for inconsistent input. */
#pragma once
#include <glib.h>
#include "conf/domain_conf.h"

/* The largest <vcpu> accepted: what the capabilities advertise as the
 * machine's maxCpus (driver/host.c). */
#define ARMZ_LAUNCH_MAX_VCPUS 64
/* armz-vmm's --memory range, in MiB. */
#define ARMZ_LAUNCH_MIN_MEMORY_MIB 16
#define ARMZ_LAUNCH_MAX_MEMORY_MIB (1024 * 1024)
/* armz-vmm's virtio-serial ports (ARMZ_SERIAL_MAX_PORTS). */
#define ARMZ_LAUNCH_MAX_CHANNELS 8

/* The values the driver accepts, each list NULL-terminated. An attribute
 * left out of the XML is accepted too (its default is in the list). */
typedef struct {
    const char *const *virt_types;          /* <domain type=''> */
    const char *const *cpu_modes;           /* <cpu mode=''> */
    const char *const *gic_versions;        /* <gic version=''> */
    const char *const *disk_devices;        /* <disk device=''> */
    const char *const *disk_buses;          /* <target bus=''> */
    const char *const *disk_driver_names;   /* <driver name=''> */
    const char *const *disk_formats;        /* <driver type=''> */
    const char *const *disk_caches;         /* <driver cache=''> */
    const char *const *disk_ios;            /* <driver io=''> */
    const char *const *disk_discards;       /* <driver discard=''> */
    const char *const *device_addresses;    /* <address type=''> of virtio devices */
    const char *const *net_models;          /* <interface><model type=''> */
    const char *const *chr_types;           /* <serial type=''>, <console type=''> */
    const char *const *serial_targets;      /* <serial><target type=''> */
    const char *const *serial_models;       /* <serial><target><model name=''> */
    const char *const *console_targets;     /* <console><target type=''> */
    const char *const *rng_models;          /* <rng model=''> */
    const char *const *rng_backends;        /* <backend model=''> */
    const char *const *rng_sources;         /* <backend>PATH</backend> */
    const char *const *memballoon_models;   /* <memballoon model=''> */
    const char *const *channel_types;       /* <channel type=''> */
    const char *const *channel_targets;     /* <channel><target type=''> */
} ArmzDomainSupport;

extern const ArmzDomainSupport armz_domain_support;

/* Whether the guest's vsock CID is picked at start (auto='yes', or no
 * address given). */
gboolean armz_domain_vsock_auto(const ArmzDomainVsockDef *v);

/* Refuses DEF when the armz driver can never run it. */
gboolean armz_domain_validate(const ArmzDomainDef *def, GError **error);

/* STATE_DIR/UUID.qmp: named by UUID, not name, so that any name libvirt
 * accepts fits a unix socket address. */
char *armz_domain_monitor_path(const ArmzDomainDef *def, const char *state_dir);

/* STATE_DIR/UUID.vu: the vhost-user sockets of the domain's backends (and
 * their working directory), named by UUID as the monitor. */
char *armz_domain_vhost_user_dir(const ArmzDomainDef *def, const char *state_dir);

/* Which device each <serial> and <console> of a valid definition becomes. */
typedef struct {
    const ArmzDomainChrDef *uart;   /* the PL011's backend, or NULL */
    gboolean uart_is_console;       /* UART is consoles[0] (no <serial>) */
    int alias_console;              /* 0 when consoles[0] shows serials[0], else -1 */
    const ArmzDomainChrDef *vcon;   /* the virtio console, or NULL */
    guint vcon_index;               /* its index in def->consoles */
} ArmzDomainChrLayout;

gboolean armz_domain_chr_layout(const ArmzDomainDef *def, ArmzDomainChrLayout *layout,
                                GError **error);

/* libvirt's disk name order: vda=0 ... vdz=25, vdaa=26, ...; FALSE when
 * NAME is not a virtio disk name. */
gboolean armz_domain_disk_index(const char *name, guint64 *index);

/* The disks in the guest's order (by name index), each with its index and
 * its place in def->disks; NULL with ERROR set when a target name is not a
 * virtio disk name (the first one, in input order). */
typedef struct {
    guint64 index;
    guint pos;
} ArmzDomainDiskSlot;
GArray *armz_domain_disks_in_order(const ArmzDomainDef *def, GError **error);

/* SCSI disks and CD-ROMs (bus 'scsi'; parsing defaults an sdX name to it,
 * as libvirt does) sit on the one virtio-scsi controller, not in the list
 * above.  Their LUN is the unit of their drive address (parsing assigns
 * sda=0 ... sdg=6: 7 units per controller; controller 0 only). */
#define ARMZ_SCSI_MAX_UNIT 255
gboolean armz_domain_disk_is_scsi(const ArmzDomainDiskDef *disk);
gboolean armz_domain_scsi_unit(const ArmzDomainDiskDef *disk, guint *unit, GError **error);

/* DISK is served by qemu-storage-daemon over vhost-user (qcow2, <iotune>),
 * not by armz-vmm's own virtio-blk. */
gboolean armz_domain_disk_uses_qsd(const ArmzDomainDiskDef *disk);

/* DEF has vhost-user devices (armz-vmm's guest RAM must then be a memfd). */
gboolean armz_domain_has_vhost_user(const ArmzDomainDef *def);
/* <filesystem> and <memoryBacking> (domain_validate_vhost.c). */
gboolean armz_domain_check_vhost_user(const ArmzDomainDef *def, GError **error);

/* PATH must be given and absolute; WHAT names it in the message. */
gboolean armz_domain_check_abs_path(const char *path, const char *what, GError **error);

/* The tap name NET asks for, or NULL when one is to be generated: as
 * libvirt does, names with the prefixes of generated ones (a vnetN of an
 * earlier run) are left to be generated afresh. */
const char *armz_domain_net_ifname(const ArmzDomainNetDef *net);

/* Firmware and platform (firmware_validate.c). TRUE when DEF boots
 * through UEFI firmware (<os firmware='efi'> or a <loader>). */
gboolean armz_domain_uses_firmware(const ArmzDomainDef *def);
/* The firmware request alone (<os firmware=''>, its <firmware> features,
 * <loader>, <nvram>): what firmware selection needs to be sane, run before
 * it and again with everything else. */
gboolean armz_domain_validate_firmware(const ArmzDomainDef *def, GError **error);
/* <smbios>/<sysinfo>, boot order, and the features and timers that only
 * exist with firmware or are x86 leftovers (<acpi>, <vmcoreinfo>,
 * <apic>, pit/rtc/hpet). */
gboolean armz_domain_validate_platform(const ArmzDomainDef *def, GError **error);
/* The <features> and <clock><timer> names armz_domain_validate_platform()
 * decides on. */
gboolean armz_domain_platform_feature(const char *name);
gboolean armz_domain_ignored_timer(const char *name);
