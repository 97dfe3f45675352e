/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The field table: every field a condition or output format may name,
 * with Falco's meaning where Falco has the field, and the code that reads
 * it from a struct event. Extraction is on the hot path: it never
 * allocates and never blocks, except for a uid/gid -> name cache miss
 * (getpwuid_r) and the process table's own /proc reads.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fnmatch.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include "engine/engine.h"
#include "engine/fields.h"
#include "common/lineage.h"
#include "common/resolver.h"

typedef bool (*field_get_fn)(const struct field_ref *r, const struct event *ev,
			     unsigned int n, struct fval *v, char *buf,
			     size_t len);

/* Field arguments. */
#define FA_INDEX 0x1 /* accepts [N] */
#define FA_NAME 0x2 /* accepts .NAME */
#define FA_MULTI 0x4 /* without [N]: any of several values */
#define FA_NEED 0x8 /* an argument is required */
#define FA_KEY 0x10 /* accepts [TEXT] (a key, path or index) */
#define FA_NET 0x20 /* an ip compared with networks (a.b.c.d/len) */
#define FA_DNS 0x40 /* an ip compared with names resolved in the background */

struct field_def {
	const char *base; /* name without argument */
	struct engine_field_info info;
	enum field_type type;
	unsigned int flags;
	int param; /* for getters shared by several fields */
	field_get_fn get;
};

/* ---- small helpers ---- */

static bool set_str(struct fval *v, const char *s)
{
	if (!s)
		return false;
	v->kind = FVAL_STR;
	v->s = s;
	v->n = 0;
	return true;
}

static bool set_num(struct fval *v, int64_t n)
{
	v->kind = FVAL_NUM;
	v->s = NULL;
	v->n = n;
	return true;
}

static bool set_bool(struct fval *v, bool b)
{
	v->kind = FVAL_BOOL;
	v->s = NULL;
	v->n = b;
	return true;
}

/* snprintf into buf and return it as a string value; false when it does
 * not fit (never happens for the short values rendered this way). */
static bool set_fmt(struct fval *v, char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static bool set_fmt(struct fval *v, char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len)
		return false;
	return set_str(v, buf);
}

/* Bounded appender over the caller's scratch buffer: truncates. */
struct sbuf {
	char *p;
	size_t len, cap; /* cap excludes the NUL */
};

static void sb_init(struct sbuf *b, char *buf, size_t len, size_t limit)
{
	b->p = buf;
	b->len = 0;
	b->cap = (len > limit ? limit : len) - 1;
	b->p[0] = '\0';
}

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (n > b->cap - b->len)
		n = b->cap - b->len;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_adds(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static bool is_syscall(const struct event *ev)
{
	return ev->kind == EVENT_KIND_SYSCALL;
}

static bool sc_is(const struct event *ev, const char *name)
{
	return is_syscall(ev) && ev->syscall_name &&
	       strcmp(ev->syscall_name, name) == 0;
}

/* ---- value tables: errno, signals, ptrace, open flags, sockets ---- */

struct named {
	long v;
	const char *name;
};

/* clang-format off */
#define N(x) { x, #x }
static const struct named errno_names[] = {
	N(EPERM), N(ENOENT), N(ESRCH), N(EINTR), N(EIO), N(ENXIO),
	N(E2BIG), N(ENOEXEC), N(EBADF), N(ECHILD), N(EAGAIN), N(ENOMEM),
	N(EACCES), N(EFAULT), N(ENOTBLK), N(EBUSY), N(EEXIST), N(EXDEV),
	N(ENODEV), N(ENOTDIR), N(EISDIR), N(EINVAL), N(ENFILE), N(EMFILE),
	N(ENOTTY), N(ETXTBSY), N(EFBIG), N(ENOSPC), N(ESPIPE), N(EROFS),
	N(EMLINK), N(EPIPE), N(EDOM), N(ERANGE), N(EDEADLK),
	N(ENAMETOOLONG), N(ENOLCK), N(ENOSYS), N(ENOTEMPTY), N(ELOOP),
	N(ENOMSG), N(EIDRM), N(ENOSTR), N(ENODATA), N(ETIME), N(ENOSR),
	N(EREMOTE), N(ENOLINK), N(EPROTO), N(EBADMSG), N(EOVERFLOW),
	N(EILSEQ), N(EUSERS), N(ENOTSOCK), N(EDESTADDRREQ), N(EMSGSIZE),
	N(EPROTOTYPE), N(ENOPROTOOPT), N(EPROTONOSUPPORT),
	N(ESOCKTNOSUPPORT), N(EOPNOTSUPP), N(EPFNOSUPPORT),
	N(EAFNOSUPPORT), N(EADDRINUSE), N(EADDRNOTAVAIL), N(ENETDOWN),
	N(ENETUNREACH), N(ENETRESET), N(ECONNABORTED), N(ECONNRESET),
	N(ENOBUFS), N(EISCONN), N(ENOTCONN), N(ESHUTDOWN), N(ETOOMANYREFS),
	N(ETIMEDOUT), N(ECONNREFUSED), N(EHOSTDOWN), N(EHOSTUNREACH),
	N(EALREADY), N(EINPROGRESS), N(ESTALE), N(EDQUOT), N(ECANCELED),
	N(EOWNERDEAD), N(ENOTRECOVERABLE), N(ENOKEY), N(EKEYEXPIRED),
	N(EKEYREVOKED), N(EKEYREJECTED), N(ENOMEDIUM), N(EMEDIUMTYPE),
	N(ERFKILL), N(EHWPOISON),
	{ 512, "ERESTARTSYS" }, { 513, "ERESTARTNOINTR" },
	{ 514, "ERESTARTNOHAND" }, { 515, "ENOIOCTLCMD" },
	{ 516, "ERESTART_RESTARTBLOCK" },
};

static const struct named signal_names[] = {
	N(SIGHUP), N(SIGINT), N(SIGQUIT), N(SIGILL), N(SIGTRAP),
	N(SIGABRT), N(SIGBUS), N(SIGFPE), N(SIGKILL), N(SIGUSR1),
	N(SIGSEGV), N(SIGUSR2), N(SIGPIPE), N(SIGALRM), N(SIGTERM),
	N(SIGSTKFLT), N(SIGCHLD), N(SIGCONT), N(SIGSTOP), N(SIGTSTP),
	N(SIGTTIN), N(SIGTTOU), N(SIGURG), N(SIGXCPU), N(SIGXFSZ),
	N(SIGVTALRM), N(SIGPROF), N(SIGWINCH), N(SIGIO), N(SIGPWR),
	N(SIGSYS),
};

static const struct named domain_names[] = {
	N(AF_UNIX), N(AF_INET), N(AF_INET6), N(AF_NETLINK), N(AF_PACKET),
	N(AF_BLUETOOTH), N(AF_VSOCK), N(AF_ALG),
};
#undef N
/* clang-format on */

/* Kernel values (include/uapi/linux/ptrace.h), the same on every arch
 * for the requests rules care about. */
/* clang-format off */
static const struct named ptrace_names[] = {
	{ 0, "PTRACE_TRACEME" }, { 1, "PTRACE_PEEKTEXT" },
	{ 2, "PTRACE_PEEKDATA" }, { 3, "PTRACE_PEEKUSR" },
	{ 4, "PTRACE_POKETEXT" }, { 5, "PTRACE_POKEDATA" },
	{ 6, "PTRACE_POKEUSR" }, { 7, "PTRACE_CONT" },
	{ 8, "PTRACE_KILL" }, { 9, "PTRACE_SINGLESTEP" },
	{ 12, "PTRACE_GETREGS" }, { 13, "PTRACE_SETREGS" },
	{ 14, "PTRACE_GETFPREGS" }, { 15, "PTRACE_SETFPREGS" },
	{ 16, "PTRACE_ATTACH" }, { 17, "PTRACE_DETACH" },
	{ 18, "PTRACE_GETFPXREGS" }, { 19, "PTRACE_SETFPXREGS" },
	{ 24, "PTRACE_SYSCALL" }, { 30, "PTRACE_ARCH_PRCTL" },
	{ 31, "PTRACE_SYSEMU" }, { 32, "PTRACE_SYSEMU_SINGLESTEP" },
	{ 0x4200, "PTRACE_SETOPTIONS" }, { 0x4201, "PTRACE_GETEVENTMSG" },
	{ 0x4202, "PTRACE_GETSIGINFO" }, { 0x4203, "PTRACE_SETSIGINFO" },
	{ 0x4204, "PTRACE_GETREGSET" }, { 0x4205, "PTRACE_SETREGSET" },
	{ 0x4206, "PTRACE_SEIZE" }, { 0x4207, "PTRACE_INTERRUPT" },
	{ 0x4208, "PTRACE_LISTEN" }, { 0x4209, "PTRACE_PEEKSIGINFO" },
	{ 0x420a, "PTRACE_GETSIGMASK" }, { 0x420b, "PTRACE_SETSIGMASK" },
	{ 0x420c, "PTRACE_SECCOMP_GET_FILTER" },
	{ 0x420d, "PTRACE_SECCOMP_GET_METADATA" },
	{ 0x420e, "PTRACE_GET_SYSCALL_INFO" },
};
/* clang-format on */

static const char *named_lookup(const struct named *t, size_t n, long v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].v == v)
			return t[i].name;
	return NULL;
}

#define LOOKUP(t, v) named_lookup(t, sizeof(t) / sizeof(t[0]), v)

/*
 * open(2) flags as Falco renders them: access mode first, then the other
 * flags in this order. Composite flags (O_TMPFILE contains O_DIRECTORY,
 * O_SYNC contains O_DSYNC) come before their parts. The values are this
 * host's: audit reports the raw argument of the audited arch, which is
 * the host's for native processes.
 */
/* clang-format off */
static const struct {
	unsigned long mask;
	const char *name;
} oflag_names[] = {
	{ O_TMPFILE, "O_TMPFILE" },   { O_CREAT, "O_CREAT" },
	{ O_EXCL, "O_EXCL" },	      { O_NOCTTY, "O_NOCTTY" },
	{ O_TRUNC, "O_TRUNC" },	      { O_APPEND, "O_APPEND" },
	{ O_NONBLOCK, "O_NONBLOCK" }, { O_SYNC, "O_SYNC" },
	{ O_DSYNC, "O_DSYNC" },	      { O_DIRECT, "O_DIRECT" },
	{ O_LARGEFILE, "O_LARGEFILE" }, { O_DIRECTORY, "O_DIRECTORY" },
	{ O_NOFOLLOW, "O_NOFOLLOW" }, { O_NOATIME, "O_NOATIME" },
	{ O_CLOEXEC, "O_CLOEXEC" },   { O_PATH, "O_PATH" },
};
/* clang-format on */

static const char *render_oflags(uint64_t flags, char *buf, size_t len)
{
	struct sbuf b;
	unsigned long rest = (unsigned long)flags;
	size_t i;
	char hex[24];

	sb_init(&b, buf, len, len);
	switch (rest & O_ACCMODE) {
	case O_RDONLY:
		sb_adds(&b, "O_RDONLY");
		break;
	case O_WRONLY:
		sb_adds(&b, "O_WRONLY");
		break;
	case O_RDWR:
		sb_adds(&b, "O_RDWR");
		break;
	default:
		sb_adds(&b, "O_ACCMODE");
		break;
	}
	rest &= ~(unsigned long)O_ACCMODE;
	for (i = 0; i < sizeof(oflag_names) / sizeof(oflag_names[0]); i++) {
		unsigned long m = oflag_names[i].mask;

		if (m && (rest & m) == m) {
			sb_adds(&b, "|");
			sb_adds(&b, oflag_names[i].name);
			rest &= ~m;
		}
	}
	if (rest) {
		(void)snprintf(hex, sizeof(hex), "|0x%lx", rest);
		sb_adds(&b, hex);
	}
	return buf;
}

static const char *render_socktype(uint64_t type, char *buf, size_t len)
{
	static const struct named types[] = {
		{ SOCK_STREAM, "SOCK_STREAM" },
		{ SOCK_DGRAM, "SOCK_DGRAM" },
		{ SOCK_RAW, "SOCK_RAW" },
		{ SOCK_RDM, "SOCK_RDM" },
		{ SOCK_SEQPACKET, "SOCK_SEQPACKET" },
		{ SOCK_PACKET, "SOCK_PACKET" },
	};
	struct sbuf b;
	const char *name = LOOKUP(types, (long)(type & 0xf));
	char num[24];

	sb_init(&b, buf, len, len);
	if (name) {
		sb_adds(&b, name);
	} else {
		(void)snprintf(num, sizeof(num), "%u",
			       (unsigned int)(type & 0xf));
		sb_adds(&b, num);
	}
	if (type & SOCK_NONBLOCK)
		sb_adds(&b, "|SOCK_NONBLOCK");
	if (type & SOCK_CLOEXEC)
		sb_adds(&b, "|SOCK_CLOEXEC");
	return buf;
}

/* ---- syscall arguments (evt.arg.NAME, evt.rawarg.NAME) ---- */

enum arg_src {
	S_A0,
	S_A1,
	S_A2,
	S_A3,
	S_EXIT,
	S_PATH, /* primary PATH item */
	S_OLDPATH, /* the DELETE item of a rename */
	S_NEWPATH, /* the CREATE item of a rename/link */
	S_SOCKADDR,
	S_CONST,
	S_TARGET, /* symlink's target: the item without an inode, as passed */
	S_LINKOLD, /* link's existing file: the item that is neither the
		    * parent nor the new name */
	S_TUPLE, /* the fd's tuple (fd.name of a socket) */
	S_MEMFD_NAME, /* memfd_create's name, from the fd table (live) */
};

enum arg_fmt {
	F_INT, /* signed 32-bit: pids, fds, AT_FDCWD */
	F_UINT, /* unsigned 32-bit: ids */
	F_HEX,
	F_OFLAGS,
	F_MODE,
	F_SIG,
	F_PTRACE,
	F_DOMAIN,
	F_SOCKTYPE,
	F_STR, /* path, sockaddr */
	F_MODEFLAGS, /* chmod's mode as Falco's S_I* names */
	F_CLONE, /* CLONE_* flags (unshare, setns nstype) */
	F_MOUNT, /* MS_* flags */
	F_BPF, /* bpf(2) cmd */
};

struct sc_arg {
	const char *name;
	unsigned char src, fmt;
	unsigned long k; /* S_CONST value */
};

#define SC_MAXARGS 6
struct sc_desc {
	const char *name;
	struct sc_arg args[SC_MAXARGS];
};

/* clang-format off */
#define FD_RES { "fd", S_EXIT, F_INT, 0 }
#define FD_A0 { "fd", S_A0, F_INT, 0 }
#define DIRFD { "dirfd", S_A0, F_INT, 0 }
#define PATH(n) { n, S_PATH, F_STR, 0 }
#define ADDR { "addr", S_SOCKADDR, F_STR, 0 }

/* Falco's argument names for the syscalls rules test; sorted by name
 * (binary search). Every syscall also has a0..a3 and res. */
