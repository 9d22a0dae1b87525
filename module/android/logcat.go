package android

// Logcat: links, hosts and processes seen in the device logs. MVT does not
// read them.
//
//   androidqf: logcat.txt (`logcat -d -b all *:V`, 2022+), logcat_old.txt
//   (`logcat -L`, the logs from before the last reboot, often absent)
//
// Lines are in logcat's threadtime format "MM-DD HH:MM:SS.mmm PID TID L
// Tag: message" (other lines are kept whole as the message). The logs are
// streamed and only lines that pass a cheap byte test are matched in full.
// Records, by "type":
//   - "url": a line holding http(s)/ws(s)/ftp URLs or "host=…"/
//     "hostname=…" values; "urls" lists them (checked against domain and
//     URL indicators);
//   - "process_start": ActivityManager's "Start proc PID:NAME/…" (the
//     process name checked as a process and its package as an app ID);
//   - "tag": each distinct log tag with its line count, first time and up
//     to 16 PIDs, written after the file (the tag checked against process
//     indicators at MEDIUM: a tag is often, not always, the program's name).
// Times have no year, so there is no timeline.

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/module"
	"github.com/spycheck/spycheck/record"
)

// Logcat reads logcat.txt and logcat_old.txt.
type Logcat struct{}

// Info implements module.Module.
func (Logcat) Info() module.Info {
	return module.Info{Name: "logcat", Title: "Logcat", Kinds: androidQF, TimeField: "timestamp"}
}

var (
	logcatURL       = regexp.MustCompile("(?i)\\b(?:https?|wss?|ftp)://[^\\s\"'<>()\\[\\]{}|\\\\^`]+")
	logcatHost      = regexp.MustCompile(`(?i)\bhost(?:name)?\s*[=:]\s*"?([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+)`)
	logcatStartProc = regexp.MustCompile(`Start proc (\d+):([^/\s]+)/`)
)

// maxTagPIDs bounds the PIDs kept per tag.
const maxTagPIDs = 16

// Extract implements module.Module.
func (Logcat) Extract(ctx context.Context, src evidence.Source, emit func(record.Record)) error {
	entries, err := src.Find(ctx, rootFile("logcat.txt", "logcat_old.txt"))
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return fmt.Errorf("find logcat.txt: %w", evidence.ErrNotFound)
	}
	for _, e := range entries {
		if err := scanLogcat(ctx, src, e, emit); err != nil {
			return err
		}
	}
	return nil
}

// logcatTag gathers what one tag's lines say.
type logcatTag struct {
	count     int64
	firstSeen string
	pids      []string
}

