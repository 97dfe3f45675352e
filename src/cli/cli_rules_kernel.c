/* SPDX-License-Identifier: Apache-2.0 */
/*
 * harrier rules kernel: the kernel audit rules the loaded detection rules
 * need on this host, pushed down, in auditctl syntax for review, with
 * what was not pushed down and why. Never touches the kernel.
 */
#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "cli/cli.h"
#include "common/log.h"
#include "engine/engine.h"
#include "kaudit/kaudit.h"

static int run_kernel(const struct cli_command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rules", required_argument, NULL, 'r' },
		{ "no-pushdown", no_argument, NULL, 'P' },
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	const char *rules[CLI_MAX_RULE_FILES];
	struct engine *e = NULL;
	bool pushdown = true;
	size_t nrules = 0;
	int c, rc;

	while ((c = cli_getopt(cmd, argc, argv, "r:h", opts)) != -1) {
		switch (c) {
		case 'r':
			if (cli_add_rules_file(cmd, rules, &nrules, optarg))
				return CLI_EXIT_BAD_INPUT;
			break;
		case 'P':
			pushdown = false;
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
	rc = kaudit_print_rules(e, pushdown, stdout);
	engine_free(e);
	if (rc < 0) {
		log_error("out of memory");
		return CLI_EXIT_RUNTIME;
	}
	return CLI_EXIT_OK;
}

const struct cli_command cli_cmd_rules_kernel = {
	.name = "rules kernel",
	.synopsis = "[-r RULES]... [--no-pushdown]",
	.summary = "the kernel audit rules the rules need (auditctl syntax)",
	.help = "  -r, --rules F    rules file (repeatable; default: the "
		"installed rules)\n"
		"  --no-pushdown    as audit.pushdown: false (each syscall "
		"unfiltered,\n"
		"                   but for -F success=1)\n"
		"Comments say which rule kept a syscall unfiltered and why, "
		"and what a\npath missing on this host falls back to.\n",
	.run = run_kernel,
};
