package denseres

import "math"

// Row-pass kinds.
const (
	passForward    = iota // fused bias + residual + LayerNorm + ReLU of one hidden layer
	passLogSoftmax        // bias + log-softmax of the output layer
	passBackward          // fused ReLU mask + LayerNorm backward of one hidden layer
	passStep              // SGD update of every parameter
)

// rowPass is the Model's reusable row job (see rowJob).
type rowPass[T Float] struct {
	m     *Model[T]
	ws    *workspace[T]
	kind  int
	layer int
	lr    T
}

func (p *rowPass[T]) runRows(lo, hi, worker int) {
	switch p.kind {
	case passForward:
		p.m.forwardRows(p.ws, p.layer, lo, hi)
	case passLogSoftmax:
		p.m.logSoftmaxRows(p.ws, lo, hi)
	case passBackward:
		p.m.backwardRows(p.ws, p.layer, lo, hi, worker)
	case passStep:
		p.m.stepRange(p.lr, lo, hi)
	}
}

func (m *Model[T]) run(ws *workspace[T], kind, layer, rows, cols int) int {
	m.job.ws, m.job.kind, m.job.layer = ws, kind, layer
	workers := workersFor(rows, cols)
	runParallel(&m.job, rows, workers, &m.wg)
	return workers
}

// forward fills ws (whose rows are set) from the batch x.
func (m *Model[T]) forward(ws *workspace[T], x []T) {
	d, h, c := m.cfg.Input, m.cfg.Hidden, m.cfg.Classes
	B, lda := ws.rows, d+2*h
	a := ws.a
	for r := range B {
		copy(a[r*lda:r*lda+d], x[r*d:(r+1)*d])
	}
	// Layer ℓ: Zℓ = C_{ℓ-1}·Wℓ[:fan_in] (C0 = X), then the fused pass adds the
	// bias row and the residual, normalises and applies ReLU, writing Hℓ.
	for l := range 3 {
		k := m.fanIn(l)
		matmul(false, false, B, h, k, 1, a, lda, m.w[l], h, 0, ws.z[l], h)
		m.run(ws, passForward, l, B, h)
	}
	matmul(false, false, B, c, h, 1, ws.h3, h, m.w[3], c, 0, ws.logp, c)
	m.run(ws, passLogSoftmax, 0, B, c)
}

func (m *Model[T]) forwardRows(ws *workspace[T], l, lo, hi int) {
	d, h := m.cfg.Input, m.cfg.Hidden
	lda := d + 2*h
	bias := m.w[l][m.fanIn(l)*h:]
	ln := m.cfg.LayerNorm
	for r := lo; r < hi; r++ {
		row := ws.a[r*lda : (r+1)*lda]
		var res, out []T
		switch l {
		case 0:
			out = row[d : d+h]
		case 1:
			res, out = row[d:d+h], row[d+h:d+2*h]
		case 2:
			res, out = row[d+h:d+2*h], ws.h3[r*h:(r+1)*h]
		}
		mu, sigma := fwdRow(ws.z[l][r*h:(r+1)*h], bias, res, ln, m.gamma[l], m.beta[l], out, true)
		ws.mu[l][r], ws.sigma[l][r] = mu, sigma
	}
}

// logSoftmaxRows turns rows of Z4 (without bias) into log-probabilities:
// Ŷ = Z4 − max − log Σ exp(Z4 − max).
func (m *Model[T]) logSoftmaxRows(ws *workspace[T], lo, hi int) {
	c := m.cfg.Classes
	bias := m.w[3][m.cfg.Hidden*c:]
	for r := lo; r < hi; r++ {
		z := ws.logp[r*c : (r+1)*c]
		mx := T(math.Inf(-1))
		for j := range z {
			z[j] += bias[j]
			mx = max(mx, z[j])
		}
		var s float64
		for _, v := range z {
			s += math.Exp(float64(v - mx))
		}
		lse := mx + T(math.Log(s))
		for j := range z {
			z[j] -= lse
		}
	}
}

