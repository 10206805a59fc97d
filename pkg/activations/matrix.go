package activations

import (
	"errors"
	"fmt"
)

// Float is the set of element types of the plain-Go functions. It lists the
// exact types, so a Float type parameter also satisfies GoMLX's
// dtypes.Supported and can be passed to tensors.FromFlatDataAndDimensions.
type Float interface {
	float32 | float64
}

// Integer is the set of class-label types: any Go integer type, so that, for
// example, MNIST's []uint8 labels can be passed as they are.
type Integer interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 |
		~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr
}

// Sentinel errors. Every error returned by this package wraps one of them, so
// callers can test the kind of a failure with errors.Is; the message itself
// names the values involved and what to change.
var (
	// ErrEmpty reports an empty batch (no rows) or a row with no classes.
	ErrEmpty = errors.New("empty batch")
	// ErrShape reports inconsistent sizes: a Matrix whose Data does not hold
	// Rows×Cols values, ragged rows, or a label count that differs from the
	// number of rows.
	ErrShape = errors.New("shape mismatch")
	// ErrLabel reports a class label outside [0, C).
	ErrLabel = errors.New("class label out of range")
	// ErrProbability reports a value outside [0, 1] where a probability was expected.
	ErrProbability = errors.New("not a probability")
)

// Matrix is a dense row-major matrix: element (i, j) is Data[i*Cols+j]. In this
// package a row is one example of a mini-batch and a column is one class.
//
// The fields are exported so that a Matrix can wrap existing data without a
// copy; every function checks that len(Data) == Rows*Cols and returns an error
// wrapping ErrShape otherwise.
type Matrix[T Float] struct {
	Rows, Cols int
	Data       []T
}

// NewMatrix returns a rows×cols Matrix backed by data, which is used without
// copying. If data is nil, a zeroed slice is allocated. It returns an error if
// rows or cols is negative or if data is not nil and len(data) != rows*cols.
func NewMatrix[T Float](rows, cols int, data []T) (Matrix[T], error) {
	if rows < 0 || cols < 0 {
		return Matrix[T]{}, fmt.Errorf("activations: NewMatrix(%d, %d): %w: dimensions must be non-negative", rows, cols, ErrShape)
	}
	if data == nil {
		data = make([]T, rows*cols)
	}
	m := Matrix[T]{Rows: rows, Cols: cols, Data: data}
	if err := m.check("NewMatrix"); err != nil {
		return Matrix[T]{}, err
	}
	return m, nil
}

// FromRows returns a Matrix holding a copy of rows, which must all have the
// same length. An empty rows gives a 0×0 Matrix.
func FromRows[T Float](rows [][]T) (Matrix[T], error) {
	if len(rows) == 0 {
		return Matrix[T]{Data: []T{}}, nil
	}
	cols := len(rows[0])
	data := make([]T, 0, len(rows)*cols)
	for i, r := range rows {
		if len(r) != cols {
			return Matrix[T]{}, fmt.Errorf("activations: FromRows: %w: row %d has %d values but row 0 has %d; all rows must have the same length",
				ErrShape, i, len(r), cols)
		}
		data = append(data, r...)
	}
	return Matrix[T]{Rows: len(rows), Cols: cols, Data: data}, nil
}

// Dims returns the number of rows and columns of m.
func (m Matrix[T]) Dims() (rows, cols int) { return m.Rows, m.Cols }

// At returns element (i, j). It panics if i or j is out of range.
func (m Matrix[T]) At(i, j int) T {
	if i < 0 || i >= m.Rows || j < 0 || j >= m.Cols {
		panic(fmt.Sprintf("activations: Matrix.At(%d, %d) out of range for a %d×%d matrix", i, j, m.Rows, m.Cols))
	}
	return m.Data[i*m.Cols+j]
}

// Row returns row i as a slice that shares m's storage. It panics if i is out
// of range.
func (m Matrix[T]) Row(i int) []T {
	if i < 0 || i >= m.Rows {
		panic(fmt.Sprintf("activations: Matrix.Row(%d) out of range for a matrix with %d rows", i, m.Rows))
	}
	return m.Data[i*m.Cols : (i+1)*m.Cols : (i+1)*m.Cols]
}

// check validates m's sizes for the function named fn.
func (m Matrix[T]) check(fn string) error {
	if m.Rows < 0 || m.Cols < 0 {
		return fmt.Errorf("activations: %s: %w: dimensions %d×%d must be non-negative", fn, ErrShape, m.Rows, m.Cols)
	}
	if len(m.Data) != m.Rows*m.Cols {
		return fmt.Errorf("activations: %s: %w: Data has %d values but Rows×Cols = %d×%d = %d; build the matrix with NewMatrix or fix Rows/Cols",
			fn, ErrShape, len(m.Data), m.Rows, m.Cols, m.Rows*m.Cols)
	}
	return nil
}

// checkBatch validates m as a non-empty batch of rows with at least one class.
func (m Matrix[T]) checkBatch(fn string) error {
	if err := m.check(fn); err != nil {
		return err
	}
	if m.Rows == 0 {
		return fmt.Errorf("activations: %s: %w: the matrix has 0 rows; pass at least one example (one row per example)", fn, ErrEmpty)
	}
	if m.Cols == 0 {
		return fmt.Errorf("activations: %s: %w: the matrix has %d rows but 0 columns; pass one column per class", fn, ErrEmpty, m.Rows)
	}
	return nil
}

// CheckLabels returns an error if labels is empty or if any label is outside
// [0, classes). The error names the first offending position and label, and
// wraps ErrEmpty or ErrLabel. Graph functions cannot return errors, so call
// CheckLabels on the data before feeding labels to a graph.
func CheckLabels[L Integer](labels []L, classes int) error {
	return checkLabels("CheckLabels", labels, classes)
}

func checkLabels[L Integer](fn string, labels []L, classes int) error {
	if len(labels) == 0 {
		return fmt.Errorf("activations: %s: %w: no labels; pass one label per example", fn, ErrEmpty)
	}
	if classes <= 0 {
		return fmt.Errorf("activations: %s: %w: %d classes; the number of classes must be at least 1", fn, ErrEmpty, classes)
	}
	for i, l := range labels {
		// A negative value, or an unsigned value too large for int, converts to a negative int.
		if v := int(l); v < 0 || v >= classes || L(v) != l {
			return fmt.Errorf("activations: %s: %w: label %d at index %d is not in [0, %d); labels must be class indices 0…%d for C = %d classes (check the label data and the class count)",
				fn, ErrLabel, l, i, classes, classes-1, classes)
		}
	}
	return nil
}

// checkLabelsFor validates labels against the rows and columns of m.
func checkLabelsFor[T Float, L Integer](fn string, m Matrix[T], labels []L) error {
	if err := m.checkBatch(fn); err != nil {
		return err
	}
	if len(labels) != m.Rows {
		return fmt.Errorf("activations: %s: %w: %d labels for a batch of %d rows; pass exactly one label per row",
			fn, ErrShape, len(labels), m.Rows)
	}
	return checkLabels(fn, labels, m.Cols)
}
