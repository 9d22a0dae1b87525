package android

// Helpers shared by several Android modules.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spycheck/spycheck/android/dumpsys"
	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
)

// maxTextFile bounds the small text and JSON files modules read whole
// (getprop.txt, settings_*.txt, acquisition.json …).
const maxTextFile = 64 << 20

// maxTreeDepth is how many folder levels treeGlobs reaches below a folder.
const maxTreeDepth = 16

// maxLogLine bounds one line of a streamed text file; longer lines are cut.
const maxLogLine = 1 << 20

// rootFile is the query for a file at the top of an acquisition.
func rootFile(names ...string) evidence.Query {
	return evidence.Query{DevicePaths: names}
}

// treeGlobs lists the globs reaching every file below dir, at any depth
// up to maxTreeDepth ('*' stops at '/' in Query.DevicePaths).
func treeGlobs(dir string) evidence.Query {
	globs := make([]string, 0, maxTreeDepth)
	p := dir
	for range maxTreeDepth {
		p += "/*"
		globs = append(globs, p)
	}
	return evidence.Query{DevicePaths: globs}
}

// readRootFile finds the first of names at the acquisition root and reads
// it whole; an absent file gives an error wrapping evidence.ErrNotFound.
func readRootFile(ctx context.Context, src evidence.Source, names ...string) ([]byte, evidence.Entry, error) {
	e, err := module.FindOne(ctx, src, rootFile(names...))
	if err != nil {
		return nil, e, fmt.Errorf("find %s: %w", strings.Join(names, " or "), err)
	}
	data, err := evidence.ReadFile(src, e, maxTextFile)
	return data, e, err
}

// corruptFile reports a file whose content cannot be parsed.
func corruptFile(e evidence.Entry, op string, err error) error {
	return &evidence.FileError{Op: op, Path: e.Name(), Evidence: e.Local, Err: fmt.Errorf("%w: %w", evidence.ErrCorrupt, err)}
}

// eachLine streams the lines of an entry (without their end of line);
// lines longer than maxLogLine are cut there.
func eachLine(src evidence.Source, e evidence.Entry, fn func(line []byte) error) error {
	rc, err := src.Open(e)
	if err != nil {
		return err
	}
	err = scanLines(rc, fn)
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return &evidence.FileError{Op: "read", Path: e.Name(), Evidence: e.Local, Err: err}
	}
	return nil
}

// scanLines calls fn with each line of r (a trailing "\r" removed).
func scanLines(r io.Reader, fn func(line []byte) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var long []byte
	for {
		chunk, isPrefix, err := br.ReadLine()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if isPrefix || long != nil {
			if len(long) < maxLogLine {
				long = append(long, chunk[:min(len(chunk), maxLogLine-len(long))]...)
			}
			if isPrefix {
				continue
			}
			chunk, long = long, nil
		}
		if err := fn(bytes.TrimSuffix(chunk, []byte("\r"))); err != nil {
			return err
		}
	}
}

// eachJSONItem streams the items of a JSON array, or of a stream of
// newline-delimited JSON values, calling fn with each item as plain
// values (see plainJSON). Errors other than fn's own *evidence.FileError
// are reported as a corrupt file.
func eachJSONItem(src evidence.Source, e evidence.Entry, fn func(v any) error) error {
	rc, err := src.Open(e)
	if err != nil {
		return err
	}
	err = decodeJSONItems(rc, fn)
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	var fe *evidence.FileError
	if err != nil && !errors.As(err, &fe) {
		return corruptFile(e, "parse JSON", err)
	}
	return err
}

