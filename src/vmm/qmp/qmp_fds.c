/* Named file descriptors of the QMP server (qmp_fds.h). */
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include "qmp_fds.h"

#define ARMZ_QMP_MAX_NAMED_FDS 64

struct _ArmzQmpFds {
    GArray *pending;            /* int, in arrival order */
    GHashTable *named;          /* name -> fd + 1 */
};

static void
close_named(gpointer value)
{
    close(GPOINTER_TO_INT(value) - 1);
}

ArmzQmpFds *
armz_qmp_fds_new(void)
{
    ArmzQmpFds *t = g_new0(ArmzQmpFds, 1);

    t->pending = g_array_new(FALSE, FALSE, sizeof(int));
    t->named = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, close_named);
    return t;
}

void
armz_qmp_fds_free(ArmzQmpFds *t)
{
    if (!t)
        return;
    armz_qmp_fds_drop_pending(t);
    g_array_free(t->pending, TRUE);
    g_hash_table_destroy(t->named);
    g_free(t);
}

void
armz_qmp_fds_add_pending(ArmzQmpFds *t, int fd)
{
    g_array_append_val(t->pending, fd);
}

void
armz_qmp_fds_drop_pending(ArmzQmpFds *t)
{
    for (guint i = 0; i < t->pending->len; i++)
        close(g_array_index(t->pending, int, i));
    g_array_set_size(t->pending, 0);
}

gboolean
armz_qmp_fds_name(ArmzQmpFds *t, const char *name, GError **error)
{
    int fd;

    if (!t->pending->len) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_BADF,
                    _("No file descriptor supplied via SCM_RIGHTS"));
        return FALSE;
    }
    if (!*name || g_ascii_isdigit(*name)) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    _("Parameter 'fdname' expects a name not starting with a digit"));
        return FALSE;
    }
    if (!g_hash_table_contains(t->named, name) &&
        g_hash_table_size(t->named) >= ARMZ_QMP_MAX_NAMED_FDS) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_MFILE,
                    _("Too many named file descriptors (at most %d)"), ARMZ_QMP_MAX_NAMED_FDS);
        return FALSE;
    }
    fd = g_array_index(t->pending, int, 0);
    g_array_remove_index(t->pending, 0);
    g_hash_table_replace(t->named, g_strdup(name), GINT_TO_POINTER(fd + 1));
    return TRUE;
}

gboolean
armz_qmp_fds_close(ArmzQmpFds *t, const char *name, GError **error)
{
    if (!g_hash_table_remove(t->named, name)) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                    _("File descriptor named '%s' not found"), name);
        return FALSE;
    }
    return TRUE;
}

int
armz_qmp_fds_take(ArmzQmpFds *t, const char *name, GError **error)
{
    gpointer k, v;

    if (!g_hash_table_steal_extended(t->named, name, &k, &v)) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                    _("File descriptor named '%s' not found"), name);
        return -1;
    }
    g_free(k);
    return GPOINTER_TO_INT(v) - 1;
}
