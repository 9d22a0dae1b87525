//go:build !linux && !darwin

package bench

// PeakRSS is not measured on this system: ok is always false.
func PeakRSS() (bytes int64, ok bool) { return 0, false }
