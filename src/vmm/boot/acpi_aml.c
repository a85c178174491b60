/* AML encodings: package lengths, names, integers, resource templates. */
#include <string.h>
#include "boot/acpi_aml.h"
#include "devices/mmio.h"

#define AML_NAME_OP    0x08
#define AML_STRING     0x0d
#define AML_BYTE       0x0a
#define AML_WORD       0x0b
#define AML_DWORD      0x0c
#define AML_QWORD      0x0e
#define AML_BUFFER_OP  0x11

static void
append(GByteArray *out, const void *p, unsigned n)
{
    g_byte_array_append(out, p, n);
}

void
armz_aml_int(GByteArray *out, uint64_t v)
{
    uint8_t b[9];
    unsigned n;

    if (v <= 1) {
        b[0] = (uint8_t)v;              /* ZeroOp, OneOp */
        n = 1;
    } else if (v <= 0xff) {
        b[0] = AML_BYTE;
        n = 2;
    } else if (v <= 0xffff) {
        b[0] = AML_WORD;
        n = 3;
    } else if (v <= 0xffffffffULL) {
        b[0] = AML_DWORD;
        n = 5;
    } else {
        b[0] = AML_QWORD;
        n = 9;
    }
    if (n > 1)
        armz_u64_to_le_bytes(b + 1, n - 1, v);
    append(out, b, n);
}

/* PkgLength counts itself: 1 byte up to 63, else a lead byte (count of
 * following bytes in bits 7-6, low nibble) and 1-3 more bytes */