static const struct sc_desc sc_table[] = {
	{ "accept", { FD_RES, ADDR, { "tuple", S_TUPLE, F_STR, 0 } } },
	{ "accept4",
	  { FD_RES, ADDR, { "tuple", S_TUPLE, F_STR, 0 },
	    { "flags", S_A3, F_HEX, 0 } } },
	{ "bind", { FD_A0, ADDR } },
	{ "bpf", { { "cmd", S_A0, F_BPF, 0 }, { "res", S_EXIT, F_INT, 0 } } },
	{ "chmod", { PATH("filename"), { "mode", S_A1, F_MODEFLAGS, 0 } } },
	{ "chown",
	  { PATH("path"), { "uid", S_A1, F_UINT, 0 },
	    { "gid", S_A2, F_UINT, 0 } } },
	{ "clone", { { "flags", S_A0, F_HEX, 0 } } },
	{ "close", { FD_A0 } },
	{ "connect", { FD_A0, ADDR, { "tuple", S_TUPLE, F_STR, 0 } } },
	{ "creat",
	  { FD_RES, PATH("name"),
	    { "flags", S_CONST, F_OFLAGS, O_CREAT | O_WRONLY | O_TRUNC },
	    { "mode", S_A1, F_MODE, 0 } } },
	{ "dup", { FD_A0, { "oldfd", S_A0, F_INT, 0 } } },
	{ "dup2",
	  { FD_A0, { "oldfd", S_A0, F_INT, 0 }, { "newfd", S_A1, F_INT, 0 } } },
	{ "dup3",
	  { FD_A0, { "oldfd", S_A0, F_INT, 0 }, { "newfd", S_A1, F_INT, 0 },
	    { "flags", S_A2, F_OFLAGS, 0 } } },
	{ "execve", { PATH("filename") } },
	{ "execveat", { DIRFD, PATH("pathname") } },
	{ "fchmod", { FD_A0, { "mode", S_A1, F_MODEFLAGS, 0 } } },
	{ "fchmodat",
	  { DIRFD, PATH("filename"), { "mode", S_A2, F_MODEFLAGS, 0 } } },
	{ "fchown",
	  { FD_A0, { "uid", S_A1, F_UINT, 0 }, { "gid", S_A2, F_UINT, 0 } } },
	{ "fchownat",
	  { DIRFD, PATH("pathname"), { "uid", S_A2, F_UINT, 0 },
	    { "gid", S_A3, F_UINT, 0 } } },
	{ "finit_module", { FD_A0, { "flags", S_A2, F_HEX, 0 } } },
	{ "ftruncate", { FD_A0 } },
	{ "init_module", { { "length", S_A1, F_UINT, 0 } } },
	{ "kill", { { "pid", S_A0, F_INT, 0 }, { "sig", S_A1, F_SIG, 0 } } },
	{ "lchown",
	  { PATH("path"), { "uid", S_A1, F_UINT, 0 },
	    { "gid", S_A2, F_UINT, 0 } } },
	{ "link",
	  { { "oldpath", S_LINKOLD, F_STR, 0 },
	    { "newpath", S_NEWPATH, F_STR, 0 } } },
	{ "linkat",
	  { { "olddir", S_A0, F_INT, 0 }, { "oldpath", S_LINKOLD, F_STR, 0 },
	    { "newdir", S_A2, F_INT, 0 }, { "newpath", S_NEWPATH, F_STR, 0 },
	    { "flags", S_A3, F_HEX, 0 } } },
	{ "listen", { FD_A0, { "backlog", S_A1, F_INT, 0 } } },
	{ "memfd_create",
	  { FD_RES, { "name", S_MEMFD_NAME, F_STR, 0 },
	    { "flags", S_A1, F_HEX, 0 } } },
	{ "mkdir", { PATH("path"), { "mode", S_A1, F_MODE, 0 } } },
	{ "mkdirat", { DIRFD, PATH("path"), { "mode", S_A2, F_MODE, 0 } } },
	{ "mknod", { PATH("path"), { "mode", S_A1, F_MODE, 0 } } },
	{ "mount", { PATH("dir"), { "flags", S_A3, F_MOUNT, 0 } } },
	{ "open",
	  { FD_RES, PATH("name"), { "flags", S_A1, F_OFLAGS, 0 },
	    { "mode", S_A2, F_MODE, 0 } } },
	{ "openat",
	  { FD_RES, DIRFD, PATH("name"), { "flags", S_A2, F_OFLAGS, 0 },
	    { "mode", S_A3, F_MODE, 0 } } },
	{ "openat2", { FD_RES, DIRFD, PATH("name") } },
	{ "ptrace",
	  { { "request", S_A0, F_PTRACE, 0 }, { "pid", S_A1, F_INT, 0 } } },
	{ "read", { FD_A0 } },
	{ "recvfrom", { FD_A0, ADDR } },
	{ "recvmsg", { FD_A0, ADDR } },
	{ "rename",
	  { { "oldpath", S_OLDPATH, F_STR, 0 },
	    { "newpath", S_NEWPATH, F_STR, 0 } } },
	{ "renameat",
	  { { "olddirfd", S_A0, F_INT, 0 },
	    { "oldpath", S_OLDPATH, F_STR, 0 },
	    { "newdirfd", S_A2, F_INT, 0 },
	    { "newpath", S_NEWPATH, F_STR, 0 } } },
	{ "renameat2",
	  { { "olddirfd", S_A0, F_INT, 0 },
	    { "oldpath", S_OLDPATH, F_STR, 0 },
	    { "newdirfd", S_A2, F_INT, 0 },
	    { "newpath", S_NEWPATH, F_STR, 0 } } },
	{ "rmdir", { PATH("path") } },
	{ "sendmsg", { FD_A0, ADDR } },
	{ "sendto", { FD_A0, ADDR } },
	{ "setgid", { { "gid", S_A0, F_UINT, 0 } } },
	{ "setns",
	  { FD_A0, { "nstype", S_A1, F_CLONE, 0 } } },
	{ "setregid",
	  { { "rgid", S_A0, F_UINT, 0 }, { "egid", S_A1, F_UINT, 0 } } },
	{ "setresgid",
	  { { "rgid", S_A0, F_UINT, 0 }, { "egid", S_A1, F_UINT, 0 },
	    { "sgid", S_A2, F_UINT, 0 } } },
	{ "setresuid",
	  { { "ruid", S_A0, F_UINT, 0 }, { "euid", S_A1, F_UINT, 0 },
	    { "suid", S_A2, F_UINT, 0 } } },
	{ "setreuid",
	  { { "ruid", S_A0, F_UINT, 0 }, { "euid", S_A1, F_UINT, 0 } } },
	{ "setuid", { { "uid", S_A0, F_UINT, 0 } } },
	{ "socket",
	  { FD_RES, { "domain", S_A0, F_DOMAIN, 0 },
	    { "type", S_A1, F_SOCKTYPE, 0 }, { "proto", S_A2, F_UINT, 0 } } },
	{ "symlink",
	  { { "target", S_TARGET, F_STR, 0 },
	    { "linkpath", S_NEWPATH, F_STR, 0 } } },
	{ "symlinkat",
	  { { "target", S_TARGET, F_STR, 0 },
	    { "linkdirfd", S_A1, F_INT, 0 },
	    { "linkpath", S_NEWPATH, F_STR, 0 } } },
	{ "tgkill",
	  { { "pid", S_A0, F_INT, 0 }, { "tid", S_A1, F_INT, 0 },
	    { "sig", S_A2, F_SIG, 0 } } },
	{ "tkill", { { "tid", S_A0, F_INT, 0 }, { "sig", S_A1, F_SIG, 0 } } },
	{ "truncate", { PATH("path") } },
	{ "umount2", { PATH("name"), { "flags", S_A1, F_HEX, 0 } } },
	{ "unlink", { PATH("path") } },
	{ "unlinkat",
	  { DIRFD, PATH("name"), { "flags", S_A2, F_HEX, 0 } } },
	{ "unshare", { { "flags", S_A0, F_CLONE, 0 } } },
	{ "write", { FD_A0 } },
};
/* clang-format on */

static int sc_desc_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct sc_desc *)elem)->name);
}

static const struct sc_desc *sc_lookup(const struct event *ev)
{
	if (!is_syscall(ev) || !ev->syscall_name)
		return NULL;
	return bsearch(ev->syscall_name, sc_table,
		       sizeof(sc_table) / sizeof(sc_table[0]),
		       sizeof(sc_table[0]), sc_desc_cmp);
}

static const struct sc_arg *sc_arg_find(const struct sc_desc *d,
					const char *name)
{
	size_t i;

	for (i = 0; d && i < SC_MAXARGS && d->args[i].name; i++)
		if (strcmp(d->args[i].name, name) == 0)
			return &d->args[i];
	return NULL;
}

static const char *path_name(const struct event_path *p)
{
	if (!p)
		return NULL;
	return p->name ? p->name : p->raw_name;
}

static const char *path_by_nametype(const struct event *ev, const char *nt)
{
	size_t i;

	for (i = 0; i < ev->npaths; i++)
		if (ev->paths[i].nametype &&
		    strcmp(ev->paths[i].nametype, nt) == 0)
			return path_name(&ev->paths[i]);
	return NULL;
}

static const char *file_path(const struct event *ev)
{
	return path_name(event_primary_path(ev));
}

/* Falco's fd.name for a file: the object reached, through symlinks. */
static const char *fd_file_path(const struct event *ev)
{
	const struct event_path *p = event_primary_path(ev);

	return p && p->resolved ? p->resolved : path_name(p);
}

static bool sockaddr_text(const struct event *ev, struct fval *v, char *buf,
			  size_t len)
{
	const struct event_sockaddr *sa = &ev->sockaddr;

	switch (sa->family) {
	case EVENT_SOCK_INET:
	case EVENT_SOCK_INET6:
		return set_fmt(v, buf, len, "%s:%u", sa->addr,
			       (unsigned int)sa->port);
	case EVENT_SOCK_UNIX:
		return set_str(v, sa->path);
	default:
		return false;
	}
}

/* clang-format off */
static const struct named mode_bits[] = {
	{ 0001, "S_IXOTH" }, { 0002, "S_IWOTH" }, { 0004, "S_IROTH" },
	{ 0010, "S_IXGRP" }, { 0020, "S_IWGRP" }, { 0040, "S_IRGRP" },
	{ 0100, "S_IXUSR" }, { 0200, "S_IWUSR" }, { 0400, "S_IRUSR" },
	{ 01000, "S_ISVTX" }, { 02000, "S_ISGID" }, { 04000, "S_ISUID" },
};

static const struct named clone_bits[] = {
	{ 0x00000100, "CLONE_VM" }, { 0x00000200, "CLONE_FS" },
	{ 0x00000400, "CLONE_FILES" }, { 0x00000800, "CLONE_SIGHAND" },
	{ 0x00001000, "CLONE_PIDFD" }, { 0x00002000, "CLONE_PTRACE" },
	{ 0x00004000, "CLONE_VFORK" }, { 0x00008000, "CLONE_PARENT" },
	{ 0x00010000, "CLONE_THREAD" }, { 0x00020000, "CLONE_NEWNS" },
	{ 0x00040000, "CLONE_SYSVSEM" }, { 0x00080000, "CLONE_SETTLS" },
	{ 0x00100000, "CLONE_PARENT_SETTID" },
	{ 0x00200000, "CLONE_CHILD_CLEARTID" },
	{ 0x00400000, "CLONE_DETACHED" }, { 0x00800000, "CLONE_UNTRACED" },
	{ 0x01000000, "CLONE_CHILD_SETTID" }, { 0x02000000, "CLONE_NEWCGROUP" },
	{ 0x04000000, "CLONE_NEWUTS" }, { 0x08000000, "CLONE_NEWIPC" },
	{ 0x10000000, "CLONE_NEWUSER" }, { 0x20000000, "CLONE_NEWPID" },
	{ 0x40000000, "CLONE_NEWNET" }, { 0x80000000, "CLONE_IO" },
	{ 0x00000080, "CLONE_NEWTIME" },
};

static const struct named mount_bits[] = {
	{ 1, "MS_RDONLY" }, { 2, "MS_NOSUID" }, { 4, "MS_NODEV" },
	{ 8, "MS_NOEXEC" }, { 16, "MS_SYNCHRONOUS" }, { 32, "MS_REMOUNT" },
	{ 64, "MS_MANDLOCK" }, { 128, "MS_DIRSYNC" }, { 1024, "MS_NOATIME" },
	{ 2048, "MS_NODIRATIME" }, { 4096, "MS_BIND" }, { 8192, "MS_MOVE" },
	{ 16384, "MS_REC" }, { 32768, "MS_SILENT" },
	{ 1 << 16, "MS_POSIXACL" }, { 1 << 17, "MS_UNBINDABLE" },
	{ 1 << 18, "MS_PRIVATE" }, { 1 << 19, "MS_SLAVE" },
	{ 1 << 20, "MS_SHARED" }, { 1 << 21, "MS_RELATIME" },
	{ 1 << 22, "MS_KERNMOUNT" }, { 1 << 23, "MS_I_VERSION" },
	{ 1 << 24, "MS_STRICTATIME" }, { 1 << 25, "MS_LAZYTIME" },
};

static const struct named bpf_cmds[] = {
	{ 0, "BPF_MAP_CREATE" }, { 1, "BPF_MAP_LOOKUP_ELEM" },
	{ 2, "BPF_MAP_UPDATE_ELEM" }, { 3, "BPF_MAP_DELETE_ELEM" },
	{ 4, "BPF_MAP_GET_NEXT_KEY" }, { 5, "BPF_PROG_LOAD" },
	{ 6, "BPF_OBJ_PIN" }, { 7, "BPF_OBJ_GET" }, { 8, "BPF_PROG_ATTACH" },
	{ 9, "BPF_PROG_DETACH" }, { 10, "BPF_PROG_TEST_RUN" },
	{ 11, "BPF_PROG_GET_NEXT_ID" }, { 12, "BPF_MAP_GET_NEXT_ID" },
	{ 13, "BPF_PROG_GET_FD_BY_ID" }, { 14, "BPF_MAP_GET_FD_BY_ID" },
	{ 15, "BPF_OBJ_GET_INFO_BY_FD" }, { 16, "BPF_PROG_QUERY" },
	{ 17, "BPF_RAW_TRACEPOINT_OPEN" }, { 18, "BPF_BTF_LOAD" },
	{ 19, "BPF_BTF_GET_FD_BY_ID" }, { 20, "BPF_TASK_FD_QUERY" },
	{ 21, "BPF_MAP_LOOKUP_AND_DELETE_ELEM" }, { 22, "BPF_MAP_FREEZE" },
	{ 23, "BPF_BTF_GET_NEXT_ID" }, { 28, "BPF_LINK_CREATE" },
	{ 29, "BPF_LINK_UPDATE" }, { 30, "BPF_LINK_GET_FD_BY_ID" },
	{ 31, "BPF_LINK_GET_NEXT_ID" }, { 32, "BPF_ENABLE_STATS" },
	{ 33, "BPF_ITER_CREATE" }, { 34, "BPF_LINK_DETACH" },
	{ 35, "BPF_PROG_BIND_MAP" }, { 36, "BPF_TOKEN_CREATE" },
};
/* clang-format on */

/* Flags as NAME|NAME|..., what no name covers as 0x..; "0" for none. */
static const char *render_bits(const struct named *t, size_t n, uint64_t x,
			       char *buf, size_t len)
{
	struct sbuf b;
	size_t i;
	char hex[24];

	sb_init(&b, buf, len, len);
	for (i = 0; i < n; i++) {
		if ((x & (uint64_t)t[i].v) != (uint64_t)t[i].v)
			continue;
		if (b.len)
			sb_adds(&b, "|");
		sb_adds(&b, t[i].name);
		x &= ~(uint64_t)t[i].v;
	}
	if (x || !b.len) {
		(void)snprintf(hex, sizeof(hex), "%s0x%" PRIx64, b.len ? "|" : "",
			       x);
		sb_adds(&b, b.len || x ? hex : "0");
	}
	return buf;
}

#define BITS(t, x, buf, len) render_bits(t, sizeof(t) / sizeof(t[0]), x, buf, len)

static bool fd_is_ip(const struct event_fd *f);
static bool fd_tuple(const struct event_fd *f, struct fval *v, char *buf,
		     size_t len);

static const char *path_item(const struct event *ev, bool target)
{
	size_t i;

	for (i = 0; i < ev->npaths; i++) {
		const struct event_path *p = &ev->paths[i];
		const char *nt = p->nametype ? p->nametype : "";

		if (!strcmp(nt, "PARENT") || !strcmp(nt, "CREATE"))
			continue;
		if (target ? !p->has_inode : strcmp(nt, "NORMAL") == 0)
			return target ? p->raw_name : path_name(p);
	}
	return NULL;
}

/* memfd_create's name: the fd's "/memfd:NAME (deleted)". */
static bool memfd_name(const struct event *ev, struct fval *v, char *buf,
		       size_t len)
{
	const char *nm = ev->fd ? ev->fd->name : NULL, *end;

	if (!nm || strncmp(nm, "/memfd:", 7) != 0)
		return false;
	nm += 7;
	end = strstr(nm, " (deleted)");
	if (!end)
		end = nm + strlen(nm);
	if ((size_t)(end - nm) >= len)
		return false;
	memcpy(buf, nm, (size_t)(end - nm));
	buf[end - nm] = '\0';
	return set_str(v, buf);
}

static bool arg_value(const struct event *ev, const struct sc_arg *a, bool raw,
		      struct fval *v, char *buf, size_t len)
{
	uint64_t x;
	const char *name;

