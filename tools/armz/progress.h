/* A one-line progress bar on stderr ("label [#####.....]  42%  12.3/29.0 MiB"),
 * redrawn in place on a terminal, one line at the end otherwise. */
#pragma once
#include <glib.h>

typedef struct _ArmzProgress ArmzProgress;

ArmzProgress *armz_progress_new(const char *label, guint64 total);
void armz_progress_update(ArmzProgress *p, guint64 done);
/* Ends the line; frees P. */
void armz_progress_done(ArmzProgress *p, gboolean ok);
