/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The file and program backends of outq. Both run on the output's
 * thread only. The program is started with posix_spawn (safe in a
 * threaded process): its stdin is our pipe, its other fds are its own
 * (everything of ours is close-on-exec), its signals are default and
 * unblocked (the daemon blocks and ignores some: they would be
 * inherited).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/limits.h"
#include "common/strbuf.h"
#include "sink/fileout.h"
#include "sink/outq.h"

extern char **environ;

/* --- argv --- */

void argv_free(char **argv)
{
	size_t i;

	if (!argv)
		return;
	for (i = 0; argv[i]; i++)
		free(argv[i]);
	free(argv);
}

int argv_split(const char *s, char ***ret)
{
	struct strbuf w = STRBUF_INIT;
	char **argv = NULL, **p;
	size_t n = 0;
	bool in_word = false;
	char q = 0;
	int r = 0;

	for (;; s++) {
		char c = *s;

		if (q == '\'') {
			if (!c) {
				r = -EINVAL;
				break;
			}
			if (c == '\'')
				q = 0;
			else
				strbuf_appendc(&w, c);
			continue;
		}
		if (q == '"') {
			if (!c) {
				r = -EINVAL;
				break;
			}
			if (c == '"') {
				q = 0;
			} else if (c == '\\' && s[1] &&
				   strchr("\"\\$`", s[1])) {
				strbuf_appendc(&w, *++s);
			} else {
				strbuf_appendc(&w, c);
			}
			continue;
		}
		if (!c || c == ' ' || c == '\t' || c == '\n') {
			if (in_word) {
				if (strbuf_failed(&w)) {
					r = -ENOMEM;
					break;
				}
				p = realloc(argv, (n + 2) * sizeof(*p));
				if (!p) {
					r = -ENOMEM;
					break;
				}
				argv = p;
				argv[n++] = strbuf_steal(&w);
				argv[n] = NULL;
				in_word = false;
			}
			if (!c)
				break;
			continue;
		}
		in_word = true;
		if (c == '\'' || c == '"') {
			q = c;
		} else if (c == '\\') {
			if (!s[1]) {
				r = -EINVAL;
				break;
			}
			strbuf_appendc(&w, *++s);
		} else {
			strbuf_appendc(&w, c);
		}
	}
	strbuf_free(&w);
	if (r == 0 && n == 0)
		r = -EINVAL;
	if (r < 0) {
		argv_free(argv);
		return r;
	}
	*ret = argv;
	return 0;
}

/* All of buf to fd: 0 or -errno. */
static int write_all(int fd, const char *buf, size_t len)
{
	ssize_t k;

	while (len > 0) {
		k = write(fd, buf, len);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += k;
		len -= (size_t)k;
	}
	return 0;
}

/* Lines and their newlines in one buffer: one write per batch. */
static int join_lines(struct strbuf *sb, char *const *lines,
		      const size_t *lens, unsigned int n)
{
	unsigned int i;

	strbuf_reset(sb);
	for (i = 0; i < n; i++) {
		strbuf_append(sb, lines[i], lens[i]);
		strbuf_appendc(sb, '\n');
	}
	return strbuf_failed(sb) ? -ENOMEM : 0;
}

/* --- file --- */

struct fileout {
	char *path;
	bool keep_alive;
	int fd;
	struct strbuf buf;
};

static int file_open(struct fileout *f, char *why, size_t whylen)
{
	char *dir, *slash;

	if (f->fd >= 0)
		return 0;
	f->fd = open(f->path,
		     O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY |
			     O_NOFOLLOW,
		     0640);
	if (f->fd < 0 && errno == ENOENT) {
		/* the directory of a fresh install (/var/log/harrier) */
		dir = strdup(f->path);
		slash = dir ? strrchr(dir, '/') : NULL;
		if (slash && slash != dir) {
			*slash = '\0';
			(void)mkdir(dir, 0750);
		}
		free(dir);
		f->fd = open(f->path,
			     O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
				     O_NOCTTY | O_NOFOLLOW,
			     0640);
	}
	if (f->fd < 0) {
		(void)snprintf(why, whylen, "%s: %s", f->path,
			       strerror(errno));
		return -1;
	}
	return 0;
}