static void
put_pkglength(GByteArray *out, unsigned body)
{
    uint8_t b[4];
    unsigned n, total;

    if (body + 1 < 64) {
        b[0] = (uint8_t)(body + 1);
        append(out, b, 1);
        return;
    }
    for (n = 2; n <= 4; n++) {
        total = body + n;
        if (total < (1u << (4 + 8 * (n - 1))))
            break;
    }
    g_assert(n <= 4);
    b[0] = (uint8_t)((n - 1) << 6 | (total & 0x0f));
    for (unsigned i = 1; i < n; i++)
        b[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
    append(out, b, n);
}

void
armz_aml_package(GByteArray *out, const uint8_t *op, unsigned oplen, const GByteArray *body)
{
    append(out, op, oplen);
    put_pkglength(out, body->len);
    append(out, body->data, body->len);
}

void
armz_aml_name_op(GByteArray *out, const char *seg)
{
    uint8_t op = AML_NAME_OP;
    g_assert(strlen(seg) == 4);
    append(out, &op, 1);
    append(out, seg, 4);
}

void
armz_aml_name_string(GByteArray *out, const char *seg, const char *s)
{
    uint8_t p = AML_STRING;
    armz_aml_name_op(out, seg);
    append(out, &p, 1);
    append(out, s, (unsigned)strlen(s) + 1);
}

void
armz_aml_name_int(GByteArray *out, const char *seg, uint64_t v)
{
    armz_aml_name_op(out, seg);
    armz_aml_int(out, v);
}

void
armz_aml_crs_mmio_irq(GByteArray *out, uint32_t base, uint32_t size, uint32_t gsiv)
{
    uint8_t res[12 + 9 + 2];
    g_autoptr(GByteArray) buf = g_byte_array_new();
    uint8_t op = AML_BUFFER_OP;

    /* Memory32Fixed: tag 0x86, length 9, read-write */
    res[0] = 0x86;
    res[1] = 9;
    res[2] = 0;
    res[3] = 1;
    armz_u64_to_le_bytes(res + 4, 4, base);
    armz_u64_to_le_bytes(res + 8, 4, size);
    /* Extended Interrupt: tag 0x89, length 6, consumer, level, active
     * high, exclusive, one interrupt */
    res[12] = 0x89;
    res[13] = 6;
    res[14] = 0;
    res[15] = 0x01;
    res[16] = 1;
    armz_u64_to_le_bytes(res + 17, 4, gsiv);
    /* End tag, checksum 0 ("treated as correct") */
    res[21] = 0x79;
    res[22] = 0;

    armz_aml_int(buf, sizeof(res));
    append(buf, res, sizeof(res));
    armz_aml_name_op(out, "_CRS");
    armz_aml_package(out, &op, 1, buf);
}

void
armz_aml_aei_gpio(GByteArray *out, const char *controller, uint16_t pin)
{
    g_autoptr(GByteArray) buf = g_byte_array_new();
    g_autoptr(GByteArray) res = g_byte_array_new();
    unsigned name_len = (unsigned)strlen(controller) + 1;
    unsigned total = 23 + 2 + name_len;     /* fixed part, one pin, name */
    uint8_t d[23], end[2] = { 0x79, 0 }, pinb[2];
    uint8_t op = AML_BUFFER_OP;

    /* GPIO connection descriptor (large item 0x0c) */
    memset(d, 0, sizeof(d));
    d[0] = 0x8c;
    armz_u64_to_le_bytes(d + 1, 2, total - 3);
    d[3] = 1;                               /* revision */
    d[4] = 0;                               /* interrupt connection */
    armz_u64_to_le_bytes(d + 5, 2, 1);      /* consumer */
    armz_u64_to_le_bytes(d + 7, 2, 1);      /* edge, active high, exclusive */
    d[9] = 1;                               /* pull-up */
    armz_u64_to_le_bytes(d + 14, 2, 23);    /* pin table */
    armz_u64_to_le_bytes(d + 17, 2, 25);    /* resource source name */
    armz_u64_to_le_bytes(d + 19, 2, total); /* no vendor data */
    append(res, d, sizeof(d));
    armz_u64_to_le_bytes(pinb, 2, pin);
    append(res, pinb, 2);
    append(res, controller, name_len);
    append(res, end, 2);

    armz_aml_int(buf, res->len);
    append(buf, res->data, res->len);
    armz_aml_name_op(out, "_AEI");
    armz_aml_package(out, &op, 1, buf);
}

void
armz_aml_method_notify(GByteArray *out, const char *seg, const char *scope,
                       const char *target, uint8_t value)
{
    static const uint8_t method_op = 0x14;
    g_autoptr(GByteArray) m = g_byte_array_new();
    /* flags 0 (no arguments, not serialized); NotifyOp, then the path:
     * root prefix, DualNamePrefix, two segments; then the value */
    uint8_t flags = 0, notify = 0x86, root = '\\', dual = 0x2e;
    uint8_t v[2] = { AML_BYTE, value };

    g_assert(strlen(seg) == 4 && strlen(scope) == 4 && strlen(target) == 4);
    append(m, seg, 4);
    append(m, &flags, 1);
    append(m, &notify, 1);
    append(m, &root, 1);
    append(m, &dual, 1);
    append(m, scope, 4);
    append(m, target, 4);
    append(m, v, 2);
    armz_aml_package(out, &method_op, 1, m);
}

void
armz_aml_device(GByteArray *scope, const char *seg, const GByteArray *body)
{
    static const uint8_t op[2] = { 0x5b, 0x82 };    /* DeviceOp */
    g_autoptr(GByteArray) d = g_byte_array_new();

    g_assert(strlen(seg) == 4);
    append(d, seg, 4);
    append(d, body->data, body->len);
    armz_aml_package(scope, op, 2, d);
}

void
armz_aml_name_resources(GByteArray *out, const char *seg, const GByteArray *res)
{
    static const uint8_t end[2] = { 0x79, 0 };     /* End tag, checksum 0 */
    g_autoptr(GByteArray) buf = g_byte_array_new();
    uint8_t op = AML_BUFFER_OP;

    armz_aml_int(buf, res->len + sizeof(end));
    append(buf, res->data, res->len);
    append(buf, end, sizeof(end));
    armz_aml_name_op(out, seg);
    armz_aml_package(out, &op, 1, buf);
}
