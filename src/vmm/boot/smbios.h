/* SMBIOS 3.0 tables for the firmware (fw_cfg etc/smbios/smbios-anchor and
 * etc/smbios/smbios-tables), from the values the daemon passes with
 * --smbios type=N,KEY=VALUE,... (QEMU's -smbios keys). */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

typedef enum {
    ARMZ_SMBIOS_BIOS_VENDOR,        /* type 0 */
    ARMZ_SMBIOS_BIOS_VERSION,
    ARMZ_SMBIOS_BIOS_DATE,
    ARMZ_SMBIOS_SYS_MANUFACTURER,   /* type 1 */
    ARMZ_SMBIOS_SYS_PRODUCT,
    ARMZ_SMBIOS_SYS_VERSION,
    ARMZ_SMBIOS_SYS_SERIAL,
    ARMZ_SMBIOS_SYS_UUID,
    ARMZ_SMBIOS_SYS_SKU,
    ARMZ_SMBIOS_SYS_FAMILY,
    ARMZ_SMBIOS_CHASSIS_MANUFACTURER,  /* type 3 */
    ARMZ_SMBIOS_CHASSIS_VERSION,
    ARMZ_SMBIOS_CHASSIS_SERIAL,
    ARMZ_SMBIOS_CHASSIS_ASSET,
    ARMZ_SMBIOS_CHASSIS_SKU,
    ARMZ_SMBIOS_NFIELDS
} ArmzSmbiosField;

typedef struct {
    char *field[ARMZ_SMBIOS_NFIELDS];   /* NULL: default */
} ArmzSmbiosInfo;

/* Applies one --smbios SPEC, already split into KEY, VALUE pairs (KV
 * holds 2 * N strings, "type" among them). */
bool armz_smbios_set(ArmzSmbiosInfo *info, GPtrArray *kv, GError **error);
void armz_smbios_clear(ArmzSmbiosInfo *info);
/* UUID text -> 16 bytes in RFC 4122 (network) order; FALSE if malformed. */
bool armz_uuid_parse(const char *s, uint8_t uuid[16]);

typedef struct {
    unsigned sockets;                   /* one type 4 per socket */
    unsigned cores_per_socket;
    uint64_t ram_base, ram_size;
} ArmzSmbiosMachine;

/* The entry point (24 bytes, SMBIOS 3.0, table address 0: the firmware
 * places the tables) and the structure table. */
void armz_smbios_build(const ArmzSmbiosInfo *info, const ArmzSmbiosMachine *m,
                       GBytes **anchor, GBytes **tables);
