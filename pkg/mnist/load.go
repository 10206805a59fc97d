package mnist

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// EnvVar is the environment variable that tells Dir where the MNIST files are:
// the directory that holds the four .gz files (a directory with a mnist/
// subdirectory that holds them is accepted too).
const EnvVar = "FEEDFORWARD_DATA"

// The names of the four MNIST files, as published and as shipped in data/mnist.
const (
	TrainImagesFile = "train-images-idx3-ubyte.gz"
	TrainLabelsFile = "train-labels-idx1-ubyte.gz"
	TestImagesFile  = "t10k-images-idx3-ubyte.gz"
	TestLabelsFile  = "t10k-labels-idx1-ubyte.gz"
)

// files lists the four MNIST files in the order Load reads and reports them.
var files = []string{TrainImagesFile, TrainLabelsFile, TestImagesFile, TestLabelsFile}

// checksums are the SHA-256 sums of the original MNIST files, as published by
// TensorFlow Datasets (url_checksums/mnist.txt) and matching the MD5 sums used by
// torchvision.
var checksums = map[string]string{
	TrainImagesFile: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
	TrainLabelsFile: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
	TestImagesFile:  "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
	TestLabelsFile:  "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}

// restoreHint tells how to repair a damaged shipped file.
const restoreHint = "Restore the shipped copy with `git checkout -- data/mnist` (from the repository root), " +
	"or download the original MNIST file again (data/README.md says how)"

// sourceDir is the directory of this source file when the binary was built from
// a checkout (not with -trimpath); Dir searches upward from it when searching
// from the working directory fails. Tests clear it.
var sourceDir = func() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return ""
	}
	return filepath.Dir(file)
}()

// Dir returns the directory that holds the MNIST files.
//
// When FEEDFORWARD_DATA is set, Dir returns it (or its mnist/ subdirectory, if
// that is where the files are), or an error if the files are in neither. When it
// is unset, Dir looks for data/mnist/train-images-idx3-ubyte.gz in the working
// directory and its parents, so that it works from the repository root, from
// notebooks/ and from any package's test directory; failing that, it searches
// upward from this package's source directory. The result is an absolute path.
func Dir() (string, error) {
	if v := os.Getenv(EnvVar); v != "" {
		abs, err := filepath.Abs(v)
		if err != nil {
			return "", fmt.Errorf("mnist: %s=%q: %w; set it to the directory that holds %s", EnvVar, v, err, TrainImagesFile)
		}
		for _, d := range []string{abs, filepath.Join(abs, "mnist")} {
			if isFile(filepath.Join(d, TrainImagesFile)) {
				return d, nil
			}
		}
		return "", fmt.Errorf("mnist: %s=%q, but neither %s nor %s holds %s: %w; "+
			"set %s to the directory that holds the four MNIST files (%s), or unset it to use the repository's data/mnist",
			EnvVar, v, abs, filepath.Join(abs, "mnist"), TrainImagesFile, fs.ErrNotExist,
			EnvVar, strings.Join(files, ", "))
	}
	cwd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("mnist: cannot read the working directory (%w); set %s to the directory that holds the MNIST files", err, EnvVar)
	}
	looked := []string{cwd}
	if d, ok := findUp(cwd); ok {
		return d, nil
	}
	if sourceDir != "" {
		looked = append(looked, sourceDir)
		if d, ok := findUp(sourceDir); ok {
			return d, nil
		}
	}
	return "", fmt.Errorf("mnist: cannot find the MNIST data: no %s in %s or any of its parents: %w; "+
		"run from inside the feedforward repository (restore the files with `git checkout -- data/mnist` if you deleted them), "+
		"or set %s to the directory that holds the four MNIST files",
		filepath.Join("data", "mnist", TrainImagesFile), strings.Join(looked, " or "), fs.ErrNotExist, EnvVar)
}

