package workflow

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"

	"github.com/valtuusbotti/valtuusbotti/internal/alerts"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// ---- grant paths and the right to grant ------------------------------------------------------------------------
//
// An approved request takes one grant path (the organisation's Grant policy): on the valtuuspyyntö path the
// employee gets the steps to file the request in Suomi.fi and says when they did (Filed), and only then do the main
// users get the task of accepting it; on the direct path the main users get the grant task at once. Items whose
// theme is outside the organisation's valtuutusoikeus wait for the right to grant: the main users get the task of
// applying to DVV, and when one of them records that DVV registered it (RecordRight) those items continue.

// Filed records the employee's word that they sent the valtuuspyyntö in Suomi.fi; the main users then get the
// task of accepting it.
func (s *Service) Filed(ctx context.Context, actorID string, requestID int64, activityID string) (domain.Request, error) {
	at := s.now()
	return s.change(ctx, "workflow.Filed", requestID, func(tx Tx, r *domain.Request) error {
		if !r.MayView(actorID, s.IsMainUser(actorID)) {
			return forbidden("err.no_access")
		}
		before := r.Clone()
		if _, err := r.MarkFiled(actorID, at); err != nil {
			return err
		}
		if err := tx.UpdateRequest(ctx, r); err != nil {
			return err
		}
		if err := audit(ctx, tx, actorID, "request.filed", &before, r, activityID); err != nil {
			return err
		}
		if err := s.plan(ctx, tx, alerts.EventFiled, r); err != nil {
			return err
		}
		msgs, err := s.grantMessages(ctx, tx, r)
		if err != nil {
			return err
		}
		return enqueue(ctx, tx, append(msgs, domain.Message("", r.ID, domain.RefreshCards{}))...)
	})
}

// GrantDirectly switches an approved request to the direct grant, when the employee cannot file a valtuuspyyntö
// and the organisation allows it; the requester or a main user asks for it.
func (s *Service) GrantDirectly(ctx context.Context, actorID string, requestID int64, activityID string) (domain.Request, error) {
	return s.change(ctx, "workflow.GrantDirectly", requestID, func(tx Tx, r *domain.Request) error {
		main := s.IsMainUser(actorID)
		if !r.MayView(actorID, main) {
			return forbidden("err.no_access")
		}
		before := r.Clone()
		if err := r.UseDirectGrant(actorID, main, s.Catalog.Org.Grant.DirectAllowed()); err != nil {
			return err
		}
		if err := tx.UpdateRequest(ctx, r); err != nil {
			return err
		}
		if err := audit(ctx, tx, actorID, "request.path.direct", &before, r, activityID); err != nil {
			return err
		}
		if err := s.plan(ctx, tx, alerts.EventDirect, r); err != nil {
			return err
		}
		msgs, err := s.nextSteps(ctx, tx, r, grantableIDs(r))
		if err != nil {
			return err
		}
		return enqueue(ctx, tx, append(msgs, domain.Message("", r.ID, domain.RefreshCards{}))...)
	})
}

// RightInput is a main user's record that DVV registered the organisation's valtuutusoikeus for a theme.
type RightInput struct {
	ActorID      string
	ThemeID      string
	RegisteredOn domain.Date // the day DVV registered it; not in the future
	ActivityID   string
}

// RecordRight records a theme DVV added to the organisation's valtuutusoikeus, and moves every item that waited
// for it on: the requester gets the valtuuspyyntö steps, or the main users the grant task. It returns how many
// requests continued.
func (s *Service) RecordRight(ctx context.Context, in RightInput) (int, error) {
	const op = "workflow.RecordRight"
	if !s.IsMainUser(in.ActorID) {
		return 0, forbidden("err.not_main_user")
	}
	if _, ok := s.Catalog.Theme(in.ThemeID); !ok {
		return 0, invalid("err.unknown_theme")
	}
	if in.RegisteredOn.IsZero() || in.RegisteredOn.After(s.Today()) {
		return 0, invalid("err.bad_right_date")
	}
	if s.Catalog.Org.CoversOn(in.ThemeID, s.Today()) {
		return 0, conflict("err.right_already_recorded")
	}
	waiting, err := s.Store.RequestsAwaitingGrant(ctx)
	if err != nil {
		return 0, domain.Wrap(op, err)
	}
	moved := 0
	err = s.Store.InTx(ctx, func(tx Tx) error {
		moved = 0
		right := domain.GrantingRight{ThemeID: in.ThemeID, RegisteredOn: in.RegisteredOn, RecordedBy: in.ActorID}
		if err := tx.RecordRight(ctx, right); err != nil {
			return err
		}
		after, _ := json.Marshal(map[string]any{"theme_id": in.ThemeID, "registered_on": in.RegisteredOn.String()})
		if err := tx.AppendAudit(ctx, domain.AuditEvent{ActorID: in.ActorID, Action: "right.registered",
			Before: json.RawMessage("null"), After: after, ActivityID: in.ActivityID}); err != nil {
			return err
		}
		for _, w := range waiting {
			ok, err := s.continueAfterRight(ctx, tx, w.ID, in)
			if err != nil {
				return err
			}
			if ok {
				moved++
			}
		}
		return nil
	})
	if err != nil {
		return 0, domain.Wrap(op, err)
	}
	s.committed()
	s.log().InfoContext(ctx, "granting right recorded", slog.String("theme", in.ThemeID), slog.Int("requests", moved))
	return moved, nil
}