// backward computes all gradients from the cached forward pass in ws and
// returns the mean loss. With fused, it applies θ ← θ − lr·∂L/∂θ as it goes
// instead of storing ∂L/∂θ: each weight is updated only after its last use.
func (m *Model[T]) backward(ws *workspace[T], labels []uint8, fused bool, lr T) T {
	d, h, c := m.cfg.Input, m.cfg.Hidden, m.cfg.Classes
	B, lda := ws.rows, d+2*h
	loss := m.softmaxGrad(ws, labels)

	// Output layer. dH3 = dZ4·W4[:h]ᵀ goes straight into ds.
	matmul(false, true, B, h, c, 1, ws.dz4, c, m.w[3], c, 0, ws.ds, h)
	colSum(m.dbias[:c], ws.dz4[:B*c], c)
	m.weightGrad(3, fused, lr, ws.h3, h, B, ws.dz4, c)

	// Layer 3: dS3, then gradients to H1 and H2 through the concatenation C2:
	// G = dS3·W3[d:d+2h]ᵀ = [via C2 to H1 ‖ via C2 to H2].
	m.backwardLayer(ws, 2, fused, lr)
	matmul(false, true, B, 2*h, h, 1, ws.ds, h, m.w[2][d*h:], h, 0, ws.g, 2*h)
	m.weightGrad(2, fused, lr, ws.a, lda, B, ws.ds, h)

	// Layer 2: dH2 = G[:, h:] + dS3 (residual) is formed inside the pass.
	// Then G[:, :h] += dS2·W2[d:d+h]ᵀ (via C1 to H1).
	m.backwardLayer(ws, 1, fused, lr)
	matmul(false, true, B, h, h, 1, ws.ds, h, m.w[1][d*h:], h, 1, ws.g, 2*h)
	m.weightGrad(1, fused, lr, ws.a, lda, B, ws.ds, h)

	// Layer 1: dH1 = G[:, :h] + dS2 (residual) is formed inside the pass.
	m.backwardLayer(ws, 0, fused, lr)
	m.weightGrad(0, fused, lr, ws.a, lda, B, ws.ds, h)
	return loss
}

// softmaxGrad writes ∂L/∂Z4 = (softmax(Z4) − onehot(y))/B into ws.dz4 and
// returns the mean NLL, in one pass over the log-probabilities.
func (m *Model[T]) softmaxGrad(ws *workspace[T], labels []uint8) T {
	c, B := m.cfg.Classes, ws.rows
	inv := 1 / T(B)
	var loss float64
	for r := range B {
		lp, dz := ws.logp[r*c:(r+1)*c], ws.dz4[r*c:(r+1)*c]
		for j, v := range lp {
			dz[j] = T(math.Exp(float64(v))) * inv
		}
		y := int(labels[r])
		dz[y] -= inv
		loss -= float64(lp[y])
	}
	return T(loss / float64(B))
}

// weightGrad computes ∂L/∂W_{l+1}[:fan_in] = Aᵀ·dZ (A is B×fan_in with leading
// dimension lda, dZ is B×n) and takes the bias row's gradient from m.dbias.
// With fused it updates W directly: W ← W − lr·Aᵀ·dZ.
func (m *Model[T]) weightGrad(l int, fused bool, lr T, a []T, lda, B int, dz []T, n int) {
	k := m.fanIn(l)
	if fused {
		matmul(true, false, k, n, B, -lr, a, lda, dz, n, 1, m.w[l], n)
		axpy(-lr, m.dbias[:n], m.w[l][k*n:])
		return
	}
	matmul(true, false, k, n, B, 1, a, lda, dz, n, 0, m.dw[l], n)
	copy(m.dw[l][k*n:], m.dbias[:n])
}

