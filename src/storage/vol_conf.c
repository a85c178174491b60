/* <volume> XML. */
#include <string.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/names.h"
#include "util/error.h"
#include "conf/xml_util.h"
#include "conf/encryption_xml.h"
#include "storage/storage_conf_priv.h"

#define VOL_LABEL "(storage_volume_definition)"

static const char *const vol_formats[] = { "none", "raw", "qcow2", NULL };
/* Formats libvirt knows that we neither create nor read. */
static const char *const other_formats[] = {
    "dir", "bochs", "cloop", "dmg", "iso", "vpc", "vdi", "fat", "vhd", "ploop", "cow",
    "qcow", "qed", "vmdk", "luks", "vhdx", NULL
};
static const char *const vol_types[] = { "file", "block", "dir", "network", "netdir", "ploop",
                                         NULL };

const char *
armz_vol_format_to_string(ArmzVolFormat f)
{
    return f < ARMZ_VOL_FORMAT_LAST ? vol_formats[f] : "unknown";
}

const char *
armz_vol_type_to_string(int type)
{
    return type >= 0 && type < (int)G_N_ELEMENTS(vol_types) - 1 ? vol_types[type] : "file";
}

static int
index_of(const char *v, const char *const *list)
{
    for (int i = 0; v && list[i]; i++)
        if (g_str_equal(v, list[i]))
            return i;
    return -1;
}

void
armz_vol_def_free(ArmzVolDef *def)
{
    if (!def)
        return;
    g_free(def->name);
    g_free(def->key);
    g_free(def->path);
    g_free(def->compat);
    g_free(def->backing_path);
    g_free(def->lv_device);
    g_free(def->secret_uuid);
    g_free(def->secret_usage);
    if (def->passphrase)
        g_bytes_unref(def->passphrase);
    g_free(def);
}

static ArmzVolDef *
vol_def_new(void)
{
    ArmzVolDef *def = g_new0(ArmzVolDef, 1);

    armz_sto_perms_init(&def->perms);
    def->format = ARMZ_VOL_FORMAT_RAW;
    return def;
}

ArmzVolDef *
armz_vol_def_copy(const ArmzVolDef *src)
{
    ArmzVolDef *def = g_new0(ArmzVolDef, 1);

    *def = *src;
    def->name = g_strdup(src->name);
    def->key = g_strdup(src->key);
    def->path = g_strdup(src->path);
    def->compat = g_strdup(src->compat);
    def->backing_path = g_strdup(src->backing_path);
    def->lv_device = g_strdup(src->lv_device);
    def->secret_uuid = g_strdup(src->secret_uuid);
    def->secret_usage = g_strdup(src->secret_usage);
    def->passphrase = NULL;
    return def;
}

/* <encryption format='luks'><secret type='passphrase' uuid=''|usage=''/>:
 * the passphrase of the LUKS volume to create. */
static gboolean
parse_encryption(ArmzVolDef *def, xmlNodePtr node, GError **error)
{
    g_autofree char *format = NULL;     /* luks, the only one accepted */

    if (!armz_encryption_parse(node, ARMZ_ENCRYPTION_OF_VOLUME, &format, &def->secret_uuid,
                               &def->secret_usage, error))
        return FALSE;
    def->luks = TRUE;
    return TRUE;
}

static gboolean
parse_target(ArmzVolDef *def, xmlNodePtr tgt, GError **error)
{
    for (xmlNodePtr c = armz_xml_first_element(tgt); c; c = armz_xml_next_element(c)) {
        if (armz_xml_is(c, "format")) {
            g_autofree char *type = armz_xml_prop(c, "type");
            int f = index_of(type, vol_formats);

            if (!type)
                return armz_sto_fail(error, VIR_ERR_XML_ERROR,
                                     _("missing volume format type"));
            if (f < 0 && index_of(type, other_formats) >= 0)
                return armz_sto_fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                                     _("volume format '%s' is not supported by the armz "
                                       "driver (raw and qcow2 are)"), type);
            if (f < 0)
                return armz_sto_fail(error, VIR_ERR_XML_ERROR,
                                     _("unknown volume format type %s"), type);
            def->format = f;
        } else if (armz_xml_is(c, "permissions")) {
            if (!armz_sto_perms_parse(c, &def->perms, error))
                return FALSE;
        } else if (armz_xml_is(c, "compat")) {
            g_autofree char *v = g_strstrip(armz_xml_text(c));
            if (!g_str_equal(v, "0.10") && !g_str_equal(v, "1.1"))
                return armz_sto_fail(error, VIR_ERR_XML_ERROR,
                                     _("unknown qcow2 compat level '%s' (0.10 or 1.1)"), v);
            g_free(def->compat);
            def->compat = g_steal_pointer(&v);
        } else if (armz_xml_is(c, "encryption") && !parse_encryption(def, c, error)) {
            return FALSE;
        }
        /* path, timestamps, features, nocow, clusterSize: computed or
         * advisory, not read. */
    }
    return TRUE;
}

