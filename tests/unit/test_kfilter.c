/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kernel rules derived from detection rules (src/engine/kfilter.h and
 * src/kaudit/kplan.h): condition text in, auditctl text out, for every
 * shape the derivation handles (paths, directories, open permissions,
 * outcomes, arguments, ids, socket families, exceptions, or-branches,
 * fallbacks, merging), on a made-up file system. Then the property that
 * matters: on generated events, a rule never matches an event that the
 * derived kernel rules (modelled here as the kernel evaluates them)
 * would not have sent.
 */
#include "config.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/alert.h"
#include "common/diag.h"
#include "common/event.h"
#include "engine/engine.h"
#include "engine/kfilter.h"
#include "kaudit/kplan.h"

/* ---- a made-up file system ---- */

static const char *const fake_dirs[] = {
	"/",
	"/etc",
	"/etc/pam.d",
	"/etc/sudoers.d",
	"/etc/ssh",
	"/etc/cron.d",
	"/root",
	"/root/.ssh",
	"/etc/security",
	"/bin",
	"/sbin",
	"/usr",
	"/usr/bin",
	"/usr/sbin",
	"/usr/local",
	"/usr/local/bin",
	"/home",
	"/home/ann",
	"/home/ann/.ssh",
	"/tmp",
	"/var",
	"/var/log",
	"/dev",
	"/dev/shm",
	"/opt",
	"/r1",
	"/r1/etc",
	"/r1/usr",
	"/r1/usr/bin",
};
static const char *const fake_files[] = {
	"/etc/shadow",	    "/etc/gshadow",	  "/etc/sudoers",
	"/etc/passwd",	    "/etc/pam.conf",	  "/etc/ssh/sshd_config",
	"/usr/bin/passwd",  "/root/.ssh/id_rsa",  "/home/ann/.ssh/id_rsa",
	"/var/log/syslog",  "/etc/hosts",	  "/r1/etc/shadow",
	"/etc/pam.d/login", "/etc/sudoers.d/ann", "/tmp/x",
};

static enum kplan_ftype fake_stat(const char *path, void *ud)
{
	size_t i;

	(void)ud;
	for (i = 0; i < sizeof(fake_dirs) / sizeof(fake_dirs[0]); i++)
		if (strcmp(fake_dirs[i], path) == 0)
			return KPLAN_DIR;
	for (i = 0; i < sizeof(fake_files) / sizeof(fake_files[0]); i++)
		if (strcmp(fake_files[i], path) == 0)
			return KPLAN_OTHER;
	return KPLAN_MISSING;
}

/* ---- helpers ---- */

static struct engine *load(const char *text)
{
	struct engine *e = engine_new();
	struct diag d;
	int r;

	assert_non_null(e);
	diag_init(&d);
	r = engine_load_buffer(e, "t.yaml", text, strlen(text), &d);
	if (r == 0)
		r = engine_compile(e, &d);
	if (r != 0) {
		char buf[1200];
		size_t i;

		for (i = 0; i < d.n; i++) {
			diag_format(&d.items[i], buf, sizeof(buf));
			fprintf(stderr, "  diag: %s\n", buf);
		}
	}
	assert_int_equal(r, 0);
	diag_free(&d);
	return e;
}

static struct kplan *plan_of(struct engine *e, bool pushdown)
{
	struct kplan_opts o = { pushdown, fake_stat, NULL, KPLAN_PATHS_ALL,
				NULL };
	struct kplan *p = NULL;

	assert_int_equal(kplan_build(e, &o, &p), 0);
	return p;
}

/* The rules file for one rule: condition cond. */
static char *rule_yaml(const char *cond)
{
	char *s = NULL;

	assert_true(asprintf(&s,
			     "- rule: r\n  desc: d\n  condition: %s\n"
			     "  output: o\n  priority: WARNING\n",
			     cond) > 0);
	return s;
}

/* The plan's text for a rules file must be exactly want; the notes must
 * contain note (when not NULL). */
static void check_yaml(const char *yaml, const char *want, const char *note)
{
	struct engine *e = load(yaml);
	struct kplan *p = plan_of(e, true);

	if (strcmp(kplan_text(p), want) != 0 ||
	    (note && !strstr(kplan_notes(p), note))) {
		fprintf(stderr, "--- yaml:\n%s--- want:\n%s--- got:\n%s%s",
			yaml, want, kplan_text(p), kplan_notes(p));
		fail();
	}
	kplan_free(p);
	engine_free(e);
}

static void check(const char *cond, const char *want, const char *note)
{
	char *y = rule_yaml(cond);

	check_yaml(y, want, note);
	free(y);
}

#define OPEN_READ                                                         \
	"(evt.type in (open, openat, openat2) and evt.is_open_read=true " \
	"and fd.typechar='f' and fd.num>=0)"
#define OPEN_WRITE                                                         \
	"(evt.type in (open, openat, openat2) and evt.is_open_write=true " \
	"and fd.typechar='f' and fd.num>=0)"
#define OPENS "-a always,exit -S open,openat,openat2"
#define K " -k harrier\n"

/* ---- shapes ---- */

static void test_path_equal_and_in(void **state)
{
	(void)state;
	check(OPEN_READ " and fd.name = /etc/shadow",
	      OPENS " -F perm=r -F success=1 -F path=/etc/shadow" K, NULL);
	check(OPEN_READ " and fd.name in (/etc/shadow, /etc/gshadow)",
	      OPENS " -F perm=r -F success=1 -F path=/etc/gshadow" K OPENS
		    " -F perm=r -F success=1 -F path=/etc/shadow" K,
	      NULL);
	/* a name an event never has (relative, "..") bounds nothing */
	check(OPEN_READ " and fd.name = shadow",
	      OPENS " -F perm=r -F success=1" K, NULL);
	check(OPEN_READ " and fd.name = /etc/../etc/shadow",
	      OPENS " -F perm=r -F success=1" K, NULL);
}

