/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for the condition language, compiled AND evaluated:
 * the input is one condition (Falco syntax) compiled against a fixed set
 * of macros and lists; when it compiles it is evaluated on events of
 * every shape (a file open with a parent chain, an exec, a connect, a
 * non-syscall record, an empty event), so that the evaluator, the field
 * extractors and the transformers run on whatever the parser accepted.
 * Any crash, leak or UB is a finding. Must never print on its own.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/diag.h"
#include "common/event.h"
#include "common/lineage.h"
#include "engine/cond.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
	const char *name, *cond;
} macros[] = {
	{ "spawned", "evt.type in (execve, execveat)" },
	{ "opened", "evt.type in (open, openat) and fd.num >= 0" },
	{ "shells", "proc.name in (shell_binaries) or proc.pname in (shells_l)" },
	{ "loop_a", "proc.pid = 1 or loop_b" },
	{ "loop_b", "loop_a" },
	{ "deep", "not not (spawned or (opened and not shells))" },
};

static const char *const shell_binaries[] = { "bash", "sh", "'\"zsh\"'",
					      "shells_l" };
static const char *const shells_l[] = { "dash", "with space" };
static const char *const dirs[] = { "/etc", "/root/.ssh/", "/" };
static const char *const nums[] = { "22", "0x1bb", "-1" };

static const struct {
	const char *name;
	const char *const *items;
	size_t n;
} lists[] = {
	{ "shell_binaries", shell_binaries, 4 },
	{ "shells_l", shells_l, 2 },
	{ "dirs", dirs, 3 },
	{ "nums", nums, 3 },
	{ "empty", NULL, 0 },
};

static const struct cond_srcseg seg = { 0, "fuzz.yaml", 1, 1 };
static const struct cond_src src = { &seg, 1 };

static const char *env_macro(void *ud, const char *name,
			     const struct cond_src **ret_src)
{
	size_t i;

	(void)ud;
	for (i = 0; i < sizeof(macros) / sizeof(macros[0]); i++) {
		if (strcmp(macros[i].name, name) == 0) {
			*ret_src = &src;
			return macros[i].cond;
		}
	}
	return NULL;
}

static const char *const *env_list(void *ud, const char *name, size_t *ret_n)
{
	static const char *const none[] = { NULL };
	size_t i;

	(void)ud;
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		if (strcmp(lists[i].name, name) == 0) {
			*ret_n = lists[i].n;
			return lists[i].items ? lists[i].items : none;
		}
	}
	return NULL;
}

static int ancestor(void *ctx, pid_t pid, unsigned int n,
		    struct proc_view *ret)
{
	static const char *const names[] = { "cat", "bash", "sshd",
					     "systemd" };

	(void)ctx;
	if (n >= sizeof(names) / sizeof(names[0]) || pid <= 0)
		return -ENOENT;
	memset(ret, 0, sizeof(*ret));
	ret->pid = 100 - (pid_t)n;
	ret->ppid = 99 - (pid_t)n;
	ret->comm = names[n];
	ret->exe = "/usr/bin/x";
	ret->argv0 = names[n];
	ret->args = "-c 'echo aGVsbG8=' --long";
	ret->cmdline = "bash -c 'echo aGVsbG8=' --long";
	ret->cwd = "/root";
	return 0;
}

static void events(struct event ev[5])
{
	static const struct event_lineage lin = { ancestor, NULL };
	static const char *const argv[] = { "bash", "-c",
					    "Y2F0IC9ldGMvc2hhZG93", "" };
	/* designated: these structs grow as the enricher learns more */
	static const struct event_path paths[] = {
		{ .name = "/etc/shadow", .raw_name = "../etc/shadow",
		  .resolved = "/etc/shadow.real", .nametype = "NORMAL",
		  .inode = 42, .has_inode = true, .mode = 0100640,
		  .has_mode = true, .ogid = 42, .has_owner = true },
		{ .nametype = "PARENT" },
	};
	static const struct event_field fields[] = {
		{ .name = "op", .value = "PAM:session_open",
		  .raw_value = "PAM:session_open" },
		{ .name = "acct", .value = "root", .raw_value = "726F6F74" },
		{ .name = "res", .value = "success", .raw_value = "success" },
	};
	static const struct event_container ct = {
		.id = "0123456789abcdef0123456789abcdef",
		.runtime = "podman",
		.name = "web",
		.image = "docker.io/library/nginx:1.25",
		.pod_name = "pod",
		.pod_namespace = "ns",
		.pod_uid = "uid",
		.k8s_container_name = "c",
	};
	size_t i;

	memset(ev, 0, 5 * sizeof(*ev));
	for (i = 0; i < 4; i++) {
		ev[i].kind = EVENT_KIND_SYSCALL;
		ev[i].time_ns = 1700000000123456789ULL;
		ev[i].serial = 7 + i;
		ev[i].type_name = "SYSCALL";
		ev[i].arch_name = "x86_64";
		ev[i].machine = 1;
		ev[i].success = 1;
		ev[i].has_exit = true;
		ev[i].pid = 100;
		ev[i].ppid = 99;
		ev[i].auid = 1000;
		ev[i].ses = 3;
		ev[i].comm = "bash";
		ev[i].exe = "/usr/bin/bash";
		ev[i].cwd = "/tmp";
		ev[i].argv = argv;
		ev[i].argc = 3;
		ev[i].lineage = &lin;
	}
	ev[0].syscall_name = "openat";
	ev[0].syscall = 257;
	ev[0].exit = 3;
	ev[0].args[2] = 0101; /* O_WRONLY|O_CREAT */
	ev[0].paths = paths;
	ev[0].npaths = 2;
	ev[0].container = &ct;
	ev[1].syscall_name = "execve";
	ev[1].syscall = 59;
	ev[1].argv_from_execve = true;
	ev[1].argc = 4;
	ev[1].paths = paths;
	ev[1].npaths = 1;
	ev[2].syscall_name = "connect";
	ev[2].syscall = 42;
	ev[2].success = 0;
	ev[2].exit = -111;
	ev[2].sockaddr.family = EVENT_SOCK_INET;
	ev[2].sockaddr.raw_family = 2;
	memcpy(ev[2].sockaddr.addr, "10.1.2.3", 9);
	ev[2].sockaddr.port = 443;
	ev[3].syscall_name = "dup2";
	ev[3].syscall = 33;
	ev[3].exit = 0;
	ev[3].argc = 0;
	ev[4].kind = EVENT_KIND_OTHER;
	ev[4].type_name = "USER_START";
	ev[4].fields = fields;
	ev[4].nfields = 3;
	ev[4].auid = EVENT_ID_UNSET;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct cond_env env = { env_macro, env_list, NULL, NULL };
	struct cond_unsupported un;
	struct event ev[5], empty;
	struct cond *c;
	struct diag d;
	char *text;
	size_t i;

	if (size > 65536)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	diag_init(&d);
	c = cond_compile(text, &src, &env, &d, &un);
	if (c) {
		events(ev);
		memset(&empty, 0, sizeof(empty));
		for (i = 0; i < 5; i++)
			(void)cond_eval(c, &ev[i]);
		(void)cond_eval(c, &empty);
		(void)cond_implies_success(c, "openat");
	}
	cond_free(c);
	diag_free(&d);
	free(text);
	return 0;
}
