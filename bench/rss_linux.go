package bench

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// PeakRSS is the peak resident set size of this process in bytes (Linux:
// VmHWM from /proc/self/status); ok is false when it cannot be read.
func PeakRSS() (bytes int64, ok bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, found := strings.CutPrefix(sc.Text(), "VmHWM:")
		if !found {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
		return kb << 10, err == nil
	}
	return 0, false
}
