/* markwait: when do markers appear in files written by others?  For
 * tests/bench (built static for aarch64 by tests/host/run-host).
 *
 *   markwait [-t SECONDS] FILE MARKER [FILE MARKER]...
 *
 * Reads each FILE when inotify says its directory changed (the files may
 * not exist yet), only what is new, and prints "mark N MS" the first time
 * MARKER N (counted from 1) shows up in its FILE, MS being CLOCK_REALTIME
 * in milliseconds; one clock for every process in the host.  Exits 0 once
 * all markers were seen, 1 after SECONDS (default 120) with those missing.
 * -p polls every 10 ms instead, as it used to: 100 wakeups a second took
 * CPU from the guest being timed (docs/performance.md). */
#define _GNU_SOURCE
#include <libgen.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/inotify.h>

#define MAXW 16
#define TAIL 4096

struct watch {
    const char *path, *marker;
    long off;
    char buf[2 * TAIL + 1];    /* the last bytes read, for markers split across reads */
    size_t len;
    int seen;
};

static long long
now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int
poll_one(struct watch *w)
{
    FILE *f = fopen(w->path, "r");
    size_t n;

    if (!f)
        return 0;
    if (fseek(f, w->off, SEEK_SET) == 0) {
        while ((n = fread(w->buf + w->len, 1, TAIL, f)) > 0) {
            w->off += (long)n;
            w->len += n;
            w->buf[w->len] = 0;
            if (memmem(w->buf, w->len, w->marker, strlen(w->marker))) {
                fclose(f);
                return 1;
            }
            if (w->len > TAIL) {
                memmove(w->buf, w->buf + w->len - TAIL, TAIL);
                w->len = TAIL;
            }
        }
    }
    fclose(f);
    return 0;
}

int
main(int argc, char **argv)
{
    struct watch w[MAXW];
    int nw = 0, left, i = 1;
    long long deadline;
    int secs = 120, ino = -1, use_poll = 0;

    for (;;) {
        if (argc > i + 1 && strcmp(argv[i], "-t") == 0) {
            secs = atoi(argv[i + 1]);
            i += 2;
        } else if (argc > i && strcmp(argv[i], "-p") == 0) {
            use_poll = 1;
            i++;
        } else {
            break;
        }
    }
    for (; i + 1 < argc && nw < MAXW; i += 2, nw++) {
        memset(&w[nw], 0, sizeof(w[nw]));
        w[nw].path = argv[i];
        w[nw].marker = argv[i + 1];
    }
    if (nw == 0) {
        fprintf(stderr, "usage: markwait [-t SECONDS] FILE MARKER [FILE MARKER]...\n");
        return 2;
    }
    if (!use_poll) {
        ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        for (int k = 0; ino >= 0 && k < nw; k++) {
            char *copy = strdup(w[k].path);
            /* the directory: the file may not exist yet */
            if (inotify_add_watch(ino, dirname(copy), IN_CREATE | IN_MODIFY | IN_MOVED_TO) < 0) {
                close(ino);
                ino = -1;
            }
            free(copy);
        }
    }
    deadline = now_ms() + secs * 1000LL;
    for (left = nw; left > 0 && now_ms() < deadline;) {
        for (int k = 0; k < nw; k++) {
            if (!w[k].seen && poll_one(&w[k])) {
                w[k].seen = 1;
                left--;
                printf("mark %d %lld\n", k + 1, now_ms());
                fflush(stdout);
            }
        }
        if (left && ino >= 0) {
            /* woken by any change in a watched directory, or each second */
            struct pollfd pf = { .fd = ino, .events = POLLIN };
            char ev[4096];
            if (poll(&pf, 1, 1000) > 0)
                while (read(ino, ev, sizeof(ev)) > 0)
                    ;
        } else if (left) {
            usleep(10000);
        }
    }
    for (int k = 0; k < nw; k++)
        if (!w[k].seen)
            printf("missing %d\n", k + 1);
    return left ? 1 : 0;
}
