/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the condition language, the field table and output
 * formats (src/engine/cond.h): every operator, precedence, lists, macros,
 * each compile error with its position, each field family on hand-built
 * events, lineage through a real process table over /proc.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/diag.h"
#include "common/lineage.h"
#include "common/resolver.h"
#include "common/strbuf.h"
#include "engine/cond.h"
#include "engine/engine.h"
#include "engine/fields.h"

/* ---- a rules environment: macros and lists ---- */

static const struct {
	const char *name, *cond;
} env_macros[] = {
	{ "is_shell", "proc.name in (shell_binaries)" },
	{ "open_shadow", "is_opening and fd.name = /etc/shadow" },
	{ "is_opening", "evt.type in (open, openat)" }, /* defined later */
	{ "cyc_a", "proc.pid = 1 or cyc_b" },
	{ "cyc_b", "cyc_a" },
	{ "bad_macro", "proc.nme = x" },
	{ "never", "proc.pid < 0" },
};

static const char *const shell_binaries[] = { "bash", "sh", "zsh" };
static const char *const more_shells[] = { "shell_binaries", "fish" };
static const char *const all_shells[] = { "more_shells", "dash" };
static const char *const ports[] = { "22", "443" };
static const char *const sensitive_dirs[] = { "/etc/", "/root/.ssh" };
static const char *const loop_list[] = { "loop_list", "x" };

static const struct {
	const char *name;
	const char *const *items;
	size_t n;
} env_lists[] = {
	{ "shell_binaries", shell_binaries, 3 },
	{ "more_shells", more_shells, 2 },
	{ "all_shells", all_shells, 2 },
	{ "ports", ports, 2 },
	{ "sensitive_dirs", sensitive_dirs, 2 },
	{ "loop_list", loop_list, 2 },
	{ "empty_list", NULL, 0 },
};

static const char *env_macro(void *ud, const char *name,
			     const struct cond_src **ret_src)
{
	static struct cond_srcseg segs[sizeof(env_macros) /
				       sizeof(env_macros[0])];
	static struct cond_src srcs[sizeof(env_macros) / sizeof(env_macros[0])];
	size_t i;

	for (i = 0; i < sizeof(env_macros) / sizeof(env_macros[0]); i++) {
		if (strcmp(env_macros[i].name, name) == 0) {
			segs[i].off = 0;
			segs[i].file = "macros.yaml";
			segs[i].line = (unsigned int)(10 + i);
			segs[i].col = 14;
			srcs[i].segs = &segs[i];
			srcs[i].nsegs = 1;
			*ret_src = &srcs[i];
			return env_macros[i].cond;
		}
	}
	return NULL;
}

static const char *const *env_list(void *ud, const char *name, size_t *ret_n)
{
	static const char *const none[] = { NULL };
	size_t i;

	for (i = 0; i < sizeof(env_lists) / sizeof(env_lists[0]); i++) {
		if (strcmp(env_lists[i].name, name) == 0) {
			*ret_n = env_lists[i].n;
			return env_lists[i].items ? env_lists[i].items : none;
		}
	}
	return NULL;
}

static const struct cond_env env = { env_macro, env_list, NULL, NULL };

/* Conditions under test start at r.yaml:3:14, on one line. */
static const struct cond_srcseg r_seg = { 0, "r.yaml", 3, 14 };
static const struct cond_src r_src = { &r_seg, 1 };

static struct cond *compile_ok(const char *text)
{
	struct diag d;
	struct cond *c;
	char buf[512];
	size_t i;

	diag_init(&d);
	c = cond_compile(text, &r_src, &env, &d, NULL);
	for (i = 0; i < d.n; i++) {
		diag_format(&d.items[i], buf, sizeof(buf));
		print_error("unexpected diagnostic for '%s': %s\n", text, buf);
	}
	assert_non_null(c);
	assert_int_equal(d.n, 0);
	diag_free(&d);
	return c;
}

static bool ev_match(const char *text, const struct event *ev)
{
	struct cond *c = compile_ok(text);
	bool r = cond_eval(c, ev);

	cond_free(c);
	return r;
}

#define MATCH(text, ev) assert_true(ev_match(text, ev))
#define NO_MATCH(text, ev) assert_false(ev_match(text, ev))

/* Compile text, expect failure with exactly these diagnostics. */
static void expect_errors(const char *text, ...)
{
	struct diag d;
	struct cond *c;
	char buf[512];
	const char *want;
	va_list ap;
	size_t i = 0;

	diag_init(&d);
	c = cond_compile(text, &r_src, &env, &d, NULL);
	assert_null(c);
	va_start(ap, text);
	while ((want = va_arg(ap, const char *))) {
		if (i >= d.n)
			fail_msg("missing diagnostic '%s' for '%s'", want,
				 text);
		diag_format(&d.items[i], buf, sizeof(buf));
		assert_string_equal(buf, want);
		i++;
	}
	va_end(ap);
	if (i != d.n) {
		diag_format(&d.items[i], buf, sizeof(buf));
		fail_msg("extra diagnostic for '%s': %s", text, buf);
	}
	assert_int_equal(d.nerrors, i);
	diag_free(&d);
}

/* Compile text (valid), expect exactly one warning; it must not match
 * ev. */
static void expect_warning(const char *text, const struct event *ev,
			   const char *want)
{
	struct diag d;
	struct cond *c;
	char buf[512];

	diag_init(&d);
	c = cond_compile(text, &r_src, &env, &d, NULL);
	assert_non_null(c);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.nerrors, 0);
	diag_format(&d.items[0], buf, sizeof(buf));
	assert_string_equal(buf, want);
	assert_false(cond_eval(c, ev));
	cond_free(c);
	diag_free(&d);
}

/* ---- events ---- */

static const char *const cat_argv[] = { "cat", "/etc/shadow" };
static const char *const bash_argv[] = { "/bin/bash", "-c", "id; whoami" };

static const struct event_path shadow_path[] = {
	{ .name = "/etc/shadow",
	  .raw_name = "/etc/shadow",
	  .nametype = "NORMAL",
	  .mode = 0100640,
	  .has_mode = true },
};

/* cat opening /etc/shadow read-only with openat, as root from pts0. */
static void ev_openat(struct event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = EVENT_KIND_SYSCALL;
	ev->time_ns = 1700000000123456789ULL; /* 2023-11-14 22:13:20 UTC */
	ev->serial = 4242;
	ev->record_type = 1300;
	ev->type_name = "SYSCALL";
	ev->nrecords = 4;
	ev->arch_name = "x86_64";
	ev->machine = 0;
	ev->syscall = 257;
	ev->syscall_name = "openat";
	ev->success = 1;
	ev->exit = 3;
	ev->has_exit = true;
	ev->args[0] = 0xffffff9c; /* AT_FDCWD */
	ev->args[1] = 0x7ffd1000;
	ev->args[2] = O_RDONLY | O_CLOEXEC;
	ev->args[3] = 0;
	ev->pid = 4321;
	ev->ppid = 4000;
	ev->auid = 1000;
	ev->ses = 3;
	ev->tty = "pts0";
	ev->comm = "cat";
	ev->exe = "/usr/bin/cat";
	ev->key = "harrier-shadow";
	ev->cwd = "/root";
	ev->argv = cat_argv;
	ev->argc = 2;
	ev->argv_from_execve = false;
	ev->paths = shadow_path;
	ev->npaths = 1;
}

/* ---- operators ---- */

static void test_op_equal(void **state)
{
	struct event ev;

	ev_openat(&ev);
	MATCH("proc.name = cat", &ev);
	MATCH("proc.name == cat", &ev);
	NO_MATCH("proc.name = ca", &ev);
	MATCH("proc.name != bash", &ev);
	NO_MATCH("proc.name != cat", &ev);
	MATCH("proc.name=cat", &ev);
	MATCH("fd.name=/etc/shadow", &ev);
	MATCH("proc.pid = 4321", &ev);
	MATCH("proc.pid = 0x10e1", &ev);
	NO_MATCH("proc.pid = 4320", &ev);
	MATCH("proc.pid != 4320", &ev);
	MATCH("user.loginuid = 1000", &ev);
}

static void test_op_relational(void **state)
{
	struct event ev;

	ev_openat(&ev);
	MATCH("proc.pid < 4322", &ev);
	NO_MATCH("proc.pid < 4321", &ev);
	MATCH("proc.pid <= 4321", &ev);
	NO_MATCH("proc.pid <= 4320", &ev);
	MATCH("proc.pid > 4320", &ev);
	NO_MATCH("proc.pid > 4321", &ev);
	MATCH("proc.pid >= 4321", &ev);
	NO_MATCH("proc.pid >= 4322", &ev);
	MATCH("evt.rawres >= 0", &ev);
	MATCH("fd.num>=0", &ev);
	MATCH("user.loginuid > -2", &ev);
	/* numeric, not textual: 10 > 9 */
	ev.pid = 10;
	MATCH("proc.pid > 9", &ev);
}

