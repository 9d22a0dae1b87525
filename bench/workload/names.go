package workload

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/spycheck/spycheck/record"
)

// Random streams: each artifact draws from its own, so changing one
// artifact leaves the others' bytes alone.
const (
	streamIndicators = iota + 1
	streamSMS
	streamSafari
	streamDataUsage
	streamManifest
	streamArtifacts
	streamSTIX
	streamSample
)

func newRand(seed, stream uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, stream)) }

// minIndicators leaves room for every planted value.
const minIndicators = 20

var words = strings.Fields(`
	river stone cloud maple harbor orbit pixel lunar cedar amber echo falcon
	garden summit meadow canyon delta ember forest glacier horizon island jungle
	kettle lantern marble nectar ocean prairie quartz raven sierra tundra urban
	valley willow yonder zephyr atlas beacon cobalt dune fable granite hollow
	ivory jasper kinetic lotus mosaic nimbus opal pepper quill ripple saffron
	timber umber vortex wander yarrow zenith alpine bramble copper drift fjord
	grove heron indigo juniper kelp lagoon mango north olive plume quiet rustic
	solar thistle unity velvet wisp acorn birch coral dawn elm fern glade hazel
	iris jade kite lark moss nova oak pine reed sage tide vine wren bright daily
	fresh green happy local metro prime smart swift true urban vivid daily news
	shop travel sport market photo music video radio cloud media data tech food
	home city world trade bank health learn book game play story daily light`)

var benignTLDs = []string{"com", "com", "com", "net", "org", "co.uk", "de", "fr", "io", "info", "it", "es", "nl", "com.au"}

var indicatorTLDs = []string{"com", "net", "info", "org", "live", "online", "site", "xyz", "co", "me", "top", "click"}

var hostPrefixes = []string{"www.", "www.", "", "m.", "cdn.", "news.", "shop.", "api.", "static.", "blog."}

// processSyllables build indicator process names (Pegasus used names
// such as "roleaccountd" or "stagingd").
var processSyllables = strings.Fields("rol acc stag fserv net libb mng msg cfg xpc bkp cach sync upd mon log boot rt kern hlpr smm pcs frtl brl")

// systemProcesses are process names a real DataUsage.sqlite lists.
var systemProcesses = strings.Fields(`mDNSResponder CommCenter apsd assistantd itunesstored nsurlsessiond
	com.apple.WebKit.Networking identityservicesd kernel_task MobileSafari MobileMail Maps Weather Music
	Podcasts appstored cloudd syncdefaultsd geod locationd mediaserverd softwareupdated parsecd
	akd adprivacyd healthd homed imagent IMTransferAgent ndoagent nanoregistryd rapportd sharingd
	WhatsApp Telegram Instagram Facebook YouTube Spotify Signal Slack Zoom Chrome Gmail Outlook`)

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

