/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Value decoders for the assembler. Everything here reads text that came
 * from the kernel or from a log file an attacker may have written: lengths
 * are checked before every access and nothing is allocated, so a hostile
 * record can at worst be rejected.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "assemble/interpret.h"

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int parse_base(const char *s, unsigned int base, uint64_t *ret)
{
	uint64_t v = 0;
	int d;

	if (!s || !*s)
		return -EINVAL;
	for (; *s; s++) {
		d = hexval((unsigned char)*s);
		if (d < 0 || (unsigned int)d >= base)
			return -EINVAL;
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return -ERANGE;
		v = v * base + (uint64_t)d;
	}
	*ret = v;
	return 0;
}

int interp_dec_u64(const char *s, uint64_t *ret)
{
	return parse_base(s, 10, ret);
}

int interp_hex_u64(const char *s, uint64_t *ret)
{
	return parse_base(s, 16, ret);
}

int interp_oct_u64(const char *s, uint64_t *ret)
{
	return parse_base(s, 8, ret);
}

int interp_dec_i64(const char *s, int64_t *ret)
{
	uint64_t v;
	bool neg = false;
	int r;

	if (s && *s == '-') {
		neg = true;
		s++;
	}
	r = parse_base(s, 10, &v);
	if (r < 0)
		return r;
	if (neg) {
		if (v > (uint64_t)INT64_MAX + 1)
			return -ERANGE;
		*ret = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	} else {
		if (v > (uint64_t)INT64_MAX)
			return -ERANGE;
		*ret = (int64_t)v;
	}
	return 0;
}

int interp_id(const char *s, uint32_t *ret)
{
	uint64_t v;
	int r;

	if (s && strcmp(s, "-1") == 0) {
		*ret = EVENT_ID_UNSET;
		return 0;
	}
	r = parse_base(s, 10, &v);
	if (r < 0)
		return r;
	if (v > UINT32_MAX)
		return -ERANGE;
	*ret = (uint32_t)v;
	return 0;
}

long interp_hex_decode(const char *hex, size_t n, char *out)
{
	size_t i;
	int hi, lo;

	if (n % 2)
		return -EINVAL;
	for (i = 0; i < n; i += 2) {
		hi = hexval((unsigned char)hex[i]);
		lo = hexval((unsigned char)hex[i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i / 2] = (char)(hi << 4 | lo);
	}
	out[n / 2] = '\0';
	return (long)(n / 2);
}

enum interp_str interp_classify(const char *s, const char **ret_start,
				size_t *ret_len)
{
	size_t n;

	if (!s || !*s || strcmp(s, "(null)") == 0)
		return INTERP_STR_NULL;
	n = strlen(s);
	if (s[0] == '"') {
		/* The kernel never puts '"' inside a quoted value (such a
		 * string is hex-encoded), so the last byte closes it. */
		if (n < 2 || s[n - 1] != '"')
			return INTERP_STR_BAD;
		*ret_start = s + 1;
		*ret_len = n - 2;
		return INTERP_STR_QUOTED;
	}
	if (n % 2)
		return INTERP_STR_BAD;
	*ret_start = s;
	*ret_len = n;
	return INTERP_STR_HEX;
}

/* Append the components of src to the normalised path out[0..len). For an
 * absolute path out holds "" for "/" and "/a/b" otherwise. */
static size_t norm_append(char *out, size_t len, bool abs, const char *src)
{
	const char *p = src, *q;
	size_t clen;

	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		for (q = p; *q && *q != '/'; q++)
			;
		clen = (size_t)(q - p);
		if (clen == 1 && p[0] == '.') {
			/* nothing */
		} else if (clen == 2 && p[0] == '.' && p[1] == '.') {
			bool last_dotdot = len >= 2 && out[len - 1] == '.' &&
					   out[len - 2] == '.' &&
					   (len == 2 || out[len - 3] == '/');
			if (!abs && (len == 0 || last_dotdot)) {
				if (len > 0)
					out[len++] = '/';
				out[len++] = '.';
				out[len++] = '.';
			} else {
				while (len > 0 && out[len - 1] != '/')
					len--;
				if (len > 0)
					len--;
			}
		} else {
			if (abs || len > 0)
				out[len++] = '/';
			memcpy(out + len, p, clen);
			len += clen;
		}
		p = q;
	}
	return len;
}

size_t interp_path_normalise(const char *cwd, const char *name, char *out)
{
	bool abs = name[0] == '/';
	size_t len = 0;

	if (!abs && cwd && cwd[0] == '/') {
		abs = true;
		len = norm_append(out, 0, true, cwd);
	}
	len = norm_append(out, len, abs, name);
	if (len == 0)
		out[len++] = abs ? '/' : '.';
	out[len] = '\0';
	return len;
}

int interp_sockaddr(const unsigned char *b, size_t n, struct event_sockaddr *sa,
		    char *path)
{
	uint16_t fam;
	struct in_addr a4;
	struct in6_addr a6;
	size_t i, start;

	if (n < sizeof(fam))
		return -EINVAL;
	/* sa_family is copied from the caller's struct in host order. */
	memcpy(&fam, b, sizeof(fam));
	memset(sa, 0, sizeof(*sa));
	sa->raw_family = fam;
	switch (fam) {
	case AF_INET:
		if (n < 8)
			return -EINVAL;
		sa->family = EVENT_SOCK_INET;
		sa->port = (uint16_t)(b[2] << 8 | b[3]);
		memcpy(&a4, b + 4, sizeof(a4));
		if (!inet_ntop(AF_INET, &a4, sa->addr, sizeof(sa->addr)))
			return -EINVAL;
		break;
	case AF_INET6:
		if (n < 24)
			return -EINVAL;
		sa->family = EVENT_SOCK_INET6;
		sa->port = (uint16_t)(b[2] << 8 | b[3]);
		memcpy(&a6, b + 8, sizeof(a6));
		if (!inet_ntop(AF_INET6, &a6, sa->addr, sizeof(sa->addr)))
			return -EINVAL;
		break;
	case AF_UNIX:
		sa->family = EVENT_SOCK_UNIX;
		if (n <= 2)
			break; /* unnamed socket */
		i = 0;
		start = 2;
		if (b[2] == '\0') {
			/* Abstract namespace: shown as "@name", as ss and
			 * Falco do. The name ends at addrlen; stop at an
			 * embedded NUL so it stays a C string. */
			path[i++] = '@';
			start = 3;
		}
		for (; start < n && b[start] != '\0'; start++)
			path[i++] = (char)b[start];
		path[i] = '\0';
		sa->path = path;
		break;
	case AF_NETLINK:
		sa->family = EVENT_SOCK_NETLINK;
		break;
	default:
		sa->family = EVENT_SOCK_OTHER;
		break;
	}
	return 0;
}
