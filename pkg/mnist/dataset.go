package mnist

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
)

// Classes is the number of MNIST classes: the digits 0 to 9.
const Classes = 10

// Dataset holds N images of Rows×Cols pixels and their labels.
//
// Each Dataset returned by this package owns its slices: changing one (for
// example normalising Images in place) never affects another Dataset, nor a
// later Load.
type Dataset struct {
	// Images holds N*Rows*Cols pixels, image after image, each row-major, scaled
	// from the file's bytes to [0, 1] by dividing by 255 (0 is background).
	Images []float32
	// Labels holds N labels, the digits 0 to 9.
	Labels []uint8
	// N is the number of examples.
	N int
	// Rows and Cols are the height and width of every image (28 for MNIST).
	Rows, Cols int
}

// Features returns the number of pixels per image, Rows*Cols (784 for MNIST):
// the input width of a network that reads flattened images.
func (d *Dataset) Features() int { return d.Rows * d.Cols }

// Image returns the pixels of image i, row-major, as a sub-slice of d.Images:
// writing to it changes d. Its capacity ends with the image, so appending to it
// never overwrites the next image. Image panics if i is not in [0, N), like an
// index expression.
func (d *Dataset) Image(i int) []float32 {
	if i < 0 || i >= d.N {
		panic(fmt.Sprintf("mnist: Image(%d) is out of range: the dataset holds %d images, 0 to %d", i, d.N, d.N-1))
	}
	f := d.Features()
	return d.Images[i*f : (i+1)*f : (i+1)*f]
}

// String describes d in one line, such as "MNIST dataset: 60000 images of
// 28×28 pixels". It keeps fmt.Println(d) from printing millions of pixels.
func (d *Dataset) String() string {
	if d == nil {
		return "MNIST dataset: <nil>"
	}
	return fmt.Sprintf("MNIST dataset: %d images of %d×%d pixels", d.N, d.Rows, d.Cols)
}

// check reports whether d's fields agree with each other.
func (d *Dataset) check(method string) error {
	if d == nil {
		return fmt.Errorf("mnist: %s called on a nil *Dataset; get one from Load", method)
	}
	if d.N < 0 || d.Rows < 0 || d.Cols < 0 {
		return fmt.Errorf("mnist: %s: the dataset has N=%d, Rows=%d, Cols=%d; none may be negative", method, d.N, d.Rows, d.Cols)
	}
	if len(d.Images) != d.N*d.Rows*d.Cols || len(d.Labels) != d.N {
		return fmt.Errorf("mnist: %s: the dataset is inconsistent: len(Images)=%d and len(Labels)=%d, but N=%d and Rows×Cols=%d×%d need %d and %d; "+
			"build datasets with Load, First, Sample or Split, or keep the fields in step", method,
			len(d.Images), len(d.Labels), d.N, d.Rows, d.Cols, d.N*d.Rows*d.Cols, d.N)
	}
	return nil
}

// checkCount checks a requested number of examples against d.N.
func (d *Dataset) checkCount(method string, n int) error {
	if err := d.check(method); err != nil {
		return err
	}
	if n < 0 || n > d.N {
		return fmt.Errorf("mnist: %s(%d): the dataset holds %d examples; ask for 0 to %d", method, n, d.N, d.N)
	}
	return nil
}

// subset copies the examples at the given indices into a new Dataset.
func (d *Dataset) subset(idx []int) *Dataset {
	f := d.Features()
	out := &Dataset{
		Images: make([]float32, len(idx)*f),
		Labels: make([]uint8, len(idx)),
		N:      len(idx),
		Rows:   d.Rows,
		Cols:   d.Cols,
	}
	for k, i := range idx {
		copy(out.Images[k*f:(k+1)*f], d.Images[i*f:(i+1)*f])
		out.Labels[k] = d.Labels[i]
	}
	return out
}

// First returns a copy of the first n examples, in order. It is an error if n is
// not in [0, N].
func (d *Dataset) First(n int) (*Dataset, error) {
	if err := d.checkCount("First", n); err != nil {
		return nil, err
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return d.subset(idx), nil
}

// Sample returns a copy of n examples drawn at random without replacement, in
// the order drawn. The draw depends only on seed and N (not on the Go version
// or platform), and Sample(n, seed) holds exactly the examples, in the same
// order, of the first part of Split(n, seed). It is an error if n is not in
// [0, N].
func (d *Dataset) Sample(n int, seed uint64) (*Dataset, error) {
	if err := d.checkCount("Sample", n); err != nil {
		return nil, err
	}
	return d.subset(permutation(d.N, n, seed)[:n]), nil
}

// Split shuffles the examples with the given seed and returns copies of the
// first n in a and of the other N-n in b. Together, a and b hold every example
// exactly once. The shuffle depends only on seed and N. It is an error if n is
// not in [0, N].
func (d *Dataset) Split(n int, seed uint64) (a, b *Dataset, err error) {
	if err := d.checkCount("Split", n); err != nil {
		return nil, nil, err
	}
	perm := permutation(d.N, d.N, seed)
	return d.subset(perm[:n]), d.subset(perm[n:]), nil
}

// pcgStream is the fixed PCG stream that, with the user's seed, drives
// permutation.
const pcgStream = 0x6d6e6973745ff1

// permutation returns a permutation of 0..n-1 of which the first k entries are
// uniformly random and the rest unspecified (all n when k == n). It runs the
// forward Fisher–Yates shuffle for k steps, drawing from PCG(seed, pcgStream)
// with Lemire's unbiased bounded method, so its result is fixed by (n, k, seed).
func permutation(n, k int, seed uint64) []int {
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	src := rand.NewPCG(seed, pcgStream)
	for i := 0; i < k && i < n-1; i++ {
		j := i + int(boundedUint64(src, uint64(n-i)))
		perm[i], perm[j] = perm[j], perm[i]
	}
	return perm
}

// boundedUint64 returns a uniform integer in [0, bound) from src, bound > 0
// (Lemire, "Fast random integer generation in an interval", 2019).
func boundedUint64(src *rand.PCG, bound uint64) uint64 {
	hi, lo := bits.Mul64(src.Uint64(), bound)
	if lo < bound {
		threshold := -bound % bound
		for lo < threshold {
			hi, lo = bits.Mul64(src.Uint64(), bound)
		}
	}
	return hi
}

// OneHot encodes labels as a len(labels)×classes row-major matrix of zeros with
// a one in column labels[i] of row i: the targets of a softmax cross-entropy
// loss. It is an error if classes < 1 or if a label is not below classes.
func OneHot(labels []uint8, classes int) ([]float32, error) {
	if classes < 1 {
		return nil, fmt.Errorf("mnist: OneHot: classes=%d; it must be at least 1 (MNIST has %d)", classes, Classes)
	}
	out := make([]float32, len(labels)*classes)
	for i, l := range labels {
		if int(l) >= classes {
			return nil, fmt.Errorf("mnist: OneHot: %w: labels[%d]=%d is not below classes=%d; labels must be in [0, %d), so pass a larger classes or fix the label", ErrBadLabel, i, l, classes, classes)
		}
		out[i*classes+int(l)] = 1
	}
	return out, nil
}
