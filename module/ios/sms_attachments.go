package ios

// SMSAttachments: the files attached to SMS and iMessage messages.
//
//   backup: 3d0d7e5fb2ce288813306e4d4636395e047a3d28 (HomeDomain Library/SMS/sms.db)
//   fs:     private/var/mobile/Library/SMS/sms.db
//
// All iOS versions: attachment, joined through message_attachment_join to
// message and handle. An sms.db without an attachment table (a trimmed
// database) yields no records.

import (
	"context"
	"fmt"
	"strings"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// SMSAttachments reads the attachment table of sms.db.
type SMSAttachments struct{}

// Info implements module.Module.
func (SMSAttachments) Info() module.Info {
	return module.Info{Name: "sms_attachments", Title: "SMSAttachments", Kinds: mixed, TimeField: "isodate"}
}

// Extract implements module.Module.
func (SMSAttachments) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	db, err := openDB(ctx, src, smsQuery)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := requireColumns(db, "message", "handle_id"); err != nil {
		return err
	}
	if ok, err := db.HasTable("attachment"); err != nil || !ok {
		return err
	}
	for _, t := range []string{"message_attachment_join", "handle"} {
		if err := requireColumns(db, t); err != nil {
			return err
		}
	}
	sql := `SELECT attachment.ROWID AS attachment_id, attachment.*, message.service AS service, handle.id AS phone_number
		FROM attachment
		LEFT JOIN message_attachment_join ON message_attachment_join.attachment_id = attachment.ROWID
		LEFT JOIN message ON message.ROWID = message_attachment_join.message_id
		LEFT JOIN handle ON handle.ROWID = message.handle_id`
	return db.Query(sql, func(row evidence.Row) error {
		emit(record.Record{Data: smsAttachmentRecord(row)})
		return nil
	})
}

func smsAttachmentRecord(row evidence.Row) map[string]any {
	d := row.Map("user_info", "sticker_user_info", "attribution_info",
		"ck_server_change_token_blob", "sr_ck_server_change_token_blob")
	d["isodate"] = macTimeISO(row.Get("created_date"))
	d["start_date"] = macTimeISO(row.Get("start_date"))
	d["direction"] = "received"
	if v, _ := row.Get("is_outgoing").(int64); v == 1 {
		d["direction"] = "sent"
	}
	d["has_user_info"] = row.Get("user_info") != nil
	if !record.Truthy(d["service"]) {
		d["service"] = "Unknown"
	}
	if !record.Truthy(d["filename"]) {
		d["filename"] = "NULL"
	}
	return d
}

// Observables implements module.Module: the attachment's file path.
func (SMSAttachments) Observables(r record.Record) []record.Observable {
	return module.Observe(record.High, record.FilePath, "filename", r.String("filename"))
}

// Timeline implements module.Module.
func (m SMSAttachments) Timeline(r record.Record) []record.Event {
	data := fmt.Sprintf("%s: Attachment '%s' %s from %s with %s bytes (is_sticker: %s, has_user_info: %s)",
		pyText(r.Data["service"]), pyText(r.Data["transfer_name"]), pyText(r.Data["direction"]),
		pyText(r.Data["phone_number"]), pyText(r.Data["total_bytes"]), pyText(r.Data["is_sticker"]),
		pyText(r.Data["has_user_info"]))
	return module.Event(m.Info().Title, r.String("isodate"), "sms_attachment", data)
}

// NewInspector implements module.Heuristic: a received attachment stored
// as /var/tmp/…-1, the trace left by some zero-click iMessage exploits.
func (SMSAttachments) NewInspector() module.Inspector {
	return module.InspectFunc(func(r record.Record, raise func(record.Finding)) {
		name := r.String("filename")
		if strings.HasPrefix(name, "/var/tmp/") && strings.HasSuffix(name, "-1") && r.String("direction") == "received" {
			when := r.String("isodate")
			raise(module.Alert(record.Medium, r, when, fmt.Sprintf("Suspicious iMessage attachment %s on %s", name, when)))
		}
	})
}