static void test_directories(void **state)
{
	(void)state;
	/* startswith "/dir/" is below dir; fd.directory is below it too */
	check(OPEN_WRITE " and fd.name startswith /etc/",
	      OPENS " -F perm=w -F success=1 -F dir=/etc" K, NULL);
	/* lines that differ only in their directory: one tree for both */
	check(OPEN_WRITE " and fd.directory in (/usr/bin, /usr/sbin)",
	      OPENS " -F perm=w -F success=1 -F dir=/usr/bin" K,
	      "# dir=/usr/bin also covers /usr/sbin (one tree: auditctl -M)");
	/* startswith "/usr/b": a sibling of /usr/bin may start so too */
	check(OPEN_WRITE " and fd.name startswith /usr/b",
	      OPENS " -F perm=w -F success=1 -F dir=/usr" K, NULL);
	/* startswith "/etc": dirname is "/", which bounds nothing */
	check(OPEN_WRITE " and fd.name startswith /etc",
	      OPENS " -F perm=w -F success=1" K, NULL);
	check(OPEN_READ " and fd.name pmatch (/etc/ssh, /root/.ssh/)",
	      OPENS " -F perm=r -F success=1 -F dir=/etc/ssh" K,
	      "# dir=/etc/ssh also covers /root/.ssh");
	check(OPEN_READ " and fd.name glob '/home/*/.ssh/*'",
	      OPENS " -F perm=r -F success=1 -F dir=/home" K, NULL);
	/* a directory constraint and a name under it: the name */
	check(OPEN_READ " and fd.name startswith /etc/ and fd.name in "
			"(/etc/shadow, /tmp/x)",
	      OPENS " -F perm=r -F success=1 -F path=/etc/shadow" K, NULL);
	/* disjoint: can never hold */
	check("evt.type = openat and fd.name startswith /etc/ and "
	      "fd.directory = /usr/bin",
	      "", NULL);
}

static void test_falco_sensitive_files(void **state)
{
	(void)state;
	/* Falco's macro shape: startswith /etc (bounds nothing alone) and
	 * the lists; plus root's ssh keys; exceptions on proc.name */
	check(OPEN_READ
	      " and ((fd.name startswith /etc and (fd.name in (/etc/shadow, "
	      "/etc/sudoers) or fd.directory in (/etc/sudoers.d, "
	      "/etc/pam.d))) or fd.name startswith /root/.ssh/) and not "
	      "proc.name in (sshd, sudo) and not (proc.name = cron and "
	      "fd.name = /etc/shadow)",
	      OPENS " -F perm=r -F success=1 -F path=/etc/shadow" K OPENS
		    " -F perm=r -F success=1 -F path=/etc/sudoers" K OPENS
		    " -F perm=r -F success=1 -F dir=/etc/pam.d" K,
	      "# dir=/etc/pam.d also covers /etc/sudoers.d /root/.ssh");
}

static void test_outcomes(void **state)
{
	(void)state;
	check("evt.type = unlinkat and evt.res = SUCCESS",
	      "-a always,exit -S unlinkat -F success=1" K, NULL);
	check("evt.type = openat and evt.res = EACCES",
	      "-a always,exit -S openat -F exit=-13" K, NULL);
	check("evt.type = openat and evt.res != SUCCESS",
	      "-a always,exit -S openat -F success=0" K, NULL);
	check("evt.type = openat and evt.failed = true",
	      "-a always,exit -S openat -F success=0" K, NULL);
	check("evt.type = openat and not audit.success = true",
	      "-a always,exit -S openat -F success=0" K, NULL);
	/* single values: one rule on their range (a superset) */
	check("evt.type = dup2 and evt.rawres in (0, 1, 2)",
	      "-a always,exit -S dup2 -F exit<=2 -F exit>=0" K,
	      "dup2: 3 rules on single values merged into ranges");
	/* a failed open of a named file: the inode may not be recorded,
	 * so failures go to the kernel without the path */
	check("evt.type = openat and fd.name = /etc/shadow",
	      "-a always,exit -S openat -F path=/etc/shadow" K
	      "-a always,exit -S openat -F success=0" K,
	      NULL);
}

static void test_arguments(void **state)
{
	(void)state;
	check("evt.type = socket and evt.arg.domain contains AF_PACKET",
	      "-a always,exit -S socket -F a0=17" K, NULL);
	check("evt.type = socket and evt.rawarg.domain = 17",
	      "-a always,exit -S socket -F a0=17" K, NULL);
	check("evt.type = ptrace and (evt.arg.request contains PTRACE_ATTACH"
	      " or evt.arg.request contains PTRACE_SEIZE)",
	      "-a always,exit -S ptrace -F a0<=16902 -F a0>=16" K, NULL);
	check("evt.type = kill and evt.arg.sig in (SIGKILL, SIGTERM)",
	      "-a always,exit -S kill -F a1<=15 -F a1>=9" K, NULL);
	/* "not =": not bounded by a list of values */
	check("evt.type = socket and not evt.arg.domain = AF_UNIX",
	      "-a always,exit -S socket" K, NULL);
	check("evt.type = connect and fd.typechar in (4, 6)",
	      "-a always,exit -S connect -F saddr_fam<=10 -F saddr_fam>=2" K,
	      NULL);
	check("evt.type = connect and fd.rport = 4444",
	      "-a always,exit -S connect -F saddr_fam<=10 -F saddr_fam>=2" K,
	      NULL);
	/* != unix: ip (an unknown family has no fd.sockfamily) */
	check("evt.type = connect and fd.sockfamily != unix",
	      "-a always,exit -S connect -F saddr_fam<=10 -F saddr_fam>=2" K,
	      NULL);
	check("evt.type = connect and not fd.sockfamily = unix",
	      "-a always,exit -S connect" K, NULL);
}

