/* The DAC security driver (see security_dac.h). */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <libvirt/virterror.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/log.h"
#include "driver/security_dac.h"

/* A file some running domains have relabelled. */
typedef struct {
    uid_t orig_uid;         /* before the first of them */
    gid_t orig_gid;
    uid_t uid;              /* what it was given */
    gid_t gid;
    guint users;
} Labelled;

static GMutex table_lock;
static GHashTable *table;   /* canonical path -> Labelled* */

static GHashTable *
labelled_table(void)
{
    if (!table)
        table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    return table;
}

static void
record_free(gpointer p)
{
    ArmzDacRecord *r = p;
    if (!r)
        return;
    g_free(r->path);
    g_free(r);
}

GPtrArray *
armz_dac_records_new(void)
{
    return g_ptr_array_new_with_free_func(record_free);
}

static ArmzDacRecord *
record_new(const char *path, uid_t uid, gid_t gid)
{
    ArmzDacRecord *r = g_new0(ArmzDacRecord, 1);
    r->path = g_strdup(path);
    r->uid = uid;
    r->gid = gid;
    return r;
}

/* "+N" is a number; a name is looked up, and a bare number is taken as
 * one when no such name exists. */
static gboolean
parse_id(const char *s, gboolean group, guint *id)
{
    char buf[4096];
    guint64 v;

    if (!*s)
        return FALSE;
    if (*s != '+') {
        if (group) {
            struct group gr, *res = NULL;
            if (getgrnam_r(s, &gr, buf, sizeof(buf), &res) == 0 && res) {
                *id = res->gr_gid;
                return TRUE;
            }
        } else {
            struct passwd pw, *res = NULL;
            if (getpwnam_r(s, &pw, buf, sizeof(buf), &res) == 0 && res) {
                *id = res->pw_uid;
                return TRUE;
            }
        }
    } else {
        s++;
    }
    if (!g_ascii_string_to_unsigned(s, 10, 0, G_MAXUINT32 - 1, &v, NULL))
        return FALSE;
    *id = (guint)v;
    return TRUE;
}

gboolean
armz_dac_parse_label(const char *label, uid_t *uid, gid_t *gid, GError **error)
{
    g_auto(GStrv) parts = g_strsplit(label, ":", 2);
    guint u, g;

    if (!parts[0] || !parts[1]) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG,
                    _("Failed to parse DAC label '%s': expected user:group"), label);
        return FALSE;
    }
    if (!parse_id(parts[0], FALSE, &u)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG, _("Failed to parse user '%s'"),
                    parts[0]);
        return FALSE;
    }
    if (!parse_id(parts[1], TRUE, &g)) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_INVALID_ARG, _("Failed to parse group '%s'"),
                    parts[1]);
        return FALSE;
    }
    *uid = u;
    *gid = g;
    return TRUE;
}

#define DEFAULT_USER "armz"

/* USER's uid and primary group; FALSE when there is no such user. */
static gboolean
lookup_user(const char *user, uid_t *uid, gid_t *gid)
{
    char buf[4096];
    struct passwd pw, *res = NULL;
    guint id;

    if (!parse_id(user, FALSE, &id))
        return FALSE;
    *uid = id;
    *gid = (gid_t)-1;   /* unknown: the configuration must name the group */
    if (getpwuid_r(id, &pw, buf, sizeof(buf), &res) == 0 && res)
        *gid = res->pw_gid;
    return TRUE;
}