static void test_op_in_intersects(void **state)
{
	struct event ev;

	ev_openat(&ev);
	MATCH("proc.name in (bash, cat, vi)", &ev);
	NO_MATCH("proc.name in (bash, vi)", &ev);
	MATCH("proc.name in ('c a t', \"x\", cat)", &ev);
	MATCH("proc.name intersects (cat, dog)", &ev);
	NO_MATCH("proc.name in ()", &ev);
	MATCH("proc.pid in (1, 4321, 99999)", &ev);
	NO_MATCH("proc.pid in (1, 2, 3)", &ev);
	MATCH("proc.name in(cat)", &ev);
	/* many items: sorted lookup must find every one */
	{
		char text[4096];
		size_t len = 0, i;

		len += (size_t)snprintf(text, sizeof(text), "proc.name in (");
		for (i = 0; i < 200; i++)
			len += (size_t)snprintf(text + len, sizeof(text) - len,
						"%sp%03zu", i ? ", " : "", i);
		(void)snprintf(text + len, sizeof(text) - len, ")");
		ev.comm = "p000";
		MATCH(text, &ev);
		ev.comm = "p137";
		MATCH(text, &ev);
		ev.comm = "p199";
		MATCH(text, &ev);
		ev.comm = "p200";
		NO_MATCH(text, &ev);
		ev.comm = "p13";
		NO_MATCH(text, &ev);
	}
}

static void test_op_substring(void **state)
{
	struct event ev;

	ev_openat(&ev);
	MATCH("fd.name contains shad", &ev);
	NO_MATCH("fd.name contains SHAD", &ev);
	MATCH("fd.name icontains SHAD", &ev);
	MATCH("fd.name icontains /EtC/ShAdOw", &ev);
	NO_MATCH("fd.name icontains passwd", &ev);
	MATCH("fd.name startswith /etc/", &ev);
	NO_MATCH("fd.name startswith /etcx", &ev);
	MATCH("fd.name endswith shadow", &ev);
	NO_MATCH("fd.name endswith shadows", &ev);
	MATCH("proc.cmdline contains \"cat /etc\"", &ev);
}

static void test_op_glob(void **state)
{
	struct event ev;

	ev_openat(&ev);
	MATCH("fd.name glob /etc/*", &ev);
	MATCH("fd.name glob '/etc/sha?ow'", &ev);
	MATCH("fd.name glob /*/shadow", &ev);
	MATCH("fd.name glob '/etc/[rs]hadow'", &ev);
	NO_MATCH("fd.name glob /usr/*", &ev);
	NO_MATCH("fd.name glob /etc", &ev);
}

static void test_op_pmatch(void **state)
{
	struct event ev;

	ev_openat(&ev);
	MATCH("fd.name pmatch (/etc)", &ev);
	MATCH("fd.name pmatch (/usr, /etc/)", &ev);
	MATCH("fd.name pmatch (/etc/shadow)", &ev);
	MATCH("fd.name pmatch (/)", &ev);
	NO_MATCH("fd.name pmatch (/et)", &ev);
	NO_MATCH("fd.name pmatch (/etc/shadow/x, /usr)", &ev);
	MATCH("fd.name pmatch (sensitive_dirs)", &ev);
	/* /etcx is not below /etc */
	{
		struct event_path p = shadow_path[0];

		p.name = "/etcx/shadow";
		ev.paths = &p;
		NO_MATCH("fd.name pmatch (/etc)", &ev);
		MATCH("fd.name pmatch (/etcx)", &ev);
		p.name = "/etc";
		MATCH("fd.name pmatch (/etc)", &ev);
		p.name = "/root/.ssh/authorized_keys";
		MATCH("fd.name pmatch (sensitive_dirs)", &ev);
		p.name = "/root/.sshx";
		NO_MATCH("fd.name pmatch (sensitive_dirs)", &ev);
	}
}

static void test_op_exists_and_unset(void **state)
{
	struct event ev;

	ev_openat(&ev);
	MATCH("proc.name exists", &ev);
	MATCH("audit.key exists", &ev);
	ev.key = NULL;
	NO_MATCH("audit.key exists", &ev);
	/* an unset field makes every comparison false, != too */
	NO_MATCH("audit.key = x", &ev);
	NO_MATCH("audit.key != x", &ev);
	NO_MATCH("audit.key in (x, y)", &ev);
	NO_MATCH("audit.key contains x", &ev);
	MATCH("not audit.key = x", &ev);
	MATCH("not audit.key exists", &ev);
	ev.has_exit = false;
	NO_MATCH("evt.rawres < 0", &ev);
	NO_MATCH("evt.rawres >= 0", &ev);
}

static void test_bool_fields(void **state)
{
	struct event ev;

	ev_openat(&ev);
	MATCH("evt.failed = false", &ev);
	NO_MATCH("evt.failed = true", &ev);
	MATCH("evt.failed != true", &ev);
	MATCH("audit.success = true", &ev);
	ev.success = 0;
	ev.exit = -13;
	MATCH("evt.failed = true", &ev);
	MATCH("audit.success = false", &ev);
	ev.success = -1;
	NO_MATCH("evt.failed exists", &ev);
	expect_errors("evt.failed = yes",
		      "r.yaml:3:27: error: bad boolean 'yes' for field "
		      "'evt.failed' (true or false)",
		      NULL);
}

static void test_quoted_strings(void **state)
{
	struct event ev;
	static const char *const argv[] = { "sh", "-c", "echo \"hi\" \\ 'x'" };

	ev_openat(&ev);
	ev.comm = "sh";
	ev.argv = argv;
	ev.argc = 3;
	MATCH("proc.args = '-c echo \"hi\" \\\\ \\'x\\''", &ev);
	MATCH("proc.args = \"-c echo \\\"hi\\\" \\\\ 'x'\"", &ev);
	MATCH("proc.cmdline startswith 'sh -c echo'", &ev);
	/* Falco's escapes: \t is a tab; a backslash before a character
	 * that is no escape stays */
	ev.comm = "a\\q";
	MATCH("proc.name = 'a\\q'", &ev);
	ev.comm = "a\tb";
	MATCH("proc.name = 'a\\tb'", &ev);
	MATCH("proc.name = \"a\\/b\" or proc.name = \"a\\tb\"", &ev);
}

static void test_op_regex_iglob(void **state)
{
	struct event ev;

	ev_openat(&ev);
	/* regex matches the whole value (Falco: RE2, anchored both ends) */
	MATCH("fd.name regex '/etc/(shadow|gshadow)'", &ev);
	MATCH("fd.name regex '/etc/s.*'", &ev);
	NO_MATCH("fd.name regex 'shadow'", &ev);
	NO_MATCH("fd.name regex '/etc/shad'", &ev);
	MATCH("proc.exepath regex '.*/(cat|tac)'", &ev);
	/* the literal prefilter keeps optional and alternative parts out */
	MATCH("fd.name regex '/etc/shadows?'", &ev);
	MATCH("fd.name regex '/etc/shadowx*'", &ev);
	MATCH("fd.name regex 'x|/etc/shadow'", &ev);
	MATCH("fd.name regex '/etc/(x|shadow)'", &ev);
	MATCH("fd.name regex '/et[c]/sha\\.*dow'", &ev);
	MATCH("fd.name regex '/etc/s{1}hadow'", &ev);
	NO_MATCH("fd.name regex '/etc/shadows'", &ev);
	MATCH("fd.name iglob '/ETC/SHA*'", &ev);
	MATCH("fd.name iglob /etc/*", &ev);
	NO_MATCH("fd.name glob '/ETC/SHA*'", &ev);
	NO_MATCH("fd.name iglob '/usr/*'", &ev);
	expect_errors("fd.name regex 'a(b'",
		      "r.yaml:3:28: error: bad regex 'a(b': Unmatched ( or \\(",
		      NULL);
	expect_errors("fd.name regex 'a++b'",
		      "r.yaml:3:28: error: bad regex 'a++b': bad repetition "
		      "operator '+' after a repetition",
		      NULL);
	expect_errors("fd.name regex '(a{100}){20}'",
		      "r.yaml:3:28: error: bad regex '(a{100}){20}': counted "
		      "repetitions above 1000",
		      NULL);
	MATCH("fd.name regex '/e{1}tc/[a-z]{2,10}'", &ev);
	expect_errors("fd.name regex '(a)\\1'",
		      "r.yaml:3:28: error: regex back-references (\\1) are not "
		      "supported",
		      NULL);
}

static void test_op_binary(void **state)
{
	struct event ev;

	ev_openat(&ev);
	/* hex digits, either case: "/etc" is 2f657463 */
	MATCH("fd.name bstartswith 2f657463", &ev);
	MATCH("fd.name bstartswith 2F657463", &ev);
	NO_MATCH("fd.name bstartswith 2f757372", &ev);
	MATCH("fd.name bcontains 736861646f77", &ev); /* "shadow" */
	NO_MATCH("fd.name bcontains 736861646f78", &ev);
	NO_MATCH("fd.name bstartswith 2f6574632f736861646f7777", &ev);
	expect_errors("fd.name bcontains xyz1",
		      "r.yaml:3:32: error: operator 'bcontains' takes hex "
		      "digits (e.g. cafebabe), not 'xyz1'",
		      NULL);
	expect_errors("fd.name bcontains abc",
		      "r.yaml:3:32: error: operator 'bcontains' takes hex "
		      "digits (e.g. cafebabe), not 'abc'",
		      NULL);
	expect_errors("proc.pid bcontains 01",
		      "r.yaml:3:23: error: operator 'bcontains' needs a string "
		      "field; 'proc.pid' is a number",
		      NULL);
}

