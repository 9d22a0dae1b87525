package ab

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/spycheck/spycheck/evidence"
)

// Magic is the first line of every Android backup.
const Magic = "ANDROID BACKUP"

// Limits on the header, against hostile input.
const (
	maxHeaderLine = 64   // magic, version, compressed flag, algorithm
	maxCryptoLine = 1024 // hex salts, IV and master key blob
	maxRounds     = 1 << 22
	keyLen        = 32
)

// ErrTooLarge means the backup expands to more bytes than allowed (a
// likely zip bomb).
var ErrTooLarge = errors.New("expands to more than the allowed size")

// errTruncated marks a payload cut short.
var errTruncated = errors.New("truncated")

// Header is what the plain-text header of a backup says.
type Header struct {
	Version    int
	Compressed bool
	// Encryption is "none" or "AES-256".
	Encryption string
}

// Encrypted reports whether the payload is encrypted.
func (h Header) Encrypted() bool { return h.Encryption != "none" }

// Payload reads the tar stream inside a backup: decrypted, unpadded and
// inflated as the header says, never more than the limit given to
// [NewPayload]. Errors wrap evidence.ErrCorrupt, evidence.ErrEncrypted,
// evidence.ErrWrongPassword or [ErrTooLarge].
type Payload struct {
	Header Header
	r      io.Reader
	zr     io.ReadCloser
}

// NewPayload parses the header of the backup read from r and returns the
// reader of its tar stream. An encrypted backup needs its password; an
// empty one gives evidence.ErrEncrypted. max caps the bytes of the tar
// stream (0: no cap).
func NewPayload(r io.Reader, password string, max int64) (*Payload, error) {
	br := bufio.NewReader(r)
	h, err := readHeader(br)
	if err != nil {
		return nil, err
	}
	p := &Payload{Header: h, r: br}
	if h.Encrypted() {
		if p.r, err = decrypter(br, h.Version, password); err != nil {
			return nil, err
		}
	}
	if h.Compressed {
		zr, err := zlib.NewReader(p.r)
		if err != nil {
			return nil, corrupt("zlib stream", err)
		}
		p.zr, p.r = zr, zr
	}
	if max > 0 {
		p.r = &capped{r: p.r, left: max, max: max}
	}
	p.r = &zlibErrors{r: p.r, on: h.Compressed}
	return p, nil
}

// Read implements io.Reader.
func (p *Payload) Read(b []byte) (int, error) { return p.r.Read(b) }

// Close releases the inflater.
func (p *Payload) Close() error {
	if p.zr != nil {
		return p.zr.Close()
	}
	return nil
}

func corrupt(what string, err error) error {
	return fmt.Errorf("%w: %s: %w", evidence.ErrCorrupt, what, err)
}

func readHeader(br *bufio.Reader) (Header, error) {
	var lines [4]string
	for i := range lines {
		l, err := readLine(br, maxHeaderLine)
		if err != nil {
			return Header{}, corrupt("header", err)
		}
		lines[i] = l
	}
	if lines[0] != Magic {
		return Header{}, fmt.Errorf("%w: not an Android backup (no %q header)", evidence.ErrCorrupt, Magic)
	}
	v, err := strconv.Atoi(lines[1])
	if err != nil || v < 1 || v > 5 {
		return Header{}, fmt.Errorf("%w: unsupported backup version %q (want 1 to 5)", evidence.ErrCorrupt, lines[1])
	}
	h := Header{Version: v, Encryption: lines[3]}
	switch lines[2] {
	case "0":
	case "1":
		h.Compressed = true
	default:
		return Header{}, fmt.Errorf("%w: bad compression flag %q", evidence.ErrCorrupt, lines[2])
	}
	if h.Encryption != "none" && h.Encryption != "AES-256" {
		return Header{}, fmt.Errorf("%w: unsupported encryption %q", evidence.ErrCorrupt, h.Encryption)
	}
	return h, nil
}

