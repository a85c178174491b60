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
    /* authenticated access (libvirtd.conf's names) */
    int auth_unix_rw;        /* ARMZ_CLIENT_AUTH_NONE or _POLKIT */
    int auth_unix_ro;
    gboolean listen_tls;
    char *tls_listen_addr;
    guint tls_port;
    char *key_file;          /* NULL: libvirt's path for the daemon's mode */
    char *cert_file;
    char *ca_file;
    gboolean tls_no_verify_certificate;
    GStrv tls_allowed_dn_list; /* NULL: any client the CA signed */
    int seccomp_sandbox;     /* armz-vmm --seccomp: 1 on, 0 off, -1 its default (on) */
    char *user;              /* armz-vmm's user and group; NULL: the default */
    char *group;             /* (see armz_dac_config_ids) */
    char *kvm_profile;       /* armz-vmm --kvm-profile: "native" (NULL) or "s390" */
} ArmzConfig;

ArmzConfig *armz_config_new(void);
void armz_config_free(ArmzConfig *cfg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzConfig, armz_config_free)

/* Reads PATH into CFG; a missing file is fine when MUST_EXIST is FALSE.
 * An unknown key or a bad value is an error naming the line. */
gboolean armz_config_load(ArmzConfig *cfg, const char *path, gboolean must_exist,
                          GError **error);
