/* SPDX-License-Identifier: Apache-2.0 */
/* harrier fields: every field a rule condition or output can use. */
#include "config.h"

#include <stdio.h>

#include "cli/cli.h"
#include "engine/engine.h"

static int run(const struct cli_command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	size_t i, n = engine_field_count();
	int c;

	while ((c = cli_getopt(cmd, argc, argv, "h", opts)) != -1)
		return c == 'h' ? CLI_EXIT_OK : CLI_EXIT_BAD_INPUT;
	if (cli_no_more_args(cmd, argc, argv))
		return CLI_EXIT_BAD_INPUT;
	for (i = 0; i < n; i++) {
		const struct engine_field_info *f = engine_field_get(i);

		(void)printf("%-24s %-8s %s\n", f->name, f->type, f->desc);
	}
	return CLI_EXIT_OK;
}

const struct cli_command cli_cmd_fields = {
	.name = "fields",
	.synopsis = "",
	.summary = "list the fields rules can use",
	.help = "",
	.run = run,
};
