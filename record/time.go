package record

import (
	"math"
	"strconv"
	"time"
)

// TimeLayout is the timestamp format of every record and timeline row,
// the same as MVT's ("2021-07-18 00:00:00.000000", UTC for iOS).
const TimeLayout = "2006-01-02 15:04:05.000000"

// macEpoch is 2001-01-01 00:00:00 UTC in Unix seconds.
const macEpoch = 978307200

// ISO formats t in UTC with TimeLayout; the zero time gives "".
func ISO(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(TimeLayout)
}

// FromUnix converts Unix seconds (with fraction) to TimeLayout.
func FromUnix(sec float64) string {
	if math.IsNaN(sec) || math.IsInf(sec, 0) {
		return ""
	}
	whole, frac := math.Modf(sec)
	return ISO(time.Unix(int64(whole), int64(math.Round(frac*1e6))*1e3))
}

// FromMac converts Mac absolute time (seconds since 2001-01-01) to
// TimeLayout. An integer of exactly 18 digits is nanosecond Mac time
// (sms.db since iOS 11) and only its first 9 digits are used, as MVT does.
func FromMac(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e19 {
		if s := strconv.FormatInt(int64(v), 10); len(s) == 18 {
			n, _ := strconv.ParseInt(s[:9], 10, 64)
			v = float64(n)
		}
	}
	return FromUnix(v + macEpoch)
}

// FromMacValue converts a record value holding Mac time (number or numeric
// string); other values give "".
func FromMacValue(v any) string {
	if i, ok := v.(int64); ok {
		if s := strconv.FormatInt(i, 10); len(s) == 18 {
			n, _ := strconv.ParseInt(s[:9], 10, 64)
			return FromUnix(float64(n) + macEpoch)
		}
		return FromUnix(float64(i) + macEpoch)
	}
	if f, ok := Num(v); ok {
		return FromMac(f)
	}
	if s, ok := v.(string); ok {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return FromMac(f)
		}
	}
	return ""
}

// FromChrome converts Chrome/WebKit time (microseconds since 1601-01-01).
func FromChrome(us int64) string {
	return FromUnix(float64(us)/1e6 - 11644473600)
}