static void test_ids(void **state)
{
	(void)state;
	check("evt.type = setuid and user.uid = 0",
	      "-a always,exit -S setuid -F euid=0" K, NULL);
	check("evt.type = setuid and user.loginuid != -1",
	      "-a always,exit -S setuid -F auid!=4294967295" K, NULL);
	check("evt.type = setuid and audit.auid >= 1000",
	      "-a always,exit -S setuid" K, NULL);
	check("evt.type = setuid and audit.uid >= 1000",
	      "-a always,exit -S setuid -F uid>=1000" K, NULL);
	/* not audit.auid != 5: 5, or unset */
	check("evt.type = setuid and not audit.auid != 5",
	      "-a always,exit -S setuid -F auid=5" K
	      "-a always,exit -S setuid -F auid=4294967295" K,
	      NULL);
}

static void test_or_branches_and_merging(void **state)
{
	(void)state;
	/* branches on different syscalls */
	check("(evt.type = openat and " OPEN_WRITE
	      " and fd.name startswith /etc/) or (evt.type in (unlinkat, "
	      "renameat2) and evt.res = SUCCESS and fd.directory = /usr/bin)",
	      "-a always,exit -S openat -F perm=w -F success=1 -F dir=/etc" K
	      "-a always,exit -S renameat2,unlinkat -F success=1 -F "
	      "dir=/usr/bin" K,
	      NULL);
	/* two rules: the directory of one covers the file of the other;
	 * a third audits the same syscalls unfiltered */
	check_yaml("- rule: a\n  desc: d\n  condition: " OPEN_READ
		   " and fd.name = /etc/shadow\n  output: o\n"
		   "  priority: WARNING\n"
		   "- rule: b\n  desc: d\n  condition: " OPEN_READ
		   " and fd.name startswith /etc/\n  output: o\n"
		   "  priority: WARNING\n"
		   "- rule: c\n  desc: d\n  condition: evt.type = unlinkat "
		   "and proc.name = rm\n  output: o\n  priority: WARNING\n",
		   OPENS " -F perm=r -F success=1 -F dir=/etc" K
			 "-a always,exit -S unlinkat" K,
		   "#   rule \"c\": it tests only what the kernel cannot "
		   "(proc.name)");
	/* the same set on several syscalls: one rule */
	check_yaml("- rule: a\n  desc: d\n  condition: evt.type = chmod and "
		   "fd.name = /etc/shadow and evt.res = SUCCESS\n"
		   "  output: o\n  priority: WARNING\n"
		   "- rule: b\n  desc: d\n  condition: evt.type = unlink and "
		   "fd.name = /etc/shadow and evt.res = SUCCESS\n"
		   "  output: o\n  priority: WARNING\n",
		   "-a always,exit -S chmod,unlink -F success=1 -F "
		   "path=/etc/shadow" K,
		   NULL);
	/* trees of directory changes on different calls: one rule with
	 * every call (mkdir below /var/log is sent too: a few events, one
	 * rule fewer) */
	check_yaml("- rule: a\n  desc: d\n  condition: evt.type in (unlink, "
		   "unlinkat) and evt.res = SUCCESS and fd.name startswith "
		   "/var/log/\n  output: o\n  priority: WARNING\n"
		   "- rule: b\n  desc: d\n  condition: evt.type = mkdir and "
		   "evt.res = SUCCESS and fd.directory = /usr/bin\n"
		   "  output: o\n  priority: WARNING\n",
		   "-a always,exit -S mkdir,unlink,unlinkat -F success=1 -F "
		   "dir=/usr/bin" K,
		   "# dir=/usr/bin also covers /var/log (one tree");
	/* not opens: every open below a directory for every mkdir there
	 * would cost more than a rule */
	check_yaml("- rule: a\n  desc: d\n  condition: evt.type = openat "
		   "and evt.res = SUCCESS and fd.name startswith /var/log/\n"
		   "  output: o\n  priority: WARNING\n"
		   "- rule: b\n  desc: d\n  condition: evt.type = mkdir and "
		   "evt.res = SUCCESS and fd.directory = /usr/bin\n"
		   "  output: o\n  priority: WARNING\n",
		   "-a always,exit -S mkdir -F success=1 -F dir=/usr/bin" K
		   "-a always,exit -S openat -F success=1 -F dir=/var/log" K,
		   NULL);
	/* a tree of another shape above both: no tree may take the other's
	 * directory (the kernel would join it to that tree too), so each
	 * keeps its own calls */
	check_yaml("- rule: a\n  desc: d\n  condition: evt.type = unlink "
		   "and evt.res = SUCCESS and fd.name startswith /usr/bin/\n"
		   "  output: o\n  priority: WARNING\n"
		   "- rule: b\n  desc: d\n  condition: evt.type = mkdir and "
		   "evt.res = SUCCESS and fd.name startswith /usr/sbin/\n"
		   "  output: o\n  priority: WARNING\n"
		   "- rule: c\n  desc: d\n  condition: evt.type = openat "
		   "and evt.res = SUCCESS and fd.name startswith /usr/\n"
		   "  output: o\n  priority: WARNING\n",
		   "-a always,exit -S mkdir -F success=1 -F dir=/usr/sbin" K
		   "-a always,exit -S openat -F success=1 -F dir=/usr" K
		   "-a always,exit -S unlink -F success=1 -F dir=/usr/bin" K,
		   NULL);
}

