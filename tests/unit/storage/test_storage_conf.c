/* Pool and volume XML: parse, defaults per pool type, round trips through
 * the formatter and the schemas, refused inputs with their error codes. */
#include <string.h>
#include <libvirt/libvirt.h>

#include "storage/storage_conf.h"
#include "conf/domain_conf.h"
#include "util/error.h"

typedef struct {
    const char *xml;
    int code;
    const char *words;
} Refused;

static void
test_pool_defaults(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(ArmzPoolDef) lv = armz_pool_def_parse(
        "<pool type='logical'><name>vg0</name>"
        "<source><device path='/dev/sdb'/></source></pool>", &err);
    g_autoptr(ArmzPoolDef) fs = NULL;

    g_assert_no_error(err);
    g_assert_cmpstr(lv->source_name, ==, "vg0");
    g_assert_cmpstr(lv->target_path, ==, "/dev/vg0");
    g_assert_cmpstr(lv->source_format, ==, "lvm2");
    fs = armz_pool_def_parse("<pool type='fs'><name>f</name><source><device path='/dev/vdb'/>"
                             "</source><target><path>/srv//f/</path></target></pool>", &err);
    g_assert_no_error(err);
    g_assert_cmpstr(fs->source_format, ==, "auto");
    g_assert_cmpstr(fs->target_path, ==, "/srv/f");
}

static void
test_pool_round_trip(void)
{
    const char *in =
        "<pool type='fs'><name>data</name><uuid>4f0a3a4e-0c1b-4e43-9d5e-1b2c3d4e5f60</uuid>"
        "<source><device path='/dev/loop7'/><format type='ext4'/></source>"
        "<target><path>/mnt/data</path><permissions><mode>0755</mode><owner>107</owner>"
        "<group>-1</group></permissions></target></pool>";
    g_autoptr(GError) err = NULL;
    g_autoptr(ArmzPoolDef) a = armz_pool_def_parse(in, &err);
    g_autofree char *x1 = NULL, *x2 = NULL;
    g_autoptr(ArmzPoolDef) b = NULL;
    g_autofree char *rng = armz_storage_schema_path("storagepool.rng");

    g_assert_no_error(err);
    x1 = armz_pool_def_format(a);
    g_assert_nonnull(strstr(x1, "<device path='/dev/loop7'/>"));
    g_assert_nonnull(strstr(x1, "<mode>0755</mode>"));
    g_assert_null(strstr(x1, "<group>"));
    b = armz_pool_def_parse(x1, &err);
    g_assert_no_error(err);
    x2 = armz_pool_def_format(b);
    g_assert_cmpstr(x1, ==, x2);
    g_assert_true(armz_domain_xml_validate(x1, rng, &err));
    g_assert_no_error(err);
}

static void
test_vol_parse(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(ArmzVolDef) v = armz_vol_def_parse(
        "<volume><name>d.qcow2</name><capacity unit='G'>2</capacity>"
        "<allocation unit='MB'>3</allocation>"
        "<target><format type='qcow2'/><compat>0.10</compat></target></volume>", &err);
    g_autofree char *rng = armz_storage_schema_path("storagevol.rng");
    g_autofree char *x = NULL;

    g_assert_no_error(err);
    g_assert_cmpuint(v->capacity, ==, 2ULL << 30);
    g_assert_cmpuint(v->allocation, ==, 3000000);
    g_assert_true(v->has_allocation);
    g_assert_cmpint(v->format, ==, ARMZ_VOL_FORMAT_QCOW2);
    v->path = g_strdup("/p/d.qcow2");
    v->key = g_strdup(v->path);
    x = armz_vol_def_format(v);
    g_assert_nonnull(strstr(x, "<compat>0.10</compat>"));
    g_assert_true(armz_domain_xml_validate(x, rng, &err));
    g_assert_no_error(err);
}

