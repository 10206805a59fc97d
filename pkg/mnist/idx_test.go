package mnist

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"runtime"
	"slices"
	"testing"
)

// idxBytes builds a raw IDX file from a magic number, dimensions and payload.
func idxBytes(magic uint32, dims []uint32, payload []byte) []byte {
	var b bytes.Buffer
	_ = binary.Write(&b, binary.BigEndian, magic)
	for _, d := range dims {
		_ = binary.Write(&b, binary.BigEndian, d)
	}
	b.Write(payload)
	return b.Bytes()
}

// gzipBytes compresses b with gzip at the given level.
func gzipBytes(t testing.TB, b []byte, level int) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := gzip.NewWriterLevel(&out, level)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// seq returns n bytes 0, 1, 2, ... modulo m.
func seq(n, m int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i % m)
	}
	return b
}

// sentinels are the errors every parse failure must wrap.
var sentinels = []error{ErrTruncated, ErrTrailingData, ErrBadMagic, ErrShape, ErrBadLabel, ErrCorrupt}

// classified reports whether err wraps one of the sentinels.
func classified(err error) bool {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// decoder adapts the three decoders to one signature for the tables.
type decoder struct {
	name string
	fn   func(io.Reader) (dims []int, data []byte, err error)
}

var (
	decodeIDX = decoder{"ParseIDX", func(r io.Reader) ([]int, []byte, error) {
		m, err := ParseIDX(r)
		if err != nil {
			return nil, nil, err
		}
		return m.Dims, m.Data, nil
	}}
	decodeImages = decoder{"ReadImages", func(r io.Reader) ([]int, []byte, error) {
		m, err := ReadImages(r)
		if err != nil {
			return nil, nil, err
		}
		return m.Dims, m.Data, nil
	}}
	decodeLabels = decoder{"ReadLabels", func(r io.Reader) ([]int, []byte, error) {
		l, err := ReadLabels(r)
		if err != nil {
			return nil, nil, err
		}
		return []int{len(l)}, l, nil
	}}
)

func TestDecodersRawAndGzip(t *testing.T) {
	images := seq(2*3*4, 256)
	labels := seq(5, 10)
	tests := []struct {
		name     string
		dec      decoder
		data     []byte
		wantErr  error // nil means success
		wantDims []int
	}{
		{"images", decodeImages, idxBytes(magicImages, []uint32{2, 3, 4}, images), nil, []int{2, 3, 4}},
		{"labels", decodeLabels, idxBytes(magicLabels, []uint32{5}, labels), nil, []int{5}},
		{"generic 2-D", decodeIDX, idxBytes(0x0802, []uint32{3, 2}, seq(6, 256)), nil, []int{3, 2}},
		{"zero images", decodeImages, idxBytes(magicImages, []uint32{0, 28, 28}, nil), nil, []int{0, 28, 28}},
		{"empty", decodeIDX, nil, ErrTruncated, nil},
		{"short magic", decodeIDX, []byte{0, 0, 8}, ErrTruncated, nil},
		{"header cut", decodeImages, idxBytes(magicImages, []uint32{2, 3}, nil), ErrTruncated, nil},
		{"payload cut", decodeImages, idxBytes(magicImages, []uint32{2, 3, 4}, images[:23]), ErrTruncated, nil},
		{"labels cut", decodeLabels, idxBytes(magicLabels, []uint32{6}, labels), ErrTruncated, nil},
		{"trailing byte", decodeImages, idxBytes(magicImages, []uint32{2, 3, 4}, append(slices.Clone(images), 7)), ErrTrailingData, nil},
		{"trailing labels", decodeLabels, idxBytes(magicLabels, []uint32{4}, labels), ErrTrailingData, nil},
		{"not IDX", decodeIDX, []byte("hello, world"), ErrBadMagic, nil},
		{"float type", decodeIDX, idxBytes(0x0D01, []uint32{1}, []byte{0, 0, 0, 0}), ErrBadMagic, nil},
		{"zero dims", decodeIDX, idxBytes(0x0800, nil, nil), ErrBadMagic, nil},
		{"labels as images", decodeImages, idxBytes(magicLabels, []uint32{5}, labels), ErrBadMagic, nil},
		{"images as labels", decodeLabels, idxBytes(magicImages, []uint32{2, 3, 4}, images), ErrBadMagic, nil},
		{"2-D as images", decodeImages, idxBytes(0x0802, []uint32{3, 2}, seq(6, 256)), ErrBadMagic, nil},
		{"huge dims", decodeIDX, idxBytes(magicImages, []uint32{1 << 31, 1 << 31, 1 << 31}, nil), ErrShape, nil},
		{"just over limit", decodeIDX, idxBytes(0x0802, []uint32{MaxIDXBytes/2 + 1, 2}, nil), ErrShape, nil},
		{"huge dim times zero", decodeIDX, idxBytes(0x0802, []uint32{0, 1 << 31}, nil), ErrShape, nil},
		{"zero rows", decodeImages, idxBytes(magicImages, []uint32{2, 0, 4}, nil), ErrShape, nil},
		{"zero cols", decodeImages, idxBytes(magicImages, []uint32{2, 4, 0}, nil), ErrShape, nil},
		{"label 10", decodeLabels, idxBytes(magicLabels, []uint32{3}, []byte{1, 10, 2}), ErrBadLabel, nil},
		{"label 255", decodeLabels, idxBytes(magicLabels, []uint32{1}, []byte{255}), ErrBadLabel, nil},
	}
	for _, tc := range tests {
		for _, compressed := range []bool{false, true} {
			name := tc.dec.name + "/" + tc.name + "/raw"
			data := tc.data
			if compressed {
				name = tc.dec.name + "/" + tc.name + "/gzip"
				data = gzipBytes(t, data, gzip.DefaultCompression)
			}
			t.Run(name, func(t *testing.T) {
				dims, got, err := tc.dec.fn(bytes.NewReader(data))
				if tc.wantErr != nil {
					if !errors.Is(err, tc.wantErr) {
						t.Fatalf("error = %v, want one wrapping %q", err, tc.wantErr)
					}
					if len(err.Error()) < len("mnist: ")+len(tc.wantErr.Error())+10 {
						t.Errorf("error %q does not explain itself", err)
					}
					return
				}
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if !slices.Equal(dims, tc.wantDims) {
					t.Errorf("dims = %v, want %v", dims, tc.wantDims)
				}
				// The payload is what follows the header: 4 bytes of magic and 4 per dimension.
				want := tc.data[4+4*len(tc.wantDims):]
				if !bytes.Equal(got, want) {
					t.Errorf("data = %v, want %v", got, want)
				}
			})
		}
	}
}

func TestParseGzipDamage(t *testing.T) {
	valid := gzipBytes(t, idxBytes(magicImages, []uint32{3, 10, 10}, seq(300, 7)), gzip.BestCompression)
	badCRC := slices.Clone(valid)
	badCRC[len(badCRC)-8] ^= 0xFF // the CRC-32 of the trailer
	tests := []struct {
		name    string
		data    []byte
		wantErr error
	}{
		{"stream cut in half", valid[:len(valid)/2], ErrTruncated},
		{"trailer cut", valid[:len(valid)-4], ErrTruncated},
		{"only gzip magic", valid[:2], ErrTruncated},
		{"bad gzip method", append([]byte{0x1f, 0x8b, 0x01}, valid[3:]...), ErrCorrupt},
		{"bad CRC", badCRC, ErrCorrupt},
		{"garbage after stream", append(slices.Clone(valid), "garbage garbage"...), ErrCorrupt},
		{"two members", append(slices.Clone(valid), valid...), ErrTrailingData},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadImages(bytes.NewReader(tc.data))
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error = %v, want one wrapping %q", err, tc.wantErr)
			}
		})
	}
}

