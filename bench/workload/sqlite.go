package workload

import (
	"fmt"

	"zombiezen.com/go/sqlite"
	"zombiezen.com/go/sqlite/sqlitex"

	"github.com/spycheck/spycheck/internal/fixture"
)

// db fills a new database in one transaction with prepared statements
// (scripts would parse every row).
type db struct {
	conn *sqlite.Conn
	err  error
}

// createDB makes the database at path from a schema script and opens a
// transaction on it.
func createDB(path, schema string) (*db, error) {
	if err := fixture.SQLiteFile(path, schema); err != nil {
		return nil, err
	}
	return beginDB(path)
}

// beginDB opens an existing database and a transaction on it.
func beginDB(path string) (*db, error) {
	conn, err := sqlite.OpenConn(path, sqlite.OpenReadWrite)
	if err != nil {
		return nil, err
	}
	for _, sql := range []string{"PRAGMA synchronous=OFF", "PRAGMA journal_mode=MEMORY", "BEGIN"} {
		if err := sqlitex.ExecuteTransient(conn, sql, nil); err != nil {
			conn.Close()
			return nil, err
		}
	}
	return &db{conn: conn}, nil
}

// insert runs the prepared statement sql with args; the first error is
// kept and returned by close.
func (d *db) insert(sql string, args ...any) {
	if d.err != nil {
		return
	}
	stmt, err := d.conn.Prepare(sql)
	if err != nil {
		d.err = err
		return
	}
	for i, a := range args {
		switch v := a.(type) {
		case nil:
			stmt.BindNull(i + 1)
		case string:
			stmt.BindText(i+1, v)
		case int:
			stmt.BindInt64(i+1, int64(v))
		case int64:
			stmt.BindInt64(i+1, v)
		case float64:
			stmt.BindFloat(i+1, v)
		case []byte:
			stmt.BindBytes(i+1, v)
		default:
			d.err = fmt.Errorf("insert: unsupported argument type %T", a)
			return
		}
	}
	if _, err := stmt.Step(); err != nil {
		d.err = fmt.Errorf("%s: %w", sql, err)
	}
	if err := stmt.Reset(); err != nil && d.err == nil {
		d.err = err
	}
}

// close commits (or, after an error, rolls back) and closes.
func (d *db) close() error {
	end := "COMMIT"
	if d.err != nil {
		end = "ROLLBACK"
	}
	err := sqlitex.ExecuteTransient(d.conn, end, nil)
	if d.err == nil {
		d.err = err
	}
	if err := d.conn.Close(); d.err == nil {
		d.err = err
	}
	return d.err
}

// Mac absolute time is seconds since 2001-01-01 UTC.
const macEpoch = 978307200

// startUnix is 2022-01-01 00:00:00 UTC, when every workload's history begins.
const startUnix = 1640995200
