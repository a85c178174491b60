/* Every open of a volume goes through here, so that nothing planted in a
 * pool's directory in a volume's place (a symbolic link to /etc/shadow, a
 * FIFO, a device node) is ever read or written by the daemon or by the
 * tools it runs. */
#pragma once
#include <glib.h>
#include "storage/storage_conf.h"

/* Opens PATH, a volume, with FLAGS (O_RDONLY, O_WRONLY or O_RDWR, and
 * O_CREAT | O_EXCL with MODE to make one). Without DEVICE, PATH's last
 * component is opened relative to its directory's fd, never through a
 * symbolic link, and must be a regular file. With DEVICE (a logical
 * volume: PATH is udev's link to its node) the link is followed and what
 * is opened must be a block device. Returns a blocking, close-on-exec fd,
 * or -1 with ERROR. */
int armz_sto_open(const char *path, int flags, int mode, gboolean device, GError **error);

/* armz_sto_open of VOL's path, a block device when VOL is one. */
int armz_vol_open(const ArmzVolDef *vol, int flags, GError **error);

/* How a tool run with FD passed down (armz_sto_run_fds) names the volume
 * open there, so that it opens that file and not what its path may lead
 * to by then. */
char *armz_sto_fd_path(int fd);
