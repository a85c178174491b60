/* Definitions kept as files, one NAME.xml per object in a directory: the
 * file-level part shared by the domain, network and storage pool stores
 * (each keeps its own parsing and formatting). Writes are atomic; a file
 * that does not parse is skipped with a message and left as it is. */
#pragma once
#include <glib.h>
#include "util/paths.h"

/* Where one kind of definitions lives: CONFIG/SUB (persistent ones),
 * CONFIG/SUB/autostart (links to those that start with the daemon) and
 * STATE/SUB (the live ones). */
typedef struct {
    char *config_dir;
    char *autostart_dir;
    char *state_dir;
} ArmzDefDirs;

void armz_defdirs_init(ArmzDefDirs *dirs, const ArmzPaths *paths, const char *sub);
void armz_defdirs_clear(ArmzDefDirs *dirs);

/* DIR/NAME.xml */
char *armz_defstore_path(const char *dir, const char *name);
/* Writes XML to DIR/NAME.xml atomically, readable by root only; nothing
 * when the file already holds exactly XML. */
gboolean armz_defstore_save(const char *dir, const char *name, const char *xml,
                            GError **error);
/* Removes DIR/NAME.xml if it is there; a failure is only logged ("cannot
 * remove WHAT ..."). */
void armz_defstore_remove(const char *dir, const char *name, const char *what);
/* Removes the config CONFIG_DIR/NAME.xml and its autostart link. */
gboolean armz_defstore_delete(const char *config_dir, const char *autostart_dir,
                              const char *name, GError **error);
/* Creates or removes AUTOSTART_DIR/NAME.xml, a link to CONFIG_DIR/NAME.xml. */
gboolean armz_defstore_set_autostart(const char *config_dir, const char *autostart_dir,
                                     const char *name, gboolean autostart, GError **error);
gboolean armz_defstore_is_autostart(const char *autostart_dir, const char *name);

/* How definitions of one kind are read. */
typedef struct {
    /* Log lines: "no NONE: why" (debug) when the directory cannot be read;
     * "skipping WHAT 'PATH': why (the file is left as it is)"; "skipping
     * MISNAMED 'PATH': it defines OBJECT 'NAME'; the file name must be the
     * OBJECT name" (MISNAMED NULL: WHAT). */
    const char *none;
    const char *what;
    const char *misnamed;
    const char *object;
    /* Makes a definition of the text of a file, setting *NAME to its name
     * (borrowed from it); NULL with ERROR when the text is not one. */
    gpointer (*parse)(const char *xml, const char **name, gpointer opaque, GError **error);
    GDestroyNotify free;
    /* Takes every good definition. */
    void (*loaded)(gpointer def, gpointer opaque);
} ArmzDefLoader;

/* Hands every DIR/NAME.xml that parses and defines NAME to LOADED, after
 * removing the temporary files an interrupted save left in DIR (called once,
 * at start, before anything writes there). */
void armz_defstore_load(const char *dir, const ArmzDefLoader *loader, gpointer opaque);
