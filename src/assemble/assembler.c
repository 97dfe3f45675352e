/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Record assembler: splits input into lines, rejects what is not an audit
 * record, feeds the rest to auparse (AUSOURCE_FEED) and turns each event
 * auparse completes into one struct event. Hot path: each record's fields
 * are walked once, numbers parsed in place, and every string of an event
 * lives in one arena reset after the callback. Never prints, never trusts
 * a record.
 */
#include "config.h"

#include <auparse.h>
#include <errno.h>
#include <libaudit.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "assemble/assembler.h"
#include "assemble/interpret.h"
#include "common/limits.h"
#include "common/linesplit.h"
#include "common/strbuf.h"

/* Syscall names are cached per libaudit machine for numbers below
 * ASM_SYSCALLS (every native table is below 1024); others (x32, bogus
 * numbers) are looked up each time. */
#define ASM_MACHINES 16
#define ASM_SYSCALLS 1024

/* Arena block size: a typical event needs well under 1 KiB of strings. A
 * block grown for a huge event is kept up to ARENA_KEEP_MAX. */
#define ARENA_BLOCK (16 * 1024)
#define ARENA_KEEP_MAX (1024 * 1024)

#define AT_FDCWD_32 0xffffff9cu

struct arena_block {
	struct arena_block *next;
	size_t cap, used;
	char data[];
};

struct arena {
	struct arena_block *head, *cur;
};

/* The identity auparse gives an event: time, serial and node. */
struct asm_id {
	uint64_t sec, serial;
	uint32_t milli, node; /* node: hash of the node= name, 0 if none */
	bool is_cwd; /* the record is a CWD record */
	bool is_syscall, is_proctitle; /* SYSCALL, PROCTITLE records */
	const char *node_name; /* borrowed from the line; NULL if none */
	size_t node_len;
};

/* Longest node= name kept to write a synthetic EOE for its event; events
 * of longer node names are left to auparse's own timeout. */
#define ASM_NODE_MAX 64

struct asm_open {
	struct asm_id id; /* id.node_name is not kept: see node */
	uint32_t nrec;
	bool has_cwd;
	bool has_syscall; /* waits for its PROCTITLE, the kernel's last */
	uint8_t node_len;
	char node[ASM_NODE_MAX];
};

struct assembler {
	auparse_state_t *au;
	assembler_event_cb cb;
	void *userdata;
	struct assembler_stats stats;
	/* the last malformed line or event: why, and the event's serial */
	const char *bad_why;
	uint64_t bad_serial;
	const char *build_why; /* why asm_build could not read an event */
	int err; /* sticky -ENOMEM raised inside the auparse callback */

	struct linesplit lines; /* assembler_feed's byte stream */
	struct strbuf rec;  /* assembler_feed_record's record + newline */

	/* Events auparse holds open, to bound them (see limits.h). */
	struct asm_open open[HARRIER_ASM_MAX_OPEN];
	size_t nopen;
	bool proctitles; /* the input has PROCTITLE records */
	uint64_t nsyscall; /* SYSCALL records seen */
	uint64_t newest_ms; /* latest event time seen, ms */

	struct arena arena;
	struct strbuf scratch; /* decoded bytes of a split execve argument */

	/* The event being built; everything below is reset per event. */
	struct event ev;
	struct event_path paths[HARRIER_MAX_PATHS];
	struct event_field fields[HARRIER_MAX_RECORD_FIELDS];
	const char *argv[HARRIER_MAX_ARGS + 1];
	size_t argv_hi; /* argv[0..argv_hi) may be set */
	size_t argv_bytes; /* decoded argv bytes kept */
	long argc_decl; /* argc= of EXECVE, -1 if absent */
	long split_idx; /* argument being assembled from aN[i] */
	bool has_execve;
	const char *proctitle;
	size_t proctitle_len;
	bool rec_key_seen; /* this record's first key= is in ev->key */
	int bad; /* first error while building: -EINVAL or -ENOMEM */

	/* arch= value -> machine, for the last arch seen */
	uint64_t last_arch;
	int last_machine;
	const char *sc_names[ASM_MACHINES][ASM_SYSCALLS];
};

/* Marks a cache slot whose number libaudit does not know. */
static const char sc_unknown[] = "";

/* ---- arena ---- */

static void *arena_alloc(struct arena *ar, size_t n)
{
	struct arena_block *b = ar->cur, *nb;
	size_t cap;

	if (b && b->cap - b->used >= n) {
		void *p = b->data + b->used;

		b->used += n;
		return p;
	}
	cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
	if (cap > SIZE_MAX - sizeof(*nb))
		return NULL;
	nb = malloc(sizeof(*nb) + cap);
	if (!nb)
		return NULL;
	nb->next = NULL;
	nb->cap = cap;
	nb->used = n;
	if (b)
		b->next = nb;
	else
		ar->head = nb;
	ar->cur = nb;
	return nb->data;
}

static void arena_free(struct arena *ar)
{
	struct arena_block *b, *next;

	for (b = ar->head; b; b = next) {
		next = b->next;
		free(b);
	}
	ar->head = ar->cur = NULL;
}

static void arena_reset(struct arena *ar)
{
	struct arena_block *b;
	size_t total = 0;

	if (!ar->head)
		return;
	if (!ar->head->next) {
		ar->head->used = 0;
		ar->cur = ar->head;
		return;
	}
	/* The event needed several blocks: replace them by one that would
	 * have held it all, so that the next such event allocates nothing. */
	for (b = ar->head; b; b = b->next)
		total += b->cap;
	arena_free(ar);
	if (total > ARENA_KEEP_MAX)
		total = ARENA_KEEP_MAX;
	b = malloc(sizeof(*b) + total);
	if (!b)
		return;
	b->next = NULL;
	b->cap = total;
	b->used = 0;
	ar->head = ar->cur = b;
}

