//go:build amd64 && !purego

package gemm

import "unsafe"

// Assembly packing helpers (pack_amd64.s). They read and write exactly the elements
// described; callers check the bounds.

//go:noescape
func copy64(dst, src unsafe.Pointer, ld, rows int)

//go:noescape
func copy48(dst, src unsafe.Pointer, ld, rows int)

//go:noescape
func copy24(dst, src unsafe.Pointer, ld, rows int)

//go:noescape
func interleave32x16(dst, src *float32, ld, k int)

//go:noescape
func interleave32x6(dst, src *float32, ld, k int)

//go:noescape
func interleave64x8(dst, src *float64, ld, k int)

//go:noescape
func interleave64x6(dst, src *float64, ld, k int)

// interleaveTail finishes an interleave from column p: dst[q*r+i] = src[i*ld+q].
func interleaveTail[T Float](dst, src []T, ld, rows, p, k int) {
	for i := range rows {
		row := src[i*ld : i*ld+k]
		for q := p; q < k; q++ {
			dst[q*rows+i] = row[q]
		}
	}
}

// packA6 packs op(A) for kernels with mr = 6: full panels in assembly, the last
// partial panel in Go.
func packA6[T Float](dst, a []T, lda int, trans bool, i0, mc, p0, kc, mr int) {
	var z T
	size := int(unsafe.Sizeof(z))
	for ir := 0; ir < mc; ir += 6 {
		if mc-ir < 6 {
			packA(dst[ir*kc:], a, lda, trans, i0+ir, mc-ir, p0, kc, 6)
			break
		}
		panel := dst[ir*kc : ir*kc+6*kc]
		if trans {
			// Rows p0..p0+kc of the stored k×m A, 6 contiguous elements each.
			src := a[p0*lda+i0+ir : (p0+kc-1)*lda+i0+ir+6]
			if size == 4 {
				copy24(unsafe.Pointer(&panel[0]), unsafe.Pointer(&src[0]), lda*4, kc)
			} else {
				copy48(unsafe.Pointer(&panel[0]), unsafe.Pointer(&src[0]), lda*8, kc)
			}
			continue
		}
		// Rows i0+ir..+6 of the stored m×k A, kc contiguous elements each.
		src := a[(i0+ir)*lda+p0 : (i0+ir+5)*lda+p0+kc]
		var done int
		if size == 4 {
			done = kc &^ 7
			interleave32x6((*float32)(unsafe.Pointer(&panel[0])), (*float32)(unsafe.Pointer(&src[0])), lda, done)
		} else {
			done = kc &^ 3
			interleave64x6((*float64)(unsafe.Pointer(&panel[0])), (*float64)(unsafe.Pointer(&src[0])), lda, done)
		}
		if done < kc {
			interleaveTail(panel, src, lda, 6, done, kc)
		}
	}
}

// packBWide packs op(B) for kernels whose nr spans 64 bytes (16 float32 or 8 float64).
func packBWide[T Float](dst, b []T, ldb int, trans bool, p0, kc, j0, nc, nr int) {
	var z T
	size := int(unsafe.Sizeof(z))
	for jr := 0; jr < nc; jr += nr {
		if nc-jr < nr {
			packB(dst[jr*kc:], b, ldb, trans, p0, kc, j0+jr, nc-jr, nr)
			break
		}
		panel := dst[jr*kc : jr*kc+nr*kc]
		if !trans {
			src := b[p0*ldb+j0+jr : (p0+kc-1)*ldb+j0+jr+nr]
			copy64(unsafe.Pointer(&panel[0]), unsafe.Pointer(&src[0]), ldb*size, kc)
			continue
		}
		src := b[(j0+jr)*ldb+p0 : (j0+jr+nr-1)*ldb+p0+kc]
		var done int
		if size == 4 {
			done = kc &^ 7
			interleave32x16((*float32)(unsafe.Pointer(&panel[0])), (*float32)(unsafe.Pointer(&src[0])), ldb, done)
		} else {
			done = kc &^ 3
			interleave64x8((*float64)(unsafe.Pointer(&panel[0])), (*float64)(unsafe.Pointer(&src[0])), ldb, done)
		}
		if done < kc {
			interleaveTail(panel, src, ldb, nr, done, kc)
		}
	}
}