static void test_transformers(void **state)
{
	static const char *const argv[] = { "cat", "Y2F0IC9ldGMvc2hhZG93" };
	struct event ev;

	ev_openat(&ev);
	MATCH("toupper(proc.name) = CAT", &ev);
	MATCH("tolower(toupper(proc.name)) = cat", &ev);
	MATCH("basename(fd.name) = shadow", &ev);
	MATCH("toupper(basename(fd.name)) in (SHADOW, GSHADOW)", &ev);
	MATCH("basename(proc.exepath) startswith ca", &ev);
	MATCH("len(fd.name) = 11", &ev);
	MATCH("len(proc.name) < 4 and len(fd.name) >= 11", &ev);
	NO_MATCH("len(fd.name) > 11", &ev);
	MATCH("tolower(proc.name) exists", &ev);
	MATCH("tolower( proc.name ) = cat", &ev);
	ev.argv = argv;
	MATCH("b64(proc.args) = 'cat /etc/shadow'", &ev);
	MATCH("b64(proc.args) contains /etc/shadow", &ev);
	NO_MATCH("b64(audit.key) exists", &ev); /* "harrier-shadow": no base64 */
	/* unset stays unset through a transformer */
	NO_MATCH("tolower(container.name) exists", &ev);
	expect_errors("len(proc.pid) = 1",
		      "r.yaml:3:14: error: transformer 'len' needs a string or "
		      "a list; 'proc.pid' is a number",
		      NULL);
	expect_errors("tolower(proc.pid) = 1",
		      "r.yaml:3:14: error: transformer 'tolower' needs a "
		      "string; 'proc.pid' is a number here",
		      NULL);
	expect_errors("tolower(proc.nme) = x",
		      "r.yaml:3:22: error: unknown field 'proc.nme'", NULL);
	expect_errors("len(fd.name) contains 1",
		      "r.yaml:3:27: error: operator 'contains' needs a string "
		      "field; 'fd.name' is a number",
		      NULL);
	expect_errors("tolower(proc.name = x",
		      "r.yaml:3:14: error: missing ')' after 'tolower('", NULL);
}

/* A Falco field Harrier does not give: valid, but unsupported. */
static void test_unsupported_field(void **state)
{
	struct cond_unsupported un;
	struct diag d;

	diag_init(&d);
	memset(&un, 0, sizeof(un));
	assert_null(cond_compile("evt.type = read and evt.buffer bcontains 00",
				 &r_src, &env, &d, &un));
	assert_int_equal(d.n, 0);
	assert_true(un.set);
	assert_string_equal(un.what, "field 'evt.buffer'");
	assert_int_equal(un.line, 3);
	assert_int_equal(un.col, 34);
	assert_string_equal(un.macro, "");
	/* errors still win: a typo elsewhere fails */
	memset(&un, 0, sizeof(un));
	assert_null(cond_compile("evt.buffer contains x and proc.nme = y",
				 &r_src, &env, &d, &un));
	assert_int_equal(d.nerrors, 1);
	assert_false(un.set);
	diag_free(&d);
	/* without ret_unsup it is an error */
	expect_errors("evt.latency > 5",
		      "r.yaml:3:14: error: field 'evt.latency': audit logs "
		      "each syscall once, at exit: there is no enter event to "
		      "time from",
		      NULL);
}

/* ---- precedence, parentheses ---- */

static void test_precedence(void **state)
{
	struct event ev;

	ev_openat(&ev);
	/* T = proc.name = cat, F = proc.name = dog */
	/* or binds weaker than and: T or (F and F) */
	MATCH("proc.name = cat or proc.name = dog and proc.pid = 1", &ev);
	/* (T or F) and F would be false */
	NO_MATCH("(proc.name = cat or proc.name = dog) and proc.pid = 1", &ev);
	/* not binds tighter than and: (not F) and T */
	MATCH("not proc.name = dog and proc.name = cat", &ev);
	/* not T or T: (not T) or T */
	MATCH("not proc.name = cat or proc.name = cat", &ev);
	NO_MATCH("not (proc.name = cat or proc.name = cat)", &ev);
	MATCH("not not proc.name = cat", &ev);
	MATCH("((proc.name = cat))", &ev);
	MATCH("not(proc.name=dog)and(proc.name=cat)", &ev);
	/* F and F or T: (F and F) or T */
	MATCH("proc.name = dog and proc.pid = 1 or proc.name = cat", &ev);
	/* keywords are whole words: "order" is a value, not "or" */
	ev.comm = "order";
	MATCH("proc.name = order", &ev);
	MATCH("proc.name in (and, order)", &ev);
}

/* ---- lists and macros ---- */

static void test_lists(void **state)
{
	struct event ev;

	ev_openat(&ev);
	ev.comm = "bash";
	MATCH("proc.name in (shell_binaries)", &ev);
	MATCH("proc.name in shell_binaries", &ev);
	MATCH("proc.name in (vi, shell_binaries, emacs)", &ev);
	/* nested: all_shells -> more_shells -> shell_binaries */
	MATCH("proc.name in (all_shells)", &ev);
	ev.comm = "fish";
	MATCH("proc.name in (all_shells)", &ev);
	NO_MATCH("proc.name in (shell_binaries)", &ev);
	ev.comm = "dash";
	MATCH("proc.name in all_shells", &ev);
	/* a quoted name is a value, not a list */
	ev.comm = "shell_binaries";
	MATCH("proc.name in ('shell_binaries')", &ev);
	NO_MATCH("proc.name in (shell_binaries)", &ev);
	NO_MATCH("proc.name in (empty_list)", &ev);
	/* a list naming itself stays finite */
	ev.comm = "x";
	MATCH("proc.name in (loop_list)", &ev);
	/* numbers from a list */
	ev.sockaddr.family = EVENT_SOCK_INET;
	memcpy(ev.sockaddr.addr, "10.1.2.3", 9);
	ev.sockaddr.port = 443;
	ev.syscall_name = "connect";
	MATCH("fd.sport in (ports)", &ev);
	ev.sockaddr.port = 80;
	NO_MATCH("fd.sport in (ports)", &ev);
}

static void test_macros(void **state)
{
	struct event ev;

	ev_openat(&ev);
	ev.comm = "zsh";
	MATCH("is_shell", &ev);
	MATCH("is_shell and proc.pid = 4321", &ev);
	NO_MATCH("not is_shell", &ev);
	/* open_shadow uses is_opening, defined after it */
	MATCH("open_shadow", &ev);
	MATCH("open_shadow and not never", &ev);
	ev.syscall_name = "read";
	NO_MATCH("open_shadow", &ev);
	MATCH("(never or is_shell)", &ev);
}

static void test_macro_cycle(void **state)
{
	expect_errors("cyc_a",
		      "macros.yaml:14:14: error: macro cycle: cyc_a -> cyc_b "
		      "-> cyc_a (in macro 'cyc_b')",
		      NULL);
}

static void test_macro_error_position(void **state)
{
	/* an error inside a macro is reported where the macro is, naming
	 * it */
	expect_errors("proc.pid = 1 and bad_macro",
		      "macros.yaml:15:14: error: unknown field 'proc.nme' "
		      "(in macro 'bad_macro')",
		      NULL);
}

static void test_depth_limit(void **state)
{
	char text[512];
	size_t i, n = 0;
	struct cond *c;
	struct event ev;

	for (i = 0; i < HARRIER_MAX_COND_DEPTH + 1; i++)
		text[n++] = '(';
	n += (size_t)snprintf(text + n, sizeof(text) - n, "proc.pid=1");
	for (i = 0; i < HARRIER_MAX_COND_DEPTH + 1; i++)
		text[n++] = ')';
	text[n] = '\0';
	expect_errors(text,
		      "r.yaml:3:78: error: condition nested too deeply (more "
		      "than 64 levels)",
		      NULL);
	/* at the limit it compiles */
	n = 0;
	for (i = 0; i < HARRIER_MAX_COND_DEPTH; i++)
		text[n++] = '(';
	n += (size_t)snprintf(text + n, sizeof(text) - n, "proc.pid=4321");
	for (i = 0; i < HARRIER_MAX_COND_DEPTH; i++)
		text[n++] = ')';
	text[n] = '\0';
	c = compile_ok(text);
	ev_openat(&ev);
	assert_true(cond_eval(c, &ev));
	cond_free(c);
}

/* ---- compile errors ---- */

static void test_err_unknown_field(void **state)
{
	expect_errors("proc.nme = bash",
		      "r.yaml:3:14: error: unknown field 'proc.nme'", NULL);
	expect_errors("proc.aname[x] = bash",
		      "r.yaml:3:14: error: unknown field 'proc.aname[x]'",
		      NULL);
	expect_errors("proc.name[1] = bash",
		      "r.yaml:3:14: error: unknown field 'proc.name[1]'", NULL);
	expect_errors("evt.arg = x",
		      "r.yaml:3:14: error: unknown field 'evt.arg'", NULL);
}

static void test_err_undefined_macro(void **state)
{
	expect_errors("proc.pid = 1 and no_such_thing",
		      "r.yaml:3:31: error: undefined macro or list "
		      "'no_such_thing'",
		      NULL);
	expect_errors("shell_binaries",
		      "r.yaml:3:14: error: list 'shell_binaries' used as a "
		      "condition",
		      NULL);
	expect_errors("proc.name",
		      "r.yaml:3:14: error: missing operator after field "
		      "'proc.name'",
		      NULL);
	expect_errors("proc.name in no_list",
		      "r.yaml:3:27: error: undefined list 'no_list'", NULL);
}

static void test_err_unknown_operator(void **state)
{
	expect_errors("proc.name like bash",
		      "r.yaml:3:24: error: unknown operator 'like'", NULL);
	expect_errors("proc.name =~ bash",
		      "r.yaml:3:24: error: unknown operator '=~'", NULL);
	expect_errors("proc.pid !< 3",
		      "r.yaml:3:23: error: unknown operator '!<'", NULL);
}

