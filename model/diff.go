package model

import (
	"encoding/json"
	"fmt"
	"sort"
)

// DiffJSON compares two audit snapshots (JSON objects) and returns
// "field: old → new" for each changed top-level field, sorted by field. A
// create lists nothing but says "created"; timestamps are skipped.
func DiffJSON(before, after string) []string {
	var b, a map[string]any
	_ = json.Unmarshal([]byte(before), &b)
	_ = json.Unmarshal([]byte(after), &a)
	switch {
	case b == nil && a == nil:
		return nil
	case b == nil:
		return []string{"created"}
	case a == nil:
		return []string{"removed"}
	}
	var out []string
	for k, av := range a {
		if k == "updated_at" || k == "created_at" {
			continue
		}
		bv := b[k]
		if fmt.Sprint(bv) != fmt.Sprint(av) {
			out = append(out, fmt.Sprintf("%s: %s → %s", k, show(bv), show(av)))
		}
	}
	sort.Strings(out)
	return out
}

func show(v any) string {
	if v == nil {
		return "∅"
	}
	if s, ok := v.(string); ok {
		if s == "" {
			return `""`
		}
		return Truncate(s, 30)
	}
	return fmt.Sprint(v)
}
