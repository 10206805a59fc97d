package autograd

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"
	"testing"
)

func rawFloats(vs ...float32) []byte {
	var b bytes.Buffer
	for _, v := range vs {
		_ = binary.Write(&b, binary.LittleEndian, v)
	}
	return b.Bytes()
}

func TestReadRawParams(t *testing.T) {
	// Shape 2,3,1: W1 2×3, b1 3, W2 3×1, b2 1 = 13 values.
	vals := make([]float32, 13)
	for i := range vals {
		vals[i] = float32(i) + 0.5
	}
	layers, err := ReadRawParams(bytes.NewReader(rawFloats(vals...)), []int{2, 3, 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != 2 || layers[0].In != 2 || layers[0].Out != 3 || layers[1].In != 3 || layers[1].Out != 1 {
		t.Fatalf("layers %+v, want 2→3 and 3→1", layers)
	}
	// W1 row-major: W1[1*3+2] connects input 1 to unit 2 and is the 6th value.
	if layers[0].W[5] != 5.5 || layers[0].B[0] != 6.5 || layers[1].W[2] != 11.5 || layers[1].B[0] != 12.5 {
		t.Errorf("values out of order: %+v", layers)
	}

	for _, tc := range []struct {
		name  string
		data  []byte
		shape []int
		want  string
	}{
		{"short", rawFloats(vals[:12]...), []int{2, 3, 1}, "ends after 12"},
		{"half a value", rawFloats(vals...)[:51], []int{2, 3, 1}, "ends after 12"},
		{"long", rawFloats(append(vals, 1)...), []int{2, 3, 1}, "more data"},
		{"NaN", rawFloats(append(vals[:12:12], float32(math.NaN()))...), []int{2, 3, 1}, "finite"},
		{"no layer", rawFloats(vals...), []int{13}, "no layer"},
		{"zero size", nil, []int{2, 0, 1}, "non-positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadRawParams(bytes.NewReader(tc.data), tc.shape)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

// TestRawParamsRoundTrip loads raw parameters into a network and reads them back.
func TestRawParamsRoundTrip(t *testing.T) {
	shape := []int{4, 3, 2}
	n := (4+1)*3 + (3+1)*2
	vals := make([]float32, n)
	for i := range vals {
		vals[i] = float32(i)/16 - 0.5
	}
	layers, err := ReadRawParams(bytes.NewReader(rawFloats(vals...)), shape)
	if err != nil {
		t.Fatal(err)
	}
	net, err := New(shape, &Options{Backend: testBackend(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	if err := net.SetParams(layers); err != nil {
		t.Fatal(err)
	}
	got, err := net.Params()
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	for _, ly := range got {
		for _, v := range append(append([]float64{}, ly.W...), ly.B...) {
			if float32(v) != vals[i] {
				t.Fatalf("parameter %d = %v, want %v", i, v, vals[i])
			}
			i++
		}
	}
}
