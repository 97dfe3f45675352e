/* SPDX-License-Identifier: Apache-2.0 */
/*
 * harrier rules validate / rules list: check rules files, show the loaded
 * rules (name, priority, description, tags, where defined), as text for
 * people or JSON for tools.
 */
#include "config.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "common/diag.h"
#include "common/strbuf.h"
#include "engine/engine.h"
#include "pipeline/pipeline.h"

static struct json_object *jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static struct json_object *diag_json(const struct diag *d,
				     enum diag_level level)
{
	struct json_object *arr = json_object_new_array(), *o;
	size_t i;

	for (i = 0; arr && i < d->n; i++) {
		const struct diag_item *it = &d->items[i];

		if (it->level != level)
			continue;
		o = json_object_new_object();
		if (!o)
			break;
		json_object_object_add(o, "file", jstr(it->file));
		json_object_object_add(o, "line",
				       json_object_new_int((int)it->line));
		json_object_object_add(o, "column",
				       json_object_new_int((int)it->col));
		json_object_object_add(o, "message", jstr(it->message));
		(void)json_object_array_add(arr, o);
	}
	return arr;
}

static int run_validate(const struct cli_command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "strict", no_argument, NULL, 's' },
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	struct json_object *doc, *files;
	struct engine *e;
	struct diag d;
	bool json = false, strict = false;
	int c, i, r;

	while ((c = cli_getopt(cmd, argc, argv, "jsh", opts)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 's')
			strict = true;
		else
			return c == 'h' ? CLI_EXIT_OK : CLI_EXIT_BAD_INPUT;
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return cli_bad_usage(cmd, "no file given");
	e = engine_new();
	if (!e)
		return CLI_EXIT_RUNTIME;
	engine_set_strict(e, strict);
	diag_init(&d);
	r = pipeline_load_rules(e, (const char *const *)argv, (size_t)argc,
				HARRIER_SYSCONFDIR, &d);
	if (json) {
		doc = json_object_new_object();
		files = json_object_new_array();
		for (i = 0; files && i < argc; i++)
			(void)json_object_array_add(files, jstr(argv[i]));
		json_object_object_add(doc, "ok",
				       json_object_new_boolean(r == 0));
		json_object_object_add(doc, "files", files);
		json_object_object_add(doc, "errors",
				       diag_json(&d, DIAG_ERROR));
		json_object_object_add(doc, "warnings",
				       diag_json(&d, DIAG_WARNING));
		(void)cli_print_json(doc);
	} else {
		diag_print(&d, stderr);
		if (r == 0)
			for (i = 0; i < argc; i++)
				(void)printf("%s: Ok\n", argv[i]);
		else
			(void)printf("Invalid: %zu error(s)\n", d.nerrors);
	}
	diag_free(&d);
	engine_free(e);
	return r == 0 ? CLI_EXIT_OK : CLI_EXIT_BAD_INPUT;
}

const struct cli_command cli_cmd_rules_validate = {
	.name = "rules validate",
	.synopsis = "[--json] [--strict] FILE...",
	.summary = "check rules files",
	.help = "  --json   {ok, files, errors, warnings}; each problem with "
		"file, line, column\n"
		"  --strict as rules_strict: true, a rule needing what audit "
		"data cannot\n"
		"           give is an error, not a warning (rule skipped)\n"
		"Every problem is reported as file:line:col; exit 1 if any "
		"file is invalid.\n",
	.run = run_validate,
};

struct types_ctx {
	struct json_object *arr; /* JSON */
	struct strbuf text;	 /* text: "open, openat, ..." */
};

static void add_type(const char *type, void *ud)
{
	struct types_ctx *t = ud;

	if (t->arr) {
		(void)json_object_array_add(t->arr, jstr(type));
		return;
	}
	if (t->text.len)
		strbuf_appends(&t->text, ", ");
	strbuf_appends(&t->text, type);
}

static struct json_object *rule_json(const struct engine_rule_info *in)
{
	struct json_object *o = json_object_new_object(), *tags;
	size_t i;

	if (!o)
		return NULL;
	tags = json_object_new_array();
	for (i = 0; tags && i < in->ntags; i++)
		(void)json_object_array_add(tags, jstr(in->tags[i]));
	json_object_object_add(o, "name", jstr(in->name));
	json_object_object_add(o, "priority",
			       jstr(alert_priority_name(in->priority)));
	json_object_object_add(o, "enabled",
			       json_object_new_boolean(in->enabled));
	json_object_object_add(o, "desc", jstr(in->desc));
	json_object_object_add(o, "tags", tags);
	json_object_object_add(o, "condition", jstr(in->condition));
	json_object_object_add(o, "file", jstr(in->file));
	json_object_object_add(o, "line", json_object_new_int((int)in->line));
	json_object_object_add(o, "skipped",
			       json_object_new_boolean(in->skipped));
	json_object_object_add(o, "skip_reason",
			       in->skip_reason ? jstr(in->skip_reason) : NULL);
	return o;
}

