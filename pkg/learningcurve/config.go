package learningcurve

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"feedforward.dev/feedforward/pkg/mode"
)

// MNIST dimensions the networks must match.
const (
	Features = 784 // 28×28 pixels
	Classes  = 10  // digits
)

// PoolSize is the number of MNIST training images, the pool from which the
// training sets and the validation hold-out are drawn: no training-set size
// can be larger.
const PoolSize = 60000

// EngineVersion is part of the configuration hash: it changes whenever the
// engine computes points differently, so that checkpoints written by an older
// engine are not resumed.
const EngineVersion = 2

// The homework's shapes.
var (
	// Shallow is the (784, 10) network: softmax regression.
	Shallow = []int{784, 10}
	// Deep is the (784, 300, 100, 10) network.
	Deep = []int{784, 300, 100, 10}
)

// HomeworkSizes is the homework's grid of training-set sizes, "250:10000:250".
const HomeworkSizes = "250:10000:250"

// QuickSizes is the coarse grid used in quick mode.
const QuickSizes = "250,500,1000,2000,4000"

// Config describes a sweep. Shapes, Sizes and Repeats say which points to
// compute; the other fields say how each point is computed, and only they
// enter the hash that keys checkpoints ([Config.Hash]), so a sweep can be
// extended with more sizes, shapes or repeats and still reuse its points.
type Config struct {
	// Shapes are the network shapes, each from 784 inputs to 10 classes.
	Shapes [][]int `json:"shapes"`
	// Sizes are the training-set sizes, in the order they are computed.
	Sizes []int `json:"sizes"`
	// Repeats is the number of independent runs per shape and size, each with
	// its own training subset, initial weights and batch order (≥ 1).
	Repeats int `json:"repeats"`

	// Seed fixes everything random: the validation hold-out, the training
	// subsets, the initial weights and the mini-batch order.
	Seed uint64 `json:"seed"`
	// LearningRate is the gradient-descent step size η.
	LearningRate float64 `json:"lr"`
	// BatchSize is the number of images per gradient step; 0 means full batch.
	BatchSize int `json:"batch_size"`
	// Patience is the number of epochs without a better validation accuracy
	// after which training stops.
	Patience int `json:"patience"`
	// MaxEpochs caps the number of epochs per point.
	MaxEpochs int `json:"max_epochs"`
	// ValSize is the size of the fixed validation hold-out drawn from the
	// training pool, disjoint from all training subsets. Used when ValFraction is 0.
	ValSize int `json:"val_size"`
	// ValFraction, when positive, replaces the fixed hold-out: each training set
	// of size n gives round(ValFraction·n) of its images to validation and
	// the network fits the others. It must be below 1.
	ValFraction float64 `json:"val_fraction"`
	// ValidateEvery is the number of training images between two validations:
	// the network is validated after every ⌈ValidateEvery/n⌉-th epoch (and
	// after the last allowed epoch), so that on tiny training sets, whose
	// epochs are only a few gradient steps, validation does not cost more than
	// training. 0 validates after every epoch.
	ValidateEvery int `json:"validate_every"`
}

// DefaultConfig returns the configuration for mode m: in Full mode the
// homework's grid (250 to 10000 in steps of 250) with a cap of 200 epochs, a
// patience of 10 and a validation hold-out of 2000 images; in Quick mode a
// coarse grid up to 4000 images with a cap of 40 epochs, a patience of 5 and a
// hold-out of 500 images, which runs in a few minutes on SimpleGo. Both use
// the two homework shapes, mini-batches of 64 images, a learning rate of 0.1,
// validation at least 1000 training images apart, and seed 1.
func DefaultConfig(m mode.Mode) Config {
	sizes, err := ParseSizes(mode.Pick(m, QuickSizes, HomeworkSizes))
	if err != nil {
		panic(err) // constant grids: a programmer error
	}
	return Config{
		Shapes:        [][]int{slices.Clone(Shallow), slices.Clone(Deep)},
		Sizes:         sizes,
		Repeats:       1,
		Seed:          1,
		LearningRate:  0.1,
		BatchSize:     64,
		Patience:      mode.Pick(m, 5, 10),
		MaxEpochs:     mode.Pick(m, 40, 200),
		ValSize:       mode.Pick(m, 500, 2000),
		ValidateEvery: 1000,
	}
}

