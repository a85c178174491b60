/* SMBIOS 3.0 tables: entry point checksum, structure walk, fields. */
#include <string.h>
#include <glib.h>
#include "boot/smbios.h"
#include "devices/mmio.h"

/* the Nth string of the structure at P (1-based), or NULL */
static const char *
smbios_string(const uint8_t *p, unsigned n)
{
    const char *s = (const char *)p + p[1];
    if (!n)
        return NULL;
    while (--n) {
        if (!*s)
            return NULL;
        s += strlen(s) + 1;
    }
    return *s ? s : NULL;
}

/* the structure after P */
static const uint8_t *
next(const uint8_t *p)
{
    const uint8_t *s = p + p[1];
    while (s[0] || s[1])
        s++;
    return s + 2;
}

static void
test_tables(void)
{
    ArmzSmbiosInfo info = { { NULL } };
    ArmzSmbiosMachine m = { 2, 2, 0x40000000ULL, 0x20000000ULL };
    g_autoptr(GPtrArray) kv = g_ptr_array_new();
    g_autoptr(GBytes) anchor = NULL, tables = NULL;
    g_autoptr(GError) err = NULL;
    const uint8_t *ep, *p, *end;
    gsize eplen, len;
    uint8_t sum = 0;
    unsigned types[12], n = 0, sockets = 0;

    g_ptr_array_add(kv, "type");
    g_ptr_array_add(kv, "1");
    g_ptr_array_add(kv, "product");
    g_ptr_array_add(kv, "OpenStack Nova");
    g_ptr_array_add(kv, "uuid");
    g_ptr_array_add(kv, "00112233-4455-6677-8899-aabbccddeeff");
    g_assert_true(armz_smbios_set(&info, kv, &err));
    armz_smbios_build(&info, &m, &anchor, &tables);

    ep = g_bytes_get_data(anchor, &eplen);
    g_assert_cmpuint(eplen, ==, 24);
    g_assert_cmpmem(ep, 5, "_SM3_", 5);
    for (unsigned i = 0; i < eplen; i++)
        sum += ep[i];
    g_assert_cmpuint(sum, ==, 0);
    g_assert_cmpuint(ep[7], ==, 3);
    p = g_bytes_get_data(tables, &len);
    g_assert_cmpuint(armz_le_bytes_to_u64(ep + 12, 4), ==, len);

    end = p + len;
    for (; p < end; p = next(p)) {
        g_assert_cmpuint(n, <, G_N_ELEMENTS(types));
        types[n++] = p[0];
        if (p[0] == 1) {
            g_assert_cmpuint(p[1], ==, 0x1b);
            g_assert_cmpstr(smbios_string(p, p[5]), ==, "OpenStack Nova");
            g_assert_cmpstr(smbios_string(p, p[4]), ==, "libvirt-armz");
            /* first three UUID fields little-endian */
            g_assert_cmpmem(p + 8, 16, "\x33\x22\x11\x00\x55\x44\x77\x66\x88\x99\xaa\xbb\xcc\xdd"
                            "\xee\xff", 16);
        } else if (p[0] == 4) {
            sockets++;
            g_assert_cmpuint(armz_le_bytes_to_u64(p + 0x28, 2), ==, 0x101);
            g_assert_cmpuint(p[0x23], ==, 2);
        } else if (p[0] == 19) {
            g_assert_cmphex(armz_le_bytes_to_u64(p + 4, 4), ==, 0x40000000 >> 10);
            g_assert_cmphex(armz_le_bytes_to_u64(p + 8, 4), ==, (0x60000000 >> 10) - 1);
        }
    }
    g_assert_true(p == end);
    g_assert_cmpuint(sockets, ==, 2);
    {
        unsigned want[] = { 0, 1, 3, 4, 4, 16, 17, 19, 32, 127 };
        g_assert_cmpmem(types, n * sizeof(unsigned), want, sizeof(want));
    }
    armz_smbios_clear(&info);
}

static void
test_bad_spec(void)
{
    ArmzSmbiosInfo info = { { NULL } };
    g_autoptr(GPtrArray) kv = g_ptr_array_new();
    g_autoptr(GError) err = NULL;

    g_ptr_array_add(kv, "type");
    g_ptr_array_add(kv, "1");
    g_ptr_array_add(kv, "uuid");
    g_ptr_array_add(kv, "not-a-uuid");
    g_assert_false(armz_smbios_set(&info, kv, &err));
    g_assert_nonnull(strstr(err->message, "not-a-uuid"));
    g_clear_error(&err);
    g_ptr_array_index(kv, 1) = "2";
    g_assert_false(armz_smbios_set(&info, kv, &err));
    armz_smbios_clear(&info);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmm/smbios/tables", test_tables);
    g_test_add_func("/vmm/smbios/bad-spec", test_bad_spec);
    return g_test_run();
}