/* Name and priority on one line, then description, tags and where it
 * is defined, indented and wrapped to 80 columns. */
static void rule_text(const struct engine_rule_info *in, bool colour)
{
	struct strbuf sb = STRBUF_INIT;
	const char *prio = alert_priority_name(in->priority);
	struct strbuf name = STRBUF_INIT;
	size_t i, namew;

	cli_escaped(&name, in->name);
	namew = cli_text_cols(strbuf_str(&name), name.len);
	(void)printf("%s%s%s", colour ? CLI_COLOUR_BOLD : "",
		     strbuf_str(&name), colour ? CLI_COLOUR_RESET : "");
	strbuf_free(&name);
	(void)printf("%*s%s%s%s%s\n",
		     namew + 1 + strlen(prio) < 66 ?
			     (int)(66 - namew - strlen(prio)) : 1,
		     "", cli_priority_colour(in->priority, colour), prio,
		     colour ? CLI_COLOUR_RESET : "",
		     in->enabled ? (in->skipped ? " (skipped)" : "")
				 : " (disabled)");
	if (in->skipped) {
		/* compiled, never evaluated: say why */
		(void)printf("    skipped: ");
		cli_wrap(stdout, in->skip_reason, 13, 13, CLI_WIDTH);
	}
	if (in->desc && *in->desc) {
		(void)printf("    ");
		cli_wrap(stdout, in->desc, 4, 4, CLI_WIDTH);
	}
	if (in->ntags) {
		for (i = 0; i < in->ntags; i++) {
			if (i)
				strbuf_appendc(&sb, ' ');
			strbuf_appends(&sb, in->tags[i]);
		}
		(void)printf("    tags: ");
		cli_wrap(stdout, strbuf_str(&sb), 10, 10, CLI_WIDTH);
		strbuf_free(&sb);
	}
	(void)printf("    %s:%u\n", in->file ? in->file : "-", in->line);
}

static int run_list(const struct cli_command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rules", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	const char *rules[CLI_MAX_RULE_FILES];
	struct engine_rule_info info;
	struct types_ctx types = { NULL, STRBUF_INIT };
	struct json_object *doc = NULL, *arr = NULL;
	struct engine *e = NULL;
	size_t nrules = 0, i, n;
	bool json = false, any = false, colour;
	int c, rc;

	while ((c = cli_getopt(cmd, argc, argv, "r:jh", opts)) != -1) {
		switch (c) {
		case 'r':
			if (cli_add_rules_file(cmd, rules, &nrules, optarg))
				return CLI_EXIT_BAD_INPUT;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			return CLI_EXIT_OK;
		default:
			return CLI_EXIT_BAD_INPUT;
		}
	}
	if (cli_no_more_args(cmd, argc, argv))
		return CLI_EXIT_BAD_INPUT;
	rc = cli_load_engine(rules, nrules, &e);
	if (rc)
		return rc;
	colour = cli_use_colour(stdout);
	if (json) {
		doc = json_object_new_object();
		arr = json_object_new_array();
		types.arr = json_object_new_array();
		if (!doc || !arr || !types.arr) {
			json_object_put(doc);
			json_object_put(arr);
			json_object_put(types.arr);
			engine_free(e);
			return CLI_EXIT_RUNTIME;
		}
	}
	n = engine_rule_count(e);
	for (i = 0; i < n; i++) {
		if (engine_rule_get(e, i, &info) < 0)
			continue;
		if (json)
			(void)json_object_array_add(arr, rule_json(&info));
		else
			rule_text(&info, colour);
	}
	engine_event_types(e, add_type, &types, &any);
	if (json) {
		json_object_object_add(doc, "rules", arr);
		json_object_object_add(doc, "event_types", types.arr);
		json_object_object_add(doc, "any_event",
				       json_object_new_boolean(any));
		(void)cli_print_json(doc);
	} else {
		if (any)
			strbuf_appends(&types.text,
				       " (and every event: some rule has no "
				       "evt.type restriction)");
		(void)printf("\n%zu rules; event types needed:\n    ", n);
		cli_wrap(stdout, strbuf_str(&types.text), 4, 4, CLI_WIDTH);
		strbuf_free(&types.text);
	}
	engine_free(e);
	return CLI_EXIT_OK;
}

const struct cli_command cli_cmd_rules_list = {
	.name = "rules list",
	.synopsis = "[-r RULES]... [--json]",
	.summary = "list the loaded rules",
	.help = "  -r, --rules F  rules file (repeatable; default: the "
		"installed rules)\n"
		"  --json         {rules: [{name, priority, enabled, desc, "
		"tags, condition,\n"
		"                 file, line, skipped, skip_reason}], event_types,\n"
		"                 any_event}\n"
		"A rule needing what audit data cannot give is shown "
		"(skipped), with why.\n",
	.run = run_list,
};
