/* The DAC security driver on real files: which identity a definition asks
 * for, files given to it and given back (shared files by their last user,
 * records that survive a daemon restart). The relabelling cases need root
 * (they give files to nobody, 65534, and take them back). */
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <libvirt/virterror.h>

#include "util/error.h"
#include "driver/security_dac.h"

#define NOBODY 65534

static ArmzDomainDef *
def_with(const char *seclabel)
{
    g_autofree char *xml = g_strdup_printf(
        "<domain type='kvm'><name>d</name><memory unit='MiB'>64</memory>"
        "<os><type arch='aarch64' machine='virt'>hvm</type><kernel>/k</kernel></os>%s"
        "</domain>", seclabel);
    g_autoptr(GError) err = NULL;
    ArmzDomainDef *def = armz_domain_def_parse(xml, &err);

    g_assert_no_error(err);
    return def;
}

static void
test_parse_label(void)
{
    g_autoptr(GError) err = NULL;
    uid_t u;
    gid_t g;

    g_assert_true(armz_dac_parse_label("+107:+108", &u, &g, NULL));
    g_assert_cmpuint(u, ==, 107);
    g_assert_cmpuint(g, ==, 108);
    g_assert_true(armz_dac_parse_label("root:0", &u, &g, NULL));
    g_assert_cmpuint(u, ==, 0);
    g_assert_cmpuint(g, ==, 0);
    g_assert_false(armz_dac_parse_label("no-such-user-armz:root", &u, &g, &err));
    g_assert_error(err, ARMZ_ERROR, VIR_ERR_INVALID_ARG);
    g_assert_nonnull(strstr(err->message, "no-such-user-armz"));
    g_clear_error(&err);
    g_assert_false(armz_dac_parse_label("+1:no-such-group-armz", &u, &g, &err));
    g_assert_nonnull(strstr(err->message, "group 'no-such-group-armz'"));
    g_clear_error(&err);
    g_assert_false(armz_dac_parse_label("107", &u, &g, &err));
    g_assert_error(err, ARMZ_ERROR, VIR_ERR_INVALID_ARG);
}

static void
test_plan(void)
{
    static const struct {
        const char *seclabel;
        uid_t uid;
        gid_t gid;
        gboolean relabel;
    } cases[] = {
        { "", 1234, 1235, TRUE },
        { "<seclabel type='dynamic' model='dac'/>", 1234, 1235, TRUE },
        { "<seclabel type='none'/>", 1234, 1235, FALSE },
        { "<seclabel type='none' model='dac'/>", 1234, 1235, FALSE },
        { "<seclabel type='static' model='dac'><label>+77:+78</label></seclabel>", 77, 78, TRUE },
        { "<seclabel type='static' model='dac' relabel='no'><label>+77:+78</label></seclabel>",
          77, 78, FALSE },
        /* another model's label says nothing about DAC */
        { "<seclabel type='none' model='selinux'/>", 1234, 1235, TRUE },
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(ArmzDomainDef) def = def_with(cases[i].seclabel);
        ArmzDacPlan plan;

        g_assert_true(armz_dac_plan(def, 1234, 1235, &plan, NULL));
        g_assert_cmpuint(plan.uid, ==, cases[i].uid);
        g_assert_cmpuint(plan.gid, ==, cases[i].gid);
        g_assert_cmpint(plan.relabel, ==, cases[i].relabel);
    }
    {
        /* the daemon's own identity: nothing to give */
        g_autoptr(ArmzDomainDef) def = def_with("");
        ArmzDacPlan plan;
        g_assert_true(armz_dac_plan(def, geteuid(), getegid(), &plan, NULL));
        g_assert_false(plan.relabel);
    }
}

typedef struct {
    char *dir;
    char *a, *b;
} Files;

static void
files_setup(Files *f, gconstpointer data)
{
    (void)data;
    f->dir = g_dir_make_tmp("armz-dac-XXXXXX", NULL);
    g_assert_nonnull(f->dir);
    f->a = g_build_filename(f->dir, "kernel", NULL);
    f->b = g_build_filename(f->dir, "initrd", NULL);
    g_assert_true(g_file_set_contents(f->a, "k", 1, NULL));
    g_assert_true(g_file_set_contents(f->b, "i", 1, NULL));
    g_assert_cmpint(chmod(f->a, 0600), ==, 0);
    if (geteuid() == 0) {
        g_assert_cmpint(chown(f->a, 0, 0), ==, 0);
        g_assert_cmpint(chown(f->b, 0, 0), ==, 0);
    }
}

static void
files_teardown(Files *f, gconstpointer data)
{
    (void)data;
    unlink(f->a);
    unlink(f->b);
    rmdir(f->dir);
    g_free(f->a);
    g_free(f->b);
    g_free(f->dir);
}

static void
assert_owner(const char *path, uid_t uid, gid_t gid)
{
    struct stat st;

    g_assert_cmpint(stat(path, &st), ==, 0);
    g_assert_cmpuint(st.st_uid, ==, uid);
    g_assert_cmpuint(st.st_gid, ==, gid);
}

static gboolean
need_root(void)
{
    if (geteuid() == 0)
        return TRUE;
    g_test_skip("relabelling needs root");
    return FALSE;
}

static const ArmzDacPlan to_nobody = { NOBODY, NOBODY, TRUE };

