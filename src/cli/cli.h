/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The harrier CLI's commands and what they share: one struct per command
 * (name, synopsis, help, run), argument errors that name what was wrong,
 * colour only on a terminal. Each command lives in its own cli_*.c; the
 * list of commands is src/cli/commands.h. Commands print (they are the
 * program); the modules they call do not.
 */
#ifndef HARRIER_CLI_H
#define HARRIER_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/alert.h"

/* DESIGN's exit codes. */
#define CLI_EXIT_OK 0
#define CLI_EXIT_BAD_INPUT 1
#define CLI_EXIT_RUNTIME 2

/* -r files one command takes at most. */
#define CLI_MAX_RULE_FILES 64

struct cli_command {
	const char *name;     /* "alerts", "rules list" */
	const char *synopsis; /* what follows the name: "[--db PATH] ..." */
	const char *summary;  /* one line for `harrier --help` */
	const char *help;     /* the options, for `harrier NAME --help` */
	/* argv[0] is the command's last word; returns an exit code */
	int (*run)(const struct cli_command *cmd, int argc, char **argv);
};

/* Every command: src/cli/commands.h lists them. */
#define CLI_COMMAND(id) extern const struct cli_command cli_cmd_##id;
#include "cli/commands.h"
#undef CLI_COMMAND

/* The store `harrier` reads unless --db says otherwise. */
extern const char *const cli_default_db;

/* Put in every command's option list (and "h" in its short options). */
#define CLI_OPT_HELP { "help", no_argument, NULL, 'h' }

/* getopt_long for a command: returns the next option, -1 at the end,
 * 'h' after printing the command's help to stdout, or '?' after saying
 * on stderr which option was unknown or lacked its value. */
int cli_getopt(const struct cli_command *cmd, int argc, char **argv,
	       const char *shortopts, const struct option *longopts);
/* Error when arguments are left after the options: names the first. */
int cli_no_more_args(const struct cli_command *cmd, int argc, char **argv);
/* "harrier NAME: message" on stderr, and a hint to --help. Returns
 * CLI_EXIT_BAD_INPUT. */
int cli_bad_usage(const struct cli_command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The command's usage and help. */
void cli_print_help(const struct cli_command *cmd, FILE *out);
/* Unsigned decimal in [min, max] from an option's value, or an error
 * message naming the option. 0 or -EINVAL. */
int cli_parse_uint(const struct cli_command *cmd, const char *opt,
		   const char *s, unsigned long min, unsigned long max,
		   unsigned long *ret);

/* Print text word-wrapped to width columns: the cursor is at column
 * col; continuation lines start at column indent. Ends with a newline.
 * A word longer than a line is printed whole. */
void cli_wrap(FILE *out, const char *text, size_t col, size_t indent,
	      size_t width);
#define CLI_WIDTH 80

/* Colour: only when out is a terminal (never in a pipe or file), and
 * not when NO_COLOR is set or TERM is dumb. */
bool cli_use_colour(FILE *out);
/* The SGR sequence for a priority ("" without colour). */
const char *cli_priority_colour(enum alert_priority p, bool colour);
#define CLI_COLOUR_RESET "\033[0m"
#define CLI_COLOUR_BOLD "\033[1m"
#define CLI_COLOUR_DIM "\033[2m"

/* Load rules files (nfiles 0: the installed ones) into a compiled
 * engine; problems go to stderr. Returns an exit code. */
struct engine;
int cli_load_engine(const char *const *files, size_t nfiles,
		    struct engine **ret);

#endif
