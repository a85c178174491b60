/* Run by test-vmm-jail inside a jail: says what it can see and who it is.
 * argv[1]: a file bound into the jail; argv[2]: the device node given to
 * it; argv[3]: a pty slave bound into it. Plain libc: it must run with what the jail binds. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

int
main(int argc, char **argv)
{
    char line[256], buf[64] = "";
    FILE *f = fopen("/proc/self/status", "r");
    struct stat st;
    DIR *d;
    struct dirent *e;
    ssize_t n;

    int pty;

    if (argc < 4)
        return 2;
    printf("pid=%d\n", (int)getpid());
    while (f && fgets(line, sizeof(line), f))
        if (!strncmp(line, "Name:", 5) || !strncmp(line, "Uid:", 4) || !strncmp(line, "Gid:", 4) ||
            !strncmp(line, "Groups:", 7) || !strncmp(line, "Cap", 3) ||
            !strncmp(line, "NoNewPrivs:", 11))
            fputs(line, stdout);
    if (f)
        fclose(f);
    printf("passwd=%d\n", access("/etc/passwd", F_OK) == 0);
    f = fopen(argv[1], "r");
    printf("file=%s\n", f && fgets(line, sizeof(line), f) ? line : "unreadable");
    if (f)
        fclose(f);
    printf("file-writable=%d\n", access(argv[1], W_OK) == 0);
    if (stat(argv[2], &st) == 0)
        printf("device=%o:%d\n", (unsigned)st.st_mode, (int)st.st_uid);
    pty = open(argv[3], O_RDWR | O_NOCTTY);
    printf("pty=%s\n", pty >= 0 && isatty(pty) ? "ok" : "unusable");
    if (pty >= 0)
        close(pty);
    n = read(3, buf, sizeof(buf) - 1);
    printf("fd3=%s\n", n > 0 ? buf : "none");
    d = opendir("/proc/self/fd");
    printf("fds=");
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d))
            printf("%s,", e->d_name);
    printf("\n");
    return 0;
}