static void
test_label_restore(Files *f, gconstpointer data)
{
    g_autoptr(GPtrArray) rec = armz_dac_records_new();
    const char *paths[] = { f->a, f->b, NULL };
    const ArmzDacRecord *r;

    (void)data;
    if (!need_root())
        return;
    g_assert_true(armz_dac_label(&to_nobody, paths, rec, NULL));
    assert_owner(f->a, NOBODY, NOBODY);
    assert_owner(f->b, NOBODY, NOBODY);
    g_assert_cmpuint(rec->len, ==, 2);
    r = g_ptr_array_index(rec, 0);
    g_assert_cmpuint(r->uid, ==, 0);
    g_assert_cmpuint(r->gid, ==, 0);
    armz_dac_restore(rec);
    g_assert_cmpuint(rec->len, ==, 0);
    assert_owner(f->a, 0, 0);
    assert_owner(f->b, 0, 0);

    /* relabel off: untouched, nothing recorded */
    {
        ArmzDacPlan off = to_nobody;
        off.relabel = FALSE;
        g_assert_true(armz_dac_label(&off, paths, rec, NULL));
        g_assert_cmpuint(rec->len, ==, 0);
        assert_owner(f->a, 0, 0);
    }
}

static void
test_label_failure_undoes(Files *f, gconstpointer data)
{
    g_autoptr(GPtrArray) rec = armz_dac_records_new();
    g_autofree char *missing = g_build_filename(f->dir, "missing", NULL);
    const char *paths[] = { f->a, missing, NULL };
    g_autoptr(GError) err = NULL;

    (void)data;
    if (!need_root())
        return;
    g_assert_false(armz_dac_label(&to_nobody, paths, rec, &err));
    g_assert_error(err, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR);
    g_assert_nonnull(strstr(err->message, missing));
    g_assert_cmpuint(rec->len, ==, 0);
    assert_owner(f->a, 0, 0);
}

/* One kernel for two guests: the first gives it, the last gives it back
 * to its real owner (not to the label the second one found). */
static void
test_shared_file(Files *f, gconstpointer data)
{
    g_autoptr(GPtrArray) one = armz_dac_records_new();
    g_autoptr(GPtrArray) two = armz_dac_records_new();
    const char *paths[] = { f->a, NULL };

    (void)data;
    if (!need_root())
        return;
    g_assert_true(armz_dac_label(&to_nobody, paths, one, NULL));
    g_assert_true(armz_dac_label(&to_nobody, paths, two, NULL));
    g_assert_cmpuint(((ArmzDacRecord *)g_ptr_array_index(two, 0))->uid, ==, 0);
    armz_dac_restore(one);
    assert_owner(f->a, NOBODY, NOBODY);
    armz_dac_restore(two);
    assert_owner(f->a, 0, 0);
}

/* A restarted daemon reads the records from the status file and still
 * gives the files back; a file someone else took meanwhile stays theirs. */
static void
test_records_survive_restart(Files *f, gconstpointer data)
{
    g_autoptr(GPtrArray) rec = armz_dac_records_new();
    g_autoptr(GPtrArray) back = armz_dac_records_new();
    g_autoptr(GPtrArray) adopted = armz_dac_records_new();
    const char *paths[] = { f->a, f->b, NULL };
    g_auto(GStrv) strv = NULL;

    (void)data;
    if (!need_root())
        return;
    g_assert_true(armz_dac_label(&to_nobody, paths, rec, NULL));
    strv = armz_dac_records_to_strv(rec);
    g_assert_cmpuint(g_strv_length(strv), ==, 2);
    g_assert_true(g_str_has_prefix(strv[0], "0:0:/"));
    armz_dac_records_from_strv(back, (const char *const *)strv);
    g_assert_cmpuint(back->len, ==, 2);
    g_assert_cmpstr(((ArmzDacRecord *)g_ptr_array_index(back, 1))->path, ==,
                    ((ArmzDacRecord *)g_ptr_array_index(rec, 1))->path);

    /* the old daemon's table is gone with it: drop its users first */
    armz_dac_restore(rec);
    g_assert_cmpint(chown(f->a, NOBODY, NOBODY), ==, 0);
    g_assert_cmpint(chown(f->b, NOBODY, NOBODY), ==, 0);
    armz_dac_adopt(back);
    g_assert_cmpint(chown(f->b, 1, 1), ==, 0);     /* an admin's change */
    armz_dac_restore(back);
    assert_owner(f->a, 0, 0);
    assert_owner(f->b, 1, 1);

    {
        const char *bad[] = { "junk", "1:2:relative", "x:0:/p", "3:4:/a:b", NULL };
        armz_dac_records_from_strv(adopted, bad);
        g_assert_cmpuint(adopted->len, ==, 1);
        g_assert_cmpstr(((ArmzDacRecord *)g_ptr_array_index(adopted, 0))->path, ==, "/a:b");
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/security-dac/parse-label", test_parse_label);
    g_test_add_func("/security-dac/plan", test_plan);
    g_test_add("/security-dac/label-restore", Files, NULL, files_setup, test_label_restore,
               files_teardown);
    g_test_add("/security-dac/failure-undoes", Files, NULL, files_setup,
               test_label_failure_undoes, files_teardown);
    g_test_add("/security-dac/shared-file", Files, NULL, files_setup, test_shared_file,
               files_teardown);
    g_test_add("/security-dac/records-survive-restart", Files, NULL, files_setup,
               test_records_survive_restart, files_teardown);
    return g_test_run();
}
