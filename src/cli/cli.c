/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What every harrier command shares: option errors that name the option,
 * per-command help, colour decisions, loading rules. Messages go to
 * stderr; a command's output alone goes to stdout.
 */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/diag.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "pipeline/pipeline.h"

const char *const cli_default_db = HARRIER_LOCALSTATEDIR "/alerts.db";

/* The synopsis wrapped at 80 columns, at spaces outside [] and (), with
 * continuation lines under its first word. */
static void print_synopsis(const char *name, const char *syn, FILE *out)
{
	size_t indent = strlen("usage: harrier ") + strlen(name) + 1;
	size_t col = indent, n;
	int depth;

	(void)fprintf(out, "usage: harrier %s", name);
	while (syn && *syn) {
		while (*syn == ' ')
			syn++;
		/* one unit: up to a space at bracket depth 0 */
		for (n = 0, depth = 0; syn[n] && (syn[n] != ' ' || depth > 0);
		     n++) {
			if (syn[n] == '[' || syn[n] == '(')
				depth++;
			else if ((syn[n] == ']' || syn[n] == ')') && depth > 0)
				depth--;
		}
		if (!n)
			break;
		if (col > indent && col + 1 + n > 80) {
			(void)fprintf(out, "\n%*s", (int)indent - 1, "");
			col = indent - 1;
		}
		(void)fprintf(out, " %.*s", (int)n, syn);
		col += 1 + n;
		syn += n;
	}
	(void)fputc('\n', out);
}

void cli_print_help(const struct cli_command *cmd, FILE *out)
{
	print_synopsis(cmd->name, cmd->synopsis, out);
	(void)fprintf(out, "\n%c%s.\n", cmd->summary[0] >= 'a' &&
					   cmd->summary[0] <= 'z' ?
				   cmd->summary[0] - 'a' + 'A' :
				   cmd->summary[0], cmd->summary + 1);
	if (cmd->help && *cmd->help)
		(void)fprintf(out, "\n%s", cmd->help);
}

/* "harrier NAME: message": the message may quote what the user typed,
 * so it is escaped for the terminal. */
static void vsay(const struct cli_command *cmd, const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT;
	char msg[1024];

	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	strbuf_append_escaped(&sb, msg, strlen(msg));
	(void)fprintf(stderr, "harrier %s: %s\n", cmd->name,
		      strbuf_failed(&sb) ? "(out of memory)" : strbuf_str(&sb));
	strbuf_free(&sb);
}

int cli_bad_usage(const struct cli_command *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(cmd, fmt, ap);
	va_end(ap);
	(void)fprintf(stderr, "Try 'harrier %s --help'.\n", cmd->name);
	return CLI_EXIT_BAD_INPUT;
}

int cli_add_rules_file(const struct cli_command *cmd, const char **files,
		       size_t *n, const char *file)
{
	if (*n == CLI_MAX_RULE_FILES)
		return cli_bad_usage(cmd, "too many -r files (at most %d)",
				     CLI_MAX_RULE_FILES);
	files[(*n)++] = file;
	return 0;
}

int cli_getopt(const struct cli_command *cmd, int argc, char **argv,
	       const char *shortopts, const struct option *longopts)
{
	char opts[64];
	const char *bad;
	int c;

	/* ':' first: a missing value comes back as ':', not '?' */
	if (snprintf(opts, sizeof(opts), ":%s", shortopts) >=
	    (int)sizeof(opts))
		return '?';
	opterr = 0;
	c = getopt_long(argc, argv, opts, longopts, NULL);
	switch (c) {
	case 'h':
		cli_print_help(cmd, stdout);
		return 'h';
	case ':':
		bad = argv[optind - 1];
		(void)cli_bad_usage(cmd, "option '%s' needs a value", bad);
		return '?';
	case '?':
		/* optopt: the unknown short option; 0 for a long one, which
		 * is then the argument getopt has just passed */
		if (optopt)
			(void)cli_bad_usage(cmd, "unknown option '-%c'",
					    optopt);
		else
			(void)cli_bad_usage(cmd, "unknown option '%s'",
					    argv[optind - 1]);
		return '?';
	default:
		return c;
	}
}

int cli_no_more_args(const struct cli_command *cmd, int argc, char **argv)
{
	if (optind < argc)
		return cli_bad_usage(cmd, "unexpected argument '%s'",
				     argv[optind]);
	return 0;
}

int cli_parse_uint(const struct cli_command *cmd, const char *opt,
		   const char *s, unsigned long min, unsigned long max,
		   unsigned long *ret)
{
	uint64_t v;

	if (parse_u64(s, 10, &v) < 0 || v < min || v > max) {
		(void)cli_bad_usage(cmd, "%s '%s': expected a number from %lu "
				    "to %lu", opt, s, min, max);
		return -EINVAL;
	}
	*ret = (unsigned long)v;
	return 0;
}

/* Escaped text is valid UTF-8: a column a code point (a byte that does
 * not continue a sequence). The bytes of its first cols columns. */
static size_t text_bytes(const char *s, size_t n, size_t cols)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && cols-- == 0)
			break;
	return i;
}

size_t cli_text_cols(const char *s, size_t n)
{
	size_t i, cols = 0;

	for (i = 0; i < n; i++)
		cols += ((unsigned char)s[i] & 0xc0) != 0x80;
	return cols;
}

