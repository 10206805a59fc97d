// Package cli holds what Feedforward's commands share around their flags:
// usage errors (exit status 2, nothing written), parsing a flag set into those
// errors, the exit code of a run, turning a panic into an error, checking
// the output paths before any work starts, and writing the outputs at the end
// ([Outputs]). Each command keeps its own flags and messages.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// ErrHelp is returned by a command's flag parsing when -h or -help was given
// and usage was printed: the run succeeds without doing anything.
var ErrHelp = errors.New("help requested")

// UsageError is a bad command line. It is reported before anything is
// trained or written.
type UsageError struct{ Msg string }

// Error returns the message, which says what is wrong and how to fix it.
func (e UsageError) Error() string { return e.Msg }

// Usagef returns a UsageError with a formatted message. Messages should say
// what is wrong and how to fix it.
func Usagef(format string, args ...any) error {
	return UsageError{fmt.Sprintf(format, args...)}
}

// NewFlagSet returns a flag set for the command name that reports errors
// instead of exiting (flag.ContinueOnError) and writes to stderr. usage is
// printed, followed by the flags and their defaults, after -h and after a
// bad flag.
func NewFlagSet(name string, stderr io.Writer, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	return fs
}

// Parse parses args with fs, which must have been created with
// flag.ContinueOnError, and reports the outcome as this package's errors:
// ErrHelp after -h or -help, a UsageError for an unknown or malformed flag
// and for a positional argument, which the commands never take. example is a
// flag to suggest in that last message, such as "-epochs 10".
func Parse(fs *flag.FlagSet, args []string, example string) error {
	name := fs.Name()
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ErrHelp
		}
		return Usagef("%v; run %s -h for the flags", err, name)
	}
	if fs.NArg() > 0 {
		return Usagef("unexpected argument %q: %s takes only flags (e.g. %s); run %s -h for the list", fs.Arg(0), name, example, name)
	}
	return nil
}

// ExitCode reports err on stderr, prefixed with the command's name, and
// returns the process status: 0 for success or ErrHelp, 2 for a UsageError,
// 1 for any other failure.
func ExitCode(name string, err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, ErrHelp) {
		return 0
	}
	fmt.Fprintln(stderr, name+":", err)
	var ue UsageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

// Recover turns a panic into an error: deferred at the top of a command's run
// function with a pointer to its named error result, it makes sure a user
// never sees a raw stack trace.
//
//	func run(args []string) (err error) {
//		defer cli.Recover(&err)
//		...
//	}
func Recover(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("internal error (please report it with the command line you used): %v", r)
	}
}

// CheckOutputFile makes sure path, given with flag, can be written once the
// work is done: path is not a directory, and its directory exists and is
// writable. It runs before the work starts, so that a long run does not end
// in an error.
func CheckOutputFile(flag, path string) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return Usagef("%s %q is a directory; give a file name such as %s", flag, path, filepath.Join(path, "metrics.json"))
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	switch {
	case err == nil && !st.IsDir():
		return Usagef("%s %q: %q is a file, not a directory; choose a path in an existing directory", flag, path, dir)
	case err != nil:
		return Usagef("%s %q: directory %q does not exist; create it first or choose another path", flag, path, dir)
	}
	if err := checkWritable(dir); err != nil {
		return Usagef("%s %q: cannot write into directory %q (%v); choose a directory you can write to", flag, path, dir, err)
	}
	return nil
}

// CheckOutputDir makes sure dir, given with flag, can be created (with
// os.MkdirAll) and written once the work is done: dir is a writable directory,
// or its nearest existing ancestor is. A path below a regular file, or in a
// directory the user cannot write, is rejected now rather than after the work.
func CheckOutputDir(flag, dir string) error {
	p := filepath.Clean(dir)
	for {
		st, err := os.Stat(p)
		if err == nil {
			switch {
			case !st.IsDir() && p == filepath.Clean(dir):
				return Usagef("%s %q is a file, not a directory; give a directory for the outputs", flag, dir)
			case !st.IsDir():
				return Usagef("%s %q: %q is a file, not a directory, so %q cannot be created; choose another path", flag, dir, p, dir)
			}
			if err := checkWritable(p); err != nil {
				return Usagef("%s %q: cannot write into directory %q (%v); choose a directory you can write to", flag, dir, p, err)
			}
			return nil
		}
		// p is missing, or a component of it is not a directory: look
		// further up, where the first existing component says which.
		parent := filepath.Dir(p)
		if parent == p {
			return Usagef("%s %q: no part of the path exists (%v); choose another path", flag, dir, err)
		}
		p = parent
	}
}

// checkWritable reports whether a file can be created in dir by creating and
// removing an empty temporary file, as the atomic writes will: permission
// bits alone do not tell (root, read-only file systems, ACLs).
func checkWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".feedforward-write-check-*")
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return pe.Err
		}
		return err
	}
	name := f.Name()
	_ = f.Close()
	return os.Remove(name)
}
