/* SPDX-License-Identifier: Apache-2.0 */
/*
 * harrierd's kernel audit control: builds Harrier's kernel rule set,
 * installs, swaps and removes it, heals tampering (rules removed, audit
 * disabled) and keeps the crash-restore state. It must never touch a rule
 * whose key does not start with "harrier", set enabled 2 or change the
 * failure mode.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/diag.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "kaudit/kaudit.h"
#include "kaudit/kernel_rules.h"
#include "kaudit/kplan.h"
#include "kaudit/kroots.h"
#include "kaudit/kstate.h"
#include "kaudit/kstatus.h"

/* A restore plan goes to kaudit_status_set as it is. */
_Static_assert(KSTATE_KEEP == KAUDIT_KEEP,
	       "kstate and kstatus disagree on 'keep this value'");

/* Directories joined to a tree (auditctl -M). The kernel's join is on
 * the directory's inode: one removed and made again (mv away, mkdir) is
 * out of the tree until joined again, which nothing else would tell. */
struct kjoin {
	char *tree, *dir;
	dev_t dev;
	ino_t ino; /* 0: missing or unknown */
};

struct kjoins {
	struct kjoin *v;
	size_t n;
};

/* A container root the path filters are extended to. */
struct kroot {
	char *path; /* host-visible */
	char *cgroup; /* from its runtime's bundle, or NULL */
	dev_t dev;
	ino_t ino;
	struct kernel_rules *rules; /* its file watches */
	struct kjoins joins;
	uint64_t added_ms, seen_ms;
};

struct kaudit {
	struct kernel_rules *krules;
	struct kplan *plan;
	struct kjoins joins; /* the host's */
	struct kroot *roots;
	size_t nroots;
	uint64_t last_scan_ms;
	/* container ids whose root is known (execve check), a ring */
	char *ct_seen[2 * HARRIER_KAUDIT_MAX_ROOTS];
	size_t ct_next;
	enum kplan_paths paths; /* fewer past the bound, see fewer_paths */
	uint64_t unreachable_warned_ms;
	void (*hint)(pid_t pid, const char *cgroup, void *ud);
	void *hint_ud;
	/* what the set was built from (borrowed; the caller's) */
	const struct config *config;
	const struct engine *engine;
	bool rules_installed; /* we tried: remove ours at stop */
	bool tamper_pending;
	bool disabled_warned; /* multicast mode: said so once */
	enum kaudit_reader reader;
	bool locked;
	/* kernel settings from before us (or before a crashed run) */
	struct kstate *kstate;
};

struct kaudit *kaudit_new(const char *kstate_path)
{
	struct kaudit *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	if (kstate_path) {
		k->kstate = kstate_new(kstate_path);
		if (!k->kstate) {
			free(k);
			return NULL;
		}
	}
	return k;
}

static void kaudit_scan_roots(struct kaudit *k);

static void joins_clear(struct kjoins *j)
{
	size_t i;

	for (i = 0; i < j->n; i++) {
		free(j->v[i].tree);
		free(j->v[i].dir);
	}
	free(j->v);
	j->v = NULL;
	j->n = 0;
}

static void root_clear(struct kroot *r)
{
	free(r->path);
	free(r->cgroup);
	kernel_rules_free(r->rules);
	joins_clear(&r->joins);
	memset(r, 0, sizeof(*r));
}

void kaudit_free(struct kaudit *k)
{
	size_t i;

	if (!k)
		return;
	for (i = 0; i < k->nroots; i++)
		root_clear(&k->roots[i]);
	free(k->roots);
	for (i = 0; i < sizeof(k->ct_seen) / sizeof(k->ct_seen[0]); i++)
		free(k->ct_seen[i]);
	kstate_free(k->kstate);
	kernel_rules_free(k->krules);
	kplan_free(k->plan);
	joins_clear(&k->joins);
	free(k);
}

/* The plan's notes ("# ..." lines), one log line each. */
static void log_notes(const char *notes)
{
	const char *p = notes, *nl;

	while (*p) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		log_info("kernel audit rules: %.*s",
			 (int)(nl - p - 2 > 0 ? nl - p - 2 : 0),
			 nl - p >= 2 ? p + 2 : p);
		p = *nl ? nl + 1 : nl;
	}
}

/* audit.track_forks: successful forks keep the process table current, so
 * that the child of a parent that only forked and is gone still has its
 * container. fork and vfork are not syscalls on every architecture
 * (aarch64): then clone and clone3 alone. */
static int add_fork_rule(struct kernel_rules *kr)
{
	static const char *const texts[] = {
		"-a always,exit -S clone,clone3,fork,vfork -F success=1 "
		"-k harrier_fork\n",
		"-a always,exit -S clone,clone3 -F success=1 -k harrier_fork\n",
	};
	struct diag d;
	size_t i;
	int r = -EINVAL;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]) && r == -EINVAL; i++) {
		diag_init(&d);
		r = kernel_rules_load_buffer(kr, "audit.track_forks", texts[i],
					     strlen(texts[i]), &d);
		if (r < 0 && i + 1 == sizeof(texts) / sizeof(texts[0]))
			log_diag(&d);
		diag_free(&d);
	}
	return r;
}

