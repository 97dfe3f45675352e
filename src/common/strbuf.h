/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A growable, always NUL-terminated byte buffer, and the escapers every
 * output path uses for untrusted text (file names, command lines): JSON
 * string escaping and terminal-safe escaping of control bytes.
 * Allocation failure is sticky: strbuf_failed() reports it once at the end.
 */
#ifndef HARRIER_STRBUF_H
#define HARRIER_STRBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
	bool failed;
};

#define STRBUF_INIT { NULL, 0, 0, false }

/* A macro's value as a string literal: XSTR(HARRIER_MAX_RECORD_LEN). */
#define STR_(x) #x
#define XSTR(x) STR_(x)

void strbuf_init(struct strbuf *sb);
void strbuf_free(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
void strbuf_append(struct strbuf *sb, const char *s, size_t n);
void strbuf_appends(struct strbuf *sb, const char *s);
void strbuf_appendc(struct strbuf *sb, char c);
void strbuf_appendf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* JSON string body (no surrounding quotes); invalid UTF-8 becomes \ufffd. */
void strbuf_append_json(struct strbuf *sb, const char *s, size_t n);
/* The one escaper for text meant for display (stdout, journald MESSAGE,
 * the store's output column, logs): control bytes, DEL, invalid UTF-8,
 * C1 controls, line separators and bidi overrides as \xNN per byte,
 * backslash as \\; valid UTF-8 otherwise kept. Safe for a terminal. */
void strbuf_append_escaped(struct strbuf *sb, const char *s, size_t n);
/* Whether s holds nothing strbuf_append_escaped would turn into \xNN
 * (text escaped earlier, such as the store's output column, may be shown
 * as it is). */
bool strbuf_escaped_is_clean(const char *s, size_t n);
/* Contents, never NULL ("" when empty). Borrowed until the next change. */
const char *strbuf_str(const struct strbuf *sb);
bool strbuf_failed(const struct strbuf *sb);
/* Hand the buffer to the caller (owned, NUL-terminated) and reset sb. */
char *strbuf_steal(struct strbuf *sb);

/* Frees v's n strings and v itself (NULL-safe). */
void strv_free(char **v, size_t n);
/* Copies packed into one allocation after a struct (one malloc and one
 * free instead of one a string): str_pack_size is what s takes (0 for
 * NULL); str_pack copies s to *at, moves *at past it and returns the copy
 * (NULL for NULL). */
size_t str_pack_size(const char *s);
char *str_pack(char **at, const char *s);
/* The same for the char * members of a struct at offsets offs[0..n):
 * what src's take; dst's set to copies of src's, packed at *at. */
size_t str_pack_members_size(const void *src, const size_t *offs, size_t n);
void str_pack_members(void *dst, const void *src, const size_t *offs,
		      size_t n, char **at);
/* Frees the char * members of obj at offs[0..n). */
void str_free_members(void *obj, const size_t *offs, size_t n);
/* A newly allocated formatted string, or NULL on allocation failure. */
char *str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Replace *ret_err (when ret_err is not NULL) with a new message for the
 * caller to free; *ret_err must be NULL or a message from here. On
 * allocation failure the old message stays, which is still true. */
void err_set(char **ret_err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Bounded integer parsing: whole string, base 0/10/16 as given, range
 * checked. Return 0 or -EINVAL/-ERANGE; *ret written on success only. */
int parse_u64(const char *s, int base, uint64_t *ret);
int parse_i64(const char *s, int base, int64_t *ret);

/* A whole regular file of at most max bytes, NUL-terminated, into
 * *ret_buf (owned by the caller) and *ret_len. Opened non-blocking (a FIFO
 * planted at the path cannot hang us) with open_flags added (O_NOFOLLOW).
 * Returns 0, -EINVAL (not a regular file), -EFBIG (over max, also when it
 * grew while read), -ENOMEM or the open/read -errno. */
int read_file_max(const char *path, size_t max, int open_flags,
		  char **ret_buf, size_t *ret_len);

#endif
