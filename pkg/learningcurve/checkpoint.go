package learningcurve

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"feedforward.dev/feedforward/internal/atomicfile"
)

// Checkpoint keeps the finished points of a sweep in a file, so that an
// interrupted sweep resumes without recomputing them. The file is
// DIR/checkpoint-HASH.json, where HASH is Config.Hash(): points computed with
// different settings never mix. After every point the whole file is rewritten
// atomically (a temporary file renamed over it), so it always holds complete
// points, whenever the process is stopped.
//
// A Checkpoint is safe for concurrent use.
type Checkpoint struct {
	mu     sync.Mutex
	path   string
	hash   string
	cfg    Config
	points []Point
	loaded int
}

// checkpointFile is the file's content.
type checkpointFile struct {
	Hash          string  `json:"hash"`
	EngineVersion int     `json:"engine_version"`
	Config        Config  `json:"config"`
	Points        []Point `json:"points"`
}

// CheckpointPath returns the path of the checkpoint of cfg in dir.
func CheckpointPath(dir string, cfg Config) string {
	return filepath.Join(dir, "checkpoint-"+cfg.Hash()+".json")
}

// OpenCheckpoint returns the checkpoint of cfg in dir, which must exist. With
// resume, the points of an existing checkpoint file are loaded (a missing file
// is not an error: there is nothing to resume). Without resume the checkpoint
// starts empty and replaces the file when its first point is added.
func OpenCheckpoint(dir string, cfg Config, resume bool) (*Checkpoint, error) {
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return nil, fmt.Errorf("learningcurve: checkpoint directory %q does not exist; create it first (os.MkdirAll)", dir)
	}
	c := &Checkpoint{path: CheckpointPath(dir, cfg), hash: cfg.Hash(), cfg: cfg}
	if !resume {
		return c, nil
	}
	data, err := os.ReadFile(c.path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, fmt.Errorf("learningcurve: reading checkpoint: %w", err)
	}
	var f checkpointFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("learningcurve: checkpoint %s is not valid JSON (%v); delete it, or run without resuming to start afresh", c.path, err)
	}
	if f.Hash != c.hash || f.EngineVersion != EngineVersion {
		return nil, fmt.Errorf("learningcurve: checkpoint %s holds configuration %s of engine version %d, not %s of version %d; delete it, or run without resuming to start afresh",
			c.path, f.Hash, f.EngineVersion, c.hash, EngineVersion)
	}
	seen := map[key]bool{}
	for i, p := range f.Points {
		if seen[p.key()] {
			return nil, fmt.Errorf("learningcurve: checkpoint %s lists shape %s, size %d, repeat %d twice (point %d); delete it, or run without resuming",
				c.path, p.Shape, p.TrainSize, p.Repeat, i)
		}
		seen[p.key()] = true
	}
	c.points = f.Points
	c.loaded = len(f.Points)
	return c, nil
}

// CheckpointInfo describes a checkpoint file found by FindCheckpoints.
type CheckpointInfo struct {
	// Path is the file's path.
	Path string
	// Hash and EngineVersion identify the configuration the points were
	// computed with; Config is that configuration.
	Hash          string
	EngineVersion int
	Config        Config
	// Points is the number of points in the file.
	Points int
}

// FindCheckpoints lists the checkpoint files in dir (checkpoint-*.json), in
// name order; a missing dir has none. A file that cannot be read or decoded
// is an error that names it.
func FindCheckpoints(dir string) ([]CheckpointInfo, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("learningcurve: listing the checkpoints: %w", err)
	}
	var out []CheckpointInfo
	for _, e := range entries { // sorted by name
		name := e.Name()
		if e.IsDir() || !strings.HasPrefix(name, "checkpoint-") || !strings.HasSuffix(name, ".json") {
			continue
		}
		path := filepath.Join(dir, name)
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("learningcurve: reading checkpoint: %w", err)
		}
		var f checkpointFile
		if err := json.Unmarshal(data, &f); err != nil {
			return nil, fmt.Errorf("learningcurve: checkpoint %s is not valid JSON (%v); delete it, or move it out of %s", path, err, dir)
		}
		out = append(out, CheckpointInfo{Path: path, Hash: f.Hash, EngineVersion: f.EngineVersion, Config: f.Config, Points: len(f.Points)})
	}
	return out, nil
}

// Path returns the checkpoint file's path.
func (c *Checkpoint) Path() string { return c.path }

// Hash returns the hash of the configuration the checkpoint belongs to.
func (c *Checkpoint) Hash() string { return c.hash }

// Loaded returns the number of points read from the file when it was opened.
func (c *Checkpoint) Loaded() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.loaded
}

// Points returns a copy of the checkpoint's points.
func (c *Checkpoint) Points() []Point {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.points)
}

// Add records p (replacing a point of the same shape, size and repeat) and
// rewrites the file atomically.
func (c *Checkpoint) Add(p Point) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	points := slices.DeleteFunc(slices.Clone(c.points), func(q Point) bool { return q.key() == p.key() })
	points = append(points, p)
	f := checkpointFile{Hash: c.hash, EngineVersion: EngineVersion, Config: c.cfg, Points: points}
	data, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("learningcurve: encoding checkpoint: %w", err)
	}
	if err := atomicfile.WriteFile(c.path, append(data, '\n'), filePermission); err != nil {
		return fmt.Errorf("learningcurve: checkpoint: %w", err)
	}
	c.points = points
	return nil
}