static void test_err_parentheses(void **state)
{
	expect_errors("(proc.name = a and (proc.pid = 1)",
		      "r.yaml:3:14: error: unbalanced parentheses: missing "
		      "')'",
		      NULL);
	expect_errors("proc.name = a) and proc.pid = 1",
		      "r.yaml:3:27: error: unbalanced parentheses: "
		      "unexpected ')'",
		      NULL);
	expect_errors("proc.name in (a, b",
		      "r.yaml:3:27: error: unbalanced parentheses: missing "
		      "')'",
		      NULL);
	expect_errors("()",
		      "r.yaml:3:15: error: expected a condition, found "
		      "')'",
		      NULL);
}

static void test_err_missing_value(void **state)
{
	expect_errors("proc.name =",
		      "r.yaml:3:24: error: missing value after '='", NULL);
	expect_errors("proc.name = and proc.pid = 1",
		      "r.yaml:3:24: error: missing value after '='", NULL);
	expect_errors("proc.name in (a,,b)",
		      "r.yaml:3:30: error: missing value in list", NULL);
	expect_errors("proc.name = a and",
		      "r.yaml:3:31: error: expected a condition, found 'end'",
		      NULL);
	expect_errors("   ", "r.yaml:3:14: error: empty condition", NULL);
}

static void test_err_trailing_garbage(void **state)
{
	expect_errors("proc.name = a b", "r.yaml:3:28: error: unexpected 'b'",
		      NULL);
	expect_errors("proc.name = a proc.pid = 1",
		      "r.yaml:3:28: error: unexpected 'proc.pid'", NULL);
}

static void test_err_bad_number(void **state)
{
	expect_errors("proc.pid = abc",
		      "r.yaml:3:25: error: bad number 'abc' for field "
		      "'proc.pid'",
		      NULL);
	expect_errors("proc.pid in (1, 2x)",
		      "r.yaml:3:26: error: bad number '2x' for field "
		      "'proc.pid'",
		      NULL);
	expect_errors("proc.pid contains 1",
		      "r.yaml:3:23: error: operator 'contains' needs a string "
		      "field; 'proc.pid' is a number",
		      NULL);
	expect_errors("proc.name < 3",
		      "r.yaml:3:24: error: operator '<' needs a number field; "
		      "'proc.name' is a string",
		      NULL);
}

static void test_err_all_reported(void **state)
{
	/* every error, not only the first, and parsing recovers */
	expect_errors("proc.nme = a and proc.pid = x or (foo and "
		      "proc.name like y) and bar",
		      "r.yaml:3:14: error: unknown field 'proc.nme'",
		      "r.yaml:3:42: error: bad number 'x' for field 'proc.pid'",
		      "r.yaml:3:48: error: undefined macro or list 'foo'",
		      "r.yaml:3:66: error: unknown operator 'like'",
		      "r.yaml:3:78: error: undefined macro or list 'bar'",
		      NULL);
}

static void test_err_multiline_position(void **state)
{
	/* a folded scalar: the source map says where each line went */
	static const struct cond_srcseg segs[] = {
		{ 0, "r.yaml", 3, 14 },
		{ 14, "r.yaml", 4, 3 },
	};
	static const struct cond_src src = { segs, 2 };
	struct diag d;
	char buf[256];

	diag_init(&d);
	assert_null(cond_compile("proc.name = a and proc.nme = b", &src, &env,
				 &d, NULL));
	assert_int_equal(d.n, 1);
	diag_format(&d.items[0], buf, sizeof(buf));
	assert_string_equal(buf, "r.yaml:4:7: error: unknown field 'proc.nme'");
	diag_free(&d);
}

static void test_err_unterminated_string(void **state)
{
	expect_errors("proc.name = 'abc",
		      "r.yaml:3:26: error: unterminated string", NULL);
}

/* ---- evt.type index ---- */

struct types {
	char names[16][32];
	size_t n;
};

static void types_cb(const char *type, void *ud)
{
	struct types *t = ud;

	assert_true(t->n < 16);
	(void)snprintf(t->names[t->n++], sizeof(t->names[0]), "%s", type);
}

static void types_of(const char *text, const char *want, bool want_any)
{
	struct cond *c = compile_ok(text);
	struct types t = { .n = 0 };
	char got[512] = "";
	size_t i, len = 0;
	bool any = false;

	cond_event_types(c, types_cb, &t, &any);
	for (i = 0; i < t.n; i++)
		len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%s",
					i ? "," : "", t.names[i]);
	assert_int_equal(any, want_any);
	if (!want_any)
		assert_string_equal(got, want);
	cond_free(c);
}

static void test_event_types(void **state)
{
	types_of("evt.type = openat and proc.name = cat", "openat", false);
	types_of("evt.type in (open, openat) or evt.type = execve",
		 "open,openat,execve", false);
	types_of("evt.type = open or proc.name = x", "", true);
	types_of("not evt.type = open", "", true);
	types_of("evt.type != open", "", true);
	types_of("proc.name = x", "", true);
	types_of("is_opening and proc.name = x", "open,openat", false);
	types_of("evt.type in (open, openat) and evt.type = openat", "openat",
		 false);
	types_of("proc.name = x and (evt.type = connect or evt.type = bind)",
		 "connect,bind", false);
	types_of("evt.type startswith open", "", true);
}

/* ---- fields ---- */

static void test_fields_evt(void **state)
{
	struct event ev;

	ev_openat(&ev);
	MATCH("evt.type = openat", &ev);
	MATCH("evt.num = 4242", &ev);
	MATCH("evt.time = '22:13:20.123456789'", &ev);
	MATCH("evt.datetime = '2023-11-14 22:13:20.123456789'", &ev);
	MATCH("evt.time.iso8601 = 2023-11-14T22:13:20.123456789Z", &ev);
	MATCH("evt.rawtime = 1700000000123456789", &ev);
	MATCH("evt.res = SUCCESS", &ev);
	MATCH("evt.rawres = 3", &ev);
	MATCH("evt.dir = <", &ev);
	MATCH("evt.dir=<", &ev);
	expect_warning("evt.dir=>", &ev,
		       "r.yaml:3:14: warning: evt.dir is always '<' on audit "
		       "data (syscalls are logged at exit): this comparison is "
		       "never true");
	MATCH("evt.arg.flags = O_RDONLY|O_CLOEXEC", &ev);
	MATCH("evt.arg.flags contains O_CLOEXEC", &ev);
	MATCH("evt.rawarg.flags = 524288", &ev);
	MATCH("evt.arg.name = /etc/shadow", &ev);
	MATCH("evt.arg.dirfd = -100", &ev);
	MATCH("evt.rawarg.dirfd < 0", &ev);
	MATCH("evt.arg.fd = 3", &ev);
	MATCH("evt.arg.res = 3", &ev);
	MATCH("evt.arg.mode = 0", &ev);
	MATCH("evt.arg.a2 = 0x80000", &ev);
	MATCH("evt.arg[2] = /etc/shadow", &ev);
	NO_MATCH("evt.arg.nosuch exists", &ev);
	MATCH("evt.args contains 'name=/etc/shadow flags=O_RDONLY'", &ev);
	MATCH("evt.is_open_read = true", &ev);
	MATCH("evt.is_open_write = false", &ev);
	MATCH("evt.is_open_exec = false", &ev);

	/* failed open for writing, creating an executable file */
	ev.success = 0;
	ev.exit = -2;
	ev.args[2] = O_WRONLY | O_CREAT | O_TRUNC;
	ev.args[3] = 0755;
	MATCH("evt.res = ENOENT", &ev);
	MATCH("evt.rawres = -2", &ev);
	MATCH("evt.failed = true", &ev);
	MATCH("evt.arg.flags = O_WRONLY|O_CREAT|O_TRUNC", &ev);
	MATCH("evt.arg.mode = 0755", &ev);
	MATCH("evt.rawarg.mode = 493", &ev);
	MATCH("evt.is_open_read = false", &ev);
	MATCH("evt.is_open_write = true", &ev);
	MATCH("evt.is_open_exec = true", &ev);
	ev.args[2] = O_RDWR | O_TMPFILE;
	MATCH("evt.arg.flags = O_RDWR|O_TMPFILE", &ev);
	MATCH("evt.is_open_read = true and evt.is_open_write = true", &ev);

	/* open: flags in a1 */
	ev.syscall_name = "open";
	ev.args[1] = O_WRONLY | O_APPEND | O_NONBLOCK;
	MATCH("evt.arg.flags = O_WRONLY|O_APPEND|O_NONBLOCK", &ev);
	MATCH("evt.is_open_write = true", &ev);
	/* openat2: flags are not audited */
	ev.syscall_name = "openat2";
	MATCH("evt.is_open_read = false and evt.is_open_write = false", &ev);
	NO_MATCH("evt.arg.flags exists", &ev);
}

