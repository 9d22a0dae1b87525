package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
)

// newLogger logs at info level to stderr and, when a results folder is
// given, at debug level to its command.log.
func newLogger(stderr io.Writer, resultsDir string) (*slog.Logger, func(), error) {
	console := slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo})
	if resultsDir == "" {
		return slog.New(console), func() {}, nil
	}
	f, err := os.Create(filepath.Join(resultsDir, "command.log"))
	if err != nil {
		return nil, nil, err
	}
	file := slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug})
	return slog.New(tee{console, file}), func() { f.Close() }, nil
}

// tee sends every record to each handler that wants it.
type tee []slog.Handler

func (t tee) Enabled(ctx context.Context, l slog.Level) bool {
	for _, h := range t {
		if h.Enabled(ctx, l) {
			return true
		}
	}
	return false
}

func (t tee) Handle(ctx context.Context, r slog.Record) error {
	var errs []error
	for _, h := range t {
		if h.Enabled(ctx, r.Level) {
			errs = append(errs, h.Handle(ctx, r.Clone()))
		}
	}
	return errors.Join(errs...)
}

func (t tee) WithAttrs(a []slog.Attr) slog.Handler {
	out := make(tee, len(t))
	for i, h := range t {
		out[i] = h.WithAttrs(a)
	}
	return out
}

func (t tee) WithGroup(name string) slog.Handler {
	out := make(tee, len(t))
	for i, h := range t {
		out[i] = h.WithGroup(name)
	}
	return out
}
