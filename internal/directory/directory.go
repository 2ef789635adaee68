// Package directory answers who a person is and who their manager is: the organisation chart as Entra ID knows it.
//
// Directory is the small interface the rest of the bot uses. This package holds the file-backed implementation
// used for the demo and local development (LoadFile, LoadDemo with the embedded demo.yaml), Cached, a TTL cache
// with singleflight in front of any Directory, and Only, one organisation's view of a directory several share. The
// Microsoft Graph implementation lives in the graphdir sub-package, the only package that links the Graph SDK.
package directory

import (
	"context"
	"strings"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// Directory looks people up in the organisation's directory by Entra object id: domain.Directory (User, and
// Manager: ENotFound when the person is unknown or has no manager) and the reverse relation.
type Directory interface {
	domain.Directory
	// DirectReports returns the people whose manager the person is (empty when none); domain.ENotFound when the
	// person is unknown.
	DirectReports(ctx context.Context, id string) ([]domain.User, error)
}

// Finder finds people by what a list written by hand says of them: an e-mail address or a name. The import of
// the main users' own lists uses it; File, Cached and graphdir.Graph implement it.
type Finder interface {
	// UserByMail returns the person whose mail (or user principal name) is mail, in any case; domain.ENotFound
	// when nobody has it.
	UserByMail(ctx context.Context, mail string) (domain.User, error)
	// UsersByName returns the people whose display name is name, in any case and spacing; empty when nobody's is.
	UsersByName(ctx context.Context, name string) ([]domain.User, error)
}

// NameKey is how names are compared: lower case, with every run of spaces as one space and none around.
func NameKey(name string) string { return strings.ToLower(strings.Join(strings.Fields(name), " ")) }

// CanonicalID returns id as a lower-case GUID (the form Entra uses for object ids) and whether id is a GUID at
// all. Surrounding braces are not accepted: Teams and Graph never send them.
func CanonicalID(id string) (string, bool) {
	if len(id) != 36 {
		return "", false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return "", false
			}
		default:
			if !isHex(c) {
				return "", false
			}
		}
	}
	return strings.ToLower(id), true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// InvalidID is the error every implementation returns for an id that is not an Entra object id.
func InvalidID(op string) error {
	return &domain.Error{Code: domain.EInvalid, Op: op, Message: "not an Entra object id"}
}

// CloneUser returns a copy of u that shares no memory with it (LeaveDate is a pointer), so a cache or a file can
// hand users out without callers being able to change what it holds.
func CloneUser(u domain.User) domain.User {
	if u.LeaveDate != nil {
		t := *u.LeaveDate
		u.LeaveDate = &t
	}
	return u
}
