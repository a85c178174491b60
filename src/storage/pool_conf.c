/* <pool> XML: dir, fs and logical pools. */
#include <string.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/names.h"
#include "util/error.h"
#include "conf/xml_util.h"
#include "conf/domain_conf.h"
#include "storage/storage_conf_priv.h"

#define POOL_LABEL "(storage_pool_definition)"

static const char *const pool_types[] = { "dir", "fs", "logical", NULL };
/* libvirt's other pool types: valid XML, not provided here. */
static const char *const other_types[] = {
    "netfs", "disk", "iscsi", "iscsi-direct", "scsi", "mpath", "rbd", "sheepdog",
    "gluster", "zfs", "vstorage", NULL
};
static const char *const fs_formats[] = {
    "auto", "ext2", "ext3", "ext4", "ufs", "iso9660", "udf", "gfs", "gfs2", "vfat",
    "hfs+", "xfs", "ocfs2", "vmfs", NULL
};

const char *
armz_pool_type_to_string(ArmzPoolType t)
{
    return t < ARMZ_POOL_TYPE_LAST ? pool_types[t] : "unknown";
}

int
armz_pool_type_from_string(const char *s)
{
    for (int i = 0; s && pool_types[i]; i++)
        if (g_str_equal(s, pool_types[i]))
            return i;
    return -1;
}

void
armz_pool_def_free(ArmzPoolDef *def)
{
    if (!def)
        return;
    g_free(def->name);
    if (def->devices)
        g_ptr_array_unref(def->devices);
    g_free(def->source_name);
    g_free(def->source_format);
    g_free(def->target_path);
    g_free(def);
}

static ArmzPoolDef *
pool_def_new(void)
{
    ArmzPoolDef *def = g_new0(ArmzPoolDef, 1);

    def->devices = g_ptr_array_new_with_free_func(g_free);
    armz_sto_perms_init(&def->perms);
    return def;
}

ArmzPoolDef *
armz_pool_def_copy(const ArmzPoolDef *src)
{
    ArmzPoolDef *def = pool_def_new();

    def->type = src->type;
    def->name = g_strdup(src->name);
    memcpy(def->uuid, src->uuid, 16);
    def->capacity = src->capacity;
    def->allocation = src->allocation;
    def->available = src->available;
    for (guint i = 0; i < src->devices->len; i++)
        g_ptr_array_add(def->devices, g_strdup(g_ptr_array_index(src->devices, i)));
    def->source_name = g_strdup(src->source_name);
    def->source_format = g_strdup(src->source_format);
    def->target_path = g_strdup(src->target_path);
    def->perms = src->perms;
    return def;
}

static gboolean
in_list(const char *v, const char *const *list)
{
    for (int i = 0; v && list[i]; i++)
        if (g_str_equal(v, list[i]))
            return TRUE;
    return FALSE;
}

static gboolean
parse_source(ArmzPoolDef *def, xmlNodePtr src, GError **error)
{
    for (xmlNodePtr c = armz_xml_first_element(src); c; c = armz_xml_next_element(c)) {
        if (armz_xml_is(c, "device")) {
            g_autofree char *path = armz_xml_prop(c, "path");
            char *clean;

            if (!path)
                return armz_sto_fail(error, VIR_ERR_XML_ERROR,
                                     _("missing storage pool source device path"));
            if (!(clean = armz_sto_clean_path(path, _("source device"), error)))
                return FALSE;
            g_ptr_array_add(def->devices, clean);
        } else if (armz_xml_is(c, "name")) {
            g_free(def->source_name);
            def->source_name = g_strstrip(armz_xml_text(c));
        } else if (armz_xml_is(c, "format")) {
            g_free(def->source_format);
            def->source_format = armz_xml_prop(c, "type");
            if (!def->source_format)
                return armz_sto_fail(error, VIR_ERR_XML_ERROR,
                                     _("missing pool source format type"));
        } else if (armz_xml_is(c, "host") || armz_xml_is(c, "dir") ||
                   armz_xml_is(c, "adapter") || armz_xml_is(c, "auth") ||
                   armz_xml_is(c, "initiator")) {
            return armz_sto_fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                                 _("<source><%s> is not supported by %s pools"),
                                 (const char *)c->name, armz_pool_type_to_string(def->type));
        }
        /* <vendor>, <product>, <protocol>: descriptive, ignored. */
    }
    return TRUE;
}

