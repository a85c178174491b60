/* The guest agent APIs beyond the clock, shutdown and addresses (see
 * domain_agent.h): reboot, the host name, file-system freeze and thaw, and
 * user passwords. Arguments are built with yajl, which escapes them. */
#include <libvirt/libvirt.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/flags.h"
#include "driver/domain_agent.h"

static void
gen_str(yajl_gen g, const char *s)
{
    yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static char *
gen_finish(yajl_gen g)
{
    const unsigned char *buf;
    size_t len;
    char *out;

    yajl_gen_get_buf(g, &buf, &len);
    out = g_strndup((const char *)buf, len);
    yajl_gen_free(g);
    return out;
}

gboolean
armz_driver_agent_reboot(ArmzDriver *drv, const ArmzDomainId *dom, GError **error)
{
    return armz_driver_agent_call(drv, dom, "virDomainReboot", "guest-shutdown",
                                  "{\"mode\": \"reboot\"}", ARMZ_AGENT_NO_REPLY, NULL, error);
}

static gboolean
malformed(GError **error)
{
    g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_INTERNAL_ERROR, _("malformed return value"));
    return FALSE;
}

char *
armz_driver_get_hostname(ArmzDriver *drv, const ArmzDomainId *dom, unsigned int flags,
                         GError **error)
{
    const char *name_p[] = { "host-name", NULL };
    g_autofree char *reply = NULL;
    yajl_val v, name;
    char *out = NULL;

    if (!armz_check_flags(flags, VIR_DOMAIN_GET_HOSTNAME_LEASE | VIR_DOMAIN_GET_HOSTNAME_AGENT,
                          "virDomainGetHostname", error))
        return NULL;
    if (flags & VIR_DOMAIN_GET_HOSTNAME_LEASE) {
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_ARGUMENT_UNSUPPORTED,
                            _("the host name from DHCP leases is not supported; use the agent"));
        return NULL;
    }
    if (!armz_driver_agent_call(drv, dom, "virDomainGetHostname", "guest-get-host-name", NULL,
                                ARMZ_AGENT_REPLY, &reply, error))
        return NULL;
    v = yajl_tree_parse(reply, NULL, 0);
    name = v ? yajl_tree_get(v, name_p, yajl_t_string) : NULL;
    if (name)
        out = g_strdup(YAJL_GET_STRING(name));
    if (v)
        yajl_tree_free(v);
    if (!out)
        malformed(error);
    return out;
}

int
armz_driver_fs_freeze(ArmzDriver *drv, const ArmzDomainId *dom, char **mountpoints, guint n,
                      gboolean thaw, unsigned int flags, GError **error)
{
    const char *api = thaw ? "virDomainFSThaw" : "virDomainFSFreeze";
    g_autofree char *args = NULL, *reply = NULL;
    const char *cmd;
    yajl_val v;
    int count = -1;

    if (!armz_check_flags(flags, 0, api, error))
        return -1;
    if (thaw && n) {
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_ARGUMENT_UNSUPPORTED,
                            _("specifying mountpoints is not supported"));
        return -1;
    }
    if (thaw) {
        cmd = "guest-fsfreeze-thaw";
    } else if (n) {
        yajl_gen g = yajl_gen_alloc(NULL);

        cmd = "guest-fsfreeze-freeze-list";
        yajl_gen_map_open(g);
        gen_str(g, "mountpoints");
        yajl_gen_array_open(g);
        for (guint i = 0; i < n; i++)
            gen_str(g, mountpoints[i]);
        yajl_gen_array_close(g);
        yajl_gen_map_close(g);
        args = gen_finish(g);
    } else {
        cmd = "guest-fsfreeze-freeze";
    }
    if (!armz_driver_agent_call(drv, dom, api, cmd, args, ARMZ_AGENT_REPLY, &reply, error))
        return -1;
    v = yajl_tree_parse(reply, NULL, 0);
    if (v && YAJL_IS_INTEGER(v) && YAJL_GET_INTEGER(v) >= 0 && YAJL_GET_INTEGER(v) <= G_MAXINT)
        count = (int)YAJL_GET_INTEGER(v);
    if (v)
        yajl_tree_free(v);
    if (count < 0)
        malformed(error);
    return count;
}

gboolean
armz_driver_set_user_password(ArmzDriver *drv, const ArmzDomainId *dom, const char *user,
                              const char *password, unsigned int flags, GError **error)
{
    g_autofree char *b64 = NULL, *args = NULL;
    yajl_gen g;

    if (!armz_check_flags(flags, VIR_DOMAIN_PASSWORD_ENCRYPTED, "virDomainSetUserPassword",
                          error))
        return FALSE;
    if (!user || !password) {
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                            !user ? _("user must not be NULL") : _("password must not be NULL"));
        return FALSE;
    }
    /* the agent takes the password in base64 */
    b64 = g_base64_encode((const guchar *)password, strlen(password));
    g = yajl_gen_alloc(NULL);
    yajl_gen_map_open(g);
    gen_str(g, "crypted");
    yajl_gen_bool(g, (flags & VIR_DOMAIN_PASSWORD_ENCRYPTED) != 0);
    gen_str(g, "username");
    gen_str(g, user);
    gen_str(g, "password");
    gen_str(g, b64);
    yajl_gen_map_close(g);
    args = gen_finish(g);
    return armz_driver_agent_call(drv, dom, "virDomainSetUserPassword",
                                  "guest-set-user-password", args, ARMZ_AGENT_REPLY, NULL, error);
}