// readLine reads one "\n"-terminated line of at most max bytes.
func readLine(br *bufio.Reader, max int) (string, error) {
	var b []byte
	for {
		c, err := br.ReadByte()
		if err == io.EOF {
			return "", errTruncated
		}
		if err != nil {
			return "", err
		}
		if c == '\n' {
			return string(b), nil
		}
		if len(b) == max {
			return "", fmt.Errorf("line longer than %d bytes", max)
		}
		b = append(b, c)
	}
}

// cryptoHeader is the key material in front of an encrypted payload.
type cryptoHeader struct {
	userSalt, checksumSalt, userIV, masterBlob []byte
	rounds                                     int
}

func readCryptoHeader(br *bufio.Reader) (cryptoHeader, error) {
	var lines [5]string
	for i := range lines {
		l, err := readLine(br, maxCryptoLine)
		if err != nil {
			return cryptoHeader{}, corrupt("encryption header", err)
		}
		lines[i] = l
	}
	var c cryptoHeader
	var errs [4]error
	c.userSalt, errs[0] = hex.DecodeString(lines[0])
	c.checksumSalt, errs[1] = hex.DecodeString(lines[1])
	c.userIV, errs[2] = hex.DecodeString(lines[3])
	c.masterBlob, errs[3] = hex.DecodeString(lines[4])
	if err := errors.Join(errs[:]...); err != nil {
		return c, corrupt("encryption header", err)
	}
	r, err := strconv.Atoi(lines[2])
	if err != nil || r < 1 || r > maxRounds {
		return c, fmt.Errorf("%w: encryption header: bad PBKDF2 round count %q", evidence.ErrCorrupt, lines[2])
	}
	c.rounds = r
	if len(c.userIV) != aes.BlockSize || len(c.masterBlob) == 0 || len(c.masterBlob)%aes.BlockSize != 0 {
		return c, fmt.Errorf("%w: encryption header: bad IV or master key blob length", evidence.ErrCorrupt)
	}
	return c, nil
}

// decrypter unlocks the master key with password and returns the reader of
// the decrypted, unpadded payload.
func decrypter(br *bufio.Reader, version int, password string) (io.Reader, error) {
	c, err := readCryptoHeader(br)
	if err != nil {
		return nil, err
	}
	if password == "" {
		return nil, fmt.Errorf("%w: the backup is encrypted and no password was given", evidence.ErrEncrypted)
	}
	key, iv, err := unlockMasterKey(c, version, password)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, corrupt("master key", err)
	}
	return &cbcReader{r: br, mode: cipher.NewCBCDecrypter(block, iv)}, nil
}

// unlockMasterKey decrypts the master key blob
// [len][master IV][len][master key][len][checksum] with the key derived
// from the password and checks the checksum, so a wrong password is always
// detected.
func unlockMasterKey(c cryptoHeader, version int, password string) (key, iv []byte, err error) {
	userKey, err := pbkdf2.Key(sha1.New, password, c.userSalt, c.rounds, keyLen)
	if err != nil {
		return nil, nil, fmt.Errorf("derive key: %w", err)
	}
	block, err := aes.NewCipher(userKey)
	if err != nil {
		return nil, nil, err
	}
	blob := make([]byte, len(c.masterBlob))
	cipher.NewCBCDecrypter(block, c.userIV).CryptBlocks(blob, c.masterBlob)
	var parts [3][]byte
	rest := blob
	for i := range parts {
		if len(rest) == 0 || int(rest[0]) > len(rest)-1 {
			return nil, nil, evidence.ErrWrongPassword
		}
		parts[i], rest = rest[1:1+int(rest[0])], rest[1+int(rest[0]):]
	}
	iv, key, sum := parts[0], parts[1], parts[2]
	if len(iv) != aes.BlockSize || len(key) != keyLen {
		return nil, nil, evidence.ErrWrongPassword
	}
	want, err := pbkdf2.Key(sha1.New, string(checksumInput(key, version)), c.checksumSalt, c.rounds, keyLen)
	if err != nil {
		return nil, nil, fmt.Errorf("derive checksum: %w", err)
	}
	if subtle.ConstantTimeCompare(sum, want) != 1 {
		return nil, nil, evidence.ErrWrongPassword
	}
	return key, iv, nil
}

