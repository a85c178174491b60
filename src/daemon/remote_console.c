/* virDomainOpenConsole (proc 201): a domain's console pty as a libvirt
 * stream. One session per device, as libvirt keeps it: a second open fails
 * unless it has VIR_DOMAIN_CONSOLE_FORCE, which ends the first session. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "util/log.h"
#include "util/uuid.h"
#include "driver/console.h"
#include "daemon/daemon.h"

/* Open sessions: "UUID PTY-PATH" -> ArmzStream (a reference). Keyed by the
 * pty, so a device named by its alias and the default device are one. */
static GMutex consoles_lock;
static GHashTable *consoles;

static void
console_closed(ArmzStream *st, gpointer data)
{
    const char *key = data;

    g_mutex_lock(&consoles_lock);
    if (consoles && g_hash_table_lookup(consoles, key) == st)
        g_hash_table_remove(consoles, key);
    g_mutex_unlock(&consoles_lock);
}

/* The pty in raw mode: bytes pass unchanged both ways, no echo. */
static int
open_pty(const char *path, GError **error)
{
    struct termios tio;
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

    if (fd < 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot open console device '%s': %s"), path, g_strerror(errno));
        return -1;
    }
    if (tcgetattr(fd, &tio) < 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot read the terminal settings of '%s': %s"), path, g_strerror(errno));
        close(fd);
        return -1;
    }
    cfmakeraw(&tio);
    if (tcsetattr(fd, TCSANOW, &tio) < 0) {
        g_set_error(error, ARMZ_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot put '%s' in raw mode: %s"), path, g_strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static char *
session_key(const unsigned char *uuid, const char *pty)
{
    char u[ARMZ_UUID_STRING_BUFLEN];

    armz_uuid_format(uuid, u);
    return g_strdup_printf("%s %s", u, pty);
}

static gboolean
h_open_console(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_open_console_args *args = a;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);
    ArmzStream *st = armz_dispatch_stream();
    g_autoptr(ArmzStream) old = NULL;
    g_autofree char *pty = NULL;
    g_autofree char *key = NULL;
    int fd;

    /* the driver checks the flags, the state and the device */
    if (!armz_driver_domain_console_path(armz_daemon->driver, &dom,
                                         args->dev_name ? *args->dev_name : NULL, args->flags,
                                         &pty, error))
        return FALSE;

    key = session_key(dom.uuid, pty);
    armz_stream_set_closed_func(st, console_closed, g_strdup(key), g_free);

    g_mutex_lock(&consoles_lock);
    if (!consoles)
        consoles = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify)armz_stream_unref);
    /* A session whose device reached its end is over, even before its
     * client finishes it (a restarted guest may get the same pty). */
    old = g_hash_table_lookup(consoles, key);
    if (old && armz_stream_is_live(old)) {
        armz_stream_ref(old);
        /* SAFE asks for exactly this exclusive access: nothing to add. */
        if (!(args->flags & VIR_DOMAIN_CONSOLE_FORCE)) {
            g_mutex_unlock(&consoles_lock);
            g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_OPERATION_FAILED,
                                _("Active console session exists for this domain"));
            return FALSE;
        }
    } else {
        old = NULL;
    }
    if (armz_stream_is_closed(st)) {
        /* The client left while we looked the device up. */
        g_mutex_unlock(&consoles_lock);
        g_set_error_literal(error, ARMZ_ERROR, VIR_ERR_RPC, _("the client has disconnected"));
        return FALSE;
    }
    g_hash_table_insert(consoles, g_strdup(key), armz_stream_ref(st));
    g_mutex_unlock(&consoles_lock);

    if (old) {
        g_autoptr(GError) why = NULL;

        g_set_error_literal(&why, ARMZ_ERROR, VIR_ERR_OPERATION_ABORTED,
                            _("the console was taken over by another session"));
        armz_info("console of domain '%s' taken over by client %" G_GUINT64_FORMAT,
                  dom.name, client->id);
        /* Closes its pty before ours opens, so no byte goes to both. */
        armz_stream_abort(old, why);
    }

    /* On failure the dispatcher ends ST, whose closed function frees the
     * device again. */
    if ((fd = open_pty(pty, error)) < 0)
        return FALSE;
    armz_stream_set_fd(st, fd);
    armz_debug("client %" G_GUINT64_FORMAT ": console of domain '%s' on %s (stream %u)",
               client->id, dom.name, pty, armz_stream_serial(st));
    return TRUE;
}

static const ArmzProc procs[] = {
    { REMOTE_PROC_DOMAIN_OPEN_CONSOLE, ARMZ_ARGS(armz_domain_open_console_args), ARMZ_NORET,
      h_open_console, ARMZ_PROC_STREAM },
};

void
armz_remote_console_register(ArmzDispatcher *d)
{
    armz_dispatcher_add(d, procs, G_N_ELEMENTS(procs));
}
