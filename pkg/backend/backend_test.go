package backend_test

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/backends/xla"

	"feedforward.dev/feedforward/pkg/backend"
)

func TestEnvVarIsGoMLXs(t *testing.T) {
	if backend.EnvVar != "GOMLX_BACKEND" {
		t.Errorf("EnvVar = %q, want GOMLX_BACKEND (the variable GoMLX itself reads)", backend.EnvVar)
	}
}

func TestChooseFromEnv(t *testing.T) {
	tests := []struct {
		env        string
		wantConfig string
		wantName   string
	}{
		{"go", "go", "SimpleGo"},
		{"xla:cpu", "xla:cpu", "XLA (cpu)"},
		{"xla", "xla", "XLA"},
		{"stablehlo:cpu", "stablehlo:cpu", "XLA (cpu)"},
	}
	for _, tc := range tests {
		t.Run(tc.env, func(t *testing.T) {
			t.Setenv(backend.EnvVar, tc.env)
			c, err := backend.Choose()
			if err != nil {
				t.Fatalf("Choose() with %s=%q: %v", backend.EnvVar, tc.env, err)
			}
			if c.Config != tc.wantConfig || c.Name != tc.wantName {
				t.Errorf("Choose() = {Config:%q Name:%q}, want {Config:%q Name:%q}", c.Config, c.Name, tc.wantConfig, tc.wantName)
			}
			if !strings.Contains(c.Reason, backend.EnvVar) {
				t.Errorf("Reason %q does not say that %s decided", c.Reason, backend.EnvVar)
			}
		})
	}
}

// TestEnvWinsOverXLA checks that GOMLX_BACKEND=go picks SimpleGo even when an XLA plugin is installed.
func TestEnvWinsOverXLA(t *testing.T) {
	t.Setenv(backend.EnvVar, "go")
	c, err := backend.Choose()
	if err != nil {
		t.Fatal(err)
	}
	if c.Config != "go" {
		t.Errorf("with %s=go Choose picked %q (XLA plugins found: %q)", backend.EnvVar, c.Config, xla.GetAvailablePlugins())
	}
}

func TestChooseUnknownName(t *testing.T) {
	for _, env := range []string{"nosuchbackend", "GO", "tpu:0", ":cpu"} {
		t.Run(env, func(t *testing.T) {
			t.Setenv(backend.EnvVar, env)
			c, err := backend.Choose()
			if err == nil {
				t.Fatalf("Choose() with %s=%q = %+v, want an error", backend.EnvVar, env, c)
			}
			msg := err.Error()
			for _, want := range []string{backend.EnvVar, env, `"go"`, backend.EnvVar + "=go"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not mention %q", msg, want)
				}
			}
			if _, err := backend.New(); err == nil {
				t.Errorf("New() with %s=%q succeeded, want an error", backend.EnvVar, env)
			}
		})
	}
}

// TestChooseDefault checks the order without GOMLX_BACKEND: XLA if its CPU plugin is installed, else SimpleGo.
func TestChooseDefault(t *testing.T) {
	t.Setenv(backend.EnvVar, "") // Empty counts as unset.
	c, err := backend.Choose()
	if err != nil {
		t.Fatal(err)
	}
	want := "go"
	if slices.Contains(xla.GetAvailablePlugins(), "cpu") {
		want = "xla:cpu"
	}
	if c.Config != want {
		t.Errorf("Choose() without %s = %q, want %q (XLA plugins found: %q)", backend.EnvVar, c.Config, want, xla.GetAvailablePlugins())
	}
}

func TestNewSimpleGo(t *testing.T) {
	t.Setenv(backend.EnvVar, "go")
	backend.NoticeWriter = io.Discard
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Finalize()
	if b.Name() != "SimpleGo (go)" {
		t.Errorf("New() with %s=go built backend %q, want \"SimpleGo (go)\"", backend.EnvVar, b.Name())
	}
}

// TestNewMissingPlugin checks that asking for a PJRT plugin that is not installed is an error
// that says how to fix it, not a panic and not a download.
func TestNewMissingPlugin(t *testing.T) {
	t.Setenv(backend.EnvVar, "xla:nosuchplugin")
	backend.NoticeWriter = io.Discard
	b, err := backend.New()
	if err == nil {
		b.Finalize()
		t.Fatalf("New() with %s=xla:nosuchplugin succeeded, want an error", backend.EnvVar)
	}
	for _, want := range []string{backend.EnvVar + "=go", "make setup"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestNotice(t *testing.T) {
	tests := []struct {
		choice      backend.Choice
		wantXLAHint bool
	}{
		{backend.Choice{Config: "go", Name: "SimpleGo", Reason: "no local PJRT plugin"}, true},
		{backend.Choice{Config: "xla:cpu", Name: "XLA (cpu)", Reason: "PJRT CPU plugin found locally"}, false},
	}
	for _, tc := range tests {
		n := tc.choice.Notice()
		if strings.Contains(n, "\n") {
			t.Errorf("Notice() = %q is not one line", n)
		}
		if !strings.Contains(n, tc.choice.Name) || !strings.Contains(n, tc.choice.Reason) {
			t.Errorf("Notice() = %q does not name the backend %q and the reason %q", n, tc.choice.Name, tc.choice.Reason)
		}
		hasHint := strings.Contains(n, "make setup") && strings.Contains(n, "scripts/install-pjrt.sh")
		if hasHint != tc.wantXLAHint {
			t.Errorf("Notice() = %q: mentions how to get XLA = %v, want %v", n, hasHint, tc.wantXLAHint)
		}
	}
}

// TestBrokenPluginFallsBack puts a file that is not a shared library where
// go-xla looks for plugins. go-xla's plugin list is cached per process, so the
// check runs in a child process of this test binary.
func TestBrokenPluginFallsBack(t *testing.T) {
	if os.Getenv("FEEDFORWARD_BROKEN_PLUGIN_CHILD") == "1" {
		backend.NoticeWriter = os.Stdout
		c, err := backend.Choose()
		if err != nil {
			fmt.Println("CHOOSE-ERROR", err)
			return
		}
		fmt.Printf("CHOICE %s | %s\n", c.Config, c.Reason)
		b, err := backend.New()
		if err != nil {
			fmt.Println("NEW-ERROR", err)
			return
		}
		fmt.Println("BUILT", b.Name())
		b.Finalize()
		return
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pjrt_c_api_cpu_plugin.so"), []byte("not an ELF file"), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenPluginFallsBack$", "-test.count=1")
	cmd.Env = append(os.Environ(), "FEEDFORWARD_BROKEN_PLUGIN_CHILD=1", "PJRT_PLUGIN_LIBRARY_PATH="+dir, backend.EnvVar+"=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child process failed: %v\n%s", err, out)
	}
	s := string(out)
	if !strings.Contains(s, "CHOICE go | ") || !strings.Contains(s, "BUILT SimpleGo") {
		t.Fatalf("with a broken plugin file, want a SimpleGo choice and backend; child printed:\n%s", s)
	}
	for _, want := range []string{"failed to load", dir, "install-pjrt.sh", "feedforward: backend SimpleGo"} {
		if !strings.Contains(s, want) {
			t.Errorf("child output does not mention %q:\n%s", want, s)
		}
	}
}