static void test_fields_syscall_args(void **state)
{
	struct event ev;

	ev_openat(&ev);
	ev.paths = NULL;
	ev.npaths = 0;
	ev.syscall_name = "kill";
	ev.args[0] = 77;
	ev.args[1] = 9;
	MATCH("evt.arg.pid = 77 and evt.arg.sig = SIGKILL", &ev);
	MATCH("evt.rawarg.sig = 9", &ev);
	ev.syscall_name = "ptrace";
	ev.args[0] = 16;
	ev.args[1] = 1;
	MATCH("evt.arg.request = PTRACE_ATTACH and evt.arg.pid = 1", &ev);
	ev.args[0] = 0x4206;
	MATCH("evt.arg.request = PTRACE_SEIZE", &ev);
	ev.syscall_name = "setuid";
	ev.args[0] = 0;
	MATCH("evt.arg.uid = 0", &ev);
	ev.syscall_name = "chmod";
	ev.args[1] = 04755;
	ev.paths = shadow_path;
	ev.npaths = 1;
	/* chmod's mode as Falco names its bits (rules test S_ISUID) */
	MATCH("evt.arg.mode = "
	      "'S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR|"
	      "S_ISUID' and evt.arg.filename = /etc/shadow",
	      &ev);
	MATCH("evt.arg.mode contains S_ISUID and evt.rawarg.mode = 2541", &ev);
	ev.syscall_name = "fchmodat";
	ev.args[2] = 0600;
	MATCH("evt.arg.mode = 'S_IWUSR|S_IRUSR'", &ev);
	NO_MATCH("evt.arg.mode contains S_ISUID", &ev);
	ev.args[2] = 0;
	MATCH("evt.arg.mode = 0", &ev);
	ev.syscall_name = "mkdir";
	ev.args[1] = 0700;
	MATCH("evt.arg.mode = 0700 and evt.arg.path = /etc/shadow", &ev);
	ev.syscall_name = "socket";
	ev.args[0] = 2;
	ev.args[1] = 1 | 0x80000;
	ev.args[2] = 6;
	MATCH("evt.arg.domain = AF_INET and evt.arg.type = "
	      "SOCK_STREAM|SOCK_CLOEXEC and evt.arg.proto = 6",
	      &ev);
	MATCH("fd.l4proto = tcp and fd.sockfamily = ip and fd.typechar = 4",
	      &ev);
	ev.args[1] = 2;
	MATCH("fd.l4proto = udp", &ev);
	/* a syscall without a table entry: a0..a3 in hex */
	ev.syscall_name = "getpid";
	ev.args[0] = 255;
	MATCH("evt.arg.a0 = 0xff and evt.rawarg.a0 = 255", &ev);
	MATCH("evt.arg[0] = 0xff", &ev);
}

static void test_fields_non_syscall(void **state)
{
	static const struct event_field f[] = {
		{ "pid", "900", "900" },	  { "uid", "0", "0" },
		{ "acct", "alice", "\"alice\"" }, { "res", "failed", "failed" },
		{ "tty", "(none)", "(none)" },
	};
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = EVENT_KIND_OTHER;
	ev.type_name = "USER_LOGIN";
	ev.record_type = 1112;
	ev.serial = 77;
	ev.success = 0;
	ev.pid = 900;
	ev.auid = EVENT_ID_UNSET;
	ev.ses = EVENT_ID_UNSET;
	ev.fields = f;
	ev.nfields = 5;
	MATCH("evt.type = USER_LOGIN", &ev);
	MATCH("audit.type = USER_LOGIN", &ev);
	MATCH("evt.arg.acct = alice", &ev);
	MATCH("evt.rawarg.acct = '\"alice\"'", &ev);
	MATCH("evt.arg[2] = alice", &ev);
	MATCH("evt.arg.res = failed", &ev);
	MATCH("evt.failed = true", &ev);
	MATCH("evt.res = FAILURE", &ev);
	MATCH("user.loginuid = -1", &ev);
	NO_MATCH("user.loginname exists", &ev);
	NO_MATCH("audit.auid exists or audit.ses exists", &ev);
	MATCH("user.uid = 0", &ev);
	MATCH("evt.args contains 'acct=alice'", &ev);
	NO_MATCH("audit.arch exists", &ev);
	MATCH("proc.tty = 0", &ev); /* "(none)" in the record */
}

static void test_fields_proc(void **state)
{
	struct event ev;

	ev_openat(&ev);
	MATCH("proc.pid = 4321 and proc.ppid = 4000", &ev);
	MATCH("proc.name = cat", &ev);
	MATCH("proc.exe = cat", &ev);
	MATCH("proc.exepath = /usr/bin/cat", &ev);
	MATCH("proc.cmdline = 'cat /etc/shadow'", &ev);
	MATCH("proc.args = /etc/shadow", &ev);
	MATCH("proc.cwd = /root", &ev);
	MATCH("proc.tty = pts0", &ev);
	NO_MATCH("proc.vpid exists or proc.sid exists", &ev);
	ev.vpid = 7;
	ev.sid = 4000;
	MATCH("proc.vpid = 7 and proc.sid = 4000", &ev);
	ev.tty = NULL;
	MATCH("proc.tty = 0", &ev);
	NO_MATCH("proc.tty != 0", &ev);

	/* Falco's proc.cmdline: comm, not argv[0], then the arguments */
	ev.comm = "bash";
	ev.exe = "/usr/bin/bash";
	ev.argv = bash_argv;
	ev.argc = 3;
	MATCH("proc.exe = /bin/bash", &ev);
	MATCH("proc.cmdline = 'bash -c id; whoami'", &ev);
	MATCH("proc.args = '-c id; whoami'", &ev);
	ev.argc = 1;
	MATCH("proc.cmdline = bash and proc.args = ''", &ev);
	/* no argv, no process table: unknown */
	ev.argc = 0;
	NO_MATCH("proc.cmdline exists or proc.exe exists", &ev);
	/* no process table: no lineage */
	NO_MATCH("proc.pname exists or proc.aname exists or "
		 "proc.aname[1] exists",
		 &ev);
	MATCH("proc.aname[0] = bash and proc.apid[0] = 4321", &ev);
}

static void test_fields_cmdline_bounded(void **state)
{
	static char big[HARRIER_MAX_CMDLINE * 2];
	static const char *argv[2];
	struct event ev;
	struct strbuf out = STRBUF_INIT;
	struct format *f;
	struct diag d;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	argv[0] = "x";
	argv[1] = big;
	ev_openat(&ev);
	ev.argv = argv;
	ev.argc = 2;
	MATCH("proc.cmdline startswith 'cat aaaa'", &ev);
	diag_init(&d);
	f = format_compile("%proc.cmdline", "r.yaml", 1, 1, &d);
	assert_non_null(f);
	format_render(f, &ev, &out, NULL, NULL);
	assert_int_equal(out.len, HARRIER_MAX_CMDLINE);
	format_free(f);
	strbuf_free(&out);
	diag_free(&d);
}

static void test_fields_user(void **state)
{
	struct event ev;

	ev_openat(&ev);
	MATCH("user.uid = 0 and user.name = root", &ev);
	MATCH("group.gid = 0 and group.name = root", &ev);
	MATCH("user.loginuid = 1000", &ev);
	/* resolved from this host's database, cached */
	MATCH("user.name = root", &ev);
	ev.euid = 4000000000u;
	NO_MATCH("user.name exists", &ev);
	MATCH("user.uid = 4000000000", &ev);
	ev.uid = 5;
	MATCH("audit.uid = 5 and audit.euid = 4000000000", &ev);
	ev.auid = 0;
	MATCH("user.loginname = root", &ev);
}

static void test_fields_audit(void **state)
{
	struct event ev;

	ev_openat(&ev);
	MATCH("audit.key = harrier-shadow", &ev);
	MATCH("audit.type = SYSCALL", &ev);
	MATCH("audit.serial = 4242", &ev);
	MATCH("audit.success = true", &ev);
	MATCH("audit.auid = 1000 and audit.ses = 3", &ev);
	MATCH("audit.exit = 3", &ev);
	MATCH("audit.arch = x86_64 and audit.syscall = 257", &ev);
	NO_MATCH("audit.subj exists or audit.node exists", &ev);
}

static void test_fields_fd_file(void **state)
{
	struct event ev;
	struct event_path p[2] = {
		{ .name = "/var/log",
		  .nametype = "PARENT",
		  .mode = 040755,
		  .has_mode = true },
		{ .name = "/var/log/app.log", .nametype = "CREATE" },
	};

	ev_openat(&ev);
	MATCH("fd.name = /etc/shadow", &ev);
	MATCH("fd.directory = /etc and fd.filename = shadow", &ev);
	MATCH("fd.typechar = f and fd.type = file", &ev);
	MATCH("fd.num = 3", &ev);
	NO_MATCH("fd.sip exists or fd.sockfamily exists", &ev);
	/* the primary path skips the PARENT item */
	ev.paths = p;
	ev.npaths = 2;
	MATCH("fd.name = /var/log/app.log and fd.directory = /var/log", &ev);
	MATCH("fd.typechar = f", &ev);
	/* a directory */
	ev.npaths = 1;
	p[0].nametype = "NORMAL";
	MATCH("fd.typechar = d and fd.type = directory", &ev);
	MATCH("fd.directory = /var and fd.filename = log", &ev);
	p[0].name = "/etc";
	MATCH("fd.directory = / and fd.filename = etc", &ev);
	/* raw name when the path could not be normalised */
	p[0].name = NULL;
	p[0].raw_name = "/odd/path";
	MATCH("fd.name = /odd/path", &ev);
	/* no path at all */
	ev.npaths = 0;
	NO_MATCH("fd.name exists or fd.typechar exists", &ev);
	/* rename: old and new paths */
	{
		struct event_path rp[4] = {
			{ .name = "/tmp", .nametype = "PARENT" },
			{ .name = "/etc", .nametype = "PARENT" },
			{ .name = "/tmp/x", .nametype = "DELETE" },
			{ .name = "/etc/cron.d/x", .nametype = "CREATE" },
		};

		ev.syscall_name = "rename";
		ev.paths = rp;
		ev.npaths = 4;
		MATCH("evt.arg.oldpath = /tmp/x and "
		      "evt.arg.newpath = /etc/cron.d/x",
		      &ev);
	}
}

