/* File descriptors a QMP client passes with SCM_RIGHTS: those that came
 * with the bytes being processed (pending) and those `getfd` named.  Named
 * fds outlive the client that passed them, as in QEMU's monitor; a command
 * that uses one ("fd:NAME") takes it out of the table. */
#pragma once
#include <glib.h>

typedef struct _ArmzQmpFds ArmzQmpFds;

ArmzQmpFds *armz_qmp_fds_new(void);
void armz_qmp_fds_free(ArmzQmpFds *t);      /* closes every fd it holds */
/* FD arrived with the client's bytes (taken) */
void armz_qmp_fds_add_pending(ArmzQmpFds *t, int fd);
/* closes the pending fds no command took */
void armz_qmp_fds_drop_pending(ArmzQmpFds *t);
/* getfd: names the oldest pending fd (an older fd of that name is closed);
 * FALSE with ERROR when none is pending or NAME is not a name */
gboolean armz_qmp_fds_name(ArmzQmpFds *t, const char *name, GError **error);
/* closefd */
gboolean armz_qmp_fds_close(ArmzQmpFds *t, const char *name, GError **error);
/* the fd named NAME, now the caller's; -1 with ERROR when there is none */
int armz_qmp_fds_take(ArmzQmpFds *t, const char *name, GError **error);
