package check

import (
	"bufio"
	"cmp"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/spycheck/spycheck/record"
)

// Timeline is a check's timeline: events ordered by timestamp, module,
// event and data, each identical event once. Modules hand it sorted runs
// of events; it keeps up to a budget of events in memory and writes the
// runs beyond that to a private temporary folder, so the timeline of a
// backup with millions of records never has to fit in memory. Each merges
// the runs back in order. Close removes the folder.
type Timeline struct {
	mu     sync.Mutex
	runs   []*eventRun
	inMem  int
	budget int
	dir    string   // where this timeline spills
	dirs   []string // every folder to remove on Close (merged timelines' too)
	err    error
}

// eventRun is a sorted, de-duplicated slice of events, in memory or in a file.
type eventRun struct {
	events []record.Event
	file   string
}

// Timeline budgets: events a module gathers before handing them over,
// and events the timeline keeps in memory in all.
const (
	timelineChunk  = 32 << 10
	timelineBudget = 128 << 10
)

// NewTimeline returns a timeline holding events (none is fine).
func NewTimeline(events ...record.Event) *Timeline {
	t := &Timeline{budget: timelineBudget}
	t.add(slices.Clone(events))
	return t
}

// sortEvents orders events and drops repeats (identical events are
// adjacent once sorted: the order is total over all four fields).
func sortEvents(ev []record.Event) []record.Event {
	slices.SortFunc(ev, compareEvents)
	return slices.Clip(slices.Compact(ev))
}

func compareEvents(a, b record.Event) int {
	return cmp.Or(strings.Compare(a.Timestamp, b.Timestamp), strings.Compare(a.Module, b.Module),
		strings.Compare(a.Event, b.Event), strings.Compare(a.Data, b.Data))
}

// add takes a batch of events (in any order), sorts it and keeps it as a
// run, in memory while the budget allows, else in a file.
func (t *Timeline) add(events []record.Event) {
	if len(events) == 0 {
		return
	}
	events = sortEvents(events)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.inMem+len(events) <= t.budget || t.err != nil {
		t.runs = append(t.runs, &eventRun{events: events})
		t.inMem += len(events)
		return
	}
	file, err := t.spill(events)
	if err != nil {
		t.err = err
		t.runs = append(t.runs, &eventRun{events: events})
		t.inMem += len(events)
		return
	}
	t.runs = append(t.runs, &eventRun{file: file})
}

func (t *Timeline) spill(events []record.Event) (string, error) {
	if t.dir == "" {
		d, err := os.MkdirTemp("", "spycheck-timeline-")
		if err != nil {
			return "", fmt.Errorf("timeline: %w", err)
		}
		t.dir = d
		t.dirs = append(t.dirs, d)
	}
	f, err := os.CreateTemp(t.dir, "run-*")
	if err != nil {
		return "", fmt.Errorf("timeline: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<16)
	var buf []byte
	for _, e := range events {
		buf = buf[:0]
		for _, s := range [...]string{e.Timestamp, e.Module, e.Event, e.Data} {
			buf = binary.AppendUvarint(buf, uint64(len(s)))
			buf = append(buf, s...)
		}
		w.Write(buf)
	}
	err = w.Flush()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("timeline: write %s: %w", f.Name(), err)
	}
	return f.Name(), nil
}

// Merge moves other's runs into t (other is empty afterwards).
func (t *Timeline) Merge(other *Timeline) {
	if other == nil || other == t {
		return
	}
	other.mu.Lock()
	runs, n, dirs, oerr := other.runs, other.inMem, other.dirs, other.err
	other.runs, other.inMem, other.dir, other.dirs = nil, 0, "", nil
	other.mu.Unlock()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.runs = append(t.runs, runs...)
	t.inMem += n
	t.dirs = append(t.dirs, dirs...)
	if t.err == nil {
		t.err = oerr
	}
}

// Each calls fn for every event in order, identical events once.
func (t *Timeline) Each(fn func(record.Event) error) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.err != nil {
		return t.err
	}
	h := &runHeap{}
	for i, r := range t.runs {
		c, err := openCursor(r)
		if err != nil {
			h.close()
			return err
		}
		if c.ok {
			h.cursors = append(h.cursors, c)
			h.order = append(h.order, i)
		} else {
			c.close()
		}
	}
	defer h.close()
	heap.Init(h)
	var last record.Event
	first := true
	for h.Len() > 0 {
		c := h.cursors[0]
		if first || c.cur != last {
			if err := fn(c.cur); err != nil {
				return err
			}
			last, first = c.cur, false
		}
		if err := c.next(); err != nil {
			return err
		}
		if c.ok {
			heap.Fix(h, 0)
		} else {
			c.close()
			heap.Pop(h)
		}
	}
	return nil
}

