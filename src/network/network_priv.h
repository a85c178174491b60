/* The network driver's objects; internal to network/ (see
 * docs/threads-and-locks.md).
 *
 * Each network is an ArmzObj (util/objlist.h): its lock guards the fields
 * below, its job is held by whatever changes its state or runs commands
 * for it (start, stop, update), so a slow dnsmasq holds up only its own
 * network. host_lock guards what networks share on the host: bridge names
 * and subnets being claimed, and the nftables rules built from all active
 * networks. It is held briefly, never while waiting for a job; it is taken
 * before an object lock, never after. */
#pragma once
#include <sys/types.h>
#include "network/dnsmasq.h"
#include "network/network_driver.h"
#include "network/network_store.h"
#include "util/objlist.h"

typedef struct {
    ARMZ_OBJ_BASE;
    ArmzNetworkDef *def;       /* the live definition while active, else the config */
    ArmzNetworkDef *newdef;    /* while active: the config for after the stop */
    gboolean active;
    gboolean claimed;          /* active or starting: its bridge and subnets are taken */
    pid_t dnsmasq_pid;
} ArmzNetworkObj;

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ArmzNetworkObj, armz_obj_unref)

struct _ArmzNetworkDriver {
    ArmzObjList *nets;
    GMutex host_lock;
    ArmzNetworkStore store;
    gboolean system;           /* the real system layout (not --root) */
    ArmzObjSink events;        /* an ArmzNetworkEventSink */
};

/* A new object for DEF (taken), not in the list yet; its job is held for
 * API when API is not NULL. */
ArmzNetworkObj *armz_net_obj_new(ArmzNetworkDef *def, const char *api);
/* A new reference to the network with UUID, or VIR_ERR_NO_NETWORK. */
ArmzNetworkObj *armz_net_get(ArmzNetworkDriver *drv, const unsigned char *uuid, GError **error);
/* Locks OBJ and takes its job for API; NULL (unlocked) on a timeout or
 * when it was removed meanwhile. */
gboolean armz_net_begin_job(ArmzNetworkObj *obj, const char *api, GError **error);
/* Ends the job and unlocks OBJ. */
void armz_net_end_job(ArmzNetworkObj *obj);
void armz_net_fill_id(ArmzNetworkId *out, const ArmzNetworkObj *obj);
ArmzNetworkDef *armz_net_config(ArmzNetworkObj *obj);
void armz_net_emit(ArmzNetworkDriver *drv, const ArmzNetworkObj *obj, int event);
void armz_net_files(ArmzNetworkDriver *drv, const char *name, ArmzDnsmasqFiles *f);

/* ---- network_host.c: what networks share (host_lock held) ---- */

/* Gives DEF what define fills in (from SELF's config when it had them) and
 * refuses a bridge another network has. SELF's job is held. */
gboolean armz_net_complete_def(ArmzNetworkDriver *drv, ArmzNetworkDef *def,
                               ArmzNetworkObj *self, GError **error);
/* Refuses LIVE when its bridge or subnets are claimed by another network
 * or a host interface; else claims them for OBJ. */
gboolean armz_net_claim(ArmzNetworkDriver *drv, ArmzNetworkObj *obj, const ArmzNetworkDef *live,
                        GError **error);
/* Installs the rules of every active network (takes host_lock). */
gboolean armz_net_apply_rules(ArmzNetworkDriver *drv, GError **error);

/* ---- network_run.c: start and stop (job held, no lock) ---- */
gboolean armz_net_do_start(ArmzNetworkDriver *drv, ArmzNetworkObj *obj, GError **error);
/* Stops OBJ; a transient network leaves the list. */
void armz_net_do_stop(ArmzNetworkDriver *drv, ArmzNetworkObj *obj);
gboolean armz_net_restart_dnsmasq(ArmzNetworkDriver *drv, ArmzNetworkObj *obj,
                                  const ArmzNetworkDef *live, GError **error);