// decodeJSONItems is eachJSONItem on a reader.
func decodeJSONItems(r io.Reader, fn func(v any) error) error {
	br := bufio.NewReader(r)
	first, err := firstNonSpace(br)
	if err != nil {
		if err == io.EOF {
			return nil
		}
		return err
	}
	dec := json.NewDecoder(br)
	dec.UseNumber()
	if first == '[' {
		if _, err := dec.Token(); err != nil {
			return err
		}
		for dec.More() {
			if err := decodeOne(dec, fn); err != nil {
				return err
			}
		}
		_, err := dec.Token()
		return err
	}
	for {
		if err := decodeOne(dec, fn); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

func decodeOne(dec *json.Decoder, fn func(v any) error) error {
	var v any
	if err := dec.Decode(&v); err != nil {
		return err
	}
	return fn(plainJSON(v))
}

// firstNonSpace peeks the first byte of r that is not JSON white space
// (a UTF-8 byte order mark is skipped).
func firstNonSpace(br *bufio.Reader) (byte, error) {
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	for {
		b, err := br.ReadByte()
		if err != nil {
			return 0, err
		}
		switch b {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return b, br.UnreadByte()
	}
}

// plainJSON turns json.Number values into int64 (or float64 when not an
// integer), recursively, so records hold plain values.
func plainJSON(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = plainJSON(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = plainJSON(x[k])
		}
	}
	return v
}

// sha256Entry streams an entry through SHA-256 and returns the hex digest
// and the number of bytes read.
func sha256Entry(src evidence.Source, e evidence.Entry) (string, int64, error) {
	rc, err := src.Open(e)
	if err != nil {
		return "", 0, err
	}
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, &evidence.FileError{Op: "hash", Path: e.Name(), Evidence: e.Local, Err: err}
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// entryModTimer is implemented by sources that know the modification time
// of their entries (archives); other sources are asked through the file
// on disk.
type entryModTimer interface {
	ModTime(e evidence.Entry) (time.Time, error)
}

// entryModTime returns when an entry was last modified, as its source
// stores it.
func entryModTime(src evidence.Source, e evidence.Entry) (time.Time, error) {
	if mt, ok := src.(entryModTimer); ok {
		return mt.ModTime(e)
	}
	st, err := os.Stat(e.Local)
	if err != nil {
		return time.Time{}, &evidence.FileError{Op: "stat", Path: e.Name(), Evidence: e.Local, Err: err}
	}
	return st.ModTime(), nil
}

// textField reads a string field of a JSON object, "" when absent or not a string.
func textField(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

// dumpstateKinds is for modules reading the dumpsys output of a bug report
// (its dumpstate) or of an androidqf acquisition (dumpsys.txt).
var dumpstateKinds = []evidence.Kind{evidence.Bugreport, evidence.AndroidQF}

// findDumpstate locates the dumpsys output as MVT does: the file named by
// main_entry.txt (a bug report); else the first dumpState_*.log; else
// dumpsys.txt at the root or one folder down (androidqf).
func findDumpstate(ctx context.Context, src evidence.Source) (evidence.Entry, error) {
	main, err := src.Find(ctx, rootFile("main_entry.txt"))
	if err != nil {
		return evidence.Entry{}, err
	}
	if len(main) > 0 {
		name, err := evidence.ReadFile(src, main[0], 4096)
		if err != nil {
			return evidence.Entry{}, err
		}
		target := strings.TrimSpace(string(name))
		e, err := module.FindOne(ctx, src, rootFile(target))
		if err != nil {
			return e, fmt.Errorf("find dumpstate %q named by main_entry.txt: %w", target, err)
		}
		return e, nil
	}
	for _, q := range []evidence.Query{rootFile("dumpState_*.log"), rootFile("dumpsys.txt", "*/dumpsys.txt")} {
		found, err := src.Find(ctx, q)
		if err != nil || len(found) > 0 {
			return firstEntry(found), err
		}
	}
	return evidence.Entry{}, fmt.Errorf("find dumpstate (main_entry.txt, dumpState_*.log or dumpsys.txt): %w", evidence.ErrNotFound)
}

func firstEntry(es []evidence.Entry) evidence.Entry {
	if len(es) == 0 {
		return evidence.Entry{}
	}
	return es[0]
}

// eachDumpsysLine streams the lines of one section of the dumpstate:
// service name, or dumpsys.Properties for the system properties block. An
// absent section gives no lines and no error (MVT parses an empty text);
// fn may return dumpsys.ErrStop to stop early.
func eachDumpsysLine(ctx context.Context, src evidence.Source, section string, mode dumpsys.Mode, fn func(line string) error) error {
	e, err := findDumpstate(ctx, src)
	if err != nil {
		return err
	}
	rc, err := src.Open(e)
	if err != nil {
		return err
	}
	n := 0
	_, err = dumpsys.Service(rc, mode, section, func(line []byte) error {
		if n++; n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		return fn(string(line))
	})
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	if err != nil && ctx.Err() == nil {
		return &evidence.FileError{Op: "read dumpsys " + section, Path: e.Name(), Evidence: e.Local, Err: err}
	}
	return err
}