// Events returns the whole timeline (for small checks and tests).
func (t *Timeline) Events() []record.Event {
	var out []record.Event
	_ = t.Each(func(e record.Event) error {
		out = append(out, e)
		return nil
	})
	return out
}

// Close removes the spilled runs.
func (t *Timeline) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.runs, t.inMem = nil, 0
	var errs []error
	for _, d := range t.dirs {
		errs = append(errs, os.RemoveAll(d))
	}
	t.dir, t.dirs = "", nil
	return errors.Join(errs...)
}

// cursor reads one run in order.
type cursor struct {
	mem  []record.Event
	f    *os.File
	r    *bufio.Reader
	cur  record.Event
	ok   bool
	name string
}

func openCursor(r *eventRun) (*cursor, error) {
	c := &cursor{mem: r.events, name: r.file}
	if r.file != "" {
		f, err := os.Open(r.file)
		if err != nil {
			return nil, fmt.Errorf("timeline: %w", err)
		}
		c.f, c.r = f, bufio.NewReaderSize(f, 1<<16)
	}
	return c, c.next()
}

func (c *cursor) next() error {
	if c.r == nil {
		c.ok = len(c.mem) > 0
		if c.ok {
			c.cur, c.mem = c.mem[0], c.mem[1:]
		}
		return nil
	}
	var fields [4]string
	for i := range fields {
		n, err := binary.ReadUvarint(c.r)
		if err != nil {
			if errors.Is(err, io.EOF) && i == 0 {
				c.ok = false
				return nil
			}
			return fmt.Errorf("timeline: read %s: %w", c.name, err)
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(c.r, b); err != nil {
			return fmt.Errorf("timeline: read %s: %w", c.name, err)
		}
		fields[i] = string(b)
	}
	c.cur, c.ok = record.Event{Timestamp: fields[0], Module: fields[1], Event: fields[2], Data: fields[3]}, true
	return nil
}

func (c *cursor) close() {
	if c.f != nil {
		c.f.Close()
		c.f = nil
	}
}

// runHeap holds the cursors, the one with the least current event on top.
type runHeap struct {
	cursors []*cursor
	order   []int // run index, to break ties deterministically
}

func (h *runHeap) Len() int { return len(h.cursors) }

func (h *runHeap) Less(i, j int) bool {
	if c := compareEvents(h.cursors[i].cur, h.cursors[j].cur); c != 0 {
		return c < 0
	}
	return h.order[i] < h.order[j]
}

func (h *runHeap) Swap(i, j int) {
	h.cursors[i], h.cursors[j] = h.cursors[j], h.cursors[i]
	h.order[i], h.order[j] = h.order[j], h.order[i]
}

// Push is never called: the heap only shrinks after Init.
func (h *runHeap) Push(any) { panic("runHeap: push") }

func (h *runHeap) Pop() any {
	n := len(h.cursors) - 1
	h.cursors, h.order = h.cursors[:n], h.order[:n]
	return nil
}

func (h *runHeap) close() {
	for _, c := range h.cursors {
		c.close()
	}
}
