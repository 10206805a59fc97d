//go:build amd64 && !purego

#include "textflag.h"

// One step of k for the 6x16 float32 kernel: B row at boff(BX) (16 floats),
// A column at aoff(AX) (6 floats). Accumulators Y0..Y11, row r in Y(2r), Y(2r+1).
#define SSTEP(boff, aoff) \
	VMOVUPS      (boff)(BX), Y12; \
	VMOVUPS      (boff+32)(BX), Y13; \
	VBROADCASTSS (aoff)(AX), Y14; \
	VFMADD231PS  Y12, Y14, Y0; \
	VFMADD231PS  Y13, Y14, Y1; \
	VBROADCASTSS (aoff+4)(AX), Y15; \
	VFMADD231PS  Y12, Y15, Y2; \
	VFMADD231PS  Y13, Y15, Y3; \
	VBROADCASTSS (aoff+8)(AX), Y14; \
	VFMADD231PS  Y12, Y14, Y4; \
	VFMADD231PS  Y13, Y14, Y5; \
	VBROADCASTSS (aoff+12)(AX), Y15; \
	VFMADD231PS  Y12, Y15, Y6; \
	VFMADD231PS  Y13, Y15, Y7; \
	VBROADCASTSS (aoff+16)(AX), Y14; \
	VFMADD231PS  Y12, Y14, Y8; \
	VFMADD231PS  Y13, Y14, Y9; \
	VBROADCASTSS (aoff+20)(AX), Y15; \
	VFMADD231PS  Y12, Y15, Y10; \
	VFMADD231PS  Y13, Y15, Y11

// Store row pair (lo, hi) of the tile at (DX): C = alpha*acc + beta*C, then advance DX.
#define SSTORE_BETA(lo, hi) \
	VMULPS      Y12, lo, lo; \
	VMULPS      Y12, hi, hi; \
	VFMADD231PS (DX), Y13, lo; \
	VFMADD231PS 32(DX), Y13, hi; \
	VMOVUPS     lo, (DX); \
	VMOVUPS     hi, 32(DX); \
	ADDQ        R8, DX

#define SSTORE_ZERO(lo, hi) \
	VMULPS  Y12, lo, lo; \
	VMULPS  Y12, hi, hi; \
	VMOVUPS lo, (DX); \
	VMOVUPS hi, 32(DX); \
	ADDQ    R8, DX

// func sgemm6x16(k int, a, b, c *float32, ldc int, alpha, beta float32)
TEXT ·sgemm6x16(SB), NOSPLIT, $0-48
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), AX
	MOVQ b+16(FP), BX
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), R8
	SHLQ $2, R8

	// Prefetch the C tile.
	MOVQ       DX, R9
	PREFETCHT0 (R9)
	PREFETCHT0 63(R9)
	ADDQ       R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 63(R9)
	ADDQ       R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 63(R9)
	ADDQ       R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 63(R9)
	ADDQ       R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 63(R9)
	ADDQ       R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 63(R9)

	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11

	MOVQ CX, R10
	SHRQ $2, R10
	JZ   stail

sloop4:
	SSTEP(0, 0)
	SSTEP(64, 24)
	SSTEP(128, 48)
	SSTEP(192, 72)
	ADDQ $96, AX
	ADDQ $256, BX
	DECQ R10
	JNZ  sloop4

stail:
	ANDQ $3, CX
	JZ   sstore

sloop1:
	SSTEP(0, 0)
	ADDQ $24, AX
	ADDQ $64, BX
	DECQ CX
	JNZ  sloop1

sstore:
	VBROADCASTSS alpha+40(FP), Y12
	MOVL         beta+44(FP), R9
	SHLL         $1, R9             // drop the sign: -0 counts as zero
	JZ           sbeta0
	VBROADCASTSS beta+44(FP), Y13
	SSTORE_BETA(Y0, Y1)
	SSTORE_BETA(Y2, Y3)
	SSTORE_BETA(Y4, Y5)
	SSTORE_BETA(Y6, Y7)
	SSTORE_BETA(Y8, Y9)
	SSTORE_BETA(Y10, Y11)
	VZEROUPPER
	RET

sbeta0:
	SSTORE_ZERO(Y0, Y1)
	SSTORE_ZERO(Y2, Y3)
	SSTORE_ZERO(Y4, Y5)
	SSTORE_ZERO(Y6, Y7)
	SSTORE_ZERO(Y8, Y9)
	SSTORE_ZERO(Y10, Y11)
	VZEROUPPER
	RET

