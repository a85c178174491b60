/* The monitor tests' fixture (test_monitor.c, test_monitor_vmm.c): a
 * monitor whose main context runs in a thread of its own, a fake QMP server
 * scripted per test in another thread over a socketpair, and commands run
 * from a "worker" thread. */
#pragma once
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <libvirt/virterror.h>

#include "util/error.h"
#include "driver/monitor.h"
#include "driver/monitor_json.h"

#define WAIT_MS 5000

typedef struct {
    GMutex lock;
    GPtrArray *events;        /* "NAME DATA_JSON TIMESTAMP" */
    int eofs, errors;
    int error_code;
    gboolean disposed;
    int cmd_from_callback;    /* error code of a command run inside a callback, -1 none */
    gboolean close_in_callback;
} Rec;

typedef struct _Fixture Fixture;
typedef void (*Script)(Fixture *f);

struct _Fixture {
    GMainContext *ctx;
    GMainLoop *loop;
    GThread *loop_thread;
    ArmzMonitor *mon;
    int srv_fd;
    GString *srv_in;
    GThread *srv_thread;
    Script script;
    Rec rec;
    /* a simple handshake between script and test */
    GMutex lock;
    GCond cond;
    int step;
    gconstpointer data;       /* the test's data */
};

typedef struct {
    ArmzMonitor *mon;
    const char *cmd;
    const char *args;
    guint timeout;
    gboolean ok;
    char *reply;
    GError *err;
    GThread *thread;
} Async;

/* Records events, EOF, errors and disposal into the Rec passed as opaque. */
extern const ArmzMonitorCallbacks callbacks;

void rec_init(Rec *r);
void rec_clear(Rec *r);
void fx_setup(Fixture *f, gconstpointer data);
void fx_teardown(Fixture *f, gconstpointer data);
void run_script(Fixture *f, Script s);
void step_set(Fixture *f, int step);
void step_wait(Fixture *f, int step);
void rec_wait(Rec *r, const int *field, int n);
void rec_wait_events(Rec *r, guint n);
char *srv_line(Fixture *f);
gboolean srv_send_len(Fixture *f, const char *text, gsize len);
void srv_send(Fixture *f, const char *text);
void srv_quiet(Fixture *f, int ms);
char *srv_cmd(Fixture *f, const char *name, char **args);
void srv_return(Fixture *f, const char *id_json, const char *ret);
void srv_greet(Fixture *f);
void srv_close(Fixture *f);
Async *async_start(ArmzMonitor *mon, const char *cmd, const char *args, guint timeout);
void async_free(Async *a);
void async_join(Async *a);
