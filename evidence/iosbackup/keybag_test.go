package iosbackup_test

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/evidence/iosbackup"
	"github.com/spycheck/spycheck/evidence/iosbackup/backuptest"
	"github.com/spycheck/spycheck/internal/testkit"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// RFC 3394 section 4 test vectors.
func TestKeyWrapRFC3394(t *testing.T) {
	const kek = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"
	const data = "00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F"
	tests := []struct {
		name            string
		kekLen, dataLen int
		wrapped         string
	}{
		{"4.1 128-bit KEK, 128-bit key", 16, 16, "1FA68B0A8112B447 AEF34BD8FB5A7B82 9D3E862371D2CFE5"},
		{"4.2 192-bit KEK, 128-bit key", 24, 16, "96778B25AE6CA435 F92B5B97C050AED2 468AB8A17AD84E5D"},
		{"4.3 256-bit KEK, 128-bit key", 32, 16, "64E8C3F9CE0F5BA2 63E9777905818A2A 93C8191E7D6E8AE7"},
		{"4.4 192-bit KEK, 192-bit key", 24, 24, "031D33264E15D332 68F24EC260743EDC E1C6C7DDEE725A93 6BA814915C6762D2"},
		{"4.5 256-bit KEK, 192-bit key", 32, 24, "A8F9BC1612C68B3F F6E6F4FBE30E71E4 769C8B80A32CB895 8CD5D17D6B254DA1"},
		{"4.6 256-bit KEK, 256-bit key", 32, 32, "28C9F404C4B810F4 CBCCB35CFB87F826 3F5786E2D80ED326 CBC7F0E71A99F43B FB988B9B7A02DD21"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, d, w := unhex(t, kek)[:tc.kekLen], unhex(t, data)[:tc.dataLen], unhex(t, tc.wrapped)
			got, err := iosbackup.KeyUnwrap(k, w)
			if err != nil || !bytes.Equal(got, d) {
				t.Errorf("KeyUnwrap = %x, %v; want %x", got, err, d)
			}
			wrapped, err := iosbackup.KeyWrap(k, d)
			if err != nil || !bytes.Equal(wrapped, w) {
				t.Errorf("KeyWrap = %x, %v; want %x", wrapped, err, w)
			}
			bad := bytes.Clone(w)
			bad[len(bad)-1] ^= 1
			if _, err := iosbackup.KeyUnwrap(k, bad); !errors.Is(err, iosbackup.ErrUnwrapIntegrity) {
				t.Errorf("damaged input: %v", err)
			}
		})
	}
	for _, n := range []int{0, 8, 16, 25} {
		if _, err := iosbackup.KeyUnwrap(make([]byte, 16), make([]byte, n)); err == nil {
			t.Errorf("KeyUnwrap of %d bytes: no error", n)
		}
	}
}

func TestParseKeyHex(t *testing.T) {
	k, err := iosbackup.ParseKeyHex(" " + strings.Repeat("ab", 32) + "\n")
	if err != nil || len(k) != 32 || k[0] != 0xab {
		t.Errorf("ParseKeyHex = %x, %v", k, err)
	}
	for _, s := range []string{"", "abcd", strings.Repeat("zz", 32), strings.Repeat("ab", 33)} {
		if _, err := iosbackup.ParseKeyHex(s); err == nil {
			t.Errorf("ParseKeyHex(%q): no error", s)
		}
	}
}

