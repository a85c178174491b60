/* Secret procedures (virsh secret-*): the secret driver
 * (secret/secret_driver.c) owns each API; this file marshals. */
#include <string.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/uuid.h"
#include "daemon/daemon.h"

#define DRV armz_daemon->secret
#define UUID(u) ((const unsigned char *)(u))

static void
put_secret(armz_nonnull_secret *w, ArmzSecretId *id)
{
    memcpy(w->uuid, id->uuid, 16);
    w->usageType = id->usage_type;
    w->usageID = g_steal_pointer(&id->usage_id);
}

static gboolean
h_num_of_secrets(ArmzClient *client, void *a, void *r, GError **error)
{
    g_autoptr(GArray) all = armz_secret_list(DRV, 0, error);

    if (!all)
        return FALSE;
    ((armz_connect_num_of_secrets_ret *)r)->num = (int)all->len;
    return TRUE;
}

static gboolean
h_list_secrets(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_connect_list_secrets_args *args = a;
    armz_connect_list_secrets_ret *ret = r;
    g_autoptr(GArray) all = NULL;
    guint n;

    if (args->maxuuids < 0 || args->maxuuids > ARMZ_SECRET_UUID_LIST_MAX) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_RPC, "%s", _("too many remote uuids requested"));
        return FALSE;
    }
    if (!(all = armz_secret_list(DRV, 0, error)))
        return FALSE;
    n = MIN(all->len, (guint)args->maxuuids);
    ret->uuids.uuids_len = n;
    ret->uuids.uuids_val = g_new0(armz_nonnull_string, MAX(n, 1));
    for (guint i = 0; i < n; i++) {
        char u[ARMZ_UUID_STRING_BUFLEN];
        armz_uuid_format(g_array_index(all, ArmzSecretId, i).uuid, u);
        ret->uuids.uuids_val[i] = g_strdup(u);
    }
    return TRUE;
}

static gboolean
h_list_all_secrets(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_connect_list_all_secrets_args *args = a;
    armz_connect_list_all_secrets_ret *ret = r;
    g_autoptr(GArray) all = armz_secret_list(DRV, args->flags, error);

    if (!all)
        return FALSE;
    ret->ret = all->len;
    ret->secrets.secrets_val = g_new0(armz_nonnull_secret, MAX(all->len, 1));
    if (args->need_results) {
        ret->secrets.secrets_len = all->len;
        for (guint i = 0; i < all->len; i++)
            put_secret(&ret->secrets.secrets_val[i], &g_array_index(all, ArmzSecretId, i));
    }
    return TRUE;
}

static gboolean
h_lookup_by_uuid(ArmzClient *client, void *a, void *r, GError **error)
{
    ArmzSecretId id = { 0 };

    if (!armz_secret_lookup_uuid(DRV, UUID(((armz_secret_lookup_by_uuid_args *)a)->uuid), &id, error))
        return FALSE;
    put_secret(&((armz_secret_lookup_by_uuid_ret *)r)->secret, &id);
    return TRUE;
}

static gboolean
h_lookup_by_usage(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_secret_lookup_by_usage_args *args = a;
    ArmzSecretId id = { 0 };

    if (!armz_secret_lookup_usage(DRV, args->usageType, args->usageID, &id, error))
        return FALSE;
    put_secret(&((armz_secret_lookup_by_usage_ret *)r)->secret, &id);
    return TRUE;
}

static gboolean
h_define_xml(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_secret_define_xml_args *args = a;
    ArmzSecretId id = { 0 };

    if (!armz_secret_define(DRV, args->xml, args->flags, &id, error))
        return FALSE;
    put_secret(&((armz_secret_define_xml_ret *)r)->secret, &id);
    return TRUE;
}

static gboolean
h_get_xml_desc(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_secret_get_xml_desc_args *args = a;
    char *xml = armz_secret_get_xml(DRV, UUID(args->secret.uuid), args->flags, error);

    ((armz_secret_get_xml_desc_ret *)r)->xml = xml;
    return xml != NULL;
}

static gboolean
h_undefine(ArmzClient *client, void *a, void *r, GError **error)
{
    return armz_secret_undefine(DRV, UUID(((armz_secret_undefine_args *)a)->secret.uuid), error);
}

static gboolean
h_set_value(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_secret_set_value_args *args = a;

    return armz_secret_set_value(DRV, UUID(args->secret.uuid), (const guchar *)args->value.value_val,
                                 args->value.value_len, args->flags, error);
}

static gboolean
h_get_value(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_secret_get_value_args *args = a;
    armz_secret_get_value_ret *ret = r;
    g_autoptr(GBytes) v = armz_secret_get_value(DRV, UUID(args->secret.uuid), args->flags, FALSE, error);
    gsize len;
    const void *data;

    if (!v)
        return FALSE;
    data = g_bytes_get_data(v, &len);
    ret->value.value_len = (u_int)len;
    ret->value.value_val = g_memdup2(data, MAX(len, 1));
    return TRUE;
}

static const ArmzProc procs[] = {
    { REMOTE_PROC_CONNECT_NUM_OF_SECRETS, ARMZ_NOARGS, ARMZ_RET(armz_connect_num_of_secrets_ret),
      h_num_of_secrets, 0 },
    { REMOTE_PROC_CONNECT_LIST_SECRETS, ARMZ_ARGS(armz_connect_list_secrets_args),
      ARMZ_RET(armz_connect_list_secrets_ret), h_list_secrets, 0 },
    { REMOTE_PROC_CONNECT_LIST_ALL_SECRETS, ARMZ_ARGS(armz_connect_list_all_secrets_args),
      ARMZ_RET(armz_connect_list_all_secrets_ret), h_list_all_secrets, 0 },
    { REMOTE_PROC_SECRET_LOOKUP_BY_UUID, ARMZ_ARGS(armz_secret_lookup_by_uuid_args),
      ARMZ_RET(armz_secret_lookup_by_uuid_ret), h_lookup_by_uuid, 0 },
    { REMOTE_PROC_SECRET_LOOKUP_BY_USAGE, ARMZ_ARGS(armz_secret_lookup_by_usage_args),
      ARMZ_RET(armz_secret_lookup_by_usage_ret), h_lookup_by_usage, 0 },
    { REMOTE_PROC_SECRET_DEFINE_XML, ARMZ_ARGS(armz_secret_define_xml_args),
      ARMZ_RET(armz_secret_define_xml_ret), h_define_xml, 0 },
    { REMOTE_PROC_SECRET_GET_XML_DESC, ARMZ_ARGS(armz_secret_get_xml_desc_args),
      ARMZ_RET(armz_secret_get_xml_desc_ret), h_get_xml_desc, 0 },
    { REMOTE_PROC_SECRET_UNDEFINE, ARMZ_ARGS(armz_secret_undefine_args), ARMZ_NORET,
      h_undefine, 0 },
    { REMOTE_PROC_SECRET_SET_VALUE, ARMZ_ARGS(armz_secret_set_value_args), ARMZ_NORET,
      h_set_value, 0 },
    { REMOTE_PROC_SECRET_GET_VALUE, ARMZ_ARGS(armz_secret_get_value_args),
      ARMZ_RET(armz_secret_get_value_ret), h_get_value, 0 },
};

void
armz_remote_secret_register(ArmzDispatcher *d)
{
    armz_dispatcher_add(d, procs, G_N_ELEMENTS(procs));
}
