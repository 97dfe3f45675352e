/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test-only helper for the ruleset trigger tests: makes one real system
 * call that a shipped detection rule is about, the way an attacker's
 * tool would, and reports what the kernel answered. Built static, so the
 * same binary runs on the host and inside a busybox container root.
 * Every action is harmless by construction: module loads of files that
 * are no module, namespaces and mounts that die with the process,
 * ptrace of the helper's own child, sockets to addresses the caller
 * gives (loopback or a private network namespace).
 *
 *   trigger ptrace-attach          attach to (and detach from) own child
 *   trigger ptrace-traceme         PTRACE_TRACEME, the anti-debug idiom
 *   trigger module FILE            finit_module and init_module on FILE
 *   trigger module-unload NAME     delete_module of NAME (one that is not
 *                                  loaded: ENOENT)
 *   trigger kexec                  kexec_load and kexec_file_load with
 *                                  arguments the kernel refuses before it
 *                                  looks at anything (EINVAL, EBADF)
 *   trigger unshare mnt|user|net|pid|uts|ipc|cgroup
 *   trigger setns NSFILE           join the namespace NSFILE names
 *   trigger mount DIR              tmpfs on DIR (in a new mount namespace
 *                                  when it may, so the host sees nothing)
 *   trigger packet-socket          socket(AF_PACKET, SOCK_RAW)
 *   trigger connect IP PORT        TCP connect (and close)
 *   trigger revshell IP PORT PROG [ARG]...
 *                                  connect, dup2/dup3 the socket onto
 *                                  stdin, stdout, stderr, exec PROG
 *   trigger memfd-exec FILE [ARG]...
 *                                  copy FILE into a memfd and exec it
 *   trigger pty PROG [ARG]...      run PROG on a new pseudo-terminal as
 *                                  its controlling terminal; wait
 *   trigger signal PID SIGNUM      kill(PID, SIGNUM)
 *   trigger run PROG [ARG]...      run PROG as a child and wait (linked
 *                                  under a server's name, a server that
 *                                  spawns a shell)
 *
 * Output: one line "trigger: ACTION: ok" or "...: <errno name>" per
 * system call. Exit 0 when the calls were made (whatever the kernel
 * answered: the tests assert on what was audited), 2 on bad usage or
 * when a precondition (fork, open) failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AF_PACKET
#define AF_PACKET 17
#endif

static int report(const char *what, long r)
{
	if (r < 0)
		printf("trigger: %s: %s\n", what, strerrorname_np(errno));
	else
		printf("trigger: %s: ok\n", what);
	fflush(stdout);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: trigger ACTION [ARG]... (see trigger.c)\n");
	return 2;
}

/* A child that waits to be traced and killed. */
static pid_t spawn_sleeper(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

static int do_ptrace_attach(void)
{
	pid_t pid = spawn_sleeper();
	int st;

	if (pid < 0)
		return 2;
	if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) == 0) {
		report("ptrace PTRACE_ATTACH", 0);
		(void)waitpid(pid, &st, 0);
		(void)ptrace(PTRACE_DETACH, pid, NULL, NULL);
	} else {
		report("ptrace PTRACE_ATTACH", -1);
	}
	(void)kill(pid, SIGKILL);
	(void)waitpid(pid, &st, 0);
	return 0;
}

static int do_ptrace_traceme(void)
{
	/* The child asks to be traced by its parent, then exits at once:
	 * nothing ever traces it. */
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return 2;
	if (pid == 0)
		_exit(ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0 ? 0 : errno);
	(void)waitpid(pid, &st, 0);
	errno = WIFEXITED(st) ? WEXITSTATUS(st) : EINTR;
	return report("ptrace PTRACE_TRACEME", errno ? -1 : 0);
}

/* finit_module and init_module on a file that is no module: the kernel
 * audits the call, then refuses it (ENOEXEC, EPERM without
 * CAP_SYS_MODULE, ENOSYS without module support). */
static int do_module(const char *file)
{
	char buf[4096];
	ssize_t n;
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		perror(file);
		return 2;
	}
	report("finit_module", syscall(SYS_finit_module, fd, "", 0));
	n = pread(fd, buf, sizeof(buf), 0);
	if (n < 0)
		n = 0;
	report("init_module", syscall(SYS_init_module, buf, (unsigned long)n,
				      ""));
	close(fd);
	return 0;
}

static int do_module_unload(const char *name)
{
	report("delete_module", syscall(SYS_delete_module, name, O_NONBLOCK));
	return 0;
}

/* Refused before anything is read or changed: more segments than the
 * kernel allows and an unknown flag (kexec_load with no segments would
 * unload a loaded image: not that), no file (fd -1, never the unload
 * flag). */
static int do_kexec(void)
{
	report("kexec_load",
	       syscall(SYS_kexec_load, 0UL, 1000UL, NULL, 0x4000UL));
	report("kexec_file_load",
	       syscall(SYS_kexec_file_load, -1, -1, 0UL, "", 0x4UL));
	return 0;
}

static int ns_flag(const char *name)
{
	static const struct {
		const char *name;
		int flag;
	} t[] = {
		{ "mnt", CLONE_NEWNS },	      { "user", CLONE_NEWUSER },
		{ "net", CLONE_NEWNET },      { "pid", CLONE_NEWPID },
		{ "uts", CLONE_NEWUTS },      { "ipc", CLONE_NEWIPC },
		{ "cgroup", CLONE_NEWCGROUP },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(t[i].name, name) == 0)
			return t[i].flag;
	return -1;
}