gboolean
armz_dac_config_ids(const char *user, const char *group, gboolean system, uid_t *uid,
                    gid_t *gid, GError **error)
{
    guint g;

    *uid = geteuid();
    *gid = getegid();
    if (user) {
        if (!lookup_user(user, uid, gid)) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_CONF_SYNTAX,
                        _("Failed to parse user '%s'"), user);
            return FALSE;
        }
    } else if (system && !lookup_user(DEFAULT_USER, uid, gid)) {
        *uid = geteuid();
        *gid = getegid();
        armz_warn("user '%s' does not exist: armz-vmm runs as root (set 'user' in armz.conf)",
                  DEFAULT_USER);
    }
    if (group) {
        if (!parse_id(group, TRUE, &g)) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_CONF_SYNTAX,
                        _("Failed to parse group '%s'"), group);
            return FALSE;
        }
        *gid = g;
    } else if (*gid == (gid_t)-1) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_CONF_SYNTAX,
                    _("user '%s' has no passwd entry: set 'group' too"), user);
        return FALSE;
    }
    return TRUE;
}

void
armz_dac_domain_files(const ArmzDomainDef *def, const char *out[ARMZ_DAC_DOMAIN_FILES_MAX + 1])
{
    const char *all[] = { def->os_kernel, def->os_initrd, def->os_dtb };
    guint n = 0;

    for (guint i = 0; i < G_N_ELEMENTS(all); i++)
        if (all[i])
            out[n++] = all[i];
    out[n] = NULL;
}

/* The seclabel that speaks for DAC: model='dac', else a model-less one. */
static const ArmzDomainSeclabelDef *
dac_seclabel(const ArmzDomainDef *def)
{
    const ArmzDomainSeclabelDef *any = NULL;

    for (guint i = 0; i < def->seclabels->len; i++) {
        const ArmzDomainSeclabelDef *sec = g_ptr_array_index(def->seclabels, i);
        if (g_strcmp0(sec->model, "dac") == 0)
            return sec;
        if (!sec->model && !any)
            any = sec;
    }
    return any;
}

gboolean
armz_dac_plan(const ArmzDomainDef *def, uid_t conf_uid, gid_t conf_gid, ArmzDacPlan *out,
              GError **error)
{
    const ArmzDomainSeclabelDef *sec = dac_seclabel(def);

    out->uid = conf_uid;
    out->gid = conf_gid;
    out->relabel = TRUE;
    if (sec && g_strcmp0(sec->type, "none") == 0) {
        out->relabel = FALSE;
    } else if (sec && g_strcmp0(sec->type, "static") == 0) {
        if (!sec->label || !armz_dac_parse_label(sec->label, &out->uid, &out->gid, error)) {
            if (!sec->label)
                g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                                    _("security label is missing"));
            return FALSE;
        }
    }
    if (sec && g_strcmp0(sec->relabel, "no") == 0)
        out->relabel = FALSE;
    /* the daemon's own identity: its files are already within its reach */
    if (out->uid == geteuid() && out->gid == getegid())
        out->relabel = FALSE;
    return TRUE;
}

static gboolean
label_one(const ArmzDacPlan *plan, const char *path, GPtrArray *records, GError **error)
{
    char canon[PATH_MAX];
    Labelled *l;
    struct stat st;

    if (!realpath(path, canon) || stat(canon, &st) < 0) {
        int e = errno;
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("unable to stat: %s: %s"), path, g_strerror(e));
        return FALSE;
    }
    l = g_hash_table_lookup(labelled_table(), canon);
    if ((st.st_uid != plan->uid || st.st_gid != plan->gid) &&
        chown(canon, plan->uid, plan->gid) < 0) {
        int e = errno;
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("unable to set user and group to '%ld:%ld' on '%s': %s"),
                    (long)plan->uid, (long)plan->gid, path, g_strerror(e));
        return FALSE;
    }
    if (!l) {
        l = g_new0(Labelled, 1);
        l->orig_uid = st.st_uid;
        l->orig_gid = st.st_gid;
        g_hash_table_insert(labelled_table(), g_strdup(canon), l);
    }
    l->uid = plan->uid;
    l->gid = plan->gid;
    l->users++;
    g_ptr_array_add(records, record_new(canon, l->orig_uid, l->orig_gid));
    return TRUE;
}

/* One user of R's file is done with it; the last gives it back, unless
 * someone else took it meanwhile (then it is theirs to keep). */
