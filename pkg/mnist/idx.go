package mnist

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Errors that Load, ReadFiles, ReadImages, ReadLabels and ParseIDX wrap, so that
// callers can tell problems apart with errors.Is. A missing file wraps
// fs.ErrNotExist instead. Every error's message also names the file (when there
// is one) and says how to fix the problem.
var (
	// ErrTruncated means that the data ends before the size its header declares.
	ErrTruncated = errors.New("truncated")
	// ErrTrailingData means that bytes follow the size its header declares.
	ErrTrailingData = errors.New("unexpected trailing bytes")
	// ErrBadMagic means that the file does not start with the magic number of the
	// expected IDX file: it is not an IDX file, or not of the expected kind.
	ErrBadMagic = errors.New("bad magic number")
	// ErrShape means that dimensions are invalid (zero, or too large), or that an
	// image file and a label file disagree on the number of examples.
	ErrShape = errors.New("bad shape")
	// ErrBadLabel means that a label is not a digit in [0, 9].
	ErrBadLabel = errors.New("bad label")
	// ErrCorrupt means that a gzip stream is damaged (bad header or CRC).
	ErrCorrupt = errors.New("corrupt gzip stream")
	// ErrChecksum means that a shipped MNIST file's SHA-256 differs from the
	// published one.
	ErrChecksum = errors.New("checksum mismatch")
)

// IDX magic numbers. An IDX file starts with two zero bytes, a type byte (0x08
// for unsigned bytes, the only type MNIST uses) and the number of dimensions.
const (
	typeUbyte   = 0x08
	magicImages = 0x00000803 // unsigned bytes, 3 dimensions: count, rows, columns
	magicLabels = 0x00000801 // unsigned bytes, 1 dimension: count
)

// MaxIDXBytes is the largest payload, in bytes, that ParseIDX accepts (1 GiB).
// MNIST's largest file holds 47,040,000 bytes of pixels.
const MaxIDXBytes = 1 << 30

// IDX is a decoded IDX file of unsigned bytes.
type IDX struct {
	// Dims are the dimensions from the header, outermost first; for an MNIST
	// image file they are [count, rows, columns].
	Dims []int
	// Data holds the product of Dims bytes, in row-major order.
	Data []byte
}

// ParseIDX decodes an IDX file of unsigned bytes (element type 0x08) from r,
// which may be gzip-compressed (detected by the gzip magic bytes) or raw.
//
// It checks the magic number, that every dimension fits and that the payload
// holds exactly as many bytes as the dimensions declare: a short payload wraps
// ErrTruncated and extra bytes wrap ErrTrailingData. It never allocates much
// more than the data actually present, whatever the header claims.
func ParseIDX(r io.Reader) (*IDX, error) {
	m, err := parseIDX(r)
	if err != nil {
		return nil, fmt.Errorf("mnist: %w", err)
	}
	return m, nil
}

// ReadImages decodes an MNIST image file (IDX magic 0x00000803, gzipped or raw)
// from r. The result has Dims [count, rows, columns] with rows and columns at
// least 1, and one byte per pixel (0 is background, 255 is ink).
func ReadImages(r io.Reader) (*IDX, error) {
	m, err := parseImages(r)
	if err != nil {
		return nil, fmt.Errorf("mnist: %w", err)
	}
	return m, nil
}

// ReadLabels decodes an MNIST label file (IDX magic 0x00000801, gzipped or raw)
// from r, and checks that every label is a digit below Classes.
func ReadLabels(r io.Reader) ([]uint8, error) {
	l, err := parseLabels(r)
	if err != nil {
		return nil, fmt.Errorf("mnist: %w", err)
	}
	return l, nil
}

// parseImages is ReadImages without the package prefix on errors.
func parseImages(r io.Reader) (*IDX, error) {
	m, err := parseIDXWant(r, magicImages)
	if err != nil {
		return nil, err
	}
	if m.Dims[1] == 0 || m.Dims[2] == 0 {
		return nil, fmt.Errorf("%w: images of %d×%d pixels; both sides must be at least 1", ErrShape, m.Dims[1], m.Dims[2])
	}
	return m, nil
}

// parseLabels is ReadLabels without the package prefix on errors.
func parseLabels(r io.Reader) ([]uint8, error) {
	m, err := parseIDXWant(r, magicLabels)
	if err != nil {
		return nil, err
	}
	for i, l := range m.Data {
		if l >= Classes {
			return nil, fmt.Errorf("%w: label %d is %d; MNIST labels are digits 0 to %d", ErrBadLabel, i, l, Classes-1)
		}
	}
	return m.Data, nil
}

// parseIDXWant parses r and checks that its magic number is want.
func parseIDXWant(r io.Reader, want uint32) (*IDX, error) {
	m, _, err := parseIDXMagic(r, want)
	return m, err
}

// parseIDX decodes any IDX file of unsigned bytes.
func parseIDX(r io.Reader) (*IDX, error) {
	m, _, err := parseIDXMagic(r, 0)
	return m, err
}

// describeMagic explains what a magic number is, for error messages.
func describeMagic(magic uint32) string {
	switch magic {
	case magicImages:
		return "an MNIST image file (0x00000803)"
	case magicLabels:
		return "an MNIST label file (0x00000801)"
	}
	if magic>>16 != 0 {
		return fmt.Sprintf("0x%08X, which is not an IDX magic number (those start with two zero bytes)", magic)
	}
	return fmt.Sprintf("0x%08X (IDX element type 0x%02X, %d dimensions)", magic, (magic>>8)&0xFF, magic&0xFF)
}