static void test_fallbacks(void **state)
{
	char *big;
	size_t i, off;

	(void)state;
	/* no kernel-visible restriction: the plain rule, and why */
	check("evt.type = execve and proc.name = nc",
	      "-a always,exit -S execve" K,
	      "# execve: unfiltered (the plain syscall rule), needed by:\n"
	      "#   rule \"r\": it tests only what the kernel cannot "
	      "(proc.name)");
	/* a missing file: its directory is watched by the kernel */
	check(OPEN_WRITE " and fd.name = /etc/ld.so.preload",
	      OPENS " -F perm=w -F success=1 -F path=/etc/ld.so.preload" K,
	      NULL);
	/* a missing directory: its nearest existing ancestor */
	check(OPEN_WRITE " and fd.name startswith /etc/systemd/system/",
	      OPENS " -F perm=w -F success=1 -F dir=/etc" K,
	      "# /etc/systemd/system does not exist here: dir=/etc until "
	      "it does");
	check(OPEN_WRITE " and fd.name = /nope/x",
	      OPENS " -F perm=w -F success=1" K,
	      "# /nope/x does not exist here, nor any directory above it "
	      "but /: not filtered by it");
	/* a directory given as a file path: the name itself */
	check(OPEN_READ " and fd.directory = /etc/shadow",
	      OPENS " -F perm=r -F success=1 -F path=/etc/shadow" K, NULL);
	/* too many alternatives: one rule, unfiltered, and why */
	big = malloc(8192);
	assert_non_null(big);
	off = (size_t)snprintf(big, 8192, "%s",
			       "evt.type = openat and fd.name in (");
	for (i = 0; i < 40; i++)
		off += (size_t)snprintf(big + off, 8192 - off, "%s/etc/f%zu",
					i ? ", " : "", i);
	(void)snprintf(big + off, 8192 - off, ")");
	check(big, "-a always,exit -S openat" K, "more than 32 alternatives");
	free(big);
	/* a rare syscall on many files: one rule without the paths (each
	 * path= rule would be repeated for every container root) */
	check("evt.type = chmod and evt.res = SUCCESS and fd.name in "
	      "(/etc/shadow, /etc/gshadow, /etc/sudoers)",
	      "-a always,exit -S chmod -F success=1" K,
	      "chmod: 3 path= filters (repeated for every container root) "
	      "give way to one rule without them");
	/* a frequent one keeps them */
	check(OPEN_READ " and fd.name in (/etc/shadow, /etc/gshadow, "
			"/etc/sudoers)",
	      OPENS " -F perm=r -F success=1 -F path=/etc/gshadow" K OPENS
		    " -F perm=r -F success=1 -F path=/etc/shadow" K OPENS
		    " -F perm=r -F success=1 -F path=/etc/sudoers" K,
	      NULL);
	/* a container's /sys, /proc and /dev are mounts of its own: no
	 * filter on its root reaches them (release_agent in a container) */
	check(OPEN_WRITE " and fd.name pmatch (/sys/fs/cgroup)",
	      OPENS " -F perm=w -F success=1" K,
	      "a container mounts its own /sys");
	check(OPEN_READ " and fd.name = /proc/1/environ",
	      OPENS " -F perm=r -F success=1" K,
	      "a container mounts its own /proc");
}

static int collect_equiv(const char *old, const char *new, void *ud);

/* What harrierd does with a path missing here: until it is there the
 * host is filtered by the nearest directory that exists (a write right
 * after the mkdir is not missed), the plan looks for the path's first
 * missing component, and containers that have the path join a tree: an
 * anchor of harrierd's own when no host rule of the same shape has one,
 * else that rule's tree (one kernel rule fewer). */
static void test_anchors(void **state)
{
	struct kplan_opts o = { true, fake_stat, NULL, KPLAN_PATHS_ALL,
				"/run/h/a" };
	struct strbuf eq = STRBUF_INIT;
	struct kplan *p = NULL;
	struct engine *e;
	char *y = rule_yaml(OPEN_WRITE " and fd.name startswith "
				       "/etc/systemd/system/");

	(void)state;
	e = load(y);
	assert_int_equal(kplan_build(e, &o, &p), 0);
	assert_string_equal(kplan_text(p), OPENS
			    " -F perm=w -F success=1 -F dir=/etc" K);
	assert_non_null(strstr(kplan_notes(p),
			       "# /etc/systemd/system does not exist here: "
			       "looked for (/etc/systemd)"));
	/* the anchor went into /etc's tree: no directory to make, no host
	 * join */
	assert_int_equal(kplan_anchor_count(p), 1);
	assert_null(kplan_anchor(p, 0));
	assert_int_equal(kplan_host_equivs(p, collect_equiv, &eq), 0);
	assert_string_equal(strbuf_str(&eq), "");
	assert_false(kplan_changed(p));
	assert_int_equal(kplan_root_equivs(p, "/r1", collect_equiv, &eq), 0);
	assert_string_equal(strbuf_str(&eq), "/etc=/r1/etc\n");
	strbuf_free(&eq);
	kplan_free(p);
	engine_free(e);
	free(y);
}

/* With anchors, containers are covered by one tree per shape of path=
 * rules, which each root joins its copies of the files' directories
 * to: no kernel rule per container, however many files. */
