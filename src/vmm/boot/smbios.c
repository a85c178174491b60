/* SMBIOS 3.0 structure tables (DMTF DSP0134): types 0, 1, 3, 4, 16, 17, 19,
 * 32 and 127, with QEMU's handle numbering so guests see familiar tables. */
#include <string.h>
#include <glib/gi18n-lib.h>
#include "boot/smbios.h"
#include "devices/mmio.h"

static const struct {
    unsigned type;
    const char *key;
} fields[ARMZ_SMBIOS_NFIELDS] = {
    [ARMZ_SMBIOS_BIOS_VENDOR] = { 0, "vendor" },
    [ARMZ_SMBIOS_BIOS_VERSION] = { 0, "version" },
    [ARMZ_SMBIOS_BIOS_DATE] = { 0, "date" },
    [ARMZ_SMBIOS_SYS_MANUFACTURER] = { 1, "manufacturer" },
    [ARMZ_SMBIOS_SYS_PRODUCT] = { 1, "product" },
    [ARMZ_SMBIOS_SYS_VERSION] = { 1, "version" },
    [ARMZ_SMBIOS_SYS_SERIAL] = { 1, "serial" },
    [ARMZ_SMBIOS_SYS_UUID] = { 1, "uuid" },
    [ARMZ_SMBIOS_SYS_SKU] = { 1, "sku" },
    [ARMZ_SMBIOS_SYS_FAMILY] = { 1, "family" },
    [ARMZ_SMBIOS_CHASSIS_MANUFACTURER] = { 3, "manufacturer" },
    [ARMZ_SMBIOS_CHASSIS_VERSION] = { 3, "version" },
    [ARMZ_SMBIOS_CHASSIS_SERIAL] = { 3, "serial" },
    [ARMZ_SMBIOS_CHASSIS_ASSET] = { 3, "asset" },
    [ARMZ_SMBIOS_CHASSIS_SKU] = { 3, "sku" },
};

bool
armz_uuid_parse(const char *s, uint8_t uuid[16])
{
    unsigned n = 0;

    for (const char *p = s; *p; p++) {
        if (*p == '-' && (p - s == 8 || p - s == 13 || p - s == 18 || p - s == 23))
            continue;
        if (!g_ascii_isxdigit(p[0]) || !g_ascii_isxdigit(p[1]) || n == 16)
            return false;
        uuid[n++] = (uint8_t)(g_ascii_xdigit_value(p[0]) << 4 | g_ascii_xdigit_value(p[1]));
        p++;
    }
    return n == 16 && strlen(s) == 36;
}

bool
armz_smbios_set(ArmzSmbiosInfo *info, GPtrArray *kv, GError **error)
{
    guint64 type = G_MAXUINT64;

    for (guint i = 0; i < kv->len; i += 2)
        if (g_str_equal(g_ptr_array_index(kv, i), "type") &&
            !g_ascii_string_to_unsigned(g_ptr_array_index(kv, i + 1), 10, 0, 127, &type, NULL))
            type = G_MAXUINT64 - 1;
    if (type != 0 && type != 1 && type != 3) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    _("--smbios: type=0, type=1 or type=3 is needed"));
        return false;
    }
    for (guint i = 0; i < kv->len; i += 2) {
        const char *k = g_ptr_array_index(kv, i), *v = g_ptr_array_index(kv, i + 1);
        unsigned f;
        uint8_t uuid[16];

        if (g_str_equal(k, "type"))
            continue;
        for (f = 0; f < ARMZ_SMBIOS_NFIELDS; f++)
            if (fields[f].type == type && g_str_equal(fields[f].key, k))
                break;
        if (f == ARMZ_SMBIOS_NFIELDS) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        _("--smbios: type=%u has no key '%s'"), (unsigned)type, k);
            return false;
        }
        if (f == ARMZ_SMBIOS_SYS_UUID && !armz_uuid_parse(v, uuid)) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        _("--smbios: uuid='%s' is not a UUID"), v);
            return false;
        }
        g_free(info->field[f]);
        info->field[f] = g_strdup(v);
    }
    return true;
}

void
armz_smbios_clear(ArmzSmbiosInfo *info)
{
    for (unsigned f = 0; f < ARMZ_SMBIOS_NFIELDS; f++)
        g_clear_pointer(&info->field[f], g_free);
}

/* ---- structure writer ---- */

typedef struct {
    GByteArray *out;
    guint start;            /* offset of the structure being written */
    GPtrArray *strings;     /* of the structure being written */
} Writer;

static void
begin(Writer *w, uint8_t type, uint8_t len, uint16_t handle)
{
    uint8_t h[4] = { type, len, (uint8_t)handle, (uint8_t)(handle >> 8) };
    w->start = w->out->len;
    g_byte_array_append(w->out, h, 4);
    g_byte_array_set_size(w->out, w->start + len);
    memset(w->out->data + w->start + 4, 0, len - 4u);
    w->strings = g_ptr_array_new();
}

static uint8_t *
at(Writer *w, unsigned off)
{
    return w->out->data + w->start + off;
}