static char *arena_strndup(struct arena *ar, const char *s, size_t n)
{
	char *p;

	if (n == SIZE_MAX)
		return NULL;
	p = arena_alloc(ar, n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* ---- value helpers ---- */

static void asm_fail(struct assembler *a, int err)
{
	if (!a->bad)
		a->bad = err;
}

static const char *asm_copy(struct assembler *a, const char *s)
{
	char *p = arena_strndup(&a->arena, s, strlen(s));

	if (!p)
		asm_fail(a, -ENOMEM);
	return p;
}

/* An untrusted string (comm, exe, cwd, name, key, ...): quoted, hex or
 * (null). NULL for (null); a bad encoding fails the event. */
static const char *asm_untrusted(struct assembler *a, const char *val,
				 size_t *ret_len)
{
	const char *s = NULL;
	size_t n = 0;
	char *out;

	switch (interp_classify(val, &s, &n)) {
	case INTERP_STR_NULL:
		return NULL;
	case INTERP_STR_QUOTED:
		out = arena_strndup(&a->arena, s, n);
		if (!out) {
			asm_fail(a, -ENOMEM);
			return NULL;
		}
		break;
	case INTERP_STR_HEX:
		out = arena_alloc(&a->arena, n / 2 + 1);
		if (!out) {
			asm_fail(a, -ENOMEM);
			return NULL;
		}
		if (interp_hex_decode(s, n, out) < 0) {
			asm_fail(a, -EINVAL);
			return NULL;
		}
		n /= 2;
		break;
	default:
		asm_fail(a, -EINVAL);
		return NULL;
	}
	if (ret_len)
		*ret_len = n;
	return out;
}

static void asm_id(const char *val, uint32_t *dst)
{
	(void)interp_id(val, dst);
}

static void asm_pid(const char *val, pid_t *dst)
{
	uint64_t v;

	if (interp_dec_u64(val, &v) == 0 && v <= INT32_MAX)
		*dst = (pid_t)v;
}

static const char *asm_nametype(struct assembler *a, const char *val)
{
	static const char *const known[] = {
		"NORMAL", "PARENT", "CREATE", "DELETE", "UNKNOWN",
	};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(val, known[i]) == 0)
			return known[i];
	return asm_copy(a, val);
}

/* ---- syscall names ---- */

static void asm_set_arch(struct assembler *a, const char *val)
{
	uint64_t arch;
	int m;

	if (interp_hex_u64(val, &arch) < 0 || arch > UINT32_MAX)
		return;
	if (arch != a->last_arch || a->last_machine < 0) {
		a->last_machine = audit_elf_to_machine((unsigned int)arch);
		a->last_arch = arch;
	}
	m = a->last_machine;
	a->ev.machine = m;
	a->ev.arch_name = m >= 0 ? audit_machine_to_name(m) : NULL;
}

static const char *asm_syscall_name(struct assembler *a, int machine, int sc)
{
	const char **slot;
	const char *name;

	if (machine < 0 || sc < 0)
		return NULL;
	if (machine >= ASM_MACHINES || sc >= ASM_SYSCALLS)
		return audit_syscall_to_name(sc, machine);
	slot = &a->sc_names[machine][sc];
	if (!*slot) {
		name = audit_syscall_to_name(sc, machine);
		*slot = name ? name : sc_unknown;
	}
	return *slot == sc_unknown ? NULL : *slot;
}

/* ---- records ---- */

/* Process facts shared by SYSCALL and the fields of other records.
 * Returns true when the field was one of them. */
static bool asm_proc_field(struct assembler *a, const char *name,
			   const char *val)
{
	struct event *ev = &a->ev;

	switch (name[0]) {
	case 'a':
		if (strcmp(name, "auid") == 0)
			return asm_id(val, &ev->auid), true;
		break;
	case 'c':
		if (strcmp(name, "comm") == 0)
			return ev->comm = asm_untrusted(a, val, NULL), true;
		break;
	case 'e':
		if (strcmp(name, "exe") == 0)
			return ev->exe = asm_untrusted(a, val, NULL), true;
		if (strcmp(name, "euid") == 0)
			return asm_id(val, &ev->euid), true;
		if (strcmp(name, "egid") == 0)
			return asm_id(val, &ev->egid), true;
		break;
	case 'f':
		if (strcmp(name, "fsuid") == 0)
			return asm_id(val, &ev->fsuid), true;
		if (strcmp(name, "fsgid") == 0)
			return asm_id(val, &ev->fsgid), true;
		break;
	case 'g':
		if (strcmp(name, "gid") == 0)
			return asm_id(val, &ev->gid), true;
		break;
	case 'k':
		if (strcmp(name, "key") == 0) {
			/* A rule with several keys gives several key
			 * fields (auparse splits them): keep the first. */
			if (!a->rec_key_seen)
				ev->key = asm_untrusted(a, val, NULL);
			a->rec_key_seen = true;
			return true;
		}
		break;
	case 'n':
		if (strcmp(name, "node") == 0) {
			if (!ev->node)
				ev->node = asm_copy(a, val);
			return true;
		}
		break;
	case 'p':
		if (strcmp(name, "pid") == 0)
			return asm_pid(val, &ev->pid), true;
		if (strcmp(name, "ppid") == 0)
			return asm_pid(val, &ev->ppid), true;
		break;
	case 's':
		if (strcmp(name, "ses") == 0)
			return asm_id(val, &ev->ses), true;
		if (strcmp(name, "suid") == 0)
			return asm_id(val, &ev->suid), true;
		if (strcmp(name, "sgid") == 0)
			return asm_id(val, &ev->sgid), true;
		if (strcmp(name, "subj") == 0)
			return ev->subj = asm_copy(a, val), true;
		break;
	case 't':
		if (strcmp(name, "tty") == 0) {
			if (strcmp(val, "(none)") != 0)
				ev->tty = asm_copy(a, val);
			return true;
		}
		break;
	case 'u':
		if (strcmp(name, "uid") == 0)
			return asm_id(val, &ev->uid), true;
		break;
	}
	return false;
}

static void asm_rec_syscall(struct assembler *a, auparse_state_t *au)
{
	struct event *ev = &a->ev;
	const char *name, *val;
	uint64_t v;
	int64_t iv;

	ev->kind = EVENT_KIND_SYSCALL;
	a->rec_key_seen = false;
	if (auparse_first_field(au) <= 0)
		return;
	do {
		name = auparse_get_field_name(au);
		val = auparse_get_field_str(au);
		if (!name || !val)
			continue;
		switch (name[0]) {
		case 'a':
			if (name[1] >= '0' && name[1] <= '3' && !name[2]) {
				if (interp_hex_u64(val, &v) == 0)
					ev->args[name[1] - '0'] = v;
				continue;
			}
			if (strcmp(name, "arch") == 0) {
				asm_set_arch(a, val);
				continue;
			}
			break;
		case 'e':
			if (strcmp(name, "exit") == 0) {
				if (interp_dec_i64(val, &iv) == 0) {
					ev->exit = iv;
					ev->has_exit = true;
				}
				continue;
			}
			break;
		case 'i':
			if (strcmp(name, "items") == 0) {
				if (interp_dec_u64(val, &v) == 0 &&
				    v <= UINT32_MAX)
					ev->items = (unsigned int)v;
				continue;
			}
			break;
		case 's':
			if (strcmp(name, "syscall") == 0) {
				if (interp_dec_u64(val, &v) == 0 &&
				    v <= INT32_MAX)
					ev->syscall = (int)v;
				continue;
			}
			if (strcmp(name, "success") == 0) {
				if (strcmp(val, "yes") == 0)
					ev->success = 1;
				else if (strcmp(val, "no") == 0)
					ev->success = 0;
				continue;
			}
			break;
		}
		(void)asm_proc_field(a, name, val);
	} while (auparse_next_field(au) > 0);
	ev->syscall_name = asm_syscall_name(a, ev->machine, ev->syscall);
}

/* Keep argument idx (n bytes at s; copied unless it already lives in the
 * arena). Past the limits the rest of argv is dropped: rules see a prefix
 * of the command line, never one with holes. */
static void asm_set_arg(struct assembler *a, unsigned long idx, const char *s,
			size_t n, bool copy)
{
	const char *p = s;

	if (a->ev.argv_truncated)
		return;
	if (idx >= HARRIER_MAX_ARGS ||
	    n >= HARRIER_MAX_ARGV_BYTES - a->argv_bytes) {
		a->ev.argv_truncated = true;
		return;
	}
	if (copy) {
		p = arena_strndup(&a->arena, s, n);
		if (!p) {
			asm_fail(a, -ENOMEM);
			return;
		}
	}
	a->argv_bytes += n + 1;
	a->argv[idx] = p;
	if (idx + 1 > a->argv_hi)
		a->argv_hi = idx + 1;
}

static void asm_split_done(struct assembler *a)
{
	if (a->split_idx < 0)
		return;
	if (strbuf_failed(&a->scratch))
		asm_fail(a, -ENOMEM);
	else
		asm_set_arg(a, (unsigned long)a->split_idx,
			    a->scratch.buf ? a->scratch.buf : "",
			    a->scratch.len, true);
	a->split_idx = -1;
	strbuf_reset(&a->scratch);
}

/* Append one aN[i]= chunk of a split argument, decoded. */
static void asm_split_chunk(struct assembler *a, const char *val)
{
	const char *s = NULL;
	size_t n = 0, i;
	char pair[2];
	long r;

	if (a->scratch.len >= HARRIER_MAX_ARGV_BYTES)
		return; /* asm_set_arg will mark the truncation */
	switch (interp_classify(val, &s, &n)) {
	case INTERP_STR_QUOTED:
		strbuf_append(&a->scratch, s, n);
		return;
	case INTERP_STR_HEX:
		for (i = 0; i < n; i += 2) {
			r = interp_hex_decode(s + i, 2, pair);
			if (r < 0) {
				asm_fail(a, -EINVAL);
				return;
			}
			strbuf_appendc(&a->scratch, pair[0]);
		}
		return;
	case INTERP_STR_NULL:
		return;
	default:
		asm_fail(a, -EINVAL);
	}
}

/* EXECVE: argc=N a0=.. a1=.., long arguments as aN_len=L aN[0]=.. */
static void asm_rec_execve(struct assembler *a, auparse_state_t *au)
{
	const char *name, *val, *p, *s;
	unsigned long idx;
	uint64_t v;
	size_t n;

	a->has_execve = true;
	a->ev.argv_from_execve = true;
	if (auparse_first_field(au) <= 0)
		return;
	do {
		name = auparse_get_field_name(au);
		val = auparse_get_field_str(au);
		if (!name || !val)
			continue;
		if (name[0] != 'a')
			continue;
		if (strcmp(name, "argc") == 0) {
			if (interp_dec_u64(val, &v) == 0 && v <= LONG_MAX)
				a->argc_decl = (long)v;
			continue;
		}
		if (name[1] < '0' || name[1] > '9')
			continue;
		idx = 0;
		for (p = name + 1; *p >= '0' && *p <= '9'; p++) {
			if (idx > HARRIER_MAX_ARGS * 10UL)
				break;
			idx = idx * 10 + (unsigned long)(*p - '0');
		}
		if (*p == '\0') {
			asm_split_done(a);
			s = asm_untrusted(a, val, &n);
			if (s)
				asm_set_arg(a, idx, s, n, false);
			else if (!a->bad)
				asm_set_arg(a, idx, "", 0, false);
		} else if (strcmp(p, "_len") == 0) {
			asm_split_done(a);
			a->split_idx = (long)idx;
		} else if (*p == '[') {
			if ((long)idx == a->split_idx)
				asm_split_chunk(a, val);
		}
	} while (auparse_next_field(au) > 0);
}

/* The value of the record's field want, or NULL. CWD and PROCTITLE
 * records carry one field that matters (a second cwd= is rejected before
 * the record reaches auparse). */
static const char *asm_record_field(auparse_state_t *au, const char *want)
{
	const char *name, *val;

	if (auparse_first_field(au) <= 0)
		return NULL;
	do {
		name = auparse_get_field_name(au);
		val = auparse_get_field_str(au);
		if (name && val && strcmp(name, want) == 0)
			return val;
	} while (auparse_next_field(au) > 0);
	return NULL;
}

static void asm_rec_cwd(struct assembler *a, auparse_state_t *au)
{
	const char *val = asm_record_field(au, "cwd");

	if (val)
		a->ev.cwd = asm_untrusted(a, val, NULL);
}


/* "MAJ:MIN" in hex, as PATH records give dev (sscanf was a fifth of
 * the assembler's own time). */
static bool asm_dev(const char *s, unsigned int *ma, unsigned int *mi)
{
	unsigned int *out = ma;
	size_t i, n = 0;

	*ma = *mi = 0;
	for (i = 0;; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9'	? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
					       : -1;

		if (d >= 0) {
			if (*out > 0xfffffffu)
				return false;
			*out = *out << 4 | (unsigned int)d;
			n++;
		} else if (c == ':' && out == ma && n) {
			out = mi;
			n = 0;
		} else {
			return c == '\0' && out == mi && n > 0;
		}
	}
}

static void asm_rec_path(struct assembler *a, auparse_state_t *au)
{
	struct event_path *p;
	const char *name, *val;
	uint64_t v;
	bool has_ouid = false, has_ogid = false;

	if (a->ev.npaths >= HARRIER_MAX_PATHS)
		return;
	p = &a->paths[a->ev.npaths++];
	memset(p, 0, sizeof(*p));
	if (auparse_first_field(au) <= 0)
		return;
	do {
		name = auparse_get_field_name(au);
		val = auparse_get_field_str(au);
		if (!name || !val)
			continue;
		switch (name[0]) {
		case 'n':
			if (strcmp(name, "name") == 0)
				p->raw_name = asm_untrusted(a, val, NULL);
			else if (strcmp(name, "nametype") == 0)
				p->nametype = asm_nametype(a, val);
			break;
		case 'd':
			if (strcmp(name, "dev") == 0) {
				unsigned int ma, mi;

				if (asm_dev(val, &ma, &mi) &&
				    ma < 4096 && mi < (1u << 20)) {
					p->dev = (uint32_t)makedev(ma, mi);
					p->has_dev = true;
				}
			}
			break;
		case 'i':
			if (strcmp(name, "inode") == 0 &&
			    interp_dec_u64(val, &v) == 0) {
				p->inode = v;
				p->has_inode = true;
			}
			break;
		case 'm':
			if (strcmp(name, "mode") == 0 &&
			    interp_oct_u64(val, &v) == 0 && v <= UINT32_MAX) {
				p->mode = (uint32_t)v;
				p->has_mode = true;
			}
			break;
		case 'o':
			if (strcmp(name, "ouid") == 0 &&
			    interp_id(val, &p->ouid) == 0)
				has_ouid = true;
			else if (strcmp(name, "ogid") == 0 &&
				 interp_id(val, &p->ogid) == 0)
				has_ogid = true;
			break;
		}
	} while (auparse_next_field(au) > 0);
	p->has_owner = has_ouid && has_ogid;
}

static void asm_rec_sockaddr(struct assembler *a, auparse_state_t *au)
{
	const char *name, *val;
	char *bytes, *path;
	size_t n;
	long len;

	if (auparse_first_field(au) <= 0)
		return;
	do {
		name = auparse_get_field_name(au);
		val = auparse_get_field_str(au);
		if (!name || !val || strcmp(name, "saddr") != 0)
			continue;
		n = strlen(val);
		bytes = arena_alloc(&a->arena, n / 2 + 1);
		path = arena_alloc(&a->arena, n / 2 + 2);
		if (!bytes || !path) {
			asm_fail(a, -ENOMEM);
			return;
		}
		len = interp_hex_decode(val, n, bytes);
		if (len < 0) {
			asm_fail(a, -EINVAL);
			return;
		}
		/* Too short for its family: the kernel logs whatever
		 * length the caller passed, so this is a real (failed)
		 * call, not a broken record: keep the event. */
		(void)interp_sockaddr((const unsigned char *)bytes, (size_t)len,
				      &a->ev.sockaddr, path);
	} while (auparse_next_field(au) > 0);
}

/* BPRM_FCAPS: pp= pi= pe= (the sets after the execve); CAPSET: cap_pp=
 * cap_pi= cap_pe=. Hex numbers. */
static void asm_rec_caps(struct assembler *a, auparse_state_t *au, bool capset)
{
	const char *name, *val;
	uint64_t v;
	unsigned int got = 0;

	if (auparse_first_field(au) <= 0)
		return;
	do {
		name = auparse_get_field_name(au);
		val = auparse_get_field_str(au);
		if (!name || !val)
			continue;
		if (capset) {
			if (strncmp(name, "cap_", 4) != 0)
				continue;
			name += 4;
		}
		if (name[0] != 'p' || !name[1] || name[2] ||
		    interp_hex_u64(val, &v) < 0)
			continue;
		switch (name[1]) {
		case 'p':
			a->ev.cap_prm = v;
			got |= 1;
			break;
		case 'i':
			a->ev.cap_inh = v;
			got |= 2;
			break;
		case 'e':
			a->ev.cap_eff = v;
			got |= 4;
			break;
		}
	} while (auparse_next_field(au) > 0);
	if (got == 7)
		a->ev.has_caps = true;
}

static void asm_rec_proctitle(struct assembler *a, auparse_state_t *au)
{
	const char *val = asm_record_field(au, "proctitle");

	if (val)
		a->proctitle = asm_untrusted(a, val, &a->proctitle_len);
}

/* The interpreted value of a field of a non-syscall record. Ids stay
 * numeric (rules must not depend on the user names of this host, or of
 * the host that enriched the log). Strings are decoded here: auparse's own
 * decoders read past the end of some malformed values (found by fuzzing
 * libauparse 3.0.9 with "proctitle=(null)41"). */
static const char *asm_field_value(struct assembler *a, auparse_state_t *au,
				   const char *raw)
{
	const char *s = NULL, *interp;
	size_t n = 0, i;
	char *out;

	switch (auparse_get_field_type(au)) {
	case AUPARSE_TYPE_UID:
	case AUPARSE_TYPE_GID:
	case AUPARSE_TYPE_SESSION:
		return raw;
	case AUPARSE_TYPE_UNCLASSIFIED:
	case AUPARSE_TYPE_ESCAPED:
	case AUPARSE_TYPE_ESCAPED_FILE:
	case AUPARSE_TYPE_ESCAPED_KEY:
	case AUPARSE_TYPE_PROCTITLE:
	case AUPARSE_TYPE_TTY_DATA:
		switch (interp_classify(raw, &s, &n)) {
		case INTERP_STR_QUOTED:
			return arena_strndup(&a->arena, s, n);
		case INTERP_STR_HEX:
			if (auparse_get_field_type(au) ==
			    AUPARSE_TYPE_UNCLASSIFIED)
				return raw;
			out = arena_alloc(&a->arena, n / 2 + 1);
			if (!out)
				return NULL;
			if (interp_hex_decode(s, n, out) < 0)
				return raw;
			/* argv blocks (proctitle) are NUL-separated */
			for (i = 0; i < n / 2; i++)
				if (out[i] == '\0')
					out[i] = ' ';
			return out;
		default:
			return raw;
		}
	default:
		interp = auparse_interpret_field(au);
		return interp ? asm_copy(a, interp) : raw;
	}
}

/* The first record of an event that does not start with SYSCALL: keep all
 * its fields, and pick up the process facts it carries. */
static void asm_rec_other(struct assembler *a, auparse_state_t *au)
{
	struct event_field *f;
	const char *name, *val;

	a->rec_key_seen = false;
	if (auparse_first_field(au) <= 0)
		return;
	do {
		name = auparse_get_field_name(au);
		val = auparse_get_field_str(au);
		if (!name || !val)
			continue;
		if (strcmp(name, "type") == 0)
			continue;
		if (asm_proc_field(a, name, val) && strcmp(name, "node") == 0)
			continue;
		if (strcmp(name, "res") == 0 || strcmp(name, "result") == 0) {
			if (!strcmp(val, "success") || !strcmp(val, "1") ||
			    !strcmp(val, "yes"))
				a->ev.success = 1;
			else if (!strcmp(val, "failed") || !strcmp(val, "0") ||
				 !strcmp(val, "no"))
				a->ev.success = 0;
		}
		if (a->ev.nfields >= HARRIER_MAX_RECORD_FIELDS)
			continue;
		f = &a->fields[a->ev.nfields];
		f->name = asm_copy(a, name);
		f->raw_value = asm_copy(a, val);
		if (!f->name || !f->raw_value)
			continue;
		f->value = asm_field_value(a, au, f->raw_value);
		if (f->value)
			a->ev.nfields++;
		else
			asm_fail(a, -ENOMEM);
	} while (auparse_next_field(au) > 0);
}

/* ---- finishing the event ---- */

/* Syscalls whose path arguments are relative to a directory fd, and the
 * argument positions that hold such fds: a relative name there is not
 * relative to the cwd unless the fd is AT_FDCWD. */
static const struct {
	const char *name;
	unsigned int argmask;
} asm_dirfd_calls[] = {
	{ "openat", 1 },	{ "openat2", 1 },    { "mkdirat", 1 },
	{ "mknodat", 1 },	{ "fchownat", 1 },   { "futimesat", 1 },
	{ "newfstatat", 1 },	{ "fstatat64", 1 },  { "unlinkat", 1 },
	{ "renameat", 5 },	{ "renameat2", 5 },  { "linkat", 5 },
	{ "symlinkat", 2 },	{ "readlinkat", 1 }, { "fchmodat", 1 },
	{ "fchmodat2", 1 },	{ "faccessat", 1 },  { "faccessat2", 1 },
	{ "execveat", 1 },	{ "utimensat", 1 },  { "name_to_handle_at", 1 },
	{ "statx", 1 },		{ "open_tree", 1 },  { "move_mount", 5 },
	{ "mount_setattr", 1 }, { "fspick", 1 },
};

static bool asm_cwd_applies(const struct event *ev)
{
	size_t i;
	unsigned int k;

	if (!ev->syscall_name)
		return true;
	for (i = 0; i < sizeof(asm_dirfd_calls) / sizeof(asm_dirfd_calls[0]);
	     i++) {
		if (strcmp(ev->syscall_name, asm_dirfd_calls[i].name) != 0)
			continue;
		for (k = 0; k < 4; k++)
			if ((asm_dirfd_calls[i].argmask & (1u << k)) &&
			    (uint32_t)ev->args[k] != AT_FDCWD_32)
				return false;
		return true;
	}
	return true;
}

static void asm_finish_paths(struct assembler *a)
{
	struct event *ev = &a->ev;
	const char *cwd = NULL;
	struct event_path *p;
	size_t i, n;
	char *out;
	int cwd_known = -1;

	for (i = 0; i < ev->npaths; i++) {
		p = &a->paths[i];
		if (!p->raw_name)
			continue;
		if (p->raw_name[0] != '/' && cwd_known < 0) {
			cwd_known = asm_cwd_applies(ev);
			cwd = cwd_known ? ev->cwd : NULL;
		}
		n = strlen(p->raw_name) + (cwd ? strlen(cwd) : 0) + 2;
		out = arena_alloc(&a->arena, n);
		if (!out) {
			asm_fail(a, -ENOMEM);
			return;
		}
		(void)interp_path_normalise(p->raw_name[0] == '/' ? NULL : cwd,
					    p->raw_name, out);
		p->name = out;
	}
	ev->paths = a->paths;
}

static void asm_finish_argv(struct assembler *a)
{
	struct event *ev = &a->ev;
	size_t n, i, start;
	char *t;

	if (!a->has_execve && a->proctitle) {
		/* PROCTITLE: the argv block, NUL-separated (the kernel
		 * cuts it at 128 bytes). */
		t = (char *)a->proctitle;
		n = a->proctitle_len;
		while (n > 0 && t[n - 1] == '\0')
			n--;
		start = 0;
		for (i = 0; i <= n; i++) {
			if (i < n && t[i] != '\0')
				continue;
			if (a->argv_hi >= HARRIER_MAX_ARGS) {
				ev->argv_truncated = true;
				break;
			}
			t[i] = '\0';
			a->argv[a->argv_hi++] = t + start;
			start = i + 1;
		}
	}
	if (a->has_execve && a->argc_decl >= 0 && !ev->argv_truncated) {
		n = (size_t)a->argc_decl;
		if (n > HARRIER_MAX_ARGS) {
			n = HARRIER_MAX_ARGS;
			ev->argv_truncated = true;
		}
		if (n > a->argv_hi)
			a->argv_hi = n;
	} else {
		n = a->argv_hi;
	}
	/* Arguments that argc announced but the records did not carry
	 * read as empty strings, so argv[i] is never NULL. */
	for (i = 0; i < n; i++)
		if (!a->argv[i])
			a->argv[i] = "";
	a->argv[n] = NULL;
	ev->argv = a->argv;
	ev->argc = n;
}

static void asm_reset_event(struct assembler *a)
{
	struct event *ev = &a->ev;
	size_t i;

	for (i = 0; i < a->argv_hi && i <= HARRIER_MAX_ARGS; i++)
		a->argv[i] = NULL;
	if (a->argv_hi <= HARRIER_MAX_ARGS)
		a->argv[a->argv_hi] = NULL;
	a->argv_hi = 0;
	a->argv_bytes = 0;
	a->argc_decl = -1;
	a->split_idx = -1;
	a->has_execve = false;
	a->proctitle = NULL;
	a->proctitle_len = 0;
	a->bad = 0;
	strbuf_reset(&a->scratch);

	memset(ev, 0, sizeof(*ev));
	ev->kind = EVENT_KIND_OTHER;
	ev->machine = -1;
	ev->syscall = -1;
	ev->success = -1;
	ev->uid = ev->euid = ev->suid = ev->fsuid = EVENT_ID_UNSET;
	ev->gid = ev->egid = ev->sgid = ev->fsgid = EVENT_ID_UNSET;
	ev->auid = ev->ses = EVENT_ID_UNSET;
	ev->fields = a->fields;
	ev->paths = a->paths;
}

static int asm_build(struct assembler *a, auparse_state_t *au)
{
	struct event *ev = &a->ev;
	const au_event_t *ts;
	const char *tn;
	int type;
	bool first = true;

	asm_reset_event(a);
	/* what asm_fail(-EINVAL) means below, unless said otherwise */
	a->build_why = "a field's value could not be decoded (hex or quoting)";
	ts = auparse_get_timestamp(au);
	if (!ts || ts->sec < 0 ||
	    (uint64_t)ts->sec > UINT64_MAX / 1000000000ULL - 1 ||
	    ts->milli > 999) {
		a->build_why = "its time is out of range (past the year 2554)";
		return -EINVAL;
	}
	ev->time_ns = (uint64_t)ts->sec * 1000000000ULL +
		      (uint64_t)ts->milli * 1000000ULL;
	ev->serial = ts->serial;
	ev->nrecords = auparse_get_num_records(au);
	if (auparse_first_record(au) <= 0) {
		a->build_why = "auparse found no record in it";
		return -EINVAL;
	}
	do {
		type = auparse_get_type(au);
		if (first) {
			ev->record_type = type;
			tn = auparse_get_type_name(au);
			ev->type_name = tn ? asm_copy(a, tn) : NULL;
			if (type != AUDIT_SYSCALL)
				asm_rec_other(a, au);
			first = false;
		}
		switch (type) {
		case AUDIT_SYSCALL:
			asm_rec_syscall(a, au);
			break;
		case AUDIT_EXECVE:
			asm_rec_execve(a, au);
			break;
		case AUDIT_CWD:
			asm_rec_cwd(a, au);
			break;
		case AUDIT_PATH:
			asm_rec_path(a, au);
			break;
		case AUDIT_SOCKADDR:
			asm_rec_sockaddr(a, au);
			break;
		case AUDIT_PROCTITLE:
			asm_rec_proctitle(a, au);
			break;
		case AUDIT_BPRM_FCAPS:
			asm_rec_caps(a, au, false);
			break;
		case AUDIT_CAPSET:
			asm_rec_caps(a, au, true);
			break;
		default:
			break;
		}
		if (a->bad)
			return a->bad;
	} while (auparse_next_record(au) > 0);
	asm_split_done(a);
	asm_finish_paths(a);
	asm_finish_argv(a);
	return a->bad;
}

static uint32_t asm_node_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h ? h : 1;
}

