package ab

import (
	"archive/tar"
	"bytes"
	"compress/zlib"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/internal/testkit"
)

const smsMember = "apps/com.android.providers.telephony/d_f/000000_sms_backup"

// tarOf builds a tar archive of name → content (plus a folder entry).
func tarOf(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	must(t, tw.WriteHeader(&tar.Header{Name: "apps/", Typeflag: tar.TypeDir, Mode: 0o755}))
	for _, name := range slices.Sorted(maps.Keys(files)) {
		must(t, tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o600, Size: int64(len(files[name]))}))
		_, err := tw.Write([]byte(files[name]))
		must(t, err)
	}
	must(t, tw.Close())
	return buf.Bytes()
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func zlibOf(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	_, err := zw.Write(b)
	must(t, err)
	must(t, zw.Close())
	return buf.Bytes()
}

// makeAB builds an .ab file around a tar; a non-empty password encrypts it
// the way Android does (fixed salts and keys, so fixtures are stable).
func makeAB(t testing.TB, version int, compressed bool, password string, tarData []byte) []byte {
	t.Helper()
	flag := "0"
	payload := tarData
	if compressed {
		flag, payload = "1", zlibOf(t, tarData)
	}
	if password == "" {
		return append([]byte(fmt.Sprintf("%s\n%d\n%s\nnone\n", Magic, version, flag)), payload...)
	}
	head, body := encryptPayload(t, version, password, payload)
	return append([]byte(fmt.Sprintf("%s\n%d\n%s\nAES-256\n%s", Magic, version, flag, head)), body...)
}

func encryptPayload(t testing.TB, version int, password string, payload []byte) (string, []byte) {
	t.Helper()
	userSalt := bytes.Repeat([]byte{0x11}, 64)
	ckSalt := bytes.Repeat([]byte{0x22}, 64)
	userIV := bytes.Repeat([]byte{0x33}, 16)
	masterIV := bytes.Repeat([]byte{0x44}, 16)
	masterKey := make([]byte, 32)
	for i := range masterKey {
		masterKey[i] = byte(0x70 + i*5) // crosses 0x80, exercising the checksum quirk
	}
	const rounds = 10
	sum, err := pbkdf2.Key(sha1.New, string(checksumInput(masterKey, version)), ckSalt, rounds, 32)
	must(t, err)
	blob := append([]byte{16}, masterIV...)
	blob = append(append(blob, 32), masterKey...)
	blob = append(append(blob, 32), sum...)
	userKey, err := pbkdf2.Key(sha1.New, password, userSalt, rounds, 32)
	must(t, err)
	head := fmt.Sprintf("%X\n%X\n%d\n%X\n%X\n", userSalt, ckSalt, rounds, userIV, cbcEncrypt(t, userKey, userIV, blob))
	return head, cbcEncrypt(t, masterKey, masterIV, payload)
}

func cbcEncrypt(t testing.TB, key, iv, plain []byte) []byte {
	t.Helper()
	pad := aes.BlockSize - len(plain)%aes.BlockSize
	in := append(append([]byte(nil), plain...), bytes.Repeat([]byte{byte(pad)}, pad)...)
	block, err := aes.NewCipher(key)
	must(t, err)
	out := make([]byte, len(in))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(out, in)
	return out
}

func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	must(t, os.WriteFile(p, data, 0o600))
	return p
}

func readMember(t testing.TB, b *Backup, name string) string {
	t.Helper()
	got, err := b.Find(context.Background(), evidence.Query{DevicePaths: []string{name}})
	must(t, err)
	if len(got) != 1 {
		t.Fatalf("Find(%s) = %v", name, got)
	}
	r, err := b.Open(got[0])
	must(t, err)
	defer r.Close()
	data, err := io.ReadAll(r)
	must(t, err)
	return string(data)
}

func TestOpenVariants(t *testing.T) {
	files := map[string]string{smsMember: "sms", "apps/com.example/f/a.txt": strings.Repeat("x", 70000)}
	tarData := tarOf(t, files)
	cases := []struct {
		name       string
		version    int
		compressed bool
		password   string
	}{
		{"v1 plain", 1, false, ""},
		{"v1 compressed", 1, true, ""},
		{"v5 plain", 5, false, ""},
		{"v5 compressed", 5, true, ""},
		{"v1 encrypted", 1, true, "s3cret"},
		{"v3 encrypted uncompressed", 3, false, "pässwörd"},
		{"v5 encrypted compressed", 5, true, "123456"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := writeFile(t, "backup.ab", makeAB(t, c.version, c.compressed, c.password, tarData))
			b, err := Open(p, c.password)
			must(t, err)
			defer b.Close()
			if h := b.Header(); h.Version != c.version || h.Compressed != c.compressed || h.Encrypted() != (c.password != "") {
				t.Errorf("header = %+v", h)
			}
			if b.Kind() != evidence.AndroidBackup {
				t.Errorf("kind = %s", b.Kind())
			}
			if got := b.Members(); len(got) != 2 || got[0] != smsMember {
				t.Errorf("members = %v", got)
			}
			if got := readMember(t, b, "apps/*/d_f/*_sms_backup"); got != "sms" {
				t.Errorf("sms member = %q", got)
			}
			if got := readMember(t, b, "apps/com.example/f/a.txt"); got != files["apps/com.example/f/a.txt"] {
				t.Errorf("big member: %d bytes", len(got))
			}
			assertHashed(t, b, p)
		})
	}
}

