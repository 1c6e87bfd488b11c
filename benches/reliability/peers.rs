//! The receivers: `logwood-collector` in-process or as its binary, a server
//! that accepts and never reads, rsyslogd; and the layers pointed at them.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use logwood::FlushGuard;
use logwood::http::{HttpLayer, HttpLayerBuilder, OtlpLayer, OtlpLayerBuilder};
use logwood::syslog::{SyslogLayer, SyslogLayerBuilder};
use logwood_collector::{Collector, CollectorBuilder, CollectorHandle, Output};
use logwood_testkit::rsyslog::Rsyslog;

use super::Ctx;
use super::measure;

/// An in-process collector writing to `dir/{name}.jsonl` (its token is set
/// by [`collectors`] or the case).
pub fn collector(ctx: &Ctx, name: &str) -> CollectorBuilder {
    Collector::builder().out(Output::File(ctx.path(&format!("{name}.jsonl"))))
}

/// Starts `builder`.
pub fn start(builder: CollectorBuilder) -> CollectorHandle {
    builder.start().expect("starting an in-process collector")
}

/// The HTTP layer's builder for `url` with the case's API key and no
/// runtime or system metadata, reporting on stderr.
pub fn http(ctx: &Ctx, url: &str) -> HttpLayerBuilder {
    HttpLayer::builder(url)
        .api_key(ctx.api_key.as_str())
        .shutdown_timeout(Duration::from_secs(30))
}

/// The OTLP layer's builder for the base URL `base` with the case's token
/// in an `authorization` header.
pub fn otlp(ctx: &Ctx, base: &str) -> OtlpLayerBuilder {
    OtlpLayer::builder(base)
        .header("authorization", format!("Bearer {}", ctx.otlp_token))
        .service_name("reliability")
        .shutdown_timeout(Duration::from_secs(30))
}

/// The frames collector (token: the API key) and the OTLP one (token: the
/// OTLP token), as a case with both sinks has them.
pub fn collectors(ctx: &Ctx, frames: CollectorBuilder, otlp: CollectorBuilder) -> Collectors {
    Collectors {
        frames: start(frames.token(ctx.api_key.as_str())),
        otlp: start(otlp.token(ctx.otlp_token.as_str())),
    }
}

#[derive(Debug)]
pub struct Collectors {
    pub frames: CollectorHandle,
    pub otlp: CollectorHandle,
}

/// The two HTTP layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `HttpLayer`, msgpack frames, with the API key.
    Http,
    /// `OtlpLayer`, protobuf, with the token in an `authorization` header.
    Otlp,
}

// === impl Kind ===

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Http => "http",
            Kind::Otlp => "otlp",
        }
    }

    /// The secret its collector requires.
    pub fn token(self, ctx: &Ctx) -> &str {
        match self {
            Kind::Http => &ctx.api_key,
            Kind::Otlp => &ctx.otlp_token,
        }
    }

    /// The layer's default buffer (and batch) capacity.
    pub fn capacity(self) -> usize {
        match self {
            Kind::Http => logwood::http::DEFAULT_BUFFER_CAPACITY,
            Kind::Otlp => logwood::http::DEFAULT_OTLP_BUFFER_CAPACITY,
        }
    }

    /// An in-process collector for this layer (with its token), writing
    /// to `dir/{name}.jsonl`.
    pub fn collector(self, ctx: &Ctx, name: &str, builder: CollectorBuilder) -> CollectorHandle {
        start(
            builder
                .token(self.token(ctx))
                .out(Output::File(ctx.path(&format!("{name}.jsonl")))),
        )
    }

    /// The layer posting to the collector at `base` (`http://host:port`),
    /// with the defaults but for `block` (`drop_extra_events(false)`) and
    /// `capacity`.
    pub fn layer(
        self,
        ctx: &Ctx,
        base: &str,
        block: bool,
        capacity: Option<usize>,
    ) -> (
        Box<dyn tracing_subscriber::Layer<tracing_subscriber::Registry> + Send + Sync>,
        FlushGuard,
    ) {
        match self {
            Kind::Http => {
                let mut b = http(ctx, &format!("{base}/frames")).drop_extra_events(!block);
                if let Some(c) = capacity {
                    b = b.buffer_capacity(c);
                }
                let (layer, guard) = b.build().expect("an HTTP layer");
                (Box::new(layer), guard)
            }
            Kind::Otlp => {
                let mut b = otlp(ctx, base).drop_extra_events(!block);
                if let Some(c) = capacity {
                    b = b.buffer_capacity(c);
                }
                let (layer, guard) = b.build().expect("an OTLP layer");
                (Box::new(layer), guard)
            }
        }
    }
}

