package mnist

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// shippedDir is data/mnist of this checkout, found from the package directory
// (the working directory of tests) before any test changes directory.
var shippedDir, _ = filepath.Abs(filepath.Join("..", "..", "data", "mnist"))

// repoData returns shippedDir, failing the test if the shipped files are missing.
func repoData(t testing.TB) string {
	t.Helper()
	if !isFile(filepath.Join(shippedDir, TrainImagesFile)) {
		t.Fatalf("the shipped MNIST files are missing from %s; restore them with `git checkout -- data/mnist`", shippedDir)
	}
	return shippedDir
}

// copyData makes a directory holding the shipped files, as symbolic links except
// for replace, whose content becomes data.
func copyData(t *testing.T, replace string, data []byte) string {
	t.Helper()
	src, dst := repoData(t), t.TempDir()
	for _, name := range files {
		if name == replace {
			if err := os.WriteFile(filepath.Join(dst, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.Symlink(filepath.Join(src, name), filepath.Join(dst, name)); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// readShipped returns the bytes of a shipped file.
func readShipped(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoData(t), name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// noSourceFallback stops Dir from searching upward from the package source, so
// that tests run outside the repository see what a user outside it would.
func noSourceFallback(t *testing.T) {
	saved := sourceDir
	sourceDir = ""
	t.Cleanup(func() { sourceDir = saved })
}

func TestDirFindsRepositoryData(t *testing.T) {
	t.Setenv(EnvVar, "")
	want := repoData(t)
	root := filepath.Dir(filepath.Dir(want))
	for _, cwd := range []string{root, filepath.Join(root, "pkg", "mnist"), filepath.Join(root, "data")} {
		t.Run(strings.TrimPrefix(cwd, root), func(t *testing.T) {
			noSourceFallback(t)
			t.Chdir(cwd)
			got, err := Dir()
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("Dir() = %q, want %q", got, want)
			}
		})
	}
}

func TestDirWalksUp(t *testing.T) {
	t.Setenv(EnvVar, "")
	noSourceFallback(t)
	root := t.TempDir()
	data := filepath.Join(root, "data", "mnist")
	deep := filepath.Join(root, "notebooks", "a", "b")
	for _, d := range []string{data, deep} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(data, TrainImagesFile), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(deep)
	got, err := Dir()
	if err != nil {
		t.Fatal(err)
	}
	if mustEval(t, got) != mustEval(t, data) {
		t.Errorf("Dir() = %q, want %q", got, data)
	}
}

func mustEval(t *testing.T, p string) string {
	t.Helper()
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestDirEnv(t *testing.T) {
	shipped := repoData(t)
	parent := filepath.Dir(shipped)
	empty := t.TempDir()
	tests := []struct {
		name, env, want string
		wantErr         bool
	}{
		{"files directory", shipped, shipped, false},
		{"parent of mnist/", parent, shipped, false},
		{"empty directory", empty, "", true},
		{"missing directory", filepath.Join(empty, "nope"), "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvVar, tc.env)
			got, err := Dir()
			if tc.wantErr {
				if !errors.Is(err, fs.ErrNotExist) {
					t.Fatalf("error = %v, want one wrapping fs.ErrNotExist", err)
				}
				for _, s := range []string{EnvVar, tc.env, TrainImagesFile} {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not mention %q", err, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("Dir() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDirNotFound(t *testing.T) {
	t.Setenv(EnvVar, "")
	noSourceFallback(t)
	cwd := t.TempDir()
	t.Chdir(cwd)
	_, err := Dir()
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("error = %v, want one wrapping fs.ErrNotExist", err)
	}
	for _, s := range []string{cwd, EnvVar, "git checkout -- data/mnist"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %q", err, s)
		}
	}
	if _, _, err := Load(""); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(\"\") error = %v, want one wrapping fs.ErrNotExist", err)
	}
}

func TestLoadShippedData(t *testing.T) {
	t.Setenv(EnvVar, "")
	train, test, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		d     *Dataset
		n     int
		least int // the rarest digit's count is at least this
	}{
		{"train", train, 60000, 5000},
		{"test", test, 10000, 800},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.d
			if d.N != tc.n || d.Rows != 28 || d.Cols != 28 || d.Features() != 784 {
				t.Fatalf("got N=%d %d×%d, want N=%d 28×28", d.N, d.Rows, d.Cols, tc.n)
			}
			if len(d.Images) != tc.n*784 || len(d.Labels) != tc.n {
				t.Fatalf("len(Images)=%d len(Labels)=%d", len(d.Images), len(d.Labels))
			}
			lo, hi, sum := float32(math.Inf(1)), float32(math.Inf(-1)), 0.0
			for _, p := range d.Images {
				lo, hi = min(lo, p), max(hi, p)
				sum += float64(p)
			}
			if lo != 0 || hi != 1 {
				t.Errorf("pixels span [%v, %v], want [0, 1]", lo, hi)
			}
			// MNIST's well-known mean intensity is 0.1307 (train) and 0.1325 (test).
			if mean := sum / float64(len(d.Images)); mean < 0.12 || mean > 0.14 {
				t.Errorf("mean pixel %.4f, want about 0.13", mean)
			}
			var counts [Classes]int
			for _, l := range d.Labels {
				counts[l]++
			}
			for digit, c := range counts {
				if c < tc.least || c > tc.n*15/100 {
					t.Errorf("digit %d appears %d times in %d examples: not a balanced MNIST set", digit, c, tc.n)
				}
			}
			// The first image of each set is centred ink: its border is blank.
			img := d.Image(0)
			for i := range 28 {
				if img[i] != 0 || img[27*28+i] != 0 || img[i*28] != 0 || img[i*28+27] != 0 {
					t.Fatal("image 0 has ink on its border")
				}
			}
		})
	}
}

// TestLoadMatchesReaders checks Load against ReadFiles and the raw bytes.
func TestLoadMatchesReaders(t *testing.T) {
	dir := repoData(t)
	_, test, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, TestImagesFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	raw, err := ReadImages(f)
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range raw.Data {
		if test.Images[i] != float32(b)/255 {
			t.Fatalf("pixel %d is %v, want %d/255", i, test.Images[i], b)
		}
	}
	viaFiles, err := ReadFiles(filepath.Join(dir, TestImagesFile), filepath.Join(dir, TestLabelsFile))
	if err != nil {
		t.Fatal(err)
	}
	if !equalDatasets(viaFiles, test) {
		t.Error("ReadFiles and Load disagree on the test set")
	}
}

func equalDatasets(a, b *Dataset) bool {
	return a.N == b.N && a.Rows == b.Rows && a.Cols == b.Cols &&
		bytes.Equal(a.Labels, b.Labels) && float32sEqual(a.Images, b.Images)
}

func float32sEqual(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestLoadReturnsCopies checks that changing a loaded Dataset does not leak into
// the cache, and that a cached Load gives the same data as a fresh decode.
func TestLoadReturnsCopies(t *testing.T) {
	dir := repoData(t)
	_, first, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := &Dataset{Images: append([]float32(nil), first.Images...), Labels: bytes.Clone(first.Labels), N: first.N, Rows: first.Rows, Cols: first.Cols}
	for i := range first.Images {
		first.Images[i] = -1
	}
	first.Labels[0] = 200
	_, again, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !equalDatasets(again, want) {
		t.Error("changing a loaded Dataset changed what Load returns next")
	}
	cache.Clear()
	_, fresh, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !equalDatasets(fresh, want) {
		t.Error("a fresh decode differs from the cached one")
	}
}

// TestLoadDamagedShippedFiles corrupts copies of the shipped files and points
// FEEDFORWARD_DATA at them.
func TestLoadDamagedShippedFiles(t *testing.T) {
	labels := readShipped(t, TestLabelsFile)
	raw, err := gzip.NewReader(bytes.NewReader(labels))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(raw)
	if err != nil {
		t.Fatal(err)
	}
	flipped := bytes.Clone(labels)
	flipped[len(flipped)/2] ^= 0x55
	tests := []struct {
		name     string
		file     string
		data     []byte
		wantErrs []error
	}{
		// Same content, compressed differently: it parses, but is not the published file.
		{"recompressed", TestLabelsFile, gzipBytes(t, plain, gzip.BestSpeed), []error{ErrChecksum}},
		{"uncompressed", TestLabelsFile, plain, []error{ErrChecksum}},
		{"byte flipped", TestLabelsFile, flipped, []error{ErrChecksum}},
		{"truncated", TestLabelsFile, labels[:len(labels)/2], []error{ErrChecksum, ErrTruncated}},
		{"empty", TrainImagesFile, nil, []error{ErrChecksum, ErrTruncated}},
		{"swapped", TestLabelsFile, readShipped(t, TrainLabelsFile), []error{ErrChecksum}},
		{"labels as images", TestImagesFile, labels, []error{ErrChecksum, ErrBadMagic}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyData(t, tc.file, tc.data)
			t.Setenv(EnvVar, dir)
			train, test, err := Load("")
			if err == nil {
				t.Fatal("Load succeeded on damaged data")
			}
			if train != nil || test != nil {
				t.Error("Load returned data with an error")
			}
			for _, want := range tc.wantErrs {
				if !errors.Is(err, want) {
					t.Errorf("error %v does not wrap %q", err, want)
				}
			}
			for _, s := range []string{filepath.Join(dir, tc.file), checksums[tc.file], "git checkout -- data/mnist"} {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
			for _, other := range files {
				if other != tc.file && strings.Contains(err.Error(), other) {
					t.Errorf("error %q blames %s, which is intact", err, other)
				}
			}
		})
	}
}

func TestLoadMissingFiles(t *testing.T) {
	t.Run("one file", func(t *testing.T) {
		dir := copyData(t, "", nil)
		if err := os.Remove(filepath.Join(dir, TrainLabelsFile)); err != nil {
			t.Fatal(err)
		}
		_, _, err := Load(dir)
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("error = %v, want one wrapping fs.ErrNotExist", err)
		}
		for _, s := range []string{filepath.Join(dir, TrainLabelsFile), EnvVar, "git checkout -- data/mnist"} {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("error %q does not mention %q", err, s)
			}
		}
	})
	t.Run("all files", func(t *testing.T) {
		dir := t.TempDir()
		_, _, err := Load(dir)
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("error = %v, want one wrapping fs.ErrNotExist", err)
		}
		for _, name := range files {
			if !strings.Contains(err.Error(), name) {
				t.Errorf("error %q does not name %s", err, name)
			}
		}
	})
	t.Run("no directory", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "nope")
		_, _, err := Load(dir)
		if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), dir) {
			t.Fatalf("error = %v, want one wrapping fs.ErrNotExist that names %s", err, dir)
		}
	})
}

