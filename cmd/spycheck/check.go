package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/spycheck/spycheck/acquire"
	"github.com/spycheck/spycheck/check"
	"github.com/spycheck/spycheck/evidence"
	"github.com/spycheck/spycheck/evidence/detect"
	"github.com/spycheck/spycheck/ioc"
	"github.com/spycheck/spycheck/module/list"
	"github.com/spycheck/spycheck/record"
	"github.com/spycheck/spycheck/report"
)

// checkFlags are the flags every check command shares.
type checkFlags struct {
	iocs      []string
	noDefault bool
	output    string
	modules   []string
	failOn    string
}

func (f *checkFlags) register(cmd *cobra.Command, withOutput bool) {
	fl := cmd.Flags()
	fl.StringArrayVarP(&f.iocs, "iocs", "i", nil, "indicator file or folder (STIX2 or plain list); repeatable")
	fl.BoolVar(&f.noDefault, "no-default-iocs", false, "do not load indicators from SPYCHECK_IOCS, MVT_STIX2 and the default folders")
	fl.StringArrayVarP(&f.modules, "module", "m", nil, "run only this module (name as in list-modules); repeatable")
	fl.StringVar(&f.failOn, "fail-on", "info", "exit with status 3 when a finding at or above this severity exists (info, low, medium, high, critical)")
	if withOutput {
		fl.StringVarP(&f.output, "output", "o", "", "folder for the results (MVT-compatible JSON, timeline, alerts)")
	}
}

// matcher looks observables up among infection indicators first, then
// among stalkerware vendors' websites (context only).
func matcher(ix *ioc.Index) check.Matcher { return check.Matchers{ix, ix.VendorSites()} }

func (f *checkFlags) loadIndicators(log *slog.Logger) (*ioc.Index, error) {
	paths := append([]string(nil), f.iocs...)
	if !f.noDefault {
		paths = append(paths, ioc.DefaultPaths()...)
	}
	start := time.Now()
	ix, err := ioc.Load(paths...)
	if err != nil {
		return nil, err
	}
	for _, p := range ix.Files() {
		log.Debug("loaded indicator file", "path", p)
	}
	for _, s := range ix.Skipped() {
		log.Debug("skipped indicator", "detail", fmt.Sprintf("%+v", s))
	}
	log.Info("indicators loaded", "unique", ix.Len(), "vendor_websites", ix.VendorSites().Len(), "files", len(ix.Files()), "skipped", len(ix.Skipped()), "took", time.Since(start).Round(time.Millisecond))
	if ix.Len() == 0 {
		log.Warn("no indicators loaded: only heuristics will run (give indicator files with --iocs)")
	}
	return ix, nil
}

// checkCommand describes one check-* command.
type checkCommand struct {
	use, short string
	// kind is the acquisition the command reads; "" detects it.
	kind evidence.Kind
}

var checkCommands = []checkCommand{
	{"check PATH", "Check any acquisition: the kind is recognised from PATH", ""},
	{"check-backup BACKUP_FOLDER", "Check an iTunes/Finder backup of an iPhone (encrypted or not)", evidence.IOSBackup},
	{"check-fs DUMP", "Check a full filesystem dump of an iPhone (folder, .tar, .tar.gz or .zip)", evidence.IOSFS},
	{"check-sysdiagnose ARCHIVE", "Check an iOS sysdiagnose archive (.tar.gz as the device writes it, or its folder)", evidence.IOSSysdiagnose},
	{"check-androidqf ACQUISITION", "Check an androidqf acquisition (folder or .zip), with its bug report and backup", evidence.AndroidQF},
	{"check-bugreport BUGREPORT", "Check an Android bug report (.zip or folder)", evidence.Bugreport},
	{"check-android-backup BACKUP", "Check an Android backup (.ab file or unpacked folder)", evidence.AndroidBackup},
	{"check-intrusion-logs FOLDER", "Check Android 16 intrusion logs (folder or .zip)", evidence.IntrusionLogs},
}

func newCheck(c checkCommand, stdout, stderr io.Writer) *cobra.Command {
	var f checkFlags
	var keys backupKeyFlags
	cmd := &cobra.Command{
		Use:   c.use,
		Short: c.short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kind := c.kind
			if kind == "" {
				detected, err := detect.Kind(args[0])
				if err != nil {
					return err
				}
				kind = detected
			}
			return runCheck(cmd.Context(), &f, args[0], kind, stdout, stderr, keys.acquireOptions(stderr))
		},
	}
	f.register(cmd, true)
	keys.register(cmd.Flags())
	return cmd
}

