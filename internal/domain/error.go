package domain

import (
	"errors"
	"fmt"
)

// Error kinds. Each adapter translates its own failures into one of these; the edge (HTTP, chat replies) maps
// them to a status code or a localised message exactly once.
const (
	EInvalid     = "invalid"     // the caller sent something wrong: fix the input
	ENotFound    = "not_found"   // the thing does not exist (or the caller may not know that it does)
	EConflict    = "conflict"    // the state changed underneath; e.g. a request already decided
	EForbidden   = "forbidden"   // the caller is known but may not do this
	EUnavailable = "unavailable" // a dependency is down; retrying later may help
	EInternal    = "internal"    // a bug or an unexpected failure
)

// Error is the one error type of the application. Code is one of the E* kinds, Message is safe to show to the
// person who caused it (it never holds tokens or personal identity codes), Op names the operation, Err the cause.
type Error struct {
	Code    string
	Op      string
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Message == "" && e.Err != nil {
		// A wrapper: the cause already names its kind.
		if e.Op != "" {
			return e.Op + ": " + e.Err.Error()
		}
		return e.Err.Error()
	}
	if e.Op != "" {
		return fmt.Sprintf("%s: %s: %s", e.Op, e.Code, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of the given kind with a formatted, user-safe message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap attaches op to err, keeping its kind (a plain error becomes EInternal) and its full text for logs, while
// ErrorMessage still gives users only the safe message. Wrap(nil) is nil.
func Wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Code: ErrorCode(err), Op: op, Err: err}
}

// ErrorCode returns the kind of err: the code of the first *Error in its chain, EInternal for any other error, and
// "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the user-safe message of err; for errors that are not *Error it returns a generic text so
// that internal details never reach a user.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	for err != nil {
		if e, ok := err.(*Error); ok && e.Message != "" {
			return e.Message
		}
		err = errors.Unwrap(err)
	}
	return "internal error"
}

// IsCode reports whether err is of the given kind.
func IsCode(err error, code string) bool { return err != nil && ErrorCode(err) == code }
