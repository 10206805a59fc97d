package learningcurve

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"feedforward.dev/feedforward/pkg/mode"
)

func TestCheckpointRoundTrip(t *testing.T) {
	dir := t.TempDir()
	cfg := DefaultConfig(mode.Quick)
	c, err := OpenCheckpoint(dir, cfg, true) // nothing to resume yet
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Points()) != 0 || c.Loaded() != 0 {
		t.Fatalf("a new checkpoint has %d points", len(c.Points()))
	}
	if want := filepath.Join(dir, "checkpoint-"+cfg.Hash()+".json"); c.Path() != want {
		t.Errorf("Path() = %q, want %q", c.Path(), want)
	}
	p1, p2 := fakePoint(Shallow, 250, 0, 0.99, 0.8), fakePoint(Deep, 250, 0, 1, 0.81)
	for _, p := range []Point{p1, p2} {
		if err := c.Add(p); err != nil {
			t.Fatal(err)
		}
	}
	// Replacing a point keeps one copy.
	p1b := p1
	p1b.TestAcc = 0.82
	if err := c.Add(p1b); err != nil {
		t.Fatal(err)
	}
	if got := c.Points(); len(got) != 2 {
		t.Fatalf("after replacing a point the checkpoint has %d points, want 2", len(got))
	}

	resumed, err := OpenCheckpoint(dir, cfg, true)
	if err != nil {
		t.Fatal(err)
	}
	if resumed.Loaded() != 2 {
		t.Fatalf("resumed %d points, want 2", resumed.Loaded())
	}
	got := map[key]Point{}
	for _, p := range resumed.Points() {
		got[p.key()] = p
	}
	if !reflect.DeepEqual(got[p1.key()], p1b) || !reflect.DeepEqual(got[p2.key()], p2) {
		t.Errorf("resumed points differ from those added:\n got %+v\nwant %+v and %+v", resumed.Points(), p1b, p2)
	}

	// Without resume, the checkpoint starts empty.
	fresh, err := OpenCheckpoint(dir, cfg, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(fresh.Points()) != 0 {
		t.Errorf("OpenCheckpoint without resume has %d points, want 0", len(fresh.Points()))
	}

	// Another configuration has another file.
	other := cfg
	other.LearningRate = 0.05
	oc, err := OpenCheckpoint(dir, other, true)
	if err != nil {
		t.Fatal(err)
	}
	if oc.Path() == c.Path() || len(oc.Points()) != 0 {
		t.Errorf("a different configuration resumed %d points from %s", len(oc.Points()), oc.Path())
	}

	// No temporary files are left behind.
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestCheckpointErrors(t *testing.T) {
	cfg := DefaultConfig(mode.Quick)
	if _, err := OpenCheckpoint(filepath.Join(t.TempDir(), "missing"), cfg, true); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing directory: %v", err)
	}
	version := strconv.Itoa(EngineVersion)
	for _, tc := range []struct {
		name, content, err string
	}{
		{"damaged", `{"hash": "`, "not valid JSON"},
		{"wrong hash", `{"hash": "000000000000", "engine_version": ` + version + `, "points": []}`, "holds configuration 000000000000"},
		{"old engine", `{"hash": "` + cfg.Hash() + `", "engine_version": 0, "points": []}`, "engine version 0"},
		{"duplicate point", `{"hash": "` + cfg.Hash() + `", "engine_version": ` + version + `, "points": [` +
			`{"shape": "784,10", "train_size": 250, "repeat": 0}, {"shape": "784,10", "train_size": 250, "repeat": 0}]}`, "twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(CheckpointPath(dir, cfg), []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := OpenCheckpoint(dir, cfg, true)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("OpenCheckpoint = %v, want an error containing %q", err, tc.err)
			}
			// Without resume the damaged file is simply replaced later.
			if _, err := OpenCheckpoint(dir, cfg, false); err != nil {
				t.Errorf("OpenCheckpoint without resume: %v", err)
			}
		})
	}
}

func TestFindCheckpoints(t *testing.T) {
	dir := t.TempDir()
	if found, err := FindCheckpoints(filepath.Join(dir, "missing")); err != nil || len(found) != 0 {
		t.Errorf("FindCheckpoints of a missing directory = %v, %v; want none", found, err)
	}
	a := DefaultConfig(mode.Quick)
	b := a
	b.LearningRate = 0.05
	for i, cfg := range []Config{a, b} {
		c, err := OpenCheckpoint(dir, cfg, false)
		if err != nil {
			t.Fatal(err)
		}
		for n := range i + 1 {
			if err := c.Add(fakePoint(Shallow, 250*(n+1), 0, 0.9, 0.8)); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Other files are ignored.
	for _, name := range []string{"learning-curves.json", "checkpoint-notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	found, err := FindCheckpoints(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 2 {
		t.Fatalf("found %d checkpoints, want 2: %+v", len(found), found)
	}
	points := map[string]int{a.Hash(): 1, b.Hash(): 2}
	for _, f := range found {
		if f.Points != points[f.Hash] || f.Path != CheckpointPath(dir, f.Config) || f.EngineVersion != EngineVersion {
			t.Errorf("found %+v; want %d points at %s", f, points[f.Hash], CheckpointPath(dir, f.Config))
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "checkpoint-000000000000.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := FindCheckpoints(dir); err == nil || !strings.Contains(err.Error(), "checkpoint-000000000000.json is not valid JSON") {
		t.Errorf("a damaged checkpoint: %v", err)
	}
}
