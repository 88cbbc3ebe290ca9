#!/usr/bin/env python3
"""End-to-end self-test of tests/smtp/server.py with Python's smtplib.

Run:  python3 tests/smtp/selftest.py     (exit status 0 = all checks passed)

Each case starts server.py as a subprocess on port 0, reads its READY line,
talks to it with smtplib (or a raw socket), stops it with SIGTERM and checks
the files it wrote.
"""

import json
import os
import select
import shutil
import signal
import smtplib
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "server.py")
TIMEOUT = 15


class Server:
    """server.py as a subprocess: `with Server(tmp, "--auth", "u:p") as s: s.port`."""

    def __init__(self, tmp, *extra, name="out", stdin=subprocess.DEVNULL):
        self.out = os.path.join(tmp, name)
        self.argv = [sys.executable, SERVER, "--port", "0", "--out", self.out, *extra]
        self.stdin = stdin
        self.proc = None
        self.port = None

    def start(self):
        self.proc = subprocess.Popen(self.argv, stdin=self.stdin, stdout=subprocess.PIPE)
        deadline = time.monotonic() + TIMEOUT
        buf = b""
        fd = self.proc.stdout.fileno()
        while b"\n" not in buf:
            left = deadline - time.monotonic()
            if left <= 0:
                self.kill()
                raise AssertionError("server did not print READY in time")
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 4096)
                if not chunk:
                    self.proc.wait(5)
                    raise AssertionError("server exited early (rc=%s), stdout=%r"
                                         % (self.proc.returncode, buf))
                buf += chunk
        line, _, rest = buf.partition(b"\n")
        assert line.startswith(b"READY "), "first line is not READY: %r" % line
        assert rest == b"", "unexpected extra stdout: %r" % rest
        self.port = int(line.split()[1])
        assert 0 < self.port < 65536
        return self

    def stop(self):
        """SIGTERM; the server must exit 0 promptly and print nothing more."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(TIMEOUT)
        tail = self.proc.stdout.read()
        self.proc.stdout.close()
        assert rc == 0, "server exit status %r after SIGTERM" % rc
        assert tail == b"", "unexpected stdout after READY: %r" % tail

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.stop()
        else:
            self.kill()

    # ---- output files -------------------------------------------------
    def envelopes(self):
        path = os.path.join(self.out, "envelopes.jsonl")
        if not os.path.exists(path):
            return []
        with open(path, encoding="utf-8") as f:
            return [json.loads(line) for line in f]

    def commands(self):
        path = os.path.join(self.out, "commands.log")
        if not os.path.exists(path):
            return []
        with open(path, encoding="utf-8") as f:
            return f.read().splitlines()

    def eml(self, name):
        with open(os.path.join(self.out, name), "rb") as f:
            return f.read()

    def eml_files(self):
        return sorted(n for n in os.listdir(self.out) if n.endswith(".eml"))


def message(subject, body="Hello.\r\n", frm="sender@example.com", to="rcpt@example.com"):
    return ("From: <%s>\r\nTo: <%s>\r\nSubject: %s\r\n"
            "Message-ID: <%s@example.com>\r\n\r\n%s" % (frm, to, subject, subject.replace(" ", "."), body)
            ).encode("utf-8")


def client_ctx(cert_dir):
    return ssl.create_default_context(cafile=os.path.join(cert_dir, "cert.pem"))


def expect_smtp_error(exc_type, code, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except exc_type as e:
        got = getattr(e, "smtp_code", None)
        assert got == code, "expected %s %s, got %r" % (exc_type.__name__, code, e)
        return e
    raise AssertionError("expected %s %s, but the call succeeded" % (exc_type.__name__, code))


def lower(lines):
    return [line.lower() for line in lines]


def assert_eq(got, want, what=""):
    assert got == want, "%s: got %r, want %r" % (what, got, want)


# --------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------

def case_plain_send(tmp):
    body = ("Line one.\r\n"
            ".leading dot (dot-stuffed on the wire)\r\n"
            "RCPT TO:<evil@example.com>\r\n"
            "..two dots\r\n"
            "8bit: gr\u00fc\u00dfe\r\n")
    msg = message("plain send", body)
    with Server(tmp) as s:
        with smtplib.SMTP("127.0.0.1", s.port, timeout=TIMEOUT) as c:
            code, resp = c.ehlo("client.example")
            assert_eq(code, 250, "EHLO")
            feats = resp.decode().upper()
            for f in ("SIZE 52428800", "8BITMIME", "SMTPUTF8"):
                assert f in feats, "EHLO lacks %s: %s" % (f, feats)
            assert "AUTH" not in feats, "AUTH offered without --auth"
            assert "STARTTLS" not in feats, "STARTTLS offered without --starttls"
            code, resp = c.docmd("AUTH", "PLAIN AHUAcA==")
            assert_eq(code, 502, "AUTH without --auth")
            refused = c.sendmail("sender@example.com", ["rcpt@example.com", "cc@example.com"], msg)
            assert_eq(refused, {}, "refused")
        assert_eq(s.eml_files(), ["0001.eml"], "files")
        assert_eq(s.eml("0001.eml"), msg, "0001.eml bytes")
        env = s.envelopes()
        assert_eq(len(env), 1, "envelope count")
        e = env[0]
        assert_eq(e["file"], "0001.eml", "file")
        assert_eq(e["mail_from"], "sender@example.com", "mail_from")
        assert_eq(e["rcpt_tos"], ["rcpt@example.com", "cc@example.com"], "rcpt_tos")
        assert_eq(e["auth_user"], None, "auth_user")
        assert_eq(e["tls"], False, "tls")
        assert e["peer"].startswith("127.0.0.1:") and e["peer"].split(":")[1].isdigit(), e["peer"]
        cmds = s.commands()
        # (smtplib's command case differs between Python versions: compare lower-cased)
        assert_eq(lower(cmds), [
            "ehlo client.example",
            "auth plain",
            "mail from:<sender@example.com> size=%d" % len(msg),
            "rcpt to:<rcpt@example.com>",
            "rcpt to:<cc@example.com>",
            "data",
            "quit",
        ], "commands.log")
        assert not any("evil" in c for c in cmds), "body line leaked into commands.log"
    # The output dir survives the server; a second server continues numbering.
    with Server(tmp) as s:
        with smtplib.SMTP("127.0.0.1", s.port, timeout=TIMEOUT) as c:
            c.sendmail("a@example.com", ["b@example.com"], message("second run"))
        assert_eq(s.eml_files(), ["0001.eml", "0002.eml"], "files after second run")
        assert_eq([e["file"] for e in s.envelopes()], ["0001.eml", "0002.eml"], "envelopes")


def case_smtputf8_and_size(tmp):
    big = ("A" * 76 + "\r\n") * (2 * 1024 * 1024 // 78)  # ~2 MiB body
    msg = message("utf8 and size", big, frm="j\u00f6rg@example.com", to="\u00e9l\u00e8ve@example.com")
    with Server(tmp) as s:
        with smtplib.SMTP("127.0.0.1", s.port, timeout=TIMEOUT) as c:
            c.sendmail("j\u00f6rg@example.com", ["\u00e9l\u00e8ve@example.com"], msg,
                       mail_options=["SMTPUTF8"])
            # SIZE beyond 50 MiB is refused at MAIL.
            c.ehlo_or_helo_if_needed()
            code, _ = c.mail("x@example.com", ["SIZE=%d" % (50 * 1024 * 1024 + 1)])
            assert_eq(code, 552, "MAIL with SIZE over the limit")
            c.rset()
        e = s.envelopes()[0]
        assert_eq(e["mail_from"], "j\u00f6rg@example.com", "utf8 mail_from")
        assert_eq(e["rcpt_tos"], ["\u00e9l\u00e8ve@example.com"], "utf8 rcpt_tos")
        assert "SMTPUTF8" in e["mail_options"], e
        assert_eq(e["size"], len(msg), "size")
        assert_eq(s.eml("0001.eml"), msg, "2 MiB message bytes")
        cmds = lower(s.commands())
        assert any(c.startswith("mail from:<j\u00f6rg@example.com>") and "smtputf8" in c
                   for c in cmds), cmds


def case_starttls_auth(tmp):
    certs = os.path.join(tmp, "certs")
    with Server(tmp, "--starttls", certs, "--auth", "alice:s3cret") as s:
        for f in ("cert.pem", "key.pem"):
            assert os.path.exists(os.path.join(certs, f)), f
        ctx = client_ctx(certs)
        msg = message("starttls auth")
        # Before STARTTLS: no AUTH offered; MAIL and AUTH refused with 530.
        with smtplib.SMTP("127.0.0.1", s.port, timeout=TIMEOUT) as c:
            code, resp = c.ehlo("pre.tls")
            feats = resp.decode().upper()
            assert "STARTTLS" in feats, feats
            assert "AUTH" not in feats, "AUTH offered before STARTTLS: " + feats
            code, resp = c.mail("x@example.com")
            assert_eq(code, 530, "MAIL before STARTTLS")
            code, resp = c.docmd("AUTH", "PLAIN AGFsaWNlAHMzY3JldA==")
            assert_eq(code, 530, "AUTH before STARTTLS")
            code, _ = c.starttls(context=ctx)
            assert_eq(code, 220, "STARTTLS")
            code, resp = c.ehlo("post.tls")
            feats = resp.decode().upper()
            assert "AUTH" in feats and "PLAIN" in feats and "LOGIN" in feats, feats
            assert "STARTTLS" not in feats, feats
            # After STARTTLS, still no MAIL before AUTH.
            code, resp = c.mail("x@example.com")
            assert_eq(code, 530, "MAIL before AUTH")
            # Wrong password.
            expect_smtp_error(smtplib.SMTPAuthenticationError, 535, c.login, "alice", "wrong")
            # AUTH PLAIN.
            c.user, c.password = "alice", "s3cret"
            code, resp = c.auth("PLAIN", c.auth_plain)
            assert_eq(code, 235, "AUTH PLAIN")
            c.sendmail("alice@example.com", ["bob@example.com"], msg)
        # AUTH LOGIN on a fresh connection, via hostname "localhost" (DNS SAN).
        with smtplib.SMTP("localhost", s.port, timeout=TIMEOUT) as c:
            c.starttls(context=ctx)
            c.ehlo("login.client")
            c.user, c.password = "alice", "s3cret"
            code, resp = c.auth("LOGIN", c.auth_login, initial_response_ok=False)
            assert_eq(code, 235, "AUTH LOGIN")
            c.sendmail("alice@example.com", ["carol@example.com"], message("login"))
        # A client that does not trust the cert fails the handshake.
        with smtplib.SMTP("127.0.0.1", s.port, timeout=TIMEOUT) as c:
            try:
                c.starttls(context=ssl.create_default_context())
                raise AssertionError("untrusted certificate was accepted")
            except ssl.SSLCertVerificationError:
                pass
        env = s.envelopes()
        assert_eq(len(env), 2, "envelope count")
        assert_eq([e["auth_user"] for e in env], ["alice", "alice"], "auth_user")
        assert_eq([e["tls"] for e in env], [True, True], "tls")
        assert_eq(env[0]["rcpt_tos"], ["bob@example.com"], "rcpt")
        assert_eq(env[1]["rcpt_tos"], ["carol@example.com"], "rcpt")
        assert_eq(s.eml("0001.eml"), msg, "eml")
        cmds = lower(s.commands())
        log = "\n".join(s.commands())
        assert "s3cret" not in log and "wrong" not in log, "password in commands.log"
        assert "AGFsaWNl" not in log, "AUTH initial response in commands.log"
        for want in ("ehlo pre.tls", "starttls", "ehlo post.tls", "auth plain",
                     "auth login", "mail from:<alice@example.com> size=%d" % len(msg),
                     "rcpt to:<bob@example.com>", "data", "quit"):
            assert want in cmds, "%r not in commands.log: %r" % (want, cmds)
        # The commands refused before STARTTLS are logged too.
        assert_eq(cmds[:3], ["ehlo pre.tls", "mail from:<x@example.com>", "auth plain"],
                  "first commands")
    # A second server reuses the existing certificate (not regenerated).
    before = open(os.path.join(certs, "cert.pem"), "rb").read()
    with Server(tmp, "--starttls", certs, name="out2"):
        pass
    assert_eq(open(os.path.join(certs, "cert.pem"), "rb").read(), before, "cert reused")


def case_implicit_tls(tmp):
    certs = os.path.join(tmp, "certs")
    with Server(tmp, "--tls", certs, "--auth", "bob:pw") as s:
        ctx = client_ctx(certs)
        with smtplib.SMTP_SSL("127.0.0.1", s.port, context=ctx, timeout=TIMEOUT) as c:
            code, resp = c.ehlo("tls.client")
            feats = resp.decode().upper()
            assert "STARTTLS" not in feats, feats
            assert "AUTH" in feats, feats
            code, _ = c.mail("x@example.com")
            assert_eq(code, 530, "MAIL before AUTH")
            c.login("bob", "pw")
            c.sendmail("bob@example.com", ["dave@example.com"], message("implicit tls"))
        # A plain-text client gets no SMTP greeting.
        with socket.create_connection(("127.0.0.1", s.port), timeout=TIMEOUT) as raw:
            raw.sendall(b"EHLO plain\r\n")
            try:
                data = raw.recv(100)
            except (ConnectionResetError, socket.timeout):
                data = b""
            assert not data.startswith(b"220"), data
        env = s.envelopes()
        assert_eq(len(env), 1, "envelopes")
        assert_eq(env[0]["tls"], True, "tls")
        assert_eq(env[0]["auth_user"], "bob", "auth_user")
    with Server(tmp, "--tls", certs, name="out2") as s:
        with smtplib.SMTP_SSL("127.0.0.1", s.port, context=client_ctx(certs), timeout=TIMEOUT) as c:
            assert "AUTH" not in c.ehlo("x")[1].decode().upper()
            c.sendmail("a@example.com", ["b@example.com"], message("implicit tls no auth"))
        e = s.envelopes()[0]
        assert_eq((e["tls"], e["auth_user"]), (True, None), "tls/auth_user")


def case_plain_auth(tmp):
    with Server(tmp, "--auth", "u:p") as s:
        with smtplib.SMTP("127.0.0.1", s.port, timeout=TIMEOUT) as c:
            c.ehlo("x")
            assert "AUTH" in c.ehlo_resp.decode().upper()
            assert_eq(c.mail("a@example.com")[0], 530, "MAIL before AUTH")
            c.login("u", "p")
            c.sendmail("a@example.com", ["b@example.com"], message("plain auth"))
        e = s.envelopes()[0]
        assert_eq((e["tls"], e["auth_user"]), (False, "u"), "tls/auth_user")


def case_fail_first(tmp):
    with Server(tmp, "--fail-first", "2") as s:
        msg = message("retry me")
        for attempt in (1, 2):
            with smtplib.SMTP("127.0.0.1", s.port, timeout=TIMEOUT) as c:
                e = expect_smtp_error(smtplib.SMTPDataError, 451, c.sendmail,
                                      "a@example.com", ["b@example.com"], msg)
                assert b"4.3.0 Temporary failure" in e.smtp_error, e
            assert_eq(s.eml_files(), [], "no file after attempt %d" % attempt)
        with smtplib.SMTP("127.0.0.1", s.port, timeout=TIMEOUT) as c:
            assert_eq(c.sendmail("a@example.com", ["b@example.com"], msg), {}, "third send")
            # Later sends keep working.
            c.sendmail("a@example.com", ["b@example.com"], message("fourth"))
        assert_eq(s.eml_files(), ["0001.eml", "0002.eml"], "files")
        assert_eq(s.eml("0001.eml"), msg, "eml")
        assert_eq(len(s.envelopes()), 2, "envelopes")
        assert_eq(lower(s.commands()).count("data"), 4, "DATA lines")


def case_reject_rcpt(tmp):
    with Server(tmp, "--reject-rcpt", "Nobody@Example.com") as s:
        with smtplib.SMTP("127.0.0.1", s.port, timeout=TIMEOUT) as c:
            try:
                c.sendmail("a@example.com", ["nobody@example.com"], message("rejected"))
                raise AssertionError("sendmail to a rejected recipient succeeded")
            except smtplib.SMTPRecipientsRefused as e:
                code, text = e.recipients["nobody@example.com"]
                assert_eq(code, 550, "RCPT code")
                assert_eq(text, b"5.1.1 No such user", "RCPT text")
        with smtplib.SMTP("127.0.0.1", s.port, timeout=TIMEOUT) as c:
            refused = c.sendmail("a@example.com", ["ok@example.com", "nobody@example.com"],
                                 message("partly"))
            assert_eq(refused, {"nobody@example.com": (550, b"5.1.1 No such user")}, "refused")
        env = s.envelopes()
        assert_eq(len(env), 1, "envelopes")
        assert_eq(env[0]["rcpt_tos"], ["ok@example.com"], "rcpt_tos")
        assert "rcpt to:<nobody@example.com>" in lower(s.commands())


def case_injection_is_visible(tmp):
    """Positive control: a client that fails to dot-stuff lets a line after
    "." be read as a command; commands.log must show it."""
    with Server(tmp) as s:
        with socket.create_connection(("127.0.0.1", s.port), timeout=TIMEOUT) as raw:
            f = raw.makefile("rb")

            def reply():
                lines = []
                while True:
                    line = f.readline()
                    assert line, "connection closed"
                    lines.append(line)
                    if line[3:4] != b"-":
                        return lines

            def cmd(text, code):
                raw.sendall(text)
                r = reply()
                assert r[-1].startswith(code), (text, r)

            reply()  # greeting
            cmd(b"EHLO raw\r\n", b"250")
            cmd(b"MAIL FROM:<a@example.com>\r\n", b"250")
            cmd(b"RCPT TO:<b@example.com>\r\n", b"250")
            cmd(b"DATA\r\n", b"354")
            cmd(b"Subject: x\r\n\r\nbody\r\nRCPT TO:<in-body@example.com>\r\n.\r\n", b"250")
            cmd(b"RCPT TO:<smuggled@example.com>\r\n", b"503")  # no MAIL: refused, but logged
            cmd(b"NOOP\r\n", b"250")
            cmd(b"X\x01Y\r\n", b"500")
            cmd(b"A" * 2000 + b"RCPT TO:<tail@example.com>\r\n", b"500")
            cmd(b"QUIT\r\n", b"221")
        cmds = s.commands()
        assert_eq(cmds, ["EHLO raw", "MAIL FROM:<a@example.com>", "RCPT TO:<b@example.com>",
                         "DATA", "RCPT TO:<smuggled@example.com>", "NOOP", "X\\x01Y",
                         "<overlong command line discarded>", "QUIT"], "commands.log")
        assert_eq(s.eml("0001.eml"),
                  b"Subject: x\r\n\r\nbody\r\nRCPT TO:<in-body@example.com>\r\n", "eml")


def case_signals_and_stdin(tmp):
    # SIGINT exits 0 too, also with a client still connected.
    s = Server(tmp).start()
    c = smtplib.SMTP("127.0.0.1", s.port, timeout=TIMEOUT)
    c.ehlo("idle")
    s.proc.send_signal(signal.SIGINT)
    assert_eq(s.proc.wait(TIMEOUT), 0, "exit status after SIGINT")
    c.close()
    # --exit-on-stdin-eof: closing the pipe stops the server.
    s = Server(tmp, "--exit-on-stdin-eof", name="out2", stdin=subprocess.PIPE).start()
    time.sleep(0.2)
    assert s.proc.poll() is None, "exited while stdin was open"
    s.proc.stdin.close()
    assert_eq(s.proc.wait(TIMEOUT), 0, "exit status after stdin EOF")


def case_parallel_cert_generation(tmp):
    certs = os.path.join(tmp, "shared-certs")
    servers = [Server(tmp, "--tls", certs, name="out%d" % i) for i in range(4)]
    errors = []

    def start(srv):
        try:
            srv.start()
        except Exception as e:  # noqa
            errors.append(e)

    threads = [threading.Thread(target=start, args=(srv,)) for srv in servers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert not errors, errors
        for i, srv in enumerate(servers):
            with smtplib.SMTP_SSL("127.0.0.1", srv.port, context=client_ctx(certs),
                                  timeout=TIMEOUT) as c:
                c.sendmail("a@example.com", ["b@example.com"], message("parallel %d" % i))
            assert_eq(len(srv.envelopes()), 1, "server %d envelopes" % i)
    finally:
        for srv in servers:
            srv.stop() if srv.proc and not errors else srv.kill()


def case_bad_usage(tmp):
    r = subprocess.run([sys.executable, SERVER, "--port", "0", "--out", tmp,
                        "--tls", "a", "--starttls", "b"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
    assert r.returncode != 0 and r.stdout == b"", r
    r = subprocess.run([sys.executable, SERVER, "--port", "0", "--out", tmp, "--auth", "nocolon"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
    assert r.returncode != 0 and r.stdout == b"", r


CASES = [
    case_plain_send,
    case_smtputf8_and_size,
    case_starttls_auth,
    case_implicit_tls,
    case_plain_auth,
    case_fail_first,
    case_reject_rcpt,
    case_injection_is_visible,
    case_signals_and_stdin,
    case_parallel_cert_generation,
    case_bad_usage,
]


def main():
    failed = 0
    for case in CASES:
        tmp = tempfile.mkdtemp(prefix="smtp-selftest-")
        t0 = time.monotonic()
        try:
            case(tmp)
            print("ok   %-32s (%.2fs)" % (case.__name__, time.monotonic() - t0), flush=True)
        except Exception:
            failed += 1
            print("FAIL %s" % case.__name__, flush=True)
            traceback.print_exc()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    print("%d/%d cases passed" % (len(CASES) - failed, len(CASES)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
