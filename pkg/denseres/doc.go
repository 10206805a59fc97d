// Package denseres is the homework's Q5 network — a three-layer MLP with dense
// (DenseNet-style) connections, residual connections and Layer Normalization —
// with its forward and backward passes derived and written by hand in plain Go.
// No automatic differentiation is involved; the tests check the hand-written
// gradients against finite differences and against GoMLX's autograd.
//
// # Forward pass
//
// For a batch X (B×d) with labels y, AppendOnes(M) = [M ‖ 1]:
//
//	Z1 = AppendOnes(X)·W1,           N1 = LN(Z1; γ1, β1),      H1 = ReLU(N1)
//	C1 = [X ‖ H1],  Z2 = AppendOnes(C1)·W2,  N2 = LN(Z2 + H1; γ2, β2),  H2 = ReLU(N2)
//	C2 = [X ‖ H1 ‖ H2], Z3 = AppendOnes(C2)·W3, N3 = LN(Z3 + H2; γ3, β3), H3 = ReLU(N3)
//	Z4 = AppendOnes(H3)·W4,          Ŷ = Z4 − log Σ_j exp(Z4_j)   (log-softmax per row)
//	L  = −(1/B) Σ_n Ŷ[n, y_n]
//
// with W1 (d+1)×h, W2 (d+h+1)×h, W3 (d+2h+1)×h, W4 (h+1)×C, the bias being the
// last row. LN normalises each row over the hidden dimension:
// μ = mean(s), σ = √(var(s) + ε) with ε = 1e-5, ẑ = (s − μ)/σ, LN(s) = γ⊙ẑ + β.
// Without LayerNorm (Config.LayerNorm false) the dense and residual
// connections stay and N = S: H1 = ReLU(Z1), H2 = ReLU(Z2 + H1), H3 = ReLU(Z3 + H2).
// Write Sℓ for the input of LN in layer ℓ: S1 = Z1, S2 = Z2 + H1, S3 = Z3 + H2.
//
// # Backward pass
//
// Output layer. With P = exp(Ŷ) the softmax, ∂L/∂Z4 = (P − onehot(y))/B, so
//
//	∂L/∂W4 = AppendOnes(H3)ᵀ·∂L/∂Z4,      ∂L/∂H3 = ∂L/∂Z4·W4[:h]ᵀ
//
// (the bias row's gradient is the column sum of ∂L/∂Z4; this holds for every W).
//
// ReLU: ∂L/∂Nℓ = ∂L/∂Hℓ ⊙ [Nℓ > 0], read from the cached Hℓ > 0.
//
// LayerNorm, one row, hidden size h, upstream gradient dout = ∂L/∂N. Because
// N = γ⊙ẑ + β: ∂L/∂γ_j = dout_j ẑ_j, ∂L/∂β_j = dout_j and ∂L/∂ẑ = g := γ⊙dout.
// Then ẑ_j = (s_j − μ)/σ with ∂μ/∂s_k = 1/h and ∂σ/∂s_k = (s_k − μ)/(hσ) = ẑ_k/h, so
//
//	∂ẑ_j/∂s_k = (δ_jk − 1/h)/σ − (s_j − μ)/σ² · ẑ_k/h = (δ_jk − 1/h − ẑ_j ẑ_k/h)/σ,
//	∂L/∂s_k = Σ_j g_j ∂ẑ_j/∂s_k = (1/σ)·(g_k − (1/h)Σ_j g_j − ẑ_k·(1/h)Σ_j g_j ẑ_j).
//
// This is the hint's formula. Over a batch the row statistics stay per row, and
// γ and β, shared by all rows, collect sums over the batch:
//
//	dS = (1/σ)⊙(g − mean_row(g) − ẑ⊙mean_row(g⊙ẑ)),  g = γ⊙dout,
//	dγ = Σ_batch dout⊙ẑ,   dβ = Σ_batch dout.
//
// Without LayerNorm dS = dN.
//
// Dense and residual connections. A matrix is used by every path it feeds, so
// its gradient is the sum over those paths:
//
//	Layer 3: ∂L/∂W3 = AppendOnes(C2)ᵀ·dS3 and, splitting W3's rows as [W3x; W3a; W3b; bias]
//	         for the blocks X, H1, H2 of C2, ∂L/∂C2 = dS3·W3ᵀ gives dS3·W3aᵀ to H1 and
//	         dS3·W3bᵀ to H2; the residual S3 = Z3 + H2 gives dS3 to H2.
//	         ∂L/∂H2 = dS3·W3bᵀ (concatenation C2) + dS3 (residual).
//	Layer 2: ∂L/∂W2 = AppendOnes(C1)ᵀ·dS2; with W2's rows [W2x; W2a; bias],
//	         ∂L/∂H1 = dS2·W2aᵀ (concatenation C1) + dS2 (residual S2 = Z2 + H1)
//	                + dS3·W3aᵀ (concatenation C2, from layer 3).
//	Layer 1: ∂L/∂W1 = AppendOnes(X)ᵀ·dS1.
//
// So H1 collects from three paths (layer-2 concatenation, layer-2 residual,
// layer-3 concatenation) and H2 from two (layer-3 concatenation and residual).
// The gradients into X are never needed and never computed.
//
// # Implementation
//
// Every matrix product goes through one function, matmul (row-major GEMM by
// package feedforward.dev/feedforward/pkg/gemm: AVX-512 or AVX2/FMA micro-kernels with a
// portable Go fallback, on both cores for large products). The concatenations share one buffer
// [X ‖ H1 ‖ H2]: C1 is a view of its first d+h columns and C2 is all of it, so
// the layers multiply views and X is copied once per batch; the bias row is
// added in the fused pass instead of storing AppendOnes' column of ones. Per
// row, one fused pass adds bias and residual, normalises and applies ReLU
// (forward), and one applies the ReLU mask, adds the residual gradient and runs
// the LayerNorm backward while accumulating dγ, dβ and the bias gradient
// (backward). ∂L/∂H1 and ∂L/∂H2 from both concatenations land in one B×2h
// buffer: one GEMM for layer 3's two blocks, one accumulating GEMM (β = 1) for
// layer 2's. The row passes are split across two cores when large enough.
// Buffers are sized for the largest batch seen, so steady-state training
// allocates nothing in this package.
package denseres
