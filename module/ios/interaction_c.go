package ios

// InteractionC: CoreDuet's record of who the user interacted with, through
// which app and when (messages, calls, shares).
//
//   backup: 1f5a521220a3ad80ebfdc196978df8e7a2e49dee (HomeDomain Library/CoreDuet/People/interactionC.db)
//   fs:     private/var/mobile/Library/CoreDuet/People/interactionC.db
//
// iOS 10+: ZINTERACTIONS with the sender's ZCONTACTS row; the newer
// schemas (iOS 12+) also join attachments (Z_1INTERACTIONS/ZATTACHMENT)
// and recipients (Z_2INTERACTIONRECIPIENT/ZCONTACTS). Four column sets are
// tried, newest first. WhatsApp peers, recorded as LIDs or JIDs, are
// resolved to a phone number and name through WhatsApp's ContactsV2.sqlite,
// read here directly (MVT gets it from its WhatsappContacts module).

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// InteractionC reads interactionC.db.
type InteractionC struct{}

var interactionCQuery = artifact("1f5a521220a3ad80ebfdc196978df8e7a2e49dee",
	"private/var/mobile/Library/CoreDuet/People/interactionC.db")

// Info implements module.Module.
func (InteractionC) Info() module.Info {
	return module.Info{Name: "interaction_c", Title: "InteractionC", Kinds: mixed, TimeField: "start_date"}
}

// Column sets of the four known schemas, as "expression AS field".
var (
	icInteraction = []string{
		"i.ZSTARTDATE AS start_date", "i.ZENDDATE AS end_date", "i.ZCREATIONDATE AS interactions_creation_date",
		"i.ZBUNDLEID AS bundle_id", "i.ZACCOUNT AS account", "i.ZDOMAINIDENTIFIER AS domain_identifier",
		"i.ZISRESPONSE AS is_response", "i.ZCONTENTURL AS interaction_content_url",
		"i.ZLOCATIONUUID AS location_uuid", "i.Z_PK AS table_id",
	}
	icSender = []string{
		"s.ZDISPLAYNAME AS sender_display_name", "s.ZIDENTIFIER AS sender_identifier", "s.ZPERSONID AS sender_personid",
		"s.ZINCOMINGRECIPIENTCOUNT AS incoming_recipient_count", "s.ZINCOMINGSENDERCOUNT AS incoming_sender_count",
		"s.ZOUTGOINGRECIPIENTCOUNT AS outgoing_recipient_count", "s.ZCREATIONDATE AS contacts_creation_date",
		"s.ZFIRSTINCOMINGRECIPIENTDATE AS first_incoming_recipient_date", "s.ZFIRSTINCOMINGSENDERDATE AS first_incoming_sender_date",
		"s.ZFIRSTOUTGOINGRECIPIENTDATE AS first_outgoing_recipient_date", "s.ZLASTINCOMINGSENDERDATE AS last_incoming_sender_date",
		"s.ZLASTOUTGOINGRECIPIENTDATE AS last_outgoing_recipient_date",
	}
	icRecipient = []string{
		"r.ZDISPLAYNAME AS recipient_display_name", "r.ZIDENTIFIER AS recipient_identifier", "r.ZPERSONID AS recipient_personid",
		"i.ZTARGETBUNDLEID AS target_bundle_id",
		"CASE i.ZDIRECTION WHEN '0' THEN 'INCOMING' WHEN '1' THEN 'OUTGOING' END AS direction",
	}
	icAttachment = []string{
		"a.ZCONTENTTEXT AS content", "a.ZUTI AS uti", "a.ZCONTENTURL AS attachment_content_url",
		"a.ZSIZEINBYTES AS size", "HEX(a.ZIDENTIFIER) AS attachment_id", "a.ZCLOUDIDENTIFIER AS cloud_id",
	}
	icNewest        = []string{"a.ZPHOTOLOCALIDENTIFIER AS photo_local_id", "i.ZGROUPNAME AS group_name", "i.ZDERIVEDINTENTIDENTIFIER AS derivied_intent_id"}
	icLastRecipient = "s.ZLASTINCOMINGRECIPIENTDATE AS last_incoming_recipient_date"
	// Older schemas may hold the text '0' there; it is kept as such.
	icLastRecipientCase = "CASE s.ZLASTINCOMINGRECIPIENTDATE WHEN '0' THEN '0' ELSE s.ZLASTINCOMINGRECIPIENTDATE END AS last_incoming_recipient_date"
	icRaw               = []string{"i.ZDIRECTION AS direction", "i.ZMECHANISM AS mechanism"}
	icCustomID          = "s.ZCUSTOMIDENTIFIER AS custom_id"
	icRecipientCount    = "i.ZRECIPIENTCOUNT AS recipient_count"

	icJoined = ` FROM ZINTERACTIONS i
		LEFT JOIN ZCONTACTS s ON i.ZSENDER = s.Z_PK
		LEFT JOIN Z_1INTERACTIONS ia ON i.Z_PK = ia.Z_3INTERACTIONS
		LEFT JOIN ZATTACHMENT a ON ia.Z_1ATTACHMENTS = a.Z_PK
		LEFT JOIN Z_2INTERACTIONRECIPIENT ir ON i.Z_PK = ir.Z_3INTERACTIONRECIPIENT
		LEFT JOIN ZCONTACTS r ON ir.Z_2RECIPIENTS = r.Z_PK`
	icSimple = " FROM ZINTERACTIONS i LEFT JOIN ZCONTACTS s ON i.ZSENDER = s.Z_PK"
)