static void
put8(Writer *w, unsigned off, uint8_t v)
{
    *at(w, off) = v;
}

static void
put16(Writer *w, unsigned off, uint16_t v)
{
    armz_u64_to_le_bytes(at(w, off), 2, v);
}

static void
put32(Writer *w, unsigned off, uint32_t v)
{
    armz_u64_to_le_bytes(at(w, off), 4, v);
}

static void
put64(Writer *w, unsigned off, uint64_t v)
{
    armz_u64_to_le_bytes(at(w, off), 8, v);
}

/* string field at OFF: index into the structure's strings (0: none) */
static void
str(Writer *w, unsigned off, const char *s)
{
    if (!s || !*s)
        return;
    g_ptr_array_add(w->strings, (gpointer)s);
    put8(w, off, (uint8_t)w->strings->len);
}

static void
end(Writer *w)
{
    static const uint8_t nul = 0;
    for (guint i = 0; i < w->strings->len; i++) {
        const char *s = g_ptr_array_index(w->strings, i);
        g_byte_array_append(w->out, (const uint8_t *)s, (guint)strlen(s) + 1);
    }
    if (!w->strings->len)
        g_byte_array_append(w->out, &nul, 1);
    g_byte_array_append(w->out, &nul, 1);
    g_ptr_array_free(w->strings, TRUE);
}

static const char *
val(const ArmzSmbiosInfo *info, ArmzSmbiosField f, const char *dflt)
{
    return info->field[f] ? info->field[f] : dflt;
}

static void
type0(Writer *w, const ArmzSmbiosInfo *info)
{
    begin(w, 0, 0x18, 0x0000);
    str(w, 4, val(info, ARMZ_SMBIOS_BIOS_VENDOR, "armz-vmm"));
    str(w, 5, val(info, ARMZ_SMBIOS_BIOS_VERSION, PACKAGE_VERSION));
    put16(w, 6, 0xe800);            /* starting segment (legacy) */
    str(w, 8, val(info, ARMZ_SMBIOS_BIOS_DATE, NULL));
    put64(w, 10, 0x08);             /* characteristics not supported */
    put8(w, 0x13, 0x18);            /* ext 2: UEFI supported, virtual machine */
    put8(w, 0x14, 0xff);            /* no release numbers */
    put8(w, 0x15, 0xff);
    put8(w, 0x16, 0xff);
    put8(w, 0x17, 0xff);
    end(w);
}

static void
type1(Writer *w, const ArmzSmbiosInfo *info)
{
    uint8_t uuid[16];

    begin(w, 1, 0x1b, 0x0100);
    str(w, 4, val(info, ARMZ_SMBIOS_SYS_MANUFACTURER, "libvirt-armz"));
    str(w, 5, val(info, ARMZ_SMBIOS_SYS_PRODUCT, "armz-vmm"));
    str(w, 6, val(info, ARMZ_SMBIOS_SYS_VERSION, NULL));
    str(w, 7, val(info, ARMZ_SMBIOS_SYS_SERIAL, NULL));
    if (info->field[ARMZ_SMBIOS_SYS_UUID] &&
        armz_uuid_parse(info->field[ARMZ_SMBIOS_SYS_UUID], uuid)) {
        /* SMBIOS 2.6+: the first three fields little-endian */
        uint8_t *u = at(w, 8);
        u[0] = uuid[3]; u[1] = uuid[2]; u[2] = uuid[1]; u[3] = uuid[0];
        u[4] = uuid[5]; u[5] = uuid[4]; u[6] = uuid[7]; u[7] = uuid[6];
        memcpy(u + 8, uuid + 8, 8);
    }
    put8(w, 0x18, 0x06);            /* wake-up: power switch */
    str(w, 0x19, val(info, ARMZ_SMBIOS_SYS_SKU, NULL));
    str(w, 0x1a, val(info, ARMZ_SMBIOS_SYS_FAMILY, NULL));
    end(w);
}

static void
type3(Writer *w, const ArmzSmbiosInfo *info)
{
    begin(w, 3, 0x16, 0x0300);
    str(w, 4, val(info, ARMZ_SMBIOS_CHASSIS_MANUFACTURER,
                  val(info, ARMZ_SMBIOS_SYS_MANUFACTURER, "libvirt-armz")));
    put8(w, 5, 0x01);               /* other */
    str(w, 6, val(info, ARMZ_SMBIOS_CHASSIS_VERSION, NULL));
    str(w, 7, val(info, ARMZ_SMBIOS_CHASSIS_SERIAL, NULL));
    str(w, 8, val(info, ARMZ_SMBIOS_CHASSIS_ASSET, NULL));
    put8(w, 9, 0x03);               /* boot-up, power supply, thermal: safe */
    put8(w, 10, 0x03);
    put8(w, 11, 0x03);
    put8(w, 12, 0x02);              /* security: unknown */
    str(w, 0x15, val(info, ARMZ_SMBIOS_CHASSIS_SKU, NULL));
    end(w);
}

