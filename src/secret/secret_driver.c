/* The secret driver (see secret_driver.h). Secrets are few and small: one
 * table under one lock, no jobs; every change is written before the call
 * returns. */
#include <string.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/fileutil.h"
#include "util/flags.h"
#include "util/log.h"
#include "util/uuid.h"
#include "secret/secret_conf.h"
#include "secret/secret_driver.h"

#define VALUE_MAX 65536

typedef struct {
    ArmzSecretDef *def;
    GBytes *value;          /* NULL until set */
} Secret;

struct _ArmzSecretDriver {
    char *dir;
    GMutex lock;
    GHashTable *secrets;    /* UUID string -> Secret* */
};

static void
secret_free(gpointer p)
{
    Secret *s = p;

    armz_secret_def_free(s->def);
    if (s->value)
        g_bytes_unref(s->value);
    g_free(s);
}

void
armz_secret_id_clear(ArmzSecretId *id)
{
    g_clear_pointer(&id->usage_id, g_free);
}

static void
fill_id(const Secret *s, ArmzSecretId *out)
{
    memcpy(out->uuid, s->def->uuid, 16);
    out->usage_type = s->def->usage_type;
    out->usage_id = g_strdup(s->def->usage_id ? s->def->usage_id : "");
}

static char *
file_path(ArmzSecretDriver *drv, const unsigned char *uuid, const char *ext)
{
    char u[ARMZ_UUID_STRING_BUFLEN];

    armz_uuid_format(uuid, u);
    return g_strdup_printf("%s/%s.%s", drv->dir, u, ext);
}

static Secret *
find(ArmzSecretDriver *drv, const unsigned char *uuid, GError **error)
{
    char u[ARMZ_UUID_STRING_BUFLEN];
    Secret *s;

    armz_uuid_format(uuid, u);
    if (!(s = g_hash_table_lookup(drv->secrets, u)))
        g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_SECRET,
                    _("no secret with matching uuid '%s'"), u);
    return s;
}

static void
load_one(ArmzSecretDriver *drv, const char *name)
{
    g_autofree char *path = g_build_filename(drv->dir, name, NULL);
    g_autofree char *xml = NULL;
    g_autofree char *b64 = NULL;
    g_autofree char *bpath = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(ArmzSecretDef) def = NULL;
    char u[ARMZ_UUID_STRING_BUFLEN];
    Secret *s;

    if (!g_file_get_contents(path, &xml, NULL, &err) ||
        !(def = armz_secret_def_parse(xml, &err))) {
        armz_warn("skipping secret '%s': %s (the file is left as it is)", path, err->message);
        return;
    }
    armz_uuid_format(def->uuid, u);
    if (strncmp(name, u, strlen(u)) != 0 || def->ephemeral) {
        armz_warn("skipping secret '%s': it defines secret %s%s", path, u,
                  def->ephemeral ? ", an ephemeral one" : "");
        return;
    }
    s = g_new0(Secret, 1);
    bpath = file_path(drv, def->uuid, "base64");
    if (g_file_get_contents(bpath, &b64, NULL, NULL)) {
        gsize len = 0;
        guchar *raw = g_base64_decode(g_strstrip(b64), &len);
        s->value = g_bytes_new_take(raw, len);
    }
    s->def = g_steal_pointer(&def);
    g_hash_table_replace(drv->secrets, g_strdup(u), s);
}

ArmzSecretDriver *
armz_secret_driver_new(const ArmzPaths *paths)
{
    g_autoptr(GDir) dir = NULL;
    ArmzSecretDriver *drv = g_new0(ArmzSecretDriver, 1);
    const char *name;

    g_mutex_init(&drv->lock);
    drv->secrets = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, secret_free);
    drv->dir = g_build_filename(paths->config_dir, "secrets", NULL);
    /* made by the first persistent secret */
    if ((dir = g_dir_open(drv->dir, 0, NULL)))
        armz_file_remove_stale_tmp(drv->dir);
    while (dir && (name = g_dir_read_name(dir)))
        if (g_str_has_suffix(name, ".xml"))
            load_one(drv, name);
    return drv;
}

void
armz_secret_driver_free(ArmzSecretDriver *drv)
{
    if (!drv)
        return;
    g_hash_table_destroy(drv->secrets);
    g_mutex_clear(&drv->lock);
    g_free(drv->dir);
    g_free(drv);
}

static gboolean
save_def(ArmzSecretDriver *drv, const ArmzSecretDef *def, GError **error)
{
    g_autofree char *path = file_path(drv, def->uuid, "xml");
    g_autofree char *xml = armz_secret_def_format(def);

    if (!armz_mkdir_p(drv->dir, 0700, error))
        return FALSE;
    return armz_file_write_atomic(path, xml, strlen(xml), 0600, error);
}