// Validate checks c for a training pool of poolSize images (60000 for MNIST;
// 0 skips the checks that need it). The errors name the field and the fix.
func (c Config) Validate(poolSize int) error {
	if len(c.Shapes) == 0 {
		return fmt.Errorf("learningcurve: Config.Shapes is empty; add at least one shape, e.g. %v", Shallow)
	}
	for i, s := range c.Shapes {
		if err := checkShape(s); err != nil {
			return fmt.Errorf("learningcurve: Config.Shapes[%d]: %w", i, err)
		}
		for j := range i {
			if slices.Equal(c.Shapes[j], s) {
				return fmt.Errorf("learningcurve: Config.Shapes lists shape %s twice; list each shape once", FormatShape(s))
			}
		}
	}
	if len(c.Sizes) == 0 {
		return fmt.Errorf("learningcurve: Config.Sizes is empty; give at least one training-set size, e.g. ParseSizes(%q)", HomeworkSizes)
	}
	seen := map[int]bool{}
	for _, n := range c.Sizes {
		if n <= 0 {
			return fmt.Errorf("learningcurve: training-set size %d must be positive", n)
		}
		if seen[n] {
			return fmt.Errorf("learningcurve: training-set size %d is listed twice; list each size once", n)
		}
		seen[n] = true
	}
	if c.Repeats < 1 {
		return fmt.Errorf("learningcurve: Config.Repeats is %d; use at least 1", c.Repeats)
	}
	if !(c.LearningRate > 0) || math.IsInf(c.LearningRate, 0) {
		return fmt.Errorf("learningcurve: learning rate %v must be a positive finite number, e.g. 0.1", c.LearningRate)
	}
	if c.BatchSize < 0 {
		return fmt.Errorf("learningcurve: batch size %d must be positive, or 0 for full-batch gradient descent", c.BatchSize)
	}
	if c.Patience < 1 {
		return fmt.Errorf("learningcurve: patience %d must be at least 1 epoch, e.g. 10", c.Patience)
	}
	if c.MaxEpochs < 1 {
		return fmt.Errorf("learningcurve: the epoch cap %d must be at least 1, e.g. 200", c.MaxEpochs)
	}
	if c.ValidateEvery < 0 {
		return fmt.Errorf("learningcurve: validating every %d images: use a positive number of training images between validations (e.g. 1000), or 0 for every epoch", c.ValidateEvery)
	}
	if c.ValFraction < 0 || c.ValFraction >= 1 || math.IsNaN(c.ValFraction) {
		return fmt.Errorf("learningcurve: validation fraction %v must be in [0, 1): 0 uses the fixed hold-out of ValSize images, e.g. 0.2 carves 20%% out of each training set", c.ValFraction)
	}
	smallest := slices.Min(c.Sizes)
	largest := slices.Max(c.Sizes)
	if c.ValFraction > 0 {
		nVal := valCount(smallest, c.ValFraction)
		if nVal < 1 || smallest-nVal < 1 {
			return fmt.Errorf("learningcurve: validation fraction %v leaves %d validation and %d training images at size %d; use a fraction that keeps both non-empty or larger sizes",
				c.ValFraction, nVal, smallest-nVal, smallest)
		}
	} else {
		if c.ValSize < 1 {
			return fmt.Errorf("learningcurve: validation hold-out size %d must be positive (e.g. 2000), or set a validation fraction", c.ValSize)
		}
		if poolSize > 0 && c.ValSize+largest > poolSize {
			return fmt.Errorf("learningcurve: the validation hold-out (%d) plus the largest training set (%d) needs %d images but the pool has %d; lower the largest size to at most %d or the hold-out",
				c.ValSize, largest, c.ValSize+largest, poolSize, poolSize-c.ValSize)
		}
	}
	if poolSize > 0 && largest > poolSize {
		return fmt.Errorf("learningcurve: training-set size %d is more than the %d images in the pool; use at most %d", largest, poolSize, poolSize)
	}
	return nil
}

// valCount is the number of validation images carved out of n at fraction f.
func valCount(n int, f float64) int {
	return int(math.Round(f * float64(n)))
}

