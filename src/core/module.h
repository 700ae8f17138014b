/* module: the heavy parts of ikiiki, loaded only by the commands that need them. `ikiiki --version`
 * or `harass judge` must not pay for cairo, pango, libpq, the audio stack or MeCab: as shared
 * objects those cost tens of milliseconds of loading and relocation before main runs. The
 * installed program finds its modules beside the executable (the build tree) or in
 * IKIIKI_MODULEDIR (the install path, libdir/ikiiki); the test, fuzz and bench programs link
 * every part statically and look the same names up in a table (module_static.c).
 *
 * Modules and what they hold:
 *   pg      the PostgreSQL store backend (libpq), for postgresql:// URLs
 *   xlsx    the XLSX reader (libzip, expat), for Microsoft Forms imports
 *   mecab   the MeCab library itself, for commands that tag Japanese text
 *   media   audio analysis, recording, voiceprints and `ikiiki media …`
 *   report  the PDF report and XLSX export (cairo, pango, libxlsxwriter) and their commands
 *   serve   the HTTP API, live media transports and webhooks, with media and report */
#ifndef IKIIKI_MODULE_H
#define IKIIKI_MODULE_H

#include <stddef.h>

/* The address of symbol in module, loading the module on first use (thread-safe; a module stays
 * loaded until exit). NULL when the module or the symbol is missing; err then holds one line
 * that names the module and the file it looked for. */
void *module_sym(const char *module, const char *symbol, char *err, size_t errlen);

#endif