// findUp looks for data/mnist/train-images-idx3-ubyte.gz in dir and its parents.
func findUp(dir string) (string, bool) {
	for {
		d := filepath.Join(dir, "data", "mnist")
		if isFile(filepath.Join(d, TrainImagesFile)) {
			return d, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// isFile reports whether path exists and is not a directory.
func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}

// cache holds the decoded contents of shipped files, keyed by file name. Only
// files whose SHA-256 matches checksums are stored, so an entry can never be
// stale: the checksum fixes the content. The *IDX values are never modified.
var cache sync.Map

// Load reads the MNIST training set (60,000 examples) and test set (10,000) from
// dir, or from Dir() when dir is "".
//
// It verifies each file's SHA-256 against the published sums, so a damaged or
// different file is reported (wrapping ErrChecksum), with how to restore it.
// The decoded files are cached for the life of the process, keyed by checksum,
// so later calls only read and hash the files; every call returns new Datasets
// that the caller owns and may modify.
func Load(dir string) (train, test *Dataset, err error) {
	if dir == "" {
		if dir, err = Dir(); err != nil {
			return nil, nil, err
		}
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		if err == nil {
			err = fmt.Errorf("not a directory")
		}
		return nil, nil, fmt.Errorf("mnist: cannot read the data directory %s: %w; pass the directory that holds the four MNIST files (%s), or \"\" to let Dir find data/mnist or use %s",
			dir, err, strings.Join(files, ", "), EnvVar)
	}
	var trainErr, testErr error
	var wg sync.WaitGroup
	wg.Go(func() { train, trainErr = loadShipped(dir, TrainImagesFile, TrainLabelsFile) })
	wg.Go(func() { test, testErr = loadShipped(dir, TestImagesFile, TestLabelsFile) })
	wg.Wait()
	if err := errors.Join(trainErr, testErr); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

// loadShipped reads, verifies and decodes one image file and one label file.
func loadShipped(dir, imagesName, labelsName string) (*Dataset, error) {
	images, errI := shippedIDX(dir, imagesName, parseImages)
	labels, errL := shippedIDX(dir, labelsName, parseLabelsIDX)
	if err := errors.Join(errI, errL); err != nil {
		return nil, err
	}
	return combine(filepath.Join(dir, imagesName), filepath.Join(dir, labelsName), images, labels)
}

// parseLabelsIDX is parseLabels returning an *IDX.
func parseLabelsIDX(r io.Reader) (*IDX, error) {
	l, err := parseLabels(r)
	if err != nil {
		return nil, err
	}
	return &IDX{Dims: []int{len(l)}, Data: l}, nil
}

// shippedIDX reads dir/name, checks its SHA-256 and decodes it with parse (or
// takes it from the cache).
func shippedIDX(dir, name string, parse func(io.Reader) (*IDX, error)) (*IDX, error) {
	path := filepath.Join(dir, name)
	raw, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("mnist: %s: missing (%w); Load looked in %s. %s, or set %s to the directory that holds the four MNIST files",
				path, fs.ErrNotExist, dir, restoreHint, EnvVar)
		}
		return nil, fmt.Errorf("mnist: %s: %w; check the file's permissions. %s", path, err, restoreHint)
	}
	sum := sha256.Sum256(raw)
	got, want := hex.EncodeToString(sum[:]), checksums[name]
	if got == want {
		if m, ok := cache.Load(name); ok {
			return m.(*IDX), nil
		}
	}
	m, perr := parse(bytes.NewReader(raw))
	switch {
	case got != want && perr != nil:
		return nil, fmt.Errorf("mnist: %s: %w, and %w: its SHA-256 is %s, want %s. The file is damaged. %s",
			path, perr, ErrChecksum, got, want, restoreHint)
	case got != want:
		return nil, fmt.Errorf("mnist: %s: %w: its SHA-256 is %s, want %s; the file is corrupt or is not the original MNIST file. %s",
			path, ErrChecksum, got, want, restoreHint)
	case perr != nil:
		// Unreachable with the published files, which parse.
		return nil, fmt.Errorf("mnist: %s: %w. %s", path, perr, restoreHint)
	}
	cache.Store(name, m)
	return m, nil
}

// combine checks that an image file and a label file agree and builds the
// Dataset, converting pixels to float32 in [0, 1] and copying the labels.
func combine(imagesPath, labelsPath string, images, labels *IDX) (*Dataset, error) {
	n, rows, cols := images.Dims[0], images.Dims[1], images.Dims[2]
	if n != len(labels.Data) {
		return nil, fmt.Errorf("mnist: %s holds %d images but %s holds %d labels (%w); pass an image file and the label file of the same set (train-* with train-*, t10k-* with t10k-*)",
			imagesPath, n, labelsPath, len(labels.Data), ErrShape)
	}
	return &Dataset{
		Images: pixelsToFloat(images.Data),
		Labels: bytes.Clone(labels.Data),
		N:      n,
		Rows:   rows,
		Cols:   cols,
	}, nil
}

// scale maps a pixel byte to float32(b)/255, correctly rounded.
var scale = func() (t [256]float32) {
	for i := range t {
		t[i] = float32(i) / 255
	}
	return t
}()

// pixelsToFloat converts pixel bytes to [0, 1].
func pixelsToFloat(p []byte) []float32 {
	out := make([]float32, len(p))
	for i, b := range p {
		out[i] = scale[b]
	}
	return out
}

// ReadFiles reads an image file and a label file in MNIST's IDX format (each
// gzipped or raw) into a Dataset. Unlike Load it does not verify checksums, so
// it also reads other data sets in the same format, such as Fashion-MNIST. Its
// errors name the file and wrap the same sentinel errors as ReadImages and
// ReadLabels (or fs.ErrNotExist).
func ReadFiles(imagesPath, labelsPath string) (*Dataset, error) {
	images, errI := readFile(imagesPath, parseImages, "an MNIST-format image file (IDX, magic 0x00000803)")
	labels, errL := readFile(labelsPath, parseLabelsIDX, "an MNIST-format label file (IDX, magic 0x00000801)")
	if err := errors.Join(errI, errL); err != nil {
		return nil, err
	}
	return combine(imagesPath, labelsPath, images, labels)
}

// readFile opens path and decodes it with parse; kind describes the file
// expected, for error messages.
func readFile(path string, parse func(io.Reader) (*IDX, error), kind string) (*IDX, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("mnist: %s: missing (%w); check the path, which should name %s", path, fs.ErrNotExist, kind)
		}
		return nil, fmt.Errorf("mnist: %s: %w", path, err)
	}
	defer f.Close()
	m, err := parse(f)
	if err != nil {
		hint := "the file is damaged or incomplete: download it again"
		switch {
		case errors.Is(err, ErrBadMagic), errors.Is(err, ErrShape):
			hint = "check that the path names " + kind
		case errors.Is(err, ErrBadLabel):
			hint = "MNIST-format label files hold digits 0 to 9 only"
		}
		return nil, fmt.Errorf("mnist: %s: %w; %s", path, err, hint)
	}
	return m, nil
}