static void set_sock(struct event *ev, const char *sc, enum event_sockfam fam,
		     const char *addr, unsigned int port)
{
	ev->syscall_name = sc;
	ev->paths = NULL;
	ev->npaths = 0;
	memset(&ev->sockaddr, 0, sizeof(ev->sockaddr));
	ev->sockaddr.family = fam;
	if (fam == EVENT_SOCK_UNIX)
		ev->sockaddr.path = addr;
	else
		(void)snprintf(ev->sockaddr.addr, sizeof(ev->sockaddr.addr),
			       "%s", addr);
	ev->sockaddr.port = (uint16_t)port;
}

static void test_fields_fd_socket(void **state)
{
	struct event ev;

	ev_openat(&ev);
	ev.exit = 0;
	ev.args[0] = 5;
	set_sock(&ev, "connect", EVENT_SOCK_INET, "10.0.0.5", 443);
	MATCH("fd.name = 10.0.0.5:443", &ev);
	MATCH("fd.typechar = 4 and fd.type = ipv4 and fd.sockfamily = ip", &ev);
	MATCH("fd.sip = 10.0.0.5 and fd.sport = 443", &ev);
	MATCH("fd.rip = 10.0.0.5 and fd.rport = 443", &ev);
	NO_MATCH("fd.cip exists or fd.lip exists or fd.lport exists", &ev);
	NO_MATCH("fd.l4proto exists", &ev);
	MATCH("fd.num = 5 and evt.arg.addr = 10.0.0.5:443", &ev);
	MATCH("fd.sport in (22, 443) and fd.sip in (10.0.0.5)", &ev);

	set_sock(&ev, "bind", EVENT_SOCK_INET6, "::1", 8080);
	MATCH("fd.name = ::1:8080 and fd.typechar = 6 and fd.type = ipv6", &ev);
	MATCH("fd.lip = ::1 and fd.lport = 8080", &ev);
	MATCH("fd.sip = ::1 and fd.sport = 8080", &ev);
	NO_MATCH("fd.rip exists or fd.cip exists", &ev);

	set_sock(&ev, "accept4", EVENT_SOCK_INET, "192.168.1.9", 51000);
	MATCH("fd.cip = 192.168.1.9 and fd.cport = 51000", &ev);
	MATCH("fd.rip = 192.168.1.9 and fd.rport = 51000", &ev);
	NO_MATCH("fd.sip exists or fd.lip exists", &ev);
	MATCH("fd.num = 0", &ev); /* accept's fd is its result */

	set_sock(&ev, "connect", EVENT_SOCK_UNIX, "/run/docker.sock", 0);
	MATCH("fd.name = /run/docker.sock and fd.typechar = u", &ev);
	MATCH("fd.type = unix and fd.sockfamily = unix", &ev);
	NO_MATCH("fd.sip exists or fd.directory exists", &ev);
}

static void test_fields_container(void **state)
{
	struct event ev;
	static const struct event_container ct = {
		.id = "0123456789abcdef0123456789abcdef"
		      "0123456789abcdef0123456789abcdef",
		.runtime = "containerd",
		.name = "web",
		.image = "registry.local:5000/team/nginx:1.25",
		.pod_name = "web-7d9",
		.pod_namespace = "prod",
		.pod_uid = "11111111-2222-3333-4444-555555555555",
		.k8s_container_name = "nginx",
	};

	ev_openat(&ev);
	MATCH("container.id = host and container.full_id = host", &ev);
	NO_MATCH("container.name exists or k8s.pod.name exists", &ev);
	ev.container = &ct;
	MATCH("container.id = 0123456789ab", &ev);
	MATCH("container.full_id startswith 0123456789abcdef0123", &ev);
	MATCH("container.id != host", &ev);
	MATCH("container.name = web and container.runtime = containerd", &ev);
	MATCH("container.type = containerd", &ev);
	MATCH("container.image = registry.local:5000/team/nginx:1.25", &ev);
	MATCH("container.image.repository = registry.local:5000/team/nginx",
	      &ev);
	MATCH("container.image.tag = '1.25'", &ev);
	MATCH("k8s.pod.name = web-7d9 and k8s.ns.name = prod", &ev);
	MATCH("k8s.pod.uid = 11111111-2222-3333-4444-555555555555", &ev);
	MATCH("k8s.container.name = nginx", &ev);
}

/* A lineage provider of the engine's own: pid 100 (test_cond) <- 50
 * (parentproc) <- 1 (init). The engine sees ancestors only through this
 * interface, never through the process table. */
static const struct proc_view fake_procs[] = {
	{ .pid = 100, .ppid = 50, .comm = "test_cond",
	  .exe = "/opt/test_cond", .argv0 = "test_cond", .args = "",
	  .cmdline = "test_cond" },
	{ .pid = 50, .ppid = 1, .comm = "parentproc",
	  .exe = "/usr/bin/parentproc", .argv0 = "parentproc", .args = "-x",
	  .cmdline = "parentproc -x" },
	{ .pid = 1, .ppid = 0, .comm = "init", .exe = "/sbin/init",
	  .argv0 = "/sbin/init", .args = "", .cmdline = "init" },
};

static int fake_ancestor(void *ctx, pid_t pid, unsigned int n,
			 struct proc_view *ret)
{
	size_t i, k;

	(void)ctx;
	for (k = 0; k <= n; k++) {
		for (i = 0; i < 3 && fake_procs[i].pid != pid; i++)
			;
		if (i == 3)
			return -ENOENT;
		if (k == n) {
			*ret = fake_procs[i];
			return 0;
		}
		pid = fake_procs[i].ppid;
	}
	return -ENOENT;
}

static void test_fields_lineage(void **state)
{
	static const struct event_lineage lin = { fake_ancestor, NULL };
	struct event ev;
	static const char *const argv[] = { "test_cond" };

	ev_openat(&ev);
	ev.pid = 100;
	ev.ppid = 50;
	ev.comm = "test_cond";
	ev.argv = argv;
	ev.argc = 1;
	ev.lineage = &lin;

	MATCH("proc.pname = parentproc", &ev);
	MATCH("proc.aname[1] = parentproc", &ev);
	MATCH("proc.aname = parentproc", &ev);
	MATCH("proc.aname in (parentproc, nosuch)", &ev);
	MATCH("proc.aname[2] = init", &ev);
	MATCH("proc.apid[1] = 50", &ev);
	MATCH("proc.apid = 50", &ev);
	MATCH("proc.apid = 1", &ev);
	NO_MATCH("proc.aname = no-such-ancestor-name", &ev);
	MATCH("proc.aname[0] = test_cond", &ev);
	MATCH("proc.pexepath = /usr/bin/parentproc", &ev);
	MATCH("proc.pcmdline = 'parentproc -x'", &ev);
	MATCH("proc.pcmdline exists and proc.pexe exists", &ev);
	NO_MATCH("proc.aname[3] exists", &ev);
	NO_MATCH("proc.aname[200] exists", &ev);
	/* The process itself unknown to the provider: its parent is asked. */
	ev.pid = 4242;
	MATCH("proc.pname = parentproc", &ev);
	MATCH("proc.aname[2] = init", &ev);
	/* No provider: no ancestors, and no crash. */
	ev.lineage = NULL;
	NO_MATCH("proc.pname exists", &ev);
}

static void test_val(void **state)
{
	static const struct event_lineage lin = { fake_ancestor, NULL };
	struct event ev;
	static const char *const argv[] = { "parentproc" };

	ev_openat(&ev);
	ev.pid = 100;
	ev.ppid = 50;
	ev.comm = "parentproc";
	ev.argv = argv;
	ev.argc = 1;
	ev.lineage = &lin;
	MATCH("proc.name = val(proc.pname)", &ev);
	NO_MATCH("proc.name != val(proc.pname)", &ev);
	MATCH("proc.name = val( proc.aname[1] )", &ev);
	NO_MATCH("proc.name = val(proc.aname[2])", &ev);
	MATCH("proc.ppid < val(proc.pid)", &ev);
	MATCH("proc.pid = val(proc.pid)", &ev);
	MATCH("proc.pexepath endswith val(proc.name)", &ev);
	MATCH("toupper(proc.name) = toupper(proc.pname)", &ev);
	MATCH("proc.name in val(proc.aname)", &ev);
	NO_MATCH("proc.name = val(container.name)", &ev);
	expect_errors("proc.pid = val(proc.name)",
		      "r.yaml:3:25: error: cannot compare 'proc.pid' (a number) "
		      "with 'proc.name' (a string)",
		      NULL);
	expect_errors("fd.name pmatch val(proc.cwd)",
		      "r.yaml:3:29: error: operator 'pmatch' takes no field on "
		      "its right",
		      NULL);
}

/* ---- formats ---- */

struct seen {
	char text[1024];
	size_t len;
};

/* name=value, with a # after a literal (number/bool) value */
static void seen_cb(const char *name, const char *value, bool literal,
		    void *ud)
{
	struct seen *s = ud;

	s->len += (size_t)snprintf(s->text + s->len, sizeof(s->text) - s->len,
				   "%s%s=%s%s", s->len ? ";" : "", name,
				   value ? value : "(null)", literal ? "#" : "");
}

