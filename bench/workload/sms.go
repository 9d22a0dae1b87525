package workload

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// smsSchema is sms.db as iOS 17 writes it, trimmed of the tables no
// module reads (attachments, deleted-message journals, sync state).
const smsSchema = `
CREATE TABLE _SqliteDatabaseProperties (key TEXT, value TEXT, UNIQUE(key));
CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, id TEXT NOT NULL, country TEXT, service TEXT NOT NULL, uncanonicalized_id TEXT, person_centric_id TEXT, UNIQUE (id, service));
CREATE TABLE chat (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, style INTEGER, state INTEGER, account_id TEXT, properties BLOB, chat_identifier TEXT, service_name TEXT, room_name TEXT, account_login TEXT, is_archived INTEGER DEFAULT 0, last_addressed_handle TEXT, display_name TEXT, group_id TEXT, is_filtered INTEGER DEFAULT 0, successful_query INTEGER, engram_id TEXT, server_change_token TEXT, ck_sync_state INTEGER DEFAULT 0, original_group_id TEXT, last_read_message_timestamp INTEGER DEFAULT 0, cloudkit_record_id TEXT, last_addressed_sim_id TEXT, is_blackholed INTEGER DEFAULT 0, syndication_date INTEGER DEFAULT 0, syndication_type INTEGER DEFAULT 0, is_recovered INTEGER DEFAULT 0, is_deleting_incoming_messages INTEGER DEFAULT 0);
CREATE TABLE chat_handle_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE, handle_id INTEGER REFERENCES handle (ROWID) ON DELETE CASCADE, UNIQUE(chat_id, handle_id));
CREATE TABLE chat_message_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE, message_id INTEGER REFERENCES message (ROWID) ON DELETE CASCADE, message_date INTEGER DEFAULT 0, PRIMARY KEY (chat_id, message_id));
CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, text TEXT, replace INTEGER DEFAULT 0, service_center TEXT, handle_id INTEGER DEFAULT 0, subject TEXT, country TEXT, attributedBody BLOB, version INTEGER DEFAULT 0, type INTEGER DEFAULT 0, service TEXT, account TEXT, account_guid TEXT, error INTEGER DEFAULT 0, date INTEGER, date_read INTEGER, date_delivered INTEGER, is_delivered INTEGER DEFAULT 0, is_finished INTEGER DEFAULT 0, is_emote INTEGER DEFAULT 0, is_from_me INTEGER DEFAULT 0, is_empty INTEGER DEFAULT 0, is_delayed INTEGER DEFAULT 0, is_auto_reply INTEGER DEFAULT 0, is_prepared INTEGER DEFAULT 0, is_read INTEGER DEFAULT 0, is_system_message INTEGER DEFAULT 0, is_sent INTEGER DEFAULT 0, has_dd_results INTEGER DEFAULT 0, is_service_message INTEGER DEFAULT 0, is_forward INTEGER DEFAULT 0, was_downgraded INTEGER DEFAULT 0, is_archive INTEGER DEFAULT 0, cache_has_attachments INTEGER DEFAULT 0, cache_roomnames TEXT, was_data_detected INTEGER DEFAULT 0, was_deduplicated INTEGER DEFAULT 0, is_audio_message INTEGER DEFAULT 0, is_played INTEGER DEFAULT 0, date_played INTEGER, item_type INTEGER DEFAULT 0, other_handle INTEGER DEFAULT 0, group_title TEXT, group_action_type INTEGER DEFAULT 0, share_status INTEGER DEFAULT 0, share_direction INTEGER DEFAULT 0, is_expirable INTEGER DEFAULT 0, expire_state INTEGER DEFAULT 0, message_action_type INTEGER DEFAULT 0, message_source INTEGER DEFAULT 0, associated_message_guid TEXT, associated_message_type INTEGER DEFAULT 0, balloon_bundle_id TEXT, payload_data BLOB, expressive_send_style_id TEXT, associated_message_range_location INTEGER DEFAULT 0, associated_message_range_length INTEGER DEFAULT 0, time_expressive_send_played INTEGER, message_summary_info BLOB, ck_sync_state INTEGER DEFAULT 0, ck_record_id TEXT, ck_record_change_tag TEXT, destination_caller_id TEXT, is_corrupt INTEGER DEFAULT 0, reply_to_guid TEXT, sort_id INTEGER, is_spam INTEGER DEFAULT 0, has_unseen_mention INTEGER DEFAULT 0, thread_originator_guid TEXT, thread_originator_part TEXT, syndication_ranges TEXT, synced_syndication_ranges TEXT, was_delivered_quietly INTEGER DEFAULT 0, did_notify_recipient INTEGER DEFAULT 0, date_retracted INTEGER, date_edited INTEGER, was_detonated INTEGER DEFAULT 0, part_count INTEGER, is_stewie INTEGER DEFAULT 0, is_kt_verified INTEGER DEFAULT 0, is_sos INTEGER DEFAULT 0, is_critical INTEGER DEFAULT 0, bia_reference_id TEXT, fallback_hash TEXT);
CREATE INDEX message_idx_handle ON message(handle_id, date);
CREATE INDEX message_idx_date ON message(date);
CREATE INDEX chat_message_join_idx_message_date_id_chat_id ON chat_message_join(chat_id, message_date, message_id);
INSERT INTO _SqliteDatabaseProperties VALUES ('_ClientVersion', '17100'), ('counter_in_all', '0'), ('counter_out_all', '0');
`