func title(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

// benignHost is a host name whose labels never hold a hyphen.
func benignHost(r *rand.Rand) string {
	return pick(r, hostPrefixes) + pick(r, words) + pick(r, words) + "." + pick(r, benignTLDs)
}

// benignURL is a link as people share them.
func benignURL(r *rand.Rand, scheme string) string {
	host := benignHost(r)
	switch r.IntN(5) {
	case 0:
		return fmt.Sprintf("%s://%s/", scheme, host)
	case 1:
		return fmt.Sprintf("%s://%s/%s/%d/%02d/%s-%s-%d.html", scheme, host, pick(r, words), 2020+r.IntN(5), 1+r.IntN(12), pick(r, words), pick(r, words), r.IntN(100000))
	case 2:
		return fmt.Sprintf("%s://%s/p/%s", scheme, host, base36(r.Uint64()))
	case 3:
		return fmt.Sprintf("%s://%s/%s?utm_source=%s&utm_medium=social&id=%d", scheme, host, pick(r, words), pick(r, words), r.IntN(1e6))
	}
	return fmt.Sprintf("%s://%s/search?q=%s+%s", scheme, host, pick(r, words), pick(r, words))
}

func base36(v uint64) string {
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	var b [13]byte
	i := len(b)
	for v > 0 && i > len(b)-10 {
		i--
		b[i] = digits[v%36]
		v /= 36
	}
	return string(b[i:])
}

// indicatorSet is the indicators of a workload.
type indicatorSet struct {
	domains   []string
	processes []string
	// procKeys holds every indicator process name, lower-cased, and its
	// first 15 characters when it is longer (the truncation rule).
	procKeys map[string]bool
}

// makeIndicators draws n unique indicators: about 90% domains (with a
// hyphen in the registrable label) and 10% process names.
func makeIndicators(n int, seed uint64) *indicatorSet {
	r := newRand(seed, streamIndicators)
	nproc := max(2, n/10)
	ind := &indicatorSet{procKeys: map[string]bool{}}
	seen := map[string]bool{}
	for len(ind.domains) < n-nproc {
		d := pick(r, words) + "-" + pick(r, words)
		if r.IntN(2) == 0 {
			d += fmt.Sprint(r.IntN(100))
		}
		d += "." + pick(r, indicatorTLDs)
		if !seen[d] {
			seen[d] = true
			ind.domains = append(ind.domains, d)
		}
	}
	for len(ind.processes) < nproc {
		var sb strings.Builder
		for range 2 + r.IntN(3) {
			sb.WriteString(pick(r, processSyllables))
		}
		if r.IntN(4) == 0 {
			sb.WriteString(fmt.Sprint(r.IntN(10)))
		}
		sb.WriteString("d")
		p := sb.String()
		if !seen[p] {
			seen[p] = true
			ind.processes = append(ind.processes, p)
			ind.procKeys[strings.ToLower(p)] = true
			if len(p) > 15 {
				ind.procKeys[strings.ToLower(p[:15])] = true
			}
		}
	}
	return ind
}

// collides reports whether a benign process name could match an indicator.
func (ind *indicatorSet) collides(name string) bool {
	l := strings.ToLower(name)
	return ind.procKeys[l] || len(l) >= 15 && ind.procKeys[l[:15]]
}

// benignProcess is a process name and bundle id that match no indicator.
func (ind *indicatorSet) benignProcess(r *rand.Rand) (name, bundle string) {
	for {
		if r.IntN(4) == 0 {
			name = pick(r, systemProcesses)
			bundle = "com.apple." + strings.ToLower(name)
		} else {
			w1, w2 := pick(r, words), pick(r, words)
			name = title(w1) + title(w2)
			bundle = "com." + w1 + "." + w1 + w2
		}
		if !ind.collides(name) {
			return name, bundle
		}
	}
}

// planted is what a workload hides among its benign rows, and the
// findings that must come out.
type planted struct {
	smsTexts     []string
	safariURLs   []string
	manifestPath string
	processes    []string
	expected     []Finding
}

func plant(ind *indicatorSet) *planted {
	d := func(i int) string { return ind.domains[i] }
	p := &planted{
		smsTexts: []string{
			"Your parcel could not be delivered. Reschedule here: https://track." + d(0) + "/r/8f3a2c",
			"Saw this and thought of you https://www.rivermaple.com/story and the original https://" + d(1) + "/a/77",
			"Security notice: verify your account at https://login.secure." + d(2) + "/v?id=31 within 24h",
		},
		safariURLs: []string{
			"https://cdn." + d(2) + "/l/4f1c9a?lang=en",
			"https://" + d(3) + "/landing",
			"http://x1." + d(4) + "/r/0",
		},
		manifestPath: "Library/WebKit/WebsiteData/LocalStorage/https_" + d(5) + "_0.localstorage",
		processes:    ind.processes[:2],
	}
	for _, i := range []int{0, 1, 2} {
		p.expected = append(p.expected, Finding{"sms", record.Critical.String(), d(i)})
	}
	for _, i := range []int{2, 3, 4} {
		p.expected = append(p.expected, Finding{"safari_history", record.Critical.String(), d(i)})
	}
	p.expected = append(p.expected, Finding{"manifest", record.High.String(), d(5)})
	for _, proc := range p.processes {
		p.expected = append(p.expected, Finding{"datausage", record.Critical.String(), proc})
	}
	SortFindings(p.expected)
	return p
}

// spread places k planted rows evenly among n: planted row j goes at index spread(n, k)(j).
func spread(n, k int) func(j int) int {
	return func(j int) int { return (j + 1) * n / (k + 1) }
}

// Sample returns n observables like those a check looks up: URLs of
// messages and visits, and process names, with a few indicator values.
func Sample(n, indicators int, seed uint64) []record.Observable {
	r := newRand(seed, streamSample)
	ind := makeIndicators(indicators, seed)
	out := make([]record.Observable, 0, n)
	for i := range n {
		switch {
		case i%100 == 99:
			out = append(out, record.Observable{Kind: record.URL, Value: "https://www." + pick(r, ind.domains) + "/x"})
		case i%10 == 9:
			name, _ := ind.benignProcess(r)
			out = append(out, record.Observable{Kind: record.Process, Value: name})
		default:
			out = append(out, record.Observable{Kind: record.URL, Value: benignURL(r, "https")})
		}
	}
	return out
}