// runCheck is the whole of a check command: open the acquisition, load
// indicators, run the modules of every part, write results, summarise.
func runCheck(ctx context.Context, f *checkFlags, target string, kind evidence.Kind, stdout, stderr io.Writer, opts acquire.Options) error {
	failOn, err := record.ParseSeverity(f.failOn)
	if err != nil {
		return usageError{err}
	}
	if err := list.Validate(f.modules); err != nil {
		return usageError{err}
	}
	if f.output != "" && inside(f.output, target) {
		return usageError{fmt.Errorf("the output folder %s is inside the evidence %s: choose a folder elsewhere, evidence is never written to", f.output, target)}
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	acq, err := acquire.Open(ctx, target, kind, opts)
	if err != nil {
		return err
	}
	defer acq.Close()
	var folder *report.Folder
	if f.output != "" {
		if folder, err = report.NewFolder(f.output); err != nil {
			return err
		}
	}
	log, closeLog, err := newLogger(stderr, f.output)
	if err != nil {
		return err
	}
	defer closeLog()
	log.Info("spycheck "+version, "command", strings.Join(os.Args, " "))
	ix, err := f.loadIndicators(log)
	if err != nil {
		return err
	}
	start := time.Now()
	res := &check.Result{}
	defer res.Close()
	var hashes []evidence.FileHash
	for _, p := range acq.Parts {
		if p.Source == nil {
			log.Warn(p.Note)
			continue
		}
		log.Info("acquisition opened", "kind", p.Source.Kind(), "path", p.Source.Path())
		for _, w := range p.Warnings {
			log.Warn(w)
		}
		run := check.Options{Modules: list.Keep(p.Modules, f.modules), Matcher: matcher(ix)}
		if folder != nil {
			run.Output = folder
		}
		res.Merge(check.Run(ctx, p.Source, run))
		hashes = append(hashes, p.Source.Workspace().Hashes()...)
		if w, ok := p.Source.(interface{ Warnings() []string }); ok {
			for _, msg := range w.Warnings() {
				log.Warn(msg)
			}
		}
	}
	logStatuses(log, res)
	log.Info("check finished", "took", time.Since(start).Round(time.Millisecond), "findings", len(res.Findings))
	if folder != nil {
		meta := report.Meta{
			TargetPath: absPath(target), Kinds: acq.Kinds(), Version: version, Date: time.Now().Format("2006-01-02 15:04:05.000000"),
			Command: strings.Join(os.Args, " "), IOCFiles: ix.Files(), Indicators: ix.Len(),
			Modules: report.ModuleInfos(res.Statuses), Hashes: hashes,
		}
		if err := folder.WriteResult(res, meta); err != nil {
			return err
		}
		log.Info("results written", "folder", folder.Dir())
	}
	return finish(stdout, res, failOn, f.output)
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

func newCheckIOCs(stdout, stderr io.Writer) *cobra.Command {
	var f checkFlags
	cmd := &cobra.Command{
		Use:   "check-iocs RESULTS_FOLDER",
		Short: "Re-check a results folder (spycheck's or MVT's) against indicators, without the evidence",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			failOn, err := record.ParseSeverity(f.failOn)
			if err != nil {
				return usageError{err}
			}
			log, closeLog, err := newLogger(stderr, "")
			if err != nil {
				return err
			}
			defer closeLog()
			if err := list.Validate(f.modules); err != nil {
				return usageError{err}
			}
			recorded := report.ReadKinds(args[0])
			kinds := recorded
			if len(kinds) == 0 {
				kinds = list.Kinds() // a results folder of MVT's: any module may have written it
			}
			mods := list.Keep(list.ForKinds(kinds), f.modules)
			ix, err := f.loadIndicators(log)
			if err != nil {
				return err
			}
			res, err := check.Recheck(cmd.Context(), args[0], check.Options{Modules: mods, Matcher: matcher(ix)})
			if err != nil {
				return err
			}
			defer res.Close()
			logStatuses(log, res)
			if f.output != "" {
				folder, err := report.NewFolder(f.output)
				if err != nil {
					return err
				}
				var kindNames []string
				for _, k := range recorded {
					kindNames = append(kindNames, string(k))
				}
				meta := report.Meta{TargetPath: args[0], Kinds: kindNames, Version: version, Date: time.Now().Format("2006-01-02 15:04:05.000000"),
					Command: strings.Join(os.Args, " "), IOCFiles: ix.Files(), Indicators: ix.Len(), Modules: report.ModuleInfos(res.Statuses)}
				if err := folder.WriteResult(res, meta); err != nil {
					return err
				}
			}
			return finish(stdout, res, failOn, f.output)
		},
	}
	f.register(cmd, false)
	cmd.Flags().StringVarP(&f.output, "output", "o", "", "write the new alerts, timeline and info.json to this folder (the results folder itself is never changed)")
	return cmd
}

func newListModules(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "list-modules",
		Short: "List the modules and the acquisitions they read",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			for _, m := range list.All() {
				info := m.Info()
				kinds := make([]string, len(info.Kinds))
				for i, k := range info.Kinds {
					kinds[i] = string(k)
				}
				fmt.Fprintf(stdout, "%-34s %-30s %s\n", info.Name, info.Title, strings.Join(kinds, ","))
			}
			return nil
		},
	}
}

func logStatuses(log *slog.Logger, res *check.Result) {
	for _, st := range res.Statuses {
		switch st.State {
		case check.Failed:
			log.Error("module failed", "module", st.Module, "error", st.Err)
		case check.NotPresent:
			log.Debug("artifact not present", "module", st.Module)
		default:
			log.Debug("module done", "module", st.Module, "records", st.Records, "findings", st.Findings, "took", st.Duration.Round(time.Millisecond))
		}
	}
}

// finish prints the summary and turns findings into the exit status.
func finish(stdout io.Writer, res *check.Result, failOn record.Severity, resultsDir string) error {
	report.Summary(stdout, res)
	if resultsDir != "" {
		fmt.Fprintf(stdout, "\nFull report: %s\n", filepath.Join(resultsDir, "report.html"))
	}
	for _, f := range res.Findings {
		if f.Severity >= failOn {
			return errFindings
		}
	}
	return nil
}

// inside reports whether path is target or lies beneath it.
func inside(path, target string) bool {
	p, err1 := filepath.Abs(path)
	t, err2 := filepath.Abs(target)
	if err1 != nil || err2 != nil {
		return false
	}
	rel, err := filepath.Rel(t, p)
	return err == nil && filepath.IsLocal(rel) || rel == "."
}
