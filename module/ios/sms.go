package ios

// SMS: SMS and iMessage messages, with the links they carry.
//
//   backup: 3d0d7e5fb2ce288813306e4d4636395e047a3d28 (HomeDomain Library/SMS/sms.db)
//   fs:     private/var/mobile/Library/SMS/sms.db
//
// All iOS versions: message joined to handle. Since iOS 16 message.text is
// often NULL and the text only lives in message.attributedBody, an
// NSAttributedString archived with NSArchiver (a "typedstream"); the text
// is then decoded from it (MVT leaves such messages with an empty text).

import (
	"context"
	"fmt"
	"strings"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// SMS reads the messages of sms.db.
type SMS struct{}

var smsQuery = artifact("3d0d7e5fb2ce288813306e4d4636395e047a3d28", "private/var/mobile/Library/SMS/sms.db")

// Info implements module.Module.
func (SMS) Info() module.Info {
	return module.Info{Name: "sms", Title: "SMS", Kinds: mixed, TimeField: "isodate", CollectURLs: true}
}

// Extract implements module.Module.
func (SMS) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	db, err := openDB(ctx, src, smsQuery)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := requireColumns(db, "message", "handle_id"); err != nil {
		return err
	}
	if err := requireColumns(db, "handle", "id"); err != nil {
		return err
	}
	sql := "SELECT message.*, handle.id AS phone_number FROM message, handle WHERE handle.rowid = message.handle_id"
	return db.Query(sql, func(row evidence.Row) error {
		emit(record.Record{Data: smsRecord(row)})
		return nil
	})
}

func smsRecord(row evidence.Row) map[string]any {
	d := row.Map("attributedBody", "payload_data", "message_summary_info")
	d["isodate"] = macTimeISO(row.Get("date"))
	d["isodate_read"] = macTimeISO(row.Get("date_read"))
	d["direction"] = "received"
	if v, _ := row.Get("is_from_me").(int64); v == 1 {
		d["direction"] = "sent"
	}
	text := row.Text("text")
	if text == "" {
		if body, ok := row.Get("attributedBody").([]byte); ok {
			text, _ = attributedBodyText(body) // an undecodable body leaves the text empty, as in MVT
		}
	}
	d["text"] = text
	d["links"] = findLinks(text)
	return d
}

// Observables implements module.Module: the message's links.
func (SMS) Observables(r record.Record) []record.Observable {
	links := r.Strings("links")
	if len(links) == 0 {
		links = findLinks(r.String("text"))
	}
	return module.Observe(record.Critical, record.URL, "links", links...)
}

// Timeline implements module.Module: received, and read when it was.
func (m SMS) Timeline(r record.Record) []record.Event {
	text := strings.ReplaceAll(r.String("text"), "\n", `\n`)
	data := fmt.Sprintf(`%s: %s "%s" from %s (%s)`, pyText(r.Data["service"]), pyText(r.Data["guid"]), text,
		pyText(r.Data["phone_number"]), pyText(r.Data["account"]))
	title := m.Info().Title
	events := module.Event(title, r.String("isodate"), "sms_received", data)
	return append(events, module.Event(title, r.String("isodate_read"), "sms_read", data)...)
}

// appleThreatAlerts are the openings of Apple's threat notifications.
var appleThreatAlerts = []string{
	"ALERT: State-sponsored attackers may be targeting your iPhone",
	"ALERT: Apple detected a targeted mercenary spyware attack against your iPhone",
}

// NewInspector implements module.Heuristic: Apple's threat notification
// received as a message.
func (SMS) NewInspector() module.Inspector {
	return module.InspectFunc(func(r record.Record, raise func(record.Finding)) {
		text := r.String("text")
		for _, alert := range appleThreatAlerts {
			if strings.HasPrefix(text, alert) {
				when := r.String("isodate")
				raise(module.Alert(record.High, r, when, "Apple warning about state-sponsored attack received on "+when))
				return
			}
		}
	})
}

// typedstream tags (NSArchiver's stream format).
const (
	tsInt16 = 0x81
	tsInt32 = 0x82
	tsNew   = 0x84
	tsNil   = 0x85
	tsLabel = 0x92 // first reference to an already-seen string or object
)

// attributedBodyText returns the text of an NSAttributedString archived
// as a typedstream: the stream header, the root attributed-string object,
// whose first value is the NSString holding the text as UTF-8 bytes.
func attributedBodyText(b []byte) (string, error) {
	s := &typedStream{b: b}
	text, err := s.attributedText()
	if err != nil {
		return "", fmt.Errorf("%w: attributedBody: %v", evidence.ErrCorrupt, err)
	}
	return text, nil
}

type typedStream struct {
	b      []byte
	pos    int
	shared []string // strings already seen (type encodings, class names)
}