static void
test_units(void)
{
    guint64 b;

    g_assert_true(armz_unit_to_bytes(5, NULL, &b) && b == 5);
    g_assert_true(armz_unit_to_bytes(1, "KiB", &b) && b == 1024);
    g_assert_true(armz_unit_to_bytes(1, "KB", &b) && b == 1000);
    g_assert_true(armz_unit_to_bytes(1, "E", &b) && b == 1ULL << 60);
    g_assert_false(armz_unit_to_bytes(16, "E", &b));
    g_assert_false(armz_unit_to_bytes(1, "parsecs", &b));
}

static void
test_refused(void)
{
    static const Refused cases[] = {
        { "<pool type='netfs'><name>n</name></pool>", VIR_ERR_CONFIG_UNSUPPORTED, "netfs" },
        { "<pool type='bogus'><name>n</name></pool>", VIR_ERR_XML_ERROR, "bogus" },
        { "<pool><name>n</name></pool>", VIR_ERR_XML_ERROR, "type" },
        { "<pool type='dir'><name>a/b</name><target><path>/x</path></target></pool>",
          VIR_ERR_XML_ERROR, "'/'" },
        /* names that are file names of their own, or that carry lines */
        { "<pool type='dir'><name>..</name><target><path>/x</path></target></pool>",
          VIR_ERR_XML_ERROR, "pool name '..' is not allowed" },
        { "<pool type='dir'><name>.</name><target><path>/x</path></target></pool>",
          VIR_ERR_XML_ERROR, "pool name '.' is not allowed" },
        { "<pool type='dir'><name>-p</name><target><path>/x</path></target></pool>",
          VIR_ERR_XML_ERROR, "cannot start with '-'" },
        { "<pool type='dir'><name>a&#10;b</name><target><path>/x</path></target></pool>",
          VIR_ERR_XML_DETAIL, "invalid char in name: '\\n'" },
        { "<pool type='logical'><name>vg</name><source><name>-ff</name></source></pool>",
          VIR_ERR_XML_ERROR, "invalid volume group name '-ff'" },
        { "<pool type='logical'><name>vg</name><source><name>a b</name></source></pool>",
          VIR_ERR_XML_ERROR, "invalid volume group name 'a b'" },
        { "<pool type='dir'><name>d</name></pool>", VIR_ERR_XML_ERROR, "target path" },
        { "<pool type='dir'><name>d</name><target><path>/</path></target></pool>",
          VIR_ERR_XML_ERROR, "root" },
        { "<pool type='fs'><name>f</name><target><path>/m</path></target></pool>",
          VIR_ERR_XML_ERROR, "one source device" },
        { "<pool type='fs'><name>f</name><source><device path='/d'/><format type='zz'/>"
          "</source><target><path>/m</path></target></pool>", VIR_ERR_XML_ERROR, "zz" },
        { "<pool type='dir'><name>d</name><target><path>/x</path><permissions><mode>999"
          "</mode></permissions></target></pool>", VIR_ERR_XML_ERROR, "octal" },
        { "<volume><name>../x</name><capacity>1</capacity></volume>", VIR_ERR_INVALID_ARG,
          "'/'" },
        { "<volume><name>..</name><capacity>1</capacity></volume>", VIR_ERR_INVALID_ARG,
          "not allowed" },
        { "<volume><name>-v</name><capacity>1</capacity></volume>", VIR_ERR_INVALID_ARG,
          "cannot start with '-'" },
        { "<volume><name>a&#13;b</name><capacity>1</capacity></volume>", VIR_ERR_XML_DETAIL,
          "invalid char in name: '\\r'" },
        { "<volume><name>v</name></volume>", VIR_ERR_XML_ERROR, "capacity" },
        { "<volume><name>v</name><capacity>-1</capacity></volume>", VIR_ERR_XML_ERROR,
          "whole number" },
        { "<volume><name>v</name><capacity unit='E'>99</capacity></volume>",
          VIR_ERR_XML_ERROR, "too large" },
        { "<volume><name>v</name><capacity>1</capacity><target><format type='vmdk'/>"
          "</target></volume>", VIR_ERR_CONFIG_UNSUPPORTED, "vmdk" },
        { "<volume><name>v</name><capacity>1</capacity><backingStore><path>/b</path>"
          "</backingStore></volume>", VIR_ERR_CONFIG_UNSUPPORTED, "backing" },
        { "<volume><name>v</name><capacity>1</capacity><target><compat>1.1</compat>"
          "</target></volume>", VIR_ERR_XML_ERROR, "qcow2" },
        { "<volume><name>v</name>", VIR_ERR_XML_ERROR, "storage_volume_definition" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) err = NULL;
        gboolean pool = g_str_has_prefix(cases[i].xml, "<pool");
        gpointer def = pool ? (gpointer)armz_pool_def_parse(cases[i].xml, &err)
                            : (gpointer)armz_vol_def_parse(cases[i].xml, &err);

        if (def) {
            if (pool)
                armz_pool_def_free(def);
            else
                armz_vol_def_free(def);
            g_error("accepted: %s", cases[i].xml);
        }
        g_assert_nonnull(err);
        if (err->code != cases[i].code || !strstr(err->message, cases[i].words))
            g_error("%s: got code %d '%s'", cases[i].xml, err->code, err->message);
    }
}

