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
#include <stdint.h>
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
/* A -r FILE option: file appended to files[*n] (CLI_MAX_RULE_FILES at
 * most). 0, or CLI_EXIT_BAD_INPUT with the usage error said. */
int cli_add_rules_file(const struct cli_command *cmd, const char **files,
		       size_t *n, const char *file);
/* The command's usage and help. */
void cli_print_help(const struct cli_command *cmd, FILE *out);
/* Unsigned decimal in [min, max] from an option's value, or an error
 * message naming the option. 0 or -EINVAL. */
int cli_parse_uint(const struct cli_command *cmd, const char *opt,
		   const char *s, unsigned long min, unsigned long max,
		   unsigned long *ret);

/* Print text escaped and word-wrapped to width columns (a column a
 * character): the cursor is at column col; continuation lines start at
 * column indent. Ends with a newline. A word longer than a line is
 * printed whole. */
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

/* Output helpers for untrusted text (escaped for a terminal). */
struct strbuf;
/* s escaped (control bytes as \xNN). */
void cli_escaped(struct strbuf *sb, const char *s);
/* The columns of escaped text s[0..n) (valid UTF-8: a column a code
 * point). */
size_t cli_text_cols(const char *s, size_t n);
/* s escaped, cut or padded to exactly width columns (a column a
 * character; a cut never splits one). */
void cli_pad(struct strbuf *sb, const char *s, size_t width);
/* s escaped, cut to at most width columns (ending in ~ when cut). */
void cli_cut(struct strbuf *sb, const char *s, size_t width);
/* One CSV field (RFC 4180 quoting, control bytes escaped; NULL empty)
 * and, if comma, the comma after it. */
void cli_csv_field(struct strbuf *sb, const char *s, bool comma);
/* "2026-11-28 17:23:30.123" (UTC, milliseconds) of time_ns. */
void cli_time_ms(uint64_t time_ns, char *buf, size_t len);

/* The alert filters `harrier alerts` and `harrier report` share. */
#define CLI_ALERT_FILTER_OPTIONS                                    \
	{ "since", required_argument, NULL, 's' },                  \
	{ "until", required_argument, NULL, 'u' },                  \
	{ "rule", required_argument, NULL, 'r' },                   \
	{ "container", required_argument, NULL, 'c' },              \
	{ "priority", required_argument, NULL, 'p' },               \
	{ "pid", required_argument, NULL, 'P' },                    \
	{ "file", required_argument, NULL, 'f' },                   \
	{ "exe", required_argument, NULL, 'e' },                    \
	{ "pod", required_argument, NULL, 'o' },                    \
	{ "namespace", required_argument, NULL, 'n' },              \
	{ "host", required_argument, NULL, 'H' },                   \
	{ "tag", required_argument, NULL, 't' }
#define CLI_ALERT_FILTER_SYNOPSIS                                   \
	"[--since T] [--until T] [--rule R] [--container C] "       \
	"[--priority P] [--pid N] [--file GLOB] [--exe PATH] "      \
	"[--pod P] [--namespace NS] [--host H] [--tag T]"
#define CLI_ALERT_FILTER_HELP                                                  \
	"  --since T, --until T  from / up to T: 2026-11-28T17:00 (UTC "        \
	"unless an offset\n"                                                    \
	"                     is given), an age (30s, 10m, 2h, 1d, 1w), "       \
	"today,\n"                                                              \
	"                     yesterday, now, or epoch seconds\n"              \
	"  --rule R           rule name, or a glob with *\n"                   \
	"  --container C      container id prefix, name, or host\n"           \
	"  --priority P       this priority and more severe (warning: "        \
	"Warning and up)\n"                                                     \
	"  --pid N            process id\n"                                    \
	"  --file GLOB        file path, or a glob (* ? [...])\n"              \
	"  --exe PATH         executable path, or a glob\n"                    \
	"  --pod P, --namespace NS   Kubernetes pod name, namespace\n"        \
	"  --host H           node (hostname)\n"                               \
	"  --tag T            rule tag (mitre_credential_access, T1555, ...)\n"
struct store_query;
/* If c is one of the filter options: set it in q from arg and return 1
 * (or -EINVAL after saying what is wrong); 0 for other options. */
int cli_alert_filter_option(const struct cli_command *cmd, int c,
			    const char *arg, struct store_query *q);

/* Say what a store read failed with (r and err from store_query.h; err
 * is freed) and return the exit code: bad input for -EINVAL, else a
 * runtime failure. */
int cli_store_error(const char *db, int r, char *err);

/* o as one line of plain JSON on stdout (no escaped slashes), then
 * json_object_put(o). 0, or -ENOMEM (o NULL or not serialisable). */
struct json_object;
int cli_print_json(struct json_object *o);

/* Load rules files (nfiles 0: the installed ones) into a compiled
 * engine; problems go to stderr. Returns an exit code. */
struct engine;
int cli_load_engine(const char *const *files, size_t nfiles,
		    struct engine **ret);

#endif
