package ios

// Whatsapp: WhatsApp messages (with their links), the LID ↔ phone number
// pairs WhatsApp recorded, and one record per chat with its first and last
// message dates.
//
//   backup: 7c7fba66680ef796b916b067077cc246adacf01d (AppDomainGroup-group.net.whatsapp.WhatsApp.shared ChatStorage.sqlite)
//           e794f6ffcc3c222535f47684a63d5178da3c4500 (same domain, LID.sqlite; often not listed in Manifest.db)
//   fs:     private/var/mobile/Containers/Shared/AppGroup/*/ChatStorage.sqlite
//           private/var/mobile/Containers/Shared/AppGroup/*/LID.sqlite
//
// WhatsApp for iOS 2.x: ZWAMESSAGE with ZWAMEDIAITEM and ZWAMESSAGEDATAITEM
// (joined when present); ZWAPHONENUMBERLIDPAIR in LID.sqlite (2024+) or,
// for older versions, in ChatStorage.sqlite; ZWACHATSESSION/ZWAGROUPINFO.

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// Whatsapp reads ChatStorage.sqlite and LID.sqlite.
type Whatsapp struct{}

const (
	whatsappAppGroup = "private/var/mobile/Containers/Shared/AppGroup/*/"
	whatsappLIDID    = "e794f6ffcc3c222535f47684a63d5178da3c4500"
)

var whatsappQuery = artifact("7c7fba66680ef796b916b067077cc246adacf01d", whatsappAppGroup+"ChatStorage.sqlite")

// Info implements module.Module.
func (Whatsapp) Info() module.Info {
	return module.Info{Name: "whatsapp", Title: "Whatsapp", Kinds: mixed, TimeField: "isodate", CollectURLs: true}
}

// Extract implements module.Module: messages, then LID pairs, then chats.
func (Whatsapp) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	db, err := openDB(ctx, src, whatsappQuery)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := whatsappMessages(db, emit); err != nil {
		return err
	}
	lids, lidErr := whatsappLIDPairs(ctx, src, db, emit)
	if err := whatsappChats(db, lids, emit); err != nil {
		return err
	}
	return lidErr
}

// whatsappMediaPrefixes are WhatsApp's own media CDN, not links.
var whatsappMediaPrefixes = []string{"https://mmg-fna.whatsapp.net/", "https://mmg.whatsapp.net/"}

// whatsappLinkFields are the message columns that may hold links.
var whatsappLinkFields = []string{"ZTEXT", "ZMATCHEDTEXT", "ZMEDIAURL", "ZCONTENT1", "ZCONTENT2"}

func whatsappMessages(db *evidence.DB, emit func(record.Record)) error {
	if err := requireColumns(db, "ZWAMESSAGE", "Z_PK", "ZTEXT", "ZMESSAGEDATE"); err != nil {
		return err
	}
	sql := "SELECT ZWAMESSAGE.*"
	joins := ""
	for _, t := range []struct {
		table string
		cols  []string
	}{
		{"ZWAMEDIAITEM", []string{"ZAUTHORNAME", "ZMEDIAURL"}},
		{"ZWAMESSAGEDATAITEM", []string{"ZCONTENT1", "ZCONTENT2", "ZMATCHEDTEXT", "ZSUMMARY", "ZTITLE"}},
	} {
		ok, err := db.HasTable(t.table)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		for _, c := range t.cols {
			sql += ", " + t.table + "." + c
		}
		joins += fmt.Sprintf(" LEFT JOIN %[1]s ON %[1]s.ZMESSAGE = ZWAMESSAGE.Z_PK", t.table)
	}
	return db.Query(sql+" FROM ZWAMESSAGE"+joins, func(row evidence.Row) error {
		emit(record.Record{Data: whatsappMessage(row.Map())})
		return nil
	})
}

