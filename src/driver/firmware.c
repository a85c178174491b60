/* Firmware descriptors -> the loader and variable store of a domain. */
#include <string.h>
#include <glib/gstdio.h>
#include <yajl/yajl_tree.h>
#include <libvirt/virterror.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/log.h"
#include "driver/domain_validate.h"
#include "driver/firmware.h"

void
armz_firmware_free(ArmzFirmware *fw)
{
    if (!fw)
        return;
    g_free(fw->descriptor);
    g_free(fw->code);
    g_free(fw->vars_template);
    g_free(fw);
}

GStrv
armz_firmware_dirs(gboolean privileged)
{
    const char *env = g_getenv("ARMZ_FIRMWARE_DIRS");
    GStrvBuilder *b;
    GStrv dirs;

    if (env)
        return g_strsplit(env, ":", -1);
    b = g_strv_builder_new();
    g_strv_builder_add(b, "/usr/share/qemu/firmware");
    g_strv_builder_add(b, "/etc/qemu/firmware");
    if (!privileged) {
        g_autofree char *user = g_build_filename(g_get_user_config_dir(), "qemu", "firmware",
                                                 NULL);
        g_strv_builder_add(b, user);
    }
    dirs = g_strv_builder_end(b);
    g_strv_builder_unref(b);
    return dirs;
}

static const char *
json_str(yajl_val root, const char *const *path)
{
    yajl_val v = yajl_tree_get(root, (const char **)path, yajl_t_string);
    return v ? YAJL_GET_STRING(v) : NULL;
}

static gboolean
json_array_has(yajl_val root, const char *key, const char *value)
{
    const char *path[] = { key, NULL };
    yajl_val a = yajl_tree_get(root, path, yajl_t_array);

    for (size_t i = 0; a && i < a->u.array.len; i++) {
        yajl_val v = a->u.array.values[i];
        if (YAJL_IS_STRING(v) && g_strcmp0(YAJL_GET_STRING(v), value) == 0)
            return TRUE;
    }
    return FALSE;
}

/* machine 'virt' is what QEMU's newest virt-X.Y is an alias of: it matches
 * the "virt-*" globs descriptors carry */
static gboolean
machine_matches(const char *glob)
{
    return g_pattern_match_simple(glob, "virt") || g_pattern_match_simple(glob, "virt-");
}

static gboolean
targets_aarch64_virt(yajl_val root)
{
    const char *tpath[] = { "targets", NULL };
    const char *apath[] = { "architecture", NULL };
    const char *mpath[] = { "machines", NULL };
    yajl_val targets = yajl_tree_get(root, tpath, yajl_t_array);

    for (size_t i = 0; targets && i < targets->u.array.len; i++) {
        yajl_val t = targets->u.array.values[i];
        yajl_val arch = yajl_tree_get(t, apath, yajl_t_string);
        yajl_val machines = yajl_tree_get(t, mpath, yajl_t_array);

        if (!arch || g_strcmp0(YAJL_GET_STRING(arch), "aarch64") != 0 || !machines)
            continue;
        for (size_t j = 0; j < machines->u.array.len; j++) {
            yajl_val m = machines->u.array.values[j];
            if (YAJL_IS_STRING(m) && YAJL_GET_STRING(m) && machine_matches(YAJL_GET_STRING(m)))
                return TRUE;
        }
    }
    return FALSE;
}

