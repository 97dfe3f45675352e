/* SPDX-License-Identifier: Apache-2.0 */
/* harrier fields: every field a rule condition or output can use. */
#include "config.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/engine.h"

#define NAME_W 24
#define TYPE_W 8

static int print_json(void)
{
	struct json_object *arr = json_object_new_array(), *o;
	size_t i, n = engine_field_count();

	if (!arr)
		return CLI_EXIT_RUNTIME;
	for (i = 0; i < n; i++) {
		const struct engine_field_info *f = engine_field_get(i);

		o = json_object_new_object();
		if (!o || json_object_array_add(arr, o) < 0) {
			json_object_put(o);
			json_object_put(arr);
			return CLI_EXIT_RUNTIME;
		}
		json_object_object_add(o, "name",
				       json_object_new_string(f->name));
		json_object_object_add(o, "type",
				       json_object_new_string(f->type));
		json_object_object_add(o, "desc",
				       json_object_new_string(f->desc));
		/* null when Harrier gives it; else why a rule needing it is
		 * skipped */
		json_object_object_add(
			o, "unavailable",
			f->unavailable ? json_object_new_string(f->unavailable)
				       : NULL);
	}
	return cli_print_json(arr) < 0 ? CLI_EXIT_RUNTIME : CLI_EXIT_OK;
}

static int run(const struct cli_command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	size_t i, n = engine_field_count();
	bool json = false;
	int c;

	while ((c = cli_getopt(cmd, argc, argv, "jh", opts)) != -1) {
		if (c == 'j')
			json = true;
		else
			return c == 'h' ? CLI_EXIT_OK : CLI_EXIT_BAD_INPUT;
	}
	if (cli_no_more_args(cmd, argc, argv))
		return CLI_EXIT_BAD_INPUT;
	if (json)
		return print_json();
	for (i = 0; i < n; i++) {
		const struct engine_field_info *f = engine_field_get(i);
		char text[512];
		int col;

		/* a name longer than its column gets a line of its own; a
		 * longer type pushes the description right */
		if (strlen(f->name) > NAME_W)
			(void)printf("%s\n", f->name);
		col = printf("%-*s %-*s ",
			     NAME_W, strlen(f->name) > NAME_W ? "" : f->name,
			     TYPE_W, f->type);
		if (f->unavailable)
			(void)snprintf(text, sizeof(text), "%s [not given: %s]",
				       f->desc, f->unavailable);
		cli_wrap(stdout, f->unavailable ? text : f->desc,
			 col > 0 ? (size_t)col : 0, NAME_W + TYPE_W + 2,
			 CLI_WIDTH);
	}
	return CLI_EXIT_OK;
}

const struct cli_command cli_cmd_fields = {
	.name = "fields",
	.synopsis = "[--json]",
	.summary = "list the fields rules can use",
	.help = "  --json   one JSON array of {name, type, desc, unavailable}\n"
		"Fields marked [not given] are Falco's fields audit data (or\n"
		"Harrier, so far) cannot give: a rule needing one is skipped.\n",
	.run = run,
};
