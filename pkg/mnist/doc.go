// Package mnist loads the MNIST handwritten-digit data set that ships with
// Feedforward in data/mnist, and prepares it for training.
//
// Load returns the training set (60,000 examples) and the test set (10,000), each
// a Dataset of 28×28 images with pixels scaled to [0, 1] and labels 0 to 9:
//
//	train, test, err := mnist.Load("") // "" finds data/mnist; see Dir
//	if err != nil {
//		return err
//	}
//	small, err := train.Sample(1000, 42) // a seeded random subset
//	targets, err := mnist.OneHot(small.Labels, mnist.Classes)
//
// Load verifies every file's SHA-256 against the published MNIST sums and
// decodes each file once per process. Its errors say which file is wrong, how,
// and how to fix it; they wrap fs.ErrNotExist or one of the Err* values, for
// errors.Is.
//
// The lower-level ParseIDX, ReadImages and ReadLabels decode IDX data from any
// io.Reader, gzipped or raw; ReadFiles reads any pair of MNIST-format files
// (such as Fashion-MNIST) without checking sums.
//
// MNIST is by Yann LeCun, Corinna Cortes and Christopher J. C. Burges; see
// data/README.md for its provenance and licence.
package mnist
