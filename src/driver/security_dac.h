/* The DAC security driver, as libvirt's: the user and group a domain's
 * armz-vmm runs as, and the ownership of the files it must reach by path
 * (kernel, initrd), given to that user at start and given back at stop.
 *
 * Which identity: <seclabel model='dac'> (or a model-less one) decides:
 *   none     the configured user/group (armz.conf user, group), no relabel
 *   dynamic  the configured user/group, files relabelled (the default)
 *   static   <label>user:group</label>, relabelled unless relabel='no'
 * Files are never relabelled when the VMM keeps the daemon's own identity
 * (session and --root daemons): there is nothing to give.
 *
 * A file shared by several running domains (one kernel for many guests) is
 * relabelled by the first and given back by the last: a process-wide table
 * counts its users and remembers the owner it had before the first. Each
 * domain's records (path and original owner) go into its status file, so a
 * restarted daemon adopts them (armz_dac_adopt) and still restores. */
#pragma once
#include <glib.h>
#include <sys/types.h>
#include "conf/domain_conf.h"

typedef struct {
    uid_t uid;
    gid_t gid;
    gboolean relabel;       /* give the domain's files to uid:gid */
} ArmzDacPlan;

/* One file relabelled for a domain: where, and whose it was before. */
typedef struct {
    char *path;
    uid_t uid;
    gid_t gid;
} ArmzDacRecord;

/* "user:group" with names or numbers; "+N" is always a number. */
gboolean armz_dac_parse_label(const char *label, uid_t *uid, gid_t *gid, GError **error);

/* The identity armz-vmm runs as from armz.conf's USER and GROUP (names or
 * "+N"; NULL: unset). An unset user is the daemon's own, except for the
 * SYSTEM daemon: "armz", the packages' system user (when it does not exist,
 * a warning, and root as before). An unset group is the user's primary
 * group. */
gboolean armz_dac_config_ids(const char *user, const char *group, gboolean system,
                             uid_t *uid, gid_t *gid, GError **error);

/* The files a VMM opens by path (kernel, initrd, dtb): OUT gets those DEF
 * has, then NULL. */
#define ARMZ_DAC_DOMAIN_FILES_MAX 3
void armz_dac_domain_files(const ArmzDomainDef *def,
                           const char *out[ARMZ_DAC_DOMAIN_FILES_MAX + 1]);

/* The identity DEF's VMM runs as, given the configured one. */
gboolean armz_dac_plan(const ArmzDomainDef *def, uid_t conf_uid, gid_t conf_gid,
                       ArmzDacPlan *out, GError **error);

/* Gives each of PATHS (NULL-terminated; NULL entries skipped) to PLAN's
 * uid:gid and appends an ArmzDacRecord per file to RECORDS. On failure,
 * what was relabelled is given back and RECORDS is left as it was. */
gboolean armz_dac_label(const ArmzDacPlan *plan, const char *const *paths,
                        GPtrArray *records, GError **error);

/* Gives back every file of RECORDS (the last user of a shared file
 * restores it) and empties RECORDS. Failures are logged, not returned:
 * a stopping domain cannot be held up by them. */
void armz_dac_restore(GPtrArray *records);

/* A restarted daemon's records of a running domain: counted as users. */
void armz_dac_adopt(GPtrArray *records);

/* A new array of ArmzDacRecord* (frees its elements). */
GPtrArray *armz_dac_records_new(void);

/* Records <-> status file strings "UID:GID:PATH". */
GStrv armz_dac_records_to_strv(GPtrArray *records);
void armz_dac_records_from_strv(GPtrArray *records, const char *const *strv);