func assertHashed(t *testing.T, b *Backup, p string) {
	t.Helper()
	want := map[string]bool{p: false, p + "!" + smsMember: false}
	for _, h := range b.Workspace().Hashes() {
		if _, ok := want[h.Path]; ok {
			want[h.Path] = true
		}
	}
	for k, seen := range want {
		if !seen {
			t.Errorf("no hash recorded for %s", k)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	tarData := tarOf(t, map[string]string{smsMember: strings.Repeat("message ", 5000)})
	good := makeAB(t, 5, true, "", tarData)
	enc := makeAB(t, 5, true, "right", tarData)
	hdrLen := len(Magic) + len("\n5\n1\nnone\n")
	badZlib := append([]byte(nil), good...)
	for i := hdrLen + 10; i < hdrLen+40; i++ {
		badZlib[i] ^= 0x5a
	}
	cases := []struct {
		name     string
		data     []byte
		password string
		want     error
	}{
		{"empty", nil, "", evidence.ErrCorrupt},
		{"not a backup", []byte("PK\x03\x04 hello\n1\n0\nnone\n"), "", evidence.ErrCorrupt},
		{"incomplete header", []byte(Magic + "\n"), "", evidence.ErrCorrupt},
		{"bad version", []byte(Magic + "\n9\n0\nnone\n"), "", evidence.ErrCorrupt},
		{"bad algorithm", []byte(Magic + "\n5\n0\nROT13\n"), "", evidence.ErrCorrupt},
		{"truncated crypto header", []byte(Magic + "\n5\n0\nAES-256\ntruncated"), "x", evidence.ErrCorrupt},
		{"truncated zlib", good[:len(good)-200], "", evidence.ErrCorrupt},
		{"corrupt zlib", badZlib, "", evidence.ErrCorrupt},
		{"truncated tar", makeAB(t, 5, false, "", tarData[:700]), "", evidence.ErrCorrupt},
		{"truncated ciphertext", enc[:len(enc)-7], "right", evidence.ErrCorrupt},
		{"wrong password", enc, "wrong", evidence.ErrWrongPassword},
		{"no password", enc, "", evidence.ErrEncrypted},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := writeFile(t, "broken.ab", c.data)
			b, err := Open(p, c.password)
			if err == nil {
				b.Close()
				t.Fatal("no error")
			}
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), p) {
				t.Errorf("err = %v, want %v naming the file", err, c.want)
			}
		})
	}
}

// A wrong password must be caught by the checksum every time, even when
// the decrypted blob happens to parse.
func TestWrongPasswordAlwaysDetected(t *testing.T) {
	enc := makeAB(t, 2, false, "right", tarOf(t, map[string]string{smsMember: "x"}))
	for i := range 50 {
		_, err := NewPayload(bytes.NewReader(enc), fmt.Sprintf("wrong%d", i), 0)
		if !errors.Is(err, evidence.ErrWrongPassword) {
			t.Fatalf("password %d: err = %v", i, err)
		}
	}
}

func TestZipBombGuard(t *testing.T) {
	tarData := tarOf(t, map[string]string{smsMember: strings.Repeat("\x00", 1<<20)})
	p := writeFile(t, "bomb.ab", makeAB(t, 5, true, "", tarData))
	_, err := OpenWith(p, "", Options{MaxSize: 64 << 10})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}

func TestUnsafeMemberNamesSkipped(t *testing.T) {
	tarData := tarOf(t, map[string]string{"../evil": "x", "/abs/evil": "y", "./apps/ok": "z"})
	b, err := Open(writeFile(t, "b.ab", makeAB(t, 1, false, "", tarData)), "")
	must(t, err)
	defer b.Close()
	if got := b.Members(); len(got) != 1 || got[0] != "apps/ok" {
		t.Errorf("members = %v", got)
	}
}

func TestFolder(t *testing.T) {
	dir := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(dir, filepath.Dir(smsMember)), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, smsMember), []byte("sms"), 0o600))
	b, err := Open(dir, "")
	must(t, err)
	defer b.Close()
	if b.Kind() != evidence.AndroidBackup {
		t.Errorf("kind = %s", b.Kind())
	}
	if got := readMember(t, b, "apps/*/d_f/*_sms_backup"); got != "sms" {
		t.Errorf("sms = %q", got)
	}
}