static void
remove_file(ArmzSecretDriver *drv, const unsigned char *uuid, const char *ext)
{
    g_autofree char *path = file_path(drv, uuid, ext);

    if (unlink(path) < 0 && errno != ENOENT)
        armz_warn("cannot remove '%s': %s", path, g_strerror(errno));
}

/* Another secret with the same usage (the usage identifies a secret, as
 * virSecretLookupByUsage needs), or NULL. */
static Secret *
usage_owner(ArmzSecretDriver *drv, int type, const char *id, const unsigned char *not_uuid)
{
    GHashTableIter it;
    gpointer v;

    if (type == VIR_SECRET_USAGE_TYPE_NONE)
        return NULL;
    g_hash_table_iter_init(&it, drv->secrets);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        Secret *s = v;
        if (s->def->usage_type == type && g_strcmp0(s->def->usage_id, id) == 0 &&
            (!not_uuid || memcmp(s->def->uuid, not_uuid, 16) != 0))
            return s;
    }
    return NULL;
}

gboolean
armz_secret_define(ArmzSecretDriver *drv, const char *xml, unsigned int flags,
                   ArmzSecretId *out, GError **error)
{
    g_autoptr(ArmzSecretDef) def = NULL;
    g_autoptr(GMutexLocker) locker = NULL;
    char u[ARMZ_UUID_STRING_BUFLEN];
    Secret *old, *clash;

    if (!armz_check_flags(flags, VIR_SECRET_DEFINE_VALIDATE, "virSecretDefineXML", error) ||
        !(def = armz_secret_def_parse(xml, error)))
        return FALSE;
    armz_uuid_format(def->uuid, u);
    locker = g_mutex_locker_new(&drv->lock);
    if ((clash = usage_owner(drv, def->usage_type, def->usage_id, def->uuid))) {
        char cu[ARMZ_UUID_STRING_BUFLEN];
        armz_uuid_format(clash->def->uuid, cu);
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR,
                    _("a secret with UUID %s already defined for use with %s"),
                    cu, def->usage_id);
        return FALSE;
    }
    old = g_hash_table_lookup(drv->secrets, u);
    if (old && old->def->priv && !def->priv) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR, "%s",
                    _("cannot change private flag on existing secret"));
        return FALSE;
    }
    if (old && old->def->ephemeral != def->ephemeral) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR, "%s",
                    _("cannot change ephemeral flag on existing secret"));
        return FALSE;
    }
    if (!def->ephemeral && !save_def(drv, def, error))
        return FALSE;
    if (old) {
        armz_secret_def_free(old->def);
        old->def = g_steal_pointer(&def);
        fill_id(old, out);
    } else {
        Secret *s = g_new0(Secret, 1);
        s->def = g_steal_pointer(&def);
        g_hash_table_replace(drv->secrets, g_strdup(u), s);
        fill_id(s, out);
    }
    return TRUE;
}

gboolean
armz_secret_undefine(ArmzSecretDriver *drv, const unsigned char *uuid, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&drv->lock);
    char u[ARMZ_UUID_STRING_BUFLEN];

    if (!find(drv, uuid, error))
        return FALSE;
    remove_file(drv, uuid, "base64");
    remove_file(drv, uuid, "xml");
    armz_uuid_format(uuid, u);
    g_hash_table_remove(drv->secrets, u);
    return TRUE;
}

char *
armz_secret_get_xml(ArmzSecretDriver *drv, const unsigned char *uuid, unsigned int flags,
                    GError **error)
{
    g_autoptr(GMutexLocker) locker = NULL;
    Secret *s;

    if (!armz_check_flags(flags, 0, "virSecretGetXMLDesc", error))
        return NULL;
    locker = g_mutex_locker_new(&drv->lock);
    if (!(s = find(drv, uuid, error)))
        return NULL;
    return armz_secret_def_format(s->def);
}

gboolean
armz_secret_set_value(ArmzSecretDriver *drv, const unsigned char *uuid, const guchar *value,
                      gsize len, unsigned int flags, GError **error)
{
    g_autoptr(GMutexLocker) locker = NULL;
    Secret *s;

    if (!armz_check_flags(flags, 0, "virSecretSetValue", error))
        return FALSE;
    if (len > VALUE_MAX) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("secret value is longer than %d bytes"), VALUE_MAX);
        return FALSE;
    }
    locker = g_mutex_locker_new(&drv->lock);
    if (!(s = find(drv, uuid, error)))
        return FALSE;
    if (!s->def->ephemeral) {
        g_autofree char *path = file_path(drv, uuid, "base64");
        g_autofree char *b64 = g_base64_encode(value, len);

        if (!armz_file_write_atomic(path, b64, strlen(b64), 0600, error))
            return FALSE;
    }
    if (s->value)
        g_bytes_unref(s->value);
    s->value = g_bytes_new(value, len);
    return TRUE;
}