/* A name fits NAME_MAX with the longest suffix its files get: 245 bytes
 * once failed with "cannot create temporary file"; now the parser says. */
static void
test_name_length(void)
{
    g_autofree char *p240 = g_strnfill(240, 'p'), *p241 = g_strnfill(241, 'p');
    g_autofree char *v255 = g_strnfill(255, 'v'), *v256 = g_strnfill(256, 'v');
    g_autofree char *pool_ok = g_strdup_printf("<pool type='dir'><name>%s</name><target>"
                                               "<path>/x</path></target></pool>", p240);
    g_autofree char *pool_long = g_strdup_printf("<pool type='dir'><name>%s</name><target>"
                                                 "<path>/x</path></target></pool>", p241);
    g_autofree char *vol_ok = g_strdup_printf("<volume><name>%s</name><capacity>1</capacity>"
                                              "</volume>", v255);
    g_autofree char *vol_long = g_strdup_printf("<volume><name>%s</name><capacity>1"
                                                "</capacity></volume>", v256);
    g_autoptr(GError) err = NULL;
    g_autoptr(ArmzPoolDef) pool = armz_pool_def_parse(pool_ok, &err);
    g_autoptr(ArmzVolDef) vol = armz_vol_def_parse(vol_ok, &err);

    g_assert_no_error(err);
    g_assert_nonnull(pool);
    g_assert_nonnull(vol);
    g_assert_null(armz_pool_def_parse(pool_long, &err));
    g_assert_error(err, ARMZ_ERROR, VIR_ERR_XML_ERROR);
    g_assert_cmpstr(err->message, ==, "pool name is too long: 241 bytes, at most 240 are "
                                      "allowed (it is part of file names)");
    g_clear_error(&err);
    g_assert_null(armz_vol_def_parse(vol_long, &err));
    g_assert_error(err, ARMZ_ERROR, VIR_ERR_INVALID_ARG);
    g_assert_nonnull(strstr(err->message, "256 bytes, at most 255"));
}

int
main(int argc, char **argv)
{
    const char *src = g_getenv("ARMZ_SRCDIR");

    if (src) {
        g_autofree char *dir = g_build_filename(src, "schemas", NULL);
        g_setenv("ARMZ_SCHEMA_DIR", dir, TRUE);
    }
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/storage/pool-defaults", test_pool_defaults);
    g_test_add_func("/storage/pool-round-trip", test_pool_round_trip);
    g_test_add_func("/storage/vol-parse", test_vol_parse);
    g_test_add_func("/storage/units", test_units);
    g_test_add_func("/storage/refused", test_refused);
    g_test_add_func("/storage/name-length", test_name_length);
    return g_test_run();
}