static void test_container_trees(void **state)
{
	struct kplan_opts o = { true, fake_stat, NULL, KPLAN_PATHS_ALL,
				"/run/h/a" };
	struct strbuf sb = STRBUF_INIT, eq = STRBUF_INIT;
	struct kplan *p = NULL;
	struct engine *e;
	char *y = rule_yaml(OPEN_READ " and fd.name in (/etc/shadow, "
				      "/etc/gshadow, /usr/bin/x)");

	(void)state;
	e = load(y);
	assert_int_equal(kplan_build(e, &o, &p), 0);
	assert_string_equal(kplan_text(p),
			    OPENS " -F perm=r -F success=1 -F "
				  "path=/etc/gshadow" K OPENS
			    " -F perm=r -F success=1 -F path=/etc/shadow" K OPENS
			    " -F perm=r -F success=1 -F path=/usr/bin/x" K OPENS
			    " -F perm=r -F success=1 -F dir=/run/h/a/0" K);
	assert_int_equal(kplan_anchor_count(p), 1);
	assert_int_equal(kplan_root_text(p, "/r1", &sb), 0);
	assert_string_equal(strbuf_str(&sb), "");
	assert_int_equal(kplan_root_equivs(p, "/r1", collect_equiv, &eq), 0);
	assert_string_equal(strbuf_str(&eq),
			    "/run/h/a/0=/r1/etc\n/run/h/a/0=/r1/usr/bin\n");
	strbuf_reset(&eq);
	kplan_free(p);
	engine_free(e);
	free(y);

	/* a host tree of the same shape carries them: no anchor's rule */
	y = rule_yaml(OPEN_READ " and (fd.name in (/etc/shadow, /usr/bin/x) "
				"or fd.directory = /var/log)");
	e = load(y);
	assert_int_equal(kplan_build(e, &o, &p), 0);
	assert_string_equal(kplan_text(p),
			    OPENS " -F perm=r -F success=1 -F "
				  "path=/etc/shadow" K OPENS
			    " -F perm=r -F success=1 -F path=/usr/bin/x" K OPENS
			    " -F perm=r -F success=1 -F dir=/var/log" K);
	assert_int_equal(kplan_anchor_count(p), 0);
	assert_int_equal(kplan_root_equivs(p, "/r1", collect_equiv, &eq), 0);
	assert_string_equal(strbuf_str(&eq),
			    "/var/log=/r1/etc\n/var/log=/r1/usr/bin\n"
			    /* no /var/log in it yet: the root, until then */
			    "/var/log=/r1\n");
	strbuf_free(&sb);
	strbuf_free(&eq);
	kplan_free(p);
	engine_free(e);
	free(y);
}

static void test_no_type_rule_and_record_types(void **state)
{
	(void)state;
	/* a rule of any type is derived for the syscalls others need */
	check_yaml(
		"- rule: a\n  desc: d\n  condition: evt.type = openat and " OPEN_READ
		" and fd.name = /etc/shadow\n  output: o\n"
		"  priority: WARNING\n"
		"- rule: b\n  desc: d\n  condition: fd.name = /etc/hosts "
		"and evt.res = SUCCESS\n  output: o\n  priority: WARNING\n"
		"- rule: c\n  desc: d\n  condition: audit.type = "
		"CONFIG_CHANGE\n  output: o\n  priority: WARNING\n",
		"-a always,exit -S openat -F perm=r -F success=1 -F "
		"path=/etc/shadow" K
		"-a always,exit -S openat -F success=1 -F path=/etc/hosts" K,
		"# some rule has no evt.type restriction");
}

static void test_pushdown_off(void **state)
{
	struct engine *e;
	struct kplan *p;
	char *y = rule_yaml(OPEN_READ " and fd.name = /etc/shadow");

	(void)state;
	e = load(y);
	p = plan_of(e, false);
	assert_string_equal(kplan_text(p),
			    "-a always,exit -S open,openat,openat2 -F "
			    "success=1" K);
	kplan_free(p);
	engine_free(e);
	free(y);
}

static void test_shipped_rules(void **state)
{
	struct engine *e = engine_new();
	struct kplan *p;
	struct diag d;
	const char *t;

	(void)state;
	diag_init(&d);
	assert_int_equal(
		engine_load_file(e, TOP_SRCDIR "/rules/harrier_rules.yaml", &d),
		0);
	assert_int_equal(engine_compile(e, &d), 0);
	diag_free(&d);
	p = plan_of(e, true);
	t = kplan_text(p);
	/* the sensitive reads are pushed down to their paths (or, with a
	 * sensitive directory missing here, to the directory above it
	 * until it is created): no read of any file is sent */
	assert_non_null(strstr(t, " -F perm=r -F success=1 -F "));
	assert_null(strstr(t, " -F perm=r -F success=1 -k"));
	assert_null(strstr(t, "-S open,openat,openat2 -k"));
	assert_null(strstr(t, "-S openat -k"));
	kplan_free(p);
	engine_free(e);
}

/* Remove " -F arch=b64" (there when the machine has a 32-bit ABI too). */
static void drop_arch(struct strbuf *sb)
{
	char *p;

	while ((p = strstr(sb->buf, " -F arch=b64")) != NULL) {
		memmove(p, p + 12, strlen(p + 12) + 1);
		sb->len -= 12;
	}
}

/* What is installed: per ABI; with two, the filtered rules for b64 and
 * one rule per outcome for b32 calls. */
static void test_install_text(void **state)
{
	char *y = rule_yaml(OPEN_READ " and fd.name = /etc/shadow");
	struct engine *e = load(y);
	struct kplan *p = plan_of(e, true);
	const char *t = kplan_install_text(p);

	(void)state;
	if (strstr(t, "arch=b32")) {
		assert_string_equal(t, "-a always,exit -F arch=b64 -S "
				       "open,openat,openat2 -F perm=r -F "
				       "success=1 -F path=/etc/shadow" K
				       "-a always,exit -F arch=b32 -S "
				       "open,openat,openat2 -F success=1" K);
	} else {
		assert_string_equal(t, kplan_text(p));
	}
	kplan_free(p);
	engine_free(e);
	free(y);
}