static int do_unshare(const char *name)
{
	int flag = ns_flag(name);

	if (flag < 0)
		return usage();
	return report("unshare", unshare(flag));
}

static int do_setns(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		perror(path);
		return 2;
	}
	report("setns", setns(fd, 0));
	close(fd);
	return 0;
}

static int do_mount(const char *dir)
{
	/* Where allowed, a private mount namespace first: the tmpfs then
	 * exists only for this process and goes with it. */
	if (unshare(CLONE_NEWNS) == 0)
		(void)mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	return report("mount", mount("harrier-test", dir, "tmpfs", 0,
				     "size=64k"));
}

static int do_packet_socket(void)
{
	int fd = socket(AF_PACKET, SOCK_RAW, 0);

	report("socket AF_PACKET", fd);
	if (fd >= 0)
		close(fd);
	return 0;
}

static int tcp_connect(const char *ip, const char *port)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)atoi(port));
	if (inet_pton(AF_INET, ip, &sin.sin_addr) != 1) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int do_connect(const char *ip, const char *port)
{
	int fd = tcp_connect(ip, port);

	report("connect", fd);
	if (fd >= 0)
		close(fd);
	return 0;
}

/* The reverse shell idiom: the socket becomes stdin, stdout and stderr
 * (dup2 for 0 and 1 as bash does, dup3 for 2 as some payloads do), then
 * the program runs with them. */
static int do_revshell(const char *ip, const char *port, char **argv)
{
	int fd = tcp_connect(ip, port);

	report("connect", fd);
	if (fd < 0)
		return 0;
	report("dup2 0", dup2(fd, 0));
	report("dup2 1", dup2(fd, 1));
	if (fd != 2)
		(void)dup3(fd, 2, 0);
	close(fd);
	execv(argv[0], argv);
	return 2;
}

static int do_memfd_exec(char **argv)
{
	char buf[65536];
	ssize_t n;
	int in = open(argv[0], O_RDONLY | O_CLOEXEC);
	int mfd = (int)syscall(SYS_memfd_create, "harrier-test", 0);

	if (in < 0 || mfd < 0) {
		perror("memfd-exec");
		return 2;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(mfd, buf, (size_t)n) != n)
			return 2;
	close(in);
	fflush(stdout);
	syscall(SYS_execveat, mfd, "", argv, environ, AT_EMPTY_PATH);
	perror("execveat");
	return 2;
}

static int do_pty(char **argv)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	pid_t pid;
	int st;
	char buf[256];

	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0) {
		perror("posix_openpt");
		return 2;
	}
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		int s;

		(void)setsid();
		s = open(ptsname(m), O_RDWR);
		if (s < 0)
			_exit(127);
		(void)ioctl(s, TIOCSCTTY, 0);
		dup2(s, 0);
		dup2(s, 1);
		dup2(s, 2);
		if (s > 2)
			close(s);
		close(m);
		execv(argv[0], argv);
		_exit(127);
	}
	/* Drain the terminal so that the child never blocks on output. */
	for (;;) {
		ssize_t n = read(m, buf, sizeof(buf));

		if (n <= 0)
			break;
		if (waitpid(pid, &st, WNOHANG) == pid)
			goto done;
	}
	(void)waitpid(pid, &st, 0);
done:
	close(m);
	printf("trigger: pty: %s exited %d\n", argv[0],
	       WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 0;
}

static int do_run(char **argv)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return 2;
	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	(void)waitpid(pid, &st, 0);
	printf("trigger: run: %s exited %d\n", argv[0],
	       WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 0;
}

int main(int argc, char **argv)
{
	const char *a;

	if (argc < 2)
		return usage();
	a = argv[1];
	if (strcmp(a, "ptrace-attach") == 0)
		return do_ptrace_attach();
	if (strcmp(a, "ptrace-traceme") == 0)
		return do_ptrace_traceme();
	if (strcmp(a, "module") == 0 && argc == 3)
		return do_module(argv[2]);
	if (strcmp(a, "module-unload") == 0 && argc == 3)
		return do_module_unload(argv[2]);
	if (strcmp(a, "kexec") == 0 && argc == 2)
		return do_kexec();
	if (strcmp(a, "unshare") == 0 && argc == 3)
		return do_unshare(argv[2]);
	if (strcmp(a, "setns") == 0 && argc == 3)
		return do_setns(argv[2]);
	if (strcmp(a, "mount") == 0 && argc == 3)
		return do_mount(argv[2]);
	if (strcmp(a, "packet-socket") == 0)
		return do_packet_socket();
	if (strcmp(a, "connect") == 0 && argc == 4)
		return do_connect(argv[2], argv[3]);
	if (strcmp(a, "revshell") == 0 && argc >= 5)
		return do_revshell(argv[2], argv[3], argv + 4);
	if (strcmp(a, "memfd-exec") == 0 && argc >= 3)
		return do_memfd_exec(argv + 2);
	if (strcmp(a, "pty") == 0 && argc >= 3)
		return do_pty(argv + 2);
	if (strcmp(a, "run") == 0 && argc >= 3)
		return do_run(argv + 2);
	if (strcmp(a, "signal") == 0 && argc == 4)
		return report("kill", kill((pid_t)atoi(argv[2]), atoi(argv[3])));
	return usage();
}
