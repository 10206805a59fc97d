//go:build amd64 && !purego

#include "textflag.h"

// func copy64(dst, src unsafe.Pointer, ld, rows int)
// Copies rows rows of 64 bytes, ld bytes apart in src, contiguously to dst.
TEXT ·copy64(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ ld+16(FP), R8
	MOVQ rows+24(FP), CX
	TESTQ CX, CX
	JZ   c64done
	LEAQ (R8)(R8*4), R9  // prefetch 20 rows ahead
	SHLQ $2, R9
c64loop:
	PREFETCHT0 (SI)(R9*1)
	PREFETCHT0 63(SI)(R9*1)
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ    R8, SI
	ADDQ    $64, DI
	DECQ    CX
	JNZ     c64loop
c64done:
	VZEROUPPER
	RET

// func copy48(dst, src unsafe.Pointer, ld, rows int)
TEXT ·copy48(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ ld+16(FP), R8
	MOVQ rows+24(FP), CX
	LEAQ (R8)(R8*4), R9  // prefetch 20 rows ahead
	SHLQ $2, R9
	TESTQ CX, CX
	JZ   c48done
c48loop:
	PREFETCHT0 (SI)(R9*1)
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), X1
	VMOVUPS Y0, (DI)
	VMOVUPS X1, 32(DI)
	ADDQ    R8, SI
	ADDQ    $48, DI
	DECQ    CX
	JNZ     c48loop
c48done:
	VZEROUPPER
	RET

// func copy24(dst, src unsafe.Pointer, ld, rows int)
TEXT ·copy24(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ ld+16(FP), R8
	MOVQ rows+24(FP), CX
	LEAQ (R8)(R8*4), R9  // prefetch 20 rows ahead
	SHLQ $2, R9
	TESTQ CX, CX
	JZ   c24done
c24loop:
	PREFETCHT0 (SI)(R9*1)
	VMOVUPS (SI), X0
	MOVQ    16(SI), AX
	VMOVUPS X0, (DI)
	MOVQ    AX, 16(DI)
	ADDQ    R8, SI
	ADDQ    $24, DI
	DECQ    CX
	JNZ     c24loop
c24done:
	RET

// 8x8 float32 transpose of Y0..Y7 (rows) using Y8..Y15; results (columns) in Y8..Y15.
#define TRANSPOSE8x8PS \
	VUNPCKLPS  Y1, Y0, Y8;          \
	VUNPCKHPS  Y1, Y0, Y9;          \
	VUNPCKLPS  Y3, Y2, Y10;         \
	VUNPCKHPS  Y3, Y2, Y11;         \
	VUNPCKLPS  Y5, Y4, Y12;         \
	VUNPCKHPS  Y5, Y4, Y13;         \
	VUNPCKLPS  Y7, Y6, Y14;         \
	VUNPCKHPS  Y7, Y6, Y15;         \
	VSHUFPS    $0x44, Y10, Y8, Y0;  \
	VSHUFPS    $0xEE, Y10, Y8, Y1;  \
	VSHUFPS    $0x44, Y11, Y9, Y2;  \
	VSHUFPS    $0xEE, Y11, Y9, Y3;  \
	VSHUFPS    $0x44, Y14, Y12, Y4; \
	VSHUFPS    $0xEE, Y14, Y12, Y5; \
	VSHUFPS    $0x44, Y15, Y13, Y6; \
	VSHUFPS    $0xEE, Y15, Y13, Y7; \
	VPERM2F128 $0x20, Y4, Y0, Y8;   \
	VPERM2F128 $0x20, Y5, Y1, Y9;   \
	VPERM2F128 $0x20, Y6, Y2, Y10;  \
	VPERM2F128 $0x20, Y7, Y3, Y11;  \
	VPERM2F128 $0x31, Y4, Y0, Y12;  \
	VPERM2F128 $0x31, Y5, Y1, Y13;  \
	VPERM2F128 $0x31, Y6, Y2, Y14;  \
	VPERM2F128 $0x31, Y7, Y3, Y15

// Load 8 consecutive floats from rows base, base+ld, base+2ld, base+3ld (R8 = ld bytes,
// R9 = 3*ld bytes) of two 4-row groups at P and Q into Y0..Y7.
#define LOAD8ROWS(P, Q) \
	VMOVUPS (P), Y0;         \
	VMOVUPS (P)(R8*1), Y1;   \
	VMOVUPS (P)(R8*2), Y2;   \
	VMOVUPS (P)(R9*1), Y3;   \
	VMOVUPS (Q), Y4;         \
	VMOVUPS (Q)(R8*1), Y5;   \
	VMOVUPS (Q)(R8*2), Y6;   \
	VMOVUPS (Q)(R9*1), Y7

#define STORE8COLS(off) \
	VMOVUPS Y8, (off)(DI);      \
	VMOVUPS Y9, (off+64)(DI);   \
	VMOVUPS Y10, (off+128)(DI); \
	VMOVUPS Y11, (off+192)(DI); \
	VMOVUPS Y12, (off+256)(DI); \
	VMOVUPS Y13, (off+320)(DI); \
	VMOVUPS Y14, (off+384)(DI); \
	VMOVUPS Y15, (off+448)(DI)

// func interleave32x16(dst, src *float32, ld, k int)
// dst[p*16+r] = src[r*ld+p] for r < 16, p < k; k must be a multiple of 8.
TEXT ·interleave32x16(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ ld+16(FP), R8
	MOVQ k+24(FP), CX
	SHLQ $2, R8            // ld in bytes
	LEAQ (R8)(R8*2), R9    // 3*ld
	LEAQ (SI)(R8*4), R10   // row 4
	LEAQ (R10)(R8*4), R11  // row 8
	LEAQ (R11)(R8*4), R12  // row 12
	SHRQ $3, CX
	JZ   i3216done
i3216loop:
	LOAD8ROWS(SI, R10)
	TRANSPOSE8x8PS
	STORE8COLS(0)
	LOAD8ROWS(R11, R12)
	TRANSPOSE8x8PS
	STORE8COLS(32)
	ADDQ $32, SI
	ADDQ $32, R10
	ADDQ $32, R11
	ADDQ $32, R12
	ADDQ $512, DI
	DECQ CX
	JNZ  i3216loop
i3216done:
	VZEROUPPER
	RET

// func interleave32x6(dst, src *float32, ld, k int)
// dst[p*6+r] = src[r*ld+p] for r < 6, p < k; k must be a multiple of 8.
TEXT ·interleave32x6(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ ld+16(FP), R8
	MOVQ k+24(FP), CX
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	LEAQ (SI)(R8*4), R10   // row 4
	SHRQ $3, CX
	JZ   i326done
i326loop:
	PREFETCHT0 1024(SI)
	PREFETCHT0 1024(SI)(R8*1)
	PREFETCHT0 1024(SI)(R8*2)
	PREFETCHT0 1024(SI)(R9*1)
	PREFETCHT0 1024(R10)
	PREFETCHT0 1024(R10)(R8*1)
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(R8*1), Y1
	VMOVUPS (SI)(R8*2), Y2
	VMOVUPS (SI)(R9*1), Y3
	VMOVUPS (R10), Y4
	VMOVUPS (R10)(R8*1), Y5
	// In-lane 4x4 transpose of rows 0..3: lane 0 holds k 0..3, lane 1 k 4..7.
	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VSHUFPS   $0x44, Y10, Y8, Y12 // k0 | k4
	VSHUFPS   $0xEE, Y10, Y8, Y13 // k1 | k5
	VSHUFPS   $0x44, Y11, Y9, Y14 // k2 | k6
	VSHUFPS   $0xEE, Y11, Y9, Y15 // k3 | k7
	VUNPCKLPS Y5, Y4, Y6          // rows 4,5: k0 k1 | k4 k5
	VUNPCKHPS Y5, Y4, Y7          // rows 4,5: k2 k3 | k6 k7
	VMOVUPS   X12, 0(DI)
	VMOVLPS   X6, 16(DI)
	VMOVUPS   X13, 24(DI)
	VMOVHPS   X6, 40(DI)
	VMOVUPS   X14, 48(DI)
	VMOVLPS   X7, 64(DI)
	VMOVUPS   X15, 72(DI)
	VMOVHPS   X7, 88(DI)
	VEXTRACTF128 $1, Y12, X12
	VEXTRACTF128 $1, Y13, X13
	VEXTRACTF128 $1, Y14, X14
	VEXTRACTF128 $1, Y15, X15
	VEXTRACTF128 $1, Y6, X6
	VEXTRACTF128 $1, Y7, X7
	VMOVUPS   X12, 96(DI)
	VMOVLPS   X6, 112(DI)
	VMOVUPS   X13, 120(DI)
	VMOVHPS   X6, 136(DI)
	VMOVUPS   X14, 144(DI)
	VMOVLPS   X7, 160(DI)
	VMOVUPS   X15, 168(DI)
	VMOVHPS   X7, 184(DI)
	ADDQ $32, SI
	ADDQ $32, R10
	ADDQ $192, DI
	DECQ CX
	JNZ  i326loop
i326done:
	VZEROUPPER
	RET

// 4x4 float64 transpose of rows in a, b, c, d (Y registers) into columns k0..k3,
// using t0..t3 as scratch; columns end in t0 (k0), t1 (k1), a (k2), b (k3).
#define TRANSPOSE4x4PD(a, b, c, d, t0, t1, t2, t3) \
	VUNPCKLPD  b, a, t0;       \
	VUNPCKHPD  b, a, t1;       \
	VUNPCKLPD  d, c, t2;       \
	VUNPCKHPD  d, c, t3;       \
	VPERM2F128 $0x31, t2, t0, a; \
	VPERM2F128 $0x31, t3, t1, b; \
	VPERM2F128 $0x20, t2, t0, t0; \
	VPERM2F128 $0x20, t3, t1, t1

// func interleave64x8(dst, src *float64, ld, k int)
// dst[p*8+r] = src[r*ld+p] for r < 8, p < k; k must be a multiple of 4.
TEXT ·interleave64x8(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ ld+16(FP), R8
	MOVQ k+24(FP), CX
	SHLQ $3, R8
	LEAQ (R8)(R8*2), R9
	LEAQ (SI)(R8*4), R10
	SHRQ $2, CX
	JZ   i648done
i648loop:
	VMOVUPD (SI), Y0
	VMOVUPD (SI)(R8*1), Y1
	VMOVUPD (SI)(R8*2), Y2
	VMOVUPD (SI)(R9*1), Y3
	VMOVUPD (R10), Y4
	VMOVUPD (R10)(R8*1), Y5
	VMOVUPD (R10)(R8*2), Y6
	VMOVUPD (R10)(R9*1), Y7
	TRANSPOSE4x4PD(Y0, Y1, Y2, Y3, Y8, Y9, Y10, Y11)
	TRANSPOSE4x4PD(Y4, Y5, Y6, Y7, Y12, Y13, Y14, Y15)
	VMOVUPD Y8, 0(DI)
	VMOVUPD Y12, 32(DI)
	VMOVUPD Y9, 64(DI)
	VMOVUPD Y13, 96(DI)
	VMOVUPD Y0, 128(DI)
	VMOVUPD Y4, 160(DI)
	VMOVUPD Y1, 192(DI)
	VMOVUPD Y5, 224(DI)
	ADDQ $32, SI
	ADDQ $32, R10
	ADDQ $256, DI
	DECQ CX
	JNZ  i648loop
i648done:
	VZEROUPPER
	RET

// func interleave64x6(dst, src *float64, ld, k int)
// dst[p*6+r] = src[r*ld+p] for r < 6, p < k; k must be a multiple of 4.
TEXT ·interleave64x6(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ ld+16(FP), R8
	MOVQ k+24(FP), CX
	SHLQ $3, R8
	LEAQ (R8)(R8*2), R9
	LEAQ (SI)(R8*4), R10
	SHRQ $2, CX
	JZ   i646done
i646loop:
	PREFETCHT0 1024(SI)
	PREFETCHT0 1024(SI)(R8*1)
	PREFETCHT0 1024(SI)(R8*2)
	PREFETCHT0 1024(SI)(R9*1)
	PREFETCHT0 1024(R10)
	PREFETCHT0 1024(R10)(R8*1)
	VMOVUPD (SI), Y0
	VMOVUPD (SI)(R8*1), Y1
	VMOVUPD (SI)(R8*2), Y2
	VMOVUPD (SI)(R9*1), Y3
	VMOVUPD (R10), Y4
	VMOVUPD (R10)(R8*1), Y5
	TRANSPOSE4x4PD(Y0, Y1, Y2, Y3, Y8, Y9, Y10, Y11)
	VUNPCKLPD Y5, Y4, Y12          // rows 4,5: k0 | k2
	VUNPCKHPD Y5, Y4, Y13          // rows 4,5: k1 | k3
	VMOVUPD Y8, 0(DI)
	VMOVUPD X12, 32(DI)
	VMOVUPD Y9, 48(DI)
	VMOVUPD X13, 80(DI)
	VMOVUPD Y0, 96(DI)
	VEXTRACTF128 $1, Y12, 128(DI)
	VMOVUPD Y1, 144(DI)
	VEXTRACTF128 $1, Y13, 176(DI)
	ADDQ $32, SI
	ADDQ $32, R10
	ADDQ $192, DI
	DECQ CX
	JNZ  i646loop
i646done:
	VZEROUPPER
	RET