/* Containers: the file watches under a root, the trees extended. */
static int collect_equiv(const char *old, const char *new, void *ud)
{
	struct strbuf *sb = ud;

	strbuf_appendf(sb, "%s=%s\n", old, new);
	return 0;
}

static void test_container_roots(void **state)
{
	struct strbuf sb = STRBUF_INIT, eq = STRBUF_INIT;
	struct engine *e;
	struct kplan *p;
	char *y = rule_yaml(OPEN_READ " and (fd.name in (/etc/shadow, "
				      "/etc/gshadow) or fd.directory in "
				      "(/usr/bin, /etc/pam.d))");

	(void)state;
	e = load(y);
	p = plan_of(e, true);
	assert_true(kplan_has_paths(p));
	assert_int_equal(kplan_root_text(p, "/r1", &sb), 0);
	drop_arch(&sb);
	/* /r1/etc/gshadow is missing but /r1/etc is there: a watch */
	assert_string_equal(strbuf_str(&sb), OPENS
			    " -F perm=r -F success=1 -F "
			    "path=/r1/etc/gshadow -k harrier_ct\n" OPENS
			    " -F perm=r -F success=1 -F path=/r1/etc/shadow "
			    "-k harrier_ct\n");
	assert_int_equal(kplan_root_equivs(p, "/r1", collect_equiv, &eq), 0);
	/* /r1/etc/pam.d is missing: its nearest directory in the root */
	assert_string_equal(strbuf_str(&eq),
			    "/etc/pam.d=/r1/usr/bin\n/etc/pam.d=/r1/etc\n");
	strbuf_free(&sb);
	strbuf_free(&eq);
	kplan_free(p);
	engine_free(e);
	free(y);
}

/* ---- the property: never narrower than the rule ---- */

/* The kernel, as far as these rules go: an event is sent when some line
 * of the plan names its syscall and all of the line's fields hold. */
static uint32_t acc_mode(const struct event *ev)
{
	uint64_t flags;

	if (strcmp(ev->syscall_name, "open") == 0)
		flags = ev->args[1];
	else if (strcmp(ev->syscall_name, "openat") == 0)
		flags = ev->args[2];
	else
		return 6; /* openat2: flags not in the record; be lenient */
	return "\004\002\006\006"[flags & O_ACCMODE];
}

static bool u32_cmp(uint32_t x, const char *op, uint32_t v)
{
	if (strcmp(op, "=") == 0)
		return x == v;
	if (strcmp(op, "!=") == 0)
		return x != v;
	if (strcmp(op, "<") == 0)
		return x < v;
	if (strcmp(op, "<=") == 0)
		return x <= v;
	if (strcmp(op, ">") == 0)
		return x > v;
	return x >= v;
}

static bool kernel_field(const struct event *ev, const char *f)
{
	char name[32], op[3] = "";
	const char *val;
	size_t nl = strcspn(f, "=!<>");
	size_t ol = strspn(f + nl, "=!<>");
	uint32_t v;
	size_t i;

	assert_true(nl < sizeof(name) && ol < sizeof(op));
	memcpy(name, f, nl);
	name[nl] = '\0';
	memcpy(op, f + nl, ol);
	op[ol] = '\0';
	val = f + nl + ol;
	v = (uint32_t)strtoll(val, NULL, 10);
	if (strcmp(name, "success") == 0)
		return (ev->success == 1) == (v == 1);
	if (strcmp(name, "exit") == 0)
		return u32_cmp((uint32_t)ev->exit, op, v);
	if (name[0] == 'a' && name[1] >= '0' && name[1] <= '3' && !name[2])
		return u32_cmp((uint32_t)ev->args[name[1] - '0'], op, v);
	if (strcmp(name, "euid") == 0)
		return u32_cmp(ev->euid, op, v);
	if (strcmp(name, "uid") == 0)
		return u32_cmp(ev->uid, op, v);
	if (strcmp(name, "auid") == 0)
		return u32_cmp(ev->auid, op, v);
	if (strcmp(name, "perm") == 0)
		return (acc_mode(ev) & ((strchr(val, 'r') ? 4 : 0) |
					(strchr(val, 'w') ? 2 : 0))) != 0;
	if (strcmp(name, "saddr_fam") == 0)
		return ev->sockaddr.family != EVENT_SOCK_NONE &&
		       u32_cmp((uint32_t)ev->sockaddr.raw_family, op, v);
	if (strcmp(name, "path") == 0 || strcmp(name, "dir") == 0) {
		/* inodes are names in this world */
		for (i = 0; i < ev->npaths; i++) {
			const char *n = ev->paths[i].name;

			if (!n || !ev->paths[i].has_inode)
				continue;
			if (name[0] == 'p' ? strcmp(n, val) == 0
					   : kfilter_path_under(n, val))
				return true;
		}
		return false;
	}
	fail_msg("model lacks field %s", name);
	return false;
}

/* The kernel's view of a plan: its text, and for each dir= line a copy
 * for every directory joined to a tree at or above its own (auditctl -M
 * joins new to every tree whose path is old's or above it). */
struct joins {
	struct strbuf *sb;
	const char *text;
};

static int join_cb(const char *old, const char *new, void *ud)
{
	struct joins *j = ud;
	char *copy = strdup(j->text), *line, *save = NULL;

	assert_non_null(copy);
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *d = strstr(line, " -F dir="), *end;

		if (!d)
			continue;
		end = strchr(d + 8, ' ');
		assert_non_null(end);
		*end = '\0';
		if (kfilter_path_under(old, d + 8)) {
			*d = '\0';
			strbuf_appendf(j->sb, "%s -F dir=%s %s\n", line, new,
				       end + 1);
			*d = ' ';
		}
		*end = ' ';
	}
	free(copy);
	return 0;
}

