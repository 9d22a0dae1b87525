package dumpsys

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

const sample = "header junk\n" +
	Delimiter + "-\n" +
	"DUMP OF SERVICE alpha:\n" +
	"a1\r\n" +
	"  a2\n" +
	"--------- 0.001s was the duration of dumpsys alpha\n" +
	Delimiter + "-\n" +
	"DUMP OF SERVICE beta:\n" +
	"b1\rb2\n" +
	"DUMP OF SERVICE beta:\n" +
	"b3\n" +
	Delimiter + "\n" +
	"------ SYSTEM PROPERTIES (getprop) ------\n" +
	"[ro.x]: [1]\n" +
	"------\n" +
	"after\n"

func serviceLines(t *testing.T, in, name string, mode Mode) ([]string, bool) {
	t.Helper()
	var got []string
	found, err := Service(strings.NewReader(in), mode, name, func(l []byte) error {
		got = append(got, string(l))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got, found
}

func TestService(t *testing.T) {
	got, found := serviceLines(t, sample, "alpha", Replace)
	if want := []string{"a1", "  a2", "--------- 0.001s was the duration of dumpsys alpha"}; !found || !cmp.Equal(got, want) {
		t.Errorf("alpha = %q (found %v), want %q", got, found, want)
	}
	got, _ = serviceLines(t, sample, "beta", Replace)
	if want := []string{"b1", "b2", "b3"}; !cmp.Equal(got, want) {
		t.Errorf("beta = %q, want %q", got, want)
	}
	if got, found := serviceLines(t, sample, "gamma", Replace); found || got != nil {
		t.Errorf("gamma = %q, %v", got, found)
	}
}

func TestSystemProperties(t *testing.T) {
	var got []string
	found, err := SystemProperties(strings.NewReader(sample), Replace, func(l []byte) error {
		got = append(got, string(l))
		return nil
	})
	if err != nil || !found || !cmp.Equal(got, []string{"[ro.x]: [1]"}) {
		t.Errorf("properties = %q, %v, %v", got, found, err)
	}
}

func TestWalk(t *testing.T) {
	var got []string
	err := Walk(strings.NewReader(sample), Replace, func(s string, l []byte) error {
		got = append(got, s+"|"+string(l))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"alpha|a1", "alpha|  a2", "alpha|--------- 0.001s was the duration of dumpsys alpha",
		"beta|b1", "beta|b2", "beta|b3", "SYSTEM PROPERTIES|[ro.x]: [1]"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("walk (-want +got):\n%s", diff)
	}
	n := 0
	err = Walk(strings.NewReader(sample), Replace, func(string, []byte) error {
		n++
		return ErrStop
	})
	if err != nil || n != 1 {
		t.Errorf("ErrStop: n=%d err=%v", n, err)
	}
	boom := errors.New("boom")
	if err := Walk(strings.NewReader(sample), Replace, func(string, []byte) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("error not passed on: %v", err)
	}
}

func TestLineSplitting(t *testing.T) {
	in := "a\r\r\nb\x0cc\xe2\x80\xa8d\ne\xff\x80f\rg\r"
	lines := func(mode Mode) []string {
		var out []string
		sc := NewScanner(strings.NewReader(in), mode)
		for sc.Scan() {
			out = append(out, string(sc.Line()))
		}
		return out
	}
	if got, want := lines(Replace), []string{"a", "", "b", "c", "d", "e\ufffd\ufffdf", "g"}; !cmp.Equal(got, want) {
		t.Errorf("replace = %q, want %q", got, want)
	}
	if got, want := lines(Ignore), []string{"a", "", "b", "c", "d", "ef", "g"}; !cmp.Equal(got, want) {
		t.Errorf("ignore = %q, want %q", got, want)
	}
	if got, want := lines(Binary), []string{"a", "", "b\x0cc\xe2\x80\xa8d", "e\xff\x80f", "g"}; !cmp.Equal(got, want) {
		t.Errorf("binary = %q, want %q", got, want)
	}
}

func TestLongLineIsBounded(t *testing.T) {
	long := "DUMP OF SERVICE x:\n" + strings.Repeat("y", 3*MaxLine) + "\nz\n"
	got, _ := serviceLines(t, long, "x", Binary)
	if len(got) != 2 || len(got[0]) != MaxLine || got[1] != "z" {
		t.Errorf("got %d lines, first %d bytes", len(got), len(got[0]))
	}
}

// TestMVTPackageSection checks the section length MVT's own test asserts
// on androidqf/dumpsys.txt.
func TestMVTPackageSection(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "testdata", "mvt", "androidqf", "dumpsys.txt")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("conformance data %s not present: %v", path, err)
	}
	lines, found := serviceLines(t, string(data), "package", Replace)
	if !found {
		t.Fatal("package section not found")
	}
	if n := utf8.RuneCountInString(strings.Join(lines, "\n")); n != 3907 {
		t.Errorf("package section is %d characters, MVT says 3907", n)
	}
	var names []string
	err = Walk(bytes.NewReader(data), Replace, func(s string, _ []byte) error {
		if len(names) == 0 || names[len(names)-1] != s {
			names = append(names, s)
		}
		return nil
	})
	if err != nil || len(names) == 0 {
		t.Errorf("sections %q, %v", names, err)
	}
}

func FuzzScanner(f *testing.F) {
	f.Add([]byte(sample), "beta")
	f.Add([]byte("DUMP OF SERVICE adb:\n\xff\x00\r\rABX\x00\n"+Delimiter), "adb")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		for _, mode := range []Mode{Replace, Ignore, Binary} {
			total := 0
			_, err := Service(bytes.NewReader(data), mode, name, func(l []byte) error {
				if mode != Binary && !utf8.Valid(l) {
					t.Fatalf("invalid UTF-8 line %q", l)
				}
				total += len(l) + 1
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if total > len(data)+len(data)*2+1 {
				t.Fatalf("section larger than input: %d > %d", total, len(data))
			}
			if err := Walk(bytes.NewReader(data), mode, func(string, []byte) error { return nil }); err != nil {
				t.Fatal(err)
			}
		}
	})
}