/* harrierd's own pid as the target of kill, tkill and tgkill: the shipped
 * rules say who stopped or killed it (the service manager is expected,
 * anything else is tampering). The detection rules on these syscalls
 * require this key, so the syscalls get no rule of their own: signals
 * between other processes are never audited. Signals to another thread
 * of harrierd by tid, to its process group and through pidfds are not
 * covered. */
#define KAUDIT_SELF_SIGNAL_KEY "harrier_self_signal"

static const char *const builtin_keys[] = { KAUDIT_SELF_SIGNAL_KEY };
#define NKEYS (sizeof(builtin_keys) / sizeof(builtin_keys[0]))

/* Container roots appear through these (kroots_from_mount). */
static const char *const root_syscalls[] = { "mount", "pivot_root" };

static struct kplan_opts plan_opts(bool pushdown, enum kplan_paths paths)
{
	struct kplan_opts po = { pushdown,
				 NULL,
				 NULL,
				 paths,
				 KAUDIT_ANCHORS_DIR,
				 builtin_keys,
				 NKEYS,
				 root_syscalls,
				 sizeof(root_syscalls) / sizeof(root_syscalls[0]) };

	return po;
}

static int add_self_signal_rule(struct kernel_rules *kr)
{
	char text[128];
	struct diag d;
	int r;

	(void)snprintf(text, sizeof(text),
		       "-a always,exit -S kill,tkill,tgkill -F a0=%ld "
		       "-k " KAUDIT_SELF_SIGNAL_KEY "\n",
		       (long)getpid());
	diag_init(&d);
	r = kernel_rules_load_buffer(kr, "harrierd", text, strlen(text), &d);
	if (r < 0)
		log_diag(&d);
	diag_free(&d);
	return r;
}

/* Runtime binaries whose start of a container names its root; audited
 * (exe= rule) when the detection rules do not audit every execve. */
static const char *const runtime_exes[] = {
	"/usr/sbin/runc",      "/usr/bin/runc", "/usr/local/sbin/runc",
	"/usr/local/bin/runc", "/usr/bin/crun", "/usr/local/bin/crun",
};

/* With path filters, container roots must be learnt of as they appear:
 * mounts (rare; root_syscalls, in the plan's rules) and the runtime's
 * start of a container. */
static int add_root_rules(struct kernel_rules *kr, const struct kplan *plan)
{
	struct strbuf t = STRBUF_INIT;
	struct diag d;
	struct stat st;
	size_t i;
	int r;

	if (!kplan_has_paths(plan))
		return 0;
	if (!kplan_sends_all_successes(plan, "execve"))
		for (i = 0; i < sizeof(runtime_exes) / sizeof(runtime_exes[0]);
		     i++)
			if (stat(runtime_exes[i], &st) == 0)
				strbuf_appendf(&t,
					       "-a always,exit -S execve -F "
					       "success=1 -F exe=%s "
					       "-k harrier_roots\n",
					       runtime_exes[i]);
	if (strbuf_failed(&t)) {
		strbuf_free(&t);
		return -ENOMEM;
	}
	diag_init(&d);
	r = kernel_rules_load_buffer(kr, "(container roots)", strbuf_str(&t),
				     t.len, &d);
	if (r < 0)
		log_diag(&d);
	diag_free(&d);
	strbuf_free(&t);
	return r;
}

/* Build Harrier's kernel rule set: the audit-rules directory, the fork
 * rule, and the rules the detection rules need (kplan: pushed down, or
 * plain syscall rules with audit.pushdown off). *ret_plan gets the plan
 * (containers use it). */
/* capture.syscalls: syscalls audited only so that captures see them
 * (every connect, say). One rule keyed harrier_capture, per ABI; a name
 * the kernel does not know fails the rule set, named by the config key.
 * It comes last: the kernel records the key of the first rule a call
 * matches, and the keys of the rules before it mean something (a signal
 * to harrierd, a watched path appearing, a container root); harrierd's
 * own events and tampering are told by those and by CONFIG_CHANGE, never
 * by this key. */
static int add_capture_rule(struct kernel_rules *kr, const struct config *c)
{
	struct strbuf sb = STRBUF_INIT;
	struct diag d;
	size_t i;
	int r;

	if (!c->capture_enabled || !c->ncapture_syscalls)
		return 0;
	strbuf_appends(&sb, "-a always,exit -S ");
	for (i = 0; i < c->ncapture_syscalls; i++) {
		const char *n = c->capture_syscalls[i];

		if (!*n || strspn(n, "abcdefghijklmnopqrstuvwxyz0123456789_") !=
				   strlen(n)) {
			log_error("capture.syscalls: '%s' is not a syscall "
				  "name", n);
			strbuf_free(&sb);
			return -EINVAL;
		}
		strbuf_appendf(&sb, "%s%s", i ? "," : "", n);
	}
	strbuf_appends(&sb, " -k harrier_capture\n");
	if (strbuf_failed(&sb))
		return -ENOMEM;
	diag_init(&d);
	r = kernel_rules_load_buffer(kr, "capture.syscalls", strbuf_str(&sb),
				     sb.len, &d);
	log_diag(&d);
	diag_free(&d);
	strbuf_free(&sb);
	return r;
}