// checkShape checks a network shape for MNIST.
func checkShape(s []int) error {
	if len(s) < 2 {
		return fmt.Errorf("shape %v needs at least the input and output sizes, e.g. %s", s, FormatShape(Shallow))
	}
	for _, v := range s {
		if v <= 0 {
			return fmt.Errorf("shape %v: layer size %d must be positive", s, v)
		}
	}
	if s[0] != Features {
		return fmt.Errorf("shape %s must start with %d, the number of MNIST pixels; e.g. %s", FormatShape(s), Features, FormatShape(Deep))
	}
	if s[len(s)-1] != Classes {
		return fmt.Errorf("shape %s must end with %d, the number of digit classes; e.g. %s", FormatShape(s), Classes, FormatShape(Deep))
	}
	return nil
}

// Hash returns a short hexadecimal digest of the fields that decide how a
// point is computed — Seed, LearningRate, BatchSize, Patience, MaxEpochs,
// ValSize, ValFraction, ValidateEvery — and of EngineVersion. Shapes, Sizes and Repeats are
// left out: they only say which points exist, and each point records its own
// shape, size and repeat.
func (c Config) Hash() string {
	data, err := json.Marshal(c.hashKey(EngineVersion))
	if err != nil {
		panic(err) // plain numbers always marshal
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:6])
}

// hashKey holds what Hash digests: the settings that decide how a point is
// computed, and the engine version.
type hashKey struct {
	Version     int     `json:"version"`
	Seed        uint64  `json:"seed"`
	LR          float64 `json:"lr"`
	Batch       int     `json:"batch_size"`
	Patience    int     `json:"patience"`
	MaxEpochs   int     `json:"max_epochs"`
	ValSize     int     `json:"val_size"`
	ValFraction float64 `json:"val_fraction"`
	Every       int     `json:"validate_every"`
}

func (c Config) hashKey(version int) hashKey {
	k := hashKey{version, c.Seed, c.LearningRate, c.BatchSize, c.Patience, c.MaxEpochs, c.ValSize, c.ValFraction, c.ValidateEvery}
	if c.ValFraction > 0 {
		k.ValSize = 0 // unused
	}
	return k
}

// Difference is a setting in which two configurations differ.
type Difference struct {
	// Setting is the JSON name of the setting, such as "lr" or "batch_size".
	Setting string
	// Value and Other are the setting's values in the two configurations.
	Value, Other string
}

// Differences returns the settings that enter Hash in which c and other
// differ, in the order of Config's fields: why their hashes differ, and so
// why a checkpoint of one cannot be resumed by the other. otherVersion is the
// engine version other was computed with; it is listed, as setting
// "engine_version", when it is not EngineVersion.
func (c Config) Differences(other Config, otherVersion int) []Difference {
	a, b := reflect.ValueOf(c.hashKey(EngineVersion)), reflect.ValueOf(other.hashKey(otherVersion))
	var diffs []Difference
	for i := 1; i < a.NumField(); i++ { // field 0 is the version, listed last
		if av, bv := fmt.Sprint(a.Field(i).Interface()), fmt.Sprint(b.Field(i).Interface()); av != bv {
			diffs = append(diffs, Difference{Setting: a.Type().Field(i).Tag.Get("json"), Value: av, Other: bv})
		}
	}
	if otherVersion != EngineVersion {
		diffs = append(diffs, Difference{Setting: "engine_version", Value: fmt.Sprint(EngineVersion), Other: fmt.Sprint(otherVersion)})
	}
	return diffs
}

// CommandLine returns the hw1-learning-curves command that runs c, writing
// into out, e.g.
//
//	go run ./cmd/hw1-learning-curves -shape 784,10 -shape 784,300,100,10 -sizes 250:10000:250 ...
func (c Config) CommandLine(out string) string {
	var b strings.Builder
	b.WriteString("go run ./cmd/hw1-learning-curves")
	for _, s := range c.Shapes {
		b.WriteString(" -shape " + FormatShape(s))
	}
	b.WriteString(" -sizes " + FormatSizes(c.Sizes))
	fmt.Fprintf(&b, " -lr %g -batch %d -patience %d -max-epochs %d", c.LearningRate, c.BatchSize, c.Patience, c.MaxEpochs)
	if c.ValFraction > 0 {
		fmt.Fprintf(&b, " -val-fraction %g", c.ValFraction)
	} else {
		fmt.Fprintf(&b, " -val-size %d", c.ValSize)
	}
	fmt.Fprintf(&b, " -validate-every %d", c.ValidateEvery)
	if c.Repeats != 1 {
		fmt.Fprintf(&b, " -repeats %d", c.Repeats)
	}
	fmt.Fprintf(&b, " -seed %d -out %s", c.Seed, out)
	return b.String()
}