static bool asm_id_eq(const struct asm_id *x, const struct asm_id *y)
{
	return x->serial == y->serial && x->sec == y->sec &&
	       x->milli == y->milli && x->node == y->node;
}

/* Remove open[i], keeping the others in order (oldest first). */
static void asm_open_remove(struct assembler *a, size_t i)
{
	memmove(&a->open[i], &a->open[i + 1],
		(a->nopen - i - 1) * sizeof(a->open[0]));
	a->nopen--;
}

static void asm_open_done(struct assembler *a, const au_event_t *ts)
{
	struct asm_id id;
	size_t i;

	if (!ts || ts->sec < 0)
		return;
	id.sec = (uint64_t)ts->sec;
	id.milli = ts->milli;
	id.serial = ts->serial;
	id.node = ts->host ? asm_node_hash(ts->host, strlen(ts->host)) : 0;
	for (i = a->nopen; i-- > 0;) {
		if (asm_id_eq(&a->open[i].id, &id)) {
			asm_open_remove(a, i);
			return;
		}
	}
}

/* Count a malformed line (serial 0) or event, and say why. */
static void asm_bad(struct assembler *a, const char *why, uint64_t serial)
{
	a->stats.malformed++;
	a->bad_why = why;
	a->bad_serial = serial;
}

