package table

import (
	"slices"
	"strings"
)

// SetFilter filters rows by q: fuzzy (the letters of q in order) or a plain
// substring. Typing one more letter re-checks only the previous matches
// when they are few.
func (m *Model) SetFilter(q string, fuzzy bool) {
	q = strings.ToLower(q)
	narrowing := fuzzy == m.fuzzy && m.query != "" && strings.HasPrefix(q, m.query)
	m.query, m.fuzzy = q, fuzzy
	m.refilter(narrowing)
}

// parallelRows is the table size from which the fuzzy and the ranking
// scans run side by side.
const parallelRows = 20_000

// refilter recomputes the shown rows. Fuzzy results are ranked in two
// tiers, rows where the query appears as typed first, each tier in sort
// order: "leo" puts Leo Tanaka above every "…l…e…o" in example.com.
func (m *Model) refilter(narrowing bool) {
	m.cursor, m.offset = 0, 0
	if m.query == "" {
		m.view = m.order
		return
	}
	q := m.query
	rank := m.fuzzy && len(q) > 1
	var hit, exact []bool
	if narrowing && len(m.view) < len(m.rows)/4 {
		// Few previous matches: check just those rows.
		hit = make([]bool, len(m.rows))
		if rank {
			exact = make([]bool, len(m.rows))
		}
		for _, i := range m.view {
			if m.matchRow(i) {
				hit[i] = true
				if rank {
					exact[i] = strings.Contains(m.row(i), q)
				}
			}
		}
	} else if rank && len(m.rows) >= parallelRows {
		// The two scans are independent: run them on two cores.
		done := make(chan []bool)
		go func() { done <- m.scan(q, false) }()
		hit = m.scan(q, true)
		exact = <-done
	} else {
		hit = m.scan(q, m.fuzzy)
		if rank {
			exact = m.scan(q, false)
		}
	}
	out := make([]int, 0, 64)
	if rank {
		for _, i := range m.order {
			if exact[i] {
				out = append(out, i)
			}
		}
		for _, i := range m.order {
			if hit[i] && !exact[i] {
				out = append(out, i)
			}
		}
	} else {
		for _, i := range m.order {
			if hit[i] {
				out = append(out, i)
			}
		}
	}
	m.view = out
}

func (m *Model) row(i int) string { return m.hay[m.start[i]:m.start[i+1]] }

func (m *Model) matchRow(i int) bool { return match(m.row(i), m.query, m.fuzzy) }

// scan marks the matching rows with one pass over the whole buffer. A
// one-letter query is a repeated IndexByte that jumps to the next row after
// each hit; longer queries walk the bytes once, skipping the rest of a row
// once it matched (fuzzy matching resets at each cell boundary).
func (m *Model) scan(q string, fuzzy bool) []bool {
	hit := make([]bool, len(m.rows))
	h := m.hay
	rowAt := func(pos int) int { // the row containing byte pos
		i, _ := slices.BinarySearch(m.start, pos+1)
		return i - 1
	}
	if len(q) == 1 {
		for pos := 0; pos < len(h); {
			k := strings.IndexByte(h[pos:], q[0])
			if k < 0 {
				break
			}
			r := rowAt(pos + k)
			hit[r] = true
			pos = m.start[r+1]
		}
		return hit
	}
	if !fuzzy {
		// A plain loop beats strings.Index here: rows are short, so its
		// per-call setup would dominate.
		r := 0
		for i := 0; i <= len(h)-len(q); i++ {
			if h[i] == q[0] && h[i+1] == q[1] && h[i:i+len(q)] == q {
				for m.start[r+1] <= i {
					r++
				}
				hit[r] = true
				i = m.start[r+1] - 1
			}
		}
		return hit
	}
	j, r := 0, 0
	for i := 0; i < len(h); i++ {
		switch h[i] {
		case q[j]:
			j++
			if j == len(q) {
				for m.start[r+1] <= i {
					r++
				}
				hit[r] = true
				i, j = m.start[r+1]-1, 0
			}
		case 0, '\n':
			j = 0
		}
	}
	return hit
}

// match reports whether q occurs in one cell of row h (cells are separated
// by NUL): as a substring, or (fuzzy) as a subsequence of bytes within the
// cell, so "kri" finds Kristen but not "bob-laptop … Okafor … macOS 14".
func match(h, q string, fuzzy bool) bool {
	if !fuzzy {
		return strings.Contains(h, q)
	}
	j := 0
	for i := 0; i < len(h); i++ {
		switch h[i] {
		case q[j]:
			j++
			if j == len(q) {
				return true
			}
		case 0:
			j = 0
		}
	}
	return false
}

// highlight marks the bytes of cell that the filter matched: the typed
// text where it occurs, else (fuzzy) the first subsequence in the cell.
// Comparison folds ASCII case only, so byte positions stay aligned.
func highlight(cell, q string, fuzzy bool) []bool {
	mask := make([]bool, len(cell))
	low := []byte(cell)
	for i, c := range low {
		if 'A' <= c && c <= 'Z' {
			low[i] = c + 'a' - 'A'
		}
	}
	ls := string(low)
	if k := strings.Index(ls, q); k >= 0 {
		for i := k; i < k+len(q); i++ {
			mask[i] = true
		}
		return mask
	}
	if !fuzzy {
		return mask
	}
	var at []int
	for i, j := 0, 0; i < len(ls) && j < len(q); i++ {
		if ls[i] == q[j] {
			at = append(at, i)
			j++
		}
	}
	if len(at) == len(q) {
		for _, i := range at {
			mask[i] = true
		}
	}
	return mask
}