static void test_format_render(void **state)
{
	struct event ev;
	struct diag d;
	struct format *f;
	struct strbuf out = STRBUF_INIT;
	struct seen s = { .len = 0 };

	ev_openat(&ev);
	ev.key = NULL;
	diag_init(&d);
	f = format_compile("File %fd.name opened by %proc.name "
			   "(pid=%proc.pid %(proc.name) key=%audit.key) "
			   "parent %proc.pname. 100% sure %proc.aname[2]",
			   "r.yaml", 5, 11, &d);
	assert_non_null(f);
	assert_int_equal(d.n, 0);
	format_render(f, &ev, &out, seen_cb, &s);
	assert_string_equal(strbuf_str(&out),
			    "File /etc/shadow opened by cat (pid=4321 cat "
			    "key=<NA>) parent <NA>. 100% sure <NA>");
	assert_string_equal(s.text,
			    "fd.name=/etc/shadow;proc.name=cat;proc.pid=4321#;"
			    "audit.key=(null);proc.pname=(null);"
			    "proc.aname[2]=(null)");
	format_free(f);
	strbuf_free(&out);
	diag_free(&d);
}

static void test_format_values_unescaped(void **state)
{
	struct event ev;
	struct diag d;
	struct format *f;
	struct strbuf out = STRBUF_INIT;
	static const char *const argv[] = { "sh", "-c", "echo \"x\"\n\\" };

	ev_openat(&ev);
	ev.comm = "sh";
	ev.argv = argv;
	ev.argc = 3;
	diag_init(&d);
	f = format_compile("%proc.cmdline|%evt.failed|%evt.time", "r.yaml", 1,
			   1, &d);
	assert_non_null(f);
	format_render(f, &ev, &out, NULL, NULL);
	assert_string_equal(strbuf_str(&out),
			    "sh -c echo \"x\"\n\\|false|22:13:20.123456789");
	format_free(f);
	strbuf_free(&out);
	diag_free(&d);
}

static void test_format_errors(void **state)
{
	struct diag d;
	char buf[256];

	diag_init(&d);
	assert_null(format_compile("ok %proc.name bad %proc.nme and "
				   "%(fd.nope)",
				   "r.yaml", 5, 11, &d));
	assert_int_equal(d.n, 2);
	diag_format(&d.items[0], buf, sizeof(buf));
	assert_string_equal(buf, "r.yaml:5:29: error: unknown field "
				 "'proc.nme' in output");
	diag_format(&d.items[1], buf, sizeof(buf));
	assert_string_equal(buf, "r.yaml:5:43: error: unknown field "
				 "'fd.nope' in output");
	diag_free(&d);

	diag_init(&d);
	assert_null(format_compile("x %(proc.name", "r.yaml", 5, 11, &d));
	assert_int_equal(d.n, 1);
	diag_format(&d.items[0], buf, sizeof(buf));
	assert_string_equal(buf, "r.yaml:5:13: error: missing ')' after '%('");
	diag_free(&d);
}

/* ---- field table ---- */

static void test_field_table(void **state)
{
	size_t i, n = engine_field_count();
	bool saw_aname = false, saw_sip = false;

	assert_true(n > 60);
	for (i = 0; i < n; i++) {
		const struct engine_field_info *fi = engine_field_get(i);

		assert_non_null(fi);
		assert_non_null(fi->name);
		assert_true(strlen(fi->desc) > 5);
		if (strcmp(fi->name, "proc.aname[N]") == 0)
			saw_aname = true;
		if (strcmp(fi->name, "fd.sip") == 0) {
			saw_sip = true;
			assert_string_equal(fi->type, "ipaddr");
		}
	}
	assert_null(engine_field_get(n));
	assert_true(saw_aname && saw_sip);
	/* one entry per name: a field Harrier learns to give replaces its
	 * "not given" entry instead of shadowing it */
	for (i = 0; i < n; i++) {
		const struct engine_field_info *a = engine_field_get(i);
		size_t j;

		assert_true(a->unavailable == NULL ||
			    strlen(a->unavailable) > 10);
		for (j = i + 1; j < n; j++)
			if (strcmp(a->name, engine_field_get(j)->name) == 0)
				fail_msg("field '%s' listed twice", a->name);
	}
	/* Falco's fields that audit cannot give still parse (a rule using
	 * them is skipped, not failed) */
	assert_true(field_known("evt.buffer"));
	assert_true(field_known("container.mount.dest[/var/run/docker.sock]"));
	assert_true(field_known("k8s.pod.label[app]"));
	assert_false(field_known("k8s.pod.label"));
	assert_false(field_known("k8s.pod.label[]"));
	assert_false(field_known("evt.bufer"));
	assert_true(field_known("proc.name"));
	assert_true(field_known("proc.aname[3]"));
	assert_true(field_known("proc.aname"));
	assert_true(field_known("evt.arg.flags"));
	assert_true(field_known("evt.arg[0]"));
	assert_true(field_known("evt.rawarg.res"));
	assert_false(field_known("proc.nme"));
	assert_false(field_known("evt.arg"));
	assert_false(field_known("proc.aname[]"));
	assert_false(field_known("proc.pid[1]"));
}

/* A bare syscall event of the named syscall. */
static void syscall_event(struct event *ev, const char *name)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = EVENT_KIND_SYSCALL;
	ev->syscall_name = name;
	ev->success = 1;
	ev->pid = 4321;
	ev->auid = EVENT_ID_UNSET;
	ev->ses = EVENT_ID_UNSET;
}

/* Process facts through the interface: capabilities, environment,
 * executable facts, duration, session and process group. */
static const struct proc_view facts_procs[] = {
	{ .pid = 200, .ppid = 150, .vpid = 7, .sid = 150, .comm = "nc",
	  .exe = "/usr/bin/nc", .argv0 = "nc", .args = "-l",
	  .cmdline = "nc -l", .start_ns = 1000000000ULL, .pgid = 200,
	  .vpgid = 7, .has_caps = true, .cap_inh = 0,
	  .cap_prm = (1ULL << 21) | (1ULL << 13), .cap_eff = 1ULL << 13 },
	{ .pid = 150, .ppid = 1, .sid = 150, .comm = "bash", .exe = "/bin/bash",
	  .argv0 = "bash", .args = "", .cmdline = "bash" },
};

static int facts_ancestor(void *ctx, pid_t pid, unsigned int n,
			  struct proc_view *ret)
{
	size_t i;

	(void)ctx;
	for (i = 0; i < 2; i++)
		if (facts_procs[i].pid == pid) {
			if (n == 0) {
				*ret = facts_procs[i];
				return 0;
			}
			return facts_ancestor(ctx, facts_procs[i].ppid, n - 1,
					      ret);
		}
	return -ENOENT;
}

static int facts_environ(void *ctx, pid_t pid, const char **ret, size_t *len)
{
	static const char vars[] = "HOME=/root\0LD_PRELOAD=/tmp/x.so\0";

	(void)ctx;
	if (pid != 200)
		return -ENOENT;
	*ret = vars;
	*len = sizeof(vars) - 1;
	return 0;
}

static int facts_exe(void *ctx, pid_t pid, struct proc_exe_facts *ret)
{
	(void)ctx;
	if (pid != 200)
		return -ENOENT;
	ret->ino = 4242;
	ret->mtime_ns = 500;
	ret->ctime_ns = 600000000;
	ret->upper_layer = 1;
	ret->from_memfd = 0;
	return 0;
}

static void test_fields_process_facts(void **state)
{
	static const struct event_lineage lin = { facts_ancestor, NULL,
						   facts_environ, facts_exe };
	struct event ev;

	(void)state;
	syscall_event(&ev, "openat");
	ev.pid = 200;
	ev.ppid = 150;
	ev.exe = "/usr/bin/nc";
	ev.time_ns = 3000000000ULL;
	ev.lineage = &lin;
	MATCH("thread.cap_permitted = 'CAP_NET_RAW CAP_SYS_ADMIN'", &ev);
	MATCH("thread.cap_effective = CAP_NET_RAW", &ev);
	MATCH("thread.cap_inheritable = ''", &ev);
	/* the event's own BPRM_FCAPS/CAPSET wins */
	ev.has_caps = true;
	ev.cap_eff = 1ULL << 21;
	MATCH("thread.cap_effective contains CAP_SYS_ADMIN", &ev);
	ev.has_caps = false;
	MATCH("proc.env contains LD_PRELOAD=", &ev);
	MATCH("proc.env[LD_PRELOAD] = /tmp/x.so and proc.env[HOME] = /root",
	      &ev);
	NO_MATCH("proc.env[NOPE] exists", &ev);
	MATCH("proc.duration = 2000000000", &ev);
	MATCH("proc.sname = bash and proc.vpgid = 7 and proc.pgid = 200",
	      &ev);
	MATCH("proc.is_vpgid_leader = true", &ev);
	MATCH("proc.is_exe_upper_layer = true and proc.exe_ino = 4242", &ev);
	MATCH("proc.is_exe_from_memfd = false", &ev);
	MATCH("proc.exe_ino.ctime = 600000000 and proc.exe_ino.mtime = 500",
	      &ev);
	MATCH("proc.exe_ino.ctime_duration_proc_start = 400000000", &ev);
	ev.exe = "/memfd:payload (deleted)";
	MATCH("proc.is_exe_from_memfd = true", &ev);
}

