/* armz.conf: the daemon's settings, in libvirt's "key = value" syntax. */
#pragma once
#include <glib.h>
#include "rpc/server.h"

typedef struct {
    gboolean listen_tcp;
    char *tcp_listen_addr;
    guint tcp_port;
    char *unix_sock_group;
    int unix_sock_ro_perms;
    int unix_sock_rw_perms;
    ArmzServerLimits limits; /* max_clients, max_client_requests, ... */
    guint max_workers;
    int log_level;           /* 1 debug .. 4 error */
    char *vmm_path;          /* NULL: the built-in default */
    char *kvm_profile;       /* armz-vmm --kvm-profile: "native" (NULL) or "s390" */
} ArmzConfig;

ArmzConfig *armz_config_new(void);
void armz_config_free(ArmzConfig *cfg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzConfig, armz_config_free)

/* Reads PATH into CFG; a missing file is fine when MUST_EXIST is FALSE.
 * An unknown key or a bad value is an error naming the line. */
gboolean armz_config_load(ArmzConfig *cfg, const char *path, gboolean must_exist,
                          GError **error);