// continueAfterRight moves one request's items that waited for the right on, reading it again in the
// transaction; false when it had none (any more).
func (s *Service) continueAfterRight(ctx context.Context, tx Tx, id int64, in RightInput) (bool, error) {
	r, err := tx.Request(ctx, id)
	if err != nil {
		return false, err
	}
	before := r.Clone()
	items := r.RightRegistered(in.ThemeID)
	if len(items) == 0 {
		return false, nil
	}
	if err := tx.UpdateRequest(ctx, &r); err != nil {
		return false, err
	}
	if err := audit(ctx, tx, in.ActorID, "request.right_registered", &before, &r, in.ActivityID); err != nil {
		return false, err
	}
	if err := s.plan(ctx, tx, alerts.EventRight, &r); err != nil {
		return false, err
	}
	var ids []int64
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	msgs, err := s.nextSteps(ctx, tx, &r, ids)
	if err != nil {
		return false, err
	}
	return true, enqueue(ctx, tx, append(msgs, domain.Message("", r.ID, domain.RefreshCards{}))...)
}

// coverRecorded marks the approved items whose theme a main user has recorded a right for since the request was
// made, so they do not wait for a right the organisation already has.
func (s *Service) coverRecorded(ctx context.Context, tx Tx, r *domain.Request) error {
	for i := range r.Items {
		it := &r.Items[i]
		if !it.AwaitingRight() {
			continue
		}
		has, err := tx.HasRight(ctx, it.ThemeID)
		if err != nil {
			return err
		}
		it.Covered = has
	}
	return nil
}

// nextSteps are the messages that move the given grantable items of r on: on the valtuuspyyntö path the
// requester's steps for them, on the direct path the main users' grant task.
func (s *Service) nextSteps(ctx context.Context, tx Tx, r *domain.Request, itemIDs []int64) ([]domain.OutboxMessage, error) {
	if len(itemIDs) == 0 {
		return nil, nil
	}
	if r.GrantPath == domain.PathDirect {
		return s.grantMessages(ctx, tx, r)
	}
	return []domain.OutboxMessage{domain.Message(r.RequesterID, r.ID, domain.RequestSteps{Items: itemIDs})}, nil
}

// grantMessages tell each main user about r's grant task: a card of its own, or their task list when many tasks
// arrive at once (see domain.GrantMessage).
func (s *Service) grantMessages(ctx context.Context, tx Tx, r *domain.Request) ([]domain.OutboxMessage, error) {
	var msgs []domain.OutboxMessage
	for _, mu := range s.Catalog.Org.MainUsers {
		cards, err := tx.TaskCards(ctx, mu)
		if err != nil {
			return nil, err
		}
		if p := domain.GrantMessage(cards); p != nil {
			msgs = append(msgs, domain.Message(mu, r.ID, p))
		}
	}
	return msgs, nil
}

// applications tell the main users which of r's themes need an application to DVV: those no earlier request is
// already waiting for (the main users were told about those then).
func (s *Service) applications(ctx context.Context, tx Tx, r *domain.Request) ([]domain.OutboxMessage, error) {
	var themes []string
	for _, it := range r.Items {
		if !it.AwaitingRight() || slices.Contains(themes, it.ThemeID) {
			continue
		}
		n, err := tx.AwaitingRight(ctx, it.ThemeID)
		if err != nil {
			return nil, err
		}
		if n <= 1 { // only this request's item waits for it
			themes = append(themes, it.ThemeID)
		}
	}
	if len(themes) == 0 {
		return nil, nil
	}
	var msgs []domain.OutboxMessage
	for _, mu := range s.Catalog.Org.MainUsers {
		msgs = append(msgs, domain.Message(mu, r.ID, domain.ApplicationNeeded{Themes: themes}))
	}
	return msgs, nil
}

// grantableIDs are the ids of r's items a main user can grant now.
func grantableIDs(r *domain.Request) []int64 {
	var ids []int64
	for _, it := range r.Items {
		if it.Grantable() {
			ids = append(ids, it.ID)
		}
	}
	return ids
}

// covered is the organisation's valtuutusoikeus today: the themes of the holders whose right is in force (or the
// catalog's covered themes) and those main users recorded since.
func (s *Service) covered(ctx context.Context) (func(themeID string) bool, error) {
	rights, err := s.Store.GrantingRights(ctx)
	if err != nil {
		return nil, err
	}
	today := s.Today()
	return func(themeID string) bool {
		return s.Catalog.Org.CoversOn(themeID, today) ||
			slices.ContainsFunc(rights, func(g domain.GrantingRight) bool { return g.ThemeID == themeID })
	}, nil
}
