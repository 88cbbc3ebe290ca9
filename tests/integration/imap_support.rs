//! A real IMAP server for the mail-intake tests: Dovecot (Debian's
//! `dovecot-imapd`) on loopback ports with its own configuration, test
//! certificate and password file (see tests/imap/README.md). The harness
//! appends mail over IMAP (`APPEND`) and reads flags back, and can take the
//! server down and bring it back. Self-contained, so `benches/imap.rs`
//! uses it too.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

/// A TCP port free right now on the loopback.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Polls `f` until it returns `Some`, or panics after `limit`.
fn wait_for<T>(limit: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let start = std::time::Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(start.elapsed() < limit, "gave up waiting after {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub const USER: &str = "nopbai";
/// The mailbox's password: the tests check it appears nowhere.
pub const PASSWORD: &str = "Mk-imap-7f3c9e21-bi-mat";

pub struct Dovecot {
    child: Option<Child>,
    pub dir: PathBuf,
    pub port: u16,
    pub tls_port: u16,
    pub ca: PathBuf,
}

fn dovecot_bin() -> PathBuf {
    ["/usr/sbin/dovecot", "/usr/local/sbin/dovecot"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from("dovecot"))
}

fn id(flag: &str, user: Option<&str>) -> String {
    let out = Command::new("id").arg(flag).args(user).output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

impl Dovecot {
    /// Starts a fresh server in `dir`.
    pub fn start(dir: &Path) -> Dovecot {
        std::fs::create_dir_all(dir).unwrap();
        let dir = dir.canonicalize().unwrap();
        // The unprivileged Dovecot processes must reach their folders.
        let mut p = dir.clone();
        loop {
            if p.starts_with("/tmp") && p != Path::new("/tmp") {
                let _ = Command::new("chmod").arg("755").arg(&p).status();
            }
            if !p.pop() {
                break;
            }
        }
        let ca = dir.join("cert.pem");
        let key = dir.join("key.pem");
        let ok = Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "30",
            ])
            .args(["-subj", "/CN=localhost"])
            // A leaf, not a CA (rustls refuses a CA as the server's certificate).
            .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
            .args(["-addext", "basicConstraints=critical,CA:FALSE"])
            .args([
                "-addext",
                "keyUsage=critical,digitalSignature,keyEncipherment",
            ])
            .args(["-addext", "extendedKeyUsage=serverAuth"])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&ca)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("openssl makes the test certificate");
        assert!(ok.success(), "openssl failed");
        let root = id("-u", None) == "0";
        let (uid_of_mail, gid_of_mail, internal, login) = if root {
            (
                "65534".to_string(),
                "65534".to_string(),
                "dovecot".to_string(),
                "dovenull".to_string(),
            )
        } else {
            let me = id("-un", None);
            (id("-u", None), id("-g", None), me.clone(), me)
        };
        let home = dir.join("home").join(USER);
        std::fs::create_dir_all(&home).unwrap();
        if root {
            Command::new("chown")
                .args(["-R", &format!("{uid_of_mail}:{gid_of_mail}")])
                .arg(dir.join("home"))
                .status()
                .unwrap();
        }
        std::fs::write(
            dir.join("passwd"),
            format!("{USER}:{{PLAIN}}{PASSWORD}::::\n"),
        )
        .unwrap();
        let (port, tls_port) = (free_port(), free_port());
        let d = dir.display();
        let conf = format!(
            "protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
instance_name = thidua-test-{port}
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = 1
mail_location = maildir:{d}/home/%u/Maildir
ssl = yes
ssl_cert = <{d}/cert.pem
ssl_key = <{d}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/passwd
}}
userdb {{
  driver = static
  args = uid={uid_of_mail} gid={gid_of_mail} home={d}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = {tls_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"
        );
        std::fs::write(dir.join("dovecot.conf"), conf).unwrap();
        let mut dc = Dovecot {
            child: None,
            dir,
            port,
            tls_port,
            ca,
        };
        dc.start_again();
        dc
    }

    /// Brings the server (back) up on the same ports with the same mail.
    pub fn start_again(&mut self) {
        assert!(self.child.is_none(), "already running");
        let child = Command::new(dovecot_bin())
            .arg("-F")
            .arg("-c")
            .arg(self.dir.join("dovecot.conf"))
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(self.dir.join("master.log")).unwrap())
            .spawn()
            .expect("dovecot runs (apt-get install dovecot-imapd)");
        self.child = Some(child);
        let port = self.port;
        wait_for(Duration::from_secs(15), || {
            let s = TcpStream::connect(("127.0.0.1", port)).ok()?;
            s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
            let mut line = String::new();
            BufReader::new(s).read_line(&mut line).ok()?;
            line.starts_with("* OK").then_some(())
        });
    }

    /// Takes the server down (SIGTERM, then waits until its ports are free).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &c.id().to_string()])
                .status();
            let _ = c.wait();
        }
        let (port, tls) = (self.port, self.tls_port);
        wait_for(Duration::from_secs(15), || {
            (TcpStream::connect(("127.0.0.1", port)).is_err()
                && TcpStream::connect(("127.0.0.1", tls)).is_err()
                && !self.dir.join("run/master.pid").exists())
            .then_some(())
        });
    }

    /// Appends `raw` to `folder` over IMAP; returns its UID.
    pub fn append(&self, raw: &[u8]) -> u32 {
        let mut c = Conn::login(self.port);
        let tag = c.next();
        write!(c.w, "{tag} APPEND INBOX {{{}}}\r\n", raw.len()).unwrap();
        let line = c.line();
        assert!(line.starts_with('+'), "APPEND: {line}");
        c.w.write_all(raw).unwrap();
        c.w.write_all(b"\r\n").unwrap();
        let done = c.until(&tag);
        assert!(done.contains("OK"), "APPEND: {done}");
        // [APPENDUID <validity> <uid>]
        done.split("APPENDUID ")
            .nth(1)
            .and_then(|r| r.split_whitespace().nth(1))
            .and_then(|u| u.trim_end_matches(']').parse().ok())
            .unwrap_or_else(|| panic!("no APPENDUID: {done}"))
    }

    /// The flags of the mail `uid` in INBOX, as the server lists them.
    pub fn flags(&self, uid: u32) -> String {
        let mut c = Conn::login(self.port);
        c.command("SELECT INBOX");
        c.command(&format!("UID FETCH {uid} (FLAGS)"))
    }

    /// Sets or clears `\Seen` as a person reading the mailbox would.
    pub fn set_seen(&self, uid: u32, seen: bool) {
        let mut c = Conn::login(self.port);
        c.command("SELECT INBOX");
        let op = if seen { "+" } else { "-" };
        let r = c.command(&format!("UID STORE {uid} {op}FLAGS (\\Seen)"));
        assert!(r.contains("OK"), "{r}");
    }

    /// How many mails INBOX holds (none is ever deleted).
    pub fn count(&self) -> usize {
        let mut c = Conn::login(self.port);
        let r = c.command("SELECT INBOX");
        r.lines()
            .find_map(|l| l.strip_prefix("* ").and_then(|l| l.strip_suffix(" EXISTS")))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(0)
    }

    /// The server's own log (for looking for the password).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("dovecot.log")).unwrap_or_default()
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &c.id().to_string()])
                .status();
            let _ = c.wait();
        }
    }
}

