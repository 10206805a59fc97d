package denseres

import (
	"fmt"
	"math"
	"unsafe"
)

// Epsilon is the ε of every LayerNorm in this package: σ = √(var + ε).
const Epsilon = 1e-5

// LayerNormCache holds what LayerNormBackward needs from LayerNormForward.
type LayerNormCache[T Float] struct {
	// Rows is the batch size and Cols the normalised (hidden) dimension.
	Rows, Cols int
	// Mu and Sigma hold, per row, the mean μ and σ = √(var + ε).
	Mu, Sigma []T
	// ZHat is the normalised input ẑ = (z − μ)/σ, Rows×Cols, row-major.
	ZHat []T
}

// LayerNormForward normalises every row of the rows×len(gamma) matrix z over
// its columns and returns out = γ⊙ẑ + β together with the cache that
// LayerNormBackward needs. It is the kernel the Model uses (without the model's
// fused bias, residual and ReLU), exported for a LayerNorm-only gradient check.
func LayerNormForward[T Float](z []T, rows int, gamma, beta []T) (out []T, cache *LayerNormCache[T], err error) {
	cols := len(gamma)
	switch {
	case rows <= 0:
		return nil, nil, fmt.Errorf("denseres: LayerNormForward: rows = %d; pass the batch size, at least 1", rows)
	case cols == 0:
		return nil, nil, fmt.Errorf("denseres: LayerNormForward: gamma is empty; pass one γ per column")
	case len(beta) != cols:
		return nil, nil, fmt.Errorf("denseres: LayerNormForward: len(beta) = %d but len(gamma) = %d; pass one γ and one β per column", len(beta), cols)
	case len(z) != rows*cols:
		return nil, nil, fmt.Errorf("denseres: LayerNormForward: len(z) = %d, want rows×len(gamma) = %d×%d = %d", len(z), rows, cols, rows*cols)
	}
	cache = &LayerNormCache[T]{Rows: rows, Cols: cols, Mu: make([]T, rows), Sigma: make([]T, rows), ZHat: make([]T, len(z))}
	copy(cache.ZHat, z)
	out = make([]T, len(z))
	for r := range rows {
		lo, hi := r*cols, (r+1)*cols
		cache.Mu[r], cache.Sigma[r] = fwdRow(cache.ZHat[lo:hi], nil, nil, true, gamma, beta, out[lo:hi], false)
	}
	return out, cache, nil
}

// LayerNormBackward maps the upstream gradient dout = ∂L/∂out (rows×cols) to
// dz = ∂L/∂z, dgamma = ∂L/∂γ and dbeta = ∂L/∂β, using the batch formula
//
//	g = γ⊙dout,   dz = (1/σ)·(g − mean(g) − ẑ·mean(g⊙ẑ))   (means over the row)
//	dγ = Σ_batch dout⊙ẑ,   dβ = Σ_batch dout.
//
// gamma must be the γ given to LayerNormForward.
func LayerNormBackward[T Float](dout, gamma []T, cache *LayerNormCache[T]) (dz, dgamma, dbeta []T, err error) {
	switch {
	case cache == nil:
		return nil, nil, nil, fmt.Errorf("denseres: LayerNormBackward: cache is nil; pass the cache returned by LayerNormForward")
	case len(gamma) != cache.Cols:
		return nil, nil, nil, fmt.Errorf("denseres: LayerNormBackward: len(gamma) = %d but the forward pass had %d columns; pass the same γ", len(gamma), cache.Cols)
	case len(dout) != cache.Rows*cache.Cols:
		return nil, nil, nil, fmt.Errorf("denseres: LayerNormBackward: len(dout) = %d, want %d×%d = %d (the forward output's shape)", len(dout), cache.Rows, cache.Cols, cache.Rows*cache.Cols)
	}
	cols := cache.Cols
	dz = make([]T, len(dout))
	copy(dz, dout)
	dgamma, dbeta = make([]T, cols), make([]T, cols)
	for r := range cache.Rows {
		lo, hi := r*cols, (r+1)*cols
		bwdRow(dz[lo:hi], nil, nil, true, cache.ZHat[lo:hi], cache.Sigma[r], gamma, dgamma, dbeta, nil)
	}
	return dz, dgamma, dbeta, nil
}

// fwdRow is the fused forward kernel of one hidden layer for one sample.
//
// On entry z holds the row of the matrix product (without bias). It forms
// s = z + bias + res (bias and res may be nil) and then
//
//	with LayerNorm:    μ = mean(s), σ = √(var(s)+ε), ẑ = (s−μ)/σ, n = γ⊙ẑ + β;
//	                   z is overwritten with ẑ;
//	without LayerNorm: n = s; z is overwritten with s;
//
// and writes out = ReLU(n) (or n when relu is false). It returns μ and σ (0 and
// 1 without LayerNorm). Three sweeps over one row, which stays in L1.
func fwdRow[T Float](z, bias, res []T, ln bool, gamma, beta, out []T, relu bool) (mu, sigma T) {
	n := len(z)
	out = out[:n]
	sum := addSum(z, bias, res)
	if !ln {
		if relu {
			for j, v := range z {
				out[j] = max(v, 0) // branch-free: a data-dependent branch mispredicts half the time
			}
		} else {
			copy(out, z)
		}
		return 0, 1
	}
	mu = sum / T(n)
	sigma = T(math.Sqrt(float64(sqDev(z, mu)/T(n)) + Epsilon))
	inv := 1 / sigma
	gamma, beta = gamma[:n], beta[:n]
	for j, v := range z {
		zh := (v - mu) * inv
		z[j] = zh
		o := gamma[j]*zh + beta[j]
		if relu {
			o = max(o, 0)
		}
		out[j] = o
	}
	return mu, sigma
}

