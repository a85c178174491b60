/* The GError domain of armz (see cli.h). */
#include "cli.h"

G_DEFINE_QUARK(armz-cli-error-quark, armz_cli_error)