// parseIDXMagic decodes an IDX file. When want is not zero, the magic number
// must equal it, and this is checked before anything else is read.
func parseIDXMagic(r io.Reader, want uint32) (*IDX, uint32, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(2)
	if err != nil && len(head) < 2 {
		if len(head) == 0 {
			return nil, 0, fmt.Errorf("%w: the data is empty; an IDX file starts with a 4-byte magic number", ErrTruncated)
		}
		return nil, 0, fmt.Errorf("%w: only %d byte; an IDX file starts with a 4-byte magic number", ErrTruncated, len(head))
	}
	var src io.Reader = br
	gz := head[0] == 0x1f && head[1] == 0x8b
	if gz {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, 0, gzipError(err, "the gzip header")
		}
		defer zr.Close()
		src = zr
	}
	m, magic, err := parseRaw(src, want)
	if err != nil {
		if gz {
			err = gzipError(err, "the gzip stream")
		}
		return nil, magic, err
	}
	return m, magic, nil
}

// gzipError maps errors from compress/gzip to the package's sentinels.
func gzipError(err error, where string) error {
	switch {
	case errors.Is(err, ErrTruncated), errors.Is(err, ErrTrailingData), errors.Is(err, ErrBadMagic),
		errors.Is(err, ErrShape):
		return err
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return fmt.Errorf("%w: %s ends early (%v)", ErrTruncated, where, err)
	case errors.Is(err, gzip.ErrHeader), errors.Is(err, gzip.ErrChecksum):
		return fmt.Errorf("%w: %s: %v", ErrCorrupt, where, err)
	}
	var corrupt flate.CorruptInputError
	if errors.As(err, &corrupt) {
		return fmt.Errorf("%w: %s: %v", ErrCorrupt, where, err)
	}
	return err
}

// parseRaw decodes an uncompressed IDX stream.
func parseRaw(r io.Reader, want uint32) (*IDX, uint32, error) {
	var hdr [4]byte
	if n, err := io.ReadFull(r, hdr[:]); err != nil {
		if n == 0 && errors.Is(err, io.EOF) {
			return nil, 0, fmt.Errorf("%w: the data is empty; an IDX file starts with a 4-byte magic number", ErrTruncated)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, 0, fmt.Errorf("%w: only %d bytes; an IDX file starts with a 4-byte magic number", ErrTruncated, n)
		}
		return nil, 0, err
	}
	magic := binary.BigEndian.Uint32(hdr[:])
	if want != 0 && magic != want {
		return nil, magic, fmt.Errorf("%w: found %s, want %s", ErrBadMagic, describeMagic(magic), describeMagic(want))
	}
	if hdr[0] != 0 || hdr[1] != 0 {
		return nil, magic, fmt.Errorf("%w: found %s", ErrBadMagic, describeMagic(magic))
	}
	if hdr[2] != typeUbyte {
		return nil, magic, fmt.Errorf("%w: element type 0x%02X is not supported; only unsigned bytes (0x08), which MNIST uses", ErrBadMagic, hdr[2])
	}
	ndim := int(hdr[3])
	if ndim == 0 {
		return nil, magic, fmt.Errorf("%w: the magic number 0x%08X declares 0 dimensions", ErrBadMagic, magic)
	}
	dimBytes := make([]byte, 4*ndim)
	if n, err := io.ReadFull(r, dimBytes); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, magic, fmt.Errorf("%w: the header declares %d dimensions (%d bytes) but only %d bytes of them follow", ErrTruncated, ndim, 4*ndim, n)
		}
		return nil, magic, err
	}
	dims := make([]int, ndim)
	size := uint64(1)
	for i := range dims {
		d := uint64(binary.BigEndian.Uint32(dimBytes[4*i:]))
		// Checking each dimension too keeps int(d) exact on 32-bit platforms.
		if d > MaxIDXBytes || (d != 0 && size > MaxIDXBytes/d) {
			return nil, magic, fmt.Errorf("%w: the header's dimensions %s declare more than MaxIDXBytes (%d bytes) of data; the file is damaged or not an IDX file", ErrShape, formatDims(dimBytes), MaxIDXBytes)
		}
		dims[i] = int(d)
		size *= d
	}
	data, err := readExactly(r, int(size))
	if err != nil {
		return nil, magic, err
	}
	return &IDX{Dims: dims, Data: data}, magic, nil
}

// formatDims renders the big-endian dimensions of a header, for error messages.
func formatDims(b []byte) string {
	parts := make([]string, len(b)/4)
	for i := range parts {
		parts[i] = fmt.Sprint(binary.BigEndian.Uint32(b[4*i:]))
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// readExactly reads exactly size bytes from r and checks that r then ends. It
// grows its buffer as data arrives, so a header that lies about the size costs
// no more memory than the data present.
func readExactly(r io.Reader, size int) ([]byte, error) {
	const chunk = 64 << 10
	buf := make([]byte, min(size, chunk))
	n := 0
	for n < size {
		if n == len(buf) {
			grown := make([]byte, min(size, 2*len(buf)))
			copy(grown, buf)
			buf = grown
		}
		m, err := r.Read(buf[n:])
		n += m
		if err == io.EOF {
			break
		}
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				break
			}
			return nil, err
		}
	}
	if n < size {
		return nil, fmt.Errorf("%w: the header declares %d bytes of data but only %d follow", ErrTruncated, size, n)
	}
	extra, err := io.Copy(io.Discard, io.LimitReader(r, MaxIDXBytes))
	if err != nil {
		return nil, err
	}
	if extra > 0 {
		return nil, fmt.Errorf("%w: %d bytes follow the %d bytes of data that the header declares", ErrTrailingData, extra, size)
	}
	return buf, nil
}
