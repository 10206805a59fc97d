package clitest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// fakeMain stands in for a command: it prints its arguments, its working
// directory's base name and an environment variable, and exits with status 3
// when its first argument is "fail".
func fakeMain() {
	wd, _ := os.Getwd()
	fmt.Fprintln(os.Stdout, os.Args[1:], filepath.Base(wd), os.Getenv("CLITEST_EXTRA"))
	fmt.Fprintln(os.Stderr, "to stderr")
	if len(os.Args) > 1 && os.Args[1] == "fail" {
		os.Exit(3)
	}
}

func TestMain(m *testing.M) { Main(m, fakeMain) }

func TestRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "workdir")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args   []string
		code   int
		stdout string
	}{
		{[]string{"ok", "-x"}, 0, "[ok -x] workdir extra\n"},
		{[]string{"fail"}, 3, "[fail] workdir extra\n"},
	} {
		code, stdout, stderr := Run(t, dir, []string{"CLITEST_EXTRA=extra"}, tc.args...)
		if code != tc.code || stdout != tc.stdout || stderr != "to stderr\n" {
			t.Errorf("Run(%v) = %d, %q, %q; want %d, %q, %q", tc.args, code, stdout, stderr, tc.code, tc.stdout, "to stderr\n")
		}
	}
}
