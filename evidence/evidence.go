// Package evidence is how spycheck reaches the bytes of an acquisition
// without ever changing them.
//
// A [Source] hides where files come from (an iTunes/Finder backup folder, a
// filesystem dump, later archives and encrypted backups). Modules ask it for
// files with a [Query] — backup file IDs, Manifest domain and relative-path
// patterns, or device-path globs — and read them through [Source.Open],
// [OpenDB] and [ReadPlist].
//
// Evidence is never modified: SQLite databases are copied (with their -wal
// and -shm sidecars) into a private temporary folder and opened there, and
// every input file read is hashed (SHA-256) into [Inputs] so the results can
// say exactly what was examined. The temporary folder is removed by
// [Source.Close].
//
// Errors name the file: they are [*FileError] values wrapping one of the
// sentinels [ErrNotFound], [ErrCorrupt], [ErrEncrypted] or an I/O error.
package evidence

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// Kind is the kind of acquisition a Source reads.
type Kind string

// Acquisition kinds.
const (
	IOSBackup      Kind = "ios-backup"
	IOSFS          Kind = "ios-fs"
	IOSSysdiagnose Kind = "ios-sysdiagnose"
	AndroidQF      Kind = "androidqf"
	Bugreport      Kind = "android-bugreport"
	AndroidBackup  Kind = "android-backup"
	IntrusionLogs  Kind = "android-intrusion-logs"
)

// Sentinel errors, matched with errors.Is.
var (
	// ErrNotFound means the artifact is not present in this acquisition.
	ErrNotFound = errors.New("not present")
	// ErrCorrupt means a file exists but cannot be parsed.
	ErrCorrupt = errors.New("corrupt or unreadable")
	// ErrEncrypted means the acquisition is encrypted and no key was given.
	ErrEncrypted = errors.New("encrypted")
	// ErrWrongPassword means the password or key given does not unlock the acquisition.
	ErrWrongPassword = errors.New("wrong password or key")
)

// FileError says which operation failed on which file.
type FileError struct {
	Op string
	// Path is the device path or backup domain/relative path, when known.
	Path string
	// Evidence is the file on the analyst's disk.
	Evidence string
	Err      error
}

func (e *FileError) Error() string {
	name := e.Evidence
	switch {
	case e.Path != "" && e.Evidence != "":
		name = fmt.Sprintf("%s (%s)", e.Path, e.Evidence)
	case e.Path != "":
		name = e.Path
	}
	return fmt.Sprintf("%s %s: %v", e.Op, name, e.Err)
}

func (e *FileError) Unwrap() error { return e.Err }

// Query asks a Source for files. Each kind of source uses the fields that
// make sense for it and ignores the others; an empty result is not an error.
type Query struct {
	// BackupIDs are backup file IDs (SHA-1 of "domain-relativePath"), tried
	// even when Manifest.db does not list them.
	BackupIDs []string
	// Domain restricts Manifest lookups to one backup domain ("" = any).
	Domain string
	// RelativePaths are Manifest relativePath patterns; '*' matches any run
	// of characters, including '/'.
	RelativePaths []string
	// RootFiles are files at the top of a backup folder (Info.plist).
	RootFiles []string
	// DevicePaths are device-path globs for filesystem dumps, relative to
	// the device root (private/var/mobile/Library/SMS/sms.db); '*' matches
	// within one path element, as in path.Match.
	DevicePaths []string
}

// Entry is one file found in a Source.
type Entry struct {
	// Domain and RelativePath locate the file in a backup.
	Domain       string
	RelativePath string
	// FileID is the backup file ID, if any.
	FileID string
	// DevicePath is the path relative to the device root, if known.
	DevicePath string
	// Local is where the bytes are on the analyst's disk.
	Local string
}

// Name is a human name for the entry, used in errors and results.
func (e Entry) Name() string {
	switch {
	case e.Domain != "":
		return e.Domain + "/" + e.RelativePath
	case e.DevicePath != "":
		return e.DevicePath
	case e.RelativePath != "":
		return e.RelativePath
	}
	return e.Local
}

// Sibling is the entry for a file next to e whose name has suffix added
// (used for SQLite -wal and -shm files).
func (e Entry) Sibling(suffix string) Entry {
	s := e
	if s.RelativePath != "" {
		s.RelativePath += suffix
	}
	if s.DevicePath != "" {
		s.DevicePath += suffix
	}
	s.Local += suffix
	s.FileID = ""
	return s
}

// Source is one acquisition.
type Source interface {
	Kind() Kind
	// Path is the acquisition's path as the analyst gave it.
	Path() string
	// Find returns the entries matching q, in a stable order.
	Find(ctx context.Context, q Query) ([]Entry, error)
	// Open reads an entry; what is read is hashed into Inputs. A missing
	// file gives an error wrapping ErrNotFound.
	Open(e Entry) (io.ReadCloser, error)
	// Workspace is the source's private temporary area.
	Workspace() *Workspace
	// Close removes every temporary copy.
	Close() error
}