/* fd.* from the enricher's fd table: dup2 of a connected socket. */
static void test_fields_fd_table(void **state)
{
	struct event_fd f;
	struct event ev;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.num = 3;
	f.typechar = '4';
	f.l4proto = 6;
	f.connected = true;
	f.has_local = f.has_remote = true;
	strcpy(f.lip, "10.0.0.5");
	f.lport = 40000;
	strcpy(f.rip, "192.0.2.7");
	f.rport = 4444;
	syscall_event(&ev, "dup2");
	ev.args[0] = 3;
	ev.args[1] = 0;
	ev.exit = 0;
	ev.has_exit = true;
	ev.fd = &f;
	MATCH("fd.type = ipv4 and fd.typechar = 4 and fd.num = 3", &ev);
	MATCH("evt.rawres in (0, 1, 2) and evt.arg.newfd = 0", &ev);
	MATCH("evt.arg.oldfd = 3", &ev);
	MATCH("fd.sip = 192.0.2.7 and fd.sport = 4444 and fd.rport = 4444",
	      &ev);
	MATCH("fd.cip = 10.0.0.5 and fd.lport = 40000 and fd.lip = 10.0.0.5",
	      &ev);
	MATCH("fd.name = '10.0.0.5:40000->192.0.2.7:4444'", &ev);
	MATCH("fd.l4proto = tcp and fd.connected = true", &ev);
	MATCH("fd.ip = 192.0.2.7 and fd.ip = 10.0.0.5 and fd.port = 4444",
	      &ev);
	MATCH("fd.sockfamily = ip and fd.name_changed = false", &ev);
	/* the server side of an accepted socket */
	f.is_server = true;
	MATCH("fd.sip = 10.0.0.5 and fd.cip = 192.0.2.7", &ev);
}

/* fd.*net compare with networks; fd.*.name with names resolved in the
 * background (127.0.0.3 is a name that resolves without any lookup). */
static void test_fields_fd_net_and_names(void **state)
{
	struct event ev;

	(void)state;
	syscall_event(&ev, "connect");
	ev.sockaddr.family = EVENT_SOCK_INET;
	ev.sockaddr.raw_family = 2;
	strcpy(ev.sockaddr.addr, "10.20.30.40");
	ev.sockaddr.port = 443;
	MATCH("fd.snet = 10.0.0.0/8 and fd.rnet = 10.20.0.0/16", &ev);
	MATCH("fd.snet = 10.20.30.40 and fd.snet != 192.168.0.0/16", &ev);
	MATCH("fd.snet in (192.168.0.0/16, 10.20.30.0/24)", &ev);
	MATCH("fd.net = 10.20.30.32/27", &ev);
	NO_MATCH("fd.snet = 10.20.30.0/28", &ev);
	NO_MATCH("fd.snet = 10.0.0.0/99 or fd.snet = 10.0.0.0/x", &ev);
	NO_MATCH("fd.lnet = 10.0.0.0/8", &ev); /* local end unknown */
	strcpy(ev.sockaddr.addr, "2001:db8::5");
	ev.sockaddr.family = EVENT_SOCK_INET6;
	MATCH("fd.snet = '2001:db8::/32'", &ev);
	NO_MATCH("fd.snet = 10.0.0.0/8", &ev);

	strcpy(ev.sockaddr.addr, "127.0.0.3");
	ev.sockaddr.family = EVENT_SOCK_INET;
	/* compiling registers the name; until resolved, only text */
	NO_MATCH("fd.sip.name = 127.0.0.4", &ev);
	MATCH("fd.sip.name = 127.0.0.3", &ev);
	assert_true(resolver_refresh() >= 1);
	NO_MATCH("fd.sip.name = 127.0.0.4", &ev);
	MATCH("fd.rip.name in (example.invalid, 127.0.0.3)", &ev);
}

/* container.privileged, start_ts, mounts and mount lookups as Falco's
 * rules write them. */
static void test_fields_container_mounts(void **state)
{
	static const struct event_mount mounts[] = {
		{ "/var/run/docker.sock", "/run/docker.sock", "rbind", true,
		  "rprivate" },
		{ "/etc", "/host/etc", "rbind,ro", false, "" },
	};
	struct event_container ct;
	struct event ev;

	(void)state;
	memset(&ct, 0, sizeof(ct));
	ct.id = "0123456789ab0123456789ab0123456789ab0123456789ab0123456789abcdef";
	ct.privileged = 1;
	ct.start_ts = 1796158315500000000ULL;
	ct.mounts = mounts;
	ct.nmounts = 2;
	syscall_event(&ev, "execve");
	/* a host process: N/A, so Falco's "not ... in (<NA>, N/A)" holds */
	MATCH("container.mount.dest[/etc] in (\"<NA>\", \"N/A\")", &ev);
	NO_MATCH("container.privileged = true", &ev);
	ev.container = &ct;
	MATCH("container.privileged = true", &ev);
	MATCH("container.start_ts = 1796158315500000000", &ev);
	MATCH("not container.mount.dest[/var/run/docker.sock] in "
	      "(\"<NA>\", \"N/A\")", &ev);
	MATCH("container.mount.dest[/var/run/docker.sock] = /run/docker.sock",
	      &ev);
	MATCH("container.mount.dest[/et*] = /host/etc", &ev);
	MATCH("container.mount.dest[/proc*] = N/A", &ev);
	MATCH("container.mount.source[/host/etc] = /etc", &ev);
	MATCH("container.mount.rdwr[1] = false and "
	      "container.mount.propagation[0] = rprivate",
	      &ev);
	MATCH("container.mount[1] = '/etc:/host/etc:rbind,ro:false:'", &ev);
	MATCH("container.mounts contains '/var/run/docker.sock:/run/docker.sock'",
	      &ev);
	ct.privileged = -1;
	NO_MATCH("container.privileged exists", &ev);
}

/* What the rule compiler asks: does the syscall have this argument? */
static void test_fields_arg_exists(void **state)
{
	(void)state;
	assert_int_equal(field_syscall_has_arg("symlinkat", "target"), 1);
	assert_int_equal(field_syscall_has_arg("symlinkat", "linkpath"), 1);
	assert_int_equal(field_syscall_has_arg("linkat", "oldpath"), 1);
	assert_int_equal(field_syscall_has_arg("ptrace", "request"), 1);
	assert_int_equal(field_syscall_has_arg("bpf", "cmd"), 1);
	assert_int_equal(field_syscall_has_arg("dup2", "newfd"), 1);
	assert_int_equal(field_syscall_has_arg("openat", "flags"), 1);
	assert_int_equal(field_syscall_has_arg("ptrace", "a2"), 1);
	assert_int_equal(field_syscall_has_arg("openat", "res"), 1);
	assert_int_equal(field_syscall_has_arg("openat", "target"), 0);
	assert_int_equal(field_syscall_has_arg("execve", "flags"), 0);
	assert_int_equal(field_syscall_has_arg("no_such_call", "x"), -1);
}

/* Falco's names for flags: unshare/setns, mount, bpf. */
static void test_fields_flag_names(void **state)
{
	struct event ev;

	(void)state;
	syscall_event(&ev, "unshare");
	ev.args[0] = 0x20000000 | 0x10000000; /* NEWPID|NEWUSER */
	MATCH("evt.arg.flags = 'CLONE_NEWUSER|CLONE_NEWPID'", &ev);
	syscall_event(&ev, "setns");
	ev.args[1] = 0x40000000;
	MATCH("evt.arg.nstype = CLONE_NEWNET", &ev);
	syscall_event(&ev, "mount");
	ev.args[3] = 0xc0ed0000 | 4096 | 16384;
	MATCH("evt.arg.flags = 'MS_BIND|MS_REC'", &ev);
	syscall_event(&ev, "bpf");
	ev.args[0] = 5;
	MATCH("evt.arg.cmd = BPF_PROG_LOAD", &ev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_op_equal),
		cmocka_unit_test(test_op_relational),
		cmocka_unit_test(test_op_in_intersects),
		cmocka_unit_test(test_op_substring),
		cmocka_unit_test(test_op_glob),
		cmocka_unit_test(test_op_pmatch),
		cmocka_unit_test(test_op_exists_and_unset),
		cmocka_unit_test(test_op_regex_iglob),
		cmocka_unit_test(test_op_binary),
		cmocka_unit_test(test_transformers),
		cmocka_unit_test(test_val),
		cmocka_unit_test(test_unsupported_field),
		cmocka_unit_test(test_bool_fields),
		cmocka_unit_test(test_quoted_strings),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_macros),
		cmocka_unit_test(test_macro_cycle),
		cmocka_unit_test(test_macro_error_position),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_err_unknown_field),
		cmocka_unit_test(test_err_undefined_macro),
		cmocka_unit_test(test_err_unknown_operator),
		cmocka_unit_test(test_err_parentheses),
		cmocka_unit_test(test_err_missing_value),
		cmocka_unit_test(test_err_trailing_garbage),
		cmocka_unit_test(test_err_bad_number),
		cmocka_unit_test(test_err_all_reported),
		cmocka_unit_test(test_err_multiline_position),
		cmocka_unit_test(test_err_unterminated_string),
		cmocka_unit_test(test_event_types),
		cmocka_unit_test(test_fields_evt),
		cmocka_unit_test(test_fields_syscall_args),
		cmocka_unit_test(test_fields_non_syscall),
		cmocka_unit_test(test_fields_proc),
		cmocka_unit_test(test_fields_cmdline_bounded),
		cmocka_unit_test(test_fields_user),
		cmocka_unit_test(test_fields_audit),
		cmocka_unit_test(test_fields_fd_file),
		cmocka_unit_test(test_fields_fd_socket),
		cmocka_unit_test(test_fields_container),
		cmocka_unit_test(test_fields_lineage),
		cmocka_unit_test(test_fields_process_facts),
		cmocka_unit_test(test_fields_fd_table),
		cmocka_unit_test(test_fields_fd_net_and_names),
		cmocka_unit_test(test_fields_container_mounts),
		cmocka_unit_test(test_fields_arg_exists),
		cmocka_unit_test(test_fields_flag_names),
		cmocka_unit_test(test_format_render),
		cmocka_unit_test(test_format_values_unescaped),
		cmocka_unit_test(test_format_errors),
		cmocka_unit_test(test_field_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
