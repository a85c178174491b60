#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/log.h"
#include "daemon/auth_polkit.h"

#ifndef ARMZ_HAVE_POLKIT
/* Built without polkit: armz.conf cannot ask for it (config.c refuses the
 * value), so this is never reached with a client waiting. */
gboolean
armz_polkit_check(const char *action, pid_t pid, guint64 start_time, uid_t uid,
                  GError **error)
{
    g_set_error(error, ARMZ_ERROR, VIR_ERR_AUTH_UNAVAILABLE,
                _("this virtarmzd was built without polkit"));
    return FALSE;
}
#else
#include <polkit/polkit.h>

gboolean
armz_polkit_check(const char *action, pid_t pid, guint64 start_time, uid_t uid,
                  GError **error)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(PolkitAuthority) authority = NULL;
    g_autoptr(PolkitSubject) subject = NULL;
    g_autoptr(PolkitAuthorizationResult) result = NULL;

    authority = polkit_authority_get_sync(NULL, &err);
    if (!authority) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_AUTH_UNAVAILABLE,
                    _("cannot reach polkit: %s"), err->message);
        return FALSE;
    }
    /* pid, start time and uid together: a pid reused by another process
     * is not mistaken for the client. */
    subject = polkit_unix_process_new_for_owner(pid, start_time, uid);
    result = polkit_authority_check_authorization_sync(
        authority, subject, action, NULL,
        POLKIT_CHECK_AUTHORIZATION_FLAGS_ALLOW_USER_INTERACTION, NULL, &err);
    if (!result) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_AUTH_UNAVAILABLE,
                    _("polkit cannot check action '%s': %s"), action, err->message);
        return FALSE;
    }
    if (polkit_authorization_result_get_is_authorized(result))
        return TRUE;
    /* The client's messages are libvirt's. */
    if (polkit_authorization_result_get_is_challenge(result)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_AUTH_UNAVAILABLE,
                    _("no polkit agent available to authenticate action '%s'"), action);
        return FALSE;
    }
    g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_AUTH_FAILED, _("access denied by policy"));
    return FALSE;
}
#endif