/// A syslog layer over `transport` (`tcp`, `tls`, `relp`) to `server`.
pub fn syslog(server: &Rsyslog, transport: &str) -> SyslogLayerBuilder {
    let builder = SyslogLayer::builder().app_name(format!("rel-{transport}"));
    match transport {
        "tcp" => builder.tcp(server.tcp_addr()),
        "tls" => builder
            .tls(server.tls_addr())
            .ca_file(server.ca_file())
            .server_name(server.tls_server_name()),
        "relp" => builder.relp(server.relp_addr()),
        other => panic!("no syslog transport {other}"),
    }
}

/// The `input` value rsyslogd's JSON line starts with for `transport`.
pub fn rsyslog_input(transport: &str) -> Vec<u8> {
    format!("{{\"input\":\"{transport}\"").into_bytes()
}

/// A started rsyslogd with TCP, TLS and RELP listeners.
pub fn rsyslogd() -> Rsyslog {
    Rsyslog::builder()
        .udp(false)
        .start()
        .expect("starting rsyslogd (the testkit harness)")
}

/// Shuts `guard` down, returning the counters and how long it took.
pub fn shutdown(guard: FlushGuard, deadline: Duration) -> (logwood::Stats, Duration) {
    let start = Instant::now();
    let stats = guard.shutdown(deadline);
    (stats, start.elapsed())
}

// --- the collector's binary ---

/// `logwood-collector` running as a child process; killed when dropped.
#[derive(Debug)]
pub struct CollectorProcess {
    child: Child,
    /// The HTTP listener's address.
    pub addr: SocketAddr,
    args: Vec<String>,
    fd_limit: Option<usize>,
    bin: PathBuf,
    dir: PathBuf,
    name: String,
    /// How many times it was started.
    pub starts: u32,
    /// The highest peak RSS of its runs, in KiB.
    pub peak_rss_kib: u64,
}

// === impl CollectorProcess ===

impl CollectorProcess {
    /// Starts the binary with `--out DIR/{name}.jsonl`, the token and
    /// `args`, under `ulimit -n fd_limit` when given; its stdout and stderr
    /// go to files in the case's directory.
    pub fn start(
        ctx: &Ctx,
        name: &str,
        token: &str,
        args: &[&str],
        fd_limit: Option<usize>,
    ) -> Self {
        let mut all = vec![
            "--listen".to_owned(),
            "127.0.0.1:0".to_owned(),
            "--out".to_owned(),
            ctx.path(&format!("{name}.jsonl")).display().to_string(),
        ];
        all.extend(args.iter().map(|a| (*a).to_owned()));
        let (child, addr) = spawn(&ctx.collector_bin, &all, token, fd_limit, &ctx.dir, name, 1);
        Self {
            child,
            addr,
            args: all,
            fd_limit,
            bin: ctx.collector_bin.clone(),
            dir: ctx.dir.clone(),
            name: name.to_owned(),
            starts: 1,
            peak_rss_kib: 0,
        }
    }

