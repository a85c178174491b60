/* armz top: a live, refreshing table of the guests (state, vCPUs, memory,
 * CPU %, uptime), redrawn on every lifecycle event and every DELAY
 * seconds; q quits. --batch prints plain tables for scripts. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"

typedef struct {
    guint64 cpu_time;       /* ns, at the last sample */
    gint64 sampled;         /* monotonic us of that sample */
    gint64 started;         /* real-time us of the start; 0: unknown */
    gboolean start_seen;    /* STARTED event seen, else since top saw it running */
    double cpu_pct;
} GuestSample;

typedef struct {
    ArmzCli *cli;
    virConnectPtr conn;
    GHashTable *guests;     /* name -> GuestSample */
    gboolean batch;
    int iterations;         /* batch: tables left; <0: forever */
    gboolean quit;
    gboolean lost;
    int timer;
} Top;

static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{
    got_signal = sig;
}

static const char *
state_name(int st)
{
    switch (st) {
    case VIR_DOMAIN_RUNNING: return _("running");
    case VIR_DOMAIN_BLOCKED: return _("idle");
    case VIR_DOMAIN_PAUSED: return _("paused");
    case VIR_DOMAIN_SHUTDOWN: return _("in shutdown");
    case VIR_DOMAIN_SHUTOFF: return _("shut off");
    case VIR_DOMAIN_CRASHED: return _("crashed");
    case VIR_DOMAIN_PMSUSPENDED: return _("pmsuspended");
    default: return _("no state");
    }
}

static int
by_name(const void *a, const void *b)
{
    virDomainPtr da = *(virDomainPtr const *)a, db = *(virDomainPtr const *)b;
    int ia = virDomainGetID(da), ib = virDomainGetID(db);
    /* running guests first, by ID; then the others by name */
    if ((ia == -1) != (ib == -1))
        return ia == -1 ? 1 : -1;
    if (ia != -1 && ib != -1 && ia != ib)
        return ia < ib ? -1 : 1;
    return strcmp(virDomainGetName(da), virDomainGetName(db));
}

static char *
fmt_uptime(gint64 us)
{
    gint64 s = us / G_USEC_PER_SEC;
    if (s >= 86400)
        return g_strdup_printf("%" G_GINT64_FORMAT "d %02d:%02d", s / 86400,
                               (int)(s % 86400 / 3600), (int)(s % 3600 / 60));
    return g_strdup_printf("%d:%02d:%02d", (int)(s / 3600), (int)(s % 3600 / 60), (int)(s % 60));
}

