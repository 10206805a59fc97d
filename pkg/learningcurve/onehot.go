package learningcurve

import (
	"fmt"

	"feedforward.dev/feedforward/pkg/activations"
	"feedforward.dev/feedforward/pkg/mnist"
)

// OneHot returns the verified one-hot targets of labels: the
// len(labels)×classes matrix of mnist.OneHot, checked with VerifyOneHot. A
// label outside [0, classes) is an error.
func OneHot(labels []uint8, classes int) ([]float32, error) {
	t, err := mnist.OneHot(labels, classes)
	if err != nil {
		return nil, err
	}
	if err := VerifyOneHot(t, labels, classes); err != nil {
		return nil, err
	}
	return t, nil
}

// VerifyOneHot checks that t is the one-hot encoding of labels: a
// len(labels)×classes row-major matrix whose row d holds a single 1, in
// column labels[d], and zeros elsewhere — so that the argmax of every row
// (activations.ArgMax) gives its label back. The error names the first bad row.
func VerifyOneHot(t []float32, labels []uint8, classes int) error {
	if classes < 1 {
		return fmt.Errorf("learningcurve: one-hot check: classes=%d must be at least 1", classes)
	}
	if len(t) != len(labels)*classes {
		return fmt.Errorf("learningcurve: one-hot check: %d values for %d labels × %d classes = %d; the encoding must have one row of %d per label",
			len(t), len(labels), classes, len(labels)*classes, classes)
	}
	if len(labels) == 0 {
		return nil
	}
	m, err := activations.NewMatrix(len(labels), classes, t)
	if err != nil {
		return fmt.Errorf("learningcurve: one-hot check: %w", err)
	}
	arg, err := activations.ArgMax(m)
	if err != nil {
		return fmt.Errorf("learningcurve: one-hot check: %w", err)
	}
	for d, label := range labels {
		if arg[d] != int(label) {
			return fmt.Errorf("learningcurve: one-hot check: row %d has its maximum in column %d but its label is %d; the encoding does not match the labels", d, arg[d], label)
		}
		ones, sum := 0, float32(0)
		for _, v := range m.Row(d) {
			sum += v
			if v == 1 {
				ones++
			} else if v != 0 {
				ones = -1
				break
			}
		}
		if ones != 1 || sum != 1 {
			return fmt.Errorf("learningcurve: one-hot check: row %d (label %d) is %v; a one-hot row has a single 1 and %d zeros", d, label, m.Row(d), classes-1)
		}
	}
	return nil
}
