// Package backuptest turns a plaintext iOS backup folder (as built by
// internal/testkit) into an encrypted one, the way iTunes/Finder writes
// them, so decryption can be tested end to end without real devices:
// a keybag of password-wrapped class keys in Manifest.plist, every file
// AES-256-CBC encrypted (zero IV, PKCS#7 padding) with its own key,
// wrapped in its Manifest metadata, and, in the iOS ≥ 10.2 format, an
// encrypted Manifest.db whose key is ManifestKey.
package backuptest

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"

	"howett.net/plist"
	"zombiezen.com/go/sqlite"
	"zombiezen.com/go/sqlite/sqlitex"

	"github.com/spycheck/spycheck/evidence/iosbackup"
)

// Options choose the encryption parameters. Small iteration counts keep
// tests fast.
type Options struct {
	Password string
	// Iter is the PBKDF2-SHA1 count (default 10).
	Iter int
	// DPIter is the PBKDF2-SHA256 count of iOS ≥ 10.2 keybags (default 10).
	DPIter int
	// Legacy writes the pre-10.2 format: no DPSL/DPIC, plaintext
	// Manifest.db, no ManifestKey.
	Legacy bool
	// Class is the protection class of files and Manifest.db (default 3).
	Class uint32
}

// Encrypt rewrites the plaintext backup in dir, in place, as an encrypted
// backup.
func Encrypt(dir string, o Options) error {
	if o.Iter == 0 {
		o.Iter = 10
	}
	if o.DPIter == 0 {
		o.DPIter = 10
	}
	if o.Class == 0 {
		o.Class = 3
	}
	kb := &iosbackup.Keybag{Version: 5, Type: 1, UUID: random(16), Salt: random(20), Iter: uint32(o.Iter), Classes: map[uint32]*iosbackup.ClassKey{}}
	if o.Legacy {
		kb.Version = 3
	} else {
		kb.DPSalt, kb.DPIter = random(20), uint32(o.DPIter)
	}
	key, err := kb.DeriveKey(o.Password)
	if err != nil {
		return err
	}
	for class := uint32(1); class <= 11; class++ {
		ck := &iosbackup.ClassKey{Class: class, UUID: random(16), Wrap: 2, Key: random(32)}
		if ck.Wrapped, err = iosbackup.KeyWrap(key, ck.Key); err != nil {
			return err
		}
		kb.Classes[class] = ck
	}
	manifest := filepath.Join(dir, "Manifest.db")
	if err := encryptFiles(dir, manifest, kb, o.Class); err != nil {
		return err
	}
	mp := map[string]any{}
	if data, err := os.ReadFile(filepath.Join(dir, "Manifest.plist")); err == nil {
		if _, err := plist.Unmarshal(data, &mp); err != nil {
			return err
		}
	}
	mp["IsEncrypted"] = true
	mp["BackupKeyBag"] = EncodeKeybag(kb)
	mp["Lockdown"] = map[string]any{"ProductVersion": "14.3"}
	if !o.Legacy {
		mkey := random(32)
		wrapped, err := iosbackup.KeyWrap(kb.Classes[o.Class].Key, mkey)
		if err != nil {
			return err
		}
		mp["ManifestKey"] = append(le32(o.Class), wrapped...)
		if err := encryptInPlace(manifest, mkey); err != nil {
			return err
		}
	}
	data, err := plist.Marshal(mp, plist.BinaryFormat)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "Manifest.plist"), data, 0o644)
}

// EncodeKeybag writes a keybag in its TLV form (class keys from Wrapped).
func EncodeKeybag(kb *iosbackup.Keybag) []byte {
	var buf bytes.Buffer
	put := func(tag string, v []byte) {
		buf.WriteString(tag)
		buf.Write(binary.BigEndian.AppendUint32(nil, uint32(len(v))))
		buf.Write(v)
	}
	num := func(n uint32) []byte { return binary.BigEndian.AppendUint32(nil, n) }
	put("VERS", num(kb.Version))
	put("TYPE", num(kb.Type))
	put("UUID", kb.UUID)
	put("HMCK", make([]byte, 40))
	put("WRAP", num(kb.Wrap))
	put("SALT", kb.Salt)
	put("ITER", num(kb.Iter))
	if len(kb.DPSalt) > 0 {
		put("DPWT", num(1))
		put("DPIC", num(kb.DPIter))
		put("DPSL", kb.DPSalt)
	}
	for class := uint32(0); class < 64; class++ {
		ck, ok := kb.Classes[class]
		if !ok {
			continue
		}
		put("UUID", ck.UUID)
		put("CLAS", num(ck.Class))
		put("WRAP", num(ck.Wrap))
		put("KTYP", num(ck.KeyType))
		put("WPKY", ck.Wrapped)
	}
	return buf.Bytes()
}

