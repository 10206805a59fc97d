package progress

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// clock is a manual clock for deterministic tests.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

// newTestBar returns a bar writing inline to a buffer with a manual clock.
func newTestBar(label string, total int) (*Bar, *bytes.Buffer, *clock) {
	var buf bytes.Buffer
	c := &clock{t: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	b := &Bar{label: label, total: total, w: &buf, out: outInline, now: c.now}
	b.init()
	return b, &buf, c
}

// frames splits inline output into the displayed lines (trailing padding
// and the final newline removed).
func frames(s string) []string {
	var out []string
	for _, f := range strings.Split(s, "\r")[1:] {
		out = append(out, strings.TrimRight(f, " \n"))
	}
	return out
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{-5 * time.Second, "0s"},
		{400 * time.Millisecond, "0s"},
		{600 * time.Millisecond, "1s"},
		{12 * time.Second, "12s"},
		{59*time.Second + 600*time.Millisecond, "1m00s"},
		{3*time.Minute + 5*time.Second, "3m05s"},
		{time.Hour - time.Second, "59m59s"},
		{2*time.Hour + 7*time.Minute + 59*time.Second, "2h07m"},
		{30 * time.Hour, "30h00m"},
	}
	for _, tc := range tests {
		if got := FormatDuration(tc.d); got != tc.want {
			t.Errorf("FormatDuration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestETA(t *testing.T) {
	tests := []struct {
		elapsed     time.Duration
		done, total int
		want        time.Duration
		ok          bool
	}{
		{12 * time.Second, 37, 100, 12 * time.Second * 63 / 37, true},
		{10 * time.Second, 1, 2, 10 * time.Second, true},
		{10 * time.Second, 1, 11, 100 * time.Second, true},
		{10 * time.Second, 0, 100, 0, false},   // nothing done: no rate yet
		{10 * time.Second, 100, 100, 0, false}, // finished
		{10 * time.Second, 120, 100, 0, false}, // overshoot
		{10 * time.Second, 5, 0, 0, false},     // unknown total
		{10 * time.Second, 5, -1, 0, false},
		{0, 5, 10, 0, false}, // no time measured yet
	}
	for _, tc := range tests {
		got, ok := ETA(tc.elapsed, tc.done, tc.total)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ETA(%v, %d, %d) = %v, %v; want %v, %v", tc.elapsed, tc.done, tc.total, got, ok, tc.want, tc.ok)
		}
	}
}

func TestLine(t *testing.T) {
	tests := []struct {
		name        string
		label       string
		total, done int
		metrics     string
		elapsed     time.Duration
		final       bool
		want        string
	}{
		{"spec example", "train", 100, 37, "loss=0.31 acc=0.91", 12 * time.Second, false,
			"train: 37/100 (37%) elapsed 12s ETA 20s | loss=0.31 acc=0.91"},
		{"no metrics", "eval", 10, 5, "", 3 * time.Second, false, "eval: 5/10 (50%) elapsed 3s ETA 3s"},
		{"nothing done", "train", 10, 0, "", 0, false, "train: 0/10 (0%) elapsed 0s"},
		{"final has no ETA", "train", 10, 4, "stopped early", 65 * time.Second, true,
			"train: 4/10 (40%) elapsed 1m05s | stopped early"},
		{"complete", "train", 3, 3, "", 2 * time.Second, false, "train: 3/3 (100%) elapsed 2s"},
		{"unknown total", "batches", 0, 42, "loss=1", 5 * time.Second, false, "batches: 42 elapsed 5s | loss=1"},
		{"no label", "", 4, 1, "", time.Second, false, "1/4 (25%) elapsed 1s ETA 3s"},
		{"percent floors", "x", 3, 2, "", 0, false, "x: 2/3 (66%) elapsed 0s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := &Bar{label: tc.label, total: tc.total, done: tc.done, metrics: tc.metrics}
			if got := b.line(tc.elapsed, tc.final); got != tc.want {
				t.Errorf("line = %q\nwant   %q", got, tc.want)
			}
		})
	}
}

func TestThrottle(t *testing.T) {
	b, buf, c := newTestBar("train", 10)
	b.Update(1, "a") // first update: shown
	c.advance(300 * time.Millisecond)
	b.Update(2, "b") // too soon
	c.advance(600 * time.Millisecond)
	b.Update(3, "c") // 0.9 s after the last display: still too soon
	c.advance(100 * time.Millisecond)
	b.Update(4, "d") // 1.0 s: shown
	c.advance(200 * time.Millisecond)
	b.Update(5, "e") // too soon, but...
	b.Done("")       // ...Done always shows the latest state
	got := frames(buf.String())
	want := []string{
		"train: 1/10 (10%) elapsed 0s | a",
		"train: 4/10 (40%) elapsed 1s ETA 2s | d",
		"train: 5/10 (50%) elapsed 1s | e",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("displayed\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.HasSuffix(buf.String(), "\n") || strings.Count(buf.String(), "\n") != 1 {
		t.Errorf("output %q: want exactly one newline, at the end (from Done)", buf.String())
	}
	// Nothing after Done.
	n := buf.Len()
	c.advance(time.Hour)
	b.Update(9, "late")
	b.Done("again")
	if buf.Len() != n {
		t.Errorf("calls after Done wrote %q", buf.String()[n:])
	}
}

func TestETAOnDisplay(t *testing.T) {
	b, buf, c := newTestBar("fit", 100)
	b.Update(0, "")
	for i := 1; i <= 40; i++ {
		c.advance(500 * time.Millisecond) // 2 steps per second
		b.Update(i, "")
	}
	got := frames(buf.String())
	// Displays at 0 s, then each second: after 20 s, 40 done, 60 left → ETA 30s.
	last := got[len(got)-1]
	if want := "fit: 40/100 (40%) elapsed 20s ETA 30s"; last != want {
		t.Errorf("last display %q, want %q", last, want)
	}
	if len(got) != 21 {
		t.Errorf("%d displays over 20 s of updates every 0.5 s, want 21 (throttled to 1/s)", len(got))
	}
}

func TestInlinePadsShorterLines(t *testing.T) {
	b, buf, c := newTestBar("t", 0)
	b.Update(1, "a long metrics string")
	c.advance(2 * time.Second)
	b.Update(2, "")
	out := buf.String()
	parts := strings.Split(out, "\r")
	if len(parts) != 3 || len(parts[2]) != len(parts[1]) {
		t.Errorf("output %q: the shorter second line must be padded to cover the first", out)
	}
}

func TestLinesMode(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := NewWriter(f, "train", 4)
	if b.out != outLines || b.interval != LogInterval {
		t.Fatalf("bar on a regular file: mode %v interval %v, want line mode every %v", b.out, b.interval, LogInterval)
	}
	c := &clock{t: b.start}
	b.now = c.now
	b.Update(1, "")
	c.advance(5 * time.Second)
	b.Update(2, "") // throttled
	c.advance(5 * time.Second)
	b.Update(3, "")
	b.Done("ok")
	data, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	want := "train: 1/4 (25%) elapsed 0s\ntrain: 3/4 (75%) elapsed 10s ETA 3s\ntrain: 3/4 (75%) elapsed 10s | ok\n"
	if string(data) != want {
		t.Errorf("log file:\n%q\nwant\n%q", data, want)
	}
}

func TestNotebookHTML(t *testing.T) {
	oldNB, oldUp, oldSync := isNotebook, updateHTML, syncNotebook
	defer func() { isNotebook, updateHTML, syncNotebook = oldNB, oldUp, oldSync }()
	isNotebook = func() bool { return true }
	type call struct{ id, html string }
	var calls []call
	updateHTML = func(id, html string) { calls = append(calls, call{id, html}) }
	var syncs []int // number of UpdateHTML calls made when each sync happened
	syncNotebook = func() { syncs = append(syncs, len(calls)) }

	b1 := New("<b>train</b>", 10)
	b2 := New("eval", 0)
	if b1.out != outHTML {
		t.Fatalf("in a notebook New chose mode %v, want HTML", b1.out)
	}
	c := &clock{t: b1.start}
	b1.now = c.now
	b1.Update(3, "loss=<0.5 & acc>0.9")
	c.advance(3 * time.Second)
	b1.Done("")
	b2.Update(7, "")
	b2.Done("done")

	if len(calls) != 4 {
		t.Fatalf("%d UpdateHTML calls, want 4", len(calls))
	}
	if len(syncs) != 2 || syncs[0] != 2 || syncs[1] != 4 {
		t.Errorf("syncs after UpdateHTML calls %v, want [2 4]: each Done must sync after its final update", syncs)
	}
	if calls[0].id == "" || calls[0].id != calls[1].id || calls[2].id != calls[3].id || calls[0].id == calls[2].id {
		t.Errorf("display ids %q %q %q %q: want one unique id per bar", calls[0].id, calls[1].id, calls[2].id, calls[3].id)
	}
	h := calls[0].html
	for _, want := range []string{"&lt;b&gt;train&lt;/b&gt;", "loss=&lt;0.5 &amp; acc&gt;0.9", `<progress value="3" max="10"`, "3/10 (30%)"} {
		if !strings.Contains(h, want) {
			t.Errorf("html %q does not contain %q", h, want)
		}
	}
	if strings.Contains(h, "<b>") {
		t.Errorf("html %q contains the unescaped label", h)
	}
	if !strings.Contains(calls[1].html, "elapsed 3s") || strings.Contains(calls[1].html, "ETA") {
		t.Errorf("final html %q: want elapsed 3s and no ETA", calls[1].html)
	}
	if strings.Contains(calls[2].html, "<progress") || !strings.Contains(calls[3].html, "eval: 7 elapsed") {
		t.Errorf("unknown-total html %q / %q: want no <progress> bar and a plain count", calls[2].html, calls[3].html)
	}
}

func TestZeroValueAndNil(t *testing.T) {
	oldNB := isNotebook
	defer func() { isNotebook = oldNB }()
	isNotebook = func() bool { return false }
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	oldStderr := os.Stderr
	os.Stderr = w
	var b Bar
	b.Update(5, "x")
	b.Done("")
	os.Stderr = oldStderr
	w.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); !strings.Contains(got, "5 elapsed 0s | x") {
		t.Errorf("zero-value Bar wrote %q to stderr, want a count-only line", got)
	}

	var nilBar *Bar
	nilBar.Update(1, "")
	nilBar.Done("")
}

func TestNegativeDone(t *testing.T) {
	b, buf, _ := newTestBar("t", 5)
	b.Update(-3, "")
	if got := frames(buf.String()); len(got) != 1 || got[0] != "t: 0/5 (0%) elapsed 0s" {
		t.Errorf("negative done displayed as %q", got)
	}
}

func TestNewWriterNil(t *testing.T) {
	if b := NewWriter(nil, "x", 1); b.w != os.Stderr {
		t.Errorf("NewWriter(nil) writes to %v, want os.Stderr", b.w)
	}
}

func TestConcurrentUpdates(t *testing.T) {
	b, buf, _ := newTestBar("par", 100)
	done := make(chan struct{})
	for g := 0; g < 4; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := 0; i < 25; i++ {
				b.Update(i, "")
			}
		}()
	}
	for g := 0; g < 4; g++ {
		<-done
	}
	b.Done("")
	if got := frames(buf.String()); len(got) != 2 {
		t.Errorf("%d displays with a frozen clock, want 2 (first update and Done): %q", len(got), got)
	}
}
