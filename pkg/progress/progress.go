// Package progress shows a one-line progress bar for long loops such as
// training epochs:
//
//	bar := progress.New("train", epochs)
//	for e := 1; e <= epochs; e++ {
//		loss := trainEpoch()
//		bar.Update(e, fmt.Sprintf("loss=%.3f", loss))
//	}
//	bar.Done("final loss=0.31")
//
// The line reads "train: 37/100 (37%) elapsed 12s ETA 20s | loss=0.31".
// In a GoNB notebook it is an HTML block updated in place in the cell's
// output; elsewhere it is a line on standard error that is rewritten in place
// with a carriage return when standard error is a terminal, and printed as
// successive lines otherwise (so that logs stay readable). Updates are
// throttled to about one per second (one per ten seconds for logs); Done
// always shows the final state.
//
// A Bar is safe for concurrent use. Writing the display is best effort:
// errors writing to the terminal or notebook are ignored, because a progress
// bar must never stop a computation.
package progress

import (
	"fmt"
	"html"
	"io"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/janpfeifer/gonb/gonbui"
)

// Default minimum intervals between two displayed updates.
const (
	Interval    = time.Second      // terminal and notebook
	LogInterval = 10 * time.Second // non-terminal writers such as log files
)

// Hooks replaced by tests.
var (
	isNotebook = func() bool { return gonbui.IsNotebook }
	updateHTML = gonbui.UpdateHTML
	uniqueID   = gonbui.UniqueId
	// syncNotebook waits until GoNB has taken every pending display message:
	// GoNB drops what is still in its pipe when the cell's program exits, so
	// Done syncs, or a cell's final progress line could be lost.
	syncNotebook = gonbui.Sync
)

// output says how a Bar displays itself.
type output int

const (
	outUnset  output = iota // decided on first use
	outHTML                 // GoNB notebook: gonbui.UpdateHTML
	outInline               // writer: "\r"-rewritten line
	outLines                // writer: one line per update
)

// Bar is a progress bar. Create it with [New] or [NewWriter]; the zero value
// is also usable and behaves like New("", 0). A nil *Bar ignores all calls,
// so optional progress reporting needs no checks.
type Bar struct {
	mu sync.Mutex

	label string
	total int // <= 0: unknown

	out      output
	w        io.Writer
	htmlID   string
	now      func() time.Time
	interval time.Duration

	started  bool
	start    time.Time
	last     time.Time // time of the last display
	shown    bool      // anything displayed yet
	done     int
	metrics  string
	finished bool
	prevLen  int // length in runes of the last inline line
}

// New returns a progress bar for total steps (total <= 0 means unknown: no
// percentage or ETA is shown). In a GoNB notebook it displays as an HTML line
// in the cell output; elsewhere on standard error. The clock starts now.
func New(label string, total int) *Bar {
	b := &Bar{label: label, total: total}
	b.init()
	return b
}

// NewWriter returns a progress bar that writes to w. If w is a terminal the
// line is rewritten in place with "\r" and updates are shown at most once per
// [Interval]; if w is a regular file or pipe each update is a separate line,
// at most once per [LogInterval]. Other writers (such as a bytes.Buffer) get
// the in-place form. A nil w means standard error. The clock starts now.
func NewWriter(w io.Writer, label string, total int) *Bar {
	if w == nil {
		w = os.Stderr
	}
	b := &Bar{label: label, total: total, w: w, out: textMode(w)}
	b.init()
	return b
}

// textMode picks inline or line-per-update output for w.
func textMode(w io.Writer) output {
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice == 0 {
			return outLines
		}
	}
	return outInline
}

// init fills in defaults; the caller holds b.mu or owns b exclusively.
func (b *Bar) init() {
	if b.started {
		return
	}
	b.started = true
	if b.now == nil {
		b.now = time.Now
	}
	if b.out == outUnset {
		if isNotebook() {
			b.out = outHTML
		} else {
			b.w = os.Stderr
			b.out = textMode(b.w)
		}
	}
	if b.out == outHTML && b.htmlID == "" {
		b.htmlID = "feedforward_progress_" + uniqueID()
	}
	if b.interval == 0 {
		b.interval = Interval
		if b.out == outLines {
			b.interval = LogInterval
		}
	}
	b.start = b.now()
}

