package ioc

import (
	"errors"
	"fmt"
	"strings"
)

// errSyntax marks a pattern that is not STIX patterning at all.
var errSyntax = errors.New("syntax error")

// maxDepth bounds parenthesis and bracket nesting, so hostile input cannot
// exhaust the stack.
const maxDepth = 32

// comparison is one "path op value" term of a pattern.
type comparison struct {
	path  string // object path as written, e.g. file:hashes.'SHA-256'
	op    string // "=", "!=", "LIKE", "NOT MATCHES" …
	value string // unescaped string literal; "" when not a string
	typed bool   // value is a string literal without b/h/t prefix
}

// parsedPattern is what a pattern holds once parsed.
type parsedPattern struct {
	// cmps are the comparisons, in order.
	cmps []comparison
	// conjunctive names the first construct (AND, FOLLOWEDBY, a
	// qualifier) that makes the pattern more than a union of comparisons.
	conjunctive string
}

type tokenKind int

const (
	tEOF tokenKind = iota
	tOpen
	tClose
	tLParen
	tRParen
	tString
	tWord
	tOp
)

type token struct {
	kind tokenKind
	text string // word or operator text; unescaped content for strings
	pos  int
}

// parsePattern parses a STIX pattern. Brackets around a lone comparison may
// be omitted, as MVT tolerates.
func parsePattern(s string) (parsedPattern, error) {
	toks, err := lex(s)
	if err != nil {
		return parsedPattern{}, err
	}
	p := &parser{toks: toks}
	if k := p.peek().kind; k == tOpen || k == tLParen {
		err = p.observations(0)
	} else {
		err = p.comparisons(0)
	}
	if err != nil {
		return parsedPattern{}, err
	}
	if t := p.peek(); t.kind != tEOF {
		return parsedPattern{}, p.unexpected(t)
	}
	if len(p.out.cmps) == 0 {
		return parsedPattern{}, fmt.Errorf("%w: no comparison", errSyntax)
	}
	return p.out, nil
}

type parser struct {
	toks []token
	i    int
	out  parsedPattern
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) unexpected(t token) error {
	if t.kind == tEOF {
		return fmt.Errorf("%w: unexpected end of pattern", errSyntax)
	}
	return fmt.Errorf("%w: unexpected %q at offset %d", errSyntax, t.text, t.pos)
}

func (p *parser) conjunct(what string) {
	if p.out.conjunctive == "" {
		p.out.conjunctive = what
	}
}

// observations parses obs { (OR|AND|FOLLOWEDBY) obs }.
func (p *parser) observations(depth int) error {
	for {
		if err := p.observation(depth); err != nil {
			return err
		}
		t := p.peek()
		if t.kind != tWord {
			return nil
		}
		switch kw := strings.ToUpper(t.text); kw {
		case "AND", "FOLLOWEDBY":
			p.conjunct(kw)
		case "OR":
		default:
			return nil
		}
		p.next()
	}
}

// observation parses '[' comparisons ']' or '(' observations ')', each
// followed by any qualifiers.
func (p *parser) observation(depth int) error {
	if depth >= maxDepth {
		return fmt.Errorf("%w: nesting deeper than %d", errSyntax, maxDepth)
	}
	open := p.next()
	var err error
	switch open.kind {
	case tOpen:
		err = p.comparisons(depth + 1)
		if err == nil {
			err = p.expect(tClose)
		}
	case tLParen:
		err = p.observations(depth + 1)
		if err == nil {
			err = p.expect(tRParen)
		}
	default:
		return p.unexpected(open)
	}
	if err != nil {
		return err
	}
	return p.qualifiers()
}

func (p *parser) expect(k tokenKind) error {
	if t := p.next(); t.kind != k {
		return p.unexpected(t)
	}
	return nil
}

// qualifiers parses WITHIN n SECONDS, REPEATS n TIMES, START t'…' STOP t'…'.
func (p *parser) qualifiers() error {
	for p.peek().kind == tWord {
		kw := strings.ToUpper(p.peek().text)
		var unit string
		switch kw {
		case "WITHIN":
			unit = "SECONDS"
		case "REPEATS":
			unit = "TIMES"
		case "START":
			unit = "STOP"
		default:
			return nil
		}
		p.next()
		p.conjunct(kw)
		if err := p.literal(); err != nil {
			return err
		}
		if t := p.next(); t.kind != tWord || !strings.EqualFold(t.text, unit) {
			return p.unexpected(t)
		}
		if kw == "START" {
			if err := p.literal(); err != nil {
				return err
			}
		}
	}
	return nil
}

// literal consumes a number, a string or a prefixed string (t'…').
func (p *parser) literal() error {
	t := p.next()
	switch t.kind {
	case tString:
		return nil
	case tWord:
		if p.peek().kind == tString && isStringPrefix(t.text) {
			p.next()
		}
		return nil
	}
	return p.unexpected(t)
}

func isStringPrefix(w string) bool {
	switch strings.ToLower(w) {
	case "b", "h", "t":
		return true
	}
	return false
}

// comparisons parses term { (OR|AND) term } inside brackets.
func (p *parser) comparisons(depth int) error {
	for {
		if err := p.term(depth); err != nil {
			return err
		}
		t := p.peek()
		if t.kind != tWord {
			return nil
		}
		switch kw := strings.ToUpper(t.text); kw {
		case "AND":
			p.conjunct(kw)
		case "OR":
		default:
			return nil
		}
		p.next()
	}
}

