#!/usr/bin/env python3
"""A small, real SMTP server for integration tests, built on aiosmtpd.

Usage:
  python3 tests/smtp/server.py --port PORT --out DIR [--host 127.0.0.1]
      [--starttls CERT_DIR | --tls CERT_DIR] [--auth USER:PASS]
      [--fail-first N] [--reject-rcpt ADDR]... [--exit-on-stdin-eof] [--verbose]

Prints exactly one line "READY <port>" on stdout once it is listening.
See tests/smtp/README.md for the file formats written to DIR.

Needs only the standard library, aiosmtpd (python3 -m pip install aiosmtpd)
and, for --starttls/--tls, the `openssl` command line tool.
"""

import argparse
import asyncio
import fcntl
import json
import logging
import os
import random
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import warnings

try:
    from aiosmtpd.smtp import MISSING, SMTP, AuthResult, TLSSetupException
except ImportError:  # pragma: no cover
    sys.stderr.write(
        "server.py: aiosmtpd is not installed; run: python3 -m pip install aiosmtpd\n"
    )
    sys.exit(2)

log = logging.getLogger("smtp-test-server")

DATA_SIZE_LIMIT = 50 * 1024 * 1024  # 50 MiB
SERVER_HOSTNAME = "localhost"  # avoids socket.getfqdn() (a DNS lookup) per connection

OPENSSL_CONFIG = """\
[req]
distinguished_name = dn
x509_extensions = v3_leaf
prompt = no

[dn]
CN = localhost

[v3_leaf]
subjectAltName = DNS:localhost,IP:127.0.0.1
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
"""


# --------------------------------------------------------------------------
# Certificate
# --------------------------------------------------------------------------