static char *kernel_view(const struct kplan *p)
{
	struct strbuf sb = STRBUF_INIT;
	struct joins j = { &sb, kplan_text(p) };
	char *r;

	strbuf_appends(&sb, kplan_text(p));
	assert_int_equal(kplan_host_equivs(p, join_cb, &j), 0);
	r = strdup(strbuf_str(&sb));
	strbuf_free(&sb);
	assert_non_null(r);
	return r;
}

static bool kernel_sends(const char *text, const struct event *ev)
{
	char *copy = strdup(text), *line, *save = NULL;
	bool sent = false;

	assert_non_null(copy);
	for (line = strtok_r(copy, "\n", &save); line && !sent;
	     line = strtok_r(NULL, "\n", &save)) {
		char *tok, *s2 = NULL;
		bool ok = true, named = false;

		for (tok = strtok_r(line, " ", &s2); tok && ok;
		     tok = strtok_r(NULL, " ", &s2)) {
			if (strcmp(tok, "-S") == 0) {
				char *sc = strtok_r(NULL, " ", &s2), *p, *s3;

				for (p = strtok_r(sc, ",", &s3); p;
				     p = strtok_r(NULL, ",", &s3))
					named |= strcmp(p, ev->syscall_name) ==
						 0;
				ok = named;
			} else if (strcmp(tok, "-F") == 0) {
				ok = kernel_field(ev, strtok_r(NULL, " ", &s2));
			}
		}
		sent = ok && named;
	}
	free(copy);
	return sent;
}

static bool syscall_planned(const char *text, const char *sc)
{
	char pat[64];

	(void)snprintf(pat, sizeof(pat), ",%s ", sc);
	if (strstr(text, pat))
		return true;
	(void)snprintf(pat, sizeof(pat), ",%s,", sc);
	if (strstr(text, pat))
		return true;
	(void)snprintf(pat, sizeof(pat), "-S %s ", sc);
	if (strstr(text, pat))
		return true;
	(void)snprintf(pat, sizeof(pat), "-S %s,", sc);
	return strstr(text, pat) != NULL;
}

/* Rules of every shape above, over the same made-up world. */
static const char prop_rules[] =
	"- list: sens\n  items: [/etc/shadow, /etc/sudoers, /etc/gshadow]\n"
	"- macro: open_read\n  condition: " OPEN_READ "\n"
	"- macro: open_write\n  condition: " OPEN_WRITE "\n"
	"- rule: sens\n  desc: d\n  condition: open_read and ((fd.name "
	"startswith /etc and (fd.name in (sens) or fd.directory in "
	"(/etc/sudoers.d, /etc/pam.d))) or fd.name startswith /root/.ssh/) "
	"and not proc.name in (sshd)\n  output: o\n  priority: WARNING\n"
	"- rule: etcw\n  desc: d\n  condition: open_write and fd.name "
	"startswith /etc/ and not fd.name pmatch (/etc/hosts)\n  output: o\n"
	"  priority: WARNING\n"
	"- rule: bins\n  desc: d\n  condition: (open_write or (evt.type in "
	"(unlink, unlinkat, rename, renameat, renameat2, mkdir, mkdirat) and "
	"evt.res = SUCCESS)) and fd.directory in (/bin, /usr/bin, /sbin, "
	"/usr/sbin)\n  output: o\n  priority: WARNING\n"
	"- rule: keys\n  desc: d\n  condition: evt.type in (open, openat) "
	"and fd.name glob '/home/*/.ssh/*'\n  output: o\n  priority: WARNING\n"
	"- rule: fails\n  desc: d\n  condition: evt.type = openat and "
	"evt.res in (EACCES, EPERM) and fd.name startswith /root/\n"
	"  output: o\n  priority: WARNING\n"
	"- rule: pkt\n  desc: d\n  condition: evt.type = socket and "
	"evt.arg.domain contains AF_PACKET\n  output: o\n  priority: WARNING\n"
	"- rule: ptr\n  desc: d\n  condition: evt.type = ptrace and "
	"(evt.arg.request contains PTRACE_ATTACH or evt.rawarg.request = 0)"
	"\n  output: o\n  priority: WARNING\n"
	"- rule: net\n  desc: d\n  condition: evt.type = connect and "
	"fd.typechar in (4, 6) and not fd.rport in (53, 443)\n  output: o\n"
	"  priority: WARNING\n"
	"- rule: ids\n  desc: d\n  condition: evt.type in (setuid, kill) and "
	"(user.uid = 0 or not audit.auid != 1000) and evt.rawres >= 0\n"
	"  output: o\n  priority: WARNING\n"
	"- rule: dup\n  desc: d\n  condition: evt.type = dup2 and "
	"evt.rawres in (0, 1, 2) and proc.name = sh\n  output: o\n"
	"  priority: WARNING\n"
	"- rule: notpath\n  desc: d\n  condition: evt.type = unlinkat and not "
	"fd.name startswith /tmp/\n  output: o\n  priority: WARNING\n"
	"- rule: prefix\n  desc: d\n  condition: open_read and fd.name "
	"startswith /etc and proc.name = cat\n  output: o\n"
	"  priority: WARNING\n"
	"- rule: anytype\n  desc: d\n  condition: fd.name = /etc/passwd\n"
	"  output: o\n  priority: WARNING\n";

