/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Decoders the assembler applies to record values: numbers, the kernel's
 * hex encoding of untrusted strings, lexical path normalisation and
 * sockaddr. Internal to src/assemble/. Pure functions over caller buffers:
 * no allocation, no auparse, never trust the input length or content.
 */
#ifndef HARRIER_ASSEMBLE_INTERPRET_H
#define HARRIER_ASSEMBLE_INTERPRET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/event.h"

/* Whole-string unsigned parsers (decimal, hex without 0x, octal); 0 or
 * -EINVAL/-ERANGE, *ret written on success only. */
int interp_dec_u64(const char *s, uint64_t *ret);
int interp_hex_u64(const char *s, uint64_t *ret);
int interp_oct_u64(const char *s, uint64_t *ret);
/* Decimal with optional leading '-'. */
int interp_dec_i64(const char *s, int64_t *ret);
/* A 32-bit id (uid, auid, ses): decimal, "-1" and 4294967295 both give
 * EVENT_ID_UNSET. */
int interp_id(const char *s, uint32_t *ret);

/* Decode n hex digits (n even) into out (room for n / 2 + 1 bytes; a NUL
 * is appended). Returns the decoded length or -EINVAL. */
long interp_hex_decode(const char *hex, size_t n, char *out);

/* How the kernel printed an untrusted string (audit_log_untrustedstring):
 * "quoted" text, HEX bytes, or (null). */
enum interp_str {
	INTERP_STR_NULL, /* (null) or missing */
	INTERP_STR_QUOTED, /* *ret_start/len point inside s, quotes removed */
	INTERP_STR_HEX, /* s is an even run of hex digits */
	INTERP_STR_BAD, /* neither: truncated or not from the kernel */
};
enum interp_str interp_classify(const char *s, const char **ret_start,
				size_t *ret_len);

/* Join name to cwd when name is relative (and cwd is absolute) and
 * normalise lexically: repeated '/', "." and ".." (never above "/").
 * A relative name without cwd stays relative, normalised. out must have
 * room for strlen(cwd) + strlen(name) + 2 bytes. Returns the length. */
size_t interp_path_normalise(const char *cwd, const char *name, char *out);

/* Decode a raw struct sockaddr (the SOCKADDR record's saddr bytes) into
 * sa. A unix path is written to path (room for n + 2 bytes) and sa->path
 * set to it. Returns 0, or -EINVAL when the bytes are too short for the
 * family they claim. */
int interp_sockaddr(const unsigned char *b, size_t n, struct event_sockaddr *sa,
		    char *path);

#endif