// backwardLayer runs the fused backward pass of hidden layer l+1 over the
// batch (ws.ds then holds ∂L/∂S), reduces the per-worker column sums into
// m.dbias and the γ, β gradients (or updates γ, β when fused).
func (m *Model[T]) backwardLayer(ws *workspace[T], l int, fused bool, lr T) {
	h := m.cfg.Hidden
	workers := m.run(ws, passBackward, l, ws.rows, h)
	p0 := &m.part[0]
	if workers > 1 {
		for w := 1; w < workers; w++ {
			pw := &m.part[w]
			axpy(1, pw.dbias[:h], p0.dbias[:h])
			if m.cfg.LayerNorm {
				axpy(1, pw.dgamma, p0.dgamma)
				axpy(1, pw.dbeta, p0.dbeta)
			}
		}
	}
	copy(m.dbias[:h], p0.dbias[:h])
	if !m.cfg.LayerNorm {
		return
	}
	if fused {
		axpy(-lr, p0.dgamma, m.gamma[l])
		axpy(-lr, p0.dbeta, m.beta[l])
		return
	}
	copy(m.dgamma[l], p0.dgamma)
	copy(m.dbet[l], p0.dbeta)
}

func (m *Model[T]) backwardRows(ws *workspace[T], l, lo, hi, worker int) {
	d, h := m.cfg.Input, m.cfg.Hidden
	lda := d + 2*h
	ln := m.cfg.LayerNorm
	p := &m.part[worker]
	clear(p.dbias[:h])
	if ln {
		clear(p.dgamma)
		clear(p.dbeta)
	}
	for r := lo; r < hi; r++ {
		row := ws.a[r*lda : (r+1)*lda]
		g := ws.g[r*2*h : (r+1)*2*h]
		var up, mask []T
		switch l {
		case 0: // dH1 = G[:, :h] (both concatenations) + dS2 (residual, in ds)
			up, mask = g[:h], row[d:d+h]
		case 1: // dH2 = G[:, h:] (concatenation C2) + dS3 (residual, in ds)
			up, mask = g[h:], row[d+h:d+2*h]
		case 2: // dH3 = dZ4·W4ᵀ, already in ds
			mask = ws.h3[r*h : (r+1)*h]
		}
		bwdRow(ws.ds[r*h:(r+1)*h], up, mask, ln, ws.z[l][r*h:(r+1)*h], ws.sigma[l][r], m.gamma[l], p.dgamma, p.dbeta, p.dbias)
	}
}

// colSum writes the column sums of the row-major matrix a (n columns) to dst.
func colSum[T Float](dst, a []T, n int) {
	clear(dst)
	for r := 0; r+n <= len(a); r += n {
		axpy(1, a[r:r+n], dst)
	}
}

// step applies θ ← θ − lr·∂L/∂θ to every parameter, split over two cores: the
// pass is a pure stream over ~0.8 M weights (h = 256) and memory-bound.
func (m *Model[T]) step(lr T) {
	m.job.lr = lr
	n := m.numParams()
	m.run(nil, passStep, 0, n, 1)
}

func (m *Model[T]) numParams() int {
	n := 0
	for l := range 4 {
		n += len(m.w[l])
	}
	if m.cfg.LayerNorm {
		n += 6 * m.cfg.Hidden
	}
	return n
}

// stepRange updates the parameters whose flat indices (W1, W2, W3, W4, γ1..γ3,
// β1..β3 laid end to end) fall in [lo, hi).
func (m *Model[T]) stepRange(lr T, lo, hi int) {
	off := 0
	upd := func(p, g []T) {
		s, e := max(lo-off, 0), min(hi-off, len(p))
		if s < e {
			axpy(-lr, g[s:e], p[s:e])
		}
		off += len(p)
	}
	for l := range 4 {
		upd(m.w[l], m.dw[l])
	}
	if m.cfg.LayerNorm {
		for l := range 3 {
			upd(m.gamma[l], m.dgamma[l])
		}
		for l := range 3 {
			upd(m.beta[l], m.dbet[l])
		}
	}
}
