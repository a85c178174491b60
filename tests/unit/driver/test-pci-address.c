/* PCI address assignment written back into the definition (what define
 * stores, so a device keeps its address across restarts): every
 * tests/data/vmm-command/pci-*.xml, assigned, must format as
 * tests/data/pci-address/NAME.out.xml; assigning again changes nothing.
 * ARMZ_REGENERATE=1 rewrites the .out.xml files. */
#include <string.h>
#include <glib/gstdio.h>
#include "conf/domain_conf.h"
#include "driver/pci_address.h"

static const char *srcdir;

static char *
read_file(const char *path)
{
    char *s = NULL;
    g_autoptr(GError) err = NULL;
    if (!g_file_get_contents(path, &s, NULL, &err))
        g_error("%s", err->message);
    return s;
}

static void
test_assign(gconstpointer data)
{
    const char *name = data;
    g_autofree char *in = g_strdup_printf("%s/tests/data/vmm-command/%s.xml", srcdir, name);
    g_autofree char *out = g_strdup_printf("%s/tests/data/pci-address/%s.out.xml", srcdir, name);
    g_autofree char *xml = read_file(in);
    g_autoptr(GError) err = NULL;
    g_autoptr(ArmzDomainDef) def = armz_domain_def_parse(xml, &err);
    g_autoptr(ArmzDomainDef) again = NULL;
    g_autofree char *actual = NULL, *second = NULL;

    g_assert_no_error(err);
    g_assert_true(armz_domain_pci_assign(def, &err));
    g_assert_no_error(err);
    actual = armz_domain_def_format(def, -1, 0);
    /* the stored XML, parsed and assigned again, is the same */
    again = armz_domain_def_parse(actual, &err);
    g_assert_no_error(err);
    g_assert_true(armz_domain_pci_assign(again, &err));
    second = armz_domain_def_format(again, -1, 0);
    g_assert_cmpstr(second, ==, actual);
    if (g_strcmp0(g_getenv("ARMZ_REGENERATE"), "1") == 0) {
        g_assert_true(g_file_set_contents(out, actual, -1, NULL));
        return;
    }
    {
        g_autofree char *expected = read_file(out);
        g_assert_cmpstr(actual, ==, expected);
    }
}

int
main(int argc, char **argv)
{
    g_autofree char *dir = NULL;
    g_autoptr(GDir) d = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *e;

    g_test_init(&argc, &argv, NULL);
    srcdir = g_getenv("ARMZ_SRCDIR") ? g_getenv("ARMZ_SRCDIR") : ".";
    dir = g_build_filename(srcdir, "tests", "data", "vmm-command", NULL);
    d = g_dir_open(dir, 0, NULL);
    g_assert_nonnull(d);
    while ((e = g_dir_read_name(d)))
        if (g_str_has_prefix(e, "pci-") && g_str_has_suffix(e, ".xml"))
            g_ptr_array_add(names, g_strndup(e, strlen(e) - 4));
    g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
    g_assert_cmpuint(names->len, >=, 5);
    for (guint i = 0; i < names->len; i++) {
        g_autofree char *tn = g_strdup_printf("/pci-address/%s", (char *)names->pdata[i]);
        g_test_add_data_func(tn, names->pdata[i], test_assign);
    }
    return g_test_run();
}
