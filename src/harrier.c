/* SPDX-License-Identifier: Apache-2.0 */
/*
 * harrier: the command-line tool. Finds the command named by the first
 * words of the arguments in the table (src/cli/commands.h) and runs it;
 * each command (src/cli/cli_*.c) parses its own options and wires the
 * stages it needs. Exit codes: 0 success, 1 bad input, 2 runtime failure.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "common/log.h"
#include "pipeline/pipeline.h"

#define CLI_COMMAND(id) &cli_cmd_##id,
static const struct cli_command *const commands[] = {
#include "cli/commands.h"
};
#undef CLI_COMMAND

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	size_t i;

	(void)fprintf(out, "usage: harrier COMMAND [OPTIONS]\n\ncommands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		(void)fprintf(out, "  %-16s %s\n", commands[i]->name,
			      commands[i]->summary);
	(void)fprintf(out,
		      "\n'harrier COMMAND --help' describes a command's "
		      "options;\n'harrier --version' gives the versions.\n"
		      "RULES default to %s/harrier_rules.yaml, "
		      "harrier_rules.local.yaml\nand rules.d/*.yaml; the "
		      "store defaults to %s.\n",
		      HARRIER_SYSCONFDIR, cli_default_db);
}

/* How many words of name match args (0: not this command). */
static int match_words(const char *name, int argc, char **argv)
{
	size_t n;
	int k = 0;

	while (*name) {
		if (k >= argc)
			return 0;
		n = strcspn(name, " ");
		if (strlen(argv[k]) != n || strncmp(name, argv[k], n) != 0)
			return 0;
		k++;
		name += n;
		if (*name == ' ')
			name++;
	}
	return k;
}

/* Is word a group of subcommands ("rules")? */
static bool is_group(const char *word)
{
	size_t i, n = strlen(word);

	for (i = 0; i < NCOMMANDS; i++)
		if (strncmp(commands[i]->name, word, n) == 0 &&
		    commands[i]->name[n] == ' ')
			return true;
	return false;
}

/* "kernel, list or validate": the subcommands of a group. */
static void group_list(const char *word, FILE *out, bool lines)
{
	size_t i, n = strlen(word), count = 0, seen = 0;

	for (i = 0; i < NCOMMANDS; i++)
		if (strncmp(commands[i]->name, word, n) == 0 &&
		    commands[i]->name[n] == ' ')
			count++;
	for (i = 0; i < NCOMMANDS; i++) {
		const struct cli_command *c = commands[i];

		if (strncmp(c->name, word, n) != 0 || c->name[n] != ' ')
			continue;
		seen++;
		if (lines)
			(void)fprintf(out, "  harrier %s %s\n        %s\n",
				      c->name, c->synopsis, c->summary);
		else
			(void)fprintf(out, "%s%s", c->name + n + 1,
				      seen == count ? "" :
				      seen + 1 == count ? " or " : ", ");
	}
}

static int group_error(const char *group, const char *what, const char *word)
{
	(void)fprintf(stderr, "harrier %s: ", group);
	if (word)
		(void)fprintf(stderr, "%s '%s' (expected ", what, word);
	else
		(void)fprintf(stderr, "%s (expected ", what);
	group_list(group, stderr, false);
	(void)fprintf(stderr, ")\nTry 'harrier %s --help'.\n", group);
	return CLI_EXIT_BAD_INPUT;
}

/* The command named by the first words of args (the most words wins:
 * "rules list" before a command "rules"), with *ret_k words used. */
static const struct cli_command *find_command(int argc, char **argv,
					      int *ret_k)
{
	const struct cli_command *best = NULL;
	size_t i;
	int k, bestk = 0;

	for (i = 0; i < NCOMMANDS; i++) {
		k = match_words(commands[i]->name, argc, argv);
		if (k > bestk) {
			best = commands[i];
			bestk = k;
		}
	}
	*ret_k = bestk;
	return best;
}

/* Neither a command nor a group: say which word is wrong. */
static int unknown(int argc, char **argv)
{
	if (is_group(argv[0])) {
		if (argc == 1)
			return group_error(argv[0], "missing subcommand", NULL);
		if (strcmp(argv[1], "-h") == 0 ||
		    strcmp(argv[1], "--help") == 0) {
			(void)printf("usage:\n");
			group_list(argv[0], stdout, true);
			return CLI_EXIT_OK;
		}
		return group_error(argv[0], "unknown subcommand", argv[1]);
	}
	(void)fprintf(stderr, "harrier: unknown command '%s'\n", argv[0]);
	usage(stderr);
	return CLI_EXIT_BAD_INPUT;
}

int main(int argc, char **argv)
{
	const struct cli_command *cmd;
	static char prog[64];
	int k;

	log_set_program("harrier");
	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_BAD_INPUT;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    (strcmp(argv[1], "help") == 0 && argc == 2)) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		pipeline_print_version(stdout, "harrier");
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0) {
		/* harrier help alerts: harrier alerts --help */
		cmd = find_command(argc - 2, argv + 2, &k);
		if (!cmd || k != argc - 2) {
			if (is_group(argv[2]) && argc == 3) {
				(void)printf("usage:\n");
				group_list(argv[2], stdout, true);
				return CLI_EXIT_OK;
			}
			return unknown(argc - 2, argv + 2);
		}
		cli_print_help(cmd, stdout);
		return CLI_EXIT_OK;
	}
	cmd = find_command(argc - 1, argv + 1, &k);
	if (!cmd)
		return unknown(argc - 1, argv + 1);
	/* its messages name the command, as its usage errors do */
	(void)snprintf(prog, sizeof(prog), "harrier %s", cmd->name);
	log_set_program(prog);
	optind = 1;
	return cmd->run(cmd, argc - k, argv + k);
}