const insertMessage = `INSERT INTO message (ROWID, guid, text, handle_id, service, account, account_guid, date, date_read, date_delivered,
	is_delivered, is_finished, is_from_me, is_read, is_sent, has_dd_results, was_data_detected, destination_caller_id, part_count, sort_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, 1, 1, ?, 1, 0)`

var smsTemplates = []string{
	"Have you seen this? %s",
	"Here is the link from earlier: %s",
	"%s and also %s, both worth a read",
	"Your order has shipped. Track it at %s",
	"Running 10 minutes late, meanwhile look at %s",
	"Tickets are here %s (the venue is %s)",
	"Your verification code is 402913. Details: %s",
	"lol %s",
}

// smsHandle is one correspondent.
type smsHandle struct {
	id, service string
}

// writeSMS writes sms.db: handles, one chat per handle, and messages
// each carrying one or two links, dated in nanoseconds of Mac time as
// iOS 11+ writes them. The planted texts replace evenly spread messages.
func writeSMS(path string, cfg Config, p *planted, counts *Counts) error {
	r := newRand(cfg.Seed, streamSMS)
	n := cfg.rows(MessagesPerScale)
	nh := max(5, n/50)
	d, err := createDB(path, smsSchema)
	if err != nil {
		return err
	}
	handles := make([]smsHandle, nh)
	for i := range handles {
		h := smsHandle{id: fmt.Sprintf("+1%03d555%04d", 201+i/10000, i%10000), service: "SMS"}
		if r.IntN(3) > 0 {
			h.service = "iMessage"
			if r.IntN(4) == 0 {
				h.id = pick(r, words) + "." + pick(r, words) + fmt.Sprint(i) + "@icloud.com"
			}
		}
		handles[i] = h
		d.insert("INSERT INTO handle (ROWID, id, country, service, uncanonicalized_id, person_centric_id) VALUES (?, ?, 'us', ?, ?, NULL)",
			i+1, h.id, h.service, h.id)
		d.insert(`INSERT INTO chat (ROWID, guid, style, state, account_id, chat_identifier, service_name, account_login, last_addressed_handle, group_id, successful_query)
			VALUES (?, ?, 45, 3, ?, ?, ?, 'E:bench@icloud.com', '+15555550100', ?, 1)`,
			i+1, h.service+";-;"+h.id, guid(r), h.id, h.service, guid(r))
		d.insert("INSERT INTO chat_handle_join VALUES (?, ?)", i+1, i+1)
	}
	at := spread(n, len(p.smsTexts))
	next := 0
	unix := int64(startUnix)
	for i := range n {
		unix += 1 + r.Int64N(300)
		date := (unix-macEpoch)*1e9 + r.Int64N(1e9)
		var text string
		if next < len(p.smsTexts) && i == at(next) {
			text = p.smsTexts[next]
			next++
		} else {
			text = smsText(r)
		}
		hi := r.IntN(nh)
		h := handles[hi]
		fromMe := r.IntN(3) == 0
		var dateRead, isRead, isSent int64
		if fromMe {
			isSent = 1
		} else if r.IntN(10) > 0 {
			dateRead, isRead = date+r.Int64N(3600)*1e9, 1
		}
		d.insert(insertMessage, i+1, guid(r), text, hi+1, h.service, "E:bench@icloud.com", guid(r), date, dateRead,
			date+r.Int64N(5)*1e9, 1, b2i(fromMe), isRead, isSent, "+15555550100")
		d.insert("INSERT INTO chat_message_join VALUES (?, ?, ?)", hi+1, i+1, date)
	}
	counts.Messages, counts.Handles = n, nh
	return d.close()
}

// smsText is a message with one or two links.
func smsText(r *rand.Rand) string {
	t := pick(r, smsTemplates)
	links := make([]any, strings.Count(t, "%s"))
	for i := range links {
		links[i] = benignURL(r, "https")
	}
	return fmt.Sprintf(t, links...)
}

// guid is an upper-case UUID as iOS writes message and chat GUIDs.
func guid(r *rand.Rand) string {
	a, b := r.Uint64(), r.Uint64()
	return fmt.Sprintf("%08X-%04X-%04X-%04X-%012X", a>>32, a>>16&0xffff, a&0xffff, b>>48, b&0xffffffffffff)
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