static void asm_on_event(auparse_state_t *au, auparse_cb_event_t type,
			 void *userdata)
{
	struct assembler *a = userdata;
	const au_event_t *ts;
	int r;

	if (type != AUPARSE_CB_EVENT_READY)
		return;
	ts = auparse_get_timestamp(au);
	asm_open_done(a, ts);
	r = asm_build(a, au);
	if (r == 0) {
		a->stats.events++;
		a->cb(&a->ev, a->userdata);
	} else if (r == -ENOMEM) {
		a->err = -ENOMEM;
	} else {
		/* its serial from auparse: asm_build may stop before it */
		asm_bad(a, a->build_why, ts ? ts->serial : 0);
	}
	arena_reset(&a->arena);
}

/* ---- lines ---- */

static const char *parse_digits(const char *p, const char *end,
				size_t maxdigits, uint64_t *ret)
{
	const char *start = p;
	uint64_t v = 0;

	while (p < end && *p >= '0' && *p <= '9') {
		if ((size_t)(p - start) >= maxdigits)
			return NULL;
		v = v * 10 + (uint64_t)(*p - '0');
		p++;
	}
	if (p == start)
		return NULL;
	*ret = v;
	return p;
}

/* A record type as auditd writes it: SYSCALL, USER_LOGIN, UNKNOWN[1234].
 * (libauparse 3.0.9 leaks memory on a type holding the 0x1D separator.) */
