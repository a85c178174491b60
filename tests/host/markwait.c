/* markwait: when do markers appear in files written by others?  For
 * tests/bench (built static for aarch64 by tests/host/run-host).
 *
 *   markwait [-t SECONDS] FILE MARKER [FILE MARKER]...
 *
 * Polls each FILE every 10 ms, reading only what is new (the files
 * may not exist yet), and prints "mark N MS" the first time MARKER N
 * (counted from 1) shows up in its FILE, MS being CLOCK_REALTIME in
 * milliseconds; one clock for every process in the host.  Exits 0 once all
 * markers were seen, 1 after SECONDS (default 120) with those missing. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
    int secs = 120;

    if (argc > 2 && strcmp(argv[1], "-t") == 0) {
        secs = atoi(argv[2]);
        i = 3;
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
        usleep(10000);
    }
    for (int k = 0; k < nw; k++)
        if (!w[k].seen)
            printf("missing %d\n", k + 1);
    return left ? 1 : 0;
}
