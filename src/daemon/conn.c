#include "daemon/daemon.h"

ArmzDaemon *armz_daemon;

static void
conn_free(gpointer data)
{
    ArmzConn *conn = data;

    if (!conn)
        return;
    g_free(conn->uri);
    g_array_unref(conn->dom_callbacks);
    g_array_unref(conn->net_callbacks);
    g_array_unref(conn->pool_callbacks);
    g_free(conn);
}

ArmzConn *
armz_conn_get(ArmzClient *client)
{
    if (!client->priv) {
        ArmzConn *conn = g_new0(ArmzConn, 1);
        conn->dom_callbacks = g_array_new(FALSE, FALSE, sizeof(ArmzDomainCallback));
        conn->net_callbacks = g_array_new(FALSE, FALSE, sizeof(ArmzDomainCallback));
        conn->pool_callbacks = g_array_new(FALSE, FALSE, sizeof(ArmzDomainCallback));
        client->priv = conn;
        client->priv_free = conn_free;
    }
    return client->priv;
}
