//go:build amd64 && !purego

#include "textflag.h"

// AVX-512 micro-kernels. Each reads its packed operands as two half panels one
// after the other (see the split field of kernel): A as two 6-row panels, the
// second 6·k elements after the first, and B as two panels of one Z register's
// width, the second 16·k (float32) or 8·k (float64) elements after the first.
// These are exactly what the AVX2 kernels' packers produce for 6 rows and one
// 64-byte column panel, so both kernels share the packing code.
//
// Registers: AX, R11 the two A half panels; BX, R12 the two B half panels;
// Z0..Z23 the accumulators, row r in Z(2r) (left half) and Z(2r+1) (right half);
// Z24, Z25 the B row; Z26..Z31 the broadcast A values.

// One k step of row block [r0, r0+6) from the A panel at areg.
#define SROWS(areg, aoff, z0, z1, z2, z3, z4, z5, z6, z7, z8, z9, z10, z11) \
	VBROADCASTSS (aoff)(areg), Z26; \
	VBROADCASTSS (aoff+4)(areg), Z27; \
	VBROADCASTSS (aoff+8)(areg), Z28; \
	VFMADD231PS  Z24, Z26, z0; \
	VFMADD231PS  Z25, Z26, z1; \
	VBROADCASTSS (aoff+12)(areg), Z29; \
	VFMADD231PS  Z24, Z27, z2; \
	VFMADD231PS  Z25, Z27, z3; \
	VBROADCASTSS (aoff+16)(areg), Z30; \
	VFMADD231PS  Z24, Z28, z4; \
	VFMADD231PS  Z25, Z28, z5; \
	VBROADCASTSS (aoff+20)(areg), Z31; \
	VFMADD231PS  Z24, Z29, z6; \
	VFMADD231PS  Z25, Z29, z7; \
	VFMADD231PS  Z24, Z30, z8; \
	VFMADD231PS  Z25, Z30, z9; \
	VFMADD231PS  Z24, Z31, z10; \
	VFMADD231PS  Z25, Z31, z11

#define S12STEP(boff, aoff) \
	VMOVUPS (boff)(BX), Z24; \
	VMOVUPS (boff)(R12), Z25; \
	SROWS(AX, aoff, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11); \
	SROWS(R11, aoff, Z12, Z13, Z14, Z15, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23)

// Store one row (lo, hi) at (DX): C = alpha*acc + beta*C (Z24 alpha, Z25 beta), advance DX.
#define S12STORE_BETA(lo, hi) \
	VMULPS      Z24, lo, lo; \
	VMULPS      Z24, hi, hi; \
	VFMADD231PS (DX), Z25, lo; \
	VFMADD231PS 64(DX), Z25, hi; \
	VMOVUPS     lo, (DX); \
	VMOVUPS     hi, 64(DX); \
	ADDQ        R8, DX

#define S12STORE_ZERO(lo, hi) \
	VMULPS  Z24, lo, lo; \
	VMULPS  Z24, hi, hi; \
	VMOVUPS lo, (DX); \
	VMOVUPS hi, 64(DX); \
	ADDQ    R8, DX

#define ZERO24 \
	VPXORD Z0, Z0, Z0; VPXORD Z1, Z1, Z1; VPXORD Z2, Z2, Z2; VPXORD Z3, Z3, Z3; \
	VPXORD Z4, Z4, Z4; VPXORD Z5, Z5, Z5; VPXORD Z6, Z6, Z6; VPXORD Z7, Z7, Z7; \
	VPXORD Z8, Z8, Z8; VPXORD Z9, Z9, Z9; VPXORD Z10, Z10, Z10; VPXORD Z11, Z11, Z11; \
	VPXORD Z12, Z12, Z12; VPXORD Z13, Z13, Z13; VPXORD Z14, Z14, Z14; VPXORD Z15, Z15, Z15; \
	VPXORD Z16, Z16, Z16; VPXORD Z17, Z17, Z17; VPXORD Z18, Z18, Z18; VPXORD Z19, Z19, Z19; \
	VPXORD Z20, Z20, Z20; VPXORD Z21, Z21, Z21; VPXORD Z22, Z22, Z22; VPXORD Z23, Z23, Z23

