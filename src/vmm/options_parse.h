/* The parsers behind armz-vmm's command line, private to options.c (the
 * table and the driver) and the options_*.c files that hold them.  OPT
 * names the option in messages; every error is a G_OPTION_ERROR (exit
 * status 2). */
#pragma once
#include <glib.h>
#include "options.h"

/* options_values.c: the value syntax the options share */
gboolean parse_uint(const char *opt, const char *s, guint64 min, guint64 max, guint64 *out,
                    GError **error);
/* "k1=v1,k2=v2" as a key, value, key, value ... array */
GPtrArray *split_keyvals(const char *opt, const char *s, GError **error);
gboolean parse_bool(const char *opt, const char *key, const char *v, gboolean *out,
                    GError **error);
/* Always FALSE: KEY is not one of KNOWN. */
gboolean unknown_key(const char *opt, const char *key, const char *known, GError **error);
gboolean parse_choice(const char *opt, const char *key, const char *v,
                      const char *const *names, int *out, GError **error);
gboolean parse_device_id(const char *opt, const char *val, char **id, GError **error);

/* options_chardev.c: --serial, --console, their logs, --channel */
gboolean parse_backend(const char *opt, const char *s, ArmzCharOpt *c, GError **error);
gboolean parse_log(const char *opt, const char *s, ArmzCharOpt *c, GError **error);
void char_opt_clear(ArmzCharOpt *c);
gboolean parse_channel(const char *s, ArmzChannelOpt *c, GError **error);

/* options_disk.c, options_scsi.c, options_vhost_user.c */
gboolean parse_disk(const char *s, ArmzDiskOpt *d, GError **error);
gboolean parse_scsi_all(ArmzOptions *o, char **disks, char **cdroms, GError **error);
gboolean parse_vhost_users(int argc, char **argv, GStrv blks, GStrv fss, ArmzOptions *o,
                           GError **error);

/* options_net.c */
gboolean parse_net(const char *s, ArmzNetOpt *n, GError **error);

/* options_balloon_vsock.c */
gboolean parse_balloon(const char *s, ArmzBalloonOpt *b, GError **error);
gboolean parse_vsock(const char *s, ArmzVsockOpt *v, GError **error);

/* options_firmware.c: --flash-code, --flash-vars, --smbios and what
 * firmware boot needs of the other options */
gboolean parse_firmware(ArmzOptions *o, const char *code, const char *vars, char **smbios,
                        GError **error);

/* options_pci.c */
gboolean pci_more_parse(ArmzOptions *o, const char *scsi_pci, const char *channel_pci,
                        GError **error);
gboolean armz_pci_options_parse(ArmzOptions *o, char **root_ports, const char *console_pci,
                                const char *rng_pci, GError **error);
