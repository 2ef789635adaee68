package graphdir

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
	absser "github.com/microsoft/kiota-abstractions-go/serialization"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/valtuusbotti/valtuusbotti/internal/directory"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// maxDeltaPages stops a delta round whose server keeps sending next links (a city's users come in tens of pages).
const maxDeltaPages = 10000

var _ directory.DeltaSource = (*Graph)(nil)

// deltaFields are the properties a delta round tracks: selectFields, userType (guests are not the organisation's
// people) and, as Graph v1.0's users/delta supports it in $select (not $expand, which is beta only), the manager
// relation, reported as a "manager@delta" annotation. Only selected properties are tracked, and the $select of the
// first request is carried in the links.
func deltaFields() []string { return append(selectFields(), "userType", "manager") }

// Delta implements directory.DeltaSource with GET /users/delta through the SDK's request builder and adapter (its
// middleware retries 429 and 503 honouring Retry-After). link "" starts a full round; otherwise link is the
// @odata.deltaLink the previous round ended with. Every page is followed (@odata.nextLink, only on the configured
// Graph host), and the round's @odata.deltaLink is returned as the next link. A user deleted is a Change with
// Removed (@removed); in a tracked round a Change carries only the properties Graph sent.
//
// A link Graph no longer knows (410 Gone, or the error codes syncStateNotFound / resyncRequired: delta tokens of
// directory objects last seven days) fails with an error wrapping directory.ErrDeltaExpired.
//
// The pages are read with our own parsable rather than the SDK's user model, which cannot tell a property sent as
// null (cleared: a department removed) from one not sent (unchanged).
func (g *Graph) Delta(ctx context.Context, link string) (directory.Delta, error) {
	const op = "graphdir.Delta"
	full := link == ""
	builder := g.users.Delta()
	var cfg *users.DeltaRequestBuilderGetRequestConfiguration
	if full {
		cfg = &users.DeltaRequestBuilderGetRequestConfiguration{
			QueryParameters: &users.DeltaRequestBuilderGetQueryParameters{Select: deltaFields()}}
	} else {
		if err := g.checkNextLink(link); err != nil {
			return directory.Delta{}, &domain.Error{Code: domain.EInvalid, Op: op, Message: "the stored delta link is not on the Graph endpoint", Err: err}
		}
		builder = builder.WithUrl(link)
	}
	out := directory.Delta{Full: full}
	errorMapping := abs.ErrorMappings{"XXX": odataerrors.CreateODataErrorFromDiscriminatorValue}
	for n := 1; ; n++ {
		info, err := builder.ToGetRequestInformation(ctx, cfg)
		if err != nil {
			return directory.Delta{}, &domain.Error{Code: domain.EInternal, Op: op, Message: "cannot build the delta request", Err: err}
		}
		res, err := builder.BaseRequestBuilder.RequestAdapter.Send(ctx, info, newDeltaPage, errorMapping)
		if err != nil {
			if expired(err) {
				return directory.Delta{}, &domain.Error{Code: domain.EUnavailable, Op: op, Message: "the delta link has expired",
					Err: errors.Join(directory.ErrDeltaExpired, err)}
			}
			return directory.Delta{}, mapError(op, err, &domain.Error{Code: domain.EInternal, Op: op, Message: "Microsoft Graph has no users/delta here"})
		}
		page, ok := res.(*deltaPage)
		if !ok || page == nil {
			return directory.Delta{}, &domain.Error{Code: domain.EInternal, Op: op, Message: "Microsoft Graph sent an empty delta page"}
		}
		for _, u := range page.value {
			if c, ok := u.change(full); ok {
				out.Changes = append(out.Changes, c)
			}
		}
		if page.deltaLink != "" {
			if err := g.checkNextLink(page.deltaLink); err != nil {
				return directory.Delta{}, &domain.Error{Code: domain.EInternal, Op: op, Message: "Microsoft Graph sent a bad delta link", Err: err}
			}
			out.Link = page.deltaLink
			return out, nil
		}
		switch {
		case page.nextLink == "":
			return directory.Delta{}, &domain.Error{Code: domain.EInternal, Op: op, Message: "a delta page had neither a next link nor a delta link"}
		case n >= maxDeltaPages:
			return directory.Delta{}, &domain.Error{Code: domain.EInternal, Op: op, Message: fmt.Sprintf("Microsoft Graph sent more than %d delta pages", maxDeltaPages)}
		}
		if err := g.checkNextLink(page.nextLink); err != nil {
			return directory.Delta{}, &domain.Error{Code: domain.EInternal, Op: op, Message: "Microsoft Graph sent a bad next-page link", Err: err}
		}
		builder, cfg = g.users.Delta().WithUrl(page.nextLink), nil // the link carries $select and $skiptoken
	}
}

// expired reports whether Graph refused a delta link as expired or reset: 410 Gone (its Location is the initial
// request again), or a 40X error with the code syncStateNotFound, resyncRequired or syncStateInvalid.
func expired(err error) bool {
	var apiErr abs.ApiErrorable
	if errors.As(err, &apiErr) && apiErr.GetStatusCode() == http.StatusGone {
		return true
	}
	switch strings.ToLower(graphCode(err)) {
	case "syncstatenotfound", "resyncrequired", "syncstateinvalid":
		return true
	}
	return false
}

// deltaPage is one page of a delta round.
type deltaPage struct {
	value     []*deltaUser
	nextLink  string
	deltaLink string
}

func newDeltaPage(absser.ParseNode) (absser.Parsable, error) { return &deltaPage{}, nil }