// ParseSizes parses a grid of training-set sizes: "start:stop:step" (stop
// included when the steps reach it, e.g. "250:10000:250" is 250, 500, …,
// 10000), a comma-separated list such as "250,1000,4000", or a mix of both
// ("250:1000:250,2000,5000"). Sizes must be positive, distinct and at most
// PoolSize.
func ParseSizes(s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("learningcurve: empty list of sizes; use e.g. %q or \"250,1000,4000\"", HomeworkSizes)
	}
	var sizes []int
	seen := map[int]bool{}
	add := func(n int) error {
		if seen[n] {
			return fmt.Errorf("learningcurve: sizes %q list %d twice; list each size once", s, n)
		}
		seen[n] = true
		sizes = append(sizes, n)
		return nil
	}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		fields := strings.Split(part, ":")
		nums := make([]int, len(fields))
		for i, f := range fields {
			v, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				return nil, fmt.Errorf("learningcurve: sizes %q: %q is not a whole number; write start:stop:step such as %q, or a list such as \"250,1000\"", s, f, HomeworkSizes)
			}
			if v <= 0 {
				return nil, fmt.Errorf("learningcurve: sizes %q: %d must be positive", s, v)
			}
			if len(fields) != 3 || i < 2 { // a size, or a range's start or stop
				if v > PoolSize {
					return nil, fmt.Errorf("learningcurve: sizes %q: %d is more than the %d MNIST training images; use sizes up to %d (less the validation hold-out)",
						s, v, PoolSize, PoolSize)
				}
			}
			nums[i] = v
		}
		switch len(nums) {
		case 1:
			if err := add(nums[0]); err != nil {
				return nil, err
			}
		case 3:
			start, stop, step := nums[0], nums[1], nums[2]
			if stop < start {
				return nil, fmt.Errorf("learningcurve: sizes %q: range %s stops (%d) before it starts (%d); write start:stop:step with start ≤ stop", s, part, stop, start)
			}
			// At most PoolSize sizes; the loop stops before n+step would
			// pass stop, so a huge step cannot overflow n.
			for n := start; ; n += step {
				if err := add(n); err != nil {
					return nil, err
				}
				if step > stop-n {
					break
				}
			}
		default:
			return nil, fmt.Errorf("learningcurve: sizes %q: %q is neither a size nor start:stop:step; e.g. %q", s, part, HomeworkSizes)
		}
	}
	return sizes, nil
}

// FormatSizes writes sizes compactly, as start:stop:step when they form an
// arithmetic progression of at least three sizes and as a comma-separated list
// otherwise. ParseSizes(FormatSizes(s)) gives s back.
func FormatSizes(sizes []int) string {
	if len(sizes) >= 3 {
		step := sizes[1] - sizes[0]
		arith := step > 0
		for i := 2; i < len(sizes) && arith; i++ {
			arith = sizes[i]-sizes[i-1] == step
		}
		if arith {
			return fmt.Sprintf("%d:%d:%d", sizes[0], sizes[len(sizes)-1], step)
		}
	}
	parts := make([]string, len(sizes))
	for i, n := range sizes {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ",")
}

// ParseShape parses a shape written as comma-separated layer sizes, such as
// "784,300,100,10", and checks that it goes from 784 inputs to 10 classes.
func ParseShape(s string) ([]int, error) {
	parts := strings.Split(s, ",")
	shape := make([]int, len(parts))
	for i, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil {
			return nil, fmt.Errorf("learningcurve: shape %q: %q is not a whole number; give comma-separated layer sizes such as %s", s, p, FormatShape(Deep))
		}
		shape[i] = v
	}
	if err := checkShape(shape); err != nil {
		return nil, fmt.Errorf("learningcurve: %w", err)
	}
	return shape, nil
}

// FormatShape writes a shape as comma-separated layer sizes, "784,300,100,10":
// the form used in the JSON and CSV files and on the command line.
func FormatShape(shape []int) string {
	parts := make([]string, len(shape))
	for i, v := range shape {
		parts[i] = strconv.Itoa(v)
	}
	return strings.Join(parts, ",")
}

// ShapeTitle writes a shape as the homework does, "(784, 300, 100, 10)".
func ShapeTitle(shape []int) string {
	parts := make([]string, len(shape))
	for i, v := range shape {
		parts[i] = strconv.Itoa(v)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
