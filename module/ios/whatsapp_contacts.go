package ios

// WhatsappContacts: WhatsApp's address book, with each contact's LID,
// "about" text and disappearing-messages timer.
//
//   backup: b8548dc30aa1030df0ce18ef08b882cf7ab5212f (AppDomainGroup-group.net.whatsapp.WhatsApp.shared ContactsV2.sqlite)
//   fs:     private/var/mobile/Containers/Shared/AppGroup/*/ContactsV2.sqlite
//
// WhatsApp 2.23+ (table ZWAADDRESSBOOKCONTACT); columns vary between
// versions, so only those present are read. InteractionC reads the same
// database (readWhatsappContacts) to name WhatsApp peers.

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// WhatsappContacts reads ContactsV2.sqlite.
type WhatsappContacts struct{}

var whatsappContactsQuery = artifact("b8548dc30aa1030df0ce18ef08b882cf7ab5212f",
	"private/var/mobile/Containers/Shared/AppGroup/*/ContactsV2.sqlite")

// Info implements module.Module.
func (WhatsappContacts) Info() module.Info {
	return module.Info{Name: "whatsapp_contacts", Title: "WhatsappContacts", Kinds: mixed, TimeField: "last_updated"}
}

// Extract implements module.Module.
func (WhatsappContacts) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	return readWhatsappContacts(ctx, src, func(d map[string]any) { emit(record.Record{Data: d}) })
}

// whatsappContactColumns maps record fields to their candidate columns, in
// order of preference.
var whatsappContactColumns = []struct {
	field   string
	columns []string
}{
	{"whatsapp_id", []string{"ZWHATSAPPID"}},
	{"lid", []string{"ZLID"}},
	{"phone_number", []string{"ZPHONENUMBER"}},
	{"localized_phone_number", []string{"ZLOCALIZEDPHONENUMBER"}},
	{"full_name", []string{"ZFULLNAME"}},
	{"given_name", []string{"ZGIVENNAME"}},
	{"last_name", []string{"ZLASTNAME"}},
	{"user_name", []string{"ZUSERNAME"}},
	{"business_name", []string{"ZBUSINESSNAME"}},
	{"about_text", []string{"ZABOUTTEXT"}},
	{"about_emoji", []string{"ZABOUTEMOJI"}},
	{"notes", []string{"ZNOTES"}},
	{"disappearing_mode_duration", []string{"ZDISAPPEARINGMODEDURATION"}},
	{"disappearing_mode_timestamp", []string{"ZDISAPPEARINGMODETIMESTAMP"}},
	{"about_timestamp", []string{"ZABOUTTIMESTAMP"}},
	{"about_expiration_timestamp", []string{"ZABOUTEXPIRATIONTIMESTAMP"}},
	{"last_updated", []string{"ZLASTUPDATED"}},
	{"phone_status", []string{"ZPHONESTATUS", "ZPHONENUMBERSTATUS"}},
	{"sync_policy", []string{"ZSYNCPOLICY"}},
}

// Text fields (CoreData stores some as UTF-8 blobs) and Mac-time fields.
var (
	whatsappContactText = []string{"whatsapp_id", "lid", "phone_number", "localized_phone_number", "full_name",
		"given_name", "last_name", "user_name", "business_name", "about_text", "about_emoji", "notes"}
	whatsappContactDates = []string{"disappearing_mode_timestamp", "about_timestamp", "about_expiration_timestamp", "last_updated"}
)

// disappearingLabels names WhatsApp's standard timer values (seconds).
var disappearingLabels = map[int64]string{
	86400: "24 hours", 604800: "7 days", 1209600: "14 days", 2592000: "30 days", 7776000: "90 days",
}

// readWhatsappContacts emits one record per ZWAADDRESSBOOKCONTACT row of
// ContactsV2.sqlite.
func readWhatsappContacts(ctx context.Context, src evidence.Source, emit func(map[string]any)) error {
	db, err := openDB(ctx, src, whatsappContactsQuery)
	if err != nil {
		return err
	}
	defer db.Close()
	have, err := db.Columns("ZWAADDRESSBOOKCONTACT")
	if err != nil {
		return err
	}
	if len(have) == 0 {
		return schemaError(db, "no ZWAADDRESSBOOKCONTACT table")
	}
	fields, cols := []string{"row_pk"}, []string{"Z_PK"}
	for _, fc := range whatsappContactColumns {
		for _, c := range fc.columns {
			if have[c] {
				fields, cols = append(fields, fc.field), append(cols, c)
				break
			}
		}
	}
	hasDuration := have["ZDISAPPEARINGMODEDURATION"]
	return db.Query("SELECT "+strings.Join(cols, ", ")+" FROM ZWAADDRESSBOOKCONTACT", func(row evidence.Row) error {
		d := make(map[string]any, len(fields)+2)
		for i, f := range fields {
			d[f] = row.Value(i)
		}
		whatsappContactRecord(d, hasDuration)
		emit(d)
		return nil
	})
}

// plainValue turns a column value into a JSON value (blobs as text).
func plainValue(v any) any {
	if b, ok := v.([]byte); ok {
		return evidence.BytesText(b)
	}
	return v
}

