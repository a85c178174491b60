#include <stdlib.h>
#include <libvirt/virterror.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/objjob.h"

#define DEFAULT_TIMEOUT_MS 30000

static gint timeout_ms;     /* 0: not set yet */

guint
armz_obj_job_timeout_ms(void)
{
    gint ms = g_atomic_int_get(&timeout_ms);

    if (ms <= 0) {
        const char *env = g_getenv("ARMZ_JOB_TIMEOUT_MS");
        guint64 v = env ? g_ascii_strtoull(env, NULL, 10) : 0;

        ms = v > 0 && v <= G_MAXINT ? (gint)v : DEFAULT_TIMEOUT_MS;
        g_atomic_int_set(&timeout_ms, ms);
    }
    return (guint)ms;
}

void
armz_obj_job_set_timeout_ms(guint ms)
{
    g_atomic_int_set(&timeout_ms, ms > G_MAXINT ? G_MAXINT : (gint)ms);
}

void
armz_obj_job_init(ArmzObjJob *job)
{
    g_cond_init(&job->cond);
    job->owner = NULL;
}

void
armz_obj_job_clear(ArmzObjJob *job)
{
    g_cond_clear(&job->cond);
}

gboolean
armz_obj_job_wait_free(ArmzObjJob *job, GMutex *lock, GError **error)
{
    gint64 until = g_get_monotonic_time() + (gint64)armz_obj_job_timeout_ms() * 1000;

    while (job->owner) {
        if (!g_cond_wait_until(&job->cond, lock, until) && job->owner) {
            g_set_error(error, ARMZ_ERROR, VIR_ERR_OPERATION_TIMEOUT,
                        _("cannot acquire state change lock (held by %s)"), job->owner);
            return FALSE;
        }
    }
    return TRUE;
}

gboolean
armz_obj_job_begin(ArmzObjJob *job, GMutex *lock, const char *api, GError **error)
{
    if (!armz_obj_job_wait_free(job, lock, error))
        return FALSE;
    job->owner = api;
    return TRUE;
}

void
armz_obj_job_begin_wait(ArmzObjJob *job, GMutex *lock, const char *api)
{
    while (job->owner)
        g_cond_wait(&job->cond, lock);
    job->owner = api;
}

void
armz_obj_job_end(ArmzObjJob *job)
{
    job->owner = NULL;
    g_cond_broadcast(&job->cond);
}