static bool asm_type_name_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '[' || s[i] == ']'))
			return false;
	return true;
}

/* "[node=N ]type=T msg=audit(SEC.MSEC:SERIAL): ..." and nothing auparse
 * would choke on (a NUL would silently cut the record). */
static bool asm_line_valid(const char *s, size_t n, struct asm_id *id)
{
	const char *p = s, *end = s + n, *q;
	uint64_t v;

	if (memchr(s, '\0', n))
		return false;
	id->node = 0;
	id->node_name = NULL;
	id->node_len = 0;
	if (n >= 5 && memcmp(p, "node=", 5) == 0) {
		q = memchr(p, ' ', n);
		if (!q)
			return false;
		id->node = asm_node_hash(p + 5, (size_t)(q - p - 5));
		id->node_name = p + 5;
		id->node_len = (size_t)(q - p - 5);
		p = q + 1;
	}
	if (end - p < 5 || memcmp(p, "type=", 5) != 0)
		return false;
	p += 5;
	q = memchr(p, ' ', (size_t)(end - p));
	if (!q || q == p || !asm_type_name_ok(p, (size_t)(q - p)))
		return false;
	id->is_cwd = q - p == 3 && memcmp(p, "CWD", 3) == 0;
	id->is_syscall = q - p == 7 && memcmp(p, "SYSCALL", 7) == 0;
	id->is_proctitle = q - p == 9 && memcmp(p, "PROCTITLE", 9) == 0;
	p = q + 1;
	if (end - p < 10 || memcmp(p, "msg=audit(", 10) != 0)
		return false;
	p += 10;
	/* auparse treats second 0 as "no event": reject it here */
	p = parse_digits(p, end, 12, &id->sec);
	if (!p || id->sec == 0 || p >= end || *p++ != '.')
		return false;
	p = parse_digits(p, end, 3, &v);
	if (!p || p >= end || *p++ != ':')
		return false;
	id->milli = (uint32_t)v;
	p = parse_digits(p, end, 19, &id->serial);
	if (!p || end - p < 2 || p[0] != ')' || p[1] != ':')
		return false;
	if (id->is_cwd) {
		/* libauparse 3.0.9 leaks a CWD record's value when it has
		 * two cwd fields; the kernel writes one, and a real value
		 * cannot hold a space (it would be hex). */
		q = memmem(p, (size_t)(end - p), " cwd=", 5);
		if (q && memmem(q + 5, (size_t)(end - q - 5), " cwd=", 5))
			return false;
	}
	return true;
}

