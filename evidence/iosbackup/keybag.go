package iosbackup

// The backup keybag (Manifest.plist's BackupKeyBag) holds one AES key per
// data-protection class, each wrapped (RFC 3394) with a key derived from
// the backup password:
//
//	key = PBKDF2-HMAC-SHA1(PBKDF2-HMAC-SHA256(password, DPSL, DPIC, 32), SALT, ITER, 32)   iOS ≥ 10.2
//	key = PBKDF2-HMAC-SHA1(password, SALT, ITER, 32)                                     older
//
// The keybag is a stream of tag(4 ASCII) | length(uint32 BE) | value;
// 4-byte values are big-endian integers. The first UUID names the keybag;
// every later UUID opens a class-key record (CLAS, WRAP, KTYP, WPKY).

import (
	"crypto/aes"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/spycheck/spycheck/evidence"
)

// KeySize is the size of the key derived from a backup password, the one
// MVT's extract-key prints and --key-file gives.
const KeySize = 32

// wrapPasscode is the WRAP bit of class keys wrapped with the password key.
const wrapPasscode = 2

// Keybag is a parsed backup keybag.
type Keybag struct {
	Version uint32 // VERS
	Type    uint32 // TYPE (1 = backup)
	UUID    []byte
	Wrap    uint32
	Salt    []byte // SALT, for PBKDF2-SHA1
	Iter    uint32 // ITER
	DPSalt  []byte // DPSL, for PBKDF2-SHA256 (iOS ≥ 10.2)
	DPIter  uint32 // DPIC
	// Classes are the class keys by protection class (CLAS).
	Classes map[uint32]*ClassKey
}

// ClassKey is one protection class's key.
type ClassKey struct {
	Class   uint32
	UUID    []byte
	Wrap    uint32 // WRAP: 2 = wrapped with the password key
	KeyType uint32 // KTYP
	Wrapped []byte // WPKY
	// Key is the unwrapped key, set by Unlock.
	Key []byte
}

// maxKeybag bounds the size of a keybag we accept.
const maxKeybag = 1 << 20