func (p *deltaPage) Serialize(absser.SerializationWriter) error {
	return errors.New("graphdir: a delta page is only read")
}

func (p *deltaPage) GetFieldDeserializers() map[string]func(absser.ParseNode) error {
	return map[string]func(absser.ParseNode) error{
		"value": func(n absser.ParseNode) error {
			vals, err := n.GetCollectionOfObjectValues(newDeltaUser)
			for _, v := range vals {
				if u, ok := v.(*deltaUser); ok && u != nil {
					p.value = append(p.value, u)
				}
			}
			return err
		},
		"@odata.nextLink":  stringInto(&p.nextLink, nil),
		"@odata.deltaLink": stringInto(&p.deltaLink, nil),
	}
}

// deltaUser is one user of a delta page, remembering which properties were sent (null included).
type deltaUser struct {
	sent                                                         directory.Field
	id, name, mail, upn, department, company, jobTitle, userType string
	mailSent, upnSent, enabled, removed, typeSent                bool
	leave                                                        *time.Time
	managers                                                     []*deltaRef
}

func newDeltaUser(absser.ParseNode) (absser.Parsable, error) { return &deltaUser{}, nil }

func (u *deltaUser) Serialize(absser.SerializationWriter) error {
	return errors.New("graphdir: a delta user is only read")
}

func (u *deltaUser) GetFieldDeserializers() map[string]func(absser.ParseNode) error {
	mark := func(f directory.Field) func() { return func() { u.sent |= f } }
	return map[string]func(absser.ParseNode) error{
		"id":                stringInto(&u.id, nil),
		"displayName":       stringInto(&u.name, mark(directory.FieldDisplayName)),
		"mail":              stringInto(&u.mail, func() { u.mailSent = true }),
		"userPrincipalName": stringInto(&u.upn, func() { u.upnSent = true }),
		"userType":          stringInto(&u.userType, func() { u.typeSent = true }),
		"department":        stringInto(&u.department, mark(directory.FieldDepartment)),
		"companyName":       stringInto(&u.company, mark(directory.FieldCompanyName)),
		"jobTitle":          stringInto(&u.jobTitle, mark(directory.FieldJobTitle)),
		"accountEnabled": func(n absser.ParseNode) error {
			u.sent |= directory.FieldAccountEnabled
			v, err := n.GetBoolValue()
			u.enabled = v != nil && *v
			return err
		},
		"employeeLeaveDateTime": func(n absser.ParseNode) error {
			u.sent |= directory.FieldLeaveDate
			v, err := n.GetTimeValue()
			if v != nil {
				t := v.UTC()
				u.leave = &t
			}
			return err
		},
		"manager@delta": func(n absser.ParseNode) error {
			u.sent |= directory.FieldManager
			vals, err := n.GetCollectionOfObjectValues(newDeltaRef)
			for _, v := range vals {
				if r, ok := v.(*deltaRef); ok && r != nil {
					u.managers = append(u.managers, r)
				}
			}
			return err
		},
		"@removed": func(absser.ParseNode) error { u.removed = true; return nil },
	}
}

// change maps the user; in a full round every property counts as sent (one never set is not sent at all). A guest
// account (userType Guest) is no person of the organisation: it is reported as removed, so a guest never joins and
// a member turned guest leaves.
func (u *deltaUser) change(full bool) (directory.Change, bool) {
	id, ok := directory.CanonicalID(u.id)
	if !ok {
		return directory.Change{}, false
	}
	if u.removed || strings.EqualFold(u.userType, "Guest") {
		return directory.Change{Person: domain.DirectoryPerson{User: domain.User{ID: id}}, Removed: true}, true
	}
	p := domain.DirectoryPerson{User: domain.User{ID: id, DisplayName: u.name, Mail: u.mail, Department: u.department,
		CompanyName: u.company, JobTitle: u.jobTitle, AccountEnabled: u.enabled, LeaveDate: u.leave}}
	if p.Mail == "" {
		p.Mail = u.upn
	}
	sent := u.sent
	if u.mailSent || u.upnSent {
		sent |= directory.FieldMail
	}
	// The manager is the last reference not marked @removed; only removed ones mean the manager was taken away.
	for _, r := range u.managers {
		if !r.removed {
			p.ManagerID, _ = directory.CanonicalID(r.id)
		} else if cid, _ := directory.CanonicalID(r.id); cid == p.ManagerID {
			p.ManagerID = ""
		}
	}
	if full {
		sent = directory.AllFields
	}
	return directory.Change{Person: p, Fields: sent}, true
}

// deltaRef is one entry of a "manager@delta" annotation.
type deltaRef struct {
	id      string
	removed bool
}

func newDeltaRef(absser.ParseNode) (absser.Parsable, error) { return &deltaRef{}, nil }

func (r *deltaRef) Serialize(absser.SerializationWriter) error {
	return errors.New("graphdir: a manager reference is only read")
}

func (r *deltaRef) GetFieldDeserializers() map[string]func(absser.ParseNode) error {
	return map[string]func(absser.ParseNode) error{
		"id":       stringInto(&r.id, nil),
		"@removed": func(absser.ParseNode) error { r.removed = true; return nil },
	}
}

// stringInto reads a string property (null reads as ""), calling sent when the property was in the page at all.
func stringInto(dst *string, sent func()) func(absser.ParseNode) error {
	return func(n absser.ParseNode) error {
		if sent != nil {
			sent()
		}
		v, err := n.GetStringValue()
		if v != nil {
			*dst = *v
		} else {
			*dst = ""
		}
		return err
	}
}
