package iosbackup

// Encrypted backups: Manifest.plist carries the keybag and, from iOS 10.2,
// ManifestKey (4-byte little-endian protection class + 40-byte wrapped
// key) for Manifest.db. Each file's key is in its Manifest metadata
// (EncryptionKey: 4-byte class + 40-byte wrapped key; ProtectionClass;
// Size). Files and Manifest.db are AES-256-CBC with a zero IV.
//
// Nothing is decrypted ahead of time: Open(entry) decrypts as the module
// reads, from the evidence file (which the workspace hashes as it is on
// disk), and OpenDB's private copy of a database is where its plaintext
// lands. Plaintext is never written next to the evidence.

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"howett.net/plist"

	"github.com/spycheck/spycheck/evidence"
)

// Option configures Open.
type Option func(*openOptions)

type openOptions struct {
	password    string
	hasPassword bool
	key         []byte
}

// WithPassword gives the backup password. It is ignored for unencrypted
// backups.
func WithPassword(password string) Option {
	return func(o *openOptions) { o.password, o.hasPassword = password, true }
}

// WithKey gives the 32-byte key derived from the backup password (see
// Keybag.DeriveKey and ParseKeyHex); it skips the slow derivation. It
// wins over WithPassword.
func WithKey(key []byte) Option {
	return func(o *openOptions) { o.key = clone(key) }
}

// manifestPlist holds what decryption needs from Manifest.plist.
type manifestPlist struct {
	IsEncrypted  bool   `plist:"IsEncrypted"`
	BackupKeyBag []byte `plist:"BackupKeyBag"`
	ManifestKey  []byte `plist:"ManifestKey"`
}

// readManifestPlist reads Manifest.plist; a missing file gives a zero value.
func readManifestPlist(path string) (m manifestPlist, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return m, &evidence.FileError{Op: "read", Evidence: path, Err: err}
	}
	defer func() {
		if r := recover(); r != nil {
			err = &evidence.FileError{Op: "parse", Evidence: path, Err: fmt.Errorf("%w: malformed property list: %v", evidence.ErrCorrupt, r)}
		}
	}()
	if _, err := plist.Unmarshal(data, &m); err != nil {
		return manifestPlist{}, &evidence.FileError{Op: "parse", Evidence: path, Err: fmt.Errorf("%w: %v", evidence.ErrCorrupt, err)}
	}
	return m, nil
}

// sqliteHeader starts every plaintext SQLite database.
var sqliteHeader = []byte("SQLite format 3\x00")

func hasSQLiteHeader(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	buf := make([]byte, len(sqliteHeader))
	_, err = io.ReadFull(f, buf)
	return err == nil && bytes.Equal(buf, sqliteHeader)
}

// unlock derives the key (or takes the given one), unlocks the keybag
// and unwraps the Manifest key. Nothing is written.
func (b *Backup) unlock(mp manifestPlist, o openOptions, plistPath string) error {
	fail := func(op string, err error) error {
		return &evidence.FileError{Op: op, Evidence: plistPath, Err: err}
	}
	if len(mp.BackupKeyBag) == 0 {
		return fail("open encrypted backup", fmt.Errorf("%w: %w: no BackupKeyBag", evidence.ErrEncrypted, evidence.ErrCorrupt))
	}
	kb, err := ParseKeybag(mp.BackupKeyBag)
	if err != nil {
		return fail("read keybag of", err)
	}
	key := o.key
	if key == nil {
		if key, err = kb.DeriveKey(o.password); err != nil {
			return fail("read keybag of", err)
		}
	}
	if err := kb.Unlock(key); err != nil {
		if errors.Is(err, evidence.ErrWrongPassword) {
			what := "the password"
			if o.key != nil {
				what = "the key"
			}
			return fail("unlock backup keybag", fmt.Errorf("%w: %s does not unlock this backup's keybag", evidence.ErrWrongPassword, what))
		}
		return fail("unlock backup keybag", err)
	}
	b.keybag = kb
	if len(mp.ManifestKey) > 0 {
		if len(mp.ManifestKey) < 4+24 {
			return fail("read ManifestKey of", fmt.Errorf("%w: ManifestKey of %d bytes", evidence.ErrCorrupt, len(mp.ManifestKey)))
		}
		class := binary.LittleEndian.Uint32(mp.ManifestKey[:4])
		mk, err := kb.UnwrapKey(class, mp.ManifestKey[4:])
		if err != nil {
			return fail("unwrap ManifestKey of", err)
		}
		b.manifestKey = mk
	}
	return nil
}

// fileKey is what decrypting one backup file needs.
type fileKey struct {
	class uint32
	key   []byte // wrapped: 40 bytes (without the class prefix)
	size  int64  // plaintext size from the metadata; -1 unknown
}

// parseFileMeta reads ProtectionClass, EncryptionKey and Size from a
// Manifest.db "file" metadata blob. ok is false when the file has no
// EncryptionKey (folders, empty files).
func parseFileMeta(blob []byte) (fk fileKey, ok bool, err error) {
	v, err := evidence.DecodeKeyedArchive(blob)
	if err != nil {
		return fk, false, err
	}
	m, isMap := v.(map[string]any)
	if !isMap {
		return fk, false, fmt.Errorf("%w: file metadata is not an object", evidence.ErrCorrupt)
	}
	fk.size = -1
	if n, ok := toInt(m["Size"]); ok {
		fk.size = n
	}
	ek, _ := m["EncryptionKey"].([]byte)
	if len(ek) == 0 {
		return fk, false, nil
	}
	if len(ek) < 4+24 {
		return fk, false, fmt.Errorf("%w: EncryptionKey of %d bytes", evidence.ErrCorrupt, len(ek))
	}
	fk.class = binary.LittleEndian.Uint32(ek[:4])
	if n, ok := toInt(m["ProtectionClass"]); ok && n >= 0 && n <= 0xffffffff {
		fk.class = uint32(n)
	}
	fk.key = clone(ek[4:])
	return fk, true, nil
}

func toInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case uint64:
		if x <= 1<<62 {
			return int64(x), true
		}
	case int:
		return int64(x), true
	}
	return 0, false
}

// sizeSQLite marks Manifest.db: no recorded size, and a length that is a
// whole number of pages.
const sizeSQLite = -2

// plainLength decides how many plaintext bytes an encrypted file of
// length n holds, from its last block and the recorded size: the recorded
// size when it is the whole file, else the PKCS#7 padding when valid
// (iOS 9 backups record stale sizes: the padding is the truth), else the
// recorded size when smaller, else the whole file.
func plainLength(n int64, last []byte, size int64) int64 {
	pad := int64(0)
	if len(last) == aes.BlockSize {
		p := last[aes.BlockSize-1]
		if p >= 1 && p <= aes.BlockSize {
			pad = int64(p)
			for _, c := range last[aes.BlockSize-int(p):] {
				if c != p {
					pad = 0
					break
				}
			}
		}
	}
	switch {
	case size == n:
		return n
	case size == sizeSQLite:
		if pad > 0 && n%512 != 0 && (n-pad)%512 == 0 {
			return n - pad
		}
		return n
	case pad > 0:
		return n - pad
	case size > 0 && size < n:
		return size
	}
	return n
}

// lastBlock decrypts the final block of the file at path (CBC: the
// previous ciphertext block, or the zero IV, is its chaining value).
func lastBlock(block cipher.Block, path string) (n int64, last []byte, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, nil, err
	}
	n = st.Size()
	if n%aes.BlockSize != 0 {
		return n, nil, fmt.Errorf("%w: encrypted file of %d bytes is not a whole number of AES blocks", evidence.ErrCorrupt, n)
	}
	if n == 0 {
		return 0, nil, nil
	}
	buf := make([]byte, 2*aes.BlockSize)
	prev, cur := buf[:aes.BlockSize], buf[aes.BlockSize:]
	if n >= 2*aes.BlockSize {
		if _, err := f.ReadAt(buf, n-2*aes.BlockSize); err != nil {
			return n, nil, err
		}
	} else if _, err := f.ReadAt(cur, 0); err != nil {
		return n, nil, err
	}
	out := make([]byte, aes.BlockSize)
	block.Decrypt(out, cur)
	subtleXOR(out, prev)
	return n, out, nil
}

func subtleXOR(dst, src []byte) {
	for i := range dst {
		dst[i] ^= src[i]
	}
}

// decryptChunk is how much ciphertext is decrypted at a time.
const decryptChunk = 64 << 10

// cbcReader decrypts an AES-CBC stream (zero IV) and stops after remain
// plaintext bytes. Closing it closes the underlying (hashing) reader.
type cbcReader struct {
	src    io.ReadCloser
	mode   cipher.BlockMode
	remain int64
	buf    []byte // decrypted, not yet returned
	in     []byte
	err    error
}

// decryptingReader opens the evidence file local (hashed by the
// workspace as it is on disk) and returns its plaintext.
func (b *Backup) decryptingReader(local, name string, key []byte, size int64) (io.ReadCloser, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, &evidence.FileError{Op: "decrypt", Path: name, Evidence: local, Err: fmt.Errorf("%w: %w", evidence.ErrCorrupt, err)}
	}
	src, err := b.ws.OpenFile(local, name)
	if err != nil {
		return nil, err
	}
	n, last, err := lastBlock(block, local)
	if err != nil {
		src.Close()
		return nil, &evidence.FileError{Op: "decrypt", Path: name, Evidence: local, Err: err}
	}
	return &cbcReader{
		src:    src,
		mode:   cipher.NewCBCDecrypter(block, make([]byte, aes.BlockSize)),
		remain: plainLength(n, last, size),
	}, nil
}

func (r *cbcReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.remain <= 0 {
			return 0, io.EOF
		}
		if r.err != nil {
			return 0, r.err
		}
		if r.in == nil {
			r.in = make([]byte, decryptChunk)
		}
		n, err := io.ReadFull(r.src, r.in)
		if n%aes.BlockSize != 0 {
			r.err = fmt.Errorf("%w: encrypted file ends inside an AES block", evidence.ErrCorrupt)
			n -= n % aes.BlockSize
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			if r.err == nil {
				r.err = io.ErrUnexpectedEOF // shorter than when it was measured
			}
		} else if err != nil {
			r.err = err
		}
		r.mode.CryptBlocks(r.in[:n], r.in[:n])
		take := int64(n)
		if take > r.remain {
			take = r.remain
		}
		r.buf = r.in[:take]
		r.remain -= take
		if r.remain == 0 && r.err == io.ErrUnexpectedEOF {
			r.err = nil
		}
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

func (r *cbcReader) Close() error { return r.src.Close() }
