/* The storage driver's procedures (not implemented yet: every call answers
 * VIR_ERR_NO_SUPPORT through the dispatcher's unknown-procedure path). */
#include "daemon/daemon.h"

gboolean
armz_remote_storage_init(GError **error)
{
    (void)error;
    return TRUE;
}

void
armz_remote_storage_register(ArmzDispatcher *d)
{
    (void)d;
}

void
armz_remote_storage_autostart(void)
{
}

void
armz_remote_storage_client_closed(ArmzClient *client)
{
    (void)client;
}

void
armz_remote_storage_shutdown(void)
{
}