static void
restore_one(const ArmzDacRecord *r)
{
    Labelled *l = g_hash_table_lookup(labelled_table(), r->path);
    uid_t orig_uid = l ? l->orig_uid : r->uid;
    gid_t orig_gid = l ? l->orig_gid : r->gid;
    struct stat st;

    if (l && --l->users > 0)
        return;
    if (stat(r->path, &st) == 0 && (!l || (st.st_uid == l->uid && st.st_gid == l->gid)) &&
        (st.st_uid != orig_uid || st.st_gid != orig_gid) &&
        chown(r->path, orig_uid, orig_gid) < 0)
        armz_warn("cannot restore the owner %ld:%ld of '%s': %s", (long)orig_uid,
                  (long)orig_gid, r->path, g_strerror(errno));
    if (l)
        g_hash_table_remove(labelled_table(), r->path);
}

gboolean
armz_dac_label(const ArmzDacPlan *plan, const char *const *paths, GPtrArray *records,
               GError **error)
{
    g_autoptr(GPtrArray) done = armz_dac_records_new();

    if (!plan->relabel)
        return TRUE;
    g_mutex_lock(&table_lock);
    for (; *paths; paths++) {
        if (!label_one(plan, *paths, done, error)) {
            for (guint i = 0; i < done->len; i++)
                restore_one(g_ptr_array_index(done, i));
            g_mutex_unlock(&table_lock);
            return FALSE;
        }
    }
    g_mutex_unlock(&table_lock);
    g_ptr_array_extend_and_steal(records, g_steal_pointer(&done));
    return TRUE;
}

void
armz_dac_restore(GPtrArray *records)
{
    g_mutex_lock(&table_lock);
    for (guint i = 0; i < records->len; i++)
        restore_one(g_ptr_array_index(records, i));
    g_mutex_unlock(&table_lock);
    g_ptr_array_set_size(records, 0);
}

void
armz_dac_adopt(GPtrArray *records)
{
    g_mutex_lock(&table_lock);
    for (guint i = 0; i < records->len; i++) {
        const ArmzDacRecord *r = g_ptr_array_index(records, i);
        Labelled *l = g_hash_table_lookup(labelled_table(), r->path);
        struct stat st;

        if (!l) {
            l = g_new0(Labelled, 1);
            l->orig_uid = r->uid;
            l->orig_gid = r->gid;
            /* what it was given is what it has now */
            if (stat(r->path, &st) == 0) {
                l->uid = st.st_uid;
                l->gid = st.st_gid;
            }
            g_hash_table_insert(labelled_table(), g_strdup(r->path), l);
        }
        l->users++;
    }
    g_mutex_unlock(&table_lock);
}

GStrv
armz_dac_records_to_strv(GPtrArray *records)
{
    GStrv v = g_new0(char *, records->len + 1);

    for (guint i = 0; i < records->len; i++) {
        const ArmzDacRecord *r = g_ptr_array_index(records, i);
        v[i] = g_strdup_printf("%lu:%lu:%s", (unsigned long)r->uid, (unsigned long)r->gid,
                               r->path);
    }
    return v;
}

void
armz_dac_records_from_strv(GPtrArray *records, const char *const *strv)
{
    for (; strv && *strv; strv++) {
        g_auto(GStrv) f = g_strsplit(*strv, ":", 3);
        guint64 u, g;

        if (g_strv_length(f) != 3 || f[2][0] != '/' ||
            !g_ascii_string_to_unsigned(f[0], 10, 0, G_MAXUINT32 - 1, &u, NULL) ||
            !g_ascii_string_to_unsigned(f[1], 10, 0, G_MAXUINT32 - 1, &g, NULL)) {
            armz_warn("ignoring a malformed DAC record '%s'", *strv);
            continue;
        }
        g_ptr_array_add(records, record_new(f[2], (uid_t)u, (gid_t)g));
    }
}