// TestParseLargeHeaderSmallData checks that a header claiming far more data than
// present is reported as truncated, without allocating what it claims.
func TestParseLargeHeaderSmallData(t *testing.T) {
	data := idxBytes(magicImages, []uint32{1 << 20, 32, 32}, seq(100, 256)) // claims 1 GiB
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := ParseIDX(bytes.NewReader(data))
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTruncated) {
		t.Fatalf("error = %v, want ErrTruncated", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 8<<20 {
		t.Errorf("parsing a 100-byte payload that claims 1 GiB allocated %d bytes", grew)
	}
}

func FuzzParseIDX(f *testing.F) {
	f.Add(idxBytes(magicImages, []uint32{2, 3, 4}, seq(24, 256)))
	f.Add(idxBytes(magicLabels, []uint32{5}, seq(5, 10)))
	f.Add(idxBytes(magicLabels, []uint32{5}, seq(5, 12)))
	f.Add(idxBytes(0x0802, []uint32{3, 2}, seq(5, 256)))
	f.Add(gzipBytes(f, idxBytes(magicImages, []uint32{1, 2, 2}, seq(4, 256)), gzip.BestSpeed))
	f.Add(gzipBytes(f, idxBytes(magicLabels, []uint32{3}, seq(3, 10)), gzip.BestSpeed))
	f.Add([]byte{0x1f, 0x8b})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, dec := range []decoder{decodeIDX, decodeImages, decodeLabels} {
			dims, got, err := dec.fn(bytes.NewReader(data))
			if err != nil {
				if !classified(err) {
					t.Fatalf("%s: error %v wraps none of the package's sentinel errors", dec.name, err)
				}
				continue
			}
			size := 1
			for _, d := range dims {
				size *= d
			}
			if size != len(got) {
				t.Fatalf("%s: dims %v but %d bytes of data", dec.name, dims, len(got))
			}
			switch dec.name {
			case "ReadImages":
				if len(dims) != 3 || dims[1] < 1 || dims[2] < 1 {
					t.Fatalf("ReadImages accepted dims %v", dims)
				}
			case "ReadLabels":
				for _, l := range got {
					if l >= Classes {
						t.Fatalf("ReadLabels accepted label %d", l)
					}
				}
			}
			// Re-encoding raw must give back the same result.
			u := make([]uint32, len(dims))
			for i, d := range dims {
				u[i] = uint32(d)
			}
			magic := uint32(typeUbyte)<<8 | uint32(len(dims))
			m, err := ParseIDX(bytes.NewReader(idxBytes(magic, u, got)))
			if err != nil || !slices.Equal(m.Dims, dims) || !bytes.Equal(m.Data, got) {
				t.Fatalf("%s: re-encoded data does not round-trip: %v", dec.name, err)
			}
		}
	})
}
