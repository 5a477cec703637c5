/* SPDX-License-Identifier: MIT
**
** console.h -- the built-in web console (console.c): its static files,
** compiled into the binary (console_assets.gen.c, generated from
** emulator/console/ by emulator/tools/embed_console.py), and the entry point
** that admin.c calls for every /_ddbd/ request.
*/
#ifndef DDB_CONSOLE_H
#define DDB_CONSOLE_H

#include "emulator.h"

#include <stddef.h>

/* One file of emulator/console/, as served at /_ddbd/console/<name>. */
typedef struct ddb_console_asset {
    const char *name;         /* "console.js" */
    const char *type;         /* Content-Type */
    const char *data;         /* the file's bytes (static) */
    size_t len;
} ddb_console_asset;

/* console_assets.gen.c */
extern const ddb_console_asset ddb_console_assets[];
extern const size_t ddb_console_n_assets;

/* Answer 'path' when it is the console's (the page, its files, its JSON
** endpoints): returns the HTTP status and sets *body (new, caller frees),
** *len and *ctype (static). Returns 0, touching nothing, for any other path
** and for every path when the server runs with --no-console. */
int ddb_console_handle(ddb_req *req, const char *method, const char *path, const char *query,
                       char **body, size_t *len, const char **ctype);

#endif
