package store

import "strings"

// filter builds a WHERE clause from optional equality conditions: a zero
// value ("" or 0) means "any", so query structs map onto it directly.
type filter struct {
	conds []string
	args  []any
}

// eq adds "column = value" unless value is zero.
func (f *filter) eq(column string, value any) *filter {
	switch v := value.(type) {
	case string:
		if v == "" {
			return f
		}
	case int64:
		if v == 0 {
			return f
		}
	}
	f.conds = append(f.conds, column+" = ?")
	f.args = append(f.args, value)
	return f
}

// sql is the clause without "WHERE" ("1=1" when there is no condition).
func (f *filter) sql() string {
	if len(f.conds) == 0 {
		return "1=1"
	}
	return strings.Join(f.conds, " AND ")
}
