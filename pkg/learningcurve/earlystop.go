package learningcurve

import (
	"fmt"
	"math"
)

// Reasons an EarlyStop ends training.
const (
	StoppedByPatience  = "patience"   // Patience epochs without improvement
	StoppedByMaxEpochs = "max_epochs" // the cap was reached
)

// EarlyStop is the stopping rule. It watches the validation accuracy and the
// validation loss after each epoch, remembers the epoch with the best
// accuracy — the model it selects — and says when to stop: after Patience
// epochs in which neither a better accuracy nor a clearly lower loss was
// seen, or after MaxEpochs epochs.
//
// Accuracy selects the model because it is what the learning curves plot; of
// two epochs with the same accuracy, the one with the lower loss wins.
// Patience also counts loss improvements because accuracy alone is a poor
// sign of progress on the deep network's initial plateau, where it can stall
// for many epochs while the loss keeps falling; stopping there would leave an
// unconverged model. A loss improvement counts only if it is larger than the
// relative MinLossDecrease, so that a loss that merely creeps down does not
// keep a converged model training. Once the network overfits, the loss rises
// and the accuracy stalls, so neither resets the patience.
//
// The caller validates after some or all epochs (at least after epoch
// MaxEpochs), keeps the weights of every validated epoch for which Observe
// reports an improvement, and restores the last such weights when Observe
// says stop.
//
//	stop := &EarlyStop{Patience: 10, MaxEpochs: 200, MinLossDecrease: 1e-3}
//	for epoch := 1; ; epoch++ {
//		trainOneEpoch()
//		improved, done := stop.Observe(epoch, validationAccuracy(), validationLoss())
//		if improved {
//			best = snapshot()
//		}
//		if done {
//			break
//		}
//	}
//	restore(best) // the weights of epoch stop.BestEpoch()
type EarlyStop struct {
	// Patience is the number of epochs without improvement that ends training (≥ 1).
	Patience int
	// MaxEpochs is the largest number of epochs (≥ 1).
	MaxEpochs int
	// MinLossDecrease is the relative decrease of the lowest validation loss
	// that counts as progress: a loss counts if it is below
	// lowest·(1 − MinLossDecrease). 0 counts any decrease.
	MinLossDecrease float64

	epoch, bestEpoch, progressEpoch int
	best, lossAtBest, lowestLoss    float64
	hasLoss                         bool
	stoppedBy                       string
}

// Observe records the validation accuracy and loss measured after the given
// epoch (epochs count from 1 and must increase from call to call; epochs
// without validation may be skipped). It reports whether this epoch is the
// best so far — a strictly better accuracy, or the same accuracy with a lower
// loss — and whether training should stop now: the epoch reached MaxEpochs,
// or Patience epochs or more have passed since the last progress. NaN values
// never count as improvements. Calls after a stop, or with an epoch that does
// not increase, report stop and change nothing.
func (e *EarlyStop) Observe(epoch int, valAcc, valLoss float64) (improved, stop bool) {
	if e.stoppedBy != "" || epoch <= e.epoch {
		return false, true
	}
	e.epoch = epoch
	if !math.IsNaN(valAcc) && (e.bestEpoch == 0 || valAcc > e.best || valAcc == e.best && valLoss < e.lossAtBest) {
		if e.bestEpoch == 0 || valAcc > e.best {
			e.progressEpoch = e.epoch
		}
		e.best, e.lossAtBest, e.bestEpoch, improved = valAcc, valLoss, e.epoch, true
	}
	if !math.IsNaN(valLoss) && (!e.hasLoss || valLoss < e.lowestLoss*(1-e.MinLossDecrease)) {
		e.lowestLoss, e.hasLoss = valLoss, true
		e.progressEpoch = e.epoch
	} else if e.hasLoss && !math.IsNaN(valLoss) {
		e.lowestLoss = min(e.lowestLoss, valLoss)
	}
	switch {
	case e.epoch >= e.MaxEpochs:
		e.stoppedBy = StoppedByMaxEpochs
	case e.epoch-e.progressEpoch >= e.Patience:
		e.stoppedBy = StoppedByPatience
	}
	return improved, e.stoppedBy != ""
}

// Epoch returns the last epoch observed.
func (e *EarlyStop) Epoch() int { return e.epoch }

// BestEpoch returns the epoch with the best validation accuracy (0 before any).
func (e *EarlyStop) BestEpoch() int { return e.bestEpoch }

// Best returns the best validation accuracy observed.
func (e *EarlyStop) Best() float64 { return e.best }

// LowestLoss returns the lowest validation loss observed.
func (e *EarlyStop) LowestLoss() float64 { return e.lowestLoss }

// LastProgress returns the last epoch that improved the accuracy or the loss.
func (e *EarlyStop) LastProgress() int { return e.progressEpoch }

// StoppedBy returns StoppedByPatience or StoppedByMaxEpochs once Observe has
// said stop, and "" before.
func (e *EarlyStop) StoppedBy() string { return e.stoppedBy }

// check validates the rule's parameters.
func (e *EarlyStop) check() error {
	if e.Patience < 1 || e.MaxEpochs < 1 {
		return fmt.Errorf("learningcurve: EarlyStop{Patience: %d, MaxEpochs: %d}: both must be at least 1", e.Patience, e.MaxEpochs)
	}
	if !(e.MinLossDecrease >= 0 && e.MinLossDecrease < 1) {
		return fmt.Errorf("learningcurve: EarlyStop.MinLossDecrease is %v; use a relative decrease in [0, 1), e.g. 1e-3", e.MinLossDecrease)
	}
	return nil
}