static gboolean
parse_target(ArmzPoolDef *def, xmlNodePtr tgt, GError **error)
{
    for (xmlNodePtr c = armz_xml_first_element(tgt); c; c = armz_xml_next_element(c)) {
        if (armz_xml_is(c, "path")) {
            g_autofree char *text = g_strstrip(armz_xml_text(c));
            g_free(def->target_path);
            if (!(def->target_path = armz_sto_clean_path(text, _("target path"), error)))
                return FALSE;
        } else if (armz_xml_is(c, "permissions")) {
            if (!armz_sto_perms_parse(c, &def->perms, error))
                return FALSE;
        }
    }
    return TRUE;
}

/* Type-specific rules and defaults, once everything is read. */
static gboolean
check_pool(ArmzPoolDef *def, GError **error)
{
    switch (def->type) {
    case ARMZ_POOL_DIR:
        if (def->devices->len || def->source_name)
            return armz_sto_fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                                 _("a dir pool has no source: remove <source> children"));
        break;
    case ARMZ_POOL_FS:
        if (def->devices->len != 1)
            return armz_sto_fail(error, VIR_ERR_XML_ERROR,
                                 _("an fs pool needs exactly one source device"));
        if (!def->source_format)
            def->source_format = g_strdup("auto");
        if (!in_list(def->source_format, fs_formats))
            return armz_sto_fail(error, VIR_ERR_XML_ERROR,
                                 _("unknown pool format type %s"), def->source_format);
        break;
    case ARMZ_POOL_LOGICAL:
        if (!def->source_name)
            def->source_name = g_strdup(def->name);
        /* lvm's rules for names: it is an argument of lvm's commands */
        if (!*def->source_name || def->source_name[0] == '-' ||
            strspn(def->source_name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                     "0123456789+_.-") != strlen(def->source_name))
            return armz_sto_fail(error, VIR_ERR_XML_ERROR,
                                 _("invalid volume group name '%s'"), def->source_name);
        if (!def->source_format)
            def->source_format = g_strdup("lvm2");
        if (!g_str_equal(def->source_format, "lvm2") && !g_str_equal(def->source_format, "auto"))
            return armz_sto_fail(error, VIR_ERR_XML_ERROR,
                                 _("unknown pool format type %s"), def->source_format);
        if (g_str_equal(def->source_format, "auto")) {
            g_free(def->source_format);
            def->source_format = g_strdup("lvm2");
        }
        if (!def->target_path)
            def->target_path = g_strdup_printf("/dev/%s", def->source_name);
        break;
    case ARMZ_POOL_TYPE_LAST:
    default:
        break;
    }
    if (!def->target_path)
        return armz_sto_fail(error, VIR_ERR_XML_ERROR, _("missing storage pool target path"));
    if (g_str_equal(def->target_path, "/"))
        return armz_sto_fail(error, VIR_ERR_XML_ERROR,
                             _("the root directory cannot be a pool's target path"));
    return TRUE;
}

