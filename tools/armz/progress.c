/* Progress bars for downloads and uploads. */
#include <stdio.h>
#include <unistd.h>
#include "progress.h"

#define BAR_WIDTH 30

struct _ArmzProgress {
    char *label;
    guint64 total, done;
    gboolean tty;
    gint64 last_draw;
};

ArmzProgress *
armz_progress_new(const char *label, guint64 total)
{
    ArmzProgress *p = g_new0(ArmzProgress, 1);

    p->label = g_strdup(label);
    p->total = total;
    p->tty = isatty(STDERR_FILENO);
    armz_progress_update(p, 0);
    return p;
}

static void
draw(ArmzProgress *p)
{
    char bar[BAR_WIDTH + 1];
    int pct = p->total ? (int)(p->done * 100 / p->total) : 0;
    int fill = p->total ? (int)(p->done * BAR_WIDTH / p->total) : 0;

    for (int i = 0; i < BAR_WIDTH; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[BAR_WIDTH] = '\0';
    fprintf(stderr, "\r%-32.32s [%s] %3d%% %7.1f/%.1f MiB", p->label, bar, pct,
            p->done / 1048576.0, p->total / 1048576.0);
    fflush(stderr);
}

void
armz_progress_update(ArmzProgress *p, guint64 done)
{
    gint64 now = g_get_monotonic_time();

    p->done = MIN(done, p->total);
    /* at most 10 redraws a second, and none but the last off a terminal */
    if (!p->tty || now - p->last_draw < G_USEC_PER_SEC / 10)
        return;
    p->last_draw = now;
    draw(p);
}

void
armz_progress_done(ArmzProgress *p, gboolean ok)
{
    if (ok)
        p->done = p->total;
    draw(p);
    fputs(ok ? "\n" : "  (failed)\n", stderr);
    g_free(p->label);
    g_free(p);
}
