package iosbackup

// Manifest.mbdb: the file list of iOS 5–9 backups, a binary file:
//
//	"mbdb" 0x05 0x00, then records of
//	  Domain, Path, LinkTarget, DataHash, EncryptionKey   strings
//	  Mode uint16, Inode uint64, UserID, GroupID uint32,
//	  LastModified, LastAccessed, Created uint32 (Unix seconds),
//	  Size uint64, ProtectionClass uint8, PropertyCount uint8,
//	  PropertyCount × (name, value) strings
//
// A string is a big-endian uint16 length then its bytes; 0xFFFF is an
// absent string. All integers are big-endian. EncryptionKey is, as in
// Manifest.db, a 4-byte class then the 40-byte wrapped key. Files lie flat
// in the backup folder under their file ID.
//
// spycheck turns the records into a Manifest.db (Files table, with an
// NSKeyedArchiver MBFile metadata blob per row) in the private folder, so
// the rest of the package reads both formats the same way.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"howett.net/plist"
	"zombiezen.com/go/sqlite"
	"zombiezen.com/go/sqlite/sqlitex"

	"github.com/spycheck/spycheck/evidence"
)

// MBDBRecord is one record of Manifest.mbdb.
type MBDBRecord struct {
	Domain, Path, LinkTarget string
	DataHash, EncryptionKey  []byte
	Mode                     uint16
	Inode                    uint64
	UserID, GroupID          uint32
	LastModified             uint32
	LastAccessed             uint32
	Created                  uint32
	Size                     uint64
	ProtectionClass          uint8
	Properties               map[string][]byte
}

// Flags is the Manifest.db flags value of the record: 1 file, 2 folder,
// 4 symbolic link.
func (r MBDBRecord) Flags() int64 {
	switch r.Mode & 0xf000 {
	case 0x4000:
		return 2
	case 0xa000:
		return 4
	}
	return 1
}

var mbdbMagic = []byte{'m', 'b', 'd', 'b', 5, 0}

// ParseMBDB parses a Manifest.mbdb file. Errors wrap evidence.ErrCorrupt;
// it never panics.
func ParseMBDB(data []byte) ([]MBDBRecord, error) {
	if len(data) < len(mbdbMagic) || string(data[:len(mbdbMagic)]) != string(mbdbMagic) {
		return nil, fmt.Errorf("parse Manifest.mbdb: %w: not an mbdb version 5 file", evidence.ErrCorrupt)
	}
	p := mbdbParser{data: data, off: len(mbdbMagic)}
	var out []MBDBRecord
	for p.off < len(p.data) {
		r := p.record()
		if p.err != nil {
			return nil, fmt.Errorf("parse Manifest.mbdb: %w: record %d: %v", evidence.ErrCorrupt, len(out)+1, p.err)
		}
		out = append(out, r)
	}
	return out, nil
}

type mbdbParser struct {
	data []byte
	off  int
	err  error
}

var errTruncated = errors.New("truncated")

func (p *mbdbParser) take(n int) []byte {
	if p.err != nil {
		return nil
	}
	if n > len(p.data)-p.off {
		p.err = errTruncated
		return nil
	}
	b := p.data[p.off : p.off+n]
	p.off += n
	return b
}

func (p *mbdbParser) u8() uint8 {
	if b := p.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (p *mbdbParser) u16() uint16 {
	if b := p.take(2); b != nil {
		return binary.BigEndian.Uint16(b)
	}
	return 0
}

func (p *mbdbParser) u32() uint32 {
	if b := p.take(4); b != nil {
		return binary.BigEndian.Uint32(b)
	}
	return 0
}

func (p *mbdbParser) u64() uint64 {
	if b := p.take(8); b != nil {
		return binary.BigEndian.Uint64(b)
	}
	return 0
}

func (p *mbdbParser) bytes() []byte {
	n := p.u16()
	if n == 0xffff {
		return nil
	}
	return clone(p.take(int(n)))
}

func (p *mbdbParser) record() MBDBRecord {
	var r MBDBRecord
	r.Domain = string(p.bytes())
	r.Path = string(p.bytes())
	r.LinkTarget = string(p.bytes())
	r.DataHash = p.bytes()
	r.EncryptionKey = p.bytes()
	r.Mode = p.u16()
	r.Inode = p.u64()
	r.UserID = p.u32()
	r.GroupID = p.u32()
	r.LastModified = p.u32()
	r.LastAccessed = p.u32()
	r.Created = p.u32()
	r.Size = p.u64()
	r.ProtectionClass = p.u8()
	n := int(p.u8())
	for i := 0; i < n && p.err == nil; i++ {
		name := string(p.bytes())
		if r.Properties == nil {
			r.Properties = map[string][]byte{}
		}
		r.Properties[name] = p.bytes()
	}
	return r
}

// maxMBDB bounds the size of a Manifest.mbdb read into memory.
const maxMBDB = 512 << 20

// convertMBDB reads Manifest.mbdb (hashed) and writes the equivalent
// Manifest.db into the private folder.
func (b *Backup) convertMBDB() error {
	_, err := b.converted()
	return err
}

// converted makes the Manifest.db once and returns its path.
func (b *Backup) converted() (string, error) {
	b.conv.Do(func() { b.convPath, b.convErr = b.writeConverted() })
	return b.convPath, b.convErr
}

func (b *Backup) convertedPath() (string, error) {
	dir, err := b.ws.TempDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "Manifest-from-mbdb.db"), nil
}

