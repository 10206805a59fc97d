package figure

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg/draw"
)

// niceTicks places labelled major ticks at "nice" round numbers (1, 2, 2.5
// or 5 times a power of ten) about every (max-min)/target, with unlabelled
// minor ticks halfway between them. gonum's default ticker labels only
// every other major tick, which leaves training curves hard to read.
type niceTicks struct{ target int }

// Ticks implements plot.Ticker.
func (t niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return nil
	}
	step, dec := niceStep((hi - lo) / float64(max(t.target, 1)))
	eps := step * 1e-9
	var ticks []plot.Tick
	minor := step / 2
	first := math.Ceil((lo-eps)/minor) * minor
	for k := 0; ; k++ {
		v := first + float64(k)*minor
		if v > hi+eps || k > 1000 {
			break
		}
		if r := math.Round(v / step); math.Abs(v-r*step) < eps*10 {
			v = r * step
			ticks = append(ticks, plot.Tick{Value: v, Label: formatTick(v, dec)})
		} else {
			ticks = append(ticks, plot.Tick{Value: v})
		}
	}
	return ticks
}

// niceStep rounds raw up to 1, 2, 2.5 or 5 times a power of ten and returns
// it with the number of decimals its multiples need.
func niceStep(raw float64) (step float64, decimals int) {
	if raw <= 0 || math.IsNaN(raw) || math.IsInf(raw, 0) {
		return 1, 0
	}
	exp := math.Floor(math.Log10(raw))
	pow := math.Pow(10, exp)
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*pow >= raw*(1-1e-9) {
			step = m * pow
			decimals = max(0, -int(exp))
			if m == 2.5 {
				decimals++
			}
			if m == 10 {
				decimals = max(0, decimals-1)
			}
			return step, decimals
		}
	}
	return 10 * pow, max(0, -int(exp)-1)
}

// formatTick formats a tick value with the given number of decimals,
// avoiding "-0".
func formatTick(v float64, decimals int) string {
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	if z, err := strconv.ParseFloat(s, 64); err == nil && z == 0 {
		return strconv.FormatFloat(0, 'f', decimals, 64)
	}
	return s
}

// frameCanvas leaves a small white margin around a figure so that titles and
// edge tick labels are not flush with the image border.
func frameCanvas(c draw.Canvas) draw.Canvas {
	return draw.Crop(c, px(8), -px(18), px(6), -px(10))
}