static bool asm_blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

/* One line without its '\n'. nl says whether s[n] is a '\n' that may be
 * handed to auparse with it (saves a copy on the hot path). */
static void asm_open_new(struct assembler *a, const struct asm_id *id)
{
	struct asm_open *o = &a->open[a->nopen++];

	o->id = *id;
	o->id.node_name = NULL;
	o->nrec = 1;
	o->has_cwd = id->is_cwd;
	o->has_syscall = id->is_syscall;
	o->node_len = 0;
	if (id->node_name && id->node_len < ASM_NODE_MAX) {
		memcpy(o->node, id->node_name, id->node_len);
		o->node_len = (uint8_t)id->node_len;
	}
}

/* End open event i with a synthetic EOE record (see
 * HARRIER_EOE_DISTANCE). auparse completes it and calls back, which
 * removes it from the list; if auparse did not know it, drop it here. */
static int asm_end_open(struct assembler *a, size_t i)
{
	struct asm_open o = a->open[i];
	char line[160];
	int n;

	if (o.id.node && o.node_len == 0) {
		/* node name too long to repeat: auparse's timeout ends it */
		asm_open_remove(a, i);
		return 0;
	}
	n = snprintf(line, sizeof(line),
		     "%s%.*s%stype=EOE msg=audit(%llu.%03u:%llu): \n",
		     o.id.node ? "node=" : "", (int)o.node_len, o.node,
		     o.id.node ? " " : "", (unsigned long long)o.id.sec,
		     (unsigned int)o.id.milli,
		     (unsigned long long)o.id.serial);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -EINVAL;
	if (auparse_feed(a->au, line, (size_t)n) < 0)
		return -ENOMEM;
	for (i = a->nopen; i-- > 0;)
		if (asm_id_eq(&a->open[i].id, &o.id)) {
			asm_open_remove(a, i);
			break;
		}
	return 0;
}

