//go:build unix

package denseres

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user + system) used by the process so far.
// Benchmarks report it beside wall time because the shared 2-core machine's
// wall times swing with other load.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
