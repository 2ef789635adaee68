package directory

import (
	"context"
	"errors"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// Field is a set of the properties of a directory person that a Change carries.
type Field uint8

// The properties a Change can carry.
const (
	FieldDisplayName Field = 1 << iota
	FieldMail
	FieldDepartment
	FieldJobTitle
	FieldAccountEnabled
	FieldLeaveDate
	FieldManager
	FieldCompanyName

	AllFields = FieldDisplayName | FieldMail | FieldDepartment | FieldJobTitle | FieldAccountEnabled | FieldLeaveDate |
		FieldManager | FieldCompanyName
)

// Change is one person as a delta round reported them. Only the properties in Fields are news: the others are as
// the previous snapshot had them (Microsoft Graph may leave unchanged properties out of a tracked change).
type Change struct {
	Person  domain.DirectoryPerson // Person.ID is always set
	Fields  Field
	Removed bool // the person was deleted from the directory (Graph's @removed)
}

// Delta is one round of changes in the directory.
type Delta struct {
	// Changes in the order the directory reported them; one person may appear more than once, the later wins.
	Changes []Change
	// Full means Changes holds every person in the directory: someone in the previous snapshot but not here is gone.
	Full bool
	// Link is where the next round continues (Graph's @odata.deltaLink); pass it to the next Delta call.
	Link string
}

// DeltaSource reports the changes in the directory since a link an earlier round returned; link "" asks for a
// full round (everyone). graphdir.Graph (users/delta) and FileWatch (the demo file) implement it.
type DeltaSource interface {
	Delta(ctx context.Context, link string) (Delta, error)
}

// ErrDeltaExpired is the cause of a Delta call whose link the directory no longer knows (Graph's delta tokens
// last seven days; it answers 410 Gone or a syncStateNotFound error): the caller starts again with a full round.
var ErrDeltaExpired = errors.New("directory: the delta link has expired, a full sync is needed")
