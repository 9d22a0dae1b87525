package android

// SMS backup: the SMS and MMS messages in an Android backup ("adb backup"
// of com.android.providers.telephony, or the same tar unpacked into a
// folder).
//
//   backup: apps/com.android.providers.telephony/d_f/*_sms_backup
//           apps/com.android.providers.telephony/d_f/*_mms_backup
//
// Each file is a zlib stream holding a JSON list of messages (Android 6+
// telephony key/value backup; the same layout through Android 16). MMS
// entries keep their text under mms_body, renamed body as MVT does.

import (
	"bufio"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// SMSBackup reads the messages of an Android backup.
type SMSBackup struct{}

const smsBackupDir = "apps/com.android.providers.telephony/d_f/"

var smsBackupQueries = []evidence.Query{
	{DevicePaths: []string{smsBackupDir + "*_sms_backup"}},
	{DevicePaths: []string{smsBackupDir + "*_mms_backup"}},
}

// Info implements module.Module.
func (SMSBackup) Info() module.Info {
	return module.Info{Name: "sms", Title: "SMS", Kinds: []evidence.Kind{evidence.AndroidBackup}, TimeField: "isodate", CollectURLs: true}
}

// Extract implements module.Module: the SMS files, then the MMS files. A
// damaged file is reported once the others are read.
func (SMSBackup) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	var entries []evidence.Entry
	for _, q := range smsBackupQueries {
		found, err := src.Find(ctx, q)
		if err != nil {
			return err
		}
		entries = append(entries, found...)
	}
	if len(entries) == 0 {
		return fmt.Errorf("find %s*_sms_backup: %w", smsBackupDir, evidence.ErrNotFound)
	}
	var errs []error
	for _, e := range entries {
		if err := readSMSBackupFile(src, e, emit); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func readSMSBackupFile(src evidence.Source, e evidence.Entry, emit func(record.Record)) error {
	rc, err := src.Open(e)
	if err != nil {
		return err
	}
	defer rc.Close()
	zr, err := zlib.NewReader(rc)
	if err != nil {
		return corruptFile(e, "inflate", err)
	}
	defer zr.Close()
	limited := &io.LimitedReader{R: zr, N: maxTextFile + 1}
	err = decodeSMSList(limited, func(m map[string]any) { emit(record.Record{Data: smsBackupRecord(m)}) })
	if err == nil {
		_, err = io.Copy(io.Discard, limited) // reach the zlib checksum
	}
	if limited.N <= 0 {
		err = fmt.Errorf("inflates to more than %d bytes", maxTextFile)
	}
	if err != nil {
		return corruptFile(e, "parse", err)
	}
	return nil
}

// decodeSMSList streams the objects of a JSON list.
func decodeSMSList(r io.Reader, fn func(map[string]any)) error {
	br := bufio.NewReader(r)
	if c, err := firstNonSpace(br); err != nil || c != '[' {
		return fmt.Errorf("not a JSON list of messages")
	}
	return decodeJSONItems(br, func(v any) error {
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("message is a %T, not an object", v)
		}
		fn(m)
		return nil
	})
}

// smsBackupRecord adds MVT's isodate, direction and links to a message.
func smsBackupRecord(m map[string]any) map[string]any {
	if body, ok := m["mms_body"]; ok {
		m["body"] = body
		delete(m, "mms_body")
	}
	if ms, ok := intValue(m["date"]); ok {
		m["isodate"] = record.FromUnix(float64(ms) / 1000)
	}
	m["direction"] = "received"
	if sent, _ := intValue(m["date_sent"]); sent != 0 {
		m["direction"] = "sent"
	}
	body, _ := m["body"].(string)
	if links := smsLinks(body); len(links) > 0 {
		m["links"] = links
	} else if strings.TrimSpace(body) == "" {
		m["links"] = nil
	}
	return m
}

// intValue reads an integer held as a number or a decimal string (the
// telephony backup writes most numbers as strings).
func intValue(v any) (int64, bool) {
	if s, ok := v.(string); ok {
		i, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		return i, err == nil
	}
	f, ok := record.Num(v)
	return int64(f), ok
}

// smsLinkPattern is MVT's link finder (check_for_links): http(s):// up to
// the next white space, Unicode separators included.
var smsLinkPattern = regexp.MustCompile(`(?i)https?://[^\s\v\x{1c}-\x{1f}\x{85}\p{Z}]+`)

func smsLinks(text string) []string {
	return smsLinkPattern.FindAllString(text, -1)
}

// Observables implements module.Module: the message's links.
func (SMSBackup) Observables(r record.Record) []record.Observable {
	return module.Observe(record.Critical, record.URL, "links", r.Strings("links")...)
}

// Timeline implements module.Module: MVT writes no timeline for backup
// messages.
func (SMSBackup) Timeline(record.Record) []record.Event { return nil }