// whatsappContactRecord completes a row read with raw column values.
func whatsappContactRecord(d map[string]any, hasDuration bool) {
	for _, f := range whatsappContactText {
		switch v := d[f].(type) {
		case nil, string:
			d[f] = v
		case []byte: // decoded as MVT does, invalid bytes replaced
			d[f] = strings.ToValidUTF8(string(v), "\uFFFD")
		default:
			d[f] = pyText(v)
		}
	}
	for k, v := range d {
		d[k] = plainValue(v)
	}
	for _, f := range whatsappContactDates {
		d[f] = nilIfEmpty(macTimeISO(d[f]))
	}
	if !hasDuration {
		d["disappearing_mode_duration"], d["disappearing_mode_is_on"], d["disappearing_mode_label"] = nil, nil, nil
	} else {
		d["disappearing_mode_is_on"] = record.Truthy(d["disappearing_mode_duration"])
		d["disappearing_mode_label"] = disappearingLabel(d["disappearing_mode_duration"])
	}
	for _, f := range []string{"phone_status", "sync_policy"} {
		if _, ok := d[f]; !ok {
			d[f] = nil
		}
	}
}

func disappearingLabel(v any) string {
	f, ok := record.Num(v)
	if !ok || f == 0 {
		return "off"
	}
	n := int64(f)
	if l, ok := disappearingLabels[n]; ok {
		return l
	}
	return fmt.Sprintf("%d seconds", n)
}

// nilIfEmpty gives nil for "", as MVT writes null for absent dates.
func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Observables implements module.Module: none.
func (WhatsappContacts) Observables(record.Record) []record.Observable { return nil }

// Timeline implements module.Module.
func (m WhatsappContacts) Timeline(r record.Record) []record.Event {
	contact := firstNonEmpty(r.String("whatsapp_id"), r.String("lid"), r.String("phone_number"), "unknown")
	if name := r.String("full_name"); name != "" {
		contact += " (" + name + ")"
	}
	title := m.Info().Title
	var events []record.Event
	events = append(events, module.Event(title, r.String("disappearing_mode_timestamp"), "disappearing_mode_set",
		fmt.Sprintf("WhatsApp disappearing messages timer set to '%s' for %s", pyText(r.Data["disappearing_mode_label"]), contact))...)
	about := "WhatsApp about text of " + contact + " changed"
	if text := r.String("about_text"); text != "" {
		about += ` to "` + text + `"`
	}
	events = append(events, module.Event(title, r.String("about_timestamp"), "about_changed", about)...)
	events = append(events, module.Event(title, r.String("about_expiration_timestamp"), "about_expiration",
		"WhatsApp about text of "+contact+" scheduled to expire")...)
	return append(events, module.Event(title, r.String("last_updated"), "contact_last_updated",
		"WhatsApp contact record for "+contact+" updated")...)
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// whatsappPeers resolves WhatsApp identifiers to a phone number and name
// from ContactsV2.sqlite.
type whatsappPeers struct {
	byLID   map[string]whatsappPeer
	byPhone map[string]whatsappPeer
}

type whatsappPeer struct{ phone, name string }

// loadWhatsappPeers reads ContactsV2.sqlite; an absent database gives an
// empty resolver and no error.
func loadWhatsappPeers(ctx context.Context, src evidence.Source) (whatsappPeers, error) {
	p := whatsappPeers{byLID: map[string]whatsappPeer{}, byPhone: map[string]whatsappPeer{}}
	err := readWhatsappContacts(ctx, src, func(d map[string]any) {
		r := record.Record{Data: d}
		peer := whatsappPeer{phone: r.String("phone_number"), name: firstNonEmpty(r.String("full_name"), r.String("given_name"))}
		if lid := r.String("lid"); lid != "" {
			p.byLID[lid] = peer
		}
		if peer.phone != "" {
			p.byPhone[digitsOnly(peer.phone)] = peer
		}
		if jid := r.String("whatsapp_id"); strings.Contains(jid, "@") {
			user, _, _ := strings.Cut(jid, "@")
			if _, seen := p.byPhone[user]; !seen {
				p.byPhone[user] = peer
			}
		}
	})
	if errors.Is(err, evidence.ErrNotFound) {
		err = nil
	}
	return p, err
}

// resolve maps a LID, JID or phone number to a phone number and name.
func (p whatsappPeers) resolve(id string) (phone, name string) {
	switch {
	case strings.HasSuffix(id, "@lid"):
		peer := p.byLID[id]
		return peer.phone, peer.name
	case strings.HasSuffix(id, "@g.us"):
		return "", ""
	case strings.HasSuffix(id, "@s.whatsapp.net"):
		user, _, _ := strings.Cut(id, "@")
		peer := p.byPhone[user]
		return firstNonEmpty(peer.phone, "+"+user), peer.name
	case strings.HasPrefix(id, "+"):
		return "", p.byPhone[digitsOnly(id)].name
	}
	return "", ""
}

// digitsOnly keeps the ASCII digits of s.
func digitsOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}