ArmzPoolDef *
armz_pool_def_parse(const char *xml, GError **error)
{
    g_autoptr(xmlDoc) doc = armz_xml_parse(xml, POOL_LABEL, error);
    g_autoptr(ArmzPoolDef) def = NULL;
    g_autofree char *type = NULL;
    xmlNodePtr root;
    gboolean have_uuid = FALSE;

    if (!doc)
        return NULL;
    root = xmlDocGetRootElement(doc);
    if (!root || !armz_xml_is(root, "pool")) {
        armz_sto_fail(error, VIR_ERR_XML_ERROR,
                      _("unexpected root element <%s>, expecting <pool>"),
                      root ? (const char *)root->name : "");
        return NULL;
    }
    def = pool_def_new();
    type = armz_xml_prop(root, "type");
    if (!type) {
        armz_sto_fail(error, VIR_ERR_XML_ERROR, _("storage pool type is missing"));
        return NULL;
    }
    if (armz_pool_type_from_string(type) < 0) {
        if (in_list(type, other_types))
            armz_sto_fail(error, VIR_ERR_CONFIG_UNSUPPORTED,
                          _("storage pool type '%s' is not supported by the armz driver "
                            "(dir, fs and logical are)"), type);
        else
            armz_sto_fail(error, VIR_ERR_XML_ERROR, _("unknown storage pool type %s"), type);
        return NULL;
    }
    def->type = armz_pool_type_from_string(type);

    for (xmlNodePtr c = armz_xml_first_element(root); c; c = armz_xml_next_element(c)) {
        if (armz_xml_is(c, "name")) {
            g_free(def->name);
            def->name = g_strstrip(armz_xml_text(c));
        } else if (armz_xml_is(c, "uuid")) {
            g_autofree char *u = armz_xml_text(c);
            if (!armz_uuid_parse(u, def->uuid)) {
                armz_sto_fail(error, VIR_ERR_XML_ERROR, _("malformed uuid element"));
                return NULL;
            }
            have_uuid = TRUE;
        } else if (armz_xml_is(c, "source")) {
            if (!parse_source(def, c, error))
                return NULL;
        } else if (armz_xml_is(c, "target")) {
            if (!parse_target(def, c, error))
                return NULL;
        } else if (armz_xml_is(c, "features") || armz_xml_is(c, "refresh")) {
            /* Backend tunables of other pool types. */
            continue;
        }
        /* capacity, allocation, available: computed, not read. */
    }
    if (!def->name) {
        armz_sto_fail(error, VIR_ERR_XML_ERROR, _("missing pool source name element"));
        return NULL;
    }
    if (!armz_name_check(ARMZ_NAME_POOL, def->name, error) || !check_pool(def, error))
        return NULL;
    if (!have_uuid)
        armz_uuid_generate(def->uuid);
    return g_steal_pointer(&def);
}

static void
size_element(GString *buf, const char *name, guint64 v)
{
    g_string_append_printf(buf, "  <%s unit='bytes'>%" G_GUINT64_FORMAT "</%s>\n", name, v, name);
}

char *
armz_pool_def_format(const ArmzPoolDef *def)
{
    GString *buf = g_string_new(NULL);
    char uuid[37];

    armz_uuid_format(def->uuid, uuid);
    g_string_append_printf(buf, "<pool type='%s'>\n", armz_pool_type_to_string(def->type));
    armz_xml_text_element(buf, 1, "name", def->name);
    armz_xml_text_element(buf, 1, "uuid", uuid);
    size_element(buf, "capacity", def->capacity);
    size_element(buf, "allocation", def->allocation);
    size_element(buf, "available", def->available);
    if (def->devices->len || def->source_name || def->source_format) {
        g_string_append(buf, "  <source>\n");
        for (guint i = 0; i < def->devices->len; i++) {
            g_string_append(buf, "    <device");
            armz_xml_attr_append(buf, "path", g_ptr_array_index(def->devices, i));
            g_string_append(buf, "/>\n");
        }
        armz_xml_text_element(buf, 2, "name", def->source_name);
        if (def->source_format) {
            g_string_append(buf, "    <format");
            armz_xml_attr_append(buf, "type", def->source_format);
            g_string_append(buf, "/>\n");
        }
        g_string_append(buf, "  </source>\n");
    } else {
        g_string_append(buf, "  <source>\n  </source>\n");
    }
    g_string_append(buf, "  <target>\n");
    armz_xml_text_element(buf, 2, "path", def->target_path);
    armz_sto_perms_format(buf, 2, &def->perms);
    g_string_append(buf, "  </target>\n");
    g_string_append(buf, "</pool>\n");
    return g_string_free(buf, FALSE);
}