func whatsappMessage(d map[string]any) map[string]any {
	d["isodate"] = macTimeISO(d["ZMESSAGEDATE"])
	text, _ := d["ZTEXT"].(string)
	d["ZTEXT"] = text
	var links []string
	seen := map[string]bool{}
	for _, f := range whatsappLinkFields {
		s, _ := d[f].(string)
		for _, l := range findLinks(s) {
			if !seen[l] && !hasAnyPrefix(l, whatsappMediaPrefixes) {
				seen[l] = true
				links = append(links, l)
			}
		}
	}
	if len(links) > 0 || strings.TrimSpace(text) == "" {
		if links == nil {
			links = []string{}
		}
		d["links"] = links
	}
	return d
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// whatsappLIDPairs emits the LID ↔ phone number pairs, from LID.sqlite (next
// to ChatStorage.sqlite on a filesystem dump) or else from ChatStorage, and
// returns them as LID digits → phone digits. A LID.sqlite that cannot be
// read is returned as an error after the chats were read without it.
func whatsappLIDPairs(ctx context.Context, src evidence.Source, chats *evidence.DB, emit func(record.Record)) (map[string]string, error) {
	lids := map[string]string{}
	q := artifact(whatsappLIDID, whatsappAppGroup+"LID.sqlite")
	if dp := chats.Entry().DevicePath; dp != "" {
		q.DevicePaths = []string{path.Join(path.Dir(dp), "LID.sqlite")}
	}
	found, err := src.Find(ctx, q)
	if err != nil {
		return lids, err
	}
	db := chats
	if len(found) > 0 {
		if db, err = evidence.OpenDB(src, found[0]); err != nil {
			return lids, err
		}
		defer db.Close()
		if err := requireColumns(db, "ZWAPHONENUMBERLIDPAIR", "ZLID", "ZPHONENUMBER", "ZTIMESTAMP"); err != nil {
			return lids, err
		}
	} else if ok, err := db.HasTable("ZWAPHONENUMBERLIDPAIR"); err != nil || !ok {
		return lids, err
	}
	sql := "SELECT ZLID AS lid, ZPHONENUMBER AS phone_number, ZTIMESTAMP AS pair_timestamp FROM ZWAPHONENUMBERLIDPAIR"
	err = db.Query(sql, func(row evidence.Row) error {
		d := row.Map()
		d["record_type"] = "lid_phone_number_pair"
		d["pair_timestamp"] = nilIfEmpty(macTimeISO(d["pair_timestamp"]))
		if record.Truthy(d["lid"]) && record.Truthy(d["phone_number"]) {
			lid, _, _ := strings.Cut(pyText(d["lid"]), "@")
			phone, _, _ := strings.Cut(pyText(d["phone_number"]), "@")
			lids[lid] = strings.TrimLeft(phone, "+")
		}
		emit(record.Record{Data: d})
		return nil
	})
	return lids, err
}

// whatsappChatDates are the chat record's Mac-time fields.
var whatsappChatDates = []string{"last_message_date", "group_creation_date", "first_stored_message_date", "last_stored_message_date"}

// whatsappChats emits one record per chat session (none when the
// database has no ZWACHATSESSION table).
func whatsappChats(db *evidence.DB, lids map[string]string, emit func(record.Record)) error {
	if ok, err := db.HasTable("ZWACHATSESSION"); err != nil || !ok {
		return err
	}
	sql := `SELECT s.Z_PK AS session_pk, s.ZCONTACTJID AS contact_jid, s.ZPARTNERNAME AS partner_name,
			s.ZSESSIONTYPE AS session_type, s.ZARCHIVED AS archived, s.ZREMOVED AS removed,
			s.ZMESSAGECOUNTER AS message_counter, s.ZLASTMESSAGEDATE AS last_message_date,
			g.ZCREATIONDATE AS group_creation_date,
			MIN(m.ZMESSAGEDATE) AS first_stored_message_date, MAX(m.ZMESSAGEDATE) AS last_stored_message_date,
			COUNT(m.Z_PK) AS stored_message_count
		FROM ZWACHATSESSION s
		LEFT JOIN ZWAGROUPINFO g ON s.ZGROUPINFO = g.Z_PK
		LEFT JOIN ZWAMESSAGE m ON m.ZCHATSESSION = s.Z_PK
		GROUP BY s.Z_PK`
	return db.Query(sql, func(row evidence.Row) error {
		d := row.Map()
		d["record_type"] = "chat_session"
		d["partner_resolved_phone_number"] = nil
		if jid, _ := d["contact_jid"].(string); strings.HasSuffix(jid, "@lid") {
			user, _, _ := strings.Cut(jid, "@")
			if phone := lids[user]; phone != "" {
				d["partner_resolved_phone_number"] = "+" + phone
			}
		}
		for _, f := range whatsappChatDates {
			d[f] = nilIfEmpty(macTimeISO(d[f]))
		}
		emit(record.Record{Data: d})
		return nil
	})
}

// Observables implements module.Module: a message's links.
func (Whatsapp) Observables(r record.Record) []record.Observable {
	return module.Observe(record.Critical, record.URL, "links", r.Strings("links")...)
}

// Timeline implements module.Module.
func (m Whatsapp) Timeline(r record.Record) []record.Event {
	title := m.Info().Title
	switch r.String("record_type") {
	case "chat_session":
		return whatsappChatEvents(title, r)
	case "lid_phone_number_pair":
		return module.Event(title, r.String("pair_timestamp"), "lid_pair_recorded",
			fmt.Sprintf("WhatsApp associated LID %s with phone number %s", pyText(r.Data["lid"]), pyText(r.Data["phone_number"])))
	}
	from := "Unknown"
	if v, ok := r.Data["ZFROMJID"]; ok {
		from = pyText(v)
	}
	data := fmt.Sprintf("'%s' from %s", strings.ReplaceAll(r.String("ZTEXT"), "\n", `\n`), from)
	if links := r.Strings("links"); len(links) > 0 {
		data += " - Embedded links: " + strings.Join(links, ", ")
	}
	return module.Event(title, r.String("isodate"), "message", data)
}

func whatsappChatEvents(title string, r record.Record) []record.Event {
	jid := firstNonEmpty(r.String("contact_jid"), "unknown")
	label := firstNonEmpty(r.String("partner_resolved_phone_number"), jid)
	if name := r.String("partner_name"); name != "" {
		label = fmt.Sprintf("'%s' (%s)", name, label)
	}
	chat := "WhatsApp chat with " + label
	if strings.HasSuffix(jid, "@g.us") || r.String("group_creation_date") != "" {
		chat = "WhatsApp group chat " + label
	}
	var events []record.Event
	events = append(events, module.Event(title, r.String("group_creation_date"), "group_created", chat+" was created")...)
	events = append(events, module.Event(title, r.String("first_stored_message_date"), "chat_first_message", "First stored message in "+chat)...)
	last := firstNonEmpty(r.String("last_message_date"), r.String("last_stored_message_date"))
	return append(events, module.Event(title, last, "chat_last_message", "Last message in "+chat)...)
}