// One step of k for the 6x8 float64 kernel: B row at boff(BX) (8 doubles),
// A column at aoff(AX) (6 doubles).
#define DSTEP(boff, aoff) \
	VMOVUPD      (boff)(BX), Y12; \
	VMOVUPD      (boff+32)(BX), Y13; \
	VBROADCASTSD (aoff)(AX), Y14; \
	VFMADD231PD  Y12, Y14, Y0; \
	VFMADD231PD  Y13, Y14, Y1; \
	VBROADCASTSD (aoff+8)(AX), Y15; \
	VFMADD231PD  Y12, Y15, Y2; \
	VFMADD231PD  Y13, Y15, Y3; \
	VBROADCASTSD (aoff+16)(AX), Y14; \
	VFMADD231PD  Y12, Y14, Y4; \
	VFMADD231PD  Y13, Y14, Y5; \
	VBROADCASTSD (aoff+24)(AX), Y15; \
	VFMADD231PD  Y12, Y15, Y6; \
	VFMADD231PD  Y13, Y15, Y7; \
	VBROADCASTSD (aoff+32)(AX), Y14; \
	VFMADD231PD  Y12, Y14, Y8; \
	VFMADD231PD  Y13, Y14, Y9; \
	VBROADCASTSD (aoff+40)(AX), Y15; \
	VFMADD231PD  Y12, Y15, Y10; \
	VFMADD231PD  Y13, Y15, Y11

#define DSTORE_BETA(lo, hi) \
	VMULPD      Y12, lo, lo; \
	VMULPD      Y12, hi, hi; \
	VFMADD231PD (DX), Y13, lo; \
	VFMADD231PD 32(DX), Y13, hi; \
	VMOVUPD     lo, (DX); \
	VMOVUPD     hi, 32(DX); \
	ADDQ        R8, DX

#define DSTORE_ZERO(lo, hi) \
	VMULPD  Y12, lo, lo; \
	VMULPD  Y12, hi, hi; \
	VMOVUPD lo, (DX); \
	VMOVUPD hi, 32(DX); \
	ADDQ    R8, DX

// func dgemm6x8(k int, a, b, c *float64, ldc int, alpha, beta float64)
TEXT ·dgemm6x8(SB), NOSPLIT, $0-56
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), AX
	MOVQ b+16(FP), BX
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), R8
	SHLQ $3, R8

	MOVQ       DX, R9
	PREFETCHT0 (R9)
	PREFETCHT0 63(R9)
	ADDQ       R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 63(R9)
	ADDQ       R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 63(R9)
	ADDQ       R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 63(R9)
	ADDQ       R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 63(R9)
	ADDQ       R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 63(R9)

	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11

	MOVQ CX, R10
	SHRQ $2, R10
	JZ   dtail

dloop4:
	DSTEP(0, 0)
	DSTEP(64, 48)
	DSTEP(128, 96)
	DSTEP(192, 144)
	ADDQ $192, AX
	ADDQ $256, BX
	DECQ R10
	JNZ  dloop4

dtail:
	ANDQ $3, CX
	JZ   dstore

dloop1:
	DSTEP(0, 0)
	ADDQ $48, AX
	ADDQ $64, BX
	DECQ CX
	JNZ  dloop1

dstore:
	VBROADCASTSD alpha+40(FP), Y12
	MOVQ         beta+48(FP), R9
	SHLQ         $1, R9
	JZ           dbeta0
	VBROADCASTSD beta+48(FP), Y13
	DSTORE_BETA(Y0, Y1)
	DSTORE_BETA(Y2, Y3)
	DSTORE_BETA(Y4, Y5)
	DSTORE_BETA(Y6, Y7)
	DSTORE_BETA(Y8, Y9)
	DSTORE_BETA(Y10, Y11)
	VZEROUPPER
	RET

dbeta0:
	DSTORE_ZERO(Y0, Y1)
	DSTORE_ZERO(Y2, Y3)
	DSTORE_ZERO(Y4, Y5)
	DSTORE_ZERO(Y6, Y7)
	DSTORE_ZERO(Y8, Y9)
	DSTORE_ZERO(Y10, Y11)
	VZEROUPPER
	RET
