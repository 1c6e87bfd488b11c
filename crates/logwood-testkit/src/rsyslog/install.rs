//! Finding rsyslogd and its GnuTLS and RELP modules, and installing them
//! when missing.
//!
//! Test binaries run in parallel (nextest), so the install runs under a
//! cross-process lock: an atomic `mkdir` in the temp dir, waited for with a
//! bound.

use std::ffi::OsString;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use super::StartError;

/// The Debian packages that provide rsyslogd, its GnuTLS stream driver and
/// its RELP input (imrelp, with librelp).
const PACKAGES: [&str; 3] = ["rsyslog", "rsyslog-gnutls", "rsyslog-relp"];

/// The GnuTLS stream driver, a loadable module beside `imudp.so`.
const GTLS_MODULE: &str = "lmnsd_gtls.so";

/// The RELP input module (package `rsyslog-relp`).
const RELP_MODULE: &str = "imrelp.so";

/// What an instance needs beside rsyslogd.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Needs {
    /// The GnuTLS stream driver (the `tls` listener).
    pub(super) gtls: bool,
    /// The RELP input (the `relp` and `relp_tls` listeners).
    pub(super) relp: bool,
}

// === impl Needs ===

impl Needs {
    /// The modules a listener needs, as (file name, package).
    fn modules(self) -> impl Iterator<Item = (&'static str, &'static str)> {
        [
            (self.gtls, GTLS_MODULE, "rsyslog-gnutls"),
            (self.relp, RELP_MODULE, "rsyslog-relp"),
        ]
        .into_iter()
        .filter_map(|(needed, module, package)| needed.then_some((module, package)))
    }
}

/// Set to any value to fail instead of running apt-get.
pub const NO_INSTALL_ENV: &str = "LOGWOOD_RSYSLOG_NO_INSTALL";

/// How long to wait for another process's install (apt-get can take minutes).
const LOCK_WAIT: Duration = Duration::from_secs(600);

/// A lock directory with no owner file older than this is left over.
const LOCK_STALE_WITHOUT_OWNER: Duration = Duration::from_secs(30);

/// Returns rsyslogd's path, installing rsyslog (and rsyslog-gnutls,
/// rsyslog-relp as `needs` says) with apt-get first if one is missing.
pub(super) fn ensure(needs: Needs) -> Result<PathBuf, StartError> {
    // Threads of one test binary wait here; processes wait on the lock dir.
    static IN_PROCESS: Mutex<()> = Mutex::new(());
    let _guard = IN_PROCESS.lock().unwrap_or_else(PoisonError::into_inner);

    if let Some(found) = find(needs) {
        return Ok(found);
    }
    let lock = InstallLock::acquire()?;
    // Another process may have installed while this one waited.
    if let Some(found) = find(needs) {
        return Ok(found);
    }
    let result = apt_get_install();
    drop(lock);
    result?;
    find(needs).ok_or_else(|| {
        StartError::Install(format!(
            "apt-get installed {} but {}",
            PACKAGES.join(" "),
            missing(needs)
        ))
    })
}

/// rsyslogd's path when it and the modules `needs` names are installed.
fn find(needs: Needs) -> Option<PathBuf> {
    let rsyslogd = find_rsyslogd()?;
    needs
        .modules()
        .all(|(module, _)| find_module(module).is_some())
        .then_some(rsyslogd)
}

