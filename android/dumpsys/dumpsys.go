// Package dumpsys splits the text of an Android dumpstate (the main file of
// a bug report) or of a full `dumpsys` run (androidqf's dumpsys.txt) into
// its sections, streaming.
//
// A service section starts after the line whose trimmed text is
// "DUMP OF SERVICE <name>:" and ends before the next line whose trimmed
// text starts with 78 dashes ([Delimiter]). The system properties block of
// a dumpstate starts after the line beginning "------ SYSTEM PROPERTIES"
// and ends before a line that is exactly "------". These are the rules MVT
// uses, so sections cut here are the sections MVT parses.
//
// Input is read line by line through a [Scanner], so memory is bounded by
// the longest line kept ([MaxLine]), not by the file or the section.
// Dumpstate files hold binary bytes (ABX keystores, corrupt logs): in the
// text modes invalid UTF-8 is replaced or dropped and lines are split at
// every boundary Python's str.splitlines knows, as MVT decodes and splits
// them; in [Binary] mode lines are raw bytes split at \n, \r\n and \r.
package dumpsys

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"unicode/utf8"
)

// Delimiter starts the line that ends a service section (78 dashes).
const Delimiter = "------------------------------------------------------------------------------"

// PropertiesHeader starts the line that opens the system properties block.
const PropertiesHeader = "------ SYSTEM PROPERTIES"

// propertiesEnd is the trimmed text of the line that closes it.
const propertiesEnd = "------"

// Properties is the section name Walk gives the system properties block.
const Properties = "SYSTEM PROPERTIES"

// MaxLine bounds a line: the bytes of a longer line past MaxLine are
// skipped.
const MaxLine = 1 << 20

// ErrStop may be returned by a callback to stop reading without an error.
var ErrStop = errors.New("dumpsys: done")

// Header is the line that opens the section of service name.
func Header(name string) string { return "DUMP OF SERVICE " + name + ":" }

// Mode says how raw bytes become lines.
type Mode int

// Modes.
const (
	// Replace decodes UTF-8 replacing invalid bytes with U+FFFD, as
	// Python's decode(errors="replace").
	Replace Mode = iota
	// Ignore decodes UTF-8 dropping invalid bytes, as errors="ignore".
	Ignore
	// Binary keeps raw bytes; lines end at \n, \r\n or \r only.
	Binary
)

// Scanner reads lines.
type Scanner struct {
	r       *bufio.Reader
	mode    Mode
	pending [][]byte
	line    []byte
	err     error
	eof     bool
}

// NewScanner reads lines of r in the given mode.
func NewScanner(r io.Reader, mode Mode) *Scanner {
	return &Scanner{r: bufio.NewReaderSize(r, 64<<10), mode: mode}
}

// Scan advances to the next line; it returns false at the end of input or
// on a read error (see Err).
func (s *Scanner) Scan() bool {
	for len(s.pending) == 0 {
		if s.eof || s.err != nil {
			return false
		}
		s.fill()
	}
	s.line, s.pending = s.pending[0], s.pending[1:]
	return true
}

// Line is the current line, without its terminator. In the text modes it
// is valid UTF-8. It is valid until the next call to Scan.
func (s *Scanner) Line() []byte { return s.line }

// Err is the first read error, if any.
func (s *Scanner) Err() error { return s.err }

// fill reads one raw chunk ending in \n (or the end of input) and queues
// its lines.
func (s *Scanner) fill() {
	chunk, terminated := s.readRaw()
	if !terminated && len(chunk) == 0 {
		return
	}
	if terminated {
		chunk = bytes.TrimSuffix(bytes.TrimSuffix(chunk, []byte("\n")), []byte("\r"))
	}
	parts := bytes.Split(chunk, []byte("\r"))
	if !terminated && len(parts[len(parts)-1]) == 0 {
		parts = parts[:len(parts)-1]
	}
	for _, p := range parts {
		if s.mode == Binary {
			s.pending = append(s.pending, p)
			continue
		}
		s.pending = append(s.pending, splitText(decode(p, s.mode))...)
	}
}

