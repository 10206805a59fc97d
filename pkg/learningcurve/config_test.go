package learningcurve

import (
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"feedforward.dev/feedforward/pkg/mode"
)

func TestParseSizes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []int
		err  string // substring of the error; "" means success
	}{
		{in: "250:1000:250", want: []int{250, 500, 750, 1000}},
		{in: "250:900:250", want: []int{250, 500, 750}},
		{in: "1000", want: []int{1000}},
		{in: "250, 1000 ,4000", want: []int{250, 1000, 4000}},
		{in: "100:300:100,1000,2000:4000:2000", want: []int{100, 200, 300, 1000, 2000, 4000}},
		{in: "5:5:1", want: []int{5}},
		{in: "", err: "empty"},
		{in: "abc", err: "not a whole number"},
		{in: "250:1000", err: "start:stop:step"},
		{in: "250:1000:0", err: "positive"},
		{in: "0,250", err: "positive"},
		{in: "-250", err: "positive"},
		{in: "1000:250:250", err: "stops"},
		{in: "250,250", err: "twice"},
		{in: "250:1000:250,500", err: "twice"},
		{in: "1:10000000:1", err: "more than the 60000"},
		{in: "60000", want: []int{60000}},
		{in: "59999:60000:1", want: []int{59999, 60000}},
		{in: "60001", err: "more than the 60000"},
		{in: "1:60001:1", err: "more than the 60000"},
		{in: "9223372036854775807:9223372036854775807:1", err: "more than the 60000"},
		{in: "100:200:9223372036854775807", want: []int{100}},
		{in: "59000:60000:9223372036854775807", want: []int{59000}},
		{in: "9223372036854775808", err: "not a whole number"},
	} {
		got, err := ParseSizes(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseSizes(%q) = %v, %v; want an error containing %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("ParseSizes(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestDifferences(t *testing.T) {
	base := DefaultConfig(mode.Full)
	more := base
	more.Sizes, more.Shapes, more.Repeats = []int{250}, [][]int{Deep}, 3 // not settings of the hash
	lr := base
	lr.LearningRate = 0.05
	two := base
	two.Seed, two.BatchSize = 2, 32
	frac := base
	frac.ValFraction, frac.ValSize = 0.2, 0
	fracOtherSize := frac
	fracOtherSize.ValSize = 1234 // unused with a fraction
	for _, tc := range []struct {
		name    string
		a, b    Config
		version int
		want    []Difference
	}{
		{"same", base, base, EngineVersion, nil},
		{"only which points", base, more, EngineVersion, nil},
		{"learning rate", base, lr, EngineVersion, []Difference{{"lr", "0.1", "0.05"}}},
		{"two settings in field order", base, two, EngineVersion, []Difference{{"seed", "1", "2"}, {"batch_size", "64", "32"}}},
		{"fraction", base, frac, EngineVersion, []Difference{{"val_size", "2000", "0"}, {"val_fraction", "0", "0.2"}}},
		{"unused hold-out size", frac, fracOtherSize, EngineVersion, nil},
		{"engine version last", base, lr, 1, []Difference{{"lr", "0.1", "0.05"}, {"engine_version", strconv.Itoa(EngineVersion), "1"}}},
	} {
		got := tc.a.Differences(tc.b, tc.version)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: Differences = %v, want %v", tc.name, got, tc.want)
		}
		if same := tc.a.Hash() == tc.b.Hash(); tc.version == EngineVersion && same != (len(got) == 0) {
			t.Errorf("%s: the hashes are equal: %v, but %d differences", tc.name, same, len(got))
		}
	}
}

func TestFormatSizesRoundTrip(t *testing.T) {
	for _, sizes := range [][]int{
		{250}, {250, 500}, {250, 500, 750}, {250, 1000, 4000}, {100, 200, 300, 500}, {3, 2, 1},
	} {
		s := FormatSizes(sizes)
		back, err := ParseSizes(s)
		if err != nil || !slices.Equal(back, sizes) {
			t.Errorf("ParseSizes(FormatSizes(%v) = %q) = %v, %v", sizes, s, back, err)
		}
	}
	if got := FormatSizes([]int{250, 500, 750, 1000}); got != "250:1000:250" {
		t.Errorf("FormatSizes of an arithmetic grid = %q, want 250:1000:250", got)
	}
	homework, err := ParseSizes(HomeworkSizes)
	if err != nil || len(homework) != 40 || homework[0] != 250 || homework[39] != 10000 {
		t.Errorf("the homework grid %q gives %d sizes from %v to %v (err %v); want 40 from 250 to 10000",
			HomeworkSizes, len(homework), homework[0], homework[len(homework)-1], err)
	}
}

func TestParseShape(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []int
		err  string
	}{
		{in: "784,10", want: []int{784, 10}},
		{in: "784, 300, 100, 10", want: []int{784, 300, 100, 10}},
		{in: "784", err: "at least"},
		{in: "100,10", err: "start with 784"},
		{in: "784,300,9", err: "end with 10"},
		{in: "784,x,10", err: "not a whole number"},
		{in: "784,0,10", err: "positive"},
	} {
		got, err := ParseShape(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseShape(%q) = %v, %v; want an error containing %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("ParseShape(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if back := FormatShape(got); back != strings.ReplaceAll(tc.in, " ", "") {
			t.Errorf("FormatShape(%v) = %q", got, back)
		}
	}
	if got := ShapeTitle(Deep); got != "(784, 300, 100, 10)" {
		t.Errorf("ShapeTitle(Deep) = %q", got)
	}
}

func TestDefaultConfig(t *testing.T) {
	full, quick := DefaultConfig(mode.Full), DefaultConfig(mode.Quick)
	for _, c := range []Config{full, quick} {
		if err := c.Validate(60000); err != nil {
			t.Errorf("default config %+v is invalid: %v", c, err)
		}
		if len(c.Shapes) != 2 || !slices.Equal(c.Shapes[0], Shallow) || !slices.Equal(c.Shapes[1], Deep) {
			t.Errorf("default shapes %v, want the homework's %v and %v", c.Shapes, Shallow, Deep)
		}
	}
	if FormatSizes(full.Sizes) != HomeworkSizes {
		t.Errorf("full mode sizes %s, want the homework's %s", FormatSizes(full.Sizes), HomeworkSizes)
	}
	if len(quick.Sizes) >= len(full.Sizes) || quick.MaxEpochs >= full.MaxEpochs {
		t.Errorf("quick mode (%d sizes, cap %d) is not smaller than full mode (%d sizes, cap %d)",
			len(quick.Sizes), quick.MaxEpochs, len(full.Sizes), full.MaxEpochs)
	}
	// DefaultConfig hands out fresh slices.
	full.Shapes[0][1] = 11
	if DefaultConfig(mode.Full).Shapes[0][1] != 10 || Shallow[1] != 10 {
		t.Error("changing a default config's shape changed the package defaults")
	}
}

func TestValidate(t *testing.T) {
	base := DefaultConfig(mode.Full)
	for _, tc := range []struct {
		name   string
		change func(*Config)
		err    string
	}{
		{"no shapes", func(c *Config) { c.Shapes = nil }, "Shapes is empty"},
		{"bad shape", func(c *Config) { c.Shapes = [][]int{{784, 11}} }, "end with 10"},
		{"duplicate shape", func(c *Config) { c.Shapes = [][]int{Deep, Deep} }, "twice"},
		{"no sizes", func(c *Config) { c.Sizes = nil }, "Sizes is empty"},
		{"zero size", func(c *Config) { c.Sizes = []int{0, 100} }, "positive"},
		{"duplicate size", func(c *Config) { c.Sizes = []int{100, 100} }, "twice"},
		{"zero repeats", func(c *Config) { c.Repeats = 0 }, "Repeats"},
		{"zero lr", func(c *Config) { c.LearningRate = 0 }, "learning rate"},
		{"negative batch", func(c *Config) { c.BatchSize = -1 }, "batch size"},
		{"zero patience", func(c *Config) { c.Patience = 0 }, "patience"},
		{"zero cap", func(c *Config) { c.MaxEpochs = 0 }, "epoch cap"},
		{"zero hold-out", func(c *Config) { c.ValSize = 0 }, "hold-out"},
		{"negative validation frequency", func(c *Config) { c.ValidateEvery = -1 }, "between validations"},
		{"fraction one", func(c *Config) { c.ValFraction = 1 }, "[0, 1)"},
		{"fraction leaves nothing", func(c *Config) { c.ValFraction = 0.001; c.Sizes = []int{100} }, "non-empty"},
		{"too large for the pool", func(c *Config) { c.Sizes = []int{59000} }, "lower the largest size to at most 58000"},
		{"larger than the pool", func(c *Config) { c.ValFraction = 0.2; c.Sizes = []int{70000} }, "more than the 60000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := base
			c.Shapes = slices.Clone(base.Shapes)
			c.Sizes = slices.Clone(base.Sizes)
			tc.change(&c)
			err := c.Validate(60000)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Validate() = %v, want an error containing %q", err, tc.err)
			}
		})
	}
}