static void
draw(Top *t)
{
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(t->conn, &doms, 0);
    g_autoptr(GString) out = g_string_new(NULL);
    gint64 now_mono = g_get_monotonic_time(), now_real = g_get_real_time();
    int running = 0;
    char clock[16];
    time_t tt = time(NULL);
    struct tm tm;

    if (n < 0) {
        g_autoptr(GError) err = armz_cli_libvirt_error(_("cannot list the guests"));
        if (!t->batch)
            printf("\033[?25h");
        armz_cli_print_error(err);
        t->quit = TRUE;
        t->lost = TRUE;
        return;
    }
    qsort(doms, n, sizeof(*doms), by_name);
    localtime_r(&tt, &tm);
    strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
    for (int i = 0; i < n; i++)
        if (virDomainIsActive(doms[i]) == 1)
            running++;
    if (!t->batch)
        g_string_append(out, "\033[H\033[2J");
    g_string_append_printf(out, _("armz top - %s - %s - %d guests, %d active\n\n"),
                           t->cli->uri, clock, n, running);
    g_string_append_printf(out, "%5s  %-20s %-12s %5s %10s %6s %12s\n", _("ID"), _("NAME"),
                           _("STATE"), _("VCPUS"), _("MEMORY"), _("CPU%"), _("UPTIME"));
    for (int i = 0; i < n; i++) {
        const char *name = virDomainGetName(doms[i]);
        GuestSample *g = g_hash_table_lookup(t->guests, name);
        virDomainInfo info;
        g_autofree char *id = NULL, *mem = NULL, *cpu = NULL, *up = NULL;
        gboolean active;

        if (virDomainGetInfo(doms[i], &info) < 0)
            continue;
        active = virDomainGetID(doms[i]) != (unsigned int)-1;
        if (!g) {
            g = g_new0(GuestSample, 1);
            g_hash_table_insert(t->guests, g_strdup(name), g);
        }
        if (!active) {
            g->started = 0;
            g->start_seen = FALSE;
            g->cpu_pct = 0;
        } else if (!g->started) {
            g->started = now_real;      /* first seen running: a lower bound */
        }
        if (active && g->sampled && info.cpuTime >= g->cpu_time && now_mono > g->sampled)
            g->cpu_pct = (double)(info.cpuTime - g->cpu_time) / 1000.0 /
                         (double)(now_mono - g->sampled) * 100.0;
        g->cpu_time = info.cpuTime;
        g->sampled = active ? now_mono : 0;

        id = active ? g_strdup_printf("%u", virDomainGetID(doms[i])) : g_strdup("-");
        mem = g_strdup_printf("%llu MiB", (unsigned long long)(info.memory / 1024));
        cpu = active ? g_strdup_printf("%.1f", g->cpu_pct) : g_strdup("-");
        if (active) {
            g_autofree char *u = fmt_uptime(now_real - g->started);
            up = g->start_seen ? g_steal_pointer(&u) : g_strdup_printf(">%s", u);
        } else {
            up = g_strdup("-");
        }
        g_string_append_printf(out, "%5s  %-20s %-12s %5u %10s %6s %12s\n", id, name,
                               state_name(info.state), info.nrVirtCpu, mem, cpu, up);
    }
    if (!t->batch)
        g_string_append_printf(out, "\n%s", _("q: quit"));
    else
        g_string_append_c(out, '\n');
    fputs(out->str, stdout);
    fflush(stdout);
    for (int i = 0; i < n; i++)
        virDomainFree(doms[i]);
    free(doms);
}

static int
lifecycle_event(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
    Top *t = opaque;
    const char *name = virDomainGetName(dom);
    GuestSample *g = g_hash_table_lookup(t->guests, name);

    if (!g) {
        g = g_new0(GuestSample, 1);
        g_hash_table_insert(t->guests, g_strdup(name), g);
    }
    if (event == VIR_DOMAIN_EVENT_STARTED) {
        g->started = g_get_real_time();
        g->start_seen = TRUE;
        g->sampled = 0;
    }
    if (event == VIR_DOMAIN_EVENT_UNDEFINED)
        g_hash_table_remove(t->guests, name);
    if (!t->batch)
        draw(t);
    return 0;
}

static void
tick(int timer, void *opaque)
{
    Top *t = opaque;

    if (got_signal) {
        t->quit = TRUE;
        return;
    }
    draw(t);
    if (t->batch && t->iterations > 0 && --t->iterations == 0)
        t->quit = TRUE;
}

static void
key(int watch, int fd, int events, void *opaque)
{
    Top *t = opaque;
    char buf[64];
    ssize_t n = read(fd, buf, sizeof(buf));

    if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        virEventRemoveHandle(watch);    /* no keyboard: run until a signal */
        return;
    }
    for (ssize_t i = 0; i < n; i++) {
        if (buf[i] == 'q' || buf[i] == 'Q')
            t->quit = TRUE;
        else if (buf[i] == ' ' || buf[i] == '\f')
            draw(t);
    }
}

static void
connection_closed(virConnectPtr conn, int reason, void *opaque)
{
    Top *t = opaque;

    t->quit = TRUE;
    t->lost = TRUE;
}

