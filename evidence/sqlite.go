package evidence

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"zombiezen.com/go/sqlite"
)

// DB is a SQLite database from the evidence, opened on a private copy.
type DB struct {
	conn  *sqlite.Conn
	entry Entry
}

// OpenDB copies the database of e, with its -wal and -shm files when
// present, into the source's private folder and opens the copy, so that
// un-checkpointed WAL content is visible and the evidence is untouched.
func OpenDB(src Source, e Entry) (*DB, error) {
	ws := src.Workspace()
	path, err := ws.once("db:"+e.Local, func() (string, error) { return copyDB(src, e) })
	if err != nil {
		return nil, err
	}
	conn, err := sqlite.OpenConn(path, sqlite.OpenReadWrite)
	if err != nil {
		return nil, &FileError{Op: "open database", Path: e.Name(), Evidence: e.Local, Err: fmt.Errorf("%w: %v", ErrCorrupt, err)}
	}
	db := &DB{conn: conn, entry: e}
	// Touch the schema now so a file that is not SQLite fails here, with its name.
	if err := db.Query("SELECT name FROM sqlite_master LIMIT 1", nil); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func copyDB(src Source, e Entry) (string, error) {
	root, err := src.Workspace().TempDir()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp(root, "db-")
	if err != nil {
		return "", fmt.Errorf("copy %s: %w", e.Name(), err)
	}
	dst := filepath.Join(dir, "db.sqlite")
	if err := copyEntry(src, e, dst); err != nil {
		return "", err
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		err := copyEntry(src, e.Sibling(suffix), dst+suffix)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return "", err
		}
	}
	return dst, nil
}

// Entry is the evidence file this database was read from.
func (db *DB) Entry() Entry { return db.entry }

// Close closes the connection (the copy is removed with the source).
func (db *DB) Close() error { return db.conn.Close() }

// Row is the current row of a query.
type Row struct {
	stmt  *sqlite.Stmt
	names []string // column names by index, shared by every row of the query
	dups  bool     // some names repeat
}

// Query runs sql with args bound in order and calls fn for every row.
// Errors name the database file.
func (db *DB) Query(sql string, fn func(Row) error, args ...any) error {
	err := db.query(sql, fn, args)
	if err != nil {
		var fe *FileError
		if errors.As(err, &fe) {
			return err
		}
		return &FileError{Op: "query", Path: db.entry.Name(), Evidence: db.entry.Local, Err: err}
	}
	return nil
}

func (db *DB) query(sql string, fn func(Row) error, args []any) error {
	stmt, _, err := db.conn.PrepareTransient(sql)
	if err != nil {
		if isCorrupt(err) {
			return fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		return err
	}
	defer stmt.Finalize()
	for i, a := range args {
		switch v := a.(type) {
		case string:
			stmt.BindText(i+1, v)
		case int64:
			stmt.BindInt64(i+1, v)
		case int:
			stmt.BindInt64(i+1, int64(v))
		case float64:
			stmt.BindFloat(i+1, v)
		case []byte:
			stmt.BindBytes(i+1, v)
		case nil:
			stmt.BindNull(i + 1)
		default:
			return fmt.Errorf("query: unsupported argument type %T", a)
		}
	}
	row := Row{stmt: stmt}
	for {
		ok, err := stmt.Step()
		if err != nil {
			if isCorrupt(err) {
				return fmt.Errorf("%w: %v", ErrCorrupt, err)
			}
			return err
		}
		if !ok {
			return nil
		}
		if fn == nil {
			continue
		}
		if row.names == nil {
			row.names, row.dups = columnNames(stmt)
		}
		if err := fn(row); err != nil {
			return err
		}
	}
}

// columnNames lists the names of stmt's columns once per query (the
// driver's ColumnName walks a map on every call). A name that repeats is
// given to its last column only, the others get "", as ColumnName does.
func columnNames(stmt *sqlite.Stmt) (names []string, dups bool) {
	names = make([]string, stmt.ColumnCount())
	seen := make(map[string]bool, len(names))
	for i := range names {
		names[i] = stmt.ColumnName(i)
		dups = dups || seen[names[i]]
		seen[names[i]] = true
	}
	return names, dups
}

func isCorrupt(err error) bool {
	code := sqlite.ErrCode(err)
	return code == sqlite.ResultCorrupt || code == sqlite.ResultNotADB
}

// Columns lists the columns of a table (empty when the table is absent).
func (db *DB) Columns(table string) (map[string]bool, error) {
	cols := map[string]bool{}
	err := db.Query("SELECT name FROM pragma_table_info(?)", func(r Row) error {
		cols[r.stmt.ColumnText(0)] = true
		return nil
	}, table)
	return cols, err
}

// HasTable reports whether a table exists.
func (db *DB) HasTable(table string) (bool, error) {
	found := false
	err := db.Query("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", func(Row) error {
		found = true
		return nil
	}, table)
	return found, err
}

// Len is the number of columns.
func (r Row) Len() int { return r.stmt.ColumnCount() }

// Name is the name of column i.
func (r Row) Name(i int) string {
	if i >= 0 && i < len(r.names) {
		return r.names[i]
	}
	return r.stmt.ColumnName(i)
}

// Value is column i as a plain JSON value: nil, int64, float64, string,
// or []byte for blobs.
func (r Row) Value(i int) any {
	switch r.stmt.ColumnType(i) {
	case sqlite.TypeNull:
		return nil
	case sqlite.TypeInteger:
		return r.stmt.ColumnInt64(i)
	case sqlite.TypeFloat:
		return r.stmt.ColumnFloat(i)
	case sqlite.TypeBlob:
		b := make([]byte, r.stmt.ColumnLen(i))
		r.stmt.ColumnBytes(i, b)
		return b
	}
	return r.stmt.ColumnText(i)
}

// Get is the value of the named column (nil when absent).
func (r Row) Get(name string) any {
	i := r.stmt.ColumnIndex(name)
	if i < 0 {
		return nil
	}
	return r.Value(i)
}

// Text is the named column as text ("" for NULL or absent).
func (r Row) Text(name string) string {
	i := r.stmt.ColumnIndex(name)
	if i < 0 || r.stmt.ColumnType(i) == sqlite.TypeNull {
		return ""
	}
	return r.stmt.ColumnText(i)
}

// Map returns every column as a map, with blobs turned into text as MVT
// writes them (see BytesText), or base64-encoded for the columns named in
// base64Cols (binary archives MVT encodes so). When a name repeats, the first column wins.
func (r Row) Map(base64Cols ...string) map[string]any {
	n := r.Len()
	m := make(map[string]any, n)
	for i := 0; i < n; i++ {
		name := r.Name(i)
		if r.dups {
			if _, dup := m[name]; dup {
				continue
			}
		}
		v := r.Value(i)
		if b, ok := v.([]byte); ok {
			if len(b) > 0 && slices.Contains(base64Cols, name) {
				v = base64.StdEncoding.EncodeToString(b)
			} else {
				v = BytesText(b)
			}
		}
		m[name] = v
	}
	return m
}

// BytesText turns bytes into a string the way MVT's JSON encoder does:
// valid UTF-8 as is, other bytes as \xNN escapes.
func BytesText(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 {
			sb.WriteString(`\x` + strconv.FormatUint(uint64(b[0])|0x100, 16)[1:])
			b = b[1:]
			continue
		}
		sb.Write(b[:size])
		b = b[size:]
	}
	return sb.String()
}
