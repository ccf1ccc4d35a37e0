package model

import (
	"fmt"
	"sort"
	"time"
)

// RetentionPolicy keeps the newest backup of each of the last Daily days,
// Weekly ISO weeks and Monthly months (UTC). Defaults 7/4/12.
type RetentionPolicy struct {
	Daily, Weekly, Monthly int
}

// DefaultRetention is 7 daily, 4 weekly, 12 monthly.
var DefaultRetention = RetentionPolicy{Daily: 7, Weekly: 4, Monthly: 12}

// Validate refuses negative counts.
func (p RetentionPolicy) Validate() error {
	for _, f := range []struct {
		name string
		n    int
	}{{"daily", p.Daily}, {"weekly", p.Weekly}, {"monthly", p.Monthly}} {
		if f.n < 0 {
			return Invalid(f.name, fmt.Sprint(f.n), "must be 0 or more")
		}
	}
	return nil
}

// RetentionItem is one good backup: a key (file name) and when it was taken.
type RetentionItem struct {
	Key string
	At  time.Time
}

// RetentionDecision says whether to keep an item and why.
type RetentionDecision struct {
	Key     string    `json:"file"`
	At      time.Time `json:"at"`
	Keep    bool      `json:"keep"`
	Reasons []string  `json:"reasons"` // e.g. "daily 2026-11-27", "weekly 2026-W48", "newest"
}

// SelectRetention decides which backups to keep, newest first. Each period
// (day, week, month) keeps its newest backup until the policy's count of
// periods is reached. The newest backup is always kept, so a policy of
// zeros never deletes the last backup.
func SelectRetention(items []RetentionItem, p RetentionPolicy) []RetentionDecision {
	sorted := append([]RetentionItem(nil), items...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if !sorted[i].At.Equal(sorted[j].At) {
			return sorted[i].At.After(sorted[j].At)
		}
		return sorted[i].Key > sorted[j].Key
	})
	out := make([]RetentionDecision, len(sorted))
	for i, it := range sorted {
		out[i] = RetentionDecision{Key: it.Key, At: it.At}
	}
	buckets := []struct {
		label string
		n     int
		key   func(time.Time) string
	}{
		{"daily", p.Daily, func(t time.Time) string { return t.Format("2006-01-02") }},
		{"weekly", p.Weekly, func(t time.Time) string { y, w := t.ISOWeek(); return fmt.Sprintf("%d-W%02d", y, w) }},
		{"monthly", p.Monthly, func(t time.Time) string { return t.Format("2006-01") }},
	}
	for _, b := range buckets {
		seen := map[string]bool{}
		for i := range out {
			if len(seen) >= b.n {
				break
			}
			k := b.key(out[i].At.UTC())
			if seen[k] {
				continue
			}
			seen[k] = true
			out[i].Keep = true
			out[i].Reasons = append(out[i].Reasons, b.label+" "+k)
		}
	}
	if len(out) > 0 && !out[0].Keep {
		out[0].Keep = true
		out[0].Reasons = append(out[0].Reasons, "newest")
	}
	return out
}
