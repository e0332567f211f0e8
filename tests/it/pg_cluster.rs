//! A throw-away PostgreSQL cluster for the team-ledger tests: made with
//! the machine's initdb in a temporary folder, listening on 127.0.0.1 and
//! a free port only, stopped (and its folder removed) at the end. As root
//! the server runs as the `postgres` user, as PostgreSQL requires.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A running cluster with a database `team` (and any others a test
/// creates).
pub struct Cluster {
    dir: tempfile::TempDir,
    bindir: PathBuf,
    port: u16,
    as_root: bool,
}

/// The folder of initdb, pg_ctl and postgres: `pg_config --bindir`, else
/// Debian's versioned folder.
fn bindir() -> PathBuf {
    let from_config = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .filter(|dir| dir.join("initdb").exists());
    let debian = || {
        let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path().join("bin"))
            .filter(|dir| dir.join("initdb").exists())
            .collect();
        found.sort();
        found.pop()
    };
    from_config.or_else(debian).expect(
        "PostgreSQL's server programs (initdb, pg_ctl) are needed by the team-ledger tests: install PostgreSQL (.ci/run does: apt-get install postgresql)",
    )
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Cluster {
    /// Makes and starts a cluster, and creates the database `team`.
    pub fn start() -> Cluster {
        let bindir = bindir();
        let dir = tempfile::tempdir().unwrap();
        let as_root = is_root();
        if as_root {
            let owned = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(owned.success(), "chown to the postgres user failed");
        }
        let cluster = Cluster {
            dir,
            bindir,
            port: free_port(),
            as_root,
        };
        let init = cluster.server_program(
            "initdb",
            &[
                "-D",
                &cluster.data().display().to_string(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        );
        assert!(init.status.success(), "initdb: {}", text(&init));
        cluster.start_server();
        cluster.create_database("team");
        cluster
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Runs one of the server's programs, as `postgres` when root.
    fn server_program(&self, program: &str, args: &[&str]) -> Output {
        let path = self.bindir.join(program);
        let mut cmd = if self.as_root {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(path);
            cmd
        } else {
            Command::new(path)
        };
        cmd.args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap()
    }

    /// Starts (or starts again) the server on its port, and waits until it
    /// takes connections.
    pub fn start_server(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("server.log").display().to_string();
        let started = self.server_program(
            "pg_ctl",
            &[
                "-D",
                &self.data().display().to_string(),
                "-o",
                &options,
                "-l",
                &log,
                "-w",
                "-t",
                "60",
                "start",
            ],
        );
        assert!(
            started.status.success(),
            "pg_ctl start: {}\n{}",
            text(&started),
            std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "PostgreSQL did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills the server at once, as a crash would: every connection drops.
    pub fn kill(&self) {
        let _ = self.server_program(
            "pg_ctl",
            &[
                "-D",
                &self.data().display().to_string(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
    }

    /// The URL of database `db` as a profile writes it.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    /// Runs `sql` in database `db` with psql; rows come back unaligned.
    pub fn psql(&self, db: &str, sql: &str) -> Output {
        Command::new(self.bindir.join("psql"))
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"])
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args(["-U", "postgres", "-d", db, "-c", sql])
            .output()
            .unwrap()
    }

    /// Makes `user`, owner of database `team`, who must give `password`
    /// (scram-sha-256) to connect on 127.0.0.1; `postgres` still
    /// connects without one. The server reads its rules again at once.
    pub fn add_password_user(&self, user: &str, password: &str) {
        self.query(&format!(
            "CREATE USER {user} PASSWORD '{password}'; ALTER DATABASE team OWNER TO {user}"
        ));
        std::fs::write(
            self.data().join("pg_hba.conf"),
            "local all all trust\nhost all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n",
        )
        .unwrap();
        let data = self.data().display().to_string();
        let reloaded = self.server_program("pg_ctl", &["-D", &data, "reload"]);
        assert!(reloaded.status.success(), "{}", text(&reloaded));
        // A reload is a signal: wait until `user` is asked a password.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let asked = Command::new(self.bindir.join("psql"))
                .args(["-X", "-w", "-h", "127.0.0.1", "-p", &self.port.to_string()])
                .args(["-U", user, "-d", "team", "-c", "SELECT 1"])
                .env_remove("PGPASSWORD")
                .output()
                .unwrap();
            if !asked.status.success() {
                break;
            }
            assert!(Instant::now() < deadline, "pg_hba.conf was not read again");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The URL of database `team` for `user`, as a profile writes it.
    pub fn url_for(&self, user: &str) -> String {
        format!("postgres://{user}@127.0.0.1:{}/team", self.port)
    }

    /// The rows `sql` gives in database `team`, one line each.
    pub fn query(&self, sql: &str) -> String {
        self.query_in("team", sql)
    }

    /// The rows `sql` gives in database `db`, one line each.
    pub fn query_in(&self, db: &str, sql: &str) -> String {
        let out = self.psql(db, sql);
        assert!(out.status.success(), "{sql}: {}", text(&out));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Creates another, empty database `db`.
    pub fn create_database(&self, db: &str) {
        let created = self.psql("postgres", &format!("CREATE DATABASE {db}"));
        assert!(created.status.success(), "{}", text(&created));
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.kill();
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
