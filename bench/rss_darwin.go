package bench

import "syscall"

// PeakRSS is the peak resident set size of this process in bytes (macOS:
// getrusage's ru_maxrss, which Darwin gives in bytes); ok is false when it
// cannot be read.
func PeakRSS() (bytes int64, ok bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return ru.Maxrss, true
}