func TestHash(t *testing.T) {
	base := DefaultConfig(mode.Full)
	h := base.Hash()
	if len(h) != 12 {
		t.Errorf("Hash() = %q, want 12 hex digits", h)
	}
	// Which points exist does not change the hash...
	same := base
	same.Shapes = [][]int{Deep}
	same.Sizes = []int{250}
	same.Repeats = 3
	if same.Hash() != h {
		t.Error("changing Shapes, Sizes or Repeats changed the hash; they must not (resuming an extended sweep)")
	}
	// ...how they are computed does.
	for name, change := range map[string]func(*Config){
		"seed":                 func(c *Config) { c.Seed++ },
		"lr":                   func(c *Config) { c.LearningRate = 0.05 },
		"batch":                func(c *Config) { c.BatchSize = 128 },
		"patience":             func(c *Config) { c.Patience++ },
		"max epochs":           func(c *Config) { c.MaxEpochs++ },
		"val size":             func(c *Config) { c.ValSize++ },
		"val fraction":         func(c *Config) { c.ValFraction = 0.2 },
		"validation frequency": func(c *Config) { c.ValidateEvery = 0 },
	} {
		c := base
		change(&c)
		if c.Hash() == h {
			t.Errorf("changing %s did not change the hash", name)
		}
	}
}

func TestCommandLine(t *testing.T) {
	c := DefaultConfig(mode.Full)
	got := c.CommandLine("q4")
	for _, want := range []string{"-shape 784,10", "-shape 784,300,100,10", "-sizes 250:10000:250", "-lr 0.1", "-batch 64",
		"-patience 10", "-max-epochs 200", "-val-size 2000", "-validate-every 1000", "-seed 1", "-out q4"} {
		if !strings.Contains(got, want) {
			t.Errorf("CommandLine() = %q lacks %q", got, want)
		}
	}
	c.ValFraction, c.Repeats = 0.2, 3
	got = c.CommandLine("q4")
	if !strings.Contains(got, "-val-fraction 0.2") || strings.Contains(got, "-val-size") || !strings.Contains(got, "-repeats 3") {
		t.Errorf("CommandLine() with a validation fraction and repeats = %q", got)
	}
}