func (s *typedStream) attributedText() (string, error) {
	if err := s.header(); err != nil {
		return "", err
	}
	if err := s.expectType("@"); err != nil {
		return "", err
	}
	if err := s.expectObject("NSAttributedString", "NSMutableAttributedString"); err != nil {
		return "", err
	}
	if err := s.expectType("@"); err != nil {
		return "", err
	}
	if err := s.expectObject("NSString", "NSMutableString"); err != nil {
		return "", err
	}
	if err := s.expectType("+"); err != nil {
		return "", err
	}
	text, err := s.bytes()
	if err != nil {
		return "", err
	}
	return evidence.BytesText(text), nil
}

// header reads the stream version, the "streamtyped" signature and the
// system version.
func (s *typedStream) header() error {
	if _, err := s.byte(); err != nil {
		return err
	}
	sig, err := s.bytes()
	if err != nil {
		return err
	}
	if string(sig) != "streamtyped" {
		return fmt.Errorf("not a typedstream (signature %q)", sig)
	}
	_, err = s.int()
	return err
}

func (s *typedStream) byte() (byte, error) {
	if s.pos >= len(s.b) {
		return 0, fmt.Errorf("truncated at byte %d", s.pos)
	}
	c := s.b[s.pos]
	s.pos++
	return c, nil
}

// int reads an integer: one signed byte, or a tag and 2 or 4 little-endian bytes.
func (s *typedStream) int() (int64, error) {
	c, err := s.byte()
	if err != nil {
		return 0, err
	}
	return s.intAfter(c)
}

func (s *typedStream) intAfter(tag byte) (int64, error) {
	size := 0
	switch tag {
	case tsInt16:
		size = 2
	case tsInt32:
		size = 4
	default:
		return int64(int8(tag)), nil
	}
	if len(s.b)-s.pos < size {
		return 0, fmt.Errorf("truncated integer at byte %d", s.pos)
	}
	var v uint32
	for i := size - 1; i >= 0; i-- {
		v = v<<8 | uint32(s.b[s.pos+i])
	}
	s.pos += size
	if size == 2 {
		return int64(int16(v)), nil
	}
	return int64(int32(v)), nil
}

// bytes reads a length-prefixed byte string.
func (s *typedStream) bytes() ([]byte, error) {
	n, err := s.int()
	if err != nil {
		return nil, err
	}
	if n < 0 || n > int64(len(s.b)-s.pos) {
		return nil, fmt.Errorf("string of %d bytes at byte %d overruns the %d-byte stream", n, s.pos, len(s.b))
	}
	out := s.b[s.pos : s.pos+int(n)]
	s.pos += int(n)
	return out, nil
}

// sharedString reads a string written once then referred to by index;
// ok is false for nil.
func (s *typedStream) sharedString() (str string, ok bool, err error) {
	c, err := s.byte()
	if err != nil {
		return "", false, err
	}
	switch {
	case c == tsNew:
		b, err := s.bytes()
		if err != nil {
			return "", false, err
		}
		s.shared = append(s.shared, string(b))
		return string(b), true, nil
	case c == tsNil:
		return "", false, nil
	case c >= tsLabel:
		i := int(c - tsLabel)
		if i >= len(s.shared) {
			return "", false, fmt.Errorf("reference %d to an unknown string at byte %d", i, s.pos-1)
		}
		return s.shared[i], true, nil
	}
	return "", false, fmt.Errorf("unexpected tag %#x for a string at byte %d", c, s.pos-1)
}

func (s *typedStream) expectType(want string) error {
	got, _, err := s.sharedString()
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("value of type %q where %q was expected", got, want)
	}
	return nil
}

// expectObject reads the start of a new object and its class chain, which
// must name one of classes.
func (s *typedStream) expectObject(classes ...string) error {
	c, err := s.byte()
	if err != nil {
		return err
	}
	if c != tsNew {
		return fmt.Errorf("expected a new %s object at byte %d", classes[0], s.pos-1)
	}
	chain, err := s.classChain()
	if err != nil {
		return err
	}
	for _, name := range chain {
		for _, want := range classes {
			if name == want {
				return nil
			}
		}
	}
	return fmt.Errorf("object of class %v where %s was expected", chain, classes[0])
}

// classChain reads a class and its superclasses up to nil or a class seen
// before; it returns the names of the new classes.
func (s *typedStream) classChain() ([]string, error) {
	var names []string
	for {
		c, err := s.byte()
		if err != nil {
			return nil, err
		}
		switch {
		case c == tsNil || c >= tsLabel:
			return names, nil
		case c != tsNew:
			return nil, fmt.Errorf("unexpected tag %#x in a class chain at byte %d", c, s.pos-1)
		}
		name, ok, err := s.sharedString()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("class without a name at byte %d", s.pos)
		}
		if _, err := s.int(); err != nil { // class version
			return nil, err
		}
		names = append(names, name)
	}
}