// interactionCQueries are the four schemas' queries, newest first.
func interactionCQueries() []string {
	query := func(from string, parts ...[]string) string {
		var cols []string
		for _, p := range parts {
			cols = append(cols, p...)
		}
		return "SELECT " + strings.Join(cols, ", ") + from
	}
	return []string{
		query(icJoined, icInteraction, icSender, icRecipient, icAttachment, icNewest,
			[]string{icRecipientCount, icCustomID, icLastRecipient}),
		query(icJoined, icInteraction, icSender, icRecipient, icAttachment,
			[]string{icRecipientCount, icCustomID, icLastRecipientCase}),
		query(icSimple, icInteraction, icSender, icRaw, []string{icRecipientCount, icCustomID, icLastRecipientCase}),
		query(icSimple, icInteraction, icSender, icRaw, []string{icLastRecipientCase}),
	}
}

// interactionCDates are the Mac-time fields.
var interactionCDates = []string{
	"start_date", "end_date", "interactions_creation_date", "contacts_creation_date",
	"first_incoming_recipient_date", "first_incoming_sender_date", "first_outgoing_recipient_date",
	"last_incoming_sender_date", "last_incoming_recipient_date", "last_outgoing_recipient_date",
}

const whatsappBundleID = "net.whatsapp.WhatsApp"

// Extract implements module.Module. A ContactsV2.sqlite that cannot be
// read is returned as an error after the interactions were read without it.
func (InteractionC) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	db, err := openDB(ctx, src, interactionCQuery)
	if err != nil {
		return err
	}
	defer db.Close()
	peers, peersErr := loadWhatsappPeers(ctx, src)
	if peersErr != nil {
		peersErr = fmt.Errorf("resolve WhatsApp peers: %w", peersErr)
	}
	var lastErr error
	for _, sql := range interactionCQueries() {
		rows := 0
		err := db.Query(sql, func(row evidence.Row) error {
			rows++
			emit(record.Record{Data: interactionCRecord(row.Map(), peers)})
			return nil
		})
		if err == nil {
			return peersErr
		}
		if rows > 0 || errors.Is(err, evidence.ErrCorrupt) {
			return err
		}
		lastErr = err // this schema's columns are missing: try an older one
	}
	return schemaError(db, "no known ZINTERACTIONS layout (%v)", lastErr)
}

func interactionCRecord(d map[string]any, peers whatsappPeers) map[string]any {
	for _, f := range interactionCDates {
		switch d[f].(type) {
		case nil, string:
		default:
			d[f] = macTimeISO(d[f])
		}
	}
	switch d["direction"] {
	case int64(0), "0":
		d["direction"] = "INCOMING"
	case int64(1), "1":
		d["direction"] = "OUTGOING"
	}
	if d["bundle_id"] == whatsappBundleID {
		r := record.Record{Data: d}
		for prefix, ids := range map[string][]string{
			"sender":    {r.String("sender_identifier"), r.String("custom_id")},
			"recipient": {r.String("recipient_identifier")},
			"domain":    {r.String("domain_identifier")},
		} {
			var phone, name string
			for _, id := range ids {
				if phone, name = peers.resolve(id); phone != "" || name != "" {
					break
				}
			}
			d[prefix+"_resolved_phone_number"], d[prefix+"_resolved_name"] = nilIfEmpty(phone), nilIfEmpty(name)
		}
	}
	return d
}

