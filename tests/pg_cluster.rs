//! A throwaway PostgreSQL cluster on 127.0.0.1 for the store tests and bench: `initdb` in a temporary
//! directory, `pg_ctl start` on a free port, trust authentication for the `sovereign` role, stopped and
//! removed on drop. initdb and postgres refuse to run as root: as root the cluster is owned by and run
//! as the `postgres` system user (Debian's `postgresql` package creates it; `.ci/run` installs it).
//!
//! Without PostgreSQL binaries a test prints that it was skipped, except under CI (`CI=true`), where
//! that fails: CI never passes by skipping.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct PgCluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    as_postgres: bool,
}

fn find_bin() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SOVEREIGN_PG_BIN") {
        return Some(PathBuf::from(p));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|v| v.1)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

impl PgCluster {
    /// A new cluster, or `None` (skipped, outside CI) when PostgreSQL is not installed.
    pub fn start(test: &str) -> Option<PgCluster> {
        let Some(bin) = find_bin() else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{test}: PostgreSQL is not installed (/usr/lib/postgresql/*/bin); .ci/run installs it"
            );
            eprintln!("{test}: skipped, PostgreSQL is not installed (apt-get install postgresql)");
            return None;
        };
        let as_postgres = is_root();
        // /tmp: reachable by the postgres user (TMPDIR may be under a private home) and short enough for
        // the server's socket path.
        let dir = tempfile::Builder::new().prefix("sovereign-pg").tempdir_in("/tmp").unwrap();
        if as_postgres {
            let st = Command::new("chown").args(["-R", "postgres:"]).arg(dir.path()).status().unwrap();
            assert!(st.success(), "cannot give {} to the postgres user", dir.path().display());
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let c = PgCluster { bin, dir, port, as_postgres };
        let data = c.data();
        c.run(
            "initdb",
            &["-D", &data, "-A", "trust", "-U", "sovereign", "-E", "UTF8", "--locale=C", "--no-sync"],
        );
        c.start_server();
        Some(c)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let exe = self.bin.join(tool);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        let out = cmd.args(args).current_dir(self.dir.path()).output().unwrap();
        assert!(
            out.status.success(),
            "{tool} {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Starts the server (again, after [`PgCluster::stop`]).
    pub fn start_server(&self) {
        let data = self.data();
        let log = self.dir.path().join("log").display().to_string();
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off",
            self.port,
            self.dir.path().display()
        );
        self.run("pg_ctl", &["-D", &data, "-l", &log, "-w", "-t", "120", "-o", &opts, "start"]);
    }

    /// Stops the server at once, as a crash or a pulled cable would (open transactions are lost).
    pub fn stop(&self) {
        self.run("pg_ctl", &["-D", &self.data(), "-m", "immediate", "-w", "stop"]);
    }

    pub fn url(&self) -> String {
        format!("postgres://sovereign@127.0.0.1:{}/postgres", self.port)
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let exe = self.bin.join("pg_ctl");
        let data = self.data();
        let args = ["-D", data.as_str(), "-m", "immediate", "stop"];
        let _ = if self.as_postgres {
            Command::new("runuser").args(["-u", "postgres", "--"]).arg(&exe).args(args).output()
        } else {
            Command::new(&exe).args(args).output()
        };
    }
}
