//! The inventory of every audit: scans (with their SBOM), components, licences, origin countries per
//! facet, model lineage, policy verdicts and findings, in SQLite (`sqlite:PATH`, embedded, the default)
//! or PostgreSQL (`postgres://…`, shared by a team). One schema for both, created and migrated here
//! (`migrations/`, a `schema_version` table); a store written by a newer sovereign is refused.
//!
//! Writes are transactions: a scan is stored whole or not at all (docs/store.md).

mod backend;
pub mod query;
pub mod write;

use std::path::PathBuf;
use std::time::Duration;

use backend::{Col, Conn, Val};

pub use query::{ComponentRow, QueryFilter, ScanInfo};
pub use write::ScanRecord;

/// The environment variable naming the store when `--store` is not given.
pub const STORE_ENV: &str = "SOVEREIGN_STORE";

/// The migrations, in order: (version, SQL). The schema version is the last one's.
const MIGRATIONS: &[(i64, &str)] = &[(1, include_str!("migrations/0001_init.sql"))];

/// The schema version this build writes and reads.
pub fn schema_version() -> i64 {
    MIGRATIONS.last().map(|m| m.0).unwrap_or(0)
}

/// A stored scan's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct ScanId(pub i64);

impl std::fmt::Display for ScanId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("`{0}` is not a store URL: give `sqlite:PATH` (or a file path) or `postgres://USER@HOST/DB`")]
    BadUrl(String),
    #[error(
        "the store `{url}` has schema version {found}, written by a newer sovereign; this one reads versions \
         up to {supported}: upgrade sovereign (the store was left unchanged)"
    )]
    NewerSchema { url: String, found: i64, supported: i64 },
    #[error("the SQLite store `{path}` is locked by another process (waited {waited_ms} ms); try again when it is done")]
    Locked { path: String, waited_ms: u128 },
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL: {0}")]
    Postgres(String),
    #[error("{0}")]
    Data(String),
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        // The server's message and detail when there is one; the connection error otherwise.
        match e.as_db_error() {
            Some(db) => StoreError::Postgres(format!("{} ({})", db.message(), db.code().code())),
            None => {
                let mut s = e.to_string();
                let mut src = std::error::Error::source(&e);
                while let Some(c) = src {
                    s.push_str(": ");
                    s.push_str(&c.to_string());
                    src = c.source();
                }
                StoreError::Postgres(s)
            }
        }
    }
}

/// How to open a store.
#[derive(Debug, Clone)]
pub struct Options {
    /// SQLite: how long to wait for another writer's lock. PostgreSQL: the connect timeout.
    pub timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options { timeout: Duration::from_secs(5) }
    }
}

/// Where a store lives, parsed from its URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Location {
    /// `sqlite:PATH`, `sqlite://PATH`, `postgres://…` / `postgresql://…`; anything else without a scheme
    /// is taken as a SQLite file path.
    pub fn parse(url: &str) -> Result<Location, StoreError> {
        let url = url.trim();
        if url.is_empty() {
            return Err(StoreError::BadUrl(url.to_string()));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Location::Postgres(url.to_string()));
        }
        if let Some(rest) = url.strip_prefix("sqlite:") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            if path.is_empty() {
                return Err(StoreError::BadUrl(url.to_string()));
            }
            return Ok(Location::Sqlite(PathBuf::from(path)));
        }
        if url.contains("://") {
            return Err(StoreError::BadUrl(crate::util::redact::redact_url(url)));
        }
        Ok(Location::Sqlite(PathBuf::from(url)))
    }
}

/// An open store, migrated to this build's schema.
pub struct Store {
    conn: Conn,
    /// The URL for messages (credentials redacted).
    shown: String,
    timeout: Duration,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({})", self.shown)
    }
}

impl Store {
    /// Opens (creating when needed) the store at `url` and migrates it.
    pub fn open(url: &str) -> Result<Store, StoreError> {
        Store::open_with(url, &Options::default())
    }

    /// Opens an existing store for reading: a SQLite path that does not exist is an error, not a new
    /// empty store (a mistyped path would otherwise answer "nothing found").
    pub fn open_existing(url: &str) -> Result<Store, StoreError> {
        if let Location::Sqlite(path) = Location::parse(url)? {
            if !path.is_file() {
                return Err(StoreError::Data(format!("there is no store at `{}`", path.display())));
            }
        }
        Store::open(url)
    }