static const char *const prop_paths[] = {
	"/etc/shadow",
	"/etc/sudoers",
	"/etc/gshadow",
	"/etc/passwd",
	"/etc/hosts",
	"/etc/pam.d/login",
	"/etc/sudoers.d/ann",
	"/etc/new/x",
	"/etcx/shadow",
	"/root/.ssh/id_rsa",
	"/root/x",
	"/home/ann/.ssh/id_rsa",
	"/home/ann/x",
	"/usr/bin/passwd",
	"/usr/bin/new",
	"/bin/sh",
	"/tmp/x",
	"/var/log/syslog",
	"/usr/local/bin/x",
	"/etc/ssh/sshd_config",
};
static const char *const prop_syscalls[] = {
	"open",	  "openat", "openat2", "unlink", "unlinkat", "rename", "mkdir",
	"socket", "ptrace", "connect", "setuid", "kill",     "dup2",   "execve",
};
static const char *const prop_comms[] = { "cat", "sshd", "sh", "rm" };

struct hits {
	size_t n;
	struct alert *a[32];
};

static void hit(struct alert *a, void *ud)
{
	struct hits *h = ud;

	if (h->n < 32)
		h->a[h->n++] = a;
	else
		alert_free(a);
}

static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void test_property_superset(void **state)
{
	static const uint64_t arg_vals[] = { 0,	    1,	 2,    16,
					     17,    9,	 15,   0x4206,
					     0x241, 0x2, 0x42, 0xffffff9c };
	static const int64_t exits[] = { 0, 1, 2, 3, 5, -1, -2, -13 };
	static const uint32_t ids[] = { 0, 1000, 1001, 4294967295U };
	struct engine *e = load(prop_rules);
	struct kplan *p = plan_of(e, true);
	char *text = kernel_view(p);
	struct event_path paths[2];
	struct event ev;
	struct hits h;
	uint32_t seed = 12345;
	size_t i, k, matched = 0;

	(void)state;
	for (i = 0; i < 200000; i++) {
		memset(&ev, 0, sizeof(ev));
		memset(paths, 0, sizeof(paths));
		ev.kind = EVENT_KIND_SYSCALL;
		ev.type_name = "SYSCALL";
		ev.syscall_name =
			prop_syscalls[rnd(&seed) % (sizeof(prop_syscalls) /
						    sizeof(prop_syscalls[0]))];
		ev.exit =
			exits[rnd(&seed) % (sizeof(exits) / sizeof(exits[0]))];
		ev.success = ev.exit >= 0;
		ev.has_exit = true;
		for (k = 0; k < 4; k++)
			ev.args[k] =
				arg_vals[rnd(&seed) % (sizeof(arg_vals) /
						       sizeof(arg_vals[0]))];
		ev.pid = 100;
		ev.uid = ids[rnd(&seed) % 4];
		ev.euid = ids[rnd(&seed) % 4];
		ev.auid = ids[rnd(&seed) % 4];
		ev.ses = 1;
		ev.comm = prop_comms[rnd(&seed) % 4];
		if (rnd(&seed) % 3 == 0) {
			static const struct {
				enum event_sockfam f;
				int raw;
			} fams[] = { { EVENT_SOCK_INET, 2 },
				     { EVENT_SOCK_INET6, 10 },
				     { EVENT_SOCK_UNIX, 1 } };
			k = rnd(&seed) % 3;
			ev.sockaddr.family = fams[k].f;
			ev.sockaddr.raw_family = fams[k].raw;
			(void)snprintf(ev.sockaddr.addr,
				       sizeof(ev.sockaddr.addr), "10.1.2.3");
			ev.sockaddr.port =
				(uint16_t)(rnd(&seed) % 2 ? 53 : 4444);
			ev.sockaddr.path = "/run/s";
		}
		if (rnd(&seed) % 5) {
			/* a PATH item; failed calls may lack the inode */
			paths[0].name =
				prop_paths[rnd(&seed) % (sizeof(prop_paths) /
							 sizeof(prop_paths[0]))];
			paths[0].raw_name = paths[0].name;
			paths[0].nametype = "NORMAL";
			paths[0].has_inode = ev.success || rnd(&seed) % 2;
			ev.paths = paths;
			ev.npaths = 1;
		}
		h.n = 0;
		assert_true(engine_eval(e, &ev, hit, &h) >= 0);
		/* a rule of any type sees only the syscalls others need */
		if (h.n == 1 && strcmp(h.a[0]->rule, "anytype") == 0 &&
		    !syscall_planned(text, ev.syscall_name)) {
			alert_free(h.a[0]);
			continue;
		}
		if (h.n == 0)
			continue;
		matched++;
		if (!kernel_sends(text, &ev)) {
			fprintf(stderr,
				"rule %s matched %s %s exit=%lld a0=%llx "
				"a1=%llx a2=%llx but the kernel rules would "
				"not send it:\n%s",
				h.a[0]->rule, ev.syscall_name,
				ev.npaths ? paths[0].name : "-",
				(long long)ev.exit,
				(unsigned long long)ev.args[0],
				(unsigned long long)ev.args[1],
				(unsigned long long)ev.args[2], text);
			fail();
		}
		for (k = 0; k < h.n; k++)
			alert_free(h.a[k]);
	}
	/* the generator reaches the rules: a property over nothing proves
	 * nothing */
	assert_true(matched > 1000);
	free(text);
	kplan_free(p);
	engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_equal_and_in),
		cmocka_unit_test(test_directories),
		cmocka_unit_test(test_falco_sensitive_files),
		cmocka_unit_test(test_outcomes),
		cmocka_unit_test(test_arguments),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_or_branches_and_merging),
		cmocka_unit_test(test_fallbacks),
		cmocka_unit_test(test_anchors),
		cmocka_unit_test(test_container_trees),
		cmocka_unit_test(test_no_type_rule_and_record_types),
		cmocka_unit_test(test_pushdown_off),
		cmocka_unit_test(test_shipped_rules),
		cmocka_unit_test(test_install_text),
		cmocka_unit_test(test_container_roots),
		cmocka_unit_test(test_property_superset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
