/* SPDX-License-Identifier: Apache-2.0 */
/* harrier rules validate / rules list: check rules files, show rules. */
#include "config.h"

#include <stdio.h>

#include "cli/cli.h"
#include "common/diag.h"
#include "engine/engine.h"
#include "pipeline/pipeline.h"

static int run_validate(const struct cli_command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	struct engine *e;
	struct diag d;
	int c, i, r;

	while ((c = cli_getopt(cmd, argc, argv, "h", opts)) != -1)
		return c == 'h' ? CLI_EXIT_OK : CLI_EXIT_BAD_INPUT;
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return cli_bad_usage(cmd, "no file given");
	e = engine_new();
	if (!e)
		return CLI_EXIT_RUNTIME;
	diag_init(&d);
	r = pipeline_load_rules(e, (const char *const *)argv, (size_t)argc,
				HARRIER_SYSCONFDIR, &d);
	diag_print(&d, stderr);
	if (r == 0)
		for (i = 0; i < argc; i++)
			(void)printf("%s: Ok\n", argv[i]);
	else
		(void)printf("Invalid: %zu error(s)\n", d.nerrors);
	diag_free(&d);
	engine_free(e);
	return r == 0 ? CLI_EXIT_OK : CLI_EXIT_BAD_INPUT;
}

const struct cli_command cli_cmd_rules_validate = {
	.name = "rules validate",
	.synopsis = "FILE...",
	.summary = "check rules files",
	.help = "  Every problem is reported as file:line:col; exit 1 if "
		"any file is invalid.\n",
	.run = run_validate,
};

static void print_type(const char *type, void *ud)
{
	bool *first = ud;

	(void)printf("%s%s", *first ? "" : ",", type);
	*first = false;
}

static int run_list(const struct cli_command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rules", required_argument, NULL, 'r' },
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	const char *rules[CLI_MAX_RULE_FILES];
	struct engine_rule_info info;
	struct engine *e = NULL;
	size_t nrules = 0, i, n;
	bool first = true, any = false;
	int c, rc;

	while ((c = cli_getopt(cmd, argc, argv, "r:h", opts)) != -1) {
		switch (c) {
		case 'r':
			if (nrules == CLI_MAX_RULE_FILES)
				return cli_bad_usage(cmd, "too many -r files "
						     "(at most %d)",
						     CLI_MAX_RULE_FILES);
			rules[nrules++] = optarg;
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
	n = engine_rule_count(e);
	(void)printf("%-50s %-13s %-8s %s\n", "RULE", "PRIORITY", "ENABLED",
		     "SOURCE");
	for (i = 0; i < n; i++) {
		if (engine_rule_get(e, i, &info) < 0)
			continue;
		(void)printf("%-50s %-13s %-8s %s:%u\n", info.name,
			     alert_priority_name(info.priority),
			     info.enabled ? "yes" : "no",
			     info.file ? info.file : "-", info.line);
	}
	(void)printf("\nevent types needed: ");
	engine_event_types(e, print_type, &first, &any);
	(void)printf("%s\n", any ? " (and every event: some rule has no "
				   "evt.type restriction)" :
				   "");
	engine_free(e);
	return CLI_EXIT_OK;
}

const struct cli_command cli_cmd_rules_list = {
	.name = "rules list",
	.synopsis = "[-r RULES]...",
	.summary = "list the loaded rules",
	.help = "  -r, --rules F  rules file (repeatable; default: the "
		"installed rules)\n",
	.run = run_list,
};