// Prefetch 12 rows of C, 128 bytes each, starting at DX.
#define PREFETCH_C12 \
	MOVQ DX, R9; \
	PREFETCHT0 (R9); PREFETCHT0 127(R9); ADDQ R8, R9; \
	PREFETCHT0 (R9); PREFETCHT0 127(R9); ADDQ R8, R9; \
	PREFETCHT0 (R9); PREFETCHT0 127(R9); ADDQ R8, R9; \
	PREFETCHT0 (R9); PREFETCHT0 127(R9); ADDQ R8, R9; \
	PREFETCHT0 (R9); PREFETCHT0 127(R9); ADDQ R8, R9; \
	PREFETCHT0 (R9); PREFETCHT0 127(R9); ADDQ R8, R9; \
	PREFETCHT0 (R9); PREFETCHT0 127(R9); ADDQ R8, R9; \
	PREFETCHT0 (R9); PREFETCHT0 127(R9); ADDQ R8, R9; \
	PREFETCHT0 (R9); PREFETCHT0 127(R9); ADDQ R8, R9; \
	PREFETCHT0 (R9); PREFETCHT0 127(R9); ADDQ R8, R9; \
	PREFETCHT0 (R9); PREFETCHT0 127(R9); ADDQ R8, R9; \
	PREFETCHT0 (R9); PREFETCHT0 127(R9)

// func sgemm12x32(k int, a, b, c *float32, ldc int, alpha, beta float32)
TEXT ·sgemm12x32(SB), NOSPLIT, $0-48
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), AX
	MOVQ b+16(FP), BX
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), R8
	SHLQ $2, R8

	// Second halves: A rows 6..11 start 6*k floats in, B columns 16..31 16*k floats in.
	LEAQ (CX)(CX*2), R11
	SHLQ $3, R11            // 24*k bytes
	ADDQ AX, R11
	MOVQ CX, R12
	SHLQ $6, R12            // 64*k bytes
	ADDQ BX, R12

	PREFETCH_C12
	ZERO24

	MOVQ CX, R10
	SHRQ $2, R10
	JZ   s12tail

s12loop4:
	S12STEP(0, 0)
	S12STEP(64, 24)
	S12STEP(128, 48)
	S12STEP(192, 72)
	ADDQ $96, AX
	ADDQ $96, R11
	ADDQ $256, BX
	ADDQ $256, R12
	DECQ R10
	JNZ  s12loop4

s12tail:
	ANDQ $3, CX
	JZ   s12store

s12loop1:
	S12STEP(0, 0)
	ADDQ $24, AX
	ADDQ $24, R11
	ADDQ $64, BX
	ADDQ $64, R12
	DECQ CX
	JNZ  s12loop1

s12store:
	VBROADCASTSS alpha+40(FP), Z24
	MOVL         beta+44(FP), R9
	SHLL         $1, R9             // drop the sign: -0 counts as zero
	JZ           s12beta0
	VBROADCASTSS beta+44(FP), Z25
	S12STORE_BETA(Z0, Z1)
	S12STORE_BETA(Z2, Z3)
	S12STORE_BETA(Z4, Z5)
	S12STORE_BETA(Z6, Z7)
	S12STORE_BETA(Z8, Z9)
	S12STORE_BETA(Z10, Z11)
	S12STORE_BETA(Z12, Z13)
	S12STORE_BETA(Z14, Z15)
	S12STORE_BETA(Z16, Z17)
	S12STORE_BETA(Z18, Z19)
	S12STORE_BETA(Z20, Z21)
	S12STORE_BETA(Z22, Z23)
	VZEROUPPER
	RET

s12beta0:
	S12STORE_ZERO(Z0, Z1)
	S12STORE_ZERO(Z2, Z3)
	S12STORE_ZERO(Z4, Z5)
	S12STORE_ZERO(Z6, Z7)
	S12STORE_ZERO(Z8, Z9)
	S12STORE_ZERO(Z10, Z11)
	S12STORE_ZERO(Z12, Z13)
	S12STORE_ZERO(Z14, Z15)
	S12STORE_ZERO(Z16, Z17)
	S12STORE_ZERO(Z18, Z19)
	S12STORE_ZERO(Z20, Z21)
	S12STORE_ZERO(Z22, Z23)
	VZEROUPPER
	RET