// TestReadFilesErrors covers the errors of a pair of files written by the test,
// gzipped and raw.
func TestReadFilesErrors(t *testing.T) {
	images := idxBytes(magicImages, []uint32{3, 2, 2}, seq(12, 256))
	labels := idxBytes(magicLabels, []uint32{3}, []byte{0, 9, 4})
	tests := []struct {
		name           string
		images, labels []byte // nil means the file is missing
		wantErr        error
		blame          string // "images", "labels" or "both"
	}{
		{"valid", images, labels, nil, ""},
		{"missing images", nil, labels, fs.ErrNotExist, "images"},
		{"missing labels", images, nil, fs.ErrNotExist, "labels"},
		{"truncated images", images[:len(images)-1], labels, ErrTruncated, "images"},
		{"truncated header", images[:10], labels, ErrTruncated, "images"},
		{"trailing labels", images, append(bytes.Clone(labels), 1), ErrTrailingData, "labels"},
		{"bad magic", labels, labels, ErrBadMagic, "images"},
		{"swapped", labels, images, ErrBadMagic, "both"},
		{"count mismatch", images, idxBytes(magicLabels, []uint32{2}, []byte{1, 2}), ErrShape, "both"},
		{"dimension mismatch", idxBytes(magicImages, []uint32{3, 0, 2}, nil), labels, ErrShape, "images"},
		{"bad label", images, idxBytes(magicLabels, []uint32{3}, []byte{1, 12, 2}), ErrBadLabel, "labels"},
	}
	for _, tc := range tests {
		for _, compressed := range []string{"raw", "gzip"} {
			t.Run(tc.name+"/"+compressed, func(t *testing.T) {
				dir := t.TempDir()
				ip, lp := filepath.Join(dir, "images.idx"), filepath.Join(dir, "labels.idx")
				for _, f := range []struct {
					path string
					data []byte
				}{{ip, tc.images}, {lp, tc.labels}} {
					if f.data == nil {
						continue
					}
					data := f.data
					if compressed == "gzip" {
						data = gzipBytes(t, data, gzip.DefaultCompression)
					}
					if err := os.WriteFile(f.path, data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				d, err := ReadFiles(ip, lp)
				if tc.wantErr == nil {
					if err != nil {
						t.Fatal(err)
					}
					if d.N != 3 || d.Rows != 2 || d.Cols != 2 || !bytes.Equal(d.Labels, []byte{0, 9, 4}) || d.Images[11] != float32(11)/255 {
						t.Errorf("ReadFiles = %+v", d)
					}
					return
				}
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("error = %v, want one wrapping %q", err, tc.wantErr)
				}
				if tc.blame != "labels" && !strings.Contains(err.Error(), ip) {
					t.Errorf("error %q does not name %s", err, ip)
				}
				if tc.blame != "images" && !strings.Contains(err.Error(), lp) {
					t.Errorf("error %q does not name %s", err, lp)
				}
			})
		}
	}
}

func BenchmarkLoadCached(b *testing.B) {
	dir := repoData(b)
	if _, _, err := Load(dir); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := Load(dir); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadUncached(b *testing.B) {
	dir := repoData(b)
	for b.Loop() {
		cache.Clear()
		if _, _, err := Load(dir); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseTrainImages(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(repoData(b), TrainImagesFile))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(47040016)
	for b.Loop() {
		if _, err := ReadImages(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