    pub fn open_with(url: &str, opts: &Options) -> Result<Store, StoreError> {
        let loc = Location::parse(url)?;
        let shown = crate::util::redact::redact_url(url);
        let conn = match &loc {
            Location::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        StoreError::Data(format!("cannot create the directory `{}`: {e}", dir.display()))
                    })?;
                }
                Conn::open_sqlite(path, opts.timeout)?
            }
            Location::Postgres(u) => Conn::open_postgres(u, opts.timeout)?,
        };
        let mut store = Store { conn, shown, timeout: opts.timeout };
        store.migrate().map_err(|e| store.locked(e))?;
        Ok(store)
    }

    /// The URL the store was opened with, credentials redacted.
    pub fn url(&self) -> &str {
        &self.shown
    }

    pub fn is_postgres(&self) -> bool {
        self.conn.is_postgres()
    }

    /// A SQLite "database is locked" as the clear error it is.
    fn locked(&self, e: StoreError) -> StoreError {
        match e {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _))
                if matches!(
                    f.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) =>
            {
                StoreError::Locked { path: self.shown.clone(), waited_ms: self.timeout.as_millis() }
            }
            e => e,
        }
    }

    /// The schema version stored, 0 for a new store.
    fn stored_version(&mut self) -> Result<i64, StoreError> {
        self.conn.batch("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")?;
        let rows = self.conn.query("SELECT MAX(version) FROM schema_version", &[], &[Col::Int])?;
        Ok(rows.first().map(|r| r[0].int()).unwrap_or(0))
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let found = self.stored_version()?;
        let supported = schema_version();
        if found > supported {
            return Err(StoreError::NewerSchema { url: self.shown.clone(), found, supported });
        }
        if found == supported {
            return Ok(());
        }
        let id = if self.conn.is_postgres() {
            "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
        } else {
            "INTEGER PRIMARY KEY AUTOINCREMENT"
        };
        // SQLite takes the write lock at once; PostgreSQL serialises concurrent migrations on a lock.
        self.conn.batch(if self.conn.is_postgres() { "BEGIN" } else { "BEGIN IMMEDIATE" })?;
        let applied = (|| {
            if self.conn.is_postgres() {
                self.conn.batch("LOCK TABLE schema_version IN EXCLUSIVE MODE")?;
            }
            // Read again under the lock: another process may have migrated meanwhile.
            let now = self
                .conn
                .query("SELECT MAX(version) FROM schema_version", &[], &[Col::Int])?
                .first()
                .map(|r| r[0].int())
                .unwrap_or(0);
            for (version, sql) in MIGRATIONS.iter().filter(|m| m.0 > now) {
                self.conn.batch(&sql.replace("{{ID}}", id))?;
                self.conn.exec("INSERT INTO schema_version (version) VALUES (?)", &[Val::Int(*version)])?;
            }
            Ok::<(), StoreError>(())
        })();
        self.finish(applied)
    }

    /// COMMIT after success, ROLLBACK (best effort: the connection may be gone) after a failure.
    fn finish<T>(&mut self, r: Result<T, StoreError>) -> Result<T, StoreError> {
        match r {
            Ok(v) => match self.conn.batch("COMMIT") {
                Ok(()) => Ok(v),
                Err(e) => {
                    let _ = self.conn.batch("ROLLBACK");
                    Err(self.locked(e))
                }
            },
            Err(e) => {
                let _ = self.conn.batch("ROLLBACK");
                Err(self.locked(e))
            }
        }
    }

    fn begin(&mut self) -> Result<(), StoreError> {
        let r = self.conn.batch(if self.conn.is_postgres() { "BEGIN" } else { "BEGIN IMMEDIATE" });
        r.map_err(|e| self.locked(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(Location::parse("sqlite:a/b.db").unwrap(), Location::Sqlite("a/b.db".into()));
        assert_eq!(Location::parse("sqlite:///tmp/x.db").unwrap(), Location::Sqlite("/tmp/x.db".into()));
        assert_eq!(Location::parse("inv.db").unwrap(), Location::Sqlite("inv.db".into()));
        assert!(matches!(Location::parse("postgres://u@127.0.0.1/db").unwrap(), Location::Postgres(_)));
        assert!(matches!(Location::parse("mysql://x/y"), Err(StoreError::BadUrl(_))));
        assert!(matches!(Location::parse("sqlite:"), Err(StoreError::BadUrl(_))));
    }

    #[test]
    fn placeholders() {
        assert_eq!(backend::numbered("a = ? AND b = '?' AND c = ?"), "a = $1 AND b = '?' AND c = $2");
    }
}
