/* Every procedure table the daemon serves, in one place, so the daemon and
 * the tests that check every procedure register the same set. */
#include "daemon/daemon.h"

void
armz_remote_register_all(ArmzDispatcher *d)
{
    armz_remote_connect_register(d);
    armz_remote_domain_register(d);
    armz_remote_events_register(d);
    armz_remote_console_register(d);
    armz_remote_lifecycle_register(d);
    armz_remote_stats_register(d);
    armz_remote_tune_register(d);
    armz_remote_host_register(d);
    armz_remote_secret_register(d);
    armz_remote_block_register(d);
    armz_remote_network_register(d);
    armz_remote_storage_register(d);
    armz_remote_agent_register(d);
    armz_remote_config_register(d);
}