// encryptFiles encrypts every listed file present in the backup and
// writes its key into the Manifest metadata.
func encryptFiles(dir, manifest string, kb *iosbackup.Keybag, class uint32) (err error) {
	conn, err := sqlite.OpenConn(manifest, sqlite.OpenReadWrite)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := conn.Close(); err == nil {
			err = cerr
		}
	}()
	type row struct {
		id, rel string
		flags   int64
	}
	var rows []row
	err = sqlitex.Execute(conn, "SELECT fileID, relativePath, flags FROM Files", &sqlitex.ExecOptions{
		ResultFunc: func(s *sqlite.Stmt) error {
			rows = append(rows, row{s.ColumnText(0), s.ColumnText(1), s.ColumnInt64(2)})
			return nil
		},
	})
	if err != nil {
		return err
	}
	for _, r := range rows {
		blob := filepath.Join(dir, r.id[:2], r.id)
		data, err := os.ReadFile(blob)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return err
		}
		fkey := random(32)
		wrapped, err := iosbackup.KeyWrap(kb.Classes[class].Key, fkey)
		if err != nil {
			return err
		}
		meta, err := mbfile(r.rel, int64(len(data)), class, append(le32(class), wrapped...))
		if err != nil {
			return err
		}
		enc, err := cbcEncrypt(fkey, data)
		if err != nil {
			return err
		}
		if err := os.WriteFile(blob, enc, 0o644); err != nil {
			return err
		}
		if err := sqlitex.Execute(conn, "UPDATE Files SET file = ? WHERE fileID = ?", &sqlitex.ExecOptions{Args: []any{meta, r.id}}); err != nil {
			return err
		}
	}
	return nil
}

// mbfile is an MBFile NSKeyedArchiver blob as iOS writes in Manifest.db.
func mbfile(rel string, size int64, class uint32, ek []byte) ([]byte, error) {
	objects := []any{
		"$null",
		map[string]any{
			"$class": plist.UID(5), "RelativePath": plist.UID(2), "EncryptionKey": plist.UID(3),
			"Size": uint64(size), "ProtectionClass": uint64(class), "Mode": uint64(0o100644),
			"UserID": uint64(501), "GroupID": uint64(501), "InodeNumber": uint64(1000),
			"Birth": uint64(1600000000), "LastModified": uint64(1600000100), "LastStatusChange": uint64(1600000200), "Flags": uint64(0),
		},
		rel,
		map[string]any{"NS.data": ek, "$class": plist.UID(4)},
		map[string]any{"$classname": "NSMutableData", "$classes": []any{"NSMutableData", "NSData", "NSObject"}},
		map[string]any{"$classname": "MBFile", "$classes": []any{"MBFile", "NSObject"}},
	}
	return plist.Marshal(map[string]any{
		"$version": uint64(100000), "$archiver": "NSKeyedArchiver",
		"$top": map[string]any{"root": plist.UID(1)}, "$objects": objects,
	}, plist.BinaryFormat)
}

func encryptInPlace(path string, key []byte) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	enc, err := cbcEncrypt(key, data)
	if err != nil {
		return err
	}
	return os.WriteFile(path, enc, 0o644)
}

// cbcEncrypt is AES-CBC with a zero IV and PKCS#7 padding.
func cbcEncrypt(key, data []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	pad := aes.BlockSize - len(data)%aes.BlockSize
	out := append(bytes.Clone(data), bytes.Repeat([]byte{byte(pad)}, pad)...)
	cipher.NewCBCEncrypter(block, make([]byte, aes.BlockSize)).CryptBlocks(out, out)
	return out, nil
}

func le32(n uint32) []byte { return binary.LittleEndian.AppendUint32(nil, n) }

func random(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}