static struct kernel_rules *build_kernel_rules(const struct config *c,
					       const struct engine *e,
					       enum kplan_paths paths,
					       struct kplan **ret_plan)
{
	struct kernel_rules *kr = kernel_rules_new((pid_t)getpid());
	struct kplan_opts po = plan_opts(c->pushdown, paths);
	struct kplan *plan = NULL;
	struct kplan_stats st;
	const char *text;
	size_t nfile, ncapture;
	struct diag d;
	int r;

	if (!kr)
		return NULL;
	diag_init(&d);
	r = kernel_rules_load_dir(kr, c->audit_rules_dir, &d);
	log_diag(&d);
	diag_free(&d);
	if (r < 0)
		goto fail;
	if (c->track_forks && add_fork_rule(kr) < 0)
		goto fail;
	nfile = kernel_rules_count(kr);
	if (add_self_signal_rule(kr) < 0)
		goto fail;
	r = kplan_build(e, &po, &plan);
	if (r < 0) {
		log_error("cannot derive kernel audit rules: %s", strerror(-r));
		goto fail;
	}
	text = kplan_install_text(plan);
	diag_init(&d);
	r = kernel_rules_load_buffer(kr, "(detection rules)", text,
				     strlen(text), &d);
	if (r < 0) {
		/* a bug, not bad input: say what libaudit refused */
		log_diag(&d);
		diag_free(&d);
		log_error("cannot build the derived kernel audit rules");
		goto fail;
	}
	diag_free(&d);
	if (add_root_rules(kr, plan) < 0)
		goto fail;
	ncapture = kernel_rules_count(kr);
	if (add_capture_rule(kr, c) < 0)
		goto fail;
	ncapture = kernel_rules_count(kr) - ncapture;
	kplan_get_stats(plan, &st);
	log_info("kernel audit rules: %zu from %s%s, %zu for %zu syscalls of "
		 "the detection rules, one for signals to harrierd (%s; %zu "
		 "unfiltered, %zu dir= and %zu path= filters), %zu for "
		 "capture.syscalls",
		 nfile, c->audit_rules_dir,
		 c->track_forks ? " and audit.track_forks" : "",
		 kernel_rules_count(kr) - nfile - ncapture, st.syscalls,
		 c->pushdown ? "pushed down" : "audit.pushdown off", st.plain,
		 st.trees, st.watches, ncapture);
	log_notes(kplan_notes(plan));
	*ret_plan = plan;
	return kr;
fail:
	kplan_free(plan);
	kernel_rules_free(kr);
	return NULL;
}

int kaudit_build(struct kaudit *k, const struct config *c,
		 const struct engine *e)
{
	struct kplan *plan = NULL;
	struct kernel_rules *kr =
		build_kernel_rules(c, e, KPLAN_PATHS_ALL, &plan);

	if (!kr)
		return -EINVAL;
	kernel_rules_free(k->krules);
	kplan_free(k->plan);
	k->krules = kr;
	k->plan = plan;
	k->config = c;
	k->engine = e;
	k->paths = KPLAN_PATHS_ALL;
	return 0;
}

