/* Unit tests of fd passing in a QMP session: getfd, closefd and what takes
 * a passed fd (blockdev-change-medium), with eject beside it. */
#include <fcntl.h>
#include <unistd.h>
#include "vmm/qmp/qmp_fds.h"
#include "qmp_test.h"

/* getfd / closefd and blockdev-change-medium's fd:NAME; the fds stand
 * for what a client passes with SCM_RIGHTS */
static int media_fd = -1;
static char media_id[32];

static gboolean
fake_change_medium(gpointer opaque, const char *id, int fd, GError **error)
{
    g_strlcpy(media_id, id, sizeof(media_id));
    media_fd = fd;
    return TRUE;
}

static gboolean
fake_eject(gpointer opaque, const char *id, gboolean force, GError **error)
{
    g_set_error(error, ARMZ_QMP_ERROR, 0, "Device '%s' is locked%s", id, force ? " (force)" : "");
    return FALSE;
}

static void
test_session_fds(void)
{
    static const ArmzQmpOps media_ops = { .query_status = fake_query_status,
                                          .eject = fake_eject,
                                          .change_medium = fake_change_medium };
    ArmzQmpFds *fds;
    int p[2];
    Fake f;

    fake_init(&f, &media_ops);
    negotiate(&f);
    fds = armz_qmp_session_fds(f.session);
    assert_error(say(&f, "{\"execute\": \"getfd\", \"arguments\": {\"fdname\": \"cd\"}}"),
                 "GenericError", "No file descriptor supplied via SCM_RIGHTS", NULL);
    g_assert_cmpint(pipe(p), ==, 0);
    armz_qmp_fds_add_pending(fds, p[0]);
    armz_qmp_fds_add_pending(fds, p[1]);
    assert_error(say(&f, "{\"execute\": \"getfd\", \"arguments\": {\"fdname\": \"1x\"}}"),
                 "GenericError", "not starting with a digit", NULL);
    /* the other pending fd was closed once the request was done */
    g_assert_cmpint(fcntl(p[1], F_GETFD), ==, -1);
    g_assert_cmpint(pipe(p), ==, 0);
    close(p[1]);
    armz_qmp_fds_add_pending(fds, p[0]);
    yajl_tree_free(assert_return(say(&f, "{\"execute\": \"getfd\", \"arguments\": "
                                     "{\"fdname\": \"cd\"}}"), NULL));
    g_assert_cmpint(fcntl(p[0], F_GETFD), >=, 0);
    assert_error(say(&f, "{\"execute\": \"blockdev-change-medium\", \"arguments\": "
                     "{\"id\": \"cd0\", \"filename\": \"/tmp/x.iso\"}}"),
                 "GenericError", "fd:NAME", NULL);
    assert_error(say(&f, "{\"execute\": \"blockdev-change-medium\", \"arguments\": "
                     "{\"id\": \"cd0\", \"filename\": \"fd:cd\", \"format\": \"qcow2\"}}"),
                 "GenericError", "raw", NULL);
    yajl_tree_free(assert_return(say(&f, "{\"execute\": \"blockdev-change-medium\", "
                                     "\"arguments\": {\"id\": \"cd0\", \"filename\": \"fd:cd\", "
                                     "\"format\": \"raw\"}}"), NULL));
    g_assert_cmpint(media_fd, ==, p[0]);
    g_assert_cmpstr(media_id, ==, "cd0");
    close(media_fd);
    /* taken: the name is gone */
    assert_error(say(&f, "{\"execute\": \"closefd\", \"arguments\": {\"fdname\": \"cd\"}}"),
                 "GenericError", "File descriptor named 'cd' not found", NULL);
    assert_error(say(&f, "{\"execute\": \"eject\", \"arguments\": {\"id\": \"cd0\", "
                     "\"force\": true}}"), "GenericError", "Device 'cd0' is locked (force)", NULL);
    assert_error(say(&f, "{\"execute\": \"eject\", \"arguments\": {\"force\": 1}}"),
                 "GenericError", "'id' is missing", NULL);
    assert_error(say(&f, "{\"execute\": \"eject\", \"arguments\": {\"id\": \"a\", \"x\": 1}}"),
                 "GenericError", "'x' is unexpected", NULL);
    fake_clear(&f);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qmp/session/fds", test_session_fds);
    return g_test_run();
}
