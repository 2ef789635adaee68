// Package views assembles the cards that show one request as it is now, for the conversation flows (a person's
// own turn) and for delivery (proactive messages and card refreshes) alike: it looks up the names the cards show
// and the ids Teams needs, then calls the pure card builders in cards/.
package views

import (
	"context"
	"maps"
	"time"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// Views builds request cards.
type Views struct {
	Catalog   *catalog.Catalog
	Directory domain.Directory
	Refs      domain.Refs
	Now       func() time.Time
	// Grants tells whether a main user has recorded grants before (sqlstore.Register); nil shows every main user
	// the Suomi.fi steps open, as the first time.
	Grants GrantHistory
}

// GrantHistory counts the mandates a person has recorded as granted.
type GrantHistory interface {
	MandatesGrantedBy(ctx context.Context, actorID string) (int, error)
}

// Approval is the approval card for r: interactive only for the approver of a pending request, final once decided.
// approverUserID is the approver's "29:" id, which the card's refresh needs ("" when unknown).
func (v *Views) Approval(ctx context.Context, p i18n.Printer, r domain.Request, approverUserID string, interactive bool, errText string) *cards.Card {
	return cards.Approval(p, cards.ApprovalInput{Catalog: v.Catalog, Request: r, ApproverUserID: approverUserID,
		Interactive: interactive, Error: errText, Now: v.Now(), People: v.people(ctx, r)})
}

// ApprovalCopy is the approval card as the copy posted to readerID shows it (readerUserID is their "29:" id): the
// approver's copy is live while the request waits (with a refresh for them); the copy of someone the request has
// moved away from (escalated, delegated, back from a delegation) says who decides now, with nothing to press.
func (v *Views) ApprovalCopy(ctx context.Context, p i18n.Printer, r domain.Request, readerID, readerUserID string) *cards.Card {
	return cards.Approval(p, cards.ApprovalInput{Catalog: v.Catalog, Request: r, ApproverUserID: readerUserID,
		Now: v.Now(), People: v.people(ctx, r), Reader: readerID})
}

// Grant is the main users' grant task card for r, as the main user reader sees it: the sole main user reading their
// own request gets the confirmation that segregation of duties asks of them.
func (v *Views) Grant(ctx context.Context, p i18n.Printer, r domain.Request, reader, errText string) *cards.Card {
	org := v.Catalog.Org
	self := reader == r.RequesterID && len(org.MainUsers) == 1 && org.IsMainUser(reader)
	return cards.GrantTask(p, cards.GrantTaskInput{Catalog: v.Catalog, Request: r, OrgName: org.Name,
		BusinessID: org.BusinessID, Today: domain.Today(v.Now()).Time(), Error: errText, People: v.people(ctx, r),
		SelfGrant: self, StepsFolded: v.stepsFolded(ctx, reader)})
}

// BatchView is what a batch card shows besides who reads it: the grant path, the open grant tasks (oldest first)
// and, after a submit, its outcome per request and the themes the reader left unticked.
type BatchView struct {
	Path     domain.GrantPath
	Open     []domain.Request
	Results  []cards.BatchResult
	Unticked []int64
	Error    string
}

// GrantBatch is the batch card ("grant in one go") of one grant path for the main user reader. Their own requests
// are on it only when they are the sole main user (segregation of duties; the workflow enforces it again).
func (v *Views) GrantBatch(ctx context.Context, p i18n.Printer, reader string, b BatchView) *cards.Card {
	org := v.Catalog.Org
	people := map[string]string{}
	for _, res := range b.Results {
		maps.Copy(people, v.people(ctx, res.Request))
	}
	return cards.GrantBatch(p, cards.GrantBatchInput{Catalog: v.Catalog, Path: b.Path, Requests: b.Open, OrgName: org.Name,
		BusinessID: org.BusinessID, Today: domain.Today(v.Now()).Time(), Reader: reader,
		SoleMainUser: len(org.MainUsers) == 1 && org.IsMainUser(reader), StepsFolded: v.stepsFolded(ctx, reader),
		Results: b.Results, Unticked: b.Unticked, Error: b.Error, People: people})
}

// stepsFolded reports whether the reader has recorded at least one grant before, so that their cards fold the
// Suomi.fi steps they already know. When that cannot be read, the steps stay open: too much help beats too little.
func (v *Views) stepsFolded(ctx context.Context, reader string) bool {
	if v.Grants == nil || reader == "" {
		return false
	}
	n, err := v.Grants.MandatesGrantedBy(ctx, reader)
	return err == nil && n > 0
}

// Status is the requester's own status card for r.
func (v *Views) Status(p i18n.Printer, r domain.Request) *cards.Card {
	return cards.RequestStatus(p, cards.RequestStatusInput{Catalog: v.Catalog, Request: r, Now: v.Now()})
}

// TeamsUserID is a person's "29:" id, which card refresh needs; "" when the bot has never heard from them.
func (v *Views) TeamsUserID(ctx context.Context, aad string) string {
	ref, err := v.Refs.ConversationRef(ctx, aad)
	if err != nil {
		return ""
	}
	return ref.UserID
}

// people names who decided and who granted, so cards show names rather than object ids.
func (v *Views) people(ctx context.Context, r domain.Request) map[string]string {
	ids := []string{r.DecidedBy}
	for _, it := range r.Items {
		ids = append(ids, it.GrantedBy)
	}
	out := map[string]string{}
	for _, id := range ids {
		if id == "" || out[id] != "" {
			continue
		}
		if u, err := v.Directory.User(ctx, id); err == nil {
			out[id] = u.DisplayName
		}
	}
	return out
}