void cli_wrap(FILE *out, const char *text, size_t col, size_t indent,
	      size_t width)
{
	struct strbuf w = STRBUF_INIT;
	size_t n, cols;
	bool first = true;

	while (*text) {
		while (*text == ' ' || *text == '\n' || *text == '\t')
			text++;
		n = strcspn(text, " \n\t");
		if (!n)
			break;
		strbuf_reset(&w);
		strbuf_append_escaped(&w, text, n);
		cols = cli_text_cols(strbuf_str(&w), w.len);
		if (!first && col + 1 + cols > width) {
			(void)fprintf(out, "\n%*s", (int)indent, "");
			col = indent;
		} else if (!first) {
			(void)fputc(' ', out);
			col++;
		}
		(void)fputs(strbuf_str(&w), out);
		col += cols;
		text += n;
		first = false;
	}
	(void)fputc('\n', out);
	strbuf_free(&w);
}

void cli_escaped(struct strbuf *sb, const char *s)
{
	strbuf_append_escaped(sb, s, strlen(s));
}

/* s escaped, cut to width columns (its last one a ~) on a character's
 * boundary; with pad, padded to width. */
static void fit(struct strbuf *sb, const char *s, size_t width, bool pad)
{
	struct strbuf e = STRBUF_INIT;
	size_t cols;

	strbuf_append_escaped(&e, s, strlen(s));
	cols = cli_text_cols(strbuf_str(&e), e.len);
	if (cols > width && width > 1) {
		/* cut, and say so */
		strbuf_append(sb, strbuf_str(&e),
			      text_bytes(strbuf_str(&e), e.len, width - 1));
		strbuf_appendc(sb, '~');
	} else {
		strbuf_appends(sb, strbuf_str(&e));
		for (; pad && cols < width; cols++)
			strbuf_appendc(sb, ' ');
	}
	strbuf_free(&e);
}

void cli_pad(struct strbuf *sb, const char *s, size_t width)
{
	fit(sb, s, width, true);
}

void cli_cut(struct strbuf *sb, const char *s, size_t width)
{
	fit(sb, s, width, false);
}

int cli_store_error(const char *db, int r, char *err)
{
	if (r == -EINVAL)
		log_error("%s", err ? err : "invalid arguments");
	else
		log_error("%s: %s", db, err ? err : strerror(-r));
	free(err);
	return r == -EINVAL ? CLI_EXIT_BAD_INPUT : CLI_EXIT_RUNTIME;
}

void cli_csv_field(struct strbuf *sb, const char *s, bool comma)
{
	struct strbuf e = STRBUF_INIT;
	const char *p;

	if (s) {
		strbuf_append_escaped(&e, s, strlen(s));
		p = strbuf_str(&e);
		if (strpbrk(p, ",\"") || *p == ' ' || e.len == 0) {
			strbuf_appendc(sb, '"');
			for (; *p; p++) {
				if (*p == '"')
					strbuf_appendc(sb, '"');
				strbuf_appendc(sb, *p);
			}
			strbuf_appendc(sb, '"');
		} else {
			strbuf_appends(sb, p);
		}
		strbuf_free(&e);
	}
	if (comma)
		strbuf_appendc(sb, ',');
}

void cli_time_ms(uint64_t time_ns, char *buf, size_t len)
{
	char t[40];

	alert_format_time(time_ns, t, sizeof(t));
	/* 2026-11-28T17:23:30.123456789Z -> 2026-11-28 17:23:30.123 */
	t[10] = ' ';
	t[23] = '\0';
	(void)snprintf(buf, len, "%s", t);
}

int cli_print_json(struct json_object *o)
{
	const char *s;

	if (!o)
		return -ENOMEM;
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						      JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s)
		(void)printf("%s\n", s);
	json_object_put(o);
	return s ? 0 : -ENOMEM;
}

bool cli_use_colour(FILE *out)
{
	const char *term = getenv("TERM");
	const char *no = getenv("NO_COLOR");

	if (no && *no)
		return false;
	if (!term || !*term || strcmp(term, "dumb") == 0)
		return false;
	return isatty(fileno(out)) == 1;
}

const char *cli_priority_colour(enum alert_priority p, bool colour)
{
	if (!colour)
		return "";
	switch (p) {
	case ALERT_PRIO_EMERGENCY:
	case ALERT_PRIO_ALERT:
	case ALERT_PRIO_CRITICAL:
		return "\033[1;31m"; /* bold red */
	case ALERT_PRIO_ERROR:
		return "\033[31m"; /* red */
	case ALERT_PRIO_WARNING:
		return "\033[33m"; /* yellow */
	case ALERT_PRIO_NOTICE:
		return "\033[36m"; /* cyan */
	default:
		return "\033[2m"; /* dim */
	}
}

int cli_load_engine(const char *const *files, size_t nfiles,
		    struct engine **ret)
{
	struct diag d;
	int r;

	diag_init(&d);
	r = pipeline_engine_new(files, nfiles, HARRIER_SYSCONFDIR,
				ALERT_PRIO_DEBUG, false, &d, ret);
	diag_print(&d, stderr);
	diag_free(&d);
	if (r == -ENOMEM)
		log_error("out of memory");
	return r == 0 ? CLI_EXIT_OK :
	       r == -ENOMEM ? CLI_EXIT_RUNTIME : CLI_EXIT_BAD_INPUT;
}