/* Make room for a new event. Records of concurrent events interleave (one
 * a CPU), as many as the machine has CPUs: a syscall event is complete
 * only with its PROCTITLE (the kernel's last record before EOE, which
 * auditd's logs lack; auparse completes the event there), so it stays
 * open until then, up to
 * HARRIER_ASM_MAX_OPEN; events without a SYSCALL record (user and daemon
 * records, complete as they come) go after HARRIER_EOE_DISTANCE newer
 * ones. A log without PROCTITLE records (old kernels, excluded by a
 * rule) cannot say when a syscall event ends: the distance applies to
 * every event. An incomplete event ended to make room is counted. */
static int asm_make_room(struct assembler *a)
{
	/* Until a log shows it has none, it is taken to have PROCTITLEs
	 * (every kernel since 3.16 writes them). */
	bool wait = a->proctitles || a->nsyscall < 2 * HARRIER_EOE_DISTANCE;
	size_t i;

	while (a->nopen >= HARRIER_EOE_DISTANCE) {
		for (i = 0; i < a->nopen; i++) {
			const struct asm_open *o = &a->open[i];
			uint64_t ms = o->id.sec * 1000 + o->id.milli;

			if (!wait || !o->has_syscall)
				break;
			if (a->newest_ms > ms + HARRIER_ASM_WAIT_MS) {
				/* its PROCTITLE is not coming (records
				 * lost, or filtered out) */
				a->stats.closed_early++;
				break;
			}
		}
		if (i == a->nopen) {
			if (a->nopen < HARRIER_ASM_MAX_OPEN)
				return 0;
			i = 0;
			a->stats.closed_early++;
		}
		if (asm_end_open(a, i) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Note the record's event as open, most recent last; end the oldest with
 * an EOE past HARRIER_EOE_DISTANCE, and flush auparse first when a record
 * would pass the bounds of limits.h. Returns 1 when the record must be
 * dropped: a second CWD record in one event (never from the kernel) makes
 * libauparse 3.0.9 leak the first cwd. */
static int asm_open_add(struct assembler *a, const struct asm_id *id)
{
	struct asm_open o;
	size_t i;
	int r;

	for (i = a->nopen; i-- > 0;) {
		if (!asm_id_eq(&a->open[i].id, id))
			continue;
		if (id->is_cwd && a->open[i].has_cwd)
			return 1;
		if (a->open[i].nrec < HARRIER_MAX_EVENT_RECORDS) {
			o = a->open[i];
			o.nrec++;
			o.has_cwd |= id->is_cwd;
			asm_open_remove(a, i);
			a->open[a->nopen++] = o;
			return 0;
		}
		break;
	}
	if (i == (size_t)-1) {
		uint64_t ms = id->sec * 1000 + id->milli;

		if (ms > a->newest_ms)
			a->newest_ms = ms;
		if (id->is_syscall)
			a->nsyscall++;
		r = asm_make_room(a);
		if (r < 0)
			return r;
		asm_open_new(a, id);
		return 0;
	}
	if (auparse_flush_feed(a->au) < 0)
		return -ENOMEM;
	a->nopen = 0;
	asm_open_new(a, id);
	return 0;
}

static int asm_line(struct assembler *a, const char *s, size_t n, bool nl)
{
	struct asm_id id;
	int r;

	if (n > 0 && s[n - 1] == '\r') {
		n--;
		nl = false;
	}
	if (asm_blank(s, n))
		return 0;
	if (n > HARRIER_MAX_RECORD_LEN) {
		asm_bad(a, ASSEMBLER_WHY_OVERLONG, 0);
		return 0;
	}
	if (!asm_line_valid(s, n, &id)) {
		asm_bad(a,
			"not an audit record: it does not start with "
			"type=TYPE msg=audit(SECONDS.MILLISECONDS:SERIAL):",
			0);
		return 0;
	}
	r = asm_open_add(a, &id);
	if (r < 0)
		return r;
	if (r > 0) {
		asm_bad(a, "a second CWD record in one audit event", 0);
		return 0;
	}
	a->stats.records++;
	if (nl) {
		if (auparse_feed(a->au, s, n + 1) < 0)
			return -ENOMEM;
	} else {
		if (auparse_feed(a->au, s, n) < 0 ||
		    auparse_feed(a->au, "\n", 1) < 0)
			return -ENOMEM;
	}
	/* auparse itself completes a syscall event at its PROCTITLE (the
	 * kernel's last record before EOE): the callback took it off the
	 * open list. */
	if (id.is_proctitle)
		a->proctitles = true;
	return 0;
}

static int asm_take_err(struct assembler *a, int r)
{
	if (r == 0 && a->err) {
		r = a->err;
		a->err = 0;
	}
	return r;
}

static int asm_feed_line(const char *line, size_t n, void *userdata)
{
	/* the splitter guarantees line[n] == '\n' */
	return asm_line(userdata, line, n, true);
}

int assembler_feed(struct assembler *a, const char *data, size_t len)
{
	/* set up on first use: the live daemon feeds whole records */
	if (!a->lines.buf &&
	    linesplit_init(&a->lines, HARRIER_MAX_RECORD_LEN, 65536) < 0)
		return -ENOMEM;
	return asm_take_err(a, linesplit_feed(&a->lines, data, len,
					      asm_feed_line, a));
}

int assembler_feed_record(struct assembler *a, const char *rec, size_t len)
{
	int r;

	if (len > 0 && rec[len - 1] == '\n')
		len--;
	if (memchr(rec, '\n', len) || len > HARRIER_MAX_RECORD_LEN) {
		/* More than one line is not one record. */
		asm_bad(a,
			len > HARRIER_MAX_RECORD_LEN ?
				ASSEMBLER_WHY_OVERLONG :
				"more than one line in one record",
			0);
		return 0;
	}
	/* With its newline the record is one auparse_feed() call, not two:
	 * each call runs auparse's event scan (the second call cost about a
	 * tenth of the live daemon's CPU). */
	strbuf_reset(&a->rec);
	strbuf_append(&a->rec, rec, len);
	strbuf_appendc(&a->rec, '\n');
	if (strbuf_failed(&a->rec))
		r = asm_line(a, rec, len, false);
	else
		r = asm_line(a, a->rec.buf, len, true);
	return asm_take_err(a, r);
}

int assembler_age(struct assembler *a)
{
	auparse_feed_age_events(a->au);
	return asm_take_err(a, 0);
}

int assembler_flush(struct assembler *a)
{
	int r = 0;

	/* a last line without its newline */
	r = linesplit_finish(&a->lines, asm_feed_line, a);
	if (auparse_flush_feed(a->au) < 0 && r == 0)
		r = -ENOMEM;
	a->nopen = 0;
	return asm_take_err(a, r);
}

const char *assembler_malformed_why(const struct assembler *a,
				    uint64_t *ret_serial)
{
	*ret_serial = a->bad_serial;
	return a->bad_why;
}

void assembler_get_stats(const struct assembler *a, struct assembler_stats *ret)
{
	*ret = a->stats;
	/* lines dropped by the splitter for their length: malformed too */
	ret->malformed += a->lines.overlong;
}

struct assembler *assembler_new(assembler_event_cb cb, void *userdata)
{
	struct assembler *a;

	if (!cb)
		return NULL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->cb = cb;
	a->userdata = userdata;
	a->last_machine = -1;
	a->argc_decl = -1;
	a->split_idx = -1;
	strbuf_init(&a->rec);
	strbuf_init(&a->scratch);
	a->au = auparse_init(AUSOURCE_FEED, NULL);
	if (!a->au) {
		free(a);
		return NULL;
	}
	/* Values are decoded here; auparse must not escape them. */
	auparse_set_escape_mode(a->au, AUPARSE_ESC_RAW);
	auparse_add_callback(a->au, asm_on_event, a, NULL);
	return a;
}

void assembler_free(struct assembler *a)
{
	if (!a)
		return;
	if (a->au)
		auparse_destroy(a->au);
	arena_free(&a->arena);
	linesplit_free(&a->lines);
	strbuf_free(&a->rec);
	strbuf_free(&a->scratch);
	free(a);
}