// Observables implements module.Module: none.
func (InteractionC) Observables(record.Record) []record.Observable { return nil }

// interactionCContactEvents are the sender's per-contact dates, with their
// texts; being the same on every row of a contact, they merge into one
// event per contact.
var interactionCContactEvents = []struct{ field, text string }{
	{"contacts_creation_date", "Contact %s first recorded in interactionC"},
	{"first_incoming_sender_date", "First incoming interaction from %s"},
	{"last_incoming_sender_date", "Last incoming interaction from %s"},
	{"first_incoming_recipient_date", "First incoming interaction where %s was a recipient"},
	{"last_incoming_recipient_date", "Last incoming interaction where %s was a recipient"},
	{"first_outgoing_recipient_date", "First outgoing interaction to %s"},
	{"last_outgoing_recipient_date", "Last outgoing interaction to %s"},
}

// Timeline implements module.Module.
func (m InteractionC) Timeline(r record.Record) []record.Event {
	title := m.Info().Title
	data := interactionCText(r)
	var events []record.Event
	start, end := r.String("start_date"), r.String("end_date")
	events = append(events, module.Event(title, start, "start_date", data)...)
	if end != start {
		events = append(events, module.Event(title, end, "end_date", data)...)
	}
	events = append(events, interactionCCreation(title, r, data)...)
	if party := interactionCParty(r, "sender"); party != "" {
		for _, c := range interactionCContactEvents {
			events = append(events, module.Event(title, r.String(c.field), c.field, fmt.Sprintf(c.text, party))...)
		}
	}
	return events
}

// interactionCText is "[bundle] account DIRECTION from X to Y (group: g): content".
func interactionCText(r record.Record) string {
	direction := r.String("direction")
	sender := interactionCParty(r, "sender")
	recipient := firstNonEmpty(interactionCParty(r, "recipient"), interactionCParty(r, "domain"))
	if sender == "" && direction == "OUTGOING" {
		sender = "local user"
	}
	if recipient == "" && direction == "INCOMING" {
		recipient = "local user"
	}
	var b strings.Builder
	b.WriteString("[" + pyText(r.Data["bundle_id"]) + "]")
	for _, s := range []string{r.String("account"), direction} {
		if s != "" {
			b.WriteString(" " + s)
		}
	}
	fmt.Fprintf(&b, " from %s to %s", firstNonEmpty(sender, "unknown"), firstNonEmpty(recipient, "unknown"))
	if g := r.String("group_name"); g != "" {
		b.WriteString(" (group: " + g + ")")
	}
	if c := r.String("content"); c != "" {
		b.WriteString(": " + c)
	}
	return b.String()
}

// interactionCParty describes the sender, recipient or domain peer as
// "Name (+phone)", dropping a name that only repeats the number.
func interactionCParty(r record.Record, prefix string) string {
	name := firstNonEmpty(r.String(prefix+"_display_name"), r.String(prefix+"_resolved_name"))
	id := firstNonEmpty(r.String(prefix+"_resolved_phone_number"), r.String(prefix+"_identifier"))
	if name == "" || id == "" {
		return firstNonEmpty(name, id)
	}
	if digits := digitsOnly(name); digits != "" && digits == digitsOnly(id) {
		return id
	}
	return name + " (" + id + ")"
}

// interactionCBackfill is how far the record's creation may trail its
// start before the creation date is worth its own event.
const interactionCBackfill = 3600.0

// interactionCCreation is the interactions_creation_date event: only when
// the record was created long before or after the interaction itself (a
// sync, a restore or tampering), or when there is no start date.
func interactionCCreation(title string, r record.Record, data string) []record.Event {
	created := r.String("interactions_creation_date")
	if created == "" {
		return nil
	}
	ct, err1 := time.Parse(record.TimeLayout, created)
	st, err2 := time.Parse(record.TimeLayout, r.String("start_date"))
	if err1 != nil || err2 != nil {
		return module.Event(title, created, "interactions_creation_date", data)
	}
	delta := ct.Sub(st).Seconds()
	if math.Abs(delta) < interactionCBackfill {
		return nil
	}
	when := "after"
	if delta < 0 {
		when = "before"
	}
	size := fmt.Sprintf("%.0f hours", math.Abs(delta)/3600)
	if math.Abs(delta) >= 86400 {
		size = fmt.Sprintf("%.0f days", math.Abs(delta)/86400)
	}
	return module.Event(title, created, "interactions_creation_date",
		fmt.Sprintf("Interaction record created %s %s the event: %s", size, when, data))
}
