package report

import (
	"bufio"
	"embed"
	"html/template"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spycheck/spycheck/check"
	"github.com/spycheck/spycheck/record"
)

//go:embed templates/report.html.tmpl
var templates embed.FS

var reportTemplate = template.Must(template.New("report.html.tmpl").
	Funcs(template.FuncMap{"join": strings.Join}).
	ParseFS(templates, "templates/report.html.tmpl"))

// verdict is the report's one-paragraph answer for a non-expert.
type verdict struct {
	Class, Title string
	Lines        []string
}

type severityCount struct {
	Severity record.Severity
	N        int
}

// htmlPage is what report.html shows.
type htmlPage struct {
	Meta     Meta
	Verdict  verdict
	Counts   []severityCount
	Findings []record.Finding
	Absent   string
}

// writeHTML writes report.html: a self-contained page (no scripts, no
// outside resources) with the verdict, every finding most severe first,
// and each module's state.
func (f *Folder) writeHTML(res *check.Result, meta Meta) error {
	page := htmlPage{Meta: meta, Findings: append([]record.Finding(nil), res.Findings...)}
	sort.SliceStable(page.Findings, func(i, j int) bool { return page.Findings[i].Severity > page.Findings[j].Severity })
	counts := map[record.Severity]int{}
	for _, fd := range res.Findings {
		counts[fd.Severity]++
	}
	for _, s := range severities {
		page.Counts = append(page.Counts, severityCount{s, counts[s]})
	}
	page.Verdict = verdictOf(counts)
	var absent []string
	for _, m := range meta.Modules {
		if m.State == string(check.NotPresent) {
			absent = append(absent, m.Name)
		}
	}
	page.Absent = strings.Join(absent, ", ")
	if page.Absent == "" {
		page.Absent = "none"
	}
	return writeFile(filepath.Join(f.dir, "report.html"), func(w *bufio.Writer) error {
		return reportTemplate.Execute(w, page)
	})
}

func verdictOf(counts map[record.Severity]int) verdict {
	switch {
	case counts[record.Critical]+counts[record.High] > 0:
		return verdict{Class: "v-alarm", Title: "Traces matching known spyware or strong signs of compromise were found.", Lines: []string{
			"Each finding below says what matched and why. Keep the acquisition and this folder unchanged.",
			"Before drawing conclusions, ask an experienced analyst to review it, for example Amnesty International's Security Lab or Access Now's Digital Security Helpline.",
		}}
	case counts[record.Medium]+counts[record.Low] > 0:
		return verdict{Class: "v-warn", Title: "No known spyware indicator matched, but some signs deserve a closer look.", Lines: []string{
			"These are heuristics: many have innocent explanations. Review each one below.",
		}}
	}
	return verdict{Class: "v-clean", Title: "No traces of known spyware were found in this acquisition.", Lines: []string{
		"This does not prove the phone is clean: it was checked only against the indicators loaded and the heuristics spycheck knows. Check again when new indicators are published (spycheck check-iocs).",
	}}
}