def ensure_certificate(cert_dir):
    """Create CERT_DIR/cert.pem + key.pem (self-signed, CN=localhost) once.

    Safe against several servers starting at the same time with the same
    CERT_DIR: generation happens under an flock, in a temporary directory,
    and cert.pem (the marker) is renamed into place last.
    """
    os.makedirs(cert_dir, exist_ok=True)
    cert = os.path.join(cert_dir, "cert.pem")
    key = os.path.join(cert_dir, "key.pem")
    with open(os.path.join(cert_dir, ".cert.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if os.path.exists(cert):
                if not os.path.exists(key):
                    raise SystemExit(f"server.py: {cert} exists but {key} is missing")
                return cert, key
            openssl = shutil.which("openssl")
            if openssl is None:
                raise SystemExit("server.py: the `openssl` command is needed for TLS")
            tmp = tempfile.mkdtemp(prefix=".certgen-", dir=cert_dir)
            try:
                cfg = os.path.join(tmp, "openssl.cnf")
                with open(cfg, "w") as f:
                    f.write(OPENSSL_CONFIG)
                tmp_cert = os.path.join(tmp, "cert.pem")
                tmp_key = os.path.join(tmp, "key.pem")
                proc = subprocess.run(
                    [openssl, "req", "-x509", "-config", cfg,
                     "-newkey", "rsa:2048", "-nodes", "-sha256",
                     "-days", "3650",
                     "-keyout", tmp_key, "-out", tmp_cert],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                )
                if proc.returncode != 0:
                    raise SystemExit(
                        "server.py: openssl failed:\n"
                        + proc.stdout.decode("utf-8", "replace")
                    )
                os.replace(tmp_key, key)
                os.replace(tmp_cert, cert)  # cert.pem last: it marks "done"
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            return cert, key
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def server_ssl_context(cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


# --------------------------------------------------------------------------
# Output files
# --------------------------------------------------------------------------

_CTRL = re.compile(r"[\x00-\x1f\x7f]")
_AUTH_LINE = re.compile(rb"^\s*AUTH(?=\s|$)(\s+\S+)?", re.IGNORECASE)


def _printable(line_bytes):
    text = line_bytes.decode("utf-8", "backslashreplace")
    return _CTRL.sub(lambda m: "\\x%02x" % ord(m.group()), text)


class Outbox:
    """Writes NNNN.eml, envelopes.jsonl and commands.log into one directory."""

    def __init__(self, out_dir):
        self.dir = out_dir
        os.makedirs(out_dir, exist_ok=True)
        # Continue numbering after files left by an earlier run; never overwrite.
        existing = [int(m.group(1)) for m in
                    (re.fullmatch(r"(\d+)\.eml", n) for n in os.listdir(out_dir)) if m]
        self.seq = max(existing, default=0)
        self.envelopes = open(os.path.join(out_dir, "envelopes.jsonl"), "a", encoding="utf-8")
        self.commands = open(os.path.join(out_dir, "commands.log"), "a", encoding="utf-8")

    def log_command(self, raw_line):
        line = raw_line.rstrip(b"\r\n")
        m = _AUTH_LINE.match(line)
        if m:
            line = m.group(0).strip()  # mechanism only, never credentials
        self.commands.write(_printable(line) + "\n")
        self.commands.flush()

    def log_note(self, text):
        self.commands.write(text + "\n")
        self.commands.flush()

    def store(self, content, record):
        """Atomically write one message, then append its envelope record."""
        self.seq += 1
        name = "%04d.eml" % self.seq
        tmp = os.path.join(self.dir, ".%s.tmp" % name)
        with open(tmp, "wb") as f:
            f.write(content)
        os.replace(tmp, os.path.join(self.dir, name))
        record = dict(file=name, **record)
        self.envelopes.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.envelopes.flush()
        return name

    def close(self):
        for f in (self.envelopes, self.commands):
            try:
                f.close()
            except Exception:
                pass


# --------------------------------------------------------------------------
# SMTP
# --------------------------------------------------------------------------

def _peer_str(peer):
    if isinstance(peer, (tuple, list)) and len(peer) >= 2:
        host, port = peer[0], peer[1]
        if ":" in str(host):
            return "[%s]:%s" % (host, port)
        return "%s:%s" % (host, port)
    return str(peer)


class RecordingSMTP(SMTP):
    """aiosmtpd's SMTP, plus a log of every command line it reads.

    aiosmtpd reads command lines with self._reader.readuntil(); the same reader
    also serves the DATA body and AUTH continuation lines.  We wrap readuntil on
    the connection's reader and log lines only while no DATA/AUTH command is
    running, so commands.log holds exactly the lines read in command state
    (including ones aiosmtpd rejects, e.g. unknown commands or commands sent
    before STARTTLS).
    """

    def __init__(self, handler, *, outbox, live, **kwargs):
        super().__init__(handler, **kwargs)
        self._rec_outbox = outbox
        self._rec_live = live
        self._rec_phase = None
        self._rec_overlong = False
        for name in ("DATA", "AUTH"):
            method = self._smtp_methods.get(name)
            if method is not None:
                self._smtp_methods[name] = self._rec_phase_wrap(name, method)

    def _rec_phase_wrap(self, name, method):
        async def wrapped(arg):
            self._rec_phase = name
            try:
                return await method(arg)
            finally:
                self._rec_phase = None
        return wrapped

    def _cb_client_connected(self, reader, writer):
        super()._cb_client_connected(reader, writer)
        original = reader.readuntil
        proto = self

        async def readuntil(separator=b"\n"):
            try:
                line = await original(separator)
            except asyncio.LimitOverrunError:
                if proto._rec_phase is None and not proto._rec_overlong:
                    proto._rec_overlong = True
                    proto._rec_outbox.log_note("<overlong command line discarded>")
                raise
            if proto._rec_phase is None:
                if proto._rec_overlong:
                    proto._rec_overlong = False  # tail of the discarded line
                else:
                    proto._rec_outbox.log_command(line)
            return line

        reader.readuntil = readuntil

    def connection_made(self, transport):
        self._rec_live.add(self)
        super().connection_made(transport)

    def connection_lost(self, error):
        self._rec_live.discard(self)
        super().connection_lost(error)


class Handler:
    # NB: aiosmtpd treats every handler attribute named handle_* as a hook and
    # every auth_* attribute as an AUTH mechanism: keep other names distinct.

    def __init__(self, outbox, credentials, fail_first, reject_rcpts, delay_ms=0, fail_rate=0.0):
        self.delay = delay_ms / 1000.0
        self.fail_rate = fail_rate
        self.rng = random.Random(2026)
        self.slow = asyncio.Lock()
        self.outbox = outbox
        self.credentials = credentials  # (user, password) or None
        self.fail_remaining = fail_first
        self.reject_rcpts = {a.lower() for a in reject_rcpts}

    async def handle_exception(self, error):
        # Replaces aiosmtpd's default (a full traceback on stderr for every
        # failed TLS handshake, e.g. a client that rejects the certificate).
        if isinstance(error, TLSSetupException):
            cause = error.__cause__ or error
            log.info("TLS handshake failed: %s: %s", type(cause).__name__, cause)
        else:
            log.error("SMTP session exception", exc_info=error)
        return "500 Error: (%s) %s" % (error.__class__.__name__, error)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.credentials is None:
            responses = [r for r in responses if not r[4:].upper().startswith("AUTH")]
        return responses

    async def handle_AUTH(self, server, session, envelope, args):
        if self.credentials is None:
            return "502 5.5.1 AUTH not supported"
        return MISSING

    def authenticator(self, server, session, envelope, mechanism, auth_data):
        user, password = self.credentials
        login = getattr(auth_data, "login", None)
        pw = getattr(auth_data, "password", None)
        if login == user.encode("utf-8") and pw == password.encode("utf-8"):
            return AuthResult(success=True, auth_data=user)
        return AuthResult(success=False, handled=False)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject_rcpts:
            return "550 5.1.1 No such user"
        if self.delay:
            # A slow server answers each recipient late; a client killed
            # meanwhile has not sent the message. (The window after the data's
            # final dot, where a kill can still cause a duplicate, RFC 1047,
            # stays as short as on a real server.) One recipient at a time, so
            # messages complete one after another.
            async with self.slow:
                await asyncio.sleep(self.delay)
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.fail_remaining > 0:
            self.fail_remaining -= 1
            return "451 4.3.0 Temporary failure"
        if self.fail_rate and self.rng.random() < self.fail_rate:
            return "451 4.3.0 Temporary failure (random)"
        content = envelope.original_content
        if content is None:
            content = envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        transport = server.transport
        tls = bool(
            (transport is not None and transport.get_extra_info("ssl_object") is not None)
            or session.ssl
        )
        auth_user = session.auth_data if session.authenticated else None
        if auth_user is not None and not isinstance(auth_user, str):
            auth_user = str(auth_user)
        self.outbox.store(content, {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "auth_user": auth_user,
            "tls": tls,
            "peer": _peer_str(session.peer),
            "helo": session.host_name,
            "mail_options": list(envelope.mail_options),
            "rcpt_options": list(envelope.rcpt_options),
            "size": len(content),
        })
        return "250 2.0.0 OK"


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def parse_args(argv):
    p = argparse.ArgumentParser(description="SMTP server for integration tests (aiosmtpd).")
    p.add_argument("--port", type=int, required=True, help="port to listen on; 0 = any free port")
    p.add_argument("--out", required=True, help="directory for NNNN.eml, envelopes.jsonl, commands.log")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    tls = p.add_mutually_exclusive_group()
    tls.add_argument("--starttls", metavar="CERT_DIR",
                     help="offer and require STARTTLS (cert made in CERT_DIR if absent)")
    tls.add_argument("--tls", metavar="CERT_DIR",
                     help="implicit TLS on connect (SMTPS) (cert made in CERT_DIR if absent)")
    p.add_argument("--auth", metavar="USER:PASS",
                   help="require AUTH PLAIN/LOGIN with these credentials before MAIL")
    p.add_argument("--fail-first", type=int, default=0, metavar="N",
                   help="answer the first N DATA transactions with 451 4.3.0")
    p.add_argument("--fail-rate", type=float, default=0.0, metavar="P",
                   help="refuse this share of messages at random with 451 (seeded)")
    p.add_argument("--delay-ms", type=int, default=0, metavar="MS",
                   help="accept recipients one at a time, each after this long")
    p.add_argument("--reject-rcpt", action="append", default=[], metavar="ADDR",
                   help="answer RCPT TO for ADDR with 550 5.1.1 (repeatable)")
    p.add_argument("--exit-on-stdin-eof", action="store_true",
                   help="also exit when stdin reaches EOF (parent died / closed the pipe)")
    p.add_argument("--verbose", action="store_true", help="log aiosmtpd activity to stderr")
    args = p.parse_args(argv)
    if args.auth is not None and ":" not in args.auth:
        p.error("--auth needs USER:PASS")
    if args.fail_first < 0:
        p.error("--fail-first must be >= 0")
    return args


async def serve(args):
    loop = asyncio.get_running_loop()
    outbox = Outbox(args.out)

    credentials = None
    if args.auth is not None:
        user, _, password = args.auth.partition(":")
        credentials = (user, password)

    cert_dir = args.starttls or args.tls
    ctx = server_ssl_context(*ensure_certificate(cert_dir)) if cert_dir else None

    handler = Handler(outbox, credentials, args.fail_first, args.reject_rcpt, args.delay_ms, args.fail_rate)
    live = set()
    smtp_kwargs = dict(
        outbox=outbox,
        live=live,
        data_size_limit=DATA_SIZE_LIMIT,
        enable_SMTPUTF8=True,
        decode_data=False,
        hostname=SERVER_HOSTNAME,
        auth_required=credentials is not None,
        # With STARTTLS, AUTH only after the upgrade.  With implicit TLS the
        # connection is already encrypted (aiosmtpd only knows about STARTTLS,
        # so the check must be off); plain + --auth is allowed for tests.
        auth_require_tls=bool(args.starttls),
        authenticator=handler.authenticator if credentials is not None else None,
        loop=loop,
    )
    if args.starttls:
        smtp_kwargs.update(tls_context=ctx, require_starttls=True)

    def factory():
        return RecordingSMTP(handler, **smtp_kwargs)

    server = await loop.create_server(
        factory, host=args.host, port=args.port,
        ssl=ctx if args.tls else None, reuse_address=True,
    )
    port = server.sockets[0].getsockname()[1]

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if args.exit_on_stdin_eof:
        def watch_stdin():
            try:
                while sys.stdin.buffer.read(65536):
                    pass
            except Exception:
                pass
            loop.call_soon_threadsafe(stop.set)
        threading.Thread(target=watch_stdin, daemon=True).start()

    sys.stdout.write("READY %d\n" % port)
    sys.stdout.flush()

    try:
        await stop.wait()
    finally:
        server.close()
        for proto in list(live):
            transport = proto.transport
            if transport is not None:
                transport.close()
        try:
            await asyncio.wait_for(server.wait_closed(), 2)
        except (asyncio.TimeoutError, Exception):
            pass
        outbox.close()


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.verbose:
        logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                            format="%(asctime)s %(name)s %(levelname)s %(message)s")
    else:
        # Keep stderr quiet (a test harness may pipe it without reading it).
        logging.getLogger("mail.log").setLevel(logging.ERROR)
        warnings.simplefilter("ignore")
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