// float64: the same shape with 8 doubles per Z register: a 12×16 tile.
#define DROWS(areg, aoff, z0, z1, z2, z3, z4, z5, z6, z7, z8, z9, z10, z11) \
	VBROADCASTSD (aoff)(areg), Z26; \
	VBROADCASTSD (aoff+8)(areg), Z27; \
	VBROADCASTSD (aoff+16)(areg), Z28; \
	VFMADD231PD  Z24, Z26, z0; \
	VFMADD231PD  Z25, Z26, z1; \
	VBROADCASTSD (aoff+24)(areg), Z29; \
	VFMADD231PD  Z24, Z27, z2; \
	VFMADD231PD  Z25, Z27, z3; \
	VBROADCASTSD (aoff+32)(areg), Z30; \
	VFMADD231PD  Z24, Z28, z4; \
	VFMADD231PD  Z25, Z28, z5; \
	VBROADCASTSD (aoff+40)(areg), Z31; \
	VFMADD231PD  Z24, Z29, z6; \
	VFMADD231PD  Z25, Z29, z7; \
	VFMADD231PD  Z24, Z30, z8; \
	VFMADD231PD  Z25, Z30, z9; \
	VFMADD231PD  Z24, Z31, z10; \
	VFMADD231PD  Z25, Z31, z11

#define D12STEP(boff, aoff) \
	VMOVUPD (boff)(BX), Z24; \
	VMOVUPD (boff)(R12), Z25; \
	DROWS(AX, aoff, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11); \
	DROWS(R11, aoff, Z12, Z13, Z14, Z15, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23)

#define D12STORE_BETA(lo, hi) \
	VMULPD      Z24, lo, lo; \
	VMULPD      Z24, hi, hi; \
	VFMADD231PD (DX), Z25, lo; \
	VFMADD231PD 64(DX), Z25, hi; \
	VMOVUPD     lo, (DX); \
	VMOVUPD     hi, 64(DX); \
	ADDQ        R8, DX

#define D12STORE_ZERO(lo, hi) \
	VMULPD  Z24, lo, lo; \
	VMULPD  Z24, hi, hi; \
	VMOVUPD lo, (DX); \
	VMOVUPD hi, 64(DX); \
	ADDQ    R8, DX

// func dgemm12x16(k int, a, b, c *float64, ldc int, alpha, beta float64)
TEXT ·dgemm12x16(SB), NOSPLIT, $0-56
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), AX
	MOVQ b+16(FP), BX
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), R8
	SHLQ $3, R8

	// Second halves: A rows 6..11 start 6*k doubles in, B columns 8..15 8*k doubles in.
	LEAQ (CX)(CX*2), R11
	SHLQ $4, R11            // 48*k bytes
	ADDQ AX, R11
	MOVQ CX, R12
	SHLQ $6, R12            // 64*k bytes
	ADDQ BX, R12

	PREFETCH_C12
	ZERO24

	MOVQ CX, R10
	SHRQ $2, R10
	JZ   d12tail

d12loop4:
	D12STEP(0, 0)
	D12STEP(64, 48)
	D12STEP(128, 96)
	D12STEP(192, 144)
	ADDQ $192, AX
	ADDQ $192, R11
	ADDQ $256, BX
	ADDQ $256, R12
	DECQ R10
	JNZ  d12loop4

d12tail:
	ANDQ $3, CX
	JZ   d12store

d12loop1:
	D12STEP(0, 0)
	ADDQ $48, AX
	ADDQ $48, R11
	ADDQ $64, BX
	ADDQ $64, R12
	DECQ CX
	JNZ  d12loop1

d12store:
	VBROADCASTSD alpha+40(FP), Z24
	MOVQ         beta+48(FP), R9
	SHLQ         $1, R9
	JZ           d12beta0
	VBROADCASTSD beta+48(FP), Z25
	D12STORE_BETA(Z0, Z1)
	D12STORE_BETA(Z2, Z3)
	D12STORE_BETA(Z4, Z5)
	D12STORE_BETA(Z6, Z7)
	D12STORE_BETA(Z8, Z9)
	D12STORE_BETA(Z10, Z11)
	D12STORE_BETA(Z12, Z13)
	D12STORE_BETA(Z14, Z15)
	D12STORE_BETA(Z16, Z17)
	D12STORE_BETA(Z18, Z19)
	D12STORE_BETA(Z20, Z21)
	D12STORE_BETA(Z22, Z23)
	VZEROUPPER
	RET

d12beta0:
	D12STORE_ZERO(Z0, Z1)
	D12STORE_ZERO(Z2, Z3)
	D12STORE_ZERO(Z4, Z5)
	D12STORE_ZERO(Z6, Z7)
	D12STORE_ZERO(Z8, Z9)
	D12STORE_ZERO(Z10, Z11)
	D12STORE_ZERO(Z12, Z13)
	D12STORE_ZERO(Z14, Z15)
	D12STORE_ZERO(Z16, Z17)
	D12STORE_ZERO(Z18, Z19)
	D12STORE_ZERO(Z20, Z21)
	D12STORE_ZERO(Z22, Z23)
	VZEROUPPER
	RET
