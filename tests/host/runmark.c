/* runmark: runs a command and times it, for tests/bench (built static for
 * aarch64 by tests/host/run-host).
 *
 *   runmark [-g GUEST_MIB] [-r|-s MARKER] [-t SECONDS] OUTFILE MARKER... -- CMD ARG...
 *
 * CMD's stdout is copied to OUTFILE. Prints, in milliseconds since CMD was
 * started: "first-byte MS" for its first output byte, "mark MARKER MS" the
 * first time each MARKER appears in its output, "exit STATUS MS" when it
 * ends. With -r, when MARKER shows up, samples /proc/PID/smaps: "rss-total
 * KB", "rss-guest KB" (the anonymous mappings of at least GUEST_MIB, i.e.
 * guest RAM, touched part), "rss-overhead KB" (the difference),
 * "rss-anon-overhead KB" (the same for anonymous memory only), then ends
 * CMD with SIGTERM; -s MARKER samples the same way (and "rss-peak KB", the
 * VmHWM so far) but lets CMD run on. -t ends it with SIGKILL after SECONDS
 * (default 120). */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

static struct timespec t0;

static long
ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0.tv_sec) * 1000L + (t.tv_nsec - t0.tv_nsec) / 1000000L;
}

static void
sample_rss(pid_t pid, long guest_kb)
{
    char path[64], line[512];
    long size = 0, total = 0, guest = 0, anon = 0, guest_anon = 0, rss;
    int anon_big = 0;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
    f = fopen(path, "r");
    if (!f) {
        printf("rss-error %s\n", strerror(errno));
        return;
    }
    while (fgets(line, sizeof(line), f)) {
        unsigned long a, b;
        char perms[8];
        int n = 0;
        if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &a, &b, perms, &n) == 3 && n > 0) {
            size = (long)((b - a) / 1024);
            /* anonymous: no path after the inode */
            anon_big = size >= guest_kb && (line[n] == '\n' || line[n] == '\0');
        } else if (sscanf(line, "Rss: %ld kB", &rss) == 1) {
            total += rss;
            if (anon_big)
                guest += rss;
        } else if (sscanf(line, "Anonymous: %ld kB", &rss) == 1) {
            anon += rss;
            if (anon_big)
                guest_anon += rss;
        }
    }
    fclose(f);
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    f = fopen(path, "r");
    while (f && fgets(line, sizeof(line), f)) {
        if (sscanf(line, "VmHWM: %ld kB", &rss) == 1)
            printf("rss-peak %ld\n", rss);
    }
    if (f)
        fclose(f);
    printf("rss-total %ld\nrss-guest %ld\nrss-overhead %ld\nrss-anon-overhead %ld\n",
           total, guest, total - guest, anon - guest_anon);
}

int
main(int argc, char **argv)
{
    long guest_kb = 256 * 1024, limit = 120;
    const char *rss_marker = NULL, *sample_marker = NULL, *outfile;
    char **markers, **cmd;
    int nmarkers = 0, opt, p[2], seen_first = 0, status;
    int *seen;
    char window[8192];
    size_t wlen = 0;
    FILE *out;
    pid_t pid;

    while ((opt = getopt(argc, argv, "+g:r:s:t:")) != -1) {
        switch (opt) {
        case 'g': guest_kb = atol(optarg) * 1024; break;
        case 'r': rss_marker = optarg; break;
        case 's': sample_marker = optarg; break;
        case 't': limit = atol(optarg); break;
        default: return 2;
        }
    }
    if (optind >= argc)
        return 2;
    outfile = argv[optind++];
    markers = argv + optind;
    while (optind < argc && strcmp(argv[optind], "--") != 0) {
        optind++;
        nmarkers++;
    }
    if (optind >= argc - 1) {
        fprintf(stderr, "usage: runmark [-g MIB] [-r|-s MARKER] [-t S] OUTFILE MARKER... -- CMD ARG...\n");
        return 2;
    }
    cmd = argv + optind + 1;
    seen = calloc(nmarkers + 1, sizeof(int));
    out = fopen(outfile, "w");
    if (!out || pipe(p) < 0)
        return 2;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid = fork();
    if (pid == 0) {
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        execvp(cmd[0], cmd);
        _exit(127);
    }
    close(p[1]);
    for (;;) {
        struct pollfd pf = { .fd = p[0], .events = POLLIN };
        char buf[4096];
        ssize_t n;
        long left = limit * 1000 - ms();

        if (left <= 0) {
            printf("timeout %ld\n", ms());
            kill(pid, SIGKILL);
            break;
        }
        if (poll(&pf, 1, (int)left) <= 0)
            continue;
        n = read(p[0], buf, sizeof(buf));
        if (n <= 0)
            break;
        if (!seen_first) {
            printf("first-byte %ld\n", ms());
            seen_first = 1;
        }
        fwrite(buf, 1, n, out);
        /* a window of recent output (markers may straddle two reads);
         * a read is at most 4096 bytes, the window keeps 256 before it */
        if (wlen > 256) {
            memmove(window, window + wlen - 256, 256);
            wlen = 256;
        }
        memcpy(window + wlen, buf, n);
        wlen += n;
        for (int i = 0; i < nmarkers; i++) {
            if (!seen[i] && memmem(window, wlen, markers[i], strlen(markers[i]))) {
                seen[i] = 1;     /* reported once, also if it recurs */
                printf("mark %s %ld\n", markers[i], ms());
                if (rss_marker && strcmp(markers[i], rss_marker) == 0) {
                    usleep(200000);   /* let the guest settle */
                    sample_rss(pid, guest_kb);
                    kill(pid, SIGTERM);
                }
                if (sample_marker && strcmp(markers[i], sample_marker) == 0) {
                    usleep(200000);
                    sample_rss(pid, guest_kb);
                }
            }
        }
        fflush(stdout);
    }
    waitpid(pid, &status, 0);
    printf("exit %d %ld\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), ms());
    fclose(out);
    return 0;
}
