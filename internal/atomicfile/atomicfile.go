// Package atomicfile writes files so that a reader never sees half of one: the
// data goes to a temporary file in the same directory, is synced, and is then
// renamed over the destination. An interrupted run leaves the old file (or no
// file) in place, never a truncated one, and removes its temporary file.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// WriteFile writes data to path with permission perm, atomically. The
// directory of path must exist. Errors name path.
func WriteFile(path string, data []byte, perm os.FileMode) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing %q: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close() // it may already be closed; the error that matters is err
			_ = os.Remove(tmp.Name())
			err = fmt.Errorf("writing %q: %w", path, err)
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Chmod(perm); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
