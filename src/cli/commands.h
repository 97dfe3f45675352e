/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every harrier command, in the order `harrier --help` lists them: one
 * CLI_COMMAND(id) line each, for the struct cli_command cli_cmd_<id> its
 * module defines (name, synopsis, help, run). Adding a command or a
 * subcommand ("rules kernel": id rules_kernel) is one line here plus its
 * module; the dispatcher finds "harrier rules kernel" by the name.
 * No include guard: cli.h and harrier.c include it with their own
 * definition of CLI_COMMAND.
 */
CLI_COMMAND(replay)
CLI_COMMAND(alerts)
CLI_COMMAND(timeline)
CLI_COMMAND(report)
CLI_COMMAND(rules_validate)
CLI_COMMAND(rules_list)
CLI_COMMAND(rules_kernel)
CLI_COMMAND(fields)
CLI_COMMAND(status)