GBytes *
armz_secret_get_value(ArmzSecretDriver *drv, const unsigned char *uuid, unsigned int flags,
                      gboolean internal, GError **error)
{
    g_autoptr(GMutexLocker) locker = NULL;
    char u[ARMZ_UUID_STRING_BUFLEN];
    Secret *s;

    if (!armz_check_flags(flags, 0, "virSecretGetValue", error))
        return NULL;
    locker = g_mutex_locker_new(&drv->lock);
    if (!(s = find(drv, uuid, error)))
        return NULL;
    armz_uuid_format(uuid, u);
    if (!s->value) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_SECRET,
                    _("secret '%s' does not have a value"), u);
        return NULL;
    }
    if (s->def->priv && !internal) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_SECRET, "%s",
                    _("secret is private"));
        return NULL;
    }
    return g_bytes_ref(s->value);
}

gboolean
armz_secret_lookup_uuid(ArmzSecretDriver *drv, const unsigned char *uuid, ArmzSecretId *out,
                        GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&drv->lock);
    Secret *s = find(drv, uuid, error);

    if (s)
        fill_id(s, out);
    return s != NULL;
}

gboolean
armz_secret_lookup_usage(ArmzSecretDriver *drv, int usage_type, const char *usage_id,
                         ArmzSecretId *out, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&drv->lock);
    Secret *s = usage_owner(drv, usage_type, usage_id, NULL);

    if (!s) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_SECRET,
                    _("no secret with matching usage '%s'"), usage_id);
        return FALSE;
    }
    fill_id(s, out);
    return TRUE;
}

GBytes *
armz_secret_resolve_passphrase(const char *uuid, const char *usage, gpointer opaque,
                               GError **error)
{
    ArmzSecretDriver *drv = opaque;
    ArmzSecretId id = { { 0 } };
    unsigned char u[16];
    GBytes *v;

    if (uuid) {
        if (!armz_uuid_parse(uuid, u)) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_NO_SECRET,
                        _("no secret with matching uuid '%s'"), uuid);
            return NULL;
        }
        return armz_secret_get_value(drv, u, 0, TRUE, error);
    }
    if (!armz_secret_lookup_usage(drv, VIR_SECRET_USAGE_TYPE_VOLUME, usage, &id, error))
        return NULL;
    v = armz_secret_get_value(drv, id.uuid, 0, TRUE, error);
    armz_secret_id_clear(&id);
    return v;
}

static gint
by_uuid(gconstpointer a, gconstpointer b)
{
    return memcmp(((const ArmzSecretId *)a)->uuid, ((const ArmzSecretId *)b)->uuid, 16);
}

GArray *
armz_secret_list(ArmzSecretDriver *drv, unsigned int flags, GError **error)
{
    const unsigned int all = VIR_CONNECT_LIST_SECRETS_EPHEMERAL |
        VIR_CONNECT_LIST_SECRETS_NO_EPHEMERAL | VIR_CONNECT_LIST_SECRETS_PRIVATE |
        VIR_CONNECT_LIST_SECRETS_NO_PRIVATE;
    g_autoptr(GMutexLocker) locker = NULL;
    GArray *out;
    GHashTableIter it;
    gpointer v;

    if (!armz_check_flags(flags, all, "virConnectListAllSecrets", error))
        return NULL;
    out = g_array_new(FALSE, TRUE, sizeof(ArmzSecretId));
    g_array_set_clear_func(out, (GDestroyNotify)armz_secret_id_clear);
    locker = g_mutex_locker_new(&drv->lock);
    g_hash_table_iter_init(&it, drv->secrets);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        const ArmzSecretDef *d = ((Secret *)v)->def;
        ArmzSecretId id;

        if (((flags & VIR_CONNECT_LIST_SECRETS_EPHEMERAL) && !d->ephemeral) ||
            ((flags & VIR_CONNECT_LIST_SECRETS_NO_EPHEMERAL) && d->ephemeral) ||
            ((flags & VIR_CONNECT_LIST_SECRETS_PRIVATE) && !d->priv) ||
            ((flags & VIR_CONNECT_LIST_SECRETS_NO_PRIVATE) && d->priv))
            continue;
        fill_id(v, &id);
        g_array_append_val(out, id);
    }
    g_array_sort(out, by_uuid);
    return out;
}