ArmzVolDef *
armz_vol_def_parse(const char *xml, GError **error)
{
    g_autoptr(xmlDoc) doc = armz_xml_parse(xml, VOL_LABEL, error);
    g_autoptr(ArmzVolDef) def = NULL;
    g_autofree char *type = NULL;
    gboolean have_capacity = FALSE;
    xmlNodePtr root;

    if (!doc)
        return NULL;
    root = xmlDocGetRootElement(doc);
    if (!root || !armz_xml_is(root, "volume")) {
        armz_sto_fail(error, VIR_ERR_XML_ERROR,
                      _("unexpected root element <%s>, expecting <volume>"),
                      root ? (const char *)root->name : "");
        return NULL;
    }
    def = vol_def_new();
    type = armz_xml_prop(root, "type");
    if (type) {
        int t = index_of(type, vol_types);
        if (t < 0) {
            armz_sto_fail(error, VIR_ERR_XML_ERROR, _("unknown volume type '%s'"), type);
            return NULL;
        }
        def->type = t;
    }
    for (xmlNodePtr c = armz_xml_first_element(root); c; c = armz_xml_next_element(c)) {
        if (armz_xml_is(c, "name")) {
            g_free(def->name);
            def->name = g_strstrip(armz_xml_text(c));
        } else if (armz_xml_is(c, "capacity")) {
            if (!armz_sto_scaled_element(c, &def->capacity, error))
                return NULL;
            have_capacity = TRUE;
        } else if (armz_xml_is(c, "allocation")) {
            if (!armz_sto_scaled_element(c, &def->allocation, error))
                return NULL;
            def->has_allocation = TRUE;
        } else if (armz_xml_is(c, "target")) {
            if (!parse_target(def, c, error))
                return NULL;
        } else if (armz_xml_is(c, "backingStore")) {
            armz_sto_fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                          _("volumes with a backing store are not supported by the armz driver"));
            return NULL;
        }
        /* key, source, physical: computed, not read. */
    }
    if (!def->name) {
        armz_sto_fail(error, VIR_ERR_XML_ERROR, _("missing volume name element"));
        return NULL;
    }
    if (!armz_name_check(ARMZ_NAME_VOLUME, def->name, error))
        return NULL;
    if (!have_capacity) {
        armz_sto_fail(error, VIR_ERR_XML_ERROR, _("missing capacity element"));
        return NULL;
    }
    if (def->has_allocation && def->allocation > def->capacity)
        def->allocation = def->capacity;   /* as libvirt clamps it */
    if (def->compat && def->format != ARMZ_VOL_FORMAT_QCOW2) {
        armz_sto_fail(error, VIR_ERR_XML_ERROR, _("<compat> is only valid for qcow2 volumes"));
        return NULL;
    }
    return g_steal_pointer(&def);
}

static void
size_element(GString *buf, const char *name, guint64 v)
{
    g_string_append_printf(buf, "  <%s unit='bytes'>%" G_GUINT64_FORMAT "</%s>\n", name, v, name);
}

static void
time_element(GString *buf, const char *name, const struct timespec *ts)
{
    g_string_append_printf(buf, "      <%s>%lld.%09ld</%s>\n", name, (long long)ts->tv_sec,
                           ts->tv_nsec, name);
}

char *
armz_vol_def_format(const ArmzVolDef *def)
{
    GString *buf = g_string_new(NULL);

    g_string_append_printf(buf, "<volume type='%s'>\n", armz_vol_type_to_string(def->type));
    armz_xml_text_element(buf, 1, "name", def->name);
    armz_xml_text_element(buf, 1, "key", def->key);
    if (def->lv_device) {
        g_string_append(buf, "  <source>\n    <device");
        armz_xml_attr_append(buf, "path", def->lv_device);
        g_string_append(buf, "/>\n  </source>\n");
    }
    size_element(buf, "capacity", def->capacity);
    size_element(buf, "allocation", def->allocation);
    size_element(buf, "physical", def->physical);
    g_string_append(buf, "  <target>\n");
    armz_xml_text_element(buf, 2, "path", def->path);
    if (def->format != ARMZ_VOL_FORMAT_NONE)
        g_string_append_printf(buf, "    <format type='%s'/>\n",
                               armz_vol_format_to_string(def->format));
    armz_sto_perms_format(buf, 2, &def->perms);
    if (def->has_times) {
        g_string_append(buf, "    <timestamps>\n");
        time_element(buf, "atime", &def->atime);
        time_element(buf, "mtime", &def->mtime);
        time_element(buf, "ctime", &def->ctime_);
        g_string_append(buf, "    </timestamps>\n");
    }
    armz_xml_text_element(buf, 2, "compat", def->compat);
    if (def->luks) {
        g_string_append(buf, "    <encryption format='luks'");
        if (def->secret_uuid || def->secret_usage) {
            g_string_append(buf, ">\n      <secret type='passphrase'");
            armz_xml_attr_append(buf, "uuid", def->secret_uuid);
            armz_xml_attr_append(buf, "usage", def->secret_usage);
            g_string_append(buf, "/>\n    </encryption>\n");
        } else {
            g_string_append(buf, "/>\n");
        }
    }
    g_string_append(buf, "  </target>\n");
    if (def->backing_path) {
        g_string_append(buf, "  <backingStore>\n");
        armz_xml_text_element(buf, 2, "path", def->backing_path);
        g_string_append(buf, "  </backingStore>\n");
    }
    g_string_append(buf, "</volume>\n");
    return g_string_free(buf, FALSE);
}
