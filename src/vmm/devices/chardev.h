/* Character backends of the guest's consoles (the PL011 serial line and
 * the virtio-console): stdio, pty, file, passed fd or none, plus an
 * optional append-only log of everything the guest prints. */
#pragma once
#include <stddef.h>
#include <sys/types.h>
#include <glib.h>
#include "options.h"

typedef struct _ArmzChardev ArmzChardev;

/* WHAT names the line in messages ("serial", "console"); a pty is
 * announced on stderr as "armz-vmm: WHAT pty /dev/pts/N". */
ArmzChardev *armz_chardev_open(const ArmzCharOpt *o, const char *what, GError **error);
void armz_chardev_close(ArmzChardev *c);
/* Guest output to the backend and the log.  Blocks on files and stdio;
 * a pty nobody reads drops what does not fit. */
void armz_chardev_write(ArmzChardev *c, const void *buf, size_t len);
/* The fd to poll for input, -1 when there is none (or no more). */
int armz_chardev_in_fd(ArmzChardev *c);
/* Reads input: > 0 bytes, 0 when nothing is there now, -1 when input has
 * ended (EOF or error; armz_chardev_in_fd is -1 from then on). */
ssize_t armz_chardev_read(ArmzChardev *c, void *buf, size_t len);
