/* SPDX-License-Identifier: MIT */
/* The command line: one function per command, registered in main.c. */
#ifndef GX_CLI_H
#define GX_CLI_H

#include <stdbool.h>
#include "store/store.h"

#define GUANXI_VERSION "0.1.0"

/* Options: "--name VALUE", "--name=VALUE" or a flag "--name". */
struct opt {
	const char *name;	/* without the dashes */
	const char **value;	/* NULL for a flag */
	bool *flag;
};

/* Parse argv into opts and positional arguments (at most max_pos).
 * Prints one clear line and returns -1 on a bad option. */
int cli_parse(int argc, char **argv, const struct opt *opts, const char **pos,
	      int max_pos, int *npos);
/* --data, else $GUANXI_DATA, else ./data */
const char *cli_data_dir(const char *given);
/* Open the data folder (not creating it); prints the error. */
enum cli_mode { CLI_DEFAULT, CLI_CREATE, CLI_SYNC_NORMAL, CLI_BULK };
struct store *cli_open(const char *dir, enum cli_mode mode);
void cli_close(struct store *s);
/* `serve` marks the folder it serves for as long as the returned file
 * stays open (-1 if it could not); cli_server_running tells whether a
 * server holds such a mark now. */
int cli_serving_mark(const char *dir);
bool cli_server_running(const char *dir);
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int cmd_init(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_import(int argc, char **argv);
/* A progress bar on stderr ("\r[####....]  45%  450 / 1000 what"); total
 * <= 0 shows the count alone. Callers draw it only on a terminal. */
void cli_progress(const char *what, long done, long total);
void cli_progress_end(void);	/* a new line, on a terminal */
int cmd_team(int argc, char **argv);
int cmd_retention(int argc, char **argv);
/* The id of the live team named name, 0 if none. */
int64_t cli_team_id(struct store *s, const char *name);

#endif
