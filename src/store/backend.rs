//! The two databases behind one small interface: statements written once with `?` placeholders
//! (rewritten to `$1, $2…` for PostgreSQL), values of three kinds, explicit transactions. No ORM: every
//! statement the store runs is plain SQL in this module's callers.

use std::time::Duration;

use super::StoreError;

/// A value bound to or read from a statement. Integers are BIGINT on both sides, reals DOUBLE PRECISION.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Int(i64),
    Real(f64),
    Text(Option<String>),
    /// A NULL in a BIGINT column (PostgreSQL types its parameters).
    NullInt,
}

impl Val {
    pub(crate) fn text(s: impl Into<String>) -> Val {
        Val::Text(Some(s.into()))
    }
    pub(crate) fn opt(s: Option<&str>) -> Val {
        Val::Text(s.map(str::to_string))
    }
    pub(crate) fn int(&self) -> i64 {
        match self {
            Val::Int(i) => *i,
            Val::Real(r) => *r as i64,
            Val::Text(_) | Val::NullInt => 0,
        }
    }
    pub(crate) fn real(&self) -> f64 {
        match self {
            Val::Real(r) => *r,
            Val::Int(i) => *i as f64,
            Val::Text(_) | Val::NullInt => 0.0,
        }
    }
    pub(crate) fn str(&self) -> Option<&str> {
        match self {
            Val::Text(s) => s.as_deref(),
            _ => None,
        }
    }
    pub(crate) fn string(&self) -> String {
        self.str().unwrap_or_default().to_string()
    }
}

/// The type a selected column is read as.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Col {
    Int,
    Real,
    Text,
}

pub(crate) enum Conn {
    Sqlite(rusqlite::Connection),
    Postgres(Box<postgres::Client>),
}

/// `?` placeholders to `$n` (outside quoted strings), for PostgreSQL.
pub(crate) fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let (mut n, mut quoted) = (0, false);
    for ch in sql.chars() {
        match ch {
            '\'' => {
                quoted = !quoted;
                out.push(ch);
            }
            '?' if !quoted => {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            }
            _ => out.push(ch),
        }
    }
    out
}

impl rusqlite::ToSql for Val {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, Value, ValueRef};
        Ok(match self {
            Val::Int(i) => ToSqlOutput::Owned(Value::Integer(*i)),
            Val::Real(r) => ToSqlOutput::Owned(Value::Real(*r)),
            Val::Text(Some(s)) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Val::Text(None) | Val::NullInt => ToSqlOutput::Owned(Value::Null),
        })
    }
}

static NULL_INT: Option<i64> = None;

fn pg_params(params: &[Val]) -> Vec<&(dyn postgres::types::ToSql + Sync)> {
    params
        .iter()
        .map(|v| match v {
            Val::Int(i) => i as &(dyn postgres::types::ToSql + Sync),
            Val::Real(r) => r as &(dyn postgres::types::ToSql + Sync),
            Val::Text(s) => s as &(dyn postgres::types::ToSql + Sync),
            Val::NullInt => &NULL_INT as &(dyn postgres::types::ToSql + Sync),
        })
        .collect()
}

impl Conn {
    pub(crate) fn open_sqlite(path: &std::path::Path, busy: Duration) -> Result<Conn, rusqlite::Error> {
        let c = rusqlite::Connection::open(path)?;
        c.busy_timeout(busy)?;
        c.execute_batch("PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")?;
        Ok(Conn::Sqlite(c))
    }

    pub(crate) fn open_postgres(url: &str, timeout: Duration) -> Result<Conn, postgres::Error> {
        let mut config: postgres::Config = url.parse()?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(timeout);
        }
        // TLS is not offered: the store is reached on a trusted network or loopback (docs/store.md).
        let client = config.connect(postgres::NoTls)?;
        Ok(Conn::Postgres(Box::new(client)))
    }

    pub(crate) fn is_postgres(&self) -> bool {
        matches!(self, Conn::Postgres(_))
    }

    /// Several statements without parameters (migrations, BEGIN/COMMIT).
    pub(crate) fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        match self {
            Conn::Sqlite(c) => c.execute_batch(sql).map_err(StoreError::from),
            Conn::Postgres(c) => c.batch_execute(sql).map_err(StoreError::from),
        }
    }

    pub(crate) fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, StoreError> {
        match self {
            Conn::Sqlite(c) => {
                let mut st = c.prepare_cached(sql)?;
                Ok(st.execute(rusqlite::params_from_iter(params.iter()))? as u64)
            }
            Conn::Postgres(c) => Ok(c.execute(numbered(sql).as_str(), &pg_params(params))?),
        }
    }

    /// Rows of `cols.len()` columns, read as the given types.
    pub(crate) fn query(
        &mut self,
        sql: &str,
        params: &[Val],
        cols: &[Col],
    ) -> Result<Vec<Vec<Val>>, StoreError> {
        match self {
            Conn::Sqlite(c) => {
                let mut st = c.prepare_cached(sql)?;
                let rows = st.query_map(rusqlite::params_from_iter(params.iter()), |r| {
                    cols.iter()
                        .enumerate()
                        .map(|(i, col)| {
                            Ok(match col {
                                Col::Int => Val::Int(r.get::<_, Option<i64>>(i)?.unwrap_or(0)),
                                Col::Real => Val::Real(r.get::<_, Option<f64>>(i)?.unwrap_or(0.0)),
                                Col::Text => Val::Text(r.get::<_, Option<String>>(i)?),
                            })
                        })
                        .collect::<rusqlite::Result<Vec<Val>>>()
                })?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            }
            Conn::Postgres(c) => {
                let rows = c.query(numbered(sql).as_str(), &pg_params(params))?;
                rows.iter()
                    .map(|r| {
                        cols.iter()
                            .enumerate()
                            .map(|(i, col)| {
                                Ok(match col {
                                    Col::Int => Val::Int(r.try_get::<_, Option<i64>>(i)?.unwrap_or(0)),
                                    Col::Real => Val::Real(r.try_get::<_, Option<f64>>(i)?.unwrap_or(0.0)),
                                    Col::Text => Val::Text(r.try_get::<_, Option<String>>(i)?),
                                })
                            })
                            .collect::<Result<Vec<Val>, StoreError>>()
                    })
                    .collect()
            }
        }
    }

    /// Inserts many rows of `width` values with multi-row `INSERT … VALUES (…), (…)` statements.
    pub(crate) fn insert_many(
        &mut self,
        head: &str,
        width: usize,
        rows: &[Val],
        max_params: usize,
    ) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        let per = (max_params / width).max(1);
        let tuple = format!("({})", vec!["?"; width].join(", "));
        for chunk in rows.chunks(per * width) {
            let n = chunk.len() / width;
            let sql = format!("{head} VALUES {}", vec![tuple.as_str(); n].join(", "));
            self.exec(&sql, chunk)?;
        }
        Ok(())
    }
}