	switch (a->src) {
	case S_A0:
	case S_A1:
	case S_A2:
	case S_A3:
		x = ev->args[a->src - S_A0];
		break;
	case S_EXIT:
		if (!ev->has_exit)
			return false;
		if (raw)
			return set_num(v, ev->exit);
		return set_fmt(v, buf, len, "%" PRId64, ev->exit);
	case S_PATH:
		return set_str(v, file_path(ev));
	case S_OLDPATH:
		return set_str(v, path_by_nametype(ev, "DELETE"));
	case S_NEWPATH:
		return set_str(v, path_by_nametype(ev, "CREATE"));
	case S_SOCKADDR:
		return sockaddr_text(ev, v, buf, len);
	case S_TARGET:
		return set_str(v, path_item(ev, true));
	case S_LINKOLD:
		return set_str(v, path_item(ev, false));
	case S_TUPLE:
		if (fd_is_ip(ev->fd) && fd_tuple(ev->fd, v, buf, len))
			return true;
		return sockaddr_text(ev, v, buf, len);
	case S_MEMFD_NAME:
		return memfd_name(ev, v, buf, len);
	case S_CONST:
		x = a->k;
		break;
	default:
		return false;
	}
	if (raw) {
		if (a->fmt == F_INT)
			return set_num(v, (int32_t)(uint32_t)x);
		if (a->fmt == F_UINT || a->fmt == F_SIG || a->fmt == F_MODE ||
		    a->fmt == F_MODEFLAGS || a->fmt == F_CLONE)
			return set_num(v, (uint32_t)x);
		return set_num(v, (int64_t)x);
	}
	switch (a->fmt) {
	case F_INT:
		return set_fmt(v, buf, len, "%" PRId32, (int32_t)(uint32_t)x);
	case F_UINT:
		return set_fmt(v, buf, len, "%" PRIu32, (uint32_t)x);
	case F_OFLAGS:
		return set_str(v, render_oflags(x, buf, len));
	case F_MODE:
		return set_fmt(v, buf, len, "%#o", (unsigned int)(x & 07777));
	case F_MODEFLAGS:
		return set_str(v, BITS(mode_bits, x & 07777, buf, len));
	case F_CLONE:
		return set_str(v, BITS(clone_bits, (uint32_t)x, buf, len));
	case F_MOUNT:
		/* the magic 0xC0ED in the high half is no flag */
		if ((x & 0xffff0000u) == 0xc0ed0000u)
			x &= 0xffff;
		return set_str(v, BITS(mount_bits, (uint32_t)x, buf, len));
	case F_BPF:
		name = LOOKUP(bpf_cmds, (long)(uint32_t)x);
		break;
	case F_SIG:
		name = LOOKUP(signal_names, (long)(uint32_t)x);
		break;
	case F_PTRACE:
		name = LOOKUP(ptrace_names, (long)x);
		break;
	case F_DOMAIN:
		name = LOOKUP(domain_names, (long)(uint32_t)x);
		break;
	case F_SOCKTYPE:
		return set_str(v, render_socktype(x, buf, len));
	default:
		return set_fmt(v, buf, len, "0x%" PRIx64, x);
	}
	if (name)
		return set_str(v, name);
	return set_fmt(v, buf, len, "%" PRIu64, x);
}

/* Generic arguments every syscall event has: a0..a3 (hex) and res. */
static bool generic_arg(const struct event *ev, const char *name, bool raw,
			struct fval *v, char *buf, size_t len)
{
	struct sc_arg a = { name, S_A0, F_HEX, 0 };

	if (strcmp(name, "res") == 0) {
		a.src = S_EXIT;
	} else if (name[0] == 'a' && name[1] >= '0' && name[1] <= '3' &&
		   !name[2]) {
		a.src = (unsigned char)(S_A0 + (name[1] - '0'));
	} else {
		return false;
	}
	return arg_value(ev, &a, raw, v, buf, len);
}

static bool g_arg(const struct field_ref *r, const struct event *ev,
		  unsigned int n, struct fval *v, char *buf, size_t len)
{
	bool raw = r->def->param;
	const struct sc_desc *d;
	const struct sc_arg *a;

	if (!is_syscall(ev)) {
		const struct event_field *f = NULL;

		if (r->arg)
			f = event_field_get(ev, r->arg);
		else if (r->idx >= 0 && (size_t)r->idx < ev->nfields)
			f = &ev->fields[r->idx];
		if (!f)
			return false;
		return set_str(v, raw ? f->raw_value : f->value);
	}
	d = sc_lookup(ev);
	if (r->arg) {
		const struct event_field *f;

		a = sc_arg_find(d, r->arg);
		if (a)
			return arg_value(ev, a, raw, v, buf, len);
		if (generic_arg(ev, r->arg, raw, v, buf, len))
			return true;
		/* A record grouped with the SYSCALL (CONFIG_CHANGE, AVC,
		 * LOGIN...) brings its fields: evt.arg.op, evt.arg.key. */
		f = event_field_get(ev, r->arg);
		return f && set_str(v, raw ? f->raw_value : f->value);
	}
	if (d) {
		size_t i;

		for (i = 0; i < SC_MAXARGS && d->args[i].name; i++)
			if ((long)i == r->idx)
				return arg_value(ev, &d->args[i], raw, v, buf,
						 len);
		return false;
	}
	if (r->idx >= 0 && r->idx < 4) {
		struct sc_arg g = { "", (unsigned char)(S_A0 + r->idx), F_HEX,
				    0 };

		return arg_value(ev, &g, raw, v, buf, len);
	}
	return false;
}

/* evt.args: "name=value ..." for every argument (Falco's shape). */
static bool g_args(const struct field_ref *r, const struct event *ev,
		   unsigned int n, struct fval *v, char *buf, size_t len)
{
	struct sbuf b;
	size_t i;
	char tmp[FIELD_SCRATCH];
	struct fval av;

	sb_init(&b, buf, len, len);
	if (!is_syscall(ev)) {
		for (i = 0; i < ev->nfields; i++) {
			if (i)
				sb_adds(&b, " ");
			sb_adds(&b, ev->fields[i].name);
			sb_adds(&b, "=");
			sb_adds(&b,
				ev->fields[i].value ? ev->fields[i].value : "");
		}
		return set_str(v, buf);
	}
	{
		const struct sc_desc *d = sc_lookup(ev);
		static const struct sc_desc generic = {
			"",
			{ { "a0", S_A0, F_HEX, 0 },
			  { "a1", S_A1, F_HEX, 0 },
			  { "a2", S_A2, F_HEX, 0 },
			  { "a3", S_A3, F_HEX, 0 },
			  { "res", S_EXIT, F_INT, 0 } }
		};

		if (!d)
			d = &generic;
		for (i = 0; i < SC_MAXARGS && d->args[i].name; i++) {
			if (!arg_value(ev, &d->args[i], false, &av, tmp,
				       sizeof(tmp)))
				continue;
			if (b.len)
				sb_adds(&b, " ");
			sb_adds(&b, d->args[i].name);
			sb_adds(&b, "=");
			sb_adds(&b, av.s);
		}
	}
	return set_str(v, buf);
}

/* ---- evt.* ---- */

static bool g_evt_type(const struct field_ref *r, const struct event *ev,
		       unsigned int n, struct fval *v, char *buf, size_t len)
{
	return set_str(v, is_syscall(ev) ? ev->syscall_name : ev->type_name);
}

static bool g_serial(const struct field_ref *r, const struct event *ev,
		     unsigned int n, struct fval *v, char *buf, size_t len)
{
	return set_num(v, (int64_t)ev->serial);
}

/* evt.time (param 0), evt.datetime (1), evt.time.iso8601 (2): UTC. */
static bool g_time(const struct field_ref *r, const struct event *ev,
		   unsigned int n, struct fval *v, char *buf, size_t len)
{
	time_t t = (time_t)(ev->time_ns / 1000000000u);
	unsigned int ns = (unsigned int)(ev->time_ns % 1000000000u);
	struct tm tm;

	if (!gmtime_r(&t, &tm))
		return false;
	switch (r->def->param) {
	case 0:
		return set_fmt(v, buf, len, "%02d:%02d:%02d.%09u", tm.tm_hour,
			       tm.tm_min, tm.tm_sec, ns);
	case 1:
		return set_fmt(v, buf, len,
			       "%04d-%02d-%02d %02d:%02d:%02d.%09u",
			       tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			       tm.tm_hour, tm.tm_min, tm.tm_sec, ns);
	default:
		return set_fmt(v, buf, len,
			       "%04d-%02d-%02dT%02d:%02d:%02d.%09uZ",
			       tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			       tm.tm_hour, tm.tm_min, tm.tm_sec, ns);
	}
}

static bool g_rawtime(const struct field_ref *r, const struct event *ev,
		      unsigned int n, struct fval *v, char *buf, size_t len)
{
	return set_num(v, (int64_t)ev->time_ns);
}

static bool g_res(const struct field_ref *r, const struct event *ev,
		  unsigned int n, struct fval *v, char *buf, size_t len)
{
	const char *name;

	if (ev->success == 1)
		return set_str(v, "SUCCESS");
	if (ev->success != 0)
		return false;
	if (!ev->has_exit)
		return set_str(v, "FAILURE");
	if (ev->exit < 0 && ev->exit > -100000) {
		name = LOOKUP(errno_names, (long)-ev->exit);
		if (name)
			return set_str(v, name);
	}
	return set_fmt(v, buf, len, "%" PRId64, ev->exit);
}

static bool g_exit(const struct field_ref *r, const struct event *ev,
		   unsigned int n, struct fval *v, char *buf, size_t len)
{
	return ev->has_exit && set_num(v, ev->exit);
}

/* evt.failed (param 1) and audit.success (param 0). */
static bool g_failed(const struct field_ref *r, const struct event *ev,
		     unsigned int n, struct fval *v, char *buf, size_t len)
{
	if (ev->success != 0 && ev->success != 1)
		return false;
	return set_bool(v, r->def->param ? ev->success == 0 : ev->success == 1);
}

static bool g_dir(const struct field_ref *r, const struct event *ev,
		  unsigned int n, struct fval *v, char *buf, size_t len)
{
	/* Audit reports a syscall when it returns: Falco's exit event. */
	return set_str(v, "<");
}

/* The flags of an open-like syscall; false when unknown (openat2 keeps
 * them in a struct the kernel does not log). */
static bool open_flags(const struct event *ev, uint64_t *flags, uint64_t *mode)
{
	if (sc_is(ev, "open")) {
		*flags = ev->args[1];
		*mode = ev->args[2];
	} else if (sc_is(ev, "openat")) {
		*flags = ev->args[2];
		*mode = ev->args[3];
	} else if (sc_is(ev, "creat")) {
		*flags = O_CREAT | O_WRONLY | O_TRUNC;
		*mode = ev->args[1];
	} else {
		return false;
	}
	return true;
}

/* evt.is_open_read (0), _write (1), _exec (2). */
static bool g_is_open(const struct field_ref *r, const struct event *ev,
		      unsigned int n, struct fval *v, char *buf, size_t len)
{
	uint64_t flags, mode;
	unsigned int acc;

	if (!open_flags(ev, &flags, &mode))
		return set_bool(v, false);
	acc = (unsigned int)(flags & O_ACCMODE);
	switch (r->def->param) {
	case 0:
		return set_bool(v, acc == O_RDONLY || acc == O_RDWR);
	case 1:
		return set_bool(v, acc == O_WRONLY || acc == O_RDWR);
	default:
		return set_bool(v,
				(flags & O_CREAT) &&
					(mode & (S_IXUSR | S_IXGRP | S_IXOTH)));
	}
}

/* ---- proc.* ---- */

static bool lineage(const struct event *ev, unsigned int k,
		    struct proc_view *pv)
{
	const struct event_lineage *l = ev->lineage;

	if (!l || ev->pid <= 0)
		return false;
	if (l->ancestor(l->ctx, ev->pid, k, pv) == 0)
		return true;
	/* The process itself may be unknown while its parent is not. */
	return k >= 1 && ev->ppid > 0 &&
	       l->ancestor(l->ctx, ev->ppid, k - 1, pv) == 0;
}

static bool g_pid(const struct field_ref *r, const struct event *ev,
		  unsigned int n, struct fval *v, char *buf, size_t len)
{
	return ev->pid > 0 && set_num(v, ev->pid);
}

static bool g_ppid(const struct field_ref *r, const struct event *ev,
		   unsigned int n, struct fval *v, char *buf, size_t len)
{
	if (!is_syscall(ev) && ev->ppid <= 0)
		return false;
	return set_num(v, ev->ppid);
}

static bool g_vpid(const struct field_ref *r, const struct event *ev,
		   unsigned int n, struct fval *v, char *buf, size_t len)
{
	pid_t p = r->def->param ? ev->sid : ev->vpid;

	return p > 0 && set_num(v, p);
}

static bool g_comm(const struct field_ref *r, const struct event *ev,
		   unsigned int n, struct fval *v, char *buf, size_t len)
{
	return set_str(v, ev->comm);
}

static bool g_exepath(const struct field_ref *r, const struct event *ev,
		      unsigned int n, struct fval *v, char *buf, size_t len)
{
	return set_str(v, ev->exe);
}

static bool g_cwd(const struct field_ref *r, const struct event *ev,
		  unsigned int n, struct fval *v, char *buf, size_t len)
{
	return set_str(v, ev->cwd);
}

static bool g_exe(const struct field_ref *r, const struct event *ev,
		  unsigned int n, struct fval *v, char *buf, size_t len)
{
	struct proc_view pv;

	if (ev->argc > 0)
		return set_str(v, ev->argv[0]);
	return lineage(ev, 0, &pv) && set_str(v, pv.argv0);
}

/* Arguments after argv[0], space-joined, bounded by HARRIER_MAX_CMDLINE. */
static void join_args(const struct event *ev, struct sbuf *b)
{
	size_t i;

	for (i = 1; i < ev->argc; i++) {
		if (i > 1)
			sb_adds(b, " ");
		sb_adds(b, ev->argv[i] ? ev->argv[i] : "");
	}
}

static bool g_args_proc(const struct field_ref *r, const struct event *ev,
			unsigned int n, struct fval *v, char *buf, size_t len)
{
	struct proc_view pv;
	struct sbuf b;

	if (ev->argc == 0)
		return lineage(ev, 0, &pv) && set_str(v, pv.args);
	sb_init(&b, buf, len, HARRIER_MAX_CMDLINE + 1);
	join_args(ev, &b);
	return set_str(v, buf);
}

/* Falco's proc.cmdline: proc.name, then the arguments after argv[0]. */
static bool g_cmdline(const struct field_ref *r, const struct event *ev,
		      unsigned int n, struct fval *v, char *buf, size_t len)
{
	struct proc_view pv;
	struct sbuf b;

	if (ev->argc == 0 || !ev->comm)
		return lineage(ev, 0, &pv) && set_str(v, pv.cmdline);
	sb_init(&b, buf, len, HARRIER_MAX_CMDLINE + 1);
	sb_adds(&b, ev->comm);
	if (ev->argc > 1) {
		sb_adds(&b, " ");
		join_args(ev, &b);
	}
	return set_str(v, buf);
}

const char *field_cmdline(const struct event *ev, char *buf, size_t len)
{
	struct fval v;

	if (len < 2 || !g_cmdline(NULL, ev, 0, &v, buf, len))
		return NULL;
	return v.s;
}

static bool g_tty(const struct field_ref *r, const struct event *ev,
		  unsigned int n, struct fval *v, char *buf, size_t len)
{
	if (ev->tty)
		return set_str(v, ev->tty);
	/* Falco's proc.tty is 0 without a terminal; rules test "!= 0". */
	if (is_syscall(ev) || event_field_get(ev, "tty"))
		return set_str(v, "0");
	return false;
}

/* Which ancestor a lineage field means: [N] when given; without [N] the
 * n-th value of an any-of field is ancestor n + 1; the p* fields are 1. */
static bool ancestor_index(const struct field_ref *r, unsigned int n,
			   unsigned int *k)
{
	if (r->idx >= 0) {
		if (n > 0)
			return false;
		*k = (unsigned int)r->idx;
		return true;
	}
	if (r->multi) {
		if (n >= HARRIER_MAX_ANCESTORS)
			return false;
		*k = n + 1;
		return true;
	}
	if (n > 0)
		return false;
	*k = 1;
	return true;
}

enum anc_what { ANC_NAME, ANC_PID, ANC_EXE, ANC_EXEPATH, ANC_CMDLINE };

static bool g_ancestor(const struct field_ref *r, const struct event *ev,
		       unsigned int n, struct fval *v, char *buf, size_t len)
{
	struct proc_view pv;
	unsigned int k;

	if (!ancestor_index(r, n, &k))
		return false;
	if (k == 0) {
		/* [0] is the process itself: the event knows it best. */
		switch (r->def->param) {
		case ANC_NAME:
			return g_comm(r, ev, 0, v, buf, len);
		case ANC_PID:
			return g_pid(r, ev, 0, v, buf, len);
		case ANC_EXE:
			return g_exe(r, ev, 0, v, buf, len);
		case ANC_EXEPATH:
			return g_exepath(r, ev, 0, v, buf, len);
		default:
			return g_cmdline(r, ev, 0, v, buf, len);
		}
	}
	if (!lineage(ev, k, &pv))
		return false;
	switch (r->def->param) {
	case ANC_NAME:
		return set_str(v, pv.comm);
	case ANC_PID:
		return pv.pid > 0 && set_num(v, pv.pid);
	case ANC_EXE:
		return set_str(v, pv.argv0);
	case ANC_EXEPATH:
		return set_str(v, pv.exe);
	default:
		return set_str(v, pv.cmdline);
	}
}

/* ---- process facts: capabilities, environment, executable ---- */

/* Capability names by bit (include/uapi/linux/capability.h). */
static const char *const cap_names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
	"CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
	"CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
	"CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
	"CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
	"CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};

/* thread.cap_inheritable (0), _permitted (1), _effective (2): Falco's
 * space-separated names. The event's own BPRM_FCAPS/CAPSET first (the
 * sets that execve/capset left), else the process's. */
