#include "daemon/daemon.h"

ArmzDaemon *armz_daemon;

static void
conn_free(gpointer data)
{
    ArmzConn *conn = data;

    if (!conn)
        return;
    g_free(conn->uri);
    for (int k = 0; k < ARMZ_EVENT_N_KINDS; k++)
        g_array_unref(conn->callbacks[k]);
    g_free(conn);
}

ArmzConn *
armz_conn_get(ArmzClient *client)
{
    if (!client->priv) {
        ArmzConn *conn = g_new0(ArmzConn, 1);
        for (int k = 0; k < ARMZ_EVENT_N_KINDS; k++)
            conn->callbacks[k] = g_array_new(FALSE, FALSE, sizeof(ArmzEventCallback));
        client->priv = conn;
        client->priv_free = conn_free;
    }
    return client->priv;
}
