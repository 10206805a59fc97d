package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		code   int
		stderr string
	}{
		{"success", nil, 0, ""},
		{"help", ErrHelp, 0, ""},
		{"usage", Usagef("-lr %g must be positive", -1.0), 2, "prog: -lr -1 must be positive\n"},
		{"wrapped usage", fmt.Errorf("parsing: %w", Usagef("bad")), 2, "prog: parsing: bad\n"},
		{"failure", errors.New("loss is NaN"), 1, "prog: loss is NaN\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			if code := ExitCode("prog", tc.err, &stderr); code != tc.code {
				t.Errorf("code %d, want %d", code, tc.code)
			}
			if stderr.String() != tc.stderr {
				t.Errorf("stderr %q, want %q", stderr.String(), tc.stderr)
			}
		})
	}
}

func TestRecover(t *testing.T) {
	run := func() (err error) {
		defer Recover(&err)
		var m map[string]int
		m["x"] = 1 // panics
		return nil
	}
	err := run()
	if err == nil || !strings.Contains(err.Error(), "internal error") {
		t.Fatalf("err = %v, want an internal error", err)
	}
	ok := func() (err error) {
		defer Recover(&err)
		return errors.New("plain")
	}
	if err := ok(); err == nil || err.Error() != "plain" {
		t.Errorf("Recover changed a returned error: %v", err)
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name  string
		args  []string
		err   error // nil, ErrHelp, or any UsageError
		want  []string
		epoch int
	}{
		{"flags", []string{"-epochs", "3"}, nil, nil, 3},
		{"help", []string{"-h"}, ErrHelp, nil, 0},
		{"unknown flag", []string{"-batch", "2"}, UsageError{}, []string{"-batch", "run prog -h for the flags"}, 0},
		{"bad value", []string{"-epochs", "many"}, UsageError{}, []string{"-epochs", "many"}, 0},
		{"positional", []string{"-epochs", "3", "data"}, UsageError{}, []string{`"data"`, "takes only flags", "e.g. -epochs 10", "prog -h"}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := flag.NewFlagSet("prog", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			epochs := fs.Int("epochs", 0, "")
			err := Parse(fs, tc.args, "-epochs 10")
			var ue UsageError
			switch {
			case tc.err == nil && err != nil, tc.err == ErrHelp && !errors.Is(err, ErrHelp):
				t.Fatalf("err = %v, want %v", err, tc.err)
			case tc.err == (UsageError{}) && !errors.As(err, &ue):
				t.Fatalf("err = %v, want a UsageError", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if *epochs != tc.epoch {
				t.Errorf("-epochs parsed as %d, want %d", *epochs, tc.epoch)
			}
		})
	}
}

func TestCheckOutput(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f.json")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		err   error
		usage bool
		want  string // a substring of the message
	}{
		{"new file in existing dir", CheckOutputFile("-metrics-out", filepath.Join(dir, "new.json")), false, ""},
		{"existing file", CheckOutputFile("-metrics-out", file), false, ""},
		{"relative file", CheckOutputFile("-metrics-out", "m.json"), false, ""},
		{"file is a dir", CheckOutputFile("-metrics-out", dir), true, "is a directory"},
		{"missing dir", CheckOutputFile("-metrics-out", filepath.Join(dir, "nope", "m.json")), true, "does not exist"},
		{"dir of file is a file", CheckOutputFile("-metrics-out", filepath.Join(file, "m.json")), true, "is a file, not a directory"},
		{"new dir", CheckOutputDir("-plot-dir", filepath.Join(dir, "plots")), false, ""},
		{"new nested dir", CheckOutputDir("-plot-dir", filepath.Join(dir, "a", "b", "c")), false, ""},
		{"existing dir", CheckOutputDir("-plot-dir", dir), false, ""},
		{"relative dir", CheckOutputDir("-plot-dir", "plots"), false, ""},
		{"dir is a file", CheckOutputDir("-plot-dir", file), true, "is a file, not a directory"},
		{"dir below a file", CheckOutputDir("-plot-dir", filepath.Join(file, "sub")), true, `"` + file + `" is a file`},
		{"dir deep below a file", CheckOutputDir("-plot-dir", filepath.Join(file, "sub", "sub2")), true, `"` + file + `" is a file`},
	}
	for _, tc := range tests {
		var ue UsageError
		if got := errors.As(tc.err, &ue); got != tc.usage {
			t.Errorf("%s: err = %v, want usage error %v", tc.name, tc.err, tc.usage)
			continue
		}
		if tc.usage && (!strings.Contains(tc.err.Error(), "-") || !strings.Contains(tc.err.Error(), tc.want)) {
			t.Errorf("%s: error %q does not name the flag and %q", tc.name, tc.err, tc.want)
		}
	}
	// The checks leave nothing behind.
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("the checks left %v in the directory, want only f.json", entries)
	}
}

func TestCheckOutputNotWritable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "readonly")
	if err := os.Mkdir(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o755) // let t.TempDir clean up
	if f, err := os.CreateTemp(dir, "probe"); err == nil {
		f.Close()
		os.Remove(f.Name())
		t.Skip("the directory is writable despite mode 0555 (running as root?): nothing to check")
	}
	for _, err := range []error{
		CheckOutputFile("-metrics-out", filepath.Join(dir, "m.json")),
		CheckOutputDir("-plot-dir", dir),
		CheckOutputDir("-plot-dir", filepath.Join(dir, "plots", "sub")),
	} {
		var ue UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), "cannot write") {
			t.Errorf("err = %v, want a usage error saying the directory cannot be written", err)
		}
	}
}

func TestNewFlagSet(t *testing.T) {
	var stderr bytes.Buffer
	fs := NewFlagSet("prog", &stderr, "Usage: prog [flags]\n\nFlags:\n")
	fs.Int("epochs", 5, "number of epochs")
	if err := Parse(fs, []string{"-h"}, "-epochs 10"); !errors.Is(err, ErrHelp) {
		t.Fatalf("-h: err = %v, want ErrHelp", err)
	}
	if out := stderr.String(); !strings.HasPrefix(out, "Usage: prog [flags]\n\nFlags:\n") || !strings.Contains(out, "-epochs") || !strings.Contains(out, "number of epochs") {
		t.Errorf("-h printed %q, want the usage line followed by the flags", out)
	}
	stderr.Reset()
	if err := Parse(fs, []string{"-nope"}, "-epochs 10"); err == nil || !strings.Contains(stderr.String(), "Usage: prog") {
		t.Errorf("a bad flag: err = %v, stderr %q; want a usage error and the usage printed", err, stderr.String())
	}
}