static bool g_caps(const struct field_ref *r, const struct event *ev,
		   unsigned int n, struct fval *v, char *buf, size_t len)
{
	struct proc_view pv;
	uint64_t set;
	struct sbuf b;
	size_t i;

	if (ev->has_caps) {
		set = r->def->param == 0   ? ev->cap_inh
		      : r->def->param == 1 ? ev->cap_prm
					   : ev->cap_eff;
	} else {
		if (!lineage(ev, 0, &pv) || !pv.has_caps)
			return false;
		set = r->def->param == 0   ? pv.cap_inh
		      : r->def->param == 1 ? pv.cap_prm
					   : pv.cap_eff;
	}
	sb_init(&b, buf, len, len);
	for (i = 0; i < 64; i++) {
		char num[24];

		if (!(set & (1ULL << i)))
			continue;
		if (b.len)
			sb_adds(&b, " ");
		if (i < sizeof(cap_names) / sizeof(cap_names[0])) {
			sb_adds(&b, cap_names[i]);
		} else {
			(void)snprintf(num, sizeof(num), "CAP_%zu", i);
			sb_adds(&b, num);
		}
	}
	return set_str(v, buf);
}

/* proc.env: "NAME=value ..." space-joined; proc.env[NAME]: the value. */
static bool g_env(const struct field_ref *r, const struct event *ev,
		  unsigned int n, struct fval *v, char *buf, size_t len)
{
	const struct event_lineage *l = ev->lineage;
	const char *env, *p, *end;
	size_t elen, kl;
	struct sbuf b;

	if (!l || !l->environ || ev->pid <= 0 ||
	    l->environ(l->ctx, ev->pid, &env, &elen) < 0)
		return false;
	end = env + elen;
	if (r->arg) {
		kl = strlen(r->arg);
		for (p = env; p < end; p += strnlen(p, (size_t)(end - p)) + 1)
			if ((size_t)(end - p) > kl && !memcmp(p, r->arg, kl) &&
			    p[kl] == '=') {
				size_t vl = strnlen(p + kl + 1,
						    (size_t)(end - p - kl - 1));

				if (vl >= len)
					vl = len - 1;
				memcpy(buf, p + kl + 1, vl);
				buf[vl] = '\0';
				return set_str(v, buf);
			}
		return false;
	}
	sb_init(&b, buf, len, len);
	for (p = env; p < end; p += strnlen(p, (size_t)(end - p)) + 1) {
		if (b.len)
			sb_adds(&b, " ");
		sb_add(&b, p, strnlen(p, (size_t)(end - p)));
	}
	return set_str(v, buf);
}

enum exe_what {
	EXE_UPPER,
	EXE_MEMFD,
	EXE_INO,
	EXE_MTIME,
	EXE_CTIME,
	EXE_CTIME_DUR,
};

static bool g_exe_facts(const struct field_ref *r, const struct event *ev,
			unsigned int n, struct fval *v, char *buf, size_t len)
{
	const struct event_lineage *l = ev->lineage;
	struct proc_exe_facts f;
	struct proc_view pv;

	if (r->def->param == EXE_MEMFD && ev->exe)
		/* the record says: no lookup needed */
		return set_bool(v, strncmp(ev->exe, "/memfd:", 7) == 0);
	if (!l || !l->exe_facts || ev->pid <= 0 ||
	    l->exe_facts(l->ctx, ev->pid, &f) < 0)
		return false;
	switch (r->def->param) {
	case EXE_UPPER:
		return f.upper_layer >= 0 && set_bool(v, f.upper_layer);
	case EXE_MEMFD:
		return f.from_memfd >= 0 && set_bool(v, f.from_memfd);
	case EXE_INO:
		return f.ino && set_num(v, (int64_t)f.ino);
	case EXE_MTIME:
		return f.mtime_ns && set_num(v, f.mtime_ns);
	case EXE_CTIME:
		return f.ctime_ns && set_num(v, f.ctime_ns);
	default:
		return f.ctime_ns && lineage(ev, 0, &pv) && pv.start_ns &&
		       set_num(v, (int64_t)pv.start_ns - f.ctime_ns);
	}
}

enum pinfo_what { PI_DURATION, PI_SNAME, PI_VPGID, PI_VPGID_LEADER, PI_PGID };

static bool g_pinfo(const struct field_ref *r, const struct event *ev,
		    unsigned int n, struct fval *v, char *buf, size_t len)
{
	const struct event_lineage *l = ev->lineage;
	struct proc_view pv, lead;

	if (!lineage(ev, 0, &pv))
		return false;
	switch (r->def->param) {
	case PI_DURATION:
		return pv.start_ns && ev->time_ns >= pv.start_ns &&
		       set_num(v, (int64_t)(ev->time_ns - pv.start_ns));
	case PI_SNAME:
		if (pv.sid <= 0 || !l)
			return false;
		if (pv.sid == pv.pid)
			return set_str(v, pv.comm);
		return l->ancestor(l->ctx, pv.sid, 0, &lead) == 0 &&
		       set_str(v, lead.comm);
	case PI_VPGID:
		return pv.vpgid > 0 && set_num(v, pv.vpgid);
	case PI_PGID:
		return pv.pgid > 0 && set_num(v, pv.pgid);
	default:
		if (pv.vpgid > 0 && pv.vpid > 0)
			return set_bool(v, pv.vpgid == pv.vpid);
		return pv.pgid > 0 && set_bool(v, pv.pgid == pv.pid);
	}
}

/* ---- user.*, group.* ---- */

/* uid/gid -> name, direct-mapped: a colliding id replaces the entry.
 * Negative answers are cached too; names are not refreshed (a renamed
 * user keeps its old name until evicted). */
struct name_ent {
	bool used, found;
	uint32_t id;
	char name[64];
};

static struct name_ent user_cache[HARRIER_USER_CACHE_MAX];
static struct name_ent group_cache[HARRIER_USER_CACHE_MAX];
static pthread_mutex_t name_cache_lock = PTHREAD_MUTEX_INITIALIZER;

static bool resolve_name(bool group, uint32_t id, char *out, size_t outlen)
{
	char pwbuf[16384];
	const char *name = NULL;
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp = NULL;

	if (group) {
		if (getgrgid_r(id, &gr, pwbuf, sizeof(pwbuf), &grp) == 0 && grp)
			name = grp->gr_name;
	} else {
		if (getpwuid_r(id, &pw, pwbuf, sizeof(pwbuf), &pwp) == 0 && pwp)
			name = pwp->pw_name;
	}
	if (!name || strlen(name) >= outlen)
		return false;
	memcpy(out, name, strlen(name) + 1);
	return true;
}

static bool id_name(bool group, uint32_t id, struct fval *v, char *buf,
		    size_t len)
{
	struct name_ent *cache = group ? group_cache : user_cache;
	struct name_ent *e =
		&cache[(id * 2654435761u) % HARRIER_USER_CACHE_MAX];
	struct name_ent fresh;
	bool found;

	(void)pthread_mutex_lock(&name_cache_lock);
	if (e->used && e->id == id) {
		found = e->found && strlen(e->name) < len;
		if (found)
			memcpy(buf, e->name, strlen(e->name) + 1);
		(void)pthread_mutex_unlock(&name_cache_lock);
		return found && set_str(v, buf);
	}
	(void)pthread_mutex_unlock(&name_cache_lock);

	/* Resolve without the lock: NSS may be slow. */
	memset(&fresh, 0, sizeof(fresh));
	fresh.used = true;
	fresh.id = id;
	fresh.found = resolve_name(group, id, fresh.name, sizeof(fresh.name));
	(void)pthread_mutex_lock(&name_cache_lock);
	*e = fresh;
	(void)pthread_mutex_unlock(&name_cache_lock);
	if (!fresh.found || strlen(fresh.name) >= len)
		return false;
	memcpy(buf, fresh.name, strlen(fresh.name) + 1);
	return set_str(v, buf);
}

static bool has_ids(const struct event *ev)
{
	return is_syscall(ev) || event_field_get(ev, "uid") ||
	       event_field_get(ev, "euid");
}

/* param: 0 euid (Falco's user.uid), 1 uid, 2 egid, 3 gid. */
static bool g_uid(const struct field_ref *r, const struct event *ev,
		  unsigned int n, struct fval *v, char *buf, size_t len)
{
	static const size_t off[] = { offsetof(struct event, euid),
				      offsetof(struct event, uid),
				      offsetof(struct event, egid),
				      offsetof(struct event, gid) };
	uint32_t id;

	if (!has_ids(ev))
		return false;
	memcpy(&id, (const char *)ev + off[r->def->param], sizeof(id));
	return set_num(v, id);
}

static bool g_user_name(const struct field_ref *r, const struct event *ev,
			unsigned int n, struct fval *v, char *buf, size_t len)
{
	if (!has_ids(ev))
		return false;
	if (r->def->param)
		return id_name(true, ev->egid, v, buf, len);
	return id_name(false, ev->euid, v, buf, len);
}

/* user.loginuid: -1 when unset, as Falco. */
static bool g_loginuid(const struct field_ref *r, const struct event *ev,
		       unsigned int n, struct fval *v, char *buf, size_t len)
{
	if (ev->auid == EVENT_ID_UNSET)
		return set_num(v, -1);
	return set_num(v, ev->auid);
}

static bool g_loginname(const struct field_ref *r, const struct event *ev,
			unsigned int n, struct fval *v, char *buf, size_t len)
{
	return ev->auid != EVENT_ID_UNSET &&
	       id_name(false, ev->auid, v, buf, len);
}

/* ---- audit.* ---- */

static bool g_key(const struct field_ref *r, const struct event *ev,
		  unsigned int n, struct fval *v, char *buf, size_t len)
{
	return set_str(v, ev->key);
}

static bool g_type_name(const struct field_ref *r, const struct event *ev,
			unsigned int n, struct fval *v, char *buf, size_t len)
{
	return set_str(v, ev->type_name);
}

/* audit.auid (0), audit.ses (1): unset when the kernel said -1. */
static bool g_auid(const struct field_ref *r, const struct event *ev,
		   unsigned int n, struct fval *v, char *buf, size_t len)
{
	uint32_t x = r->def->param ? ev->ses : ev->auid;

	return x != EVENT_ID_UNSET && set_num(v, x);
}

static bool g_arch(const struct field_ref *r, const struct event *ev,
		   unsigned int n, struct fval *v, char *buf, size_t len)
{
	return is_syscall(ev) && set_str(v, ev->arch_name);
}

static bool g_syscall_nr(const struct field_ref *r, const struct event *ev,
			 unsigned int n, struct fval *v, char *buf, size_t len)
{
	return is_syscall(ev) && ev->syscall >= 0 && set_num(v, ev->syscall);
}

static bool g_subj(const struct field_ref *r, const struct event *ev,
		   unsigned int n, struct fval *v, char *buf, size_t len)
{
	return set_str(v, r->def->param ? ev->node : ev->subj);
}

/* ---- fd.* ---- */

static bool is_sock(const struct event *ev)
{
	return ev->sockaddr.family == EVENT_SOCK_INET ||
	       ev->sockaddr.family == EVENT_SOCK_INET6 ||
	       ev->sockaddr.family == EVENT_SOCK_UNIX;
}

static bool g_fd_num(const struct field_ref *r, const struct event *ev,
		     unsigned int n, struct fval *v, char *buf, size_t len)
{
	const struct sc_arg *a = sc_arg_find(sc_lookup(ev), "fd");

	if (ev->fd && ev->fd->num >= 0)
		return set_num(v, ev->fd->num);
	return a && arg_value(ev, a, true, v, buf, len);
}

static bool fd_is_ip(const struct event_fd *f)
{
	return f && (f->typechar == '4' || f->typechar == '6');
}

/* Falco's name of an ip socket: "cip:cport->sip:sport". */
static bool fd_tuple(const struct event_fd *f, struct fval *v, char *buf,
		     size_t len)
{
	const char *cip, *sip;
	unsigned int cport, sport;

	if (!f->has_local && !f->has_remote)
		return false;
	if (!f->has_local || !f->has_remote) {
		/* one end known: that one, as ip:port */
		return f->has_remote
			       ? set_fmt(v, buf, len, "%s:%u",
					 f->rip, (unsigned int)f->rport)
			       : set_fmt(v, buf, len, "%s:%u",
					 f->lip, (unsigned int)f->lport);
	}
	cip = f->is_server ? f->rip : f->lip;
	cport = f->is_server ? f->rport : f->lport;
	sip = f->is_server ? f->lip : f->rip;
	sport = f->is_server ? f->lport : f->rport;
	return set_fmt(v, buf, len, "%s:%u->%s:%u", cip,
		       cport, sip, sport);
}

static bool g_fd_name(const struct field_ref *r, const struct event *ev,
		      unsigned int n, struct fval *v, char *buf, size_t len)
{
	if (event_primary_path(ev) && !is_sock(ev))
		return set_str(v, fd_file_path(ev));
	if (fd_is_ip(ev->fd) && fd_tuple(ev->fd, v, buf, len))
		return true;
	if (ev->fd && ev->fd->name)
		return set_str(v, ev->fd->name);
	if (is_sock(ev))
		return sockaddr_text(ev, v, buf, len);
	return set_str(v, fd_file_path(ev));
}

/* fd.nameraw: the path as the process passed it. */
static bool g_fd_nameraw(const struct field_ref *r, const struct event *ev,
			 unsigned int n, struct fval *v, char *buf, size_t len)
{
	const struct event_path *p;

	if (is_sock(ev))
		return sockaddr_text(ev, v, buf, len);
	p = event_primary_path(ev);
	return p && set_str(v, p->raw_name ? p->raw_name : p->name);
}

/* fd.directory (0) and fd.filename (1) of a file path. */
static bool g_fd_dirfile(const struct field_ref *r, const struct event *ev,
			 unsigned int n, struct fval *v, char *buf, size_t len)
{
	const char *p, *slash;
	size_t dl;

	if (is_sock(ev))
		return false;
	p = fd_file_path(ev);
	if (!p && ev->fd && (ev->fd->typechar == 'f' || ev->fd->typechar == 'd'))
		p = ev->fd->name;
	if (!p)
		return false;
	slash = strrchr(p, '/');
	if (!slash)
		return false;
	if (r->def->param)
		return set_str(v, slash + 1);
	dl = slash == p ? 1 : (size_t)(slash - p);
	if (dl >= len)
		return false;
	memcpy(buf, p, dl);
	buf[dl] = '\0';
	return set_str(v, buf);
}

/* The fd type as Falco's typechar, '\0' when unknown. */
static char fd_typechar(const struct event *ev)
{
	const struct event_path *p;

	if (ev->fd && ev->fd->typechar)
		return ev->fd->typechar;
	switch (ev->sockaddr.family) {
	case EVENT_SOCK_INET:
		return '4';
	case EVENT_SOCK_INET6:
		return '6';
	case EVENT_SOCK_UNIX:
		return 'u';
	default:
		break;
	}
	if (sc_is(ev, "socket")) {
		switch ((int)ev->args[0]) {
		case AF_INET:
			return '4';
		case AF_INET6:
			return '6';
		case AF_UNIX:
			return 'u';
		default:
			return '\0';
		}
	}
	p = event_primary_path(ev);
	if (!p)
		return '\0';
	if (p->has_mode) {
		if (S_ISDIR(p->mode))
			return 'd';
		if (S_ISFIFO(p->mode))
			return 'p';
		if (S_ISSOCK(p->mode))
			return 'u';
	}
	return 'f';
}

static bool g_fd_type(const struct field_ref *r, const struct event *ev,
		      unsigned int n, struct fval *v, char *buf, size_t len)
{
	char c = fd_typechar(ev);

	if (!c)
		return false;
	if (r->def->param == 0) {
		buf[0] = c;
		buf[1] = '\0';
		return set_str(v, buf);
	}
	switch (c) {
	case '4':
		return set_str(v, "ipv4");
	case '6':
		return set_str(v, "ipv6");
	case 'u':
		return set_str(v, "unix");
	case 'd':
		return set_str(v, "directory");
	case 'p':
		return set_str(v, "pipe");
	case 'l':
		return set_str(v, "netlink");
	case 'e':
		return set_str(v, "event");
	case 's':
		return set_str(v, "signalfd");
	case 'i':
		return set_str(v, "inotify");
	case 't':
		return set_str(v, "timerfd");
	case 'b':
		return set_str(v, "bpf");
	case 'o':
		return set_str(v, "other");
	default:
		return set_str(v, "file");
	}
}

/* Which endpoints the sockaddr of this syscall describes. */
#define EP_S 0x1 /* server */
#define EP_C 0x2 /* client */
#define EP_L 0x4 /* local */
#define EP_R 0x8 /* remote */

static unsigned int sockaddr_role(const struct event *ev)
{
	static const struct {
		const char *name;
		unsigned int role;
	} roles[] = {
		{ "connect", EP_S | EP_R }, { "sendto", EP_S | EP_R },
		{ "sendmsg", EP_S | EP_R }, { "sendmmsg", EP_S | EP_R },
		{ "bind", EP_S | EP_L },    { "accept", EP_C | EP_R },
		{ "accept4", EP_C | EP_R }, { "recvfrom", EP_R },
		{ "recvmsg", EP_R },	    { "recvmmsg", EP_R },
	};
	size_t i;

	if (!is_syscall(ev) || !ev->syscall_name)
		return 0;
	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (strcmp(roles[i].name, ev->syscall_name) == 0)
			return roles[i].role;
	return 0;
}