static void
type4(Writer *w, unsigned socket, unsigned cores)
{
    g_autofree char *name = g_strdup_printf("CPU %u", socket);

    begin(w, 4, 0x30, (uint16_t)(0x0400 + socket));
    str(w, 4, name);
    put8(w, 5, 0x03);               /* central processor */
    put8(w, 6, 0xfe);               /* family: see family 2 */
    str(w, 7, "armz-vmm");
    put16(w, 0x14, 2000);           /* max speed, MHz */
    put16(w, 0x16, 2000);           /* current speed */
    put8(w, 0x18, 0x41);            /* populated, enabled */
    put8(w, 0x19, 0x01);            /* upgrade: other */
    put16(w, 0x1a, 0xffff);         /* no cache information */
    put16(w, 0x1c, 0xffff);
    put16(w, 0x1e, 0xffff);
    put8(w, 0x23, (uint8_t)MIN(cores, 0xffu));
    put8(w, 0x24, (uint8_t)MIN(cores, 0xffu));
    put8(w, 0x25, (uint8_t)MIN(cores, 0xffu));
    put16(w, 0x26, 0x04 | 0x08);    /* 64-bit capable, multi-core */
    put16(w, 0x28, 0x101);          /* ARMv8 */
    put16(w, 0x2a, (uint16_t)cores);
    put16(w, 0x2c, (uint16_t)cores);
    put16(w, 0x2e, (uint16_t)cores);
    end(w);
}

static void
memory(Writer *w, const ArmzSmbiosMachine *m)
{
    uint64_t kib = m->ram_size >> 10, mib = m->ram_size >> 20;

    begin(w, 16, 0x17, 0x1000);
    put8(w, 4, 0x01);               /* location: other */
    put8(w, 5, 0x03);               /* use: system memory */
    put8(w, 6, 0x06);               /* error correction: multi-bit ECC */
    if (kib < 0x80000000ULL) {
        put32(w, 7, (uint32_t)kib);
    } else {
        put32(w, 7, 0x80000000u);
        put64(w, 0x0f, m->ram_size);
    }
    put16(w, 0x0b, 0xfffe);         /* no error information */
    put16(w, 0x0d, 1);              /* devices */
    end(w);

    begin(w, 17, 0x28, 0x1100);
    put16(w, 4, 0x1000);            /* the array above */
    put16(w, 6, 0xfffe);
    put16(w, 8, 0xffff);            /* widths unknown */
    put16(w, 10, 0xffff);
    if (mib < 0x7fff) {
        put16(w, 12, (uint16_t)mib);
    } else {
        put16(w, 12, 0x7fff);
        put32(w, 0x1c, (uint32_t)mib);
    }
    put8(w, 14, 0x09);              /* DIMM */
    str(w, 16, "DIMM 0");
    put8(w, 18, 0x07);              /* RAM */
    put16(w, 19, 0x0002);           /* other */
    str(w, 0x17, "armz-vmm");
    end(w);

    begin(w, 19, 0x1f, 0x1300);
    if (((m->ram_base + m->ram_size) >> 10) < 0xffffffffULL) {
        put32(w, 4, (uint32_t)(m->ram_base >> 10));
        put32(w, 8, (uint32_t)(((m->ram_base + m->ram_size) >> 10) - 1));
    } else {
        put32(w, 4, 0xffffffffu);
        put32(w, 8, 0xffffffffu);
        put64(w, 0x0f, m->ram_base);
        put64(w, 0x17, m->ram_base + m->ram_size - 1);
    }
    put16(w, 12, 0x1000);
    put8(w, 14, 1);                 /* partition width */
    end(w);
}

void
armz_smbios_build(const ArmzSmbiosInfo *info, const ArmzSmbiosMachine *m,
                  GBytes **anchor, GBytes **tables)
{
    Writer w = { g_byte_array_new(), 0, NULL };
    uint8_t ep[24] = { '_', 'S', 'M', '3', '_' };
    uint8_t sum = 0;

    type0(&w, info);
    type1(&w, info);
    type3(&w, info);
    for (unsigned s = 0; s < MAX(m->sockets, 1u); s++)
        type4(&w, s, MAX(m->cores_per_socket, 1u));
    memory(&w, m);
    begin(&w, 32, 0x0b, 0x2000);    /* boot: no errors */
    end(&w);
    begin(&w, 127, 0x04, 0x7f00);
    end(&w);

    ep[6] = sizeof(ep);
    ep[7] = 3;                      /* SMBIOS 3.0.0 */
    ep[8] = 0;
    ep[9] = 0;
    ep[10] = 1;                     /* entry point revision */
    armz_u64_to_le_bytes(ep + 12, 4, w.out->len);   /* maximum table size */
    /* table address (ep + 16) stays 0: the firmware installs the tables */
    for (unsigned i = 0; i < sizeof(ep); i++)
        sum += ep[i];
    ep[5] = (uint8_t)-sum;
    *anchor = g_bytes_new(ep, sizeof(ep));
    *tables = g_byte_array_free_to_bytes(w.out);
}