func tarSHA256(t *testing.T, file, password string) string {
	t.Helper()
	f, err := os.Open(file)
	must(t, err)
	defer f.Close()
	p, err := NewPayload(f, password, 0)
	must(t, err)
	defer p.Close()
	h := sha256.New()
	_, err = io.Copy(h, p)
	must(t, err)
	return hex.EncodeToString(h.Sum(nil))
}

// MVT's test backups: the decrypted tar streams have the SHA-256 MVT's
// tests assert, and the members are there.
func TestConformanceMVT(t *testing.T) {
	dir := testkit.SharedTestdata(t, "mvt", "android_backup")
	before := testkit.HashTree(t, dir)
	cases := []struct {
		file, password, tarSum string
		version                int
		compressed, encrypted  bool
	}{
		{"backup.ab", "", "ce1ac5009fea5187a9f546b51e1446ba450243ae91d31dc779233ec0937b5d18", 1, true, false},
		{"backup2.ab", "123456", "f365ace1effbc4902c6aeba241ca61544f8a96ad456c1861808ea87b7dd03896", 5, false, true},
		{"backup3.ab", "", "33e73df2ede9798dcb3a85c06200ee41c8f52dd2f2e50ffafcceb0407bc13e3a", 5, true, false},
	}
	for _, c := range cases {
		p := filepath.Join(dir, c.file)
		if got := tarSHA256(t, p, c.password); got != c.tarSum {
			t.Errorf("%s: tar sha256 = %s, want %s", c.file, got, c.tarSum)
		}
		b, err := Open(p, c.password)
		must(t, err)
		h := b.Header()
		if h.Version != c.version || h.Compressed != c.compressed || h.Encrypted() != c.encrypted {
			t.Errorf("%s: header %+v", c.file, h)
		}
		got, err := b.Find(context.Background(), evidence.Query{DevicePaths: []string{"apps/com.android.providers.telephony/d_f/*_sms_backup"}})
		must(t, err)
		if len(got) != 1 {
			t.Errorf("%s: sms members %v", c.file, got)
		}
		b.Close()
	}
	if _, err := Open(filepath.Join(dir, "backup2.ab"), "invalid_password"); !errors.Is(err, evidence.ErrWrongPassword) {
		t.Errorf("backup2.ab with a wrong password: %v", err)
	}
	if after := testkit.HashTree(t, dir); len(after) != len(before) {
		t.Error("evidence folder changed")
	} else {
		for k, v := range before {
			if after[k] != v {
				t.Errorf("%s changed", k)
			}
		}
	}
}

// A third-party encrypted v3 backup (password "test") decrypts to exactly
// the tar of its unencrypted twin.
func TestConformanceThirdParty(t *testing.T) {
	dir := testkit.SharedTestdata(t, "third-party", "android-ab")
	enc := tarSHA256(t, filepath.Join(dir, "TEST_DATA_ENC_TEST_password-test.ab"), "test")
	plain := tarSHA256(t, filepath.Join(dir, "TEST_DATA_NONENC.ab"), "")
	if enc != plain {
		t.Errorf("decrypted tar %s differs from the twin's %s", enc, plain)
	}
	_, err := Open(filepath.Join(dir, "TEST_DATA_ENC_TEST_password-test.ab"), "tset")
	if !errors.Is(err, evidence.ErrWrongPassword) {
		t.Errorf("wrong password: %v", err)
	}
}

// FuzzPayload fuzzes the header, crypto header, inflate and tar layers.
// The password is withheld (PBKDF2 with a fuzzed round count would make
// each run take seconds); FuzzDecrypt covers what follows the key.
func FuzzPayload(f *testing.F) {
	tarData := tarOf(f, map[string]string{smsMember: "hello"})
	f.Add(makeAB(f, 1, false, "", tarData))
	f.Add(makeAB(f, 5, true, "", tarData))
	f.Add(makeAB(f, 5, true, "pw", tarData))
	f.Add([]byte(Magic + "\n5\n0\nAES-256\n00\n00\n1\n00\n00\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := NewPayload(bytes.NewReader(data), "", 1<<20)
		if err != nil {
			return
		}
		defer p.Close()
		drainTar(p)
	})
}

// FuzzDecrypt fuzzes the master key blob and the encrypted payload of a
// backup whose key derivation is cheap.
func FuzzDecrypt(f *testing.F) {
	enc := makeAB(f, 5, true, "pw", tarOf(f, map[string]string{smsMember: "hello"}))
	f.Add(enc)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := NewPayload(bytes.NewReader(data), "pw", 1<<20)
		if err != nil {
			return
		}
		defer p.Close()
		drainTar(p)
	})
}

func drainTar(r io.Reader) {
	tr := tar.NewReader(r)
	for {
		if _, err := tr.Next(); err != nil {
			return
		}
		if _, err := io.Copy(io.Discard, tr); err != nil {
			return
		}
	}
}