// readRaw returns the next chunk up to and including \n, at most MaxLine
// bytes of it, and whether it ended with \n.
func (s *Scanner) readRaw() ([]byte, bool) {
	var buf []byte
	for {
		frag, err := s.r.ReadSlice('\n')
		if room := MaxLine - len(buf); room > 0 {
			buf = append(buf, frag[:min(len(frag), room)]...)
		}
		switch {
		case err == nil:
			if len(buf) > 0 && buf[len(buf)-1] != '\n' {
				buf = append(buf, '\n')
			}
			return buf, true
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			s.eof = true
		default:
			s.err = err
		}
		return buf, false
	}
}

// decode makes b valid UTF-8 the way Python's decoder does in mode.
func decode(b []byte, mode Mode) []byte {
	if utf8.Valid(b) {
		return b
	}
	out := make([]byte, 0, len(b)+8)
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case r != utf8.RuneError || size > 1:
			out = append(out, b[:size]...)
		case mode == Replace:
			out = utf8.AppendRune(out, utf8.RuneError)
		}
		b = b[size:]
	}
	return out
}

// splitText splits a terminated line further at the line boundaries
// Python's str.splitlines adds to \n and \r: \v, \f, \x1c-\x1e, U+0085,
// U+2028 and U+2029.
func splitText(b []byte) [][]byte {
	var out [][]byte
	start := 0
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if isTextBreak(r) {
			out = append(out, b[start:i])
			start = i + size
		}
		i += size
	}
	return append(out, b[start:])
}

func isTextBreak(r rune) bool {
	switch r {
	case '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
		return true
	}
	return false
}

// trimmed is the line without surrounding white space, as Python's strip.
func trimmed(line []byte) []byte { return bytes.TrimSpace(line) }

// Walk calls fn with every line inside a section, with the section's
// name: the service name, or [Properties] for the system properties block.
// Lines outside sections are skipped. A header met inside a section is
// part of that section, except the section's own header, which is skipped.
func Walk(r io.Reader, mode Mode, fn func(section string, line []byte) error) error {
	sc := NewScanner(r, mode)
	section, inside := "", false
	for sc.Scan() {
		line := sc.Line()
		t := trimmed(line)
		if !inside {
			section, inside = sectionStart(t)
			continue
		}
		if sectionEnd(section, t) {
			inside = false
			continue
		}
		if sameHeader(section, t) {
			continue
		}
		if err := fn(section, line); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
	}
	return sc.Err()
}

// sectionStart reports whether the trimmed line t opens a section.
func sectionStart(t []byte) (string, bool) {
	if bytes.HasPrefix(t, []byte(PropertiesHeader)) {
		return Properties, true
	}
	const pre, suf = "DUMP OF SERVICE ", ":"
	if len(t) > len(pre)+len(suf) && bytes.HasPrefix(t, []byte(pre)) && bytes.HasSuffix(t, []byte(suf)) {
		return string(t[len(pre) : len(t)-len(suf)]), true
	}
	return "", false
}

func sectionEnd(section string, t []byte) bool {
	if section == Properties {
		return string(t) == propertiesEnd
	}
	return bytes.HasPrefix(t, []byte(Delimiter))
}

func sameHeader(section string, t []byte) bool {
	if section == Properties {
		return bytes.HasPrefix(t, []byte(PropertiesHeader))
	}
	return string(t) == Header(section)
}

// Service calls fn with each line of the first section of service name
// and reports whether the section was found.
func Service(r io.Reader, mode Mode, name string, fn func(line []byte) error) (bool, error) {
	return first(r, mode, name, fn)
}

// SystemProperties calls fn with each line of the first system properties
// block and reports whether it was found.
func SystemProperties(r io.Reader, mode Mode, fn func(line []byte) error) (bool, error) {
	return first(r, mode, Properties, fn)
}

// first finds the first header of section name anywhere in the input
// (as MVT does, even inside another section) and calls fn with the lines
// up to the section's end.
func first(r io.Reader, mode Mode, name string, fn func([]byte) error) (bool, error) {
	sc := NewScanner(r, mode)
	inside := false
	for sc.Scan() {
		t := trimmed(sc.Line())
		if !inside {
			s, ok := sectionStart(t)
			inside = ok && s == name
			continue
		}
		if sectionEnd(name, t) {
			return true, nil
		}
		if sameHeader(name, t) {
			continue
		}
		if err := fn(sc.Line()); err != nil {
			if errors.Is(err, ErrStop) {
				return true, nil
			}
			return true, err
		}
	}
	return inside, sc.Err()
}
