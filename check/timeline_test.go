package check

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spycheck/spycheck/record"
)

// Runs beyond the memory budget go to files; merging them gives the same
// timeline as sorting everything in memory, each identical event once.
func TestTimelineSpillsAndMerges(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var all []record.Event
	tl := &Timeline{budget: 50}
	for batch := 0; batch < 10; batch++ {
		var events []record.Event
		for i := 0; i < 40; i++ {
			e := record.Event{
				Timestamp: fmt.Sprintf("2024-01-%02d 00:00:00.000000", rng.IntN(5)+1),
				Module:    []string{"SMS", "TCC"}[rng.IntN(2)],
				Event:     "e",
				Data:      fmt.Sprintf("data %d\nwith \"quotes\" and é", rng.IntN(30)),
			}
			events = append(events, e)
			all = append(all, e)
		}
		tl.add(events)
	}
	if tl.dir == "" {
		t.Fatalf("nothing was spilled")
	}
	other := NewTimeline(record.Event{Timestamp: "2023-12-31 00:00:00.000000", Module: "X"}, all[0])
	tl.Merge(other)
	all = append(all, record.Event{Timestamp: "2023-12-31 00:00:00.000000", Module: "X"})
	want := sortEvents(slices.Clone(all))
	if diff := cmp.Diff(want, tl.Events()); diff != "" {
		t.Errorf("timeline (-want +got):\n%s", diff)
	}
	dir := tl.dir
	if err := tl.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("spill folder %s left behind", dir)
	}
}