/// What is missing, for messages.
fn missing(needs: Needs) -> String {
    let mut what = Vec::new();
    if find_rsyslogd().is_none() {
        what.push("rsyslogd is not on PATH nor in /usr/sbin, /sbin, /usr/local/sbin".to_string());
    }
    for (module, package) in needs.modules() {
        if find_module(module).is_none() {
            what.push(format!(
                "{module} (package {package}) is in none of {}",
                module_dirs()
                    .iter()
                    .map(|d| d.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    what.join("; ")
}

/// rsyslogd on `PATH`, else in the usual sbin directories (often not on a
/// non-root `PATH`).
fn find_rsyslogd() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/local/sbin"].map(PathBuf::from))
        .map(|dir| dir.join("rsyslogd"))
        .find(|p| is_executable(p))
}

fn is_executable(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// `module` in one of rsyslog's module directories.
fn find_module(module: &str) -> Option<PathBuf> {
    module_dirs()
        .into_iter()
        .map(|dir| dir.join(module))
        .find(|p| p.is_file())
}

/// Where rsyslog's modules may live: `$RSYSLOG_MODDIR` (which rsyslogd
/// honours too), every multiarch `/usr/lib/<triple>/rsyslog` (Debian,
/// Ubuntu), `/usr/lib64/rsyslog` (Fedora, RHEL, SUSE), `/usr/lib/rsyslog`
/// (Arch, Alpine) and `/usr/local/lib/rsyslog` (built from source).
fn module_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("RSYSLOG_MODDIR")
        .map(PathBuf::from)
        .into_iter()
        .collect();
    if let Ok(entries) = fs::read_dir("/usr/lib") {
        let mut multiarch: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains("-linux-"))
            .map(|e| e.path().join("rsyslog"))
            .collect();
        multiarch.sort();
        dirs.extend(multiarch);
    }
    dirs.extend(
        [
            "/usr/lib64/rsyslog",
            "/usr/lib/rsyslog",
            "/usr/local/lib/rsyslog",
            "/usr/local/lib64/rsyslog",
        ]
        .map(PathBuf::from),
    );
    dirs
}

/// Runs `apt-get update` and `apt-get install` for [`PACKAGES`], as root or
/// through `sudo -n`.
fn apt_get_install() -> Result<(), StartError> {
    let fail = |why: String| {
        Err(StartError::Install(format!(
            "rsyslog is needed by the logwood tests and {why}; install the Debian packages \
             `{}` (or your system's rsyslog with its GnuTLS and RELP modules)",
            PACKAGES.join(" ")
        )))
    };
    if std::env::var_os(NO_INSTALL_ENV).is_some() {
        return fail(format!(
            "is missing ({NO_INSTALL_ENV} forbids installing it)"
        ));
    }
    let Some(apt_get) = find_program("apt-get") else {
        return fail("is missing, and there is no apt-get to install it".into());
    };
    let sudo = if is_root() {
        None
    } else if let Some(sudo) = find_program("sudo") {
        Some(sudo)
    } else {
        return fail("is missing; apt-get needs root and there is no sudo".into());
    };
    let run = |args: &[&str]| -> Result<(), StartError> {
        let mut command = match &sudo {
            Some(sudo) => {
                let mut c = Command::new(sudo);
                c.arg("-n").arg(&apt_get);
                c
            }
            None => Command::new(&apt_get),
        };
        command
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(["-q", "-o", "DPkg::Lock::Timeout=120"])
            .args(args);
        let output = command
            .output()
            .map_err(StartError::io(format!("running {command:?}")))?;
        if output.status.success() {
            return Ok(());
        }
        fail(format!(
            "is missing, and {command:?} failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    };
    eprintln!(
        "[logwood-testkit] installing {} with apt-get",
        PACKAGES.join(" ")
    );
    run(&["update"])?;
    let mut install = vec!["install", "-y", "--no-install-recommends"];
    install.extend(PACKAGES);
    run(&install)
}

fn find_program(name: &str) -> Option<OsString> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
        .map(PathBuf::into_os_string)
}

/// Whether this process runs as root (`/proc/self` belongs to its effective uid).
fn is_root() -> bool {
    fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// A cross-process lock: a directory that only one process can create, with
/// an `owner` file holding its pid so a crashed owner's lock can be taken over.
#[derive(Debug)]
struct InstallLock {
    dir: PathBuf,
}

// === impl InstallLock ===

impl InstallLock {
    fn acquire() -> Result<Self, StartError> {
        let dir = std::env::temp_dir().join("logwood-rsyslog-install.lock");
        let deadline = Instant::now() + LOCK_WAIT;
        loop {
            match fs::create_dir(&dir) {
                Ok(()) => {
                    let owner = dir.join("owner");
                    fs::write(&owner, std::process::id().to_string())
                        .map_err(StartError::io(format!("writing {}", owner.display())))?;
                    return Ok(Self { dir });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    if Self::is_stale(&dir) {
                        // Best effort: if another process takes it over first,
                        // both may install, and apt's own lock serializes them.
                        let _ignored = fs::remove_dir_all(&dir);
                        continue;
                    }
                }
                Err(e) => {
                    return Err(StartError::io(format!("creating {}", dir.display()))(e));
                }
            }
            if Instant::now() >= deadline {
                return Err(StartError::Install(format!(
                    "rsyslog is missing and another process held the install lock {} for \
                     {LOCK_WAIT:?}; remove it if no install is running",
                    dir.display()
                )));
            }
            thread::sleep(Duration::from_millis(100));
        }
    }

    /// Whether the lock's owner is gone (or never wrote its pid).
    fn is_stale(dir: &Path) -> bool {
        match fs::read_to_string(dir.join("owner")) {
            Ok(pid) => !Path::new("/proc").join(pid.trim()).exists(),
            Err(_) => fs::metadata(dir)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| SystemTime::now().duration_since(t).ok())
                .is_some_and(|age| age > LOCK_STALE_WITHOUT_OWNER),
        }
    }
}

impl Drop for InstallLock {
    fn drop(&mut self) {
        let _ignored = fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_dirs_cover_the_common_layouts() {
        let dirs = module_dirs();
        assert!(dirs.contains(&PathBuf::from("/usr/lib64/rsyslog")));
        assert!(dirs.contains(&PathBuf::from("/usr/lib/rsyslog")));
    }

    #[test]
    fn a_lock_whose_owner_is_gone_is_stale() {
        let dir = std::env::temp_dir().join(format!("logwood-lock-test-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("owner"), std::process::id().to_string()).unwrap();
        assert!(!InstallLock::is_stale(&dir));
        fs::write(dir.join("owner"), "4294967295").unwrap();
        assert!(InstallLock::is_stale(&dir));
        fs::remove_dir_all(&dir).unwrap();
    }
}