int kaudit_print_rules(const struct engine *e, bool pushdown, FILE *out)
{
	struct kplan_opts po = plan_opts(pushdown, KPLAN_PATHS_ALL);
	struct kplan *plan = NULL;
	int r = kplan_build(e, &po, &plan);

	if (r < 0)
		return r;
	(void)fprintf(out,
		      "# Kernel audit rules for the detection rules (%s). "
		      "harrierd adds\n# -F pid!=<its pid> to each, and the "
		      "rules of its audit-rules directory.\n# Each container "
		      "root gets the path= rules under it, and the dir= "
		      "trees\n# extended to it.\n%s%s",
		      pushdown ? "filters pushed down" : "audit.pushdown off",
		      kplan_install_text(plan), kplan_notes(plan));
	kplan_free(plan);
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int install_set(struct kernel_rules *set, const char *what)
{
	char *err = NULL;
	int r = kernel_rules_install(set, &err);

	if (r < 0) {
		log_error("cannot install %s: %s", what,
			  err ? err : strerror(-r));
		free(err);
	}
	return r;
}

static int make_equiv(const char *old, const char *new)
{
	char *err = NULL;
	int r = kernel_rules_make_equiv(old, new, &err);

	if (r < 0) {
		log_warning("%s", err ? err : strerror(-r));
		free(err);
	}
	return r;
}

static void join_stat(struct kjoin *j)
{
	struct stat st;

	if (stat(j->dir, &st) < 0) {
		j->dev = 0;
		j->ino = 0;
	} else {
		j->dev = st.st_dev;
		j->ino = st.st_ino;
	}
}

/* kplan's join callback: join, and remember the directory's inode
 * (ud: the struct kjoins). */
static int join_cb(const char *old, const char *new, void *ud)
{
	struct kjoins *js = ud;
	struct kjoin *nv, *j;
	int r = make_equiv(old, new);

	nv = realloc(js->v, (js->n + 1) * sizeof(*nv));
	if (!nv)
		return r < 0 ? r : -ENOMEM;
	js->v = nv;
	j = &js->v[js->n];
	j->tree = strdup(old);
	j->dir = strdup(new);
	if (!j->tree || !j->dir) {
		free(j->tree);
		free(j->dir);
		return r < 0 ? r : -ENOMEM;
	}
	js->n++;
	join_stat(j);
	return r;
}

/* Join again what was made again since (one stat each). */
static void joins_check(struct kjoins *js)
{
	size_t i;

	for (i = 0; i < js->n; i++) {
		struct kjoin *j = &js->v[i];
		dev_t dev = j->dev;
		ino_t ino = j->ino;

		join_stat(j);
		if (!j->ino || (j->dev == dev && j->ino == ino))
			continue;
		log_info("%s was made again: joined to the kernel audit tree "
			 "of %s again",
			 j->dir, j->tree);
		(void)make_equiv(j->tree, j->dir);
	}
}

/* A root's watches (built from the current plan) in, its directories
 * joined to the host's trees. */
static int root_install(struct kaudit *k, struct kroot *rt)
{
	struct strbuf t = STRBUF_INIT;
	struct kernel_rules *kr;
	struct diag d;
	int r;

	if (k->paths == KPLAN_PATHS_ALL) {
		r = kplan_root_text(k->plan, rt->path, &t);
		if (r < 0) {
			strbuf_free(&t);
			return r;
		}
	}
	kr = kernel_rules_new((pid_t)getpid());
	if (!kr) {
		strbuf_free(&t);
		return -ENOMEM;
	}
	diag_init(&d);
	r = kernel_rules_load_buffer(kr, rt->path, strbuf_str(&t), t.len, &d);
	if (r < 0)
		log_diag(&d);
	diag_free(&d);
	strbuf_free(&t);
	if (r < 0) {
		kernel_rules_free(kr);
		return r;
	}
	kernel_rules_free(rt->rules);
	rt->rules = kr;
	r = install_set(kr, "a container root's kernel audit rules");
	joins_clear(&rt->joins);
	(void)kplan_root_equivs(k->plan, rt->path, join_cb, &rt->joins);
	return r;
}

static void log_root(const char *what, const struct kroot *rt)
{
	log_info("container root %s: %s (%zu kernel rules of its own)",
		 rt->path, what, rt->rules ? kernel_rules_count(rt->rules) : 0);
}

/* The sets to keep in the kernel: the host's and every root's. */
static const struct kernel_rules **keep_sets(struct kaudit *k, size_t *ret_n)
{
	const struct kernel_rules **v = calloc(k->nroots + 1, sizeof(*v));
	size_t i;

	if (!v)
		return NULL;
	v[0] = k->krules;
	for (i = 0; i < k->nroots; i++)
		v[i + 1] = k->roots[i].rules;
	*ret_n = k->nroots + 1;
	return v;
}

/* Every harrier rule in the kernel but ours (all = true: all of them). */
static int remove_kernel_rules(struct kaudit *k, bool all)
{
	const struct kernel_rules **keep = NULL;
	unsigned int removed = 0;
	size_t n = 0;
	char *err = NULL;
	int r;

	if (!all) {
		keep = keep_sets(k, &n);
		if (!keep)
			return -ENOMEM;
	}
	r = kernel_rules_remove_except_sets(keep, n, &removed, &err);
	free(keep);
	if (r < 0) {
		log_error("cannot remove Harrier's kernel audit rules: %s",
			  err ? err : strerror(-r));
		free(err);
		return r;
	}
	if (removed > 0)
		log_info("removed %u kernel audit rules", removed);
	return 0;
}

/* The plan's anchor directories (empty, ours) before its trees. */
static void make_anchors(const struct kplan *plan)
{
	size_t i, n = kplan_anchor_count(plan);
	char *a;

	if (n && mkdir(KAUDIT_ANCHORS_DIR, 0700) < 0 && errno != EEXIST)
		log_warning("cannot create %s: %s", KAUDIT_ANCHORS_DIR,
			    strerror(errno));
	for (i = 0; i < n; i++) {
		a = kplan_anchor(plan, i);
		if (a && mkdir(a, 0700) < 0 && errno != EEXIST)
			log_warning("cannot create %s: %s", a, strerror(errno));
		free(a);
	}
}

/* After the rules are out: the anchors (only empty ones go). */
static void remove_anchors(void)
{
	struct dirent *de;
	DIR *d = opendir(KAUDIT_ANCHORS_DIR);

	if (!d)
		return;
	while ((de = readdir(d))) {
		char *p;

		if (de->d_name[0] == '.')
			continue;
		p = str_printf("%s/%s", KAUDIT_ANCHORS_DIR, de->d_name);
		if (p)
			(void)rmdir(p);
		free(p);
	}
	closedir(d);
	(void)rmdir(KAUDIT_ANCHORS_DIR);
}

static int install_kernel_rules(struct kaudit *k)
{
	size_t i;
	int r;

	k->rules_installed = true;
	make_anchors(k->plan);
	r = install_set(k->krules, "kernel audit rules");
	if (r < 0)
		return r;
	joins_clear(&k->joins);
	(void)kplan_host_equivs(k->plan, join_cb, &k->joins);
	log_info("installed %zu kernel audit rules",
		 kernel_rules_count(k->krules));
	/* New trees (or trees that were gone) start without the roots. */
	for (i = 0; i < k->nroots; i++)
		(void)root_install(k, &k->roots[i]);
	return 0;
}

static void root_remove(struct kaudit *k, size_t i, const char *why)
{
	struct kroot *rt = &k->roots[i];
	char *err = NULL;

	log_info("container root %s: %s; its kernel rules removed", rt->path,
		 why);
	if (rt->rules && kernel_rules_uninstall(rt->rules, &err) < 0) {
		log_warning("%s", err ? err : "cannot remove a root's rules");
		free(err);
	}
	root_clear(rt);
	k->roots[i] = k->roots[--k->nroots];
}

/* Fewer path filters, for everyone: past HARRIER_KAUDIT_MAX_ROOTS roots
 * with watches of their own, the path= filters go (dir= trees cost
 * nothing per root); for a root harrierd cannot reach (rootless
 * containers: in a mount namespace of their own), every path filter
 * goes. The measured fallback, logged. */
static void fewer_paths(struct kaudit *k, enum kplan_paths paths,
			const char *why)
{
	struct kernel_rules *kr;
	struct kplan *plan = NULL;
	size_t i;

	if (paths <= k->paths)
		return;
	log_warning("%s: %s filters dropped (those syscalls are audited by "
		    "permission and outcome only) until harrierd restarts",
		    why,
		    paths == KPLAN_PATHS_DIRS ? "path=" : "path= and dir=");
	kr = build_kernel_rules(k->config, k->engine, paths, &plan);
	if (!kr)
		return;
	kernel_rules_free(k->krules);
	kplan_free(k->plan);
	k->krules = kr;
	k->plan = plan;
	k->paths = paths;
	for (i = 0; i < k->nroots; i++) {
		kernel_rules_free(k->roots[i].rules);
		k->roots[i].rules = NULL;
	}
	if (install_kernel_rules(k) == 0)
		(void)remove_kernel_rules(k, false);
}

/* Whether a root's path still leads to the directory it was added as. */
static bool root_there(const struct kroot *rt)
{
	struct stat st;

	return stat(rt->path, &st) == 0 && st.st_dev == rt->dev &&
	       st.st_ino == rt->ino;
}

/* A root found (by path; cgroup: its runtime's, or NULL; both taken):
 * its rules, unless known already. The root's entry, or NULL.
 * starting: a runtime starts a container in it or mounts it now; a root
 * already known is then joined to the kernel's trees again: it may be a
 * new mount with the old one's numbers at the same path (a restarted
 * container: an overlay's root reports its image's lowest directory, and
 * an unmounted overlay's device number goes to the next mount), which
 * the trees joined for the old mount do not reach. */
static struct kroot *root_add(struct kaudit *k, char *path, const char *how,
			      char *cgroup, bool starting)
{
	struct kroot *rt, *nr;
	struct stat st;
	size_t i;

	if (!k->plan || !kplan_has_paths(k->plan) || stat(path, &st) < 0 ||
	    !kroots_is_root(path)) {
		free(path);
		free(cgroup);
		return NULL;
	}
	for (i = 0; i < k->nroots; i++) {
		if (k->roots[i].dev != st.st_dev ||
		    k->roots[i].ino != st.st_ino)
			continue;
		/* the numbers of a root gone meanwhile, on a new mount: an
		 * overlay's root reports its image's lowest directory, and
		 * the kernel gives the device number of an unmounted
		 * overlay to the next one (podman's next container of the
		 * same image, within the second before the tick sees the
		 * old one gone). Its rules reach only the old mount. */
		if (strcmp(k->roots[i].path, path) != 0 &&
		    !root_there(&k->roots[i])) {
			root_remove(k, i, "unmounted, its numbers reused");
			break;
		}
		k->roots[i].seen_ms = now_ms();
		/* a runtime starting a container in a root it used before
		 * (runc run on the same bundle, podman --rootfs): the new
		 * container's cgroup, not the last one's (its first process
		 * was named after that) */
		if (cgroup) {
			free(k->roots[i].cgroup);
			k->roots[i].cgroup = cgroup;
		}
		free(path);
		if (starting && k->rules_installed)
			(void)root_install(k, &k->roots[i]);
		return &k->roots[i];
	}
	if (k->paths == KPLAN_PATHS_ALL &&
	    k->nroots >= HARRIER_KAUDIT_MAX_ROOTS)
		fewer_paths(
			k, KPLAN_PATHS_DIRS,
			"more than " XSTR(
				HARRIER_KAUDIT_MAX_ROOTS) " container roots");
	nr = realloc(k->roots, (k->nroots + 1) * sizeof(*nr));
	if (!nr) {
		free(path);
		free(cgroup);
		return NULL;
	}
	k->roots = nr;
	rt = &k->roots[k->nroots++];
	memset(rt, 0, sizeof(*rt));
	rt->path = path;
	rt->cgroup = cgroup;
	rt->dev = st.st_dev;
	rt->ino = st.st_ino;
	rt->added_ms = rt->seen_ms = now_ms();
	if (k->rules_installed)
		(void)root_install(k, rt);
	log_root(how, rt);
	return rt;
}

int kaudit_start(struct kaudit *k)
{
	int r;

	if (!k->krules)
		return 0;
	/* Leftovers of a crashed run first, then ours. */
	r = remove_kernel_rules(k, true);
	if (r < 0)
		return r;
	r = install_kernel_rules(k);
	if (r == 0)
		kaudit_scan_roots(k);
	return r;
}

void kaudit_reload(struct kaudit *k, const struct config *c,
		   const struct engine *e)
{
	struct kernel_rules *kr;
	struct kplan *plan = NULL;

	if (!k->krules)
		return;
	k->config = c;
	k->engine = e;
	kr = build_kernel_rules(c, e, k->paths, &plan);
	/* The new set first, then what only the old one had: no moment
	 * without rules. If the new set did not install whole, the old
	 * rules stay beside it until the stop. */
	if (!kr)
		return;
	kernel_rules_free(k->krules);
	kplan_free(k->plan);
	k->krules = kr;
	k->plan = plan;
	if (install_kernel_rules(k) == 0)
		(void)remove_kernel_rules(k, false);
}

void kaudit_stop(struct kaudit *k)
{
	if (k->krules && k->rules_installed) {
		(void)remove_kernel_rules(k, true);
		remove_anchors();
	}
}

/* Remember that the root of container id is known (execve check). */
static bool ct_known(struct kaudit *k, const char *id, bool add)
{
	size_t i, n = sizeof(k->ct_seen) / sizeof(k->ct_seen[0]);
	char *c;

	for (i = 0; i < n; i++)
		if (k->ct_seen[i] && strcmp(k->ct_seen[i], id) == 0)
			return true;
	if (!add || !(c = strdup(id)))
		return false;
	free(k->ct_seen[k->ct_next]);
	k->ct_seen[k->ct_next] = c;
	k->ct_next = (k->ct_next + 1) % n;
	return false;
}

/* The root of a process seen in a container whose root we may not know
 * (a runtime we do not parse, a container older than harrierd). */
static void root_of_process(struct kaudit *k, const struct event *ev)
{
	char *root = NULL;
	dev_t dev;
	ino_t ino;
	size_t i;

	if (!ev->container || !ev->container->id || ev->pid <= 0 ||
	    ct_known(k, ev->container->id, false))
		return;
	if (kroots_pid_root_id("/proc", ev->pid, &dev, &ino) < 0)
		return;
	for (i = 0; i < k->nroots; i++)
		if (k->roots[i].dev == dev && k->roots[i].ino == ino) {
			(void)ct_known(k, ev->container->id, true);
			k->roots[i].seen_ms = now_ms();
			return;
		}
	if (kroots_of_pid("/proc", ev->pid, &root) == 0) {
		(void)ct_known(k, ev->container->id, true);
		(void)root_add(k, root, "seen in a running container", NULL,
			       false);
	}
}

static void scan_cb(pid_t pid, dev_t dev, ino_t ino, void *ud)
{
	struct kaudit *k = ud;
	char *root = NULL;
	size_t i;

	for (i = 0; i < k->nroots; i++)
		if (k->roots[i].dev == dev && k->roots[i].ino == ino) {
			k->roots[i].seen_ms = now_ms();
			return;
		}
	if (kroots_of_pid("/proc", pid, &root) == 0) {
		(void)root_add(k, root, "found running", NULL, false);
		return;
	}
	if (!k->plan || !kplan_has_paths(k->plan))
		return;
	log_warning("process %ld runs in a root no path of harrierd's mount "
		    "namespace reaches (a rootless container?)",
		    (long)pid);
	fewer_paths(k, KPLAN_PATHS_NONE, "a container root out of reach");
}

/* Every running process's root: new roots in, roots no process has
 * used for two scans (and found long enough ago) out. */
static void kaudit_scan_roots(struct kaudit *k)
{
	uint64_t now = now_ms();
	size_t i;

	k->last_scan_ms = now;
	if (!k->plan || !kplan_has_paths(k->plan))
		return;
	(void)kroots_scan("/proc", scan_cb, k);
	for (i = 0; i < k->nroots;) {
		struct kroot *rt = &k->roots[i];

		/* (seen and added may be later than now: found by this
		 * very scan) */
		if (now > rt->seen_ms + 2 * HARRIER_KAUDIT_ROOT_SCAN_MS &&
		    now > rt->added_ms + HARRIER_KAUDIT_ROOT_GRACE_MS) {
			root_remove(k, i, "no process uses it");
			continue;
		}
		joins_check(&rt->joins);
		i++;
	}
}

/* A CONFIG_CHANGE "remove_rule" of one of ours that no process asked
 * for: rules are removed over the audit netlink socket (sendto, sendmsg,
 * write); the kernel removes a rule itself when what it watched went
 * away, inside whatever syscall made it go (umount2, rmdir, exit). */
static bool kernel_removed_rule(const struct event *ev,
				const struct event_field *op,
				const struct event_field *key)
{
	static const char *const sends[] = { "sendto",	"sendmsg", "sendmmsg",
					     "write",	"writev",  "pwritev",
					     "pwritev2" };
	size_t i;

	if (!op || !op->value || strcmp(op->value, "remove_rule") != 0 ||
	    !key || !key->value ||
	    strncmp(key->value, KERNEL_RULES_KEY_PREFIX,
		    strlen(KERNEL_RULES_KEY_PREFIX)) != 0 ||
	    !ev->syscall_name)
		return false;
	for (i = 0; i < sizeof(sends) / sizeof(sends[0]); i++)
		if (strcmp(ev->syscall_name, sends[i]) == 0)
			return false;
	return true;
}

/* Someone changed the audit configuration: the observer sees every
 * CONFIG_CHANGE record; a removal of a harrier rule or audit being
 * disabled makes the next tick check and restore. The alert itself comes
 * from the shipped rules, which name who did it. A rule the kernel
 * removed itself (the file or directory it watched went away: a container
 * root unmounted, a directory deleted) is harrierd's business, not
 * tampering: such a record does not reach the rules. */
bool kaudit_observe(struct kaudit *k, const struct event *ev)
{
	const struct event_field *op, *key, *en;
	char *root = NULL, *cg = NULL;
	struct kroot *rt;

	if (ev->kind == EVENT_KIND_SYSCALL && k->plan &&
	    kplan_has_paths(k->plan)) {
		if (kroots_from_runtime(ev, &root, &cg) == 0) {
			(void)root_add(k, root,
				       "a runtime starts a container in it",
				       cg, true);
		} else if (kroots_from_mount(ev, &root) == 0) {
			/* the runtime's init mounting the root: the
			 * container's first process, whatever it runs */
			rt = root_add(k, root, "mounted", NULL, true);
			if (rt && rt->cgroup && k->hint && ev->pid > 0)
				k->hint(ev->pid, rt->cgroup, k->hint_ud);
		} else if (ev->syscall_name &&
			   strcmp(ev->syscall_name, "execve") == 0) {
			root_of_process(k, ev);
		}
	}
	if (!ev->type_name || strcmp(ev->type_name, "CONFIG_CHANGE") != 0)
		return true;
	op = event_field_get(ev, "op");
	key = event_field_get(ev, "key");
	en = event_field_get(ev, "audit_enabled");
	if ((op && key && key->value &&
	     strncmp(key->value, KERNEL_RULES_KEY_PREFIX,
		     strlen(KERNEL_RULES_KEY_PREFIX)) == 0) ||
	    (en && en->raw_value && strcmp(en->raw_value, "0") == 0))
		k->tamper_pending = true;
	return !kernel_removed_rule(ev, op, key);
}

void kaudit_set_hint(struct kaudit *k,
		     void (*fn)(pid_t pid, const char *cgroup, void *ud),
		     void *ud)
{
	k->hint = fn;
	k->hint_ud = ud;
}

/* Someone ran "auditctl -e 0": as the audit daemon, switch audit back on
 * (the shipped rules raise the alert that says who); reading auditd's
 * multicast copy, audit is auditd's to manage: only say so. */
static void check_enabled(struct kaudit *k)
{
	struct kaudit_status s;
	int r;

	if (k->reader == KAUDIT_READER_OTHER || k->locked)
		return;
	if (kaudit_status_get(&s) < 0)
		return;
	if (s.enabled != 0) {
		k->disabled_warned = false;
		return;
	}
	if (k->reader != KAUDIT_READER_DAEMON) {
		if (!k->disabled_warned)
			log_warning("kernel audit was disabled (enabled 0): "
				    "no events until the audit daemon "
				    "enables it again");
		k->disabled_warned = true;
		return;
	}
	r = kaudit_status_set(1, KAUDIT_KEEP);
	if (r < 0)
		log_error("kernel audit was disabled and cannot be enabled "
			  "again: %s",
			  strerror(-r));
	else
		log_warning("kernel audit was disabled (enabled 0): enabled "
			    "it again");
}

void kaudit_check(struct kaudit *k)
{
	const struct kernel_rules **sets;
	unsigned int missing = 0, *nmissing;
	char *err = NULL;
	size_t i, nsets = 0;
	int r;

	k->tamper_pending = false;
	check_enabled(k);
	if (!k->krules)
		return;
	if (now_ms() - k->last_scan_ms >= HARRIER_KAUDIT_ROOT_SCAN_MS)
		kaudit_scan_roots(k);
	if (k->plan && kplan_changed(k->plan)) {
		log_info("a path the kernel rules filter on appeared or went: "
			 "deriving them again");
		kaudit_reload(k, k->config, k->engine);
		return;
	}
	joins_check(&k->joins);
	/* one listing of the kernel's rules for the host's set and every
	 * root's (a listing per root made harrierd busy with many roots) */
	sets = keep_sets(k, &nsets);
	nmissing = calloc(nsets ? nsets : 1, sizeof(*nmissing));
	if (!sets || !nmissing) {
		free(sets);
		free(nmissing);
		return;
	}
	r = kernel_rules_check_sets(sets, nsets, nmissing, &err);
	free(sets);
	if (r < 0) {
		log_warning("cannot verify kernel audit rules: %s",
			    err ? err : strerror(-r));
		free(err);
		free(nmissing);
		return;
	}
	missing = nmissing[0];
	/* roots are sets 1..; the loop may drop some: walk it backwards */
	for (i = k->nroots; i-- > 0;) {
		struct kroot *rt = &k->roots[i];

		if (!root_there(rt)) {
			root_remove(k, i, "gone");
			continue;
		}
		if (rt->rules && nmissing[i + 1])
			(void)root_install(k, rt);
	}
	free(nmissing);
	if (missing == 0)
		return;
	log_warning("%u of Harrier's kernel audit rules were removed: "
		    "restoring them",
		    missing);
	if (install_kernel_rules(k) < 0)
		/* a path it watched may be gone: derive again */
		kaudit_reload(k, k->config, k->engine);
}

void kaudit_tick(struct kaudit *k)
{
	if (k->tamper_pending)
		kaudit_check(k);
}

/* Before the netlink source starts: learn the kernel settings to restore
 * at stop. Normally what the kernel has now; but when the state file of
 * a run that did not stop cleanly is there (its pid is gone), the values
 * it recorded, since the kernel still has the crashed run's. */
void kaudit_restore_prepare(struct kaudit *k)
{
	struct kaudit_status s;
	struct kstate_settings now;
	struct kstate_record file;
	int r;

	if (!k->kstate)
		return;
	if (kaudit_status_get(&s) < 0)
		return; /* not permitted: the source says why */
	now.enabled = s.enabled;
	now.backlog_limit = s.backlog_limit;
	r = kstate_prepare(k->kstate, &now, &file);
	if (r == -EINVAL || r == -EFBIG)
		log_warning("ignoring malformed %s", kstate_path(k->kstate));
	else if (r < 0)
		log_warning("ignoring %s: %s", kstate_path(k->kstate),
			    strerror(-r));
	else if (r == KSTATE_FROM_CRASH)
		log_warning("harrierd (pid %u) did not stop cleanly: kernel "
			    "audit will be restored to enabled %u, "
			    "backlog_limit %u at stop (now %u, %u)",
			    file.pid, file.saved.enabled,
			    file.saved.backlog_limit, s.enabled,
			    s.backlog_limit);
	else if (r == KSTATE_STALE)
		log_warning("ignoring %s of harrierd pid %u, which did not stop "
			    "cleanly: %s (restoring it would undo that); the "
			    "kernel audit settings of now (enabled %u, "
			    "backlog_limit %u) will be restored at stop",
			    kstate_path(k->kstate), file.pid,
			    "it is from an earlier boot, or the kernel's "
			    "audit settings changed since it set them",
			    s.enabled, s.backlog_limit);
	/* KSTATE_OTHER_RUN: another harrierd runs (it holds the audit pid:
	 * we will read along in multicast mode and change nothing). */
}

/* Once registered as the audit daemon: record what to restore. */
void kaudit_source_started(struct kaudit *k, enum kaudit_reader reader,
			   bool locked)
{
	struct kaudit_status s;
	int r;

	k->reader = reader;
	k->locked = locked;
	if (!k->kstate || !kstate_known(k->kstate) ||
	    reader != KAUDIT_READER_DAEMON || locked)
		return;
	if (kaudit_status_get(&s) == 0) {
		struct kstate_settings a = { s.enabled, s.backlog_limit };

		kstate_set_applied(k->kstate, &a);
	}
	r = kstate_write(k->kstate, getpid());
	if (r < 0)
		log_warning("cannot write %s (%s): after a crash, the next "
			    "start cannot restore the kernel audit settings",
			    kstate_path(k->kstate), strerror(-r));
}

void kaudit_restore_finish(struct kaudit *k)
{
	struct kaudit_status s;
	struct kstate_settings now, set, orig;
	int r;

	if (!k->kstate)
		return;
	if (kaudit_status_get(&s) == 0) {
		now.enabled = s.enabled;
		now.backlog_limit = s.backlog_limit;
		if (kstate_restore_plan(k->kstate, &now, &set) &&
		    kstate_saved(k->kstate, &orig) == 0) {
			r = kaudit_status_set(set.enabled, set.backlog_limit);
			if (r < 0)
				log_error("cannot restore kernel audit "
					  "settings: %s",
					  strerror(-r));
			else
				log_info("restored kernel audit settings of "
					 "before the crashed run: enabled %u, "
					 "backlog_limit %u",
					 orig.enabled, orig.backlog_limit);
		}
	}
	r = kstate_remove(k->kstate);
	if (r < 0)
		log_warning("cannot remove %s: %s", kstate_path(k->kstate),
			    strerror(-r));
}