func (b *Backup) writeConverted() (string, error) {
	local := filepath.Join(b.root, "Manifest.mbdb")
	rc, err := b.ws.OpenFile(local, "Manifest.mbdb")
	if err != nil {
		return "", err
	}
	data, err := io.ReadAll(io.LimitReader(rc, maxMBDB+1))
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	if err == nil && len(data) > maxMBDB {
		err = fmt.Errorf("%w: larger than %d bytes", evidence.ErrCorrupt, maxMBDB)
	}
	if err != nil {
		return "", &evidence.FileError{Op: "read", Evidence: local, Err: err}
	}
	recs, err := ParseMBDB(data)
	if err != nil {
		return "", &evidence.FileError{Op: "read", Evidence: local, Err: err}
	}
	dst, err := b.convertedPath()
	if err != nil {
		return "", err
	}
	if err := writeManifestDB(dst, recs); err != nil {
		return "", &evidence.FileError{Op: "convert", Evidence: local, Err: err}
	}
	return dst, nil
}

// writeManifestDB writes records as a Manifest.db at path.
func writeManifestDB(path string, recs []MBDBRecord) error {
	conn, err := sqlite.OpenConn(path, sqlite.OpenReadWrite|sqlite.OpenCreate)
	if err != nil {
		return err
	}
	err = fillManifestDB(conn, recs)
	if cerr := conn.Close(); err == nil {
		err = cerr
	}
	return err
}

func fillManifestDB(conn *sqlite.Conn, recs []MBDBRecord) (err error) {
	err = sqlitex.ExecuteScript(conn, "CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, flags INTEGER, file BLOB); CREATE INDEX FilesDomainIdx ON Files(domain); CREATE INDEX FilesRelativePathIdx ON Files(relativePath); CREATE TABLE Properties (key TEXT PRIMARY KEY, value BLOB);", nil)
	if err != nil {
		return err
	}
	defer sqlitex.Save(conn)(&err)
	for _, r := range recs {
		meta, err := r.keyedArchive()
		if err != nil {
			return err
		}
		err = sqlitex.Execute(conn, "INSERT OR REPLACE INTO Files VALUES (?, ?, ?, ?, ?)", &sqlitex.ExecOptions{
			Args: []any{FileID(r.Domain, r.Path), r.Domain, r.Path, r.Flags(), meta},
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// keyedArchive is the record as an MBFile NSKeyedArchiver blob, the way
// Manifest.db stores file metadata. Created is written as Birth and
// LastStatusChange.
func (r MBDBRecord) keyedArchive() ([]byte, error) {
	objects := []any{"$null"}
	add := func(v any) plist.UID {
		objects = append(objects, v)
		return plist.UID(len(objects) - 1)
	}
	file := map[string]any{
		"Mode": uint64(r.Mode), "InodeNumber": r.Inode, "UserID": uint64(r.UserID), "GroupID": uint64(r.GroupID),
		"LastModified": uint64(r.LastModified), "Birth": uint64(r.Created), "LastStatusChange": uint64(r.Created),
		"Size": r.Size, "ProtectionClass": uint64(r.ProtectionClass), "Flags": uint64(0),
	}
	fileRef := add(file)
	file["$class"] = add(map[string]any{"$classname": "MBFile", "$classes": []any{"MBFile", "NSObject"}})
	file["RelativePath"] = add(r.Path)
	if r.LinkTarget != "" {
		file["Target"] = add(r.LinkTarget)
	}
	if len(r.EncryptionKey) > 0 {
		dataClass := add(map[string]any{"$classname": "NSMutableData", "$classes": []any{"NSMutableData", "NSData", "NSObject"}})
		file["EncryptionKey"] = add(map[string]any{"NS.data": r.EncryptionKey, "$class": dataClass})
	}
	archive := map[string]any{
		"$version": uint64(100000), "$archiver": "NSKeyedArchiver",
		"$top": map[string]any{"root": fileRef}, "$objects": objects,
	}
	return plist.Marshal(archive, plist.BinaryFormat)
}

// openConverted reads the Manifest.db made from Manifest.mbdb (not
// evidence: Manifest.mbdb itself was hashed when it was read).
func (b *Backup) openConverted(e evidence.Entry) (io.ReadCloser, error) {
	p, err := b.converted()
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, &evidence.FileError{Op: "open", Path: e.Name(), Evidence: p, Err: err}
	}
	return f, nil
}
