package model

import (
	"errors"
	"fmt"
)

// FieldError reports a bad value for one field. Its message names the field,
// the value and the reason, because that one line is all a user sees on stderr.
type FieldError struct {
	Field  string
	Value  string
	Reason string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%s: %q %s", e.Field, Excerpt(e.Value), e.Reason)
}

// Invalid builds a *FieldError.
func Invalid(field, value, reason string) error {
	return &FieldError{Field: field, Value: value, Reason: reason}
}

// AsFieldError returns the first *FieldError in err's chain.
func AsFieldError(err error) (*FieldError, bool) {
	var fe *FieldError
	ok := errors.As(err, &fe)
	return fe, ok
}

// ErrNotFound is wrapped by lookups that find nothing.
var ErrNotFound = errors.New("not found")

// ErrForbidden is wrapped when the actor's role does not allow an action.
var ErrForbidden = errors.New("forbidden")
