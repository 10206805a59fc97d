package gemm

// packA copies the mc×kc block of op(A) starting at row i0, column p0 into dst as
// consecutive mr×kc micro-panels. Within a micro-panel the mr values of one column
// are contiguous. Rows past mc are filled with zeros.
func packA[T Float](dst, a []T, lda int, trans bool, i0, mc, p0, kc, mr int) {
	for ir := 0; ir < mc; ir += mr {
		rows := min(mr, mc-ir)
		panel := dst[ir*kc : ir*kc+mr*kc]
		if trans {
			// Stored A is k×m: the mr values of one column of op(A) are contiguous.
			for p := range kc {
				src := a[(p0+p)*lda+i0+ir:]
				d := panel[p*mr : p*mr+mr]
				copy(d, src[:rows])
				clear(d[rows:])
			}
			continue
		}
		if rows == 6 && mr == 6 {
			packRows6(panel, a, lda, i0+ir, p0, kc)
			continue
		}
		for r := range rows {
			src := a[(i0+ir+r)*lda+p0:]
			src = src[:kc]
			for p, v := range src {
				panel[p*mr+r] = v
			}
		}
		if rows < mr {
			for p := range kc {
				clear(panel[p*mr+rows : p*mr+mr])
			}
		}
	}
}

// packRows6 interleaves 6 rows of a row-major matrix (columns p0..p0+kc) into panel.
func packRows6[T Float](panel, a []T, lda, i, p0, kc int) {
	r0 := a[i*lda+p0:][:kc]
	r1 := a[(i+1)*lda+p0:][:kc]
	r2 := a[(i+2)*lda+p0:][:kc]
	r3 := a[(i+3)*lda+p0:][:kc]
	r4 := a[(i+4)*lda+p0:][:kc]
	r5 := a[(i+5)*lda+p0:][:kc]
	panel = panel[:6*kc]
	for p := range kc {
		d := panel[6*p : 6*p+6 : 6*p+6]
		d[0], d[1], d[2], d[3], d[4], d[5] = r0[p], r1[p], r2[p], r3[p], r4[p], r5[p]
	}
}

// packB copies the kc×nc block of op(B) starting at row p0, column j0 into dst as
// consecutive kc×nr micro-panels. Within a micro-panel the nr values of one row are
// contiguous. Columns past nc are filled with zeros.
func packB[T Float](dst, b []T, ldb int, trans bool, p0, kc, j0, nc, nr int) {
	for jr := 0; jr < nc; jr += nr {
		cols := min(nr, nc-jr)
		panel := dst[jr*kc : jr*kc+nr*kc]
		if !trans {
			for p := range kc {
				src := b[(p0+p)*ldb+j0+jr:]
				d := panel[p*nr : p*nr+nr]
				copy(d, src[:cols])
				clear(d[cols:])
			}
			continue
		}
		// Stored B is n×k: a column of op(B) is a contiguous row of B.
		for c := range cols {
			src := b[(j0+jr+c)*ldb+p0:]
			src = src[:kc]
			for p, v := range src {
				panel[p*nr+c] = v
			}
		}
		if cols < nr {
			for p := range kc {
				clear(panel[p*nr+cols : p*nr+nr])
			}
		}
	}
}