/// A plain IMAP connection, logged in.
struct Conn {
    r: BufReader<TcpStream>,
    w: TcpStream,
    n: u32,
}

impl Conn {
    fn login(port: u16) -> Conn {
        let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut c = Conn {
            r: BufReader::new(s.try_clone().unwrap()),
            w: s,
            n: 0,
        };
        let greeting = c.line();
        assert!(greeting.starts_with("* OK"), "{greeting}");
        let r = c.command(&format!("LOGIN {USER} \"{PASSWORD}\""));
        assert!(r.contains("OK"), "{r}");
        c
    }

    fn next(&mut self) -> String {
        self.n += 1;
        format!("t{}", self.n)
    }

    fn line(&mut self) -> String {
        let mut l = String::new();
        self.r.read_line(&mut l).unwrap();
        l
    }

    fn until(&mut self, tag: &str) -> String {
        let mut all = String::new();
        loop {
            let l = self.line();
            assert!(!l.is_empty(), "connection closed: {all}");
            all.push_str(&l);
            // A literal in a response: read its bytes as they are.
            if let Some(n) = l
                .trim_end()
                .strip_suffix('}')
                .and_then(|x| x.rsplit_once('{'))
                .and_then(|(_, n)| n.parse::<usize>().ok())
            {
                let mut buf = vec![0; n];
                self.r.read_exact(&mut buf).unwrap();
                all.push_str(&String::from_utf8_lossy(&buf));
            }
            if l.starts_with(&format!("{tag} ")) {
                return all;
            }
        }
    }

    fn command(&mut self, cmd: &str) -> String {
        let tag = self.next();
        write!(self.w, "{tag} {cmd}\r\n").unwrap();
        self.until(&tag)
    }
}

/// Base64 with line breaks every 76 characters, as mail clients write it.
pub fn base64(bytes: &[u8]) -> String {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for (i, chunk) in bytes.chunks(3).enumerate() {
        if i > 0 && i % 19 == 0 {
            out.push_str("\r\n");
        }
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(T[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A mail as a unit's mail client would send it: `from`, a text, and the
/// attachments `(file name, bytes)`; `extra` headers go on top.
pub fn mail(from: &str, message_id: &str, extra: &str, attachments: &[(&str, &[u8])]) -> Vec<u8> {
    let mut m = format!(
        "{extra}From: Van phong <{from}>\r\nTo: nopbai@khuvuc.example\r\nSubject: =?utf-8?B?{}?=\r\nMessage-ID: {message_id}\r\nDate: Mon, 30 Nov 2026 08:00:00 +0700\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
        base64("Gửi bảng tự chấm điểm".as_bytes()),
        base64("Kính gửi Văn phòng Khu vực, đơn vị gửi kèm bảng tự chấm điểm.".as_bytes()),
    );
    for (name, bytes) in attachments {
        let _ = write!(
            m,
            "--b1\r\nContent-Type: application/octet-stream; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
            base64(bytes)
        );
    }
    m.push_str("--b1--\r\n");
    m.into_bytes()
}

/// Daemon environment reading the mailbox of `imap` over TLS (trusting its
/// test certificate), with the password in the environment.
pub fn imap_env(mut env: Vec<(String, String)>, imap: &Dovecot) -> Vec<(String, String)> {
    env.extend([
        (
            "THIDUA__INTAKE__IMAP__HOST".to_string(),
            "localhost".to_string(),
        ),
        (
            "THIDUA__INTAKE__IMAP__PORT".to_string(),
            imap.tls_port.to_string(),
        ),
        (
            "THIDUA__INTAKE__IMAP__SECURITY".to_string(),
            "tls".to_string(),
        ),
        (
            "THIDUA__INTAKE__IMAP__USERNAME".to_string(),
            USER.to_string(),
        ),
        (
            "THIDUA__INTAKE__IMAP__CA_FILE".to_string(),
            imap.ca.display().to_string(),
        ),
        ("THIDUA_IMAP_PASSWORD".to_string(), PASSWORD.to_string()),
    ]);
    env
}