static enum outq_result file_deliver(void *ctx, char *const *lines,
				     const size_t *lens, unsigned int n,
				     char *why, size_t whylen)
{
	struct fileout *f = ctx;
	struct stat st;
	off_t was;
	int r;

	if (join_lines(&f->buf, lines, lens, n) < 0) {
		(void)snprintf(why, whylen, "out of memory");
		return OUTQ_RETRY;
	}
	if (file_open(f, why, whylen) < 0)
		return OUTQ_RETRY;
	was = fstat(f->fd, &st) == 0 ? st.st_size : -1;
	r = write_all(f->fd, f->buf.buf, f->buf.len);
	if (r < 0) {
		/* no half line left for the next try to follow */
		if (was >= 0)
			(void)ftruncate(f->fd, was);
		(void)snprintf(why, whylen, "%s: %s", f->path, strerror(-r));
		(void)close(f->fd);
		f->fd = -1;
		return OUTQ_RETRY;
	}
	if (!f->keep_alive) {
		(void)close(f->fd);
		f->fd = -1;
	}
	return OUTQ_SENT;
}

static void file_reopen(void *ctx)
{
	struct fileout *f = ctx;

	if (f->fd >= 0)
		(void)close(f->fd);
	f->fd = -1;
}

static void file_free(void *ctx)
{
	struct fileout *f = ctx;

	if (!f)
		return;
	if (f->fd >= 0)
		(void)close(f->fd);
	strbuf_free(&f->buf);
	free(f->path);
	free(f);
}

static const struct outq_backend file_backend = {
	.name = "file",
	.deliver = file_deliver,
	.reopen = file_reopen,
	.free = file_free,
};

struct sink *file_sink_new(const char *path, bool keep_alive, char **ret_err)
{
	struct outq_options qo;
	struct fileout *f;

	if (!path || !*path) {
		err_set(ret_err, "file_output: no filename");
		return NULL;
	}
	f = calloc(1, sizeof(*f));
	if (!f || !(f->path = strdup(path))) {
		free(f);
		err_set(ret_err, "out of memory");
		return NULL;
	}
	f->fd = -1;
	f->keep_alive = keep_alive;
	strbuf_init(&f->buf);
	memset(&qo, 0, sizeof(qo));
	qo.queue_max = HARRIER_OUTPUT_QUEUE_MAX;
	qo.max_batch = 512;
	qo.json = true;
	qo.retry_min_ms = HARRIER_OUTPUT_RETRY_MIN_MS;
	qo.retry_max_ms = HARRIER_OUTPUT_RETRY_MAX_MS;
	return outq_sink_new(&file_backend, f, &qo);
}

/* --- program --- */

struct program {
	char *cmd; /* for messages */
	char **argv;
	bool keep_alive;
	pid_t pid;
	int fd; /* its stdin */
	struct strbuf buf;
	unsigned int restarts;
};

static int program_start(struct program *p, char *why, size_t whylen)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	int pipefd[2], r;

	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		(void)snprintf(why, whylen, "pipe: %s", strerror(errno));
		return -1;
	}
	(void)sigemptyset(&none);
	(void)sigfillset(&all);
	if (posix_spawn_file_actions_init(&fa) != 0 ||
	    posix_spawnattr_init(&at) != 0) {
		(void)close(pipefd[0]);
		(void)close(pipefd[1]);
		(void)snprintf(why, whylen, "out of memory");
		return -1;
	}
	(void)posix_spawn_file_actions_adddup2(&fa, pipefd[0], 0);
	(void)posix_spawnattr_setsigmask(&at, &none);
	(void)posix_spawnattr_setsigdefault(&at, &all);
	(void)posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK |
						    POSIX_SPAWN_SETSIGDEF);
	r = posix_spawnp(&p->pid, p->argv[0], &fa, &at, p->argv, environ);
	(void)posix_spawn_file_actions_destroy(&fa);
	(void)posix_spawnattr_destroy(&at);
	(void)close(pipefd[0]);
	if (r != 0) {
		(void)close(pipefd[1]);
		p->pid = 0;
		(void)snprintf(why, whylen, "cannot run %s: %s", p->argv[0],
			       strerror(r));
		return -1;
	}
	p->fd = pipefd[1];
	return 0;
}

/* Close its stdin and, for a one-shot run or a dead one, collect it.
 * Returns how it ended in why (when it ended). */
static void program_end(struct program *p, bool wait, char *why,
			size_t whylen)
{
	int st;
	pid_t r;

	if (p->fd >= 0)
		(void)close(p->fd);
	p->fd = -1;
	if (p->pid <= 0)
		return;
	do {
		r = waitpid(p->pid, &st, wait ? 0 : WNOHANG);
	} while (r < 0 && errno == EINTR);
	if (r == p->pid) {
		if (why && WIFEXITED(st))
			(void)snprintf(why, whylen, "%s exited with status %d",
				       p->cmd, WEXITSTATUS(st));
		else if (why && WIFSIGNALED(st))
			(void)snprintf(why, whylen, "%s was killed by signal %d",
				       p->cmd, WTERMSIG(st));
		p->pid = 0;
	} else if (!wait) {
		/* still running with its stdin gone: it is ending; give it
		 * the usual signal, collect it next time */
		(void)kill(p->pid, SIGTERM);
		(void)waitpid(p->pid, &st, 0);
		p->pid = 0;
	}
}