// checksumInput is what the master key checksum is computed over. Since
// version 2, Android hands the key to PBKDF2 as Java chars made from
// signed bytes, which PBKDF2 then encodes as UTF-8: a byte b ≥ 0x80
// becomes the char 0xFF00|b, three bytes of UTF-8.
func checksumInput(key []byte, version int) []byte {
	if version < 2 {
		return key
	}
	out := make([]byte, 0, 3*len(key))
	for _, b := range key {
		if b < 0x80 {
			out = append(out, b)
		} else {
			out = utf8.AppendRune(out, rune(0xFF00|uint16(b)))
		}
	}
	return out
}

// cbcReader decrypts AES-CBC and removes the PKCS#7 padding of the last
// block, holding one block back until the end is seen.
type cbcReader struct {
	r    io.Reader
	mode cipher.BlockMode
	in   []byte // ciphertext not yet decrypted
	out  []byte // plaintext ready to hand out
	held []byte // the last decrypted block, which may be padding
	done bool
}

const cbcChunk = 64 << 10

func (c *cbcReader) Read(p []byte) (int, error) {
	for len(c.out) == 0 {
		if c.done {
			return 0, io.EOF
		}
		if err := c.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(p, c.out)
	c.out = c.out[n:]
	return n, nil
}

func (c *cbcReader) fill() error {
	buf := make([]byte, cbcChunk)
	n, err := io.ReadFull(c.r, buf)
	c.in = append(c.in, buf[:n]...)
	eof := err == io.EOF || err == io.ErrUnexpectedEOF
	if err != nil && !eof {
		return err
	}
	whole := len(c.in) - len(c.in)%aes.BlockSize
	if whole > 0 {
		plain := make([]byte, whole)
		c.mode.CryptBlocks(plain, c.in[:whole])
		c.in = c.in[whole:]
		c.out = append(c.held, plain[:whole-aes.BlockSize]...)
		c.held = plain[whole-aes.BlockSize:]
	}
	if !eof {
		return nil
	}
	if len(c.in) != 0 || c.held == nil {
		return fmt.Errorf("%w: encrypted payload: %w", evidence.ErrCorrupt, errTruncated)
	}
	pad := int(c.held[aes.BlockSize-1])
	if pad < 1 || pad > aes.BlockSize || !bytes.Equal(c.held[aes.BlockSize-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
		return fmt.Errorf("%w: encrypted payload: bad padding", evidence.ErrCorrupt)
	}
	c.out = append(c.out, c.held[:aes.BlockSize-pad]...)
	c.held, c.done = nil, true
	return nil
}

// capped fails with ErrTooLarge once more than max bytes were read.
type capped struct {
	r         io.Reader
	left, max int64
}

func (c *capped) Read(p []byte) (int, error) {
	if c.left <= 0 {
		var one [1]byte
		if n, err := c.r.Read(one[:]); n == 0 {
			return 0, err
		}
		return 0, fmt.Errorf("%w (%d bytes)", ErrTooLarge, c.max)
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// zlibErrors names inflate failures: a cut-off zlib stream reads as
// io.ErrUnexpectedEOF, a damaged one as a zlib or flate error.
type zlibErrors struct {
	r  io.Reader
	on bool
}

func (z *zlibErrors) Read(p []byte) (int, error) {
	n, err := z.r.Read(p)
	switch {
	case err == nil, err == io.EOF, !z.on, errors.Is(err, evidence.ErrCorrupt), errors.Is(err, ErrTooLarge):
		return n, err
	case errors.Is(err, io.ErrUnexpectedEOF):
		return n, corrupt("zlib stream", errTruncated)
	}
	return n, corrupt("zlib stream", err)
}
