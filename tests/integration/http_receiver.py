#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# A small HTTP receiver for the http_output tests, on 127.0.0.1 and a port
# the kernel picks (written to DIR/port). Every POST body is checked: each
# document (one, or JSON lines) must be JSON in Falco's shape; gzip
# bodies are unpacked. Good documents go to DIR/received.jsonl, one per
# line; anything malformed to DIR/bad. DIR/mode, read at each request,
# says how to answer: "ok", "500", "400", "slow SECONDS" (then ok).
# Being down is being stopped (the test kills it and starts it again on
# the same port: argv[2]). TLS with RECV_TLS_CERT and RECV_TLS_KEY set,
# client certificates required (signed by it) with RECV_CLIENT_CA.
import gzip
import json
import os
import ssl
import sys
import time
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DIR = sys.argv[1]
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 0
KEYS = {"hostname", "output", "output_fields", "priority", "rule", "source",
        "tags", "time"}


def mode():
    try:
        with open(os.path.join(DIR, "mode")) as f:
            return f.read().split()
    except OSError:
        return ["ok"]


LOCK = threading.Lock()


def note(name, text):
    with LOCK, open(os.path.join(DIR, name), "a") as f:
        f.write(text + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, code):
        body = b'{"status":"%d"}' % code
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        note("conns", str(self.client_address[1]))
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        m = mode()
        if m[0] == "slow":
            time.sleep(float(m[1]))
        elif m[0] in ("500", "400"):
            note("refused", str(n))
            self.answer(int(m[0]))
            return
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
            note("gzip", "1")
        ctype = self.headers.get("Content-Type", "")
        note("agents", self.headers.get("User-Agent", ""))
        docs = body.decode().splitlines() if "ndjson" in ctype else [body.decode()]
        for d in docs:
            try:
                j = json.loads(d)
                ok = (set(j) == KEYS and isinstance(j["output_fields"], dict)
                      and isinstance(j["output_fields"].get("evt.time"), int)
                      and "container.id" in j["output_fields"])
            except ValueError:
                ok = False
            note("received.jsonl" if ok else "bad", d)
        note("requests", "%d %s" % (len(docs), ctype))
        self.answer(200)


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer.allow_reuse_address = True
srv = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
if os.environ.get("RECV_TLS_CERT"):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.environ["RECV_TLS_CERT"], os.environ["RECV_TLS_KEY"])
    if os.environ.get("RECV_CLIENT_CA"):
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(os.environ["RECV_CLIENT_CA"])
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(os.path.join(DIR, "port.tmp"), "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
srv.serve_forever()