func scanLogcat(ctx context.Context, src evidence.Source, e evidence.Entry, emit func(record.Record)) error {
	file := path.Base(e.DevicePath)
	tags := map[string]*logcatTag{}
	var order []string
	n := 0
	err := eachLine(src, e, func(line []byte) error {
		n++
		if n%65536 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		l := parseLogcatLine(line)
		if l.tag != "" {
			t := tags[l.tag]
			if t == nil {
				t = &logcatTag{firstSeen: l.timestamp}
				tags[l.tag] = t
				order = append(order, l.tag)
			}
			t.count++
			if len(t.pids) < maxTagPIDs && !containsString(t.pids, l.pid) {
				t.pids = append(t.pids, l.pid)
			}
		}
		if urls := logcatLinks(line); len(urls) > 0 {
			d := l.data(file, n, "url")
			d["urls"] = urls
			emit(record.Record{Data: d})
		}
		if bytes.Contains(line, []byte("Start proc ")) {
			if m := logcatStartProc.FindSubmatch(line); m != nil {
				d := l.data(file, n, "process_start")
				d["process_pid"], d["process"] = string(m[1]), string(m[2])
				emit(record.Record{Data: d})
			}
		}
		return nil
	})
	for _, tag := range order {
		t := tags[tag]
		emit(record.Record{Data: map[string]any{"type": "tag", "file": file, "tag": tag, "count": t.count,
			"timestamp": t.firstSeen, "pids": t.pids}})
	}
	return err
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// logcatLine is one parsed log line.
type logcatLine struct {
	timestamp, pid, tid, level, tag, message string
}

func (l logcatLine) data(file string, line int, typ string) map[string]any {
	return map[string]any{"type": typ, "file": file, "line": int64(line), "timestamp": l.timestamp, "pid": l.pid,
		"tid": l.tid, "level": l.level, "tag": l.tag, "message": evidence.BytesText([]byte(l.message))}
}

// parseLogcatLine reads a threadtime line; anything else is all message.
func parseLogcatLine(line []byte) logcatLine {
	var tok [5][]byte
	rest := line
	for i := range tok {
		rest = bytes.TrimLeft(rest, " \t")
		end := bytes.IndexAny(rest, " \t")
		if end < 0 {
			return logcatLine{message: string(line)}
		}
		tok[i], rest = rest[:end], rest[end:]
	}
	if !isDigits(string(tok[2])) || !isDigits(string(tok[3])) || len(tok[4]) != 1 || !bytes.Contains([]byte("VDIWEFAS"), tok[4]) {
		return logcatLine{message: string(line)}
	}
	l := logcatLine{timestamp: string(tok[0]) + " " + string(tok[1]), pid: string(tok[2]), tid: string(tok[3]), level: string(tok[4])}
	rest = bytes.TrimLeft(rest, " \t")
	if i := bytes.Index(rest, []byte(": ")); i >= 0 {
		l.tag, l.message = strings.TrimSpace(string(rest[:i])), string(rest[i+2:])
	} else if tag, ok := bytes.CutSuffix(rest, []byte(":")); ok {
		l.tag = strings.TrimSpace(string(tag))
	} else {
		l.message = string(rest)
	}
	l.tag = evidence.BytesText([]byte(l.tag))
	return l
}

// logcatLinks lists the URLs and host names on a line, in order, each once.
func logcatLinks(line []byte) []string {
	hasURL := bytes.Contains(line, []byte("://"))
	hasHost := containsHostKey(line)
	if !hasURL && !hasHost {
		return nil
	}
	var out []string
	add := func(s string) {
		if s != "" && !containsString(out, s) {
			out = append(out, s)
		}
	}
	if hasURL {
		for _, m := range logcatURL.FindAll(line, -1) {
			u := strings.TrimRight(string(m), ".,;:!?")
			if _, after, _ := strings.Cut(u, "://"); after != "" {
				add(evidence.BytesText([]byte(u)))
			}
		}
	}
	if hasHost {
		for _, m := range logcatHost.FindAllSubmatch(line, -1) {
			add(strings.ToLower(string(m[1])))
		}
	}
	return out
}

// containsHostKey is a cheap test for "host" (any case) on a line.
func containsHostKey(line []byte) bool {
	for i := 0; i+4 <= len(line); i++ {
		j := bytes.IndexAny(line[i:], "hH")
		if j < 0 || i+j+4 > len(line) {
			return false
		}
		i += j
		if line[i+1]|0x20 == 'o' && line[i+2]|0x20 == 's' && line[i+3]|0x20 == 't' {
			return true
		}
	}
	return false
}

// Observables implements module.Module.
func (Logcat) Observables(r record.Record) []record.Observable {
	switch r.String("type") {
	case "url":
		return module.Observe(record.Critical, record.URL, "urls", r.Strings("urls")...)
	case "process_start":
		p := r.String("process")
		app, _, _ := strings.Cut(p, ":")
		return append(module.Observe(record.Critical, record.Process, "process", p),
			module.Observe(record.Critical, record.AppID, "process", app)...)
	case "tag":
		return module.Observe(record.Medium, record.Process, "tag", r.String("tag"))
	}
	return nil
}

// Timeline implements module.Module: log times have no year.
func (Logcat) Timeline(record.Record) []record.Event { return nil }
