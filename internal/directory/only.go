package directory

import (
	"context"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// Only returns one organisation's view of a directory several organisations share (a city and its municipal
// enterprises in one Entra tenant); member says who belongs to the organisation, nil meaning everyone (then d
// itself is returned).
//
// What the view filters, and what it does not:
//   - User and Manager pass through unchanged: a person is known by object id whichever organisation they belong
//     to (an approval may need a manager outside the organisation). A caller that needs membership asks member.
//   - DirectReports returns only the members among the person's reports (a team view and the colleagues offered
//     as deputies are the organisation's people); the person themself need not be a member.
//   - When d is a Finder, so is the view (and only then: a type assertion to Finder, like the import's
//     importer.People, succeeds exactly when it does on d): UserByMail answers domain.ENotFound for a person who is
//     not a member, as if nobody had the address (an address two people have stays domain.EConflict), and UsersByName
//     leaves non-members out, so a list written by hand is matched with the organisation's people only.
//   - The view is no DeltaSource: the directory sync reads the whole directory's changes and applies the rule
//     itself (dirsync.Syncer.Member), as a person leaving or joining the organisation is a change of membership.
//     Nor does it offer what a particular implementation adds (Cached.Forget, File.Entries, Graph's app
//     installation): keep the value Only wraps for those.
func Only(d Directory, member func(domain.User) bool) Directory {
	if member == nil {
		return d
	}
	o := &only{d: d, member: member}
	if f, ok := d.(Finder); ok {
		return &onlyFinder{only: o, f: f}
	}
	return o
}

// only is the view of a directory that is not a Finder.
type only struct {
	d      Directory
	member func(domain.User) bool
}

// onlyFinder is the view of a directory that is also a Finder.
type onlyFinder struct {
	*only
	f Finder
}

var (
	_ Directory = (*only)(nil)
	_ Directory = (*onlyFinder)(nil)
	_ Finder    = (*onlyFinder)(nil)
)

// User implements Directory: anyone in the directory, member or not.
func (o *only) User(ctx context.Context, id string) (domain.User, error) { return o.d.User(ctx, id) }

// Manager implements Directory: the person's manager, member or not.
func (o *only) Manager(ctx context.Context, id string) (domain.User, error) {
	return o.d.Manager(ctx, id)
}

// DirectReports implements Directory: the members among the person's direct reports.
func (o *only) DirectReports(ctx context.Context, id string) ([]domain.User, error) {
	us, err := o.d.DirectReports(ctx, id)
	if err != nil {
		return nil, err
	}
	return o.members(us), nil
}

// members returns the members among us, in order; never nil.
func (o *only) members(us []domain.User) []domain.User {
	out := make([]domain.User, 0, len(us))
	for _, u := range us {
		if o.member(u) {
			out = append(out, u)
		}
	}
	return out
}

// UserByMail implements Finder: the member who has the address; domain.ENotFound when its owner is not one.
func (o *onlyFinder) UserByMail(ctx context.Context, mail string) (domain.User, error) {
	u, err := o.f.UserByMail(ctx, mail)
	if err != nil {
		return domain.User{}, err
	}
	if !o.member(u) {
		return domain.User{}, UserNotFound("directory.Only.UserByMail")
	}
	return u, nil
}

// UsersByName implements Finder: the members of that name.
func (o *onlyFinder) UsersByName(ctx context.Context, name string) ([]domain.User, error) {
	us, err := o.f.UsersByName(ctx, name)
	if err != nil {
		return nil, err
	}
	return o.members(us), nil
}
