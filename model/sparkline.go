package model

// Sparkline draws values (oldest first) as eight block heights scaled
// between their minimum and maximum, for latency trends in the CLI and the
// console alike. It returns the bars and the range they span.
func Sparkline(v []float64) (bars string, lo, hi float64) {
	if len(v) == 0 {
		return "", 0, 0
	}
	lo, hi = v[0], v[0]
	for _, x := range v {
		lo, hi = min(lo, x), max(hi, x)
	}
	blocks := []rune("▁▂▃▄▅▆▇█")
	out := make([]rune, len(v))
	for i, x := range v {
		j := 0
		if hi > lo {
			j = int((x - lo) / (hi - lo) * float64(len(blocks)-1))
		}
		out[i] = blocks[j]
	}
	return string(out), lo, hi
}