int
armz_cmd_top(ArmzCli *cli, int argc, char **argv)
{
    double delay = 1.0;
    gboolean batch = FALSE;
    int iterations = -1;
    GOptionEntry entries[] = {
        { "delay", 'd', 0, G_OPTION_ARG_DOUBLE, &delay,
          N_("Seconds between refreshes (default 1)"), N_("SECS") },
        { "batch", 'b', 0, G_OPTION_ARG_NONE, &batch,
          N_("Print plain tables, without a screen or keys (for scripts)"), NULL },
        { "iterations", 'n', 0, G_OPTION_ARG_INT, &iterations,
          N_("Stop after N tables (default: until q)"), N_("N") },
        { NULL }
    };
    g_autoptr(GOptionContext) octx = g_option_context_new(_("top"));
    g_autoptr(GError) err = NULL;
    Top t = { .cli = cli };
    struct termios saved, raw;
    gboolean tty;
    struct sigaction sa;
    int status, cb = -1, keys = -1;

    g_option_context_set_summary(octx, _("A live table of the guests: state, vCPUs, memory, "
                                         "CPU % (100 = one host CPU), uptime. Refreshed every "
                                         "DELAY seconds and on every lifecycle event; q quits.\n"
                                         "An uptime with '>' counts from when armz top first "
                                         "saw the guest running."));
    g_option_context_add_main_entries(octx, entries, GETTEXT_PACKAGE);
    if (!armz_cli_parse(octx, &argc, &argv, &status))
        return status;
    if (argc > 1) {
        armz_cli_errorf(_("top: unexpected argument '%s'"), argv[1]);
        return ARMZ_CLI_USAGE;
    }
    if (delay < 0.1 || delay > 3600) {
        armz_cli_errorf(_("top: --delay is between 0.1 and 3600 seconds"));
        return ARMZ_CLI_USAGE;
    }
    tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
    t.batch = batch || !tty;
    t.iterations = iterations;
    if (!(t.conn = armz_cli_connect(cli, TRUE, &err))) {
        armz_cli_print_error(err);
        return ARMZ_CLI_FAIL;
    }
    t.guests = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    cb = virConnectDomainEventRegisterAny(t.conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                          VIR_DOMAIN_EVENT_CALLBACK(lifecycle_event), &t, NULL);
    virConnectRegisterCloseCallback(t.conn, connection_closed, &t, NULL);

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    if (!t.batch) {
        tcgetattr(STDIN_FILENO, &saved);
        raw = saved;
        raw.c_lflag &= ~(ICANON | ECHO);
        raw.c_cc[VMIN] = 1;
        raw.c_cc[VTIME] = 0;
        tcsetattr(STDIN_FILENO, TCSANOW, &raw);
        printf("\033[?1049h\033[?25l");     /* own screen, no cursor */
        keys = virEventAddHandle(STDIN_FILENO, VIR_EVENT_HANDLE_READABLE, key, &t, NULL);
    }
    draw(&t);
    if (t.batch && t.iterations > 0 && --t.iterations == 0)
        t.quit = TRUE;
    t.timer = virEventAddTimeout((int)(delay * 1000), tick, &t, NULL);
    while (!t.quit && !got_signal)
        if (virEventRunDefaultImpl() < 0)
            break;
    virEventRemoveTimeout(t.timer);
    if (keys >= 0)
        virEventRemoveHandle(keys);
    if (!t.batch) {
        printf("\033[?25h\033[?1049l");
        fflush(stdout);
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    }
    if (cb >= 0 && !t.lost)
        virConnectDomainEventDeregisterAny(t.conn, cb);
    virConnectUnregisterCloseCallback(t.conn, connection_closed);
    g_hash_table_unref(t.guests);
    if (t.lost) {
        armz_cli_errorf(_("the connection to %s was lost"), cli->uri);
        return ARMZ_CLI_FAIL;
    }
    return ARMZ_CLI_OK;
}
