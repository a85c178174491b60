/* dnsmasq for a managed network: DHCP and DNS on its bridge, from a
 * configuration file we generate (so /etc/dnsmasq.conf is never read). The
 * process is a daemon of its own: it outlives virtarmzd, which finds it
 * again from its pid file. */
#pragma once
#include <sys/types.h>
#include <glib.h>
#include "network/network_conf.h"

typedef struct {
    char *conf;        /* STATE/NAME.conf */
    char *pidfile;     /* STATE/NAME.pid */
    char *leases;      /* STATE/NAME.leases: dnsmasq's own lease file */
} ArmzDnsmasqFiles;

void armz_dnsmasq_files_init(ArmzDnsmasqFiles *f, const char *state_dir, const char *name);
void armz_dnsmasq_files_clear(ArmzDnsmasqFiles *f);

/* The configuration text for DEF (unit tested); NULL when a value would not
 * be read back as written (a control character, or dnsmasq's syntax in a
 * name): each is checked here, not only by the parser. */
char *armz_dnsmasq_config(const ArmzNetworkDef *def, const ArmzDnsmasqFiles *f,
                          GError **error);

/* Writes the configuration and starts dnsmasq; returns its pid, or -1. */
pid_t armz_dnsmasq_start(const ArmzNetworkDef *def, const ArmzDnsmasqFiles *f, GError **error);
/* Whether PID is the dnsmasq started with F's configuration. */
gboolean armz_dnsmasq_is_ours(pid_t pid, const ArmzDnsmasqFiles *f);
/* The pid in F's pid file when it is our dnsmasq, else 0. */
pid_t armz_dnsmasq_find(const ArmzDnsmasqFiles *f);
/* Stops PID (when it is ours) and removes the configuration and pid file;
 * the lease file goes too when DROP_LEASES. */
void armz_dnsmasq_stop(pid_t pid, const ArmzDnsmasqFiles *f, gboolean drop_leases);