// addSum sets z ← z + bias + res (bias, res may be nil) and returns Σ z. The
// sums run in four independent accumulators: one chain of dependent additions
// would wait on the adder's latency at every element.
func addSum[T Float](z, bias, res []T) T {
	n := len(z)
	switch {
	case bias != nil && res != nil:
		bias, res = bias[:n], res[:n]
		for j := range z {
			z[j] += bias[j] + res[j]
		}
	case bias != nil:
		bias = bias[:n]
		for j := range z {
			z[j] += bias[j]
		}
	}
	var s0, s1, s2, s3 T
	j := 0
	for ; j+4 <= n; j += 4 {
		v := z[j : j+4 : j+4]
		s0 += v[0]
		s1 += v[1]
		s2 += v[2]
		s3 += v[3]
	}
	for ; j < n; j++ {
		s0 += z[j]
	}
	return (s0 + s1) + (s2 + s3)
}

// sqDev returns Σ (z − mu)², in four accumulators like addSum.
func sqDev[T Float](z []T, mu T) T {
	n := len(z)
	var s0, s1, s2, s3 T
	j := 0
	for ; j+4 <= n; j += 4 {
		v := z[j : j+4 : j+4]
		d0, d1, d2, d3 := v[0]-mu, v[1]-mu, v[2]-mu, v[3]-mu
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; j < n; j++ {
		d := z[j] - mu
		s0 += d * d
	}
	return (s0 + s1) + (s2 + s3)
}

// bwdRow is the fused backward kernel of one hidden layer for one sample.
//
// On entry ds holds part of ∂L/∂H for the layer's output H, and up (if not nil)
// the rest; mask (if not nil) is the cached output H, and the gradient passes
// the ReLU only where H > 0. With dN = (ds + up)⊙[H > 0] it overwrites ds with
// ∂L/∂s for the layer's pre-normalisation input s:
//
//	with LayerNorm:    g = γ⊙dN, ds = (1/σ)(g − mean(g) − ẑ·mean(g⊙ẑ)),
//	                   and accumulates dgamma += dN⊙ẑ, dbeta += dN;
//	without LayerNorm: ds = dN.
//
// dbias (if not nil) accumulates the final ds: it is the bias row's gradient,
// the column sum of ∂L/∂Z. Two sweeps over one row.
func bwdRow[T Float](ds, up, mask []T, ln bool, zhat []T, sigma T, gamma, dgamma, dbeta, dbias []T) {
	n := len(ds)
	if up != nil {
		up = up[:n]
	}
	if mask != nil {
		mask = mask[:n]
	}
	if dbias != nil {
		dbias = dbias[:n]
	}
	big := stepScale[T]()
	if !ln {
		for j, u := range ds {
			if up != nil {
				u += up[j]
			}
			if mask != nil {
				u *= min(mask[j]*big*big, 1) // [H > 0], branch-free (see stepScale)
			}
			ds[j] = u
			if dbias != nil {
				dbias[j] += u
			}
		}
		return
	}
	zhat, gamma, dgamma, dbeta = zhat[:n], gamma[:n], dgamma[:n], dbeta[:n]
	// dN = (ds + up)⊙[H > 0] in place, and dγ, dβ.
	for j, u := range ds {
		if up != nil {
			u += up[j]
		}
		if mask != nil {
			u *= min(mask[j]*big*big, 1) // [H > 0], branch-free (see stepScale)
		}
		ds[j] = u
		dgamma[j] += u * zhat[j]
		dbeta[j] += u
	}
	// Σ g and Σ g⊙ẑ with g = γ⊙dN, in independent accumulators (see addSum).
	var sg0, sg1, sz0, sz1 T
	j := 0
	for ; j+2 <= n; j += 2 {
		u, zh, gm := ds[j:j+2:j+2], zhat[j:j+2:j+2], gamma[j:j+2:j+2]
		g0, g1 := gm[0]*u[0], gm[1]*u[1]
		sg0 += g0
		sg1 += g1
		sz0 += g0 * zh[0]
		sz1 += g1 * zh[1]
	}
	for ; j < n; j++ {
		g := gamma[j] * ds[j]
		sg0 += g
		sz0 += g * zhat[j]
	}
	sg, sgz := sg0+sg1, sz0+sz1
	mg, mgz := sg/T(n), sgz/T(n)
	inv := 1 / sigma
	for j, u := range ds {
		v := (gamma[j]*u - mg - zhat[j]*mgz) * inv
		ds[j] = v
		if dbias != nil {
			dbias[j] += v
		}
	}
}

// stepScale returns a factor big such that, for every H ≥ 0 of type T
// (including subnormals), min(H·big·big, 1) is exactly 1 when H > 0 and 0 when
// H = 0: the ReLU derivative [H > 0] computed without a branch. Random signs
// make a branch mispredict about half the time, which costs more than the
// whole rest of the pass. (NaN stays NaN.)
func stepScale[T Float]() T {
	var big T
	if unsafe.Sizeof(big) == 4 {
		return T(1e38) // smallest float32 subnormal ≈ 1.4e-45; ·1e76 ≫ 1
	}
	f := 1e300 // smallest float64 subnormal ≈ 4.9e-324; ·1e600 ≫ 1
	return T(f)
}