func TestParseKeybag(t *testing.T) {
	kb := &iosbackup.Keybag{Version: 5, Type: 1, UUID: bytes.Repeat([]byte{1}, 16), Salt: []byte("salt"), Iter: 7,
		DPSalt: []byte("dpsalt"), DPIter: 9, Classes: map[uint32]*iosbackup.ClassKey{
			1: {Class: 1, UUID: bytes.Repeat([]byte{2}, 16), Wrap: 2, KeyType: 1, Wrapped: bytes.Repeat([]byte{3}, 40)},
			3: {Class: 3, UUID: bytes.Repeat([]byte{4}, 16), Wrap: 3, Wrapped: bytes.Repeat([]byte{5}, 40)},
		}}
	got, err := iosbackup.ParseKeybag(backuptest.EncodeKeybag(kb))
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 5 || got.Type != 1 || string(got.Salt) != "salt" || got.Iter != 7 || string(got.DPSalt) != "dpsalt" || got.DPIter != 9 || len(got.Classes) != 2 {
		t.Errorf("keybag = %+v", got)
	}
	if c := got.Classes[1]; c.KeyType != 1 || c.Wrap != 2 || !bytes.Equal(c.Wrapped, kb.Classes[1].Wrapped) || !bytes.Equal(c.UUID, kb.Classes[1].UUID) {
		t.Errorf("class 1 = %+v", c)
	}
	for name, data := range map[string][]byte{
		"empty":      nil,
		"truncated":  []byte("VERS\x00\x00"),
		"overrun":    []byte("VERS\x00\x00\x00\x10\x00"),
		"no classes": []byte("VERS\x00\x00\x00\x04\x00\x00\x00\x05"),
	} {
		if _, err := iosbackup.ParseKeybag(data); !errors.Is(err, evidence.ErrCorrupt) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func FuzzParseKeybag(f *testing.F) {
	kb := &iosbackup.Keybag{Salt: []byte("s"), Iter: 1, Classes: map[uint32]*iosbackup.ClassKey{
		1: {Class: 1, Wrap: 2, Wrapped: make([]byte, 40)}}}
	f.Add(backuptest.EncodeKeybag(kb))
	f.Add([]byte("UUID\x00\x00\x00\x00UUID\x00\x00\x00\x00CLAS\x00\x00\x00\x04\x00\x00\x00\x01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		kb, err := iosbackup.ParseKeybag(data)
		if err != nil {
			return
		}
		// Unlocking with any key must fail cleanly or succeed, never panic.
		_ = kb.Unlock(make([]byte, iosbackup.KeySize))
	})
}

func FuzzParseMBDB(f *testing.F) {
	f.Add([]byte("mbdb\x05\x00"))
	f.Add([]byte("mbdb\x05\x00\x00\x01A\x00\x01B\xff\xff\xff\xff\x00\x00\x81\xa4" + strings.Repeat("\x00", 40) + "\x03\x01\x00\x01k\x00\x01v"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = iosbackup.ParseMBDB(data)
	})
}

// The $itunes_backup$ vectors (hashcat format) from real devices: the
// derived key must unwrap the class key.
func TestKeybagVectors(t *testing.T) {
	path := filepath.Join(testkit.SharedTestdata(t, "third-party", "itunes-keybag-vectors"), "itunes_backup_keybag_vectors.tsv")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || !strings.Contains(line, "$itunes_backup$") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 3 || seen[cols[2]] {
			continue
		}
		seen[cols[2]] = true
		source, password, hash := cols[0], cols[1], cols[2]
		fields := strings.Split(strings.TrimPrefix(hash, "$itunes_backup$*"), "*")
		if len(fields) != 6 {
			t.Fatalf("%s: %d fields", source, len(fields))
		}
		iter, _ := strconv.Atoi(fields[2])
		kb := &iosbackup.Keybag{Salt: unhex(t, fields[3]), Iter: uint32(iter), Classes: map[uint32]*iosbackup.ClassKey{
			1: {Class: 1, Wrap: 2, Wrapped: unhex(t, fields[1])}}}
		if fields[0] == "10" {
			dpic, _ := strconv.Atoi(fields[4])
			kb.DPIter, kb.DPSalt = uint32(dpic), unhex(t, fields[5])
		}
		n++
		t.Run(source, func(t *testing.T) {
			if kb.DPIter > 100_000 && testing.Short() {
				t.Skip("DPIC 10,000,000: slow key derivation, skipped with -short")
			}
			t.Parallel()
			start := time.Now()
			key, err := kb.DeriveKey(password)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("DPIC %d, ITER %d: key derived in %v", kb.DPIter, kb.Iter, time.Since(start).Round(time.Millisecond))
			if err := kb.Unlock(key); err != nil {
				t.Errorf("unlock with %q: %v", password, err)
			}
			if kb.DPIter > 100_000 {
				return // the wrong-password case is covered by the fast vectors
			}
			wrong, err := kb.DeriveKey(password + "x")
			if err != nil {
				t.Fatal(err)
			}
			if err := kb.Unlock(wrong); !errors.Is(err, evidence.ErrWrongPassword) {
				t.Errorf("unlock with a wrong password: %v", err)
			}
		})
	}
	if n < 5 {
		t.Errorf("read %d vectors, want at least 5", n)
	}
}
