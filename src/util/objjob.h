/* One job at a time per object, libvirt's job model: an API that changes an
 * object's state, or waits on the world for it (a VMM, dnsmasq, a mount),
 * holds the object's job for the whole operation and its lock only while
 * it reads or writes the object's fields. Others wait for the job at most
 * the job timeout (30 s, as virDomainObjBeginJob) and then fail with
 * VIR_ERR_OPERATION_TIMEOUT naming the API that holds it. */
#pragma once
#include <glib.h>

typedef struct {
    GCond cond;
    const char *owner;      /* the API holding the job (a static string), or NULL */
} ArmzObjJob;

void armz_obj_job_init(ArmzObjJob *job);
void armz_obj_job_clear(ArmzObjJob *job);

/* Takes JOB for API, waiting (LOCK held, released while waiting) at most
 * the job timeout. */
gboolean armz_obj_job_begin(ArmzObjJob *job, GMutex *lock, const char *api, GError **error);
/* Waits, as armz_obj_job_begin, until nobody holds JOB, without taking
 * it: for work that may run beside other work but not during a job. */
gboolean armz_obj_job_wait_free(ArmzObjJob *job, GMutex *lock, GError **error);
/* The same without a time limit: for the daemon's own threads (reaping a
 * VMM that exited, reconnecting), whose work must happen eventually. */
void armz_obj_job_begin_wait(ArmzObjJob *job, GMutex *lock, const char *api);
/* Releases JOB (LOCK held) and wakes the waiters. */
void armz_obj_job_end(ArmzObjJob *job);

/* The timeout in milliseconds for every job; 0 restores the default
 * (ARMZ_JOB_TIMEOUT_MS in the environment, else 30 s). For tests. */
void armz_obj_job_set_timeout_ms(guint ms);
guint armz_obj_job_timeout_ms(void);
