/* Where networks live on disk: configs of persistent networks
 * (CONFIG/networks/NAME.xml, autostart links in CONFIG/networks/autostart/)
 * and the status of active ones (STATE/networks/NAME.xml: the live
 * definition and dnsmasq's pid), from which a restarted daemon finds them
 * again. Every write is atomic; a file that does not parse is skipped with
 * a message and left in place. */
#pragma once
#include <sys/types.h>
#include <glib.h>
#include "network/network_conf.h"
#include "util/defstore.h"

typedef ArmzDefDirs ArmzNetworkStore;

void armz_network_store_init(ArmzNetworkStore *st, const ArmzPaths *paths);
void armz_network_store_clear(ArmzNetworkStore *st);
gboolean armz_network_store_prepare(ArmzNetworkStore *st, gboolean *first_start, GError **error);

gboolean armz_network_store_save(ArmzNetworkStore *st, const ArmzNetworkDef *def, GError **error);
gboolean armz_network_store_delete(ArmzNetworkStore *st, const char *name, GError **error);
gboolean armz_network_store_set_autostart(ArmzNetworkStore *st, const char *name,
                                          gboolean autostart, GError **error);

gboolean armz_network_store_save_status(ArmzNetworkStore *st, const ArmzNetworkDef *live,
                                        pid_t dnsmasq_pid, GError **error);
void armz_network_store_delete_status(ArmzNetworkStore *st, const char *name);

typedef void (*ArmzNetworkConfigFunc)(ArmzNetworkDef *def, gboolean autostart, gpointer opaque);
typedef void (*ArmzNetworkStatusFunc)(ArmzNetworkDef *live, pid_t dnsmasq_pid, gpointer opaque);
/* Hand every good config / status file to FUNC, which owns the def. */
void armz_network_store_load_configs(ArmzNetworkStore *st, ArmzNetworkConfigFunc func,
                                     gpointer opaque);
void armz_network_store_load_status(ArmzNetworkStore *st, ArmzNetworkStatusFunc func,
                                    gpointer opaque);
