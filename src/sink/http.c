/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The http backend of outq: one curl easy handle, used by the output's
 * thread only. Bodies are built here (one document, or lines joined with
 * newlines) and gzipped when asked.
 */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/limits.h"
#include "common/strbuf.h"
#include "sink/http.h"
#include "sink/outq.h"

struct http {
	CURL *curl;
	struct curl_slist *headers;
	char *url;
	bool ndjson, compress, echo;
	unsigned int max_timeouts;
	unsigned int timeouts; /* in a row, for the batch at the head */
	struct strbuf body;
	unsigned char *gz;
	size_t gzcap;
	char errbuf[CURL_ERROR_SIZE];
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_setup(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t discard(void *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

/* echo: the answer on stdout, as Falco's echo does (escaped: it is the
 * receiver's text). */
static size_t echo_out(void *p, size_t size, size_t n, void *ud)
{
	struct strbuf sb = STRBUF_INIT;

	(void)ud;
	strbuf_append_escaped(&sb, p, size * n);
	strbuf_appendc(&sb, '\n');
	if (!strbuf_failed(&sb))
		(void)fwrite(sb.buf, 1, sb.len, stdout);
	(void)fflush(stdout);
	strbuf_free(&sb);
	return size * n;
}

static int gzip_body(struct http *h, const char *in, size_t len,
		     size_t *ret_len)
{
	z_stream z;
	size_t need = compressBound((uLong)len) + 32;
	unsigned char *p;
	int rc;

	if (need > h->gzcap) {
		p = realloc(h->gz, need);
		if (!p)
			return -ENOMEM;
		h->gz = p;
		h->gzcap = need;
	}
	memset(&z, 0, sizeof(z));
	/* 16 + 15: a gzip header, not zlib's */
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + 15, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	z.next_in = (unsigned char *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = h->gz;
	z.avail_out = (uInt)h->gzcap;
	rc = deflate(&z, Z_FINISH);
	*ret_len = h->gzcap - z.avail_out;
	(void)deflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -EIO;
}

static enum outq_result http_deliver(void *ctx, char *const *lines,
				     const size_t *lens, unsigned int n,
				     char *why, size_t whylen)
{
	struct http *h = ctx;
	const char *body;
	size_t len, i;
	long code = 0;
	CURLcode rc;

	strbuf_reset(&h->body);
	if (!h->ndjson) {
		/* one document per request (the outq batch is 1) */
		strbuf_append(&h->body, lines[0], lens[0]);
	} else {
		for (i = 0; i < n; i++) {
			strbuf_append(&h->body, lines[i], lens[i]);
			strbuf_appendc(&h->body, '\n');
		}
	}
	if (strbuf_failed(&h->body)) {
		(void)snprintf(why, whylen, "out of memory");
		return OUTQ_RETRY;
	}
	body = h->body.buf;
	len = h->body.len;
	if (h->compress) {
		if (gzip_body(h, h->body.buf, h->body.len, &len) < 0) {
			(void)snprintf(why, whylen, "cannot compress");
			return OUTQ_RETRY;
		}
		body = (const char *)h->gz;
	}
	(void)curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body);
	(void)curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE,
			       (curl_off_t)len);
	h->errbuf[0] = '\0';
	rc = curl_easy_perform(h->curl);
	if (rc == CURLE_OK)
		(void)curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &code);
	if (rc == CURLE_OPERATION_TIMEDOUT &&
	    ++h->timeouts > h->max_timeouts) {
		/* Falco's max_consecutive_timeouts: past it, this batch is
		 * given up so that one slow receiver answer does not hold
		 * everything behind it forever */
		h->timeouts = 0;
		(void)snprintf(why, whylen,
			       "%s: timed out %u times in a row: given up",
			       h->url, h->max_timeouts + 1);
		return OUTQ_REJECTED;
	}
	if (rc != CURLE_OK) {
		(void)snprintf(why, whylen, "%s: %s", h->url,
			       h->errbuf[0] ? h->errbuf :
					      curl_easy_strerror(rc));
		return OUTQ_RETRY;
	}
	h->timeouts = 0;
	if (code >= 200 && code < 300)
		return OUTQ_SENT;
	(void)snprintf(why, whylen, "%s answered HTTP %ld", h->url, code);
	if (code == 408 || code == 429 || code >= 500)
		return OUTQ_RETRY;
	return OUTQ_REJECTED;
}

static void http_free(void *ctx)
{
	struct http *h = ctx;

	if (!h)
		return;
	if (h->curl)
		curl_easy_cleanup(h->curl);
	curl_slist_free_all(h->headers);
	strbuf_free(&h->body);
	free(h->gz);
	free(h->url);
	free(h);
}

static const struct outq_backend http_backend = {
	.name = "http",
	.deliver = http_deliver,
	.reopen = NULL,
	.free = http_free,
};

#define SETOPT(opt, val)                                                      \
	do {                                                                  \
		if (rc == CURLE_OK)                                           \
			rc = curl_easy_setopt(h->curl, opt, val);             \
	} while (0)

struct sink *http_sink_new(const struct http_options *o, char **ret_err)
{
	struct outq_options qo;
	struct http *h;
	CURLcode rc = CURLE_OK;