/* Whether the long-running program has died since. */
static bool program_died(struct program *p, char *why, size_t whylen)
{
	int st;

	if (p->pid <= 0)
		return true;
	if (waitpid(p->pid, &st, WNOHANG) != p->pid)
		return false;
	if (WIFEXITED(st))
		(void)snprintf(why, whylen, "%s exited with status %d", p->cmd,
			       WEXITSTATUS(st));
	else
		(void)snprintf(why, whylen, "%s was killed by signal %d",
			       p->cmd, WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	p->pid = 0;
	if (p->fd >= 0)
		(void)close(p->fd);
	p->fd = -1;
	return true;
}

/* The write to a pipe whose reader is gone: EPIPE, and a SIGPIPE that
 * this thread blocks (and takes back) rather than letting it end the
 * process. */
static int pipe_write(int fd, const char *buf, size_t len)
{
	struct timespec zero = { 0, 0 };
	sigset_t pipe_set, old;
	int r;

	(void)sigemptyset(&pipe_set);
	(void)sigaddset(&pipe_set, SIGPIPE);
	(void)pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	r = write_all(fd, buf, len);
	if (r == -EPIPE)
		(void)sigtimedwait(&pipe_set, NULL, &zero);
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r;
}

static enum outq_result program_deliver(void *ctx, char *const *lines,
					const size_t *lens, unsigned int n,
					char *why, size_t whylen)
{
	struct program *p = ctx;
	unsigned int i;
	int r;

	if (!p->keep_alive) {
		/* one run per alert */
		for (i = 0; i < n; i++) {
			if (program_start(p, why, whylen) < 0)
				return OUTQ_RETRY;
			r = pipe_write(p->fd, lines[i], lens[i]);
			if (r == 0)
				r = pipe_write(p->fd, "\n", 1);
			program_end(p, true, NULL, 0);
			(void)r; /* it chose not to read: its business */
		}
		return OUTQ_SENT;
	}
	if (p->pid > 0 && program_died(p, why, whylen)) {
		p->restarts++;
		return OUTQ_RETRY; /* started again at the next try */
	}
	if (p->pid <= 0 && program_start(p, why, whylen) < 0)
		return OUTQ_RETRY;
	if (join_lines(&p->buf, lines, lens, n) < 0) {
		(void)snprintf(why, whylen, "out of memory");
		return OUTQ_RETRY;
	}
	r = pipe_write(p->fd, p->buf.buf, p->buf.len);
	if (r < 0) {
		/* died while we wrote: say how, send again to the next */
		if (!program_died(p, why, whylen)) {
			(void)snprintf(why, whylen, "writing to %s: %s",
				       p->cmd, strerror(-r));
			program_end(p, false, NULL, 0);
		}
		p->restarts++;
		return OUTQ_RETRY;
	}
	return OUTQ_SENT;
}

static void program_free(void *ctx)
{
	struct program *p = ctx;

	if (!p)
		return;
	/* end of input for it, then collect it */
	program_end(p, true, NULL, 0);
	strbuf_free(&p->buf);
	argv_free(p->argv);
	free(p->cmd);
	free(p);
}

static const struct outq_backend program_backend = {
	.name = "program",
	.deliver = program_deliver,
	.reopen = NULL,
	.free = program_free,
};

struct sink *program_sink_new(const char *program, bool keep_alive,
			      bool json, char **ret_err)
{
	struct outq_options qo;
	struct program *p;

	p = calloc(1, sizeof(*p));
	if (!p) {
		err_set(ret_err, "out of memory");
		return NULL;
	}
	p->fd = -1;
	p->keep_alive = keep_alive;
	strbuf_init(&p->buf);
	if (!program || argv_split(program, &p->argv) < 0) {
		err_set(ret_err, "program_output.program: cannot split '%s' "
			"into words (an unterminated quote?)",
			program ? program : "");
		free(p);
		return NULL;
	}
	p->cmd = strdup(p->argv[0]);
	if (!p->cmd) {
		argv_free(p->argv);
		free(p);
		err_set(ret_err, "out of memory");
		return NULL;
	}
	memset(&qo, 0, sizeof(qo));
	qo.queue_max = HARRIER_OUTPUT_QUEUE_MAX;
	qo.max_batch = keep_alive ? 512 : 1;
	qo.json = json;
	qo.retry_min_ms = HARRIER_OUTPUT_RETRY_MIN_MS;
	qo.retry_max_ms = HARRIER_OUTPUT_RETRY_MAX_MS;
	return outq_sink_new(&program_backend, p, &qo);
}