static bool inet(const struct event *ev)
{
	return ev->sockaddr.family == EVENT_SOCK_INET ||
	       ev->sockaddr.family == EVENT_SOCK_INET6;
}

/* The address and port of an end (EP_ bit) of the event's fd. fd.ip and
 * fd.port (EP_ANY) are any-of: the client end (n = 0), then the server. */
#define EP_ANY 0x10
static bool fd_end(const struct event *ev, unsigned int ep, unsigned int n,
		   const char **ip, uint16_t *port)
{
	const struct event_fd *f = ev->fd;
	bool local;

	if (ep == EP_ANY) {
		/* the known ends, client first: the n-th of them */
		if (n > 1)
			return false;
		if (n == 0)
			return fd_end(ev, EP_C, 0, ip, port) ||
			       fd_end(ev, EP_S, 0, ip, port);
		return fd_end(ev, EP_C, 0, ip, port) &&
		       fd_end(ev, EP_S, 0, ip, port);
	} else if (n > 0) {
		return false;
	}
	if (fd_is_ip(f)) {
		if (ep == EP_L || ep == EP_R)
			local = ep == EP_L;
		else
			local = (ep == EP_S) == f->is_server;
		if (local ? !f->has_local : !f->has_remote)
			return false;
		*ip = local ? f->lip : f->rip;
		*port = local ? f->lport : f->rport;
		return true;
	}
	if (!inet(ev) || !(sockaddr_role(ev) & ep))
		return false;
	*ip = ev->sockaddr.addr;
	*port = ev->sockaddr.port;
	return true;
}

/* fd.sip etc.: param is the EP_ bit. */
static bool g_fd_ip(const struct field_ref *r, const struct event *ev,
		    unsigned int n, struct fval *v, char *buf, size_t len)
{
	const char *ip;
	uint16_t port;

	return fd_end(ev, (unsigned int)r->def->param, n, &ip, &port) &&
	       set_str(v, ip);
}

static bool g_fd_port(const struct field_ref *r, const struct event *ev,
		      unsigned int n, struct fval *v, char *buf, size_t len)
{
	const char *ip;
	uint16_t port;

	return fd_end(ev, (unsigned int)r->def->param, n, &ip, &port) &&
	       set_num(v, port);
}

/* fd.sip.name etc.: the ip (compared with names by field_value_eq); as
 * output, the name of the rules it belongs to, else the ip. */
static bool g_fd_ipname(const struct field_ref *r, const struct event *ev,
			unsigned int n, struct fval *v, char *buf, size_t len)
{
	const char *ip;
	uint16_t port;

	if (!fd_end(ev, (unsigned int)r->def->param, n, &ip, &port))
		return false;
	if (resolver_name_of(ip, buf, len))
		return set_str(v, buf);
	return set_str(v, ip);
}

/* fd.connected (0), fd.name_changed (1). */
static bool g_fd_flag(const struct field_ref *r, const struct event *ev,
		      unsigned int n, struct fval *v, char *buf, size_t len)
{
	const struct event_fd *f = ev->fd;

	if (!f) {
		/* without the fd table: the event itself */
		if (r->def->param == 0 && (sc_is(ev, "connect") ||
					   sc_is(ev, "accept") ||
					   sc_is(ev, "accept4")))
			return set_bool(v, ev->success == 1);
		return false;
	}
	return set_bool(v, r->def->param ? f->name_changed : f->connected);
}

static bool g_l4proto(const struct field_ref *r, const struct event *ev,
		      unsigned int n, struct fval *v, char *buf, size_t len)
{
	if (ev->fd && ev->fd->l4proto) {
		switch (ev->fd->l4proto) {
		case 6:
			return set_str(v, "tcp");
		case 17:
			return set_str(v, "udp");
		case 1:
		case 58:
			return set_str(v, "icmp");
		default:
			return set_str(v, "raw");
		}
	}
	/* Only socket() says; connect/bind records do not carry it. */
	if (!sc_is(ev, "socket") ||
	    (ev->args[0] != AF_INET && ev->args[0] != AF_INET6))
		return false;
	switch (ev->args[1] & 0xf) {
	case SOCK_STREAM:
		return set_str(v, "tcp");
	case SOCK_DGRAM:
		return set_str(v, "udp");
	case SOCK_RAW:
		return set_str(v, (ev->args[2] == 1 || ev->args[2] == 58)
					  ? "icmp"
					  : "raw");
	default:
		return false;
	}
}

static bool g_sockfamily(const struct field_ref *r, const struct event *ev,
			 unsigned int n, struct fval *v, char *buf, size_t len)
{
	if (inet(ev) || fd_is_ip(ev->fd))
		return set_str(v, "ip");
	if (ev->sockaddr.family == EVENT_SOCK_UNIX ||
	    (ev->fd && ev->fd->typechar == 'u'))
		return set_str(v, "unix");
	if (sc_is(ev, "socket")) {
		if (ev->args[0] == AF_INET || ev->args[0] == AF_INET6)
			return set_str(v, "ip");
		if (ev->args[0] == AF_UNIX)
			return set_str(v, "unix");
	}
	return false;
}

/* ---- container.*, k8s.* ---- */

enum ct_what {
	CT_ID,
	CT_FULL_ID,
	CT_NAME,
	CT_IMAGE,
	CT_IMAGE_REPO,
	CT_IMAGE_TAG,
	CT_RUNTIME,
	CT_POD_NAME,
	CT_POD_NS,
	CT_POD_UID,
	CT_K8S_CONTAINER,
};

/* Split an image reference "repo[:tag][@digest]" at the tag colon (the
 * last ':' after the last '/'). */
static const char *image_tag_colon(const char *img)
{
	const char *slash = strrchr(img, '/');
	const char *at = strchr(img, '@');
	const char *c = strrchr(slash ? slash : img, ':');

	if (!c || (at && c > at))
		return NULL;
	return c;
}

static bool g_container(const struct field_ref *r, const struct event *ev,
			unsigned int n, struct fval *v, char *buf, size_t len)
{
	const struct event_container *c = ev->container;
	const char *s, *colon;
	size_t l;

	if (!c)
		return (r->def->param == CT_ID ||
			r->def->param == CT_FULL_ID) &&
		       set_str(v, "host");
	switch (r->def->param) {
	case CT_ID:
		if (!c->id)
			return false;
		l = strnlen(c->id, 12);
		if (l >= len)
			return false;
		memcpy(buf, c->id, l);
		buf[l] = '\0';
		return set_str(v, buf);
	case CT_FULL_ID:
		return set_str(v, c->id);
	case CT_NAME:
		return set_str(v, c->name);
	case CT_IMAGE:
		return set_str(v, c->image);
	case CT_IMAGE_REPO:
	case CT_IMAGE_TAG:
		s = c->image;
		if (!s)
			return false;
		colon = image_tag_colon(s);
		if (r->def->param == CT_IMAGE_TAG)
			return colon && set_str(v, colon + 1);
		l = colon ? (size_t)(colon - s) : strcspn(s, "@");
		if (l >= len)
			return false;
		memcpy(buf, s, l);
		buf[l] = '\0';
		return set_str(v, buf);
	case CT_RUNTIME:
		return set_str(v, c->runtime);
	case CT_POD_NAME:
		return set_str(v, c->pod_name);
	case CT_POD_NS:
		return set_str(v, c->pod_namespace);
	case CT_POD_UID:
		return set_str(v, c->pod_uid);
	default:
		return set_str(v, c->k8s_container_name);
	}
}

/* ---- container.privileged, start_ts, mounts ---- */

enum mt_what { MT_ALL, MT_DEST, MT_SOURCE, MT_MODE, MT_RDWR, MT_PROP };

static bool mount_text(const struct event_mount *m, struct sbuf *b)
{
	sb_adds(b, m->source);
	sb_adds(b, ":");
	sb_adds(b, m->dest);
	sb_adds(b, ":");
	sb_adds(b, m->mode);
	sb_adds(b, ":");
	sb_adds(b, m->rw ? "true" : "false");
	sb_adds(b, ":");
	sb_adds(b, m->propagation);
	return true;
}

static bool g_ct_extra(const struct field_ref *r, const struct event *ev,
		       unsigned int n, struct fval *v, char *buf, size_t len)
{
	const struct event_container *c = ev->container;
	struct sbuf b;
	size_t i;

	if (!c)
		return false;
	switch (r->def->param) {
	case 0:
		return c->privileged >= 0 && set_bool(v, c->privileged);
	case 1:
		return c->start_ts && set_num(v, (int64_t)c->start_ts);
	default:
		if (!c->mounts)
			return false;
		sb_init(&b, buf, len, len);
		for (i = 0; i < c->nmounts; i++) {
			if (i)
				sb_adds(&b, ",");
			mount_text(&c->mounts[i], &b);
		}
		return set_str(v, buf);
	}
}

/* container.mount*[KEY]: KEY a number (the N-th mount) or a path glob
 * (container.mount.source[DEST] looks the destination up, the others the
 * source), as Falco. A known container without such a mount gives "N/A"
 * (Falco's rules test `not container.mount.dest[/etc] in ("<NA>","N/A")`). */
static bool g_ct_mount(const struct field_ref *r, const struct event *ev,
		       unsigned int n, struct fval *v, char *buf, size_t len)
{
	const struct event_container *c = ev->container;
	const struct event_mount *m = NULL;
	struct sbuf b;
	char *end;
	unsigned long idx;
	size_t i;

	if (!r->arg)
		return false;
	if (!c)
		return set_str(v, "N/A");
	idx = strtoul(r->arg, &end, 10);
	if (r->arg[0] >= '0' && r->arg[0] <= '9' && !*end) {
		if (idx < c->nmounts)
			m = &c->mounts[idx];
	} else {
		for (i = 0; i < c->nmounts && !m; i++) {
			const char *key = r->def->param == MT_SOURCE
						  ? c->mounts[i].dest
						  : c->mounts[i].source;

			if (fnmatch(r->arg, key, 0) == 0)
				m = &c->mounts[i];
		}
	}
	if (!m)
		return set_str(v, "N/A");
	switch (r->def->param) {
	case MT_DEST:
		return set_str(v, m->dest);
	case MT_SOURCE:
		return set_str(v, m->source);
	case MT_MODE:
		return set_str(v, m->mode);
	case MT_RDWR:
		return set_str(v, m->rw ? "true" : "false");
	case MT_PROP:
		return set_str(v, m->propagation);
	default:
		sb_init(&b, buf, len, len);
		mount_text(m, &b);
		return set_str(v, buf);
	}
}

/* ---- the table ---- */

/* clang-format off */
#define FD(b, t, tn, fl, p, fn, d) \
	{ b, { b, tn, d }, t, fl, p, fn }
#define FDX(b, disp, t, tn, fl, p, fn, d) \
	{ b, { disp, tn, d }, t, fl, p, fn }
#define FNA(b, t, tn, fl, why, d) \
	{ b, { b, tn, d, why }, t, fl, 0, NULL }
/* Why a Falco field is not given (FNA entries). */
#define NA_YET "Harrier does not give this field yet"
#define NA_IO "audit records no I/O data (what read/write/poll moved)"
#define NA_ENTER \
	"audit logs each syscall once, at exit: there is no enter " \
	"event to time from"
#define NA_CAPTURE "a field of Falco's capture-file tools, not of live events"
#define NA_PLUGIN "plugin and asynchronous events: Harrier has no plugins"
#define NA_CPU "audit records do not say which CPU ran the syscall"
#define NA_SCHED \
	"scheduler, memory and fd-table counters are not in audit " \
	"records"
#define NA_K8S \
	"needs the Kubernetes API server; Harrier reads only the " \
	"node's container runtime state"
#define S FIELD_STRING
#define NUM FIELD_NUMBER
#define B FIELD_BOOL

