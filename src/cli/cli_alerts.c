/* SPDX-License-Identifier: Apache-2.0 */
/*
 * harrier alerts: the store's alerts through filters (store_query.h),
 * printed as Falco's lines or its JSON.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/log.h"
#include "sink/sink.h"
#include "sink/store_query.h"

static int print_alert(const struct alert *a, void *ud)
{
	return sink_emit(ud, a);
}

static int run(const struct cli_command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "since", required_argument, NULL, 's' },
		{ "rule", required_argument, NULL, 'r' },
		{ "container", required_argument, NULL, 'c' },
		{ "priority", required_argument, NULL, 'p' },
		{ "limit", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	struct store_query q = { .limit = 0 };
	const char *db = cli_default_db;
	bool json = false;
	struct sink *out;
	char *err = NULL;
	unsigned long v;
	int c, r;

	while ((c = cli_getopt(cmd, argc, argv, "d:s:r:c:p:l:jh", opts)) !=
	       -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 's':
			q.since = optarg;
			break;
		case 'r':
			q.rule = optarg;
			break;
		case 'c':
			q.container = optarg;
			break;
		case 'p':
			q.priority = optarg;
			break;
		case 'l':
			if (cli_parse_uint(cmd, "--limit", optarg, 1,
					   100000000UL, &v) < 0)
				return CLI_EXIT_BAD_INPUT;
			q.limit = (unsigned int)v;
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
	out = sink_stdout_new(stdout, json);
	if (!out)
		return CLI_EXIT_RUNTIME;
	r = store_query_alerts(db, &q, print_alert, out, &err);
	sink_free(out);
	if (r < 0) {
		log_error("%s: %s", db, err ? err : strerror(-r));
		free(err);
		return r == -EINVAL ? CLI_EXIT_BAD_INPUT : CLI_EXIT_RUNTIME;
	}
	return CLI_EXIT_OK;
}

const struct cli_command cli_cmd_alerts = {
	.name = "alerts",
	.synopsis = "[--db PATH] [--since T] [--rule R] [--container C] "
		    "[--priority P] [--limit N] [--json]",
	.summary = "query the alert store",
	.help = "  --db PATH        the store (default: the daemon's)\n"
		"  --since T        from T: 2026-11-28T17:00 (UTC unless an "
		"offset is given)\n"
		"                   or an age: 30s, 10m, 2h, 1d\n"
		"  --rule R         rule name, or a glob with *\n"
		"  --container C    container id prefix or name\n"
		"  --priority P     this priority and more severe\n"
		"  --limit N        the N most recent matches\n"
		"  --json           Falco's JSON, one alert per line\n",
	.run = run,
};
