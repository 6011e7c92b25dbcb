"""The catalog: one row per finished episode, written when it is made, as a parquet dataset
(for pandas, pyarrow and DuckDB) and a SQL table (SQLite here, Postgres in production)."""