/* One descriptor, or NULL when it is not for armz (or does not parse). */
static ArmzFirmware *
load_descriptor(const char *path)
{
    static const char *const device[] = { "mapping", "device", NULL };
    static const char *const code[] = { "mapping", "executable", "filename", NULL };
    static const char *const code_fmt[] = { "mapping", "executable", "format", NULL };
    static const char *const vars[] = { "mapping", "nvram-template", "filename", NULL };
    static const char *const vars_fmt[] = { "mapping", "nvram-template", "format", NULL };
    g_autofree char *text = NULL;
    g_autoptr(GError) err = NULL;
    char errbuf[256] = "";
    yajl_val root;
    ArmzFirmware *fw = NULL;
    const char *fmt;

    if (!g_file_get_contents(path, &text, NULL, &err)) {
        armz_warn("cannot read firmware descriptor %s: %s", path, err->message);
        return NULL;
    }
    if (!(root = yajl_tree_parse(text, errbuf, sizeof(errbuf)))) {
        armz_warn("cannot parse firmware descriptor %s: %s", path, errbuf);
        return NULL;
    }
    if (json_array_has(root, "interface-types", "uefi") && targets_aarch64_virt(root) &&
        g_strcmp0(json_str(root, (const char *const *)device), "flash") == 0 &&
        json_str(root, code) && json_str(root, vars) &&
        /* armz-vmm maps raw images; qcow2 flash is QEMU's block layer */
        (!(fmt = json_str(root, code_fmt)) || g_str_equal(fmt, "raw")) &&
        (!(fmt = json_str(root, vars_fmt)) || g_str_equal(fmt, "raw"))) {
        fw = g_new0(ArmzFirmware, 1);
        fw->descriptor = g_strdup(path);
        fw->code = g_strdup(json_str(root, code));
        fw->vars_template = g_strdup(json_str(root, vars));
        fw->secure_boot = json_array_has(root, "features", "secure-boot");
        fw->enrolled_keys = json_array_has(root, "features", "enrolled-keys");
    }
    yajl_tree_free(root);
    return fw;
}

GPtrArray *
armz_firmware_list(const char *const *dirs)
{
    /* file name -> full path, later directories replacing earlier ones */
    g_autoptr(GHashTable) files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_autoptr(GList) names = NULL;
    GPtrArray *list = g_ptr_array_new_with_free_func((GDestroyNotify)armz_firmware_free);

    for (guint i = 0; dirs && dirs[i]; i++) {
        g_autoptr(GDir) dir = *dirs[i] ? g_dir_open(dirs[i], 0, NULL) : NULL;
        const char *name;

        while (dir && (name = g_dir_read_name(dir))) {
            if (g_str_has_suffix(name, ".json"))
                g_hash_table_insert(files, g_strdup(name),
                                    g_build_filename(dirs[i], name, NULL));
        }
    }
    names = g_list_sort(g_hash_table_get_keys(files), (GCompareFunc)strcmp);
    for (GList *l = names; l; l = l->next) {
        const char *path = g_hash_table_lookup(files, l->data);
        ArmzFirmware *fw;
        GStatBuf st;

        /* an empty file masks the descriptor of the same name */
        if (g_stat(path, &st) == 0 && st.st_size == 0)
            continue;
        if ((fw = load_descriptor(path)))
            g_ptr_array_add(list, fw);
    }
    return list;
}

static gboolean
wants(const ArmzDomainDef *def, const char *feature, gboolean has)
{
    ArmzTristate t = armz_domain_def_firmware_feature(def, feature);

    return t == ARMZ_TRISTATE_ABSENT || (t == ARMZ_TRISTATE_ON) == has;
}

/* The descriptor for DEF: by its loader path when it has one, else the
 * first one its <firmware> features allow. Secure Boot descriptors never
 * match (armz_domain_validate refuses asking for them). */
static const ArmzFirmware *
select_firmware(const ArmzDomainDef *def, GPtrArray *list)
{
    const char *code = def->os_loader ? def->os_loader->path : NULL;

    for (guint i = 0; i < list->len; i++) {
        const ArmzFirmware *fw = g_ptr_array_index(list, i);

        if (code ? g_str_equal(code, fw->code)
                 : (!fw->secure_boot && !fw->enrolled_keys &&
                    wants(def, "secure-boot", fw->secure_boot) &&
                    wants(def, "enrolled-keys", fw->enrolled_keys)))
            return fw;
    }
    return NULL;
}

