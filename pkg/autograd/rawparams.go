package autograd

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// ReadRawParams reads the parameters of a network of the given shape from
// raw little-endian float32 values, in the order W1, b1, W2, b2, …, with each
// W stored In×Out row-major (the layout of [Layer]). This is the format of the
// initial weights the PyTorch reference writes (q3_init.bin in the
// references' cache), so that a Network can start from exactly the same
// weights as the reference and the two runs can be compared epoch by epoch.
//
// The data must hold exactly the parameters of shape: a short or long input
// is an error that says how many values were expected.
func ReadRawParams(r io.Reader, shape []int) ([]Layer, error) {
	if len(shape) < 2 {
		return nil, fmt.Errorf("autograd: ReadRawParams: shape %v has no layer; give at least inputs and outputs, e.g. 784,10", shape)
	}
	want := 0
	for l := range len(shape) - 1 {
		if shape[l] <= 0 || shape[l+1] <= 0 {
			return nil, fmt.Errorf("autograd: ReadRawParams: shape %v has a non-positive size", shape)
		}
		want += (shape[l] + 1) * shape[l+1]
	}
	br := bufio.NewReader(r)
	read := 0
	next := func(dst []float64) error {
		var buf [4]byte
		for i := range dst {
			if _, err := io.ReadFull(br, buf[:]); err != nil {
				if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
					return fmt.Errorf("autograd: ReadRawParams: the data ends after %d float32 values; shape %v needs %d (%d bytes)", read, shape, want, 4*want)
				}
				return fmt.Errorf("autograd: ReadRawParams: %w", err)
			}
			v := float64(math.Float32frombits(binary.LittleEndian.Uint32(buf[:])))
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("autograd: ReadRawParams: value %d is %v; parameters must be finite", read, v)
			}
			dst[i] = v
			read++
		}
		return nil
	}
	layers := make([]Layer, len(shape)-1)
	for l := range layers {
		in, out := shape[l], shape[l+1]
		layers[l] = Layer{In: in, Out: out, W: make([]float64, in*out), B: make([]float64, out)}
		if err := next(layers[l].W); err != nil {
			return nil, err
		}
		if err := next(layers[l].B); err != nil {
			return nil, err
		}
	}
	if _, err := br.ReadByte(); err == nil {
		return nil, fmt.Errorf("autograd: ReadRawParams: more data after the %d float32 values of shape %v; is the file for another shape?", want, shape)
	}
	return layers, nil
}

// ReadRawParamsFile is [ReadRawParams] on the named file; errors name it.
func ReadRawParamsFile(path string, shape []int) ([]Layer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("autograd: %w", err)
	}
	defer f.Close()
	layers, err := ReadRawParams(f, shape)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return layers, nil
}