	if (!o->url || !*o->url) {
		err_set(ret_err, "http_output: no url");
		return NULL;
	}
	(void)pthread_once(&curl_once, curl_setup);
	if (curl_init_rc != CURLE_OK) {
		err_set(ret_err, "http_output: libcurl: %s",
			curl_easy_strerror(curl_init_rc));
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		err_set(ret_err, "out of memory");
		return NULL;
	}
	strbuf_init(&h->body);
	h->ndjson = o->max_batch > 1;
	h->compress = o->compress_uploads;
	h->echo = o->echo;
	h->max_timeouts = o->max_consecutive_timeouts;
	h->url = strdup(o->url);
	h->curl = curl_easy_init();
	h->headers = curl_slist_append(
		NULL, h->ndjson ? "Content-Type: application/x-ndjson" :
				  "Content-Type: application/json");
	if (h->headers && o->compress_uploads)
		h->headers = curl_slist_append(h->headers,
					       "Content-Encoding: gzip");
	/* no "Expect: 100-continue" round trip for larger batches */
	if (h->headers)
		h->headers = curl_slist_append(h->headers, "Expect:");
	if (!h->url || !h->curl || !h->headers) {
		err_set(ret_err, "out of memory");
		http_free(h);
		return NULL;
	}
	SETOPT(CURLOPT_URL, h->url);
	SETOPT(CURLOPT_HTTPHEADER, h->headers);
	SETOPT(CURLOPT_POST, 1L);
	SETOPT(CURLOPT_ERRORBUFFER, h->errbuf);
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	SETOPT(CURLOPT_TIMEOUT_MS, (long)o->timeout_ms);
	SETOPT(CURLOPT_CONNECTTIMEOUT_MS, (long)o->timeout_ms);
	/* alerts are not sent on to wherever a redirect points */
	SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
#else
	SETOPT(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	if (o->user_agent)
		SETOPT(CURLOPT_USERAGENT, o->user_agent);
	if (o->insecure) {
		SETOPT(CURLOPT_SSL_VERIFYPEER, 0L);
		SETOPT(CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (o->mtls) {
		SETOPT(CURLOPT_SSLCERT, o->client_cert);
		SETOPT(CURLOPT_SSLKEY, o->client_key);
	}
	if (o->ca_cert)
		SETOPT(CURLOPT_CAINFO, o->ca_cert);
	else if (o->ca_bundle)
		SETOPT(CURLOPT_CAINFO, o->ca_bundle);
	else if (o->ca_path)
		SETOPT(CURLOPT_CAPATH, o->ca_path);
	if (o->keep_alive)
		SETOPT(CURLOPT_TCP_KEEPALIVE, 1L);
	else
		SETOPT(CURLOPT_FORBID_REUSE, 1L);
	if (o->echo)
		SETOPT(CURLOPT_WRITEFUNCTION, echo_out);
	else
		SETOPT(CURLOPT_WRITEFUNCTION, discard);
	if (rc != CURLE_OK && rc != CURLE_NOT_BUILT_IN) {
		err_set(ret_err, "http_output: libcurl: %s",
			curl_easy_strerror(rc));
		http_free(h);
		return NULL;
	}
	memset(&qo, 0, sizeof(qo));
	qo.queue_max = o->queue_max ? o->queue_max : HARRIER_OUTPUT_QUEUE_MAX;
	qo.max_batch = o->max_batch ? o->max_batch : 1;
	qo.json = true;
	qo.retry_min_ms = HARRIER_OUTPUT_RETRY_MIN_MS;
	qo.retry_max_ms = HARRIER_OUTPUT_RETRY_MAX_MS;
	return outq_sink_new(&http_backend, h, &qo);
}