// ParseKeybag parses a BackupKeyBag. Errors wrap evidence.ErrCorrupt; it
// never panics.
func ParseKeybag(data []byte) (*Keybag, error) {
	if len(data) > maxKeybag {
		return nil, fmt.Errorf("parse keybag: %w: %d bytes is too large", evidence.ErrCorrupt, len(data))
	}
	kb := &Keybag{Classes: map[uint32]*ClassKey{}}
	var cur *ClassKey
	seenUUID := false
	flush := func() error {
		if cur == nil {
			return nil
		}
		if _, dup := kb.Classes[cur.Class]; dup {
			return fmt.Errorf("parse keybag: %w: class %d listed twice", evidence.ErrCorrupt, cur.Class)
		}
		kb.Classes[cur.Class] = cur
		cur = nil
		return nil
	}
	for off := 0; off < len(data); {
		if len(data)-off < 8 {
			return nil, fmt.Errorf("parse keybag: %w: truncated entry at offset %d", evidence.ErrCorrupt, off)
		}
		tag := string(data[off : off+4])
		n := binary.BigEndian.Uint32(data[off+4 : off+8])
		off += 8
		if uint64(n) > uint64(len(data)-off) {
			return nil, fmt.Errorf("parse keybag: %w: %s value of %d bytes at offset %d overruns the keybag", evidence.ErrCorrupt, printable(tag), n, off)
		}
		val := data[off : off+int(n)]
		off += int(n)
		num := uint32(0)
		if len(val) == 4 {
			num = binary.BigEndian.Uint32(val)
		}
		if tag == "UUID" {
			if !seenUUID {
				kb.UUID = clone(val)
				seenUUID = true
				continue
			}
			if err := flush(); err != nil {
				return nil, err
			}
			cur = &ClassKey{UUID: clone(val)}
			continue
		}
		if cur != nil {
			switch tag {
			case "CLAS":
				cur.Class = num
			case "WRAP":
				cur.Wrap = num
			case "KTYP":
				cur.KeyType = num
			case "WPKY":
				cur.Wrapped = clone(val)
			}
			continue
		}
		switch tag {
		case "VERS":
			kb.Version = num
		case "TYPE":
			kb.Type = num
		case "WRAP":
			kb.Wrap = num
		case "SALT":
			kb.Salt = clone(val)
		case "ITER":
			kb.Iter = num
		case "DPSL":
			kb.DPSalt = clone(val)
		case "DPIC":
			kb.DPIter = num
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	if len(kb.Classes) == 0 {
		return nil, fmt.Errorf("parse keybag: %w: no class keys", evidence.ErrCorrupt)
	}
	return kb, nil
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }

func printable(tag string) string {
	for _, r := range tag {
		if r < 0x20 || r > 0x7e {
			return fmt.Sprintf("%q", tag)
		}
	}
	return tag
}

// maxIter bounds PBKDF2 iteration counts so a crafted keybag cannot make
// key derivation run for hours (real backups use 10,000 and 10,000,000).
const maxIter = 100_000_000

// DeriveKey derives the 32-byte key from a backup password: PBKDF2-SHA256
// with DPSL/DPIC first when the keybag has them (iOS ≥ 10.2), then
// PBKDF2-SHA1 with SALT/ITER. With DPIC = 10,000,000 this takes seconds.
func (kb *Keybag) DeriveKey(password string) ([]byte, error) {
	if kb.Iter == 0 || len(kb.Salt) == 0 {
		return nil, fmt.Errorf("derive backup key: %w: keybag without SALT or ITER", evidence.ErrCorrupt)
	}
	if kb.Iter > maxIter || kb.DPIter > maxIter {
		return nil, fmt.Errorf("derive backup key: %w: iteration count too large", evidence.ErrCorrupt)
	}
	secret := password
	if len(kb.DPSalt) > 0 && kb.DPIter > 0 {
		k, err := pbkdf2.Key(sha256.New, password, kb.DPSalt, int(kb.DPIter), KeySize)
		if err != nil {
			return nil, fmt.Errorf("derive backup key: %w", err)
		}
		secret = string(k)
	}
	k, err := pbkdf2.Key(sha1.New, secret, kb.Salt, int(kb.Iter), KeySize)
	if err != nil {
		return nil, fmt.Errorf("derive backup key: %w", err)
	}
	return k, nil
}

// Unlock unwraps every password-wrapped class key with key (from
// DeriveKey or a key file). A key that fails the unwrap integrity check
// gives an error wrapping evidence.ErrWrongPassword, and no class key is
// kept.
func (kb *Keybag) Unlock(key []byte) error {
	if len(key) != KeySize {
		return fmt.Errorf("unlock keybag: key is %d bytes, want %d", len(key), KeySize)
	}
	unwrapped := map[uint32][]byte{}
	for class, ck := range kb.Classes {
		if ck.Wrap&wrapPasscode == 0 || len(ck.Wrapped) == 0 {
			continue
		}
		k, err := KeyUnwrap(key, ck.Wrapped)
		if errors.Is(err, ErrUnwrapIntegrity) {
			return fmt.Errorf("unlock keybag: %w (class %d key does not unwrap)", evidence.ErrWrongPassword, class)
		}
		if err != nil {
			return fmt.Errorf("unlock keybag: class %d: %w: %w", class, evidence.ErrCorrupt, err)
		}
		unwrapped[class] = k
	}
	if len(unwrapped) == 0 {
		return fmt.Errorf("unlock keybag: %w: no password-wrapped class keys", evidence.ErrCorrupt)
	}
	for class, k := range unwrapped {
		kb.Classes[class].Key = k
	}
	return nil
}

// UnwrapKey unwraps a file or Manifest key (40 bytes) with the unlocked
// key of a protection class.
func (kb *Keybag) UnwrapKey(class uint32, wrapped []byte) ([]byte, error) {
	ck, ok := kb.Classes[class]
	if !ok || ck.Key == nil {
		return nil, fmt.Errorf("unwrap file key: %w: no unlocked key for protection class %d", evidence.ErrCorrupt, class)
	}
	k, err := KeyUnwrap(ck.Key, wrapped)
	if err != nil {
		return nil, fmt.Errorf("unwrap file key (class %d): %w: %w", class, evidence.ErrCorrupt, err)
	}
	return k, nil
}

// ParseKeyHex reads a derived key written as 64 hexadecimal characters
// (surrounding white space ignored), as MVT's --key-file takes it.
func ParseKeyHex(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	k, err := hex.DecodeString(s)
	if err != nil || len(k) != KeySize {
		return nil, fmt.Errorf("parse backup key: want %d hexadecimal characters, got %d characters", 2*KeySize, len(s))
	}
	return k, nil
}

// ErrUnwrapIntegrity means an RFC 3394 unwrap failed its integrity check:
// the key-encryption key is wrong or the data is damaged.
var ErrUnwrapIntegrity = errors.New("key unwrap integrity check failed")

// defaultIV is RFC 3394's initial value.
var defaultIV = [8]byte{0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6}

// KeyUnwrap is the RFC 3394 AES key unwrap of wrapped (n+1 64-bit blocks,
// n ≥ 2) with kek (16, 24 or 32 bytes).
func KeyUnwrap(kek, wrapped []byte) ([]byte, error) {
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, fmt.Errorf("key unwrap: %w", err)
	}
	if len(wrapped)%8 != 0 || len(wrapped) < 24 {
		return nil, fmt.Errorf("key unwrap: wrapped key of %d bytes (want a multiple of 8, at least 24)", len(wrapped))
	}
	n := len(wrapped)/8 - 1
	var a [8]byte
	copy(a[:], wrapped[:8])
	r := clone(wrapped[8:])
	var buf [16]byte
	for j := 5; j >= 0; j-- {
		for i := n; i >= 1; i-- {
			t := uint64(n*j + i)
			binary.BigEndian.PutUint64(buf[:8], binary.BigEndian.Uint64(a[:])^t)
			copy(buf[8:], r[(i-1)*8:i*8])
			block.Decrypt(buf[:], buf[:])
			copy(a[:], buf[:8])
			copy(r[(i-1)*8:i*8], buf[8:])
		}
	}
	if subtle.ConstantTimeCompare(a[:], defaultIV[:]) != 1 {
		return nil, ErrUnwrapIntegrity
	}
	return r, nil
}

// KeyWrap is the RFC 3394 AES key wrap of plain (a multiple of 8 bytes,
// at least 16) with kek. spycheck only needs it to build test backups.
func KeyWrap(kek, plain []byte) ([]byte, error) {
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, fmt.Errorf("key wrap: %w", err)
	}
	if len(plain)%8 != 0 || len(plain) < 16 {
		return nil, fmt.Errorf("key wrap: key of %d bytes (want a multiple of 8, at least 16)", len(plain))
	}
	n := len(plain) / 8
	a := defaultIV
	r := clone(plain)
	var buf [16]byte
	for j := 0; j <= 5; j++ {
		for i := 1; i <= n; i++ {
			copy(buf[:8], a[:])
			copy(buf[8:], r[(i-1)*8:i*8])
			block.Encrypt(buf[:], buf[:])
			t := uint64(n*j + i)
			binary.BigEndian.PutUint64(a[:], binary.BigEndian.Uint64(buf[:8])^t)
			copy(r[(i-1)*8:i*8], buf[8:])
		}
	}
	return append(a[:], r...), nil
}