func (p *parser) term(depth int) error {
	if depth >= maxDepth {
		return fmt.Errorf("%w: nesting deeper than %d", errSyntax, maxDepth)
	}
	if p.peek().kind != tLParen {
		return p.comparison()
	}
	p.next()
	if err := p.comparisons(depth + 1); err != nil {
		return err
	}
	return p.expect(tRParen)
}

// comparison parses path [NOT] op value.
func (p *parser) comparison() error {
	path := p.next()
	if path.kind != tWord || !strings.Contains(path.text, ":") {
		return p.unexpected(path)
	}
	c := comparison{path: path.text}
	op, err := p.operator()
	if err != nil {
		return err
	}
	c.op = op
	v := p.next()
	switch {
	case v.kind == tString:
		c.value, c.typed = v.text, true
	case v.kind == tWord && p.peek().kind == tString && isStringPrefix(v.text):
		c.value = p.next().text
	case v.kind == tWord:
		c.value = v.text
	case v.kind == tLParen:
		if err := p.set(); err != nil {
			return err
		}
	default:
		return p.unexpected(v)
	}
	p.out.cmps = append(p.out.cmps, c)
	return nil
}

// operator reads a comparison operator, with an optional leading NOT.
func (p *parser) operator() (string, error) {
	t := p.next()
	prefix := ""
	if t.kind == tWord && strings.EqualFold(t.text, "NOT") {
		prefix, t = "NOT ", p.next()
	}
	switch t.kind {
	case tOp:
		return prefix + t.text, nil
	case tWord:
		switch kw := strings.ToUpper(t.text); kw {
		case "LIKE", "MATCHES", "IN", "ISSUBSET", "ISSUPERSET":
			return prefix + kw, nil
		}
	}
	return "", p.unexpected(t)
}

// set consumes the rest of a parenthesised list of literals ("IN (…)").
func (p *parser) set() error {
	for {
		if err := p.literal(); err != nil {
			return err
		}
		t := p.next()
		if t.kind == tRParen {
			return nil
		}
		if t.kind != tWord || t.text != "," {
			return p.unexpected(t)
		}
	}
}

// lex splits a pattern into tokens; the last token is always tEOF.
func lex(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '[' || c == ']' || c == '(' || c == ')':
			toks = append(toks, token{kind: punct(c), text: s[i : i+1], pos: i})
			i++
		case c == ',':
			toks = append(toks, token{kind: tWord, text: ",", pos: i})
			i++
		case c == '\'':
			v, n, err := quoted(s[i:])
			if err != nil {
				return nil, fmt.Errorf("%w at offset %d", err, i)
			}
			toks = append(toks, token{kind: tString, text: v, pos: i})
			i += n
		case strings.IndexByte("=!<>", c) >= 0:
			n := operatorLen(s[i:])
			if n == 0 {
				return nil, fmt.Errorf("%w: unexpected %q at offset %d", errSyntax, s[i:i+1], i)
			}
			toks = append(toks, token{kind: tOp, text: s[i : i+n], pos: i})
			i += n
		default:
			n, err := wordLen(s[i:])
			if err != nil {
				return nil, fmt.Errorf("%w at offset %d", err, i)
			}
			if n == 0 {
				return nil, fmt.Errorf("%w: unexpected %q at offset %d", errSyntax, s[i:i+1], i)
			}
			toks = append(toks, token{kind: tWord, text: s[i : i+n], pos: i})
			i += n
		}
	}
	return append(toks, token{kind: tEOF, pos: len(s)}), nil
}

func punct(c byte) tokenKind {
	switch c {
	case '[':
		return tOpen
	case ']':
		return tClose
	case '(':
		return tLParen
	}
	return tRParen
}

func operatorLen(s string) int {
	if len(s) >= 2 && s[1] == '=' && s[0] != '=' {
		return 2 // != <= >=
	}
	if s[0] == '!' {
		return 0
	}
	return 1
}

// quoted reads a single-quoted string at the start of s and returns its
// unescaped content and the length consumed.
func quoted(s string) (string, int, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\'':
			return b.String(), i + 1, nil
		case '\\':
			if i+1 < len(s) && (s[i+1] == '\'' || s[i+1] == '\\') {
				i++
			}
		}
		b.WriteByte(s[i])
	}
	return "", 0, fmt.Errorf("%w: unterminated string", errSyntax)
}

// wordLen measures a word: a keyword, a number or an object path, where a
// path may hold quoted components (file:hashes.'SHA-256') and list indexes
// (resolves_to_refs[*]).
func wordLen(s string) (int, error) {
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == '\'' && i > 0 && s[i-1] == '.':
			_, n, err := quoted(s[i:])
			if err != nil {
				return 0, err
			}
			i += n
		case c == '[' && i > 0:
			n := indexLen(s[i:])
			if n == 0 {
				return i, nil
			}
			i += n
		case strings.IndexByte(" \t\r\n[]()',=!<>", c) >= 0:
			return i, nil
		default:
			i++
		}
	}
	return i, nil
}

// indexLen measures a list index such as [*] or [0] at the start of s.
func indexLen(s string) int {
	end := strings.IndexByte(s, ']')
	if end < 2 {
		return 0
	}
	in := s[1:end]
	if in == "*" || strings.Trim(in, "0123456789") == "" {
		return end + 1
	}
	return 0
}
