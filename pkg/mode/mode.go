// Package mode reads FEEDFORWARD_MODE, the one knob that switches notebooks and
// CLIs between the homework's full specification and a quick mode for CI and class.
package mode

import (
	"fmt"
	"os"
)

// EnvVar is the environment variable that selects the mode.
const EnvVar = "FEEDFORWARD_MODE"

// Mode is either Quick or Full.
type Mode string

const (
	// Quick shrinks data sizes and epochs so that a notebook runs in minutes on 2 cores.
	Quick Mode = "quick"
	// Full is the homework's exact specification.
	Full Mode = "full"
)

// Get returns the mode from FEEDFORWARD_MODE, or def when it is unset or empty.
// Any other value is an error that names the allowed ones.
func Get(def Mode) (Mode, error) {
	v := os.Getenv(EnvVar)
	switch Mode(v) {
	case "":
		return def, nil
	case Quick, Full:
		return Mode(v), nil
	}
	return def, fmt.Errorf("mode: %s=%q is not a mode; set it to %q or %q", EnvVar, v, Quick, Full)
}

// IsQuick reports whether m is Quick.
func (m Mode) IsQuick() bool { return m == Quick }

// Pick returns quick in Quick mode and full otherwise; it keeps the two settings side by side.
func Pick[T any](m Mode, quick, full T) T {
	if m == Quick {
		return quick
	}
	return full
}
