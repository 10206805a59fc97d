// Package backend chooses the GoMLX backend for every notebook, CLI and test in
// Feedforward, in one place.
//
// The order is:
//
//  1. GOMLX_BACKEND, when set (for example "go" for SimpleGo or "xla:cpu");
//  2. XLA, when a PJRT CPU plugin is installed locally (it is never downloaded:
//     auto-install is switched off);
//  3. SimpleGo, the pure-Go backend, which always works.
//
// A damaged plugin file (a half-copied download, say) makes go-xla's plugin
// search crash; Choose recovers from that, and New falls back to SimpleGo
// when an XLA backend it picked by itself cannot be created. The notice then
// says what went wrong. Only an explicit GOMLX_BACKEND that cannot be honoured
// is an error.
//
// # Getting XLA
//
// `make setup` runs scripts/install-pjrt.sh, which downloads the pinned PyPI wheel
// xla-cpu-pjrt==0.0.1 (OpenXLA's PJRT CPU plugin) with pip and installs its
// library as $HOME/.local/lib/go-xla/pjrt_c_api_cpu_plugin.so, where GoMLX's
// go-xla looks for plugins. go-xla also searches the directories listed in
// PJRT_PLUGIN_LIBRARY_PATH (instead of the defaults, when set),
// /usr/local/lib/go-xla, LD_LIBRARY_PATH and /etc/ld.so.conf, for files named
// pjrt_c_api_<name>_plugin.so. Without the plugin everything still works on
// SimpleGo, only slower: the (60000×784)·(784×300) float32 product of
// BenchmarkMatMul ran about 20 times faster on XLA on a 2-core machine. XLA
// compiles every new graph (and every new input shape) first, which takes a
// fraction of a second, so many tiny one-off graphs can be slower on XLA.
//
// Results agree between the two backends to float32 rounding (relative error
// 1e-7 to 1e-6 in the tests), not bit for bit: XLA fuses and reorders
// floating-point operations.
//
// GoMLX's own default import would try to download the XLA plugin and, offline,
// fail with no fallback; that is why nothing in Feedforward imports
// github.com/gomlx/gomlx/backends/default.
package backend

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/backends/xla"
)

// EnvVar is the environment variable that overrides the choice of backend.
const EnvVar = backends.ConfigEnvVar

// Choice describes which backend New will build and why.
type Choice struct {
	// Config is the GoMLX configuration string, "<name>[:<config>]".
	Config string
	// Name is a human-readable backend name, such as "SimpleGo" or "XLA (cpu)".
	Name string
	// Reason says why this backend was chosen.
	Reason string
}

// Notice is the one-line message printed when a backend is created.
func (c Choice) Notice() string {
	msg := fmt.Sprintf("feedforward: backend %s (%s)", c.Name, c.Reason)
	if !strings.HasPrefix(c.Config, "xla") {
		msg += "; for XLA's speed run `make setup` (scripts/install-pjrt.sh installs a PJRT CPU plugin)"
	}
	return msg
}

func init() {
	// Never download plugins behind the user's back: offline that fails with no fallback.
	xla.EnableAutoInstall(false)
}

// Choose decides which backend to use without creating it.
func Choose() (Choice, error) {
	if cfg, ok := os.LookupEnv(EnvVar); ok && cfg != "" {
		name, _, _ := strings.Cut(cfg, ":")
		if !slices.Contains(backends.List(), name) {
			return Choice{}, fmt.Errorf("backend: %s=%q names no compiled-in backend; use one of %q (e.g. %s=go for SimpleGo, %s=xla:cpu for XLA)",
				EnvVar, cfg, sortedList(), EnvVar, EnvVar)
		}
		return Choice{Config: cfg, Name: displayName(cfg), Reason: "set by " + EnvVar}, nil
	}
	plugins, err := availablePlugins()
	if err != nil {
		return simpleGo(err.Error()), nil
	}
	if slices.Contains(plugins, "cpu") {
		return Choice{Config: "xla:cpu", Name: displayName("xla:cpu"), Reason: reasonPluginFound}, nil
	}
	return simpleGo("no local PJRT plugin"), nil
}

// reasonPluginFound is the Reason of an XLA backend that Choose picked itself.
const reasonPluginFound = "PJRT CPU plugin found locally"

func simpleGo(reason string) Choice {
	return Choice{Config: simplego.BackendName, Name: displayName(simplego.BackendName), Reason: reason}
}

// availablePlugins lists the PJRT plugins go-xla finds. go-xla v0.1.4 panics
// (a nil dereference) when a file named like a plugin fails to load, so the
// panic becomes an error that names the search path to check.
func availablePlugins() (plugins []string, err error) {
	defer func() {
		if r := recover(); r != nil {
			plugins, err = nil, fmt.Errorf("a PJRT plugin file failed to load (%v): check the pjrt_c_api_*_plugin.so files "+
				"in PJRT_PLUGIN_LIBRARY_PATH=%q and ~/.local/lib/go-xla, or re-run scripts/install-pjrt.sh", r, os.Getenv("PJRT_PLUGIN_LIBRARY_PATH"))
		}
	}()
	return xla.GetAvailablePlugins(), nil
}

func sortedList() []string {
	l := backends.List()
	slices.Sort(l)
	return l
}

func displayName(cfg string) string {
	name, conf, _ := strings.Cut(cfg, ":")
	switch name {
	case simplego.BackendName:
		return "SimpleGo"
	case "xla", "stablehlo", "hlo", "shlo":
		if conf == "" {
			return "XLA"
		}
		return "XLA (" + conf + ")"
	}
	return cfg
}

var (
	noticeOnce sync.Once
	// NoticeWriter receives the one-line notice; set it to io.Discard to silence it.
	NoticeWriter io.Writer = os.Stderr
)

// New creates the chosen backend and prints its notice once per process.
// When Choose picked XLA by itself and XLA cannot be created, New uses
// SimpleGo instead and says why in the notice.
func New() (backends.Backend, error) {
	b, _, err := Open()
	return b, err
}

// Open is New that also returns the Choice behind the backend it created,
// which differs from Choose's when XLA failed to start and SimpleGo stood in:
// label results with Open's Choice, not with Choose's.
func Open() (backends.Backend, Choice, error) {
	c, err := Choose()
	if err != nil {
		return nil, Choice{}, err
	}
	b, err := create(c.Config)
	if err != nil && c.Reason == reasonPluginFound {
		c = simpleGo(fmt.Sprintf("the local PJRT CPU plugin failed to start: %v", err))
		b, err = create(c.Config)
	}
	if err != nil {
		hint := ""
		if strings.HasPrefix(c.Config, "xla") {
			hint = " (to install the XLA CPU plugin run `make setup`, i.e. scripts/install-pjrt.sh)"
		}
		return nil, Choice{}, fmt.Errorf("backend: creating %s: %w; set %s=go to use the pure-Go SimpleGo backend%s", c.Name, err, EnvVar, hint)
	}
	noticeOnce.Do(func() { fmt.Fprintln(NoticeWriter, c.Notice()) })
	return b, c, nil
}

// create builds a backend, turning a panic inside a plugin into an error.
func create(config string) (b backends.Backend, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, fmt.Errorf("%v", r)
		}
	}()
	return backends.NewWithConfig(config)
}
