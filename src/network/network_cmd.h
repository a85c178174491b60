/* Running the host tools the network driver uses (ip, nft, dnsmasq), each
 * overridable by an environment variable for tests (ARMZ_IP, ARMZ_NFT,
 * ARMZ_DNSMASQ). */
#pragma once
#include <glib.h>

/* The program for TOOL ("ip", "nft", "dnsmasq"): $ARMZ_<TOOL>, else found
 * in PATH, /usr/sbin or /sbin; NULL with ERROR when missing. */
char *armz_net_tool(const char *tool, GError **error);

/* Runs ARGV (argv[0] a tool name resolved by armz_net_tool) with INPUT on
 * stdin when not NULL; fails with VIR_ERR_SYSTEM_ERROR quoting the
 * command and its stderr. *OUTPUT gets stdout when not NULL. */
gboolean armz_net_run(const char *const *argv, const char *input, char **output,
                      GError **error);