// Update records that done steps are complete, with metrics (for example
// "loss=0.31 acc=0.91"; may be empty) shown after the counts. The display is
// refreshed on the first call and then at most about once per second.
// Negative done counts as 0. Calls after Done are ignored.
func (b *Bar) Update(done int, metrics string) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.init()
	if b.finished {
		return
	}
	b.done = max(done, 0)
	b.metrics = metrics
	now := b.now()
	if b.shown && now.Sub(b.last) < b.interval {
		return
	}
	b.show(now, false)
}

// Done shows the final state — the last count, the total elapsed time and
// summary (or, if summary is empty, the last metrics) — and ends the line.
// Only the first call has an effect.
func (b *Bar) Done(summary string) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.init()
	if b.finished {
		return
	}
	b.finished = true
	if summary != "" {
		b.metrics = summary
	}
	b.show(b.now(), true)
}

// show displays the current state.
func (b *Bar) show(now time.Time, final bool) {
	b.last, b.shown = now, true
	elapsed := now.Sub(b.start)
	switch b.out {
	case outHTML:
		updateHTML(b.htmlID, b.html(elapsed, final))
		if final {
			syncNotebook()
		}
	case outInline:
		line := b.line(elapsed, final)
		n := utf8.RuneCountInString(line)
		pad := ""
		if n < b.prevLen {
			pad = strings.Repeat(" ", b.prevLen-n)
		}
		b.prevLen = n
		end := ""
		if final {
			end = "\n"
		}
		_, _ = io.WriteString(b.w, "\r"+line+pad+end)
	case outLines:
		_, _ = io.WriteString(b.w, b.line(elapsed, final)+"\n")
	}
}

// status returns the counts, times and metrics parts of the line.
func (b *Bar) status(elapsed time.Duration, final bool) (counts, times string) {
	if b.total > 0 {
		counts = fmt.Sprintf("%d/%d (%d%%)", b.done, b.total, int(int64(b.done)*100/int64(b.total)))
	} else {
		counts = fmt.Sprintf("%d", b.done)
	}
	times = "elapsed " + FormatDuration(elapsed)
	if eta, ok := ETA(elapsed, b.done, b.total); ok && !final {
		times += " ETA " + FormatDuration(eta)
	}
	return counts, times
}

// line formats the text form: "label: 37/100 (37%) elapsed 12s ETA 20s | metrics".
func (b *Bar) line(elapsed time.Duration, final bool) string {
	counts, times := b.status(elapsed, final)
	var s strings.Builder
	if b.label != "" {
		s.WriteString(b.label + ": ")
	}
	s.WriteString(counts + " " + times)
	if b.metrics != "" {
		s.WriteString(" | " + b.metrics)
	}
	return s.String()
}

// html formats the notebook form: the same text with a <progress> element.
func (b *Bar) html(elapsed time.Duration, final bool) string {
	counts, times := b.status(elapsed, final)
	var s strings.Builder
	s.WriteString(`<div style="font-family:monospace;white-space:pre">`)
	if b.label != "" {
		s.WriteString(html.EscapeString(b.label) + ": ")
	}
	if b.total > 0 {
		fmt.Fprintf(&s, `<progress value="%d" max="%d" style="width:12em;vertical-align:middle"></progress> `,
			min(b.done, b.total), b.total)
	}
	s.WriteString(html.EscapeString(counts + " " + times))
	if b.metrics != "" {
		s.WriteString(" | " + html.EscapeString(b.metrics))
	}
	s.WriteString("</div>")
	return s.String()
}

// ETA estimates the time left after done of total steps took elapsed,
// assuming a constant rate. ok is false when no estimate is possible:
// unknown total (<= 0), nothing done or no time elapsed yet, or done >= total.
func ETA(elapsed time.Duration, done, total int) (eta time.Duration, ok bool) {
	if total <= 0 || done <= 0 || done >= total || elapsed <= 0 {
		return 0, false
	}
	return time.Duration(float64(elapsed) * float64(total-done) / float64(done)), true
}

// FormatDuration formats d compactly, rounded to the second: "12s", "3m05s",
// "2h07m" (hours drop the seconds). Negative durations format as "0s".
func FormatDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64(d.Round(time.Second) / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	}
	return fmt.Sprintf("%dh%02dm", s/3600, (s%3600)/60)
}