    pub fn pid(&self) -> String {
        self.child.id().to_string()
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn frames_url(&self) -> String {
        format!("http://{}/frames", self.addr)
    }

    /// Its output file.
    pub fn out(&self) -> PathBuf {
        self.dir.join(format!("{}.jsonl", self.name))
    }

    /// Its current RSS, in KiB (noting its peak).
    pub fn rss_kib(&mut self) -> u64 {
        self.note_peak();
        measure::rss_kib_of(&self.pid())
    }

    fn note_peak(&mut self) {
        self.peak_rss_kib = self.peak_rss_kib.max(measure::peak_rss_kib_of(&self.pid()));
    }

    /// SIGKILL: no goodbye, requests in flight are cut.
    pub fn kill(&mut self) {
        self.note_peak();
        self.child.kill().ok();
        self.child.wait().ok();
    }

    /// Starts it again on the same port, with the same arguments.
    pub fn restart(&mut self, token: &str) {
        let mut args = self.args.clone();
        args[1] = self.addr.to_string();
        self.starts += 1;
        let (child, _) = spawn(
            &self.bin,
            &args,
            token,
            self.fd_limit,
            &self.dir,
            &self.name,
            self.starts,
        );
        self.child = child;
    }

    /// SIGTERM (a clean stop) and wait.
    pub fn terminate(&mut self) {
        self.note_peak();
        Command::new("kill")
            .args(["-TERM", &self.pid()])
            .status()
            .ok();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            thread::sleep(Duration::from_millis(20));
        }
        self.kill();
    }
}

impl Drop for CollectorProcess {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// Spawns the binary, waits for its `listening http=…` line and returns
/// the child and the HTTP address.
fn spawn(
    bin: &Path,
    args: &[String],
    token: &str,
    fd_limit: Option<usize>,
    dir: &Path,
    name: &str,
    run: u32,
) -> (Child, SocketAddr) {
    let mut command = match fd_limit {
        Some(n) => {
            let mut c = Command::new("sh");
            c.arg("-c")
                .arg(format!("ulimit -n {n} && exec \"$0\" \"$@\""))
                .arg(bin);
            c
        }
        None => Command::new(bin),
    };
    let stderr = std::fs::File::create(dir.join(format!("{name}.{run}.stderr")))
        .expect("creating the collector's stderr file");
    command
        .args(args)
        // From the environment, so that it is in no command line.
        .env("LOGWOOD_COLLECTOR_TOKEN", token)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr);
    let mut child = command.spawn().unwrap_or_else(|e| {
        panic!(
            "starting {} failed ({e}); build it with `cargo build -p logwood-collector`",
            bin.display()
        )
    });
    let stdout = child.stdout.take().expect("a piped stdout");
    let copy = dir.join(format!("{name}.{run}.stdout"));
    let (tx, rx) = std::sync::mpsc::channel();
    thread::spawn(move || {
        let mut out = std::fs::File::create(copy).ok();
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(out) = out.as_mut() {
                std::io::Write::write_all(out, format!("{line}\n").as_bytes()).ok();
            }
            tx.send(line).ok();
        }
    });
    let line = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the collector's listening line");
    let addr = line
        .split_whitespace()
        .find_map(|f| f.strip_prefix("http=http://"))
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("no http= address in {line:?}"));
    (child, addr)
}

// --- a receiver that never reads ---

/// A TCP server on 127.0.0.1 that accepts connections and holds them open
/// without reading a byte (nor answering).
#[derive(Debug)]
pub struct Stalled {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    pub accepted: Arc<AtomicUsize>,
    thread: Option<JoinHandle<Vec<TcpStream>>>,
}

// === impl Stalled ===

impl Stalled {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding a stalled server");
        listener
            .set_nonblocking(true)
            .expect("a non-blocking listener");
        let addr = listener.local_addr().expect("its address");
        let stop = Arc::new(AtomicBool::new(false));
        let accepted = Arc::new(AtomicUsize::new(0));
        let (flag, count) = (stop.clone(), accepted.clone());
        let thread = thread::spawn(move || {
            let mut held = Vec::new();
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        count.fetch_add(1, Ordering::Relaxed);
                        held.push(stream);
                    }
                    Err(_) => thread::sleep(Duration::from_millis(10)),
                }
            }
            held
        });
        Self {
            addr,
            stop,
            accepted,
            thread: Some(thread),
        }
    }
}

impl Drop for Stalled {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            thread.join().ok();
        }
    }
}
