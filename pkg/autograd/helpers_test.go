package autograd

import (
	"sync"
	"testing"

	"github.com/gomlx/gomlx/backends"

	"feedforward.dev/feedforward/pkg/backend"
)

var (
	backendOnce sync.Once
	sharedBE    backends.Backend
	backendErr  error
)

// testBackend returns one backend shared by all tests of the package.
func testBackend(t testing.TB) backends.Backend {
	t.Helper()
	backendOnce.Do(func() { sharedBE, backendErr = backend.New() })
	if backendErr != nil {
		t.Fatal(backendErr)
	}
	return sharedBE
}