static const struct field_def field_table[] = {
	/* evt */
	FD("evt.type", S, "string", 0, 0, g_evt_type,
	   "Syscall name (libaudit spelling) for syscall events; the audit "
	   "record type (USER_LOGIN, ...) for other events."),
	FD("evt.num", NUM, "number", 0, 0, g_serial,
	   "Event number: the audit serial."),
	FD("evt.time", S, "string", 0, 0, g_time,
	   "Event time as HH:MM:SS.nnnnnnnnn (UTC, not local time)."),
	FD("evt.datetime", S, "string", 0, 1, g_time,
	   "Event time as YYYY-MM-DD HH:MM:SS.nnnnnnnnn (UTC)."),
	FD("evt.time.iso8601", S, "string", 0, 2, g_time,
	   "Event time in ISO 8601 with nanoseconds (UTC)."),
	FD("evt.rawtime", NUM, "number", 0, 0, g_rawtime,
	   "Event time in nanoseconds since the epoch."),
	FD("evt.res", S, "string", 0, 0, g_res,
	   "SUCCESS, or the errno name (ENOENT, EACCES, ...) of a failed "
	   "syscall."),
	FD("evt.rawres", NUM, "number", 0, 0, g_exit,
	   "Syscall return value (negative errno on failure)."),
	FD("evt.failed", B, "bool", 0, 1, g_failed,
	   "true when the syscall failed (audit success=no)."),
	FD("evt.dir", S, "string", 0, 0, g_dir,
	   "Always '<': audit reports syscalls at exit, Falco's exit "
	   "events."),
	FD("evt.is_open_read", B, "bool", 0, 0, g_is_open,
	   "true for open/openat/creat opening for reading (openat2: "
	   "false, its flags are not audited)."),
	FD("evt.is_open_write", B, "bool", 0, 1, g_is_open,
	   "true for open/openat/creat opening for writing (openat2: "
	   "false)."),
	FD("evt.is_open_exec", B, "bool", 0, 2, g_is_open,
	   "true for open/openat/creat creating a file with execute "
	   "permission (openat2: false)."),
	FDX("evt.arg", "evt.arg.NAME", FIELD_STRING, "string",
	    FA_NAME | FA_INDEX | FA_NEED, 0, g_arg,
	    "Argument NAME (or evt.arg[N]) of the syscall, rendered (flags, "
	    "mode, sig, request, fd, name, a0..a3, res); for other events "
	    "the record field NAME, interpreted."),
	FDX("evt.rawarg", "evt.rawarg.NAME", FIELD_DYNAMIC, "dynamic",
	    FA_NAME | FA_INDEX | FA_NEED, 1, g_arg,
	    "Argument NAME of the syscall as a number; for other events the "
	    "record field NAME as written in the record."),
	FD("evt.args", S, "string", 0, 0, g_args,
	   "All arguments as name=value pairs."),

	/* proc */
	FD("proc.pid", NUM, "number", 0, 0, g_pid, "Process id (host)."),
	FD("proc.ppid", NUM, "number", 0, 0, g_ppid, "Parent process id."),
	FD("proc.vpid", NUM, "number", 0, 0, g_vpid,
	   "Process id in its container's pid namespace."),
	FD("proc.sid", NUM, "number", 0, 1, g_vpid, "Session id."),
	FD("proc.name", S, "string", 0, 0, g_comm,
	   "Process name (comm, up to 15 characters)."),
	FD("proc.exe", S, "string", 0, 0, g_exe,
	   "First command line argument (argv[0])."),
	FD("proc.exepath", S, "string", 0, 0, g_exepath,
	   "Full path of the executable."),
	FD("proc.cmdline", S, "string", 0, 0, g_cmdline,
	   "proc.name followed by the arguments (Falco's shape)."),
	FD("proc.args", S, "string", 0, 0, g_args_proc,
	   "Arguments after argv[0], space-joined."),
	FD("proc.cwd", S, "string", 0, 0, g_cwd,
	   "Current working directory."),
	FD("proc.tty", S, "string", 0, 0, g_tty,
	   "Controlling terminal as audit names it (pts0, tty1), '0' when "
	   "none (Falco has a number here)."),
	FD("proc.pname", S, "string", 0, ANC_NAME, g_ancestor,
	   "Name of the parent process."),
	FD("proc.pexe", S, "string", 0, ANC_EXE, g_ancestor,
	   "argv[0] of the parent process."),
	FD("proc.pexepath", S, "string", 0, ANC_EXEPATH, g_ancestor,
	   "Executable path of the parent process."),
	FD("proc.pcmdline", S, "string", 0, ANC_CMDLINE, g_ancestor,
	   "Command line of the parent process."),
	FDX("proc.aname", "proc.aname[N]", S, "string", FA_INDEX | FA_MULTI,
	    ANC_NAME, g_ancestor,
	    "Name of the N-th ancestor (0 itself, 1 parent); without [N] "
	    "a comparison matches if any ancestor matches."),
	FDX("proc.apid", "proc.apid[N]", NUM, "number", FA_INDEX | FA_MULTI,
	    ANC_PID, g_ancestor, "Pid of the N-th ancestor."),
	FDX("proc.aexe", "proc.aexe[N]", S, "string", FA_INDEX | FA_MULTI,
	    ANC_EXE, g_ancestor, "argv[0] of the N-th ancestor."),
	FDX("proc.aexepath", "proc.aexepath[N]", S, "string",
	    FA_INDEX | FA_MULTI, ANC_EXEPATH, g_ancestor,
	    "Executable path of the N-th ancestor."),
	FDX("proc.env", "proc.env[NAME]", S, "string", FA_KEY, 0, g_env,
	    "Environment (NAME=value, space-joined), or one variable's "
	    "value; from /proc/PID/environ while the process lives (live "
	    "only: audit does not log the environment)."),
	FD("proc.duration", NUM, "relative time", 0, PI_DURATION, g_pinfo,
	   "Nanoseconds since the process started (/proc start time, or "
	   "its first fork/exec event in replay)."),
	FD("proc.sname", S, "string", 0, PI_SNAME, g_pinfo,
	   "Name of the session leader (the process whose pid is proc.sid)."),
	FD("proc.pgid", NUM, "number", 0, PI_PGID, g_pinfo,
	   "Process group id (/proc; inherited at fork)."),
	FD("proc.vpgid", NUM, "number", 0, PI_VPGID, g_pinfo,
	   "Process group id in the process's pid namespace."),
	FD("proc.is_vpgid_leader", B, "bool", 0, PI_VPGID_LEADER, g_pinfo,
	   "true when the process leads its process group."),
	FD("proc.is_exe_upper_layer", B, "bool", 0, EXE_UPPER, g_exe_facts,
	   "true when the executable is in the upper layer of the "
	   "container's overlay root (written in the container, not from "
	   "the image); live only."),
	FD("proc.is_exe_from_memfd", B, "bool", 0, EXE_MEMFD, g_exe_facts,
	   "true when the process runs a memfd (exe /memfd:NAME (deleted): "
	   "fileless execution, execveat(AT_EMPTY_PATH))."),
	FD("proc.exe_ino", NUM, "number", 0, EXE_INO, g_exe_facts,
	   "Inode of the executable (the execve's PATH record, or "
	   "/proc/PID/exe)."),
	FD("proc.exe_ino.mtime", NUM, "absolute time", 0, EXE_MTIME,
	   g_exe_facts, "Modification time of the executable (ns; live "
	   "only)."),
	FD("proc.exe_ino.ctime", NUM, "absolute time", 0, EXE_CTIME,
	   g_exe_facts, "Status change time of the executable (ns; live "
	   "only)."),
	FD("proc.exe_ino.ctime_duration_proc_start", NUM, "relative time", 0,
	   EXE_CTIME_DUR, g_exe_facts,
	   "Nanoseconds from the executable's last status change to the "
	   "process's start (live only)."),
	FD("thread.cap_inheritable", S, "string", 0, 0, g_caps,
	   "Inheritable capabilities (CAP_* names, space-separated): "
	   "BPRM_FCAPS/CAPSET records, else /proc/PID/status."),
	FD("thread.cap_permitted", S, "string", 0, 1, g_caps,
	   "Permitted capabilities (as thread.cap_inheritable)."),
	FD("thread.cap_effective", S, "string", 0, 2, g_caps,
	   "Effective capabilities (as thread.cap_inheritable)."),

	/* user, group */
	FD("user.uid", NUM, "number", 0, 0, g_uid, "Effective user id."),
	FD("user.name", S, "string", 0, 0, g_user_name,
	   "Name of the effective user (this host's user database)."),
	FD("user.loginuid", NUM, "number", 0, 0, g_loginuid,
	   "Login user id (audit auid), -1 when unset."),
	FD("user.loginname", S, "string", 0, 0, g_loginname,
	   "Name of the login user."),
	FD("group.gid", NUM, "number", 0, 2, g_uid, "Effective group id."),
	FD("group.name", S, "string", 0, 1, g_user_name,
	   "Name of the effective group."),

	/* audit */
	FD("audit.key", S, "string", 0, 0, g_key,
	   "Key of the audit rule that produced the event."),
	FD("audit.type", S, "string", 0, 0, g_type_name,
	   "Record type of the first record (SYSCALL, USER_LOGIN, ...)."),
	FD("audit.serial", NUM, "number", 0, 0, g_serial,
	   "Audit event serial."),
	FD("audit.success", B, "bool", 0, 0, g_failed,
	   "The record's success= (res= for user records)."),
	FD("audit.auid", NUM, "number", 0, 0, g_auid,
	   "Audit login uid; unset when the kernel says -1."),
	FD("audit.ses", NUM, "number", 0, 1, g_auid,
	   "Audit session id; unset when the kernel says -1."),
	FD("audit.exit", NUM, "number", 0, 0, g_exit,
	   "Syscall exit value."),
	FD("audit.uid", NUM, "number", 0, 1, g_uid, "Real user id."),
	FD("audit.euid", NUM, "number", 0, 0, g_uid, "Effective user id."),
	FD("audit.gid", NUM, "number", 0, 3, g_uid, "Real group id."),
	FD("audit.arch", S, "string", 0, 0, g_arch,
	   "Architecture of the syscall (x86_64, i386, aarch64, ...)."),
	FD("audit.syscall", NUM, "number", 0, 0, g_syscall_nr,
	   "Syscall number for its architecture."),
	FD("audit.subj", S, "string", 0, 0, g_subj,
	   "LSM label of the process."),
	FD("audit.node", S, "string", 0, 1, g_subj,
	   "node= of the record, when present."),

	/* fd */
	FD("fd.num", NUM, "number", 0, 0, g_fd_num,
	   "File descriptor: the one returned (open, socket, accept) or "
	   "passed (a0)."),
	FD("fd.name", S, "string", 0, 0, g_fd_name,
	   "File path of the object reached (symlinks resolved); ip:port "
	   "of the socket address; unix socket path."),
	FD("fd.nameraw", S, "string", 0, 0, g_fd_nameraw,
	   "File path as the process passed it (relative, through "
	   "symlinks: not resolved)."),
	FD("fd.directory", S, "string", 0, 0, g_fd_dirfile,
	   "Directory of the file path."),
	FD("fd.filename", S, "string", 0, 1, g_fd_dirfile,
	   "Last component of the file path."),
	FD("fd.typechar", S, "string", 0, 0, g_fd_type,
	   "f file, d directory, p pipe, 4 ipv4, 6 ipv6, u unix."),
	FD("fd.type", S, "string", 0, 1, g_fd_type,
	   "file, directory, pipe, ipv4, ipv6, unix."),
	FD("fd.sip", S, "ipaddr", 0, EP_S, g_fd_ip,
	   "Server ip: the remote end of a connect/sendto, the local one "
	   "of a bind/accept; for later syscalls on the fd too."),
	FD("fd.sport", NUM, "port", 0, EP_S, g_fd_port, "Server port."),
	FD("fd.cip", S, "ipaddr", 0, EP_C, g_fd_ip,
	   "Client ip: the remote end of an accept, the local end of a "
	   "connect (from /proc/PID/net while the process lives)."),
	FD("fd.cport", NUM, "port", 0, EP_C, g_fd_port, "Client port."),
	FD("fd.lip", S, "ipaddr", 0, EP_L, g_fd_ip,
	   "Local ip (bind; connect/accept from /proc/PID/net)."),
	FD("fd.lport", NUM, "port", 0, EP_L, g_fd_port, "Local port."),
	FD("fd.rip", S, "ipaddr", 0, EP_R, g_fd_ip,
	   "Remote ip (connect, send*, accept, recv*)."),
	FD("fd.rport", NUM, "port", 0, EP_R, g_fd_port, "Remote port."),
	FD("fd.ip", S, "ipaddr", FA_MULTI, EP_ANY, g_fd_ip,
	   "Either ip of the socket (client or server): matches if one "
	   "does."),
	FD("fd.port", NUM, "port", FA_MULTI, EP_ANY, g_fd_port,
	   "Either port of the socket (client or server)."),
	FD("fd.net", S, "ipnet", FA_MULTI | FA_NET, EP_ANY, g_fd_ip,
	   "Either ip of the socket compared with a network (a.b.c.d/len "
	   "or an ip; v4 and v6)."),
	FD("fd.snet", S, "ipnet", FA_NET, EP_S, g_fd_ip,
	   "Server ip compared with a network."),
	FD("fd.cnet", S, "ipnet", FA_NET, EP_C, g_fd_ip,
	   "Client ip compared with a network."),
	FD("fd.rnet", S, "ipnet", FA_NET, EP_R, g_fd_ip,
	   "Remote ip compared with a network."),
	FD("fd.lnet", S, "ipnet", FA_NET, EP_L, g_fd_ip,
	   "Local ip compared with a network."),
	FD("fd.sip.name", S, "string", FA_DNS, EP_S, g_fd_ipname,
	   "Server ip compared with domain names: the names written in "
	   "rules are resolved in the background (harrierd; never on the "
	   "event path) and compared by address."),
	FD("fd.cip.name", S, "string", FA_DNS, EP_C, g_fd_ipname,
	   "Client ip compared with domain names (as fd.sip.name)."),
	FD("fd.rip.name", S, "string", FA_DNS, EP_R, g_fd_ipname,
	   "Remote ip compared with domain names (as fd.sip.name)."),
	FD("fd.lip.name", S, "string", FA_DNS, EP_L, g_fd_ipname,
	   "Local ip compared with domain names (as fd.sip.name)."),
	FD("fd.l4proto", S, "string", 0, 0, g_l4proto,
	   "tcp, udp, icmp or raw, from the socket() that made the fd (fd "
	   "table) or /proc/PID/net."),
	FD("fd.connected", B, "bool", 0, 0, g_fd_flag,
	   "true when the socket is connected (connect/accept succeeded)."),
	FD("fd.name_changed", B, "bool", 0, 1, g_fd_flag,
	   "true when this syscall gave the fd another tuple (sendto to "
	   "another address on a UDP socket)."),
	FD("fd.sockfamily", S, "string", 0, 0, g_sockfamily,
	   "ip or unix."),

	/* container, k8s */
	FD("container.id", S, "string", 0, CT_ID, g_container,
	   "Container id (12 characters), 'host' for host processes."),
	FD("container.full_id", S, "string", 0, CT_FULL_ID, g_container,
	   "Full container id, 'host' for host processes."),
	FD("container.name", S, "string", 0, CT_NAME, g_container,
	   "Container name."),
	FD("container.image", S, "string", 0, CT_IMAGE, g_container,
	   "Container image reference."),
	FD("container.image.repository", S, "string", 0, CT_IMAGE_REPO,
	   g_container, "Image reference without tag and digest."),
	FD("container.image.tag", S, "string", 0, CT_IMAGE_TAG, g_container,
	   "Image tag."),
	FD("container.runtime", S, "string", 0, CT_RUNTIME, g_container,
	   "Container runtime (docker, containerd, cri-o, podman)."),
	FD("container.type", S, "string", 0, CT_RUNTIME, g_container,
	   "Same as container.runtime (Falco's name)."),
	FD("container.privileged", B, "bool", 0, 0, g_ct_extra,
	   "true for a privileged container (docker's HostConfig, or every "
	   "capability with CAP_SYS_ADMIN and no masked paths in the OCI/runc "
	   "config)."),
	FD("container.start_ts", NUM, "absolute time", 0, 1, g_ct_extra,
	   "Start time of the container in ns (runc's created, docker's "
	   "StartedAt)."),
	FD("container.mounts", S, "string", 0, 2, g_ct_extra,
	   "Every mount as source:dest:mode:rdwr:propagation, comma "
	   "separated (runtime state)."),
	FDX("container.mount", "container.mount[N|SOURCE]", S, "string",
	    FA_KEY | FA_NEED, MT_ALL, g_ct_mount,
	    "One mount (index, or source path glob) as "
	    "source:dest:mode:rdwr:propagation; N/A when none."),
	FDX("container.mount.dest", "container.mount.dest[N|SOURCE]", S,
	    "string", FA_KEY | FA_NEED, MT_DEST, g_ct_mount,
	    "Destination of the mount whose source matches (glob) or of the "
	    "N-th; N/A when none."),
	FDX("container.mount.source", "container.mount.source[N|DEST]", S,
	    "string", FA_KEY | FA_NEED, MT_SOURCE, g_ct_mount,
	    "Source of the mount whose destination matches; N/A when none."),
	FDX("container.mount.mode", "container.mount.mode[N|SOURCE]", S,
	    "string", FA_KEY | FA_NEED, MT_MODE, g_ct_mount,
	    "Options of a mount; N/A when none."),
	FDX("container.mount.rdwr", "container.mount.rdwr[N|SOURCE]", S,
	    "string", FA_KEY | FA_NEED, MT_RDWR, g_ct_mount,
	    "true when a mount is writable; N/A when none."),
	FDX("container.mount.propagation",
	    "container.mount.propagation[N|SOURCE]", S, "string",
	    FA_KEY | FA_NEED, MT_PROP, g_ct_mount,
	    "Propagation of a mount; N/A when none."),
	FD("k8s.pod.name", S, "string", 0, CT_POD_NAME, g_container,
	   "Kubernetes pod name."),
	FD("k8s.ns.name", S, "string", 0, CT_POD_NS, g_container,
	   "Kubernetes namespace."),
	FD("k8s.pod.uid", S, "string", 0, CT_POD_UID, g_container,
	   "Kubernetes pod uid."),
	FD("k8s.container.name", S, "string", 0, CT_K8S_CONTAINER,
	   g_container, "Container name in the Kubernetes pod spec."),

	/* Falco's fields that Harrier does not give (from audit data, or not
	 * yet). They parse and type-check as in Falco, so that a typo is
	 * still an error, while a rule whose condition needs one of them is
	 * skipped with the reason (engine.c); in an output they render
	 * "<NA>". A field Harrier learns to give moves up into its group. */
	FNA("evt.abspath", S, "string", FA_KEY | FA_NEED, NA_YET,
	    "Absolute path of a *at syscall's path argument ([src] or [dst])."),
	FNA("evt.around", NUM, "number", FA_KEY | FA_NEED, NA_CAPTURE,
	    "Events around a point of a capture file (filter only)."),
	FNA("evt.asynctype", S, "string", 0, NA_PLUGIN,
	    "Type of an asynchronous event."),
	FNA("evt.buffer", S, "bytebuf", 0, NA_IO,
	    "Data the syscall read or wrote."),
	FNA("evt.buflen", NUM, "number", 0, NA_IO,
	    "Size of the data the syscall read or wrote."),
	FNA("evt.buflen.file", NUM, "number", 0, NA_IO,
	    "Bytes of file I/O."),
	FNA("evt.buflen.file.in", NUM, "number", 0, NA_IO,
	    "Bytes read from files."),
	FNA("evt.buflen.file.out", NUM, "number", 0, NA_IO,
	    "Bytes written to files."),
	FNA("evt.buflen.in", NUM, "number", 0, NA_IO, "Bytes read."),
	FNA("evt.buflen.net", NUM, "number", 0, NA_IO,
	    "Bytes of network I/O."),
	FNA("evt.buflen.net.in", NUM, "number", 0, NA_IO,
	    "Bytes received from the network."),
	FNA("evt.buflen.net.out", NUM, "number", 0, NA_IO,
	    "Bytes sent to the network."),
	FNA("evt.buflen.out", NUM, "number", 0, NA_IO, "Bytes written."),
	FNA("evt.category", S, "string", 0, NA_YET,
	    "Class of the event (file, net, process, ...)."),
	FNA("evt.count", NUM, "number", 0, NA_CAPTURE,
	    "Count of events (for aggregations)."),
	FNA("evt.count.error", NUM, "number", 0, NA_CAPTURE,
	    "Count of failed events."),
	FNA("evt.count.error.file", NUM, "number", 0, NA_CAPTURE,
	    "Count of failed file events."),
	FNA("evt.count.error.memory", NUM, "number", 0, NA_CAPTURE,
	    "Count of failed memory events."),
	FNA("evt.count.error.net", NUM, "number", 0, NA_CAPTURE,
	    "Count of failed network events."),
	FNA("evt.count.error.other", NUM, "number", 0, NA_CAPTURE,
	    "Count of other failed events."),
	FNA("evt.count.exit", NUM, "number", 0, NA_CAPTURE,
	    "Count of exit events."),
	FNA("evt.count.procinfo", NUM, "number", 0, NA_CAPTURE,
	    "Count of process information events."),
	FNA("evt.count.threadinfo", NUM, "number", 0, NA_CAPTURE,
	    "Count of thread information events."),
	FNA("evt.cpu", NUM, "number", 0, NA_CPU,
	    "CPU that ran the syscall."),
	FNA("evt.datetime.s", S, "string", 0, NA_YET,
	    "Event date and time to the second."),
	FNA("evt.deltatime", NUM, "reltime", 0, NA_ENTER,
	    "Time since the previous event."),
	FNA("evt.deltatime.ns", NUM, "reltime", 0, NA_ENTER,
	    "Nanoseconds part of evt.deltatime."),
	FNA("evt.deltatime.s", NUM, "reltime", 0, NA_ENTER,
	    "Seconds part of evt.deltatime."),
	FNA("evt.hostname", S, "string", 0, NA_YET,
	    "Host name of the machine."),
	FNA("evt.info", S, "string", 0, NA_YET,
	    "Arguments, or a description for events without arguments."),
	FNA("evt.infra.docker.container.id", S, "string", 0, NA_CAPTURE,
	    "Container id of a docker infrastructure event."),
	FNA("evt.infra.docker.container.image", S, "string", 0, NA_CAPTURE,
	    "Image of a docker infrastructure event."),
	FNA("evt.infra.docker.container.name", S, "string", 0, NA_CAPTURE,
	    "Container name of a docker infrastructure event."),
	FNA("evt.infra.docker.name", S, "string", 0, NA_CAPTURE,
	    "Name of a docker infrastructure event."),
	FNA("evt.io_dir", S, "string", 0, NA_IO,
	    "'r' or 'w' for I/O syscalls."),
	FNA("evt.is_async", B, "bool", 0, NA_PLUGIN,
	    "true for asynchronous events."),
	FNA("evt.is_io", B, "bool", 0, NA_IO,
	    "true for syscalls that read or write data."),
	FNA("evt.is_io_read", B, "bool", 0, NA_IO,
	    "true for syscalls that read data."),
	FNA("evt.is_io_write", B, "bool", 0, NA_IO,
	    "true for syscalls that write data."),
	FNA("evt.is_open_create", B, "bool", 0, NA_YET,
	    "true for an open that created the file."),
	FNA("evt.is_syslog", B, "bool", 0, NA_IO,
	    "true for writes to /dev/log."),
	FNA("evt.is_wait", B, "bool", 0, NA_ENTER,
	    "true for syscalls that sleep."),
	FNA("evt.latency", NUM, "reltime", 0, NA_ENTER,
	    "Time the syscall took."),
	FNA("evt.latency.human", S, "string", 0, NA_ENTER,
	    "evt.latency in human units."),
	FNA("evt.latency.ns", NUM, "reltime", 0, NA_ENTER,
	    "Nanoseconds part of evt.latency."),
	FNA("evt.latency.quantized", NUM, "number", 0, NA_ENTER,
	    "evt.latency on a log scale."),
	FNA("evt.latency.s", NUM, "reltime", 0, NA_ENTER,
	    "Seconds part of evt.latency."),
	FNA("evt.outputtime", S, "string", 0, NA_YET,
	    "Event time in the configured output format."),
	FNA("evt.plugininfo", S, "string", 0, NA_PLUGIN,
	    "Summary of a plugin event."),
	FNA("evt.pluginname", S, "string", 0, NA_PLUGIN,
	    "Plugin that produced the event."),
	FNA("evt.rawtime.ns", NUM, "abstime", 0, NA_YET,
	    "Nanoseconds part of evt.rawtime."),
	FNA("evt.rawtime.s", NUM, "abstime", 0, NA_YET,
	    "Seconds part of evt.rawtime."),
	FNA("evt.reltime", NUM, "reltime", 0, NA_CAPTURE,
	    "Time since the start of the capture."),
	FNA("evt.reltime.ns", NUM, "reltime", 0, NA_CAPTURE,
	    "Nanoseconds part of evt.reltime."),
	FNA("evt.reltime.s", NUM, "reltime", 0, NA_CAPTURE,
	    "Seconds part of evt.reltime."),
	FNA("evt.source", S, "string", 0, NA_YET,
	    "Event source (syscall)."),
	FNA("evt.time.s", S, "string", 0, NA_YET,
	    "Event time to the second."),
	FNA("evt.type.is", NUM, "number", FA_KEY | FA_NEED, NA_YET,
	    "1 when the event type is the one given in brackets."),
	FNA("evt.wait_latency", NUM, "reltime", 0, NA_ENTER,
	    "Time a sleeping syscall waited."),
	FNA("syscall.type", S, "string", 0, NA_YET,
	    "Syscall name; unset for other events."),

	FNA("fd.containerdirectory", S, "string", 0, NA_YET,
	    "container.id:fd.directory."),
	FNA("fd.containername", S, "string", 0, NA_YET,
	    "container.id:fd.name."),
	FNA("fd.cproto", S, "string", 0, NA_YET,
	    "Protocol name of the client port."),
	FNA("fd.dev", NUM, "number", 0, NA_YET,
	    "Device number of the file."),
	FNA("fd.dev.major", NUM, "number", 0, NA_YET,
	    "Major device number of the file."),
	FNA("fd.dev.minor", NUM, "number", 0, NA_YET,
	    "Minor device number of the file."),
	FNA("fd.ino", NUM, "number", 0, NA_YET, "Inode of the file."),
	FNA("fd.is_lower_layer", B, "bool", 0, NA_YET,
	    "true for a file of an overlayfs lower layer."),
	FNA("fd.is_server", B, "bool", 0, NA_YET,
	    "true when the process is the server end."),
	FNA("fd.is_upper_layer", B, "bool", 0, NA_YET,
	    "true for a file of an overlayfs upper layer."),
	FNA("fd.lproto", S, "string", 0, NA_YET,
	    "Protocol name of the local port."),
	FNA("fd.proto", S, "string", 0, NA_YET,
	    "Protocol name of either port (filter only)."),
	FNA("fd.rproto", S, "string", 0, NA_YET,
	    "Protocol name of the remote port."),
	FNA("fd.sproto", S, "string", 0, NA_YET,
	    "Protocol name of the server port."),
	FNA("fd.types", S, "list", FA_KEY, NA_YET,
	    "Types of every fd of the syscall ([N]: the N-th)."),
	FNA("fd.uid", S, "string", 0, NA_YET,
	    "Unique id of the fd (thread id and fd number)."),
	FNA("fdlist.cips", S, "string", 0, NA_IO,
	    "Client ips of the fds of a poll call."),
	FNA("fdlist.cports", S, "string", 0, NA_IO,
	    "Client ports of the fds of a poll call."),
	FNA("fdlist.names", S, "string", 0, NA_IO,
	    "Names of the fds of a poll call."),
	FNA("fdlist.nums", S, "string", 0, NA_IO,
	    "Numbers of the fds of a poll call."),
	FNA("fdlist.sips", S, "string", 0, NA_IO,
	    "Server ips of the fds of a poll call."),
	FNA("fdlist.sports", S, "string", 0, NA_IO,
	    "Server ports of the fds of a poll call."),
	FNA("fs.path.name", S, "string", 0, NA_YET,
	    "Path of a filesystem syscall, made absolute."),
	FNA("fs.path.nameraw", S, "string", 0, NA_YET,
	    "Path of a filesystem syscall as passed."),
	FNA("fs.path.source", S, "string", 0, NA_YET,
	    "Source path of a link or rename, made absolute."),
	FNA("fs.path.sourceraw", S, "string", 0, NA_YET,
	    "Source path of a link or rename as passed."),
	FNA("fs.path.target", S, "string", 0, NA_YET,
	    "Target path of a link or rename, made absolute."),
	FNA("fs.path.targetraw", S, "string", 0, NA_YET,
	    "Target path of a link or rename as passed."),

	FNA("proc.aargs", S, "string", FA_KEY, NA_YET,
	    "Arguments of the N-th ancestor."),
	FNA("proc.acmdline", S, "string", FA_KEY, NA_YET,
	    "Command line of the N-th ancestor."),
	FNA("proc.aenv", S, "string", FA_KEY, NA_YET,
	    "Environment of an ancestor ([NAME]: one variable)."),
	FNA("proc.cmdlenargs", NUM, "number", 0, NA_YET,
	    "Total length of the arguments."),
	FNA("proc.cmdnargs", NUM, "number", 0, NA_YET,
	    "Number of arguments."),
	FNA("proc.exe_ino.ctime_duration_pidns_start", NUM, "abstime", 0,
	    NA_YET, "ctime of the executable minus the pid namespace's start."),
	FNA("proc.exeline", S, "string", 0, NA_YET,
	    "proc.exe followed by the arguments."),
	FNA("proc.fdlimit", NUM, "number", 0, NA_SCHED,
	    "Maximum number of open fds."),
	FNA("proc.fdopencount", NUM, "number", 0, NA_SCHED,
	    "Number of open fds."),
	FNA("proc.fdusage", FIELD_DYNAMIC, "double", 0, NA_SCHED,
	    "Open fds as a share of the limit."),
	FNA("proc.is_container_healthcheck", B, "bool", 0, NA_YET,
	    "true for the container's health check process."),
	FNA("proc.is_container_liveness_probe", B, "bool", 0, NA_YET,
	    "true for a Kubernetes liveness probe process."),
	FNA("proc.is_container_readiness_probe", B, "bool", 0, NA_YET,
	    "true for a Kubernetes readiness probe process."),
	FNA("proc.is_exe_lower_layer", B, "bool", 0, NA_YET,
	    "true when the executable is in an overlayfs lower layer."),
	FNA("proc.is_exe_writable", B, "bool", 0, NA_YET,
	    "true when the process's user may write its executable."),
	FNA("proc.is_pgid_leader", B, "bool", 0, NA_YET,
	    "true for the leader of its process group."),
	FNA("proc.is_sid_leader", B, "bool", 0, NA_YET,
	    "true for the leader of its session."),
	FNA("proc.loginshellid", NUM, "number", 0, NA_YET,
	    "Pid of the oldest shell among the ancestors."),
	FNA("proc.nchilds", NUM, "number", 0, NA_SCHED,
	    "Number of live children."),
	FNA("proc.nthreads", NUM, "number", 0, NA_SCHED,
	    "Number of threads."),
	FNA("proc.pgid.exe", S, "string", 0, NA_YET,
	    "argv[0] of the process group leader."),
	FNA("proc.pgid.exepath", S, "string", 0, NA_YET,
	    "Executable path of the process group leader."),
	FNA("proc.pgid.name", S, "string", 0, NA_YET,
	    "Name of the process group leader."),
	FNA("proc.pid.ts", NUM, "reltime", 0, NA_YET,
	    "Start time of the process."),
	FNA("proc.pidns_init_start_ts", NUM, "number", 0, NA_YET,
	    "Start time of the pid namespace's first process."),
	FNA("proc.ppid.duration", NUM, "reltime", 0, NA_YET,
	    "Nanoseconds since the parent started."),
	FNA("proc.ppid.ts", NUM, "reltime", 0, NA_YET,
	    "Start time of the parent."),
	FNA("proc.pvpid", NUM, "number", 0, NA_YET,
	    "Parent pid in the process's pid namespace."),
	FNA("proc.sid.exe", S, "string", 0, NA_YET,
	    "argv[0] of the session leader."),
	FNA("proc.sid.exepath", S, "string", 0, NA_YET,
	    "Executable path of the session leader."),
	FNA("proc.stderr.name", S, "string", 0, NA_YET,
	    "What fd 2 refers to."),
	FNA("proc.stderr.type", S, "string", 0, NA_YET,
	    "Type of fd 2 (file, pipe, ipv4, ...)."),
	FNA("proc.stdin.name", S, "string", 0, NA_YET,
	    "What fd 0 refers to."),
	FNA("proc.stdin.type", S, "string", 0, NA_YET, "Type of fd 0."),
	FNA("proc.stdout.name", S, "string", 0, NA_YET,
	    "What fd 1 refers to."),
	FNA("proc.stdout.type", S, "string", 0, NA_YET, "Type of fd 1."),
	FNA("proc.vmrss", NUM, "number", 0, NA_SCHED,
	    "Resident memory (kB)."),
	FNA("proc.vmsize", NUM, "number", 0, NA_SCHED,
	    "Virtual memory (kB)."),
	FNA("proc.vmswap", NUM, "number", 0, NA_SCHED,
	    "Swapped memory (kB)."),
	FNA("proc.vpgid.exe", S, "string", 0, NA_YET,
	    "argv[0] of the process group leader."),
	FNA("proc.vpgid.exepath", S, "string", 0, NA_YET,
	    "Executable path of the process group leader."),
	FNA("proc.vpgid.name", S, "string", 0, NA_YET,
	    "Name of the process group leader."),
	FNA("thread.cgroup", S, "string", FA_KEY | FA_NEED, NA_YET,
	    "Cgroup of the thread in the subsystem given in brackets."),
	FNA("thread.cgroups", S, "string", 0, NA_YET,
	    "Every cgroup of the thread."),
	FNA("thread.cpu", FIELD_DYNAMIC, "double", 0, NA_SCHED,
	    "CPU use of the thread."),
	FNA("thread.cpu.system", FIELD_DYNAMIC, "double", 0, NA_SCHED,
	    "System CPU use of the thread."),
	FNA("thread.cpu.user", FIELD_DYNAMIC, "double", 0, NA_SCHED,
	    "User CPU use of the thread."),
	FNA("thread.exectime", NUM, "reltime", 0, NA_SCHED,
	    "CPU time of the last scheduled run."),
	FNA("thread.ismain", B, "bool", 0, NA_YET,
	    "true for the main thread of the process."),
	FNA("thread.nametid", S, "string", 0, NA_CAPTURE,
	    "Process name and thread id."),
	FNA("thread.pfmajor", NUM, "number", 0, NA_SCHED,
	    "Major page faults."),
	FNA("thread.pfminor", NUM, "number", 0, NA_SCHED,
	    "Minor page faults."),
	FNA("thread.tid", NUM, "number", 0, NA_YET, "Thread id."),
	FNA("thread.totexectime", NUM, "reltime", 0, NA_SCHED,
	    "Total CPU time of the thread."),
	FNA("thread.vmrss", NUM, "number", 0, NA_SCHED,
	    "Resident memory of the thread (kB)."),
	FNA("thread.vmrss.b", NUM, "number", 0, NA_SCHED,
	    "Resident memory of the thread (bytes)."),
	FNA("thread.vmsize", NUM, "number", 0, NA_SCHED,
	    "Virtual memory of the thread (kB)."),
	FNA("thread.vmsize.b", NUM, "number", 0, NA_SCHED,
	    "Virtual memory of the thread (bytes)."),
	FNA("thread.vtid", NUM, "number", 0, NA_YET,
	    "Thread id in its pid namespace."),
	FNA("user.homedir", S, "string", 0, NA_YET,
	    "Home directory of the user."),
	FNA("user.shell", S, "string", 0, NA_YET, "Login shell of the user."),

	FNA("container.cni.json", S, "string", 0, NA_K8S,
	    "CNI result of the pod sandbox, as JSON."),
	FNA("container.duration", NUM, "reltime", 0, NA_YET,
	    "Nanoseconds since the container started."),
	FNA("container.healthcheck", S, "string", 0, NA_YET,
	    "Health check command of the container."),
	FNA("container.host_ipc", B, "bool", 0, NA_YET,
	    "true when the container shares the host's IPC namespace."),
	FNA("container.host_network", B, "bool", 0, NA_YET,
	    "true when the container shares the host's network namespace."),
	FNA("container.host_pid", B, "bool", 0, NA_YET,
	    "true when the container shares the host's pid namespace."),
	FNA("container.image.digest", S, "string", 0, NA_YET,
	    "Digest of the container image."),
	FNA("container.image.id", S, "string", 0, NA_YET,
	    "Id of the container image."),
	FNA("container.ip", S, "string", 0, NA_YET,
	    "Ip address of the container."),
	FNA("container.label", S, "string", FA_KEY | FA_NEED, NA_YET,
	    "Container label given in brackets."),
	FNA("container.labels", S, "string", 0, NA_YET,
	    "Every container label."),
	FNA("container.liveness_probe", S, "string", 0, NA_K8S,
	    "Liveness probe command of the container."),
	FNA("container.readiness_probe", S, "string", 0, NA_K8S,
	    "Readiness probe command of the container."),
	FNA("k8s.deployment.id", S, "string", 0, NA_K8S,
	    "Id of the pod's deployment."),
	FNA("k8s.deployment.label", S, "string", FA_KEY | FA_NEED, NA_K8S,
	    "Label of the pod's deployment."),
	FNA("k8s.deployment.labels", S, "string", 0, NA_K8S,
	    "Labels of the pod's deployment."),
	FNA("k8s.deployment.name", S, "string", 0, NA_K8S,
	    "Name of the pod's deployment."),
	FNA("k8s.ns.id", S, "string", 0, NA_K8S, "Id of the namespace."),
	FNA("k8s.ns.label", S, "string", FA_KEY | FA_NEED, NA_K8S,
	    "Label of the namespace."),
	FNA("k8s.ns.labels", S, "string", 0, NA_K8S,
	    "Labels of the namespace."),
	FNA("k8s.pod.cni.json", S, "string", 0, NA_K8S,
	    "CNI result of the pod, as JSON."),
	FNA("k8s.pod.full_sandbox_id", S, "string", 0, NA_YET,
	    "Full id of the pod's sandbox container."),
	FNA("k8s.pod.id", S, "string", 0, NA_YET,
	    "Pod uid (Falco's older name for k8s.pod.uid)."),
	FNA("k8s.pod.ip", S, "string", 0, NA_K8S, "Ip address of the pod."),
	FNA("k8s.pod.label", S, "string", FA_KEY | FA_NEED, NA_YET,
	    "Pod label given in brackets."),
	FNA("k8s.pod.labels", S, "string", 0, NA_YET, "Every pod label."),
	FNA("k8s.pod.sandbox_id", S, "string", 0, NA_YET,
	    "Id of the pod's sandbox container."),
	FNA("k8s.rc.id", S, "string", 0, NA_K8S,
	    "Id of the pod's replication controller."),
	FNA("k8s.rc.label", S, "string", FA_KEY | FA_NEED, NA_K8S,
	    "Label of the pod's replication controller."),
	FNA("k8s.rc.labels", S, "string", 0, NA_K8S,
	    "Labels of the pod's replication controller."),
	FNA("k8s.rc.name", S, "string", 0, NA_K8S,
	    "Name of the pod's replication controller."),
	FNA("k8s.rs.id", S, "string", 0, NA_K8S,
	    "Id of the pod's replica set."),
	FNA("k8s.rs.label", S, "string", FA_KEY | FA_NEED, NA_K8S,
	    "Label of the pod's replica set."),
	FNA("k8s.rs.labels", S, "string", 0, NA_K8S,
	    "Labels of the pod's replica set."),
	FNA("k8s.rs.name", S, "string", 0, NA_K8S,
	    "Name of the pod's replica set."),
	FNA("k8s.svc.id", S, "string", 0, NA_K8S,
	    "Id of the pod's service."),
	FNA("k8s.svc.label", S, "string", FA_KEY | FA_NEED, NA_K8S,
	    "Label of the pod's service."),
	FNA("k8s.svc.labels", S, "string", 0, NA_K8S,
	    "Labels of the pod's service."),
	FNA("k8s.svc.name", S, "string", 0, NA_K8S,
	    "Name of the pod's service."),
};
/* clang-format on */