gboolean
armz_firmware_fill(ArmzDomainDef *def, const char *const *dirs, const char *nvram_dir,
                   GError **error)
{
    g_autoptr(GPtrArray) list = NULL;
    const ArmzFirmware *fw = NULL;
    ArmzDomainLoaderDef *l;
    ArmzDomainNvramDef *n;

    if (g_strcmp0(def->os_firmware, "efi") != 0 && !def->os_loader)
        return TRUE;
    if (!armz_domain_validate_firmware(def, error))
        return FALSE;
    if (!def->os_loader)
        def->os_loader = g_new0(ArmzDomainLoaderDef, 1);
    if (!def->os_nvram)
        def->os_nvram = g_new0(ArmzDomainNvramDef, 1);
    l = def->os_loader;
    n = def->os_nvram;
    /* what is given is honoured as given (Nova re-sends what it read back) */
    if (!l->path || !n->template_path) {
        list = armz_firmware_list(dirs);
        fw = select_firmware(def, list);
    }
    if (!l->path) {
        if (!fw) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                        _("Unable to find any firmware to satisfy '%s'"), "efi");
            return FALSE;
        }
        l->path = g_strdup(fw->code);
    }
    if (!n->template_path && fw)
        n->template_path = g_strdup(fw->vars_template);
    /* a store that is named can exist already; one to create needs a template */
    if (!n->template_path && !n->path) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("unable to find any master var store for loader: %s"), l->path);
        return FALSE;
    }
    if (!l->type)
        l->type = g_strdup("pflash");
    if (!l->readonly)
        l->readonly = g_strdup("yes");
    if (!n->path && nvram_dir) {
        g_autofree char *file = g_strconcat(def->name, "_VARS.fd", NULL);
        n->path = g_build_filename(nvram_dir, file, NULL);
    }
    return TRUE;
}

/* ",KEY=VALUE" of DMI_DIR/FILE, commas doubled; FALSE when unreadable or
 * empty (serials are readable by root only) */
static gboolean
dmi_field(GString *opt, const char *dmi_dir, const char *file, const char *key)
{
    g_autofree char *path = g_build_filename(dmi_dir, file, NULL);
    g_autofree char *text = NULL;
    g_auto(GStrv) parts = NULL;
    g_autofree char *val = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL) || !*g_strstrip(text))
        return FALSE;
    parts = g_strsplit(text, ",", -1);
    val = g_strjoinv(",,", parts);
    g_string_append_printf(opt, ",%s=%s", key, val);
    return TRUE;
}

GStrv
armz_firmware_host_smbios(const char *dmi_dir)
{
    static const char *const t0[][2] = {
        { "bios_vendor", "vendor" }, { "bios_version", "version" }, { "bios_date", "date" },
    };
    static const char *const t1[][2] = {
        { "sys_vendor", "manufacturer" }, { "product_name", "product" },
        { "product_version", "version" }, { "product_serial", "serial" },
        { "product_sku", "sku" }, { "product_family", "family" },
    };
    g_autoptr(GStrvBuilder) b = g_strv_builder_new();
    g_autoptr(GString) o0 = g_string_new("type=0");
    g_autoptr(GString) o1 = g_string_new("type=1");
    gboolean any0 = FALSE, any1 = FALSE;
    GStrv out;

    for (guint i = 0; i < G_N_ELEMENTS(t0); i++)
        any0 = dmi_field(o0, dmi_dir, t0[i][0], t0[i][1]) || any0;
    for (guint i = 0; i < G_N_ELEMENTS(t1); i++)
        any1 = dmi_field(o1, dmi_dir, t1[i][0], t1[i][1]) || any1;
    if (any0)
        g_strv_builder_add(b, o0->str);
    if (any1)
        g_strv_builder_add(b, o1->str);
    out = g_strv_builder_end(b);
    if (!out[0])
        g_clear_pointer(&out, g_strfreev);
    return out;
}