#undef S
#undef NUM
#undef B
#undef FD
#undef FDX
#undef FNA

#define NFIELDS (sizeof(field_table) / sizeof(field_table[0]))

size_t engine_field_count(void)
{
	return NFIELDS;
}

const struct engine_field_info *engine_field_get(size_t i)
{
	return i < NFIELDS ? &field_table[i].info : NULL;
}

static const struct field_def *def_find(const char *base, size_t len)
{
	size_t i;

	for (i = 0; i < NFIELDS; i++)
		if (strlen(field_table[i].base) == len &&
		    memcmp(field_table[i].base, base, len) == 0)
			return &field_table[i];
	return NULL;
}

static bool valid_arg_name(const char *s, size_t len)
{
	size_t i;

	if (!len)
		return false;
	for (i = 0; i < len; i++)
		if (!(s[i] == '_' || s[i] == '-' ||
		      (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

int field_ref_parse(const char *name, size_t len, struct field_ref *ret)
{
	const struct field_def *d;
	struct field_ref r;
	const char *br = memchr(name, '[', len);
	size_t i;

	memset(&r, 0, sizeof(r));
	r.idx = -1;
	d = def_find(name, br ? (size_t)(br - name) : len);
	if (d && br && (d->flags & FA_KEY)) {
		/* [TEXT]: any non-empty text up to the final ']' */
		if (name[len - 1] != ']' || br + 2 > name + len - 1)
			return -ENOENT;
		r.arg = strndup(br + 1, (size_t)(name + len - 1 - br - 1));
		if (!r.arg)
			return -ENOMEM;
	} else if (d && br) {
		/* [N]: decimal index, nothing after the ']' */
		long idx = 0;

		if (!(d->flags & FA_INDEX) || name[len - 1] != ']' ||
		    br + 2 > name + len - 1)
			return -ENOENT;
		for (i = (size_t)(br - name) + 1; i < len - 1; i++) {
			if (name[i] < '0' || name[i] > '9' || idx > 100000)
				return -ENOENT;
			idx = idx * 10 + (name[i] - '0');
		}
		r.idx = idx;
	} else if (!d && !br) {
		/* base.NAME for fields taking a name argument */
		for (i = 0; i < NFIELDS && !d; i++) {
			size_t bl = strlen(field_table[i].base);

			if ((field_table[i].flags & FA_NAME) && len > bl + 1 &&
			    memcmp(field_table[i].base, name, bl) == 0 &&
			    name[bl] == '.' &&
			    valid_arg_name(name + bl + 1, len - bl - 1)) {
				d = &field_table[i];
				r.arg = strndup(name + bl + 1, len - bl - 1);
				if (!r.arg)
					return -ENOMEM;
			}
		}
	}
	if (!d)
		return -ENOENT;
	if ((d->flags & FA_NEED) && !r.arg && r.idx < 0)
		return -ENOENT;
	r.def = d;
	r.type = d->type;
	r.multi = (d->flags & FA_MULTI) && r.idx < 0;
	/* Both index rules: an event is looked up under its syscall name
	 * and under its first record's type (CONFIG_CHANGE, USER_LOGIN). */
	r.is_evt_type = d->get == g_evt_type || d->get == g_type_name;
	r.custom_eq = (d->flags & (FA_NET | FA_DNS)) != 0;
	r.name = strndup(name, len);
	if (!r.name) {
		free(r.arg);
		return -ENOMEM;
	}
	*ret = r;
	return 0;
}

void field_ref_clear(struct field_ref *r)
{
	if (!r)
		return;
	free(r->arg);
	free(r->name);
	r->arg = NULL;
	r->name = NULL;
	r->def = NULL;
}

bool field_extract(const struct field_ref *r, const struct event *ev,
		   unsigned int n, struct fval *ret, char *scratch,
		   size_t scratch_len)
{
	struct fval v;

	if (!r->def || !r->def->get || !ev || scratch_len < 2)
		return false;
	if (n > 0 && !r->multi)
		return false;
	if (!r->def->get(r, ev, n, &v, scratch, scratch_len))
		return false;
	*ret = v;
	return true;
}

int field_ref_note_constant(const struct field_ref *r, const char *value)
{
	int e;

	if (!r->def || !(r->def->flags & FA_DNS) || !value)
		return 0;
	/* A name past the resolver's bound, or no name at all (an ip
	 * written as is), is compared as text. */
	e = resolver_add(value);
	return e == -ENOMEM ? -ENOMEM : 0;
}

/* ip (text) inside the network "a.b.c.d/len", "a::/len" or equal to an
 * address written without /len. */
static bool ip_in_net(const char *ip, const char *net)
{
	unsigned char a[16], b[16];
	char addr[64];
	const char *slash = strchr(net, '/');
	int fam = strchr(ip, ':') ? AF_INET6 : AF_INET;
	long bits = fam == AF_INET ? 32 : 128, i;
	size_t al = slash ? (size_t)(slash - net) : strlen(net);
	char *end;

	if (al >= sizeof(addr))
		return false;
	memcpy(addr, net, al);
	addr[al] = '\0';
	if (inet_pton(fam, ip, a) != 1 || inet_pton(fam, addr, b) != 1)
		return false;
	if (slash) {
		long want = strtol(slash + 1, &end, 10);

		if (*end || end == slash + 1 || want < 0 || want > bits)
			return false;
		bits = want;
	}
	for (i = 0; i < bits / 8; i++)
		if (a[i] != b[i])
			return false;
	if (bits % 8) {
		unsigned char m = (unsigned char)(0xff << (8 - bits % 8));

		if ((a[i] & m) != (b[i] & m))
			return false;
	}
	return true;
}

bool field_value_eq(const struct field_ref *r, const char *value,
		    const char *constant)
{
	if (r->def && (r->def->flags & FA_NET))
		return ip_in_net(value, constant);
	if (r->def && (r->def->flags & FA_DNS))
		return strcmp(value, constant) == 0 ||
		       resolver_match(constant, value);
	return strcmp(value, constant) == 0;
}

const char *field_ref_unavailable(const struct field_ref *r)
{
	return r->def ? r->def->info.unavailable : NULL;
}

const char *fval_text(const struct fval *v, char *buf, size_t len)
{
	switch (v->kind) {
	case FVAL_STR:
		return v->s;
	case FVAL_BOOL:
		return v->n ? "true" : "false";
	default:
		(void)snprintf(buf, len, "%" PRId64, v->n);
		return buf;
	}
}

int field_syscall_has_arg(const char *syscall, const char *arg)
{
	const struct sc_desc *d;

	if (!syscall || !arg)
		return -1;
	if (strcmp(arg, "res") == 0 ||
	    (arg[0] == 'a' && arg[1] >= '0' && arg[1] <= '3' && !arg[2]))
		return 1;
	d = bsearch(syscall, sc_table, sizeof(sc_table) / sizeof(sc_table[0]),
		    sizeof(sc_table[0]), sc_desc_cmp);
	if (!d)
		return -1;
	return sc_arg_find(d, arg) ? 1 : 0;
}

enum field_outcome field_outcome(const struct field_ref *r, const char *syscall)
{
	const struct sc_desc *d;
	const struct sc_arg *a;

	if (!r->def || r->multi)
		return FIELD_OUTCOME_NONE;
	if (r->def->get == g_failed)
		return r->def->param ? FIELD_OUTCOME_FAILED
				     : FIELD_OUTCOME_SUCCESS;
	if (r->def->get == g_res)
		return FIELD_OUTCOME_RES;
	if (r->def->get == g_exit)
		return FIELD_OUTCOME_EXIT;
	if (r->def->get != g_fd_num || !syscall)
		return FIELD_OUTCOME_NONE;
	/* fd.num is the return value only where the syscall returns the fd
	 * (open, socket, accept); elsewhere it is an argument (a0). */
	d = bsearch(syscall, sc_table, sizeof(sc_table) / sizeof(sc_table[0]),
		    sizeof(sc_table[0]), sc_desc_cmp);
	a = sc_arg_find(d, "fd");
	return a && a->src == S_EXIT ? FIELD_OUTCOME_EXIT : FIELD_OUTCOME_NONE;
}

/* ---- what the kernel filter can test (field_kernel) ---- */

/* Syscalls whose object is named by a path the kernel looks up: on
 * success the PATH items carry the inodes (audit_inode), so path= and
 * dir= rules see what fd.name names. Sorted for bsearch. */
static const char *const path_syscalls[] = {
	"access",     "chdir",	    "chmod",	    "chown",
	"chroot",     "creat",	    "execve",	    "execveat",
	"faccessat",  "faccessat2", "fchmodat",	    "fchmodat2",
	"fchownat",   "lchown",	    "link",	    "linkat",
	"lremovexattr", "lsetxattr", "mkdir",	    "mkdirat",
	"mknod",      "mknodat",    "mount",	    "open",
	"openat",     "openat2",    "removexattr",  "rename",
	"renameat",   "renameat2",  "rmdir",	    "setxattr",
	"symlink",    "symlinkat",  "truncate",	    "umount2",
	"unlink",     "unlinkat",   "utime",	    "utimensat",
	"utimes",
};

static int str_cmp(const void *a, const void *b)
{
	return strcmp(a, *(const char *const *)b);
}

static bool is_path_syscall(const char *syscall)
{
	return bsearch(syscall, path_syscalls,
		       sizeof(path_syscalls) / sizeof(path_syscalls[0]),
		       sizeof(path_syscalls[0]), str_cmp) != NULL;
}

static bool is_sockaddr_arg_syscall(const char *syscall)
{
	/* the address is an argument, so SOCKADDR is always there */
	return strcmp(syscall, "connect") == 0 || strcmp(syscall, "bind") == 0;
}

/* The argument r names for events of syscall, as g_arg finds it. */
static const struct sc_arg *kernel_arg(const struct field_ref *r,
				       const char *syscall,
				       struct sc_arg *generic)
{
	const struct sc_desc *d;
	const struct sc_arg *a = NULL;
	size_t i;

	d = bsearch(syscall, sc_table, sizeof(sc_table) / sizeof(sc_table[0]),
		    sizeof(sc_table[0]), sc_desc_cmp);
	if (r->arg) {
		a = sc_arg_find(d, r->arg);
		if (!a && r->arg[0] == 'a' && r->arg[1] >= '0' &&
		    r->arg[1] <= '3' && !r->arg[2]) {
			generic->name = r->arg;
			generic->src = (unsigned char)(S_A0 + (r->arg[1] - '0'));
			generic->fmt = F_HEX;
			generic->k = 0;
			a = generic;
		}
	} else if (d) {
		for (i = 0; i < SC_MAXARGS && d->args[i].name; i++)
			if ((long)i == r->idx)
				a = &d->args[i];
	} else if (r->idx >= 0 && r->idx < 4) {
		generic->name = "";
		generic->src = (unsigned char)(S_A0 + r->idx);
		generic->fmt = F_HEX;
		generic->k = 0;
		a = generic;
	}
	return a;
}

void field_kernel(const struct field_ref *r, const char *syscall,
		  struct field_kernel *ret)
{
	static const enum field_kernel_id uids[] = {
		FIELD_KID_EUID, FIELD_KID_UID, FIELD_KID_EGID, FIELD_KID_GID
	};
	struct sc_arg generic;
	const struct sc_arg *a;
	field_get_fn get;

	memset(ret, 0, sizeof(*ret));
	if (!r->def || r->multi || !syscall)
		return;
	get = r->def->get;
	if (get == g_evt_type) {
		ret->kind = FIELD_KERNEL_EVT_TYPE;
	} else if (get == g_fd_name || get == g_fd_dirfile) {
		if (get == g_fd_dirfile && r->def->param)
			return; /* fd.filename */
		if (is_sockaddr_arg_syscall(syscall) && get == g_fd_name)
			return;
		if (!is_path_syscall(syscall))
			return;
		ret->kind = get == g_fd_name ? FIELD_KERNEL_PATH
					     : FIELD_KERNEL_DIRNAME;
		ret->primary = true;
	} else if (get == g_is_open) {
		if (strcmp(syscall, "open") != 0 &&
		    strcmp(syscall, "openat") != 0 &&
		    strcmp(syscall, "openat2") != 0)
			return;
		if (r->def->param == 0)
			ret->kind = FIELD_KERNEL_OPEN_READ;
		else if (r->def->param == 1)
			ret->kind = FIELD_KERNEL_OPEN_WRITE;
	} else if (get == g_uid) {
		ret->kind = FIELD_KERNEL_ID;
		ret->id = uids[r->def->param];
	} else if (get == g_loginuid) {
		ret->kind = FIELD_KERNEL_ID;
		ret->id = FIELD_KID_LOGINUID;
	} else if (get == g_auid && r->def->param == 0) {
		ret->kind = FIELD_KERNEL_ID;
		ret->id = FIELD_KID_AUID;
	} else if (get == g_pid || get == g_ppid) {
		ret->kind = FIELD_KERNEL_ID;
		ret->id = get == g_pid ? FIELD_KID_PID : FIELD_KID_PPID;
	} else if (get == g_sockfamily || get == g_fd_type) {
		if (is_sockaddr_arg_syscall(syscall))
			ret->kind = FIELD_KERNEL_SOCKFAMILY;
	} else if (get == g_fd_ip || get == g_fd_port) {
		if (is_sockaddr_arg_syscall(syscall))
			ret->kind = FIELD_KERNEL_INET_ONLY;
	} else if (get == g_arg) {
		a = kernel_arg(r, syscall, &generic);
		if (!a)
			return;
		switch (a->src) {
		case S_A0:
		case S_A1:
		case S_A2:
		case S_A3:
			ret->kind = FIELD_KERNEL_ARG;
			ret->arg = (unsigned int)(a->src - S_A0);
			break;
		case S_PATH:
			if (is_path_syscall(syscall)) {
				ret->kind = FIELD_KERNEL_PATH;
				ret->primary = true;
			}
			break;
		case S_OLDPATH:
		case S_NEWPATH:
			if (is_path_syscall(syscall))
				ret->kind = FIELD_KERNEL_PATH;
			break;
		default:
			break;
		}
	}
}

size_t field_kernel_arg_names(const struct field_ref *r, const char *syscall,
			      int64_t *out, size_t max)
{
	const struct named *t = NULL;
	struct sc_arg generic;
	const struct sc_arg *a;
	size_t n = 0, i;

	if (!r->def || r->def->get != g_arg || !syscall)
		return 0;
	a = kernel_arg(r, syscall, &generic);
	if (!a)
		return 0;
	switch (a->fmt) {
	case F_SIG:
		t = signal_names;
		n = sizeof(signal_names) / sizeof(signal_names[0]);
		break;
	case F_PTRACE:
		t = ptrace_names;
		n = sizeof(ptrace_names) / sizeof(ptrace_names[0]);
		break;
	case F_DOMAIN:
		t = domain_names;
		n = sizeof(domain_names) / sizeof(domain_names[0]);
		break;
	default:
		return 0;
	}
	for (i = 0; i < n && i < max; i++)
		out[i] = t[i].v;
	return n;
}
