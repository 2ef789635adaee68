package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// command is something a person can ask for by typing.
type command int

const (
	cmdNone command = iota
	cmdIntake
	cmdMine
	cmdOverview
	cmdApprovals
	cmdGrantTasks
)

// commandPhrases map typed text (normalised) to commands, with the language the phrase is in. Exact phrases come
// from the Teams command menu (manifest/) so that picking a suggested command always works.
var commandPhrases = map[string]struct {
	cmd  command
	lang domain.Lang
}{
	"mitä valtuuksia tarvitsen": {cmdIntake, domain.Finnish}, "mitä valtuuksia tarvitsen?": {cmdIntake, domain.Finnish},
	"tarvitsen valtuuden": {cmdIntake, domain.Finnish}, "uusi valtuus": {cmdIntake, domain.Finnish}, "hae valtuutta": {cmdIntake, domain.Finnish},
	"vilka fullmakter behöver jag": {cmdIntake, domain.Swedish}, "jag behöver en fullmakt": {cmdIntake, domain.Swedish}, "ny fullmakt": {cmdIntake, domain.Swedish},
	"which mandates do i need": {cmdIntake, domain.English}, "i need a mandate": {cmdIntake, domain.English}, "new mandate": {cmdIntake, domain.English},
	"omat valtuudet": {cmdMine, domain.Finnish}, "omat valtuuteni": {cmdMine, domain.Finnish}, "valtuuteni": {cmdMine, domain.Finnish},
	"mina fullmakter": {cmdMine, domain.Swedish}, "my mandates": {cmdMine, domain.English},
	"yleiskuva": {cmdOverview, domain.Finnish}, "översikt": {cmdOverview, domain.Swedish}, "overview": {cmdOverview, domain.English},
	"hyväksyttävät": {cmdApprovals, domain.Finnish}, "odottavat hyväksynnät": {cmdApprovals, domain.Finnish},
	"att godkänna": {cmdApprovals, domain.Swedish}, "approvals": {cmdApprovals, domain.English}, "pending approvals": {cmdApprovals, domain.English},
	"tehtävät": {cmdGrantTasks, domain.Finnish}, "myöntötehtävät": {cmdGrantTasks, domain.Finnish},
	"uppgifter": {cmdGrantTasks, domain.Swedish}, "tasks": {cmdGrantTasks, domain.English}, "grant tasks": {cmdGrantTasks, domain.English},
}

// intakeWords recognise free-text questions about needing mandates, in all three languages.
var intakeWords = []struct {
	word string
	lang domain.Lang
}{
	{"valtuuksia", domain.Finnish}, {"valtuutta", domain.Finnish}, {"valtuuden", domain.Finnish}, {"valtuus", domain.Finnish},
	{"fullmakter", domain.Swedish}, {"fullmakt", domain.Swedish},
	{"mandates", domain.English}, {"mandate", domain.English}, {"authorization", domain.English}, {"authorisation", domain.English},
}

// matchCommand recognises a command in normalised text.
func matchCommand(text string) (command, domain.Lang) {
	if c, ok := commandPhrases[text]; ok {
		return c.cmd, c.lang
	}
	for _, w := range intakeWords {
		for _, f := range strings.FieldsFunc(text, func(r rune) bool { return r == ' ' || r == '?' || r == ',' || r == '.' }) {
			if f == w.word {
				return cmdIntake, w.lang
			}
		}
	}
	return cmdNone, ""
}

// onCommand answers a typed command with a card.
func (b *Bot) onCommand(ctx context.Context, t *turn, c command) error {
	card, err := b.commandCard(ctx, t, c)
	if err != nil {
		if msg, ok := b.userError(t.p, err); ok {
			return b.reply(ctx, t, textActivity(msg))
		}
		return err
	}
	return b.reply(ctx, t, cardActivity(card))
}

// verbCommands are the card buttons that do what a typed command does.
var verbCommands = map[string]command{
	cards.VerbMyMandates: cmdMine, cards.VerbOverview: cmdOverview,
	cards.VerbApprovalList: cmdApprovals, cards.VerbGrantList: cmdGrantTasks,
}

// commandCard builds the card a command shows the turn's person.
func (b *Bot) commandCard(ctx context.Context, t *turn, c command) (*cards.Card, error) {
	switch c {
	case cmdIntake:
		return b.intakeCard(ctx, t, "", nil, "")
	case cmdMine:
		return b.myMandatesCard(ctx, t)
	case cmdOverview:
		return b.overviewCard(ctx, t)
	case cmdApprovals:
		return b.approvalListCard(ctx, t)
	case cmdGrantTasks:
		return b.grantListCard(ctx, t)
	}
	return nil, fmt.Errorf("bot: no card for command %d", c)
}

// userError turns a workflow error a person can act on into their language; ok is false for internal failures.
func (b *Bot) userError(p i18n.Printer, err error) (string, bool) {
	switch domain.ErrorCode(err) {
	case domain.EInvalid, domain.EForbidden, domain.EConflict, domain.ENotFound:
		key := domain.ErrorMessage(err)
		if strings.HasPrefix(key, "err.") {
			return p.Get(key), true
		}
		return p.Get("error.invalid_action"), true
	}
	return "", false
}

// ---- card builders bound to the turn's person --------------------------------------------------------------

func (b *Bot) intakeCard(ctx context.Context, t *turn, roleID string, taskIDs []string, errKey string) (*cards.Card, error) {
	in := cards.IntakeInput{Catalog: b.cfg.Catalog, RoleID: roleID, TaskIDs: taskIDs}
	if roleID != "" && taskIDs == nil {
		if role, ok := b.cfg.Catalog.Role(roleID); ok {
			in.TaskIDs = role.Tasks
		}
	}
	if u, err := b.cfg.Directory.User(ctx, t.act.From.AadObjectID); err == nil {
		in.Department, in.JobTitle = u.Department, u.JobTitle
	}
	if errKey != "" {
		in.Error = t.p.Get(errKey)
	}
	return cards.Intake(t.p, in), nil
}

func (b *Bot) recommendationCard(ctx context.Context, t *turn, roleID string, taskIDs []string, justification, errText string) (*cards.Card, error) {
	rec, err := b.cfg.Workflow.Recommend(ctx, t.act.From.AadObjectID, taskIDs)
	if err != nil {
		return nil, err
	}
	in := cards.RecommendationInput{Catalog: b.cfg.Catalog, RoleID: roleID, TaskIDs: rec.TaskIDs,
		DefaultValidUntil: rec.DefaultValidUntil, MinValidUntil: rec.MinValidUntil, MaxValidUntil: rec.MaxValidUntil,
		Justification: justification, Error: errText}
	for _, n := range rec.Needs {
		in.Needs = append(in.Needs, cards.Need{Theme: n.Theme, Tasks: n.Tasks, Covered: n.Covered, LookAlikes: n.LookAlikes,
			Held: n.Held, PendingReference: n.PendingReference})
	}
	return cards.Recommendation(t.p, in), nil
}

func (b *Bot) myMandatesCard(ctx context.Context, t *turn) (*cards.Card, error) {
	v, err := b.cfg.Workflow.Mine(ctx, t.act.From.AadObjectID)
	if err != nil {
		return nil, err
	}
	return cards.MyMandates(t.p, cards.MyMandatesInput{Catalog: b.cfg.Catalog, Mandates: v.Mandates, Requests: v.Requests, Today: v.Today}), nil
}

func (b *Bot) overviewCard(ctx context.Context, t *turn) (*cards.Card, error) {
	ov, err := b.cfg.Workflow.Overview(ctx, t.act.From.AadObjectID)
	if err != nil {
		return nil, err
	}
	return cards.Overview(t.p, cards.OverviewInput{Overview: ov, Today: b.cfg.Workflow.Today()}), nil
}

func (b *Bot) approvalListCard(ctx context.Context, t *turn) (*cards.Card, error) {
	rs, err := b.cfg.Workflow.PendingApprovals(ctx, t.act.From.AadObjectID)
	if err != nil {
		return nil, err
	}
	return cards.PendingApprovals(t.p, cards.PendingInput{Catalog: b.cfg.Catalog, Requests: rs, Now: b.cfg.Now()}), nil
}

func (b *Bot) grantListCard(ctx context.Context, t *turn) (*cards.Card, error) {
	rs, err := b.cfg.Workflow.GrantTasks(ctx, t.act.From.AadObjectID)
	if err != nil {
		return nil, err
	}
	return cards.GrantTasks(t.p, cards.GrantListInput{Catalog: b.cfg.Catalog, Requests: rs, Now: b.cfg.Now()}), nil
}

func (b *Bot) approvalCard(ctx context.Context, t *turn, r domain.Request, interactive bool, errText string) *cards.Card {
	return b.approvalView(ctx, t.p, r, b.approverTeamsID(ctx, t, r), interactive, errText)
}

// approverTeamsID is the approver's "29:" id: the actor's own when they are the approver (always known in-turn).
func (b *Bot) approverTeamsID(ctx context.Context, t *turn, r domain.Request) string {
	if r.ApproverID == t.act.From.AadObjectID {
		return t.act.From.ID
	}
	return b.teamsUserID(ctx, r.ApproverID)
}

// ---- invokes ----------------------------------------------------------------------------------------------------

// onMandateVerb handles the Action.Execute verbs of the mandate flow. ok is false for verbs it does not know.
func (b *Bot) onMandateVerb(ctx context.Context, t *turn, verb string, raw json.RawMessage) (resp *response, ok bool, err error) {
	if b.cfg.Workflow == nil {
		return nil, false, nil
	}
	actor := t.act.From.AadObjectID
	bad := func() (*response, bool, error) {
		return invokeError(http.StatusBadRequest, "BadRequest", t.p.Get("error.invalid_action")), true, nil
	}
	card := func(c *cards.Card, err error) (*response, bool, error) {
		if err != nil {
			if msg, ok := b.userError(t.p, err); ok {
				return invokeError(statusFor(err), "BadRequest", msg), true, nil
			}
			return nil, true, err
		}
		return invokeCard(c), true, nil
	}
	switch verb {
	case cards.VerbIntakeOpen:
		var d cards.IntakeData
		inputs, err := decodeAction(raw, &d, []string{cards.RoleInput}, []string{cards.TaskInputPrefix})
		if err != nil {
			return bad()
		}
		if r := strings.TrimSpace(inputs[cards.RoleInput]); r != "" {
			d.RoleID = r // the role dropdown: its tasks replace whatever was ticked
		}
		if d.RoleID != "" {
			if _, ok := b.cfg.Catalog.Role(d.RoleID); !ok {
				return bad()
			}
		}
		return card(b.intakeCard(ctx, t, d.RoleID, nil, ""))

	case cards.VerbIntakeSubmit:
		var d cards.IntakeData
		inputs, err := decodeAction(raw, &d, []string{cards.RoleInput}, []string{cards.TaskInputPrefix})
		if err != nil {
			return bad()
		}
		if r := strings.TrimSpace(inputs[cards.RoleInput]); r != "" {
			if _, ok := b.cfg.Catalog.Role(r); !ok {
				return bad()
			}
			d.RoleID = r
		}
		var tasks []string
		for k, v := range inputs {
			if strings.HasPrefix(k, cards.TaskInputPrefix) {
				for _, id := range strings.Split(v, ",") {
					if id = strings.TrimSpace(id); id != "" {
						tasks = append(tasks, id)
					}
				}
			}
		}
		slices.Sort(tasks)
		c, err := b.recommendationCard(ctx, t, d.RoleID, tasks, "", "")
		if domain.IsCode(err, domain.EInvalid) {
			// Nothing or something unknown picked: the intake again, with the reason.
			return card(b.intakeCard(ctx, t, d.RoleID, tasks, domain.ErrorMessage(err)))
		}
		return card(c, err)

	case cards.VerbRequestSubmit:
		var d cards.SubmitData
		inputs, err := decodeAction(raw, &d, []string{cards.JustificationInput, cards.ValidUntilInput}, nil)
		if err != nil {
			return bad()
		}
		until, _ := time.Parse(time.DateOnly, strings.TrimSpace(inputs[cards.ValidUntilInput]))
		r, err := b.cfg.Workflow.Submit(ctx, workflow.SubmitInput{RequesterID: actor, RoleID: d.RoleID, TaskIDs: d.TaskIDs,
			Justification: inputs[cards.JustificationInput], ValidUntil: until, ActivityID: t.act.ID})
		if err != nil {
			if domain.IsCode(err, domain.EInvalid) && domain.ErrorMessage(err) != "err.justification_hetu" {
				msg, _ := b.userError(t.p, err)
				return card(b.recommendationCard(ctx, t, d.RoleID, d.TaskIDs, inputs[cards.JustificationInput], msg))
			}
			if domain.ErrorMessage(err) == "err.justification_hetu" {
				// Do not echo the text back: it holds an identity code.
				return card(b.recommendationCard(ctx, t, d.RoleID, d.TaskIDs, "", t.p.Get("err.justification_hetu")))
			}
			return card(nil, err)
		}
		b.rememberStatusCard(ctx, t, r)
		return card(cards.RequestStatus(t.p, cards.RequestStatusInput{Catalog: b.cfg.Catalog, Request: r, Now: b.cfg.Now()}), nil)

	case cards.VerbRequestCancel:
		var d cards.RequestData
		if _, err := decodeAction(raw, &d, nil, nil); err != nil || d.RequestID <= 0 {
			return bad()
		}
		r, err := b.cfg.Workflow.Cancel(ctx, actor, d.RequestID, t.act.ID)
		if domain.IsCode(err, domain.EConflict) {
			if a, verr := b.cfg.Workflow.View(ctx, actor, d.RequestID); verr == nil {
				return card(cards.RequestStatus(t.p, cards.RequestStatusInput{Catalog: b.cfg.Catalog, Request: a.Request, Now: b.cfg.Now()}), nil)
			}
		}
		if err != nil {
			return card(nil, err)
		}
		return card(cards.RequestStatus(t.p, cards.RequestStatusInput{Catalog: b.cfg.Catalog, Request: r, Now: b.cfg.Now()}), nil)

	case cards.VerbMyMandates, cards.VerbOverview, cards.VerbApprovalList, cards.VerbGrantList:
		if _, err := decodeAction(raw, &struct{}{}, nil, nil); err != nil {
			return bad()
		}
		return card(b.commandCard(ctx, t, verbCommands[verb]))

	case cards.VerbApprovalOpen:
		var d cards.RequestData
		if _, err := decodeAction(raw, &d, nil, nil); err != nil || d.RequestID <= 0 {
			return bad()
		}
		a, err := b.cfg.Workflow.View(ctx, actor, d.RequestID)
		if err != nil {
			return card(nil, err)
		}
		return card(b.approvalCard(ctx, t, a.Request, a.CanDecide, ""), nil)

	case cards.VerbApprovalDecide:
		var d cards.DecideData
		inputs, err := decodeAction(raw, &d, []string{cards.ReasonInput}, []string{cards.ItemInputPrefix})
		if err != nil || d.RequestID <= 0 {
			return bad()
		}
		approve, err := toggles(inputs)
		if err != nil {
			return bad()
		}
		r, err := b.cfg.Workflow.Decide(ctx, workflow.DecideInput{ActorID: actor, RequestID: d.RequestID, Decision: d.Decision,
			Approve: approve, Reason: inputs[cards.ReasonInput], ActivityID: t.act.ID})
		switch {
		case err == nil:
			return card(b.approvalCard(ctx, t, r, false, ""), nil)
		case domain.IsCode(err, domain.EInvalid):
			// Keep the approver on the interactive card with the reason shown.
			a, verr := b.cfg.Workflow.View(ctx, actor, d.RequestID)
			if verr != nil {
				return card(nil, verr)
			}
			msg, _ := b.userError(t.p, err)
			return card(b.approvalCard(ctx, t, a.Request, a.CanDecide, msg), nil)
		case domain.IsCode(err, domain.EConflict):
			// A late or repeated tap: show the final card.
			if a, verr := b.cfg.Workflow.View(ctx, actor, d.RequestID); verr == nil {
				return card(b.approvalCard(ctx, t, a.Request, false, ""), nil)
			}
			return card(nil, err)
		default:
			return card(nil, err)
		}

	case cards.VerbGrantOpen:
		var d cards.RequestData
		if _, err := decodeAction(raw, &d, nil, nil); err != nil || d.RequestID <= 0 {
			return bad()
		}
		if !b.cfg.Workflow.IsMainUser(actor) {
			return card(nil, domain.Errorf(domain.EForbidden, "err.not_main_user"))
		}
		a, err := b.cfg.Workflow.View(ctx, actor, d.RequestID)
		if err != nil {
			return card(nil, err)
		}
		return card(b.grantView(ctx, t.p, a.Request, ""), nil)

	case cards.VerbGrantDone, cards.VerbGrantFailed:
		var d cards.RequestData
		inputs, err := decodeAction(raw, &d, []string{cards.ValidFromInput, cards.ValidUntilInput, cards.ReasonInput}, []string{cards.ItemInputPrefix})
		if err != nil || d.RequestID <= 0 {
			return bad()
		}
		sel, err := toggles(inputs)
		if err != nil {
			return bad()
		}
		var items []int64
		for id, on := range sel {
			if on {
				items = append(items, id)
			}
		}
		if len(sel) > 0 && len(items) == 0 {
			// Every toggle off: nothing chosen, which must not be read as "all of them".
			if a, verr := b.cfg.Workflow.View(ctx, actor, d.RequestID); verr == nil && b.cfg.Workflow.IsMainUser(actor) {
				return card(b.grantView(ctx, t.p, a.Request, t.p.Get("err.no_items_selected")), nil)
			}
			return card(nil, domain.Errorf(domain.EForbidden, "err.not_main_user"))
		}
		slices.Sort(items)
		var r domain.Request
		if verb == cards.VerbGrantDone {
			from, _ := time.Parse(time.DateOnly, strings.TrimSpace(inputs[cards.ValidFromInput]))
			until, _ := time.Parse(time.DateOnly, strings.TrimSpace(inputs[cards.ValidUntilInput]))
			r, err = b.cfg.Workflow.Grant(ctx, workflow.GrantInput{ActorID: actor, RequestID: d.RequestID, ItemIDs: items,
				ValidFrom: from, ValidUntil: until, ActivityID: t.act.ID})
		} else {
			r, err = b.cfg.Workflow.NotGranted(ctx, workflow.NotGrantedInput{ActorID: actor, RequestID: d.RequestID, ItemIDs: items,
				Reason: inputs[cards.ReasonInput], ActivityID: t.act.ID})
		}
		if err != nil {
			if domain.IsCode(err, domain.EInvalid) || domain.IsCode(err, domain.EConflict) {
				if a, verr := b.cfg.Workflow.View(ctx, actor, d.RequestID); verr == nil && b.cfg.Workflow.IsMainUser(actor) {
					msg, _ := b.userError(t.p, err)
					return card(b.grantView(ctx, t.p, a.Request, msg), nil)
				}
			}
			return card(nil, err)
		}
		return card(b.grantView(ctx, t.p, r, ""), nil)
	}
	return nil, false, nil
}

// rememberStatusCard records the message the requester's card lives in (the invoke's replyToId), so later changes
// update it in place.
func (b *Bot) rememberStatusCard(ctx context.Context, t *turn, r domain.Request) {
	if t.act.ReplyToID == "" || b.cfg.Cards == nil {
		return
	}
	err := b.cfg.Cards.SaveCardRef(ctx, domain.CardRef{RequestID: r.ID, RecipientID: r.RequesterID, Kind: CardKindRequestStatus,
		ConversationID: t.act.Conversation.ID, ServiceURL: t.act.ServiceURL, ActivityID: t.act.ReplyToID})
	if err != nil {
		b.log.WarnContext(ctx, "could not remember the status card", slog.String("error", err.Error()))
	}
}

func statusFor(err error) int {
	switch domain.ErrorCode(err) {
	case domain.EForbidden:
		return http.StatusForbidden
	case domain.EConflict:
		return http.StatusConflict
	case domain.ENotFound:
		return http.StatusNotFound
	default:
		return http.StatusBadRequest
	}
}

// toggles reads "item_<id>" inputs ("true"/"false").
func toggles(inputs map[string]string) (map[int64]bool, error) {
	out := map[int64]bool{}
	for k, v := range inputs {
		rest, ok := strings.CutPrefix(k, cards.ItemInputPrefix)
		if !ok {
			continue
		}
		id, err := strconv.ParseInt(rest, 10, 64)
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("bad item input %q", k)
		}
		switch v {
		case "true":
			out[id] = true
		case "false", "":
			out[id] = false
		default:
			return nil, fmt.Errorf("bad toggle value")
		}
	}
	return out, nil
}

// decodeAction splits an Action.Execute data object (Teams merges the card's input values into it) into the
// typed data the bot put on the card and the named inputs. Anything else — a field the bot never writes, an input
// that is not a string, a value of the wrong type — is refused: it is tampering or a card from another version.
func decodeAction(raw json.RawMessage, dst any, inputs []string, prefixes []string) (map[string]string, error) {
	fields := map[string]json.RawMessage{}
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &fields); err != nil {
			return nil, err
		}
	}
	known := jsonFields(dst)
	own := map[string]json.RawMessage{}
	values := map[string]string{}
	for k, v := range fields {
		switch {
		case known[k]:
			own[k] = v
		case slices.Contains(inputs, k) || hasAnyPrefix(k, prefixes):
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return nil, fmt.Errorf("input %q is not text", k)
			}
			values[k] = s
		default:
			return nil, fmt.Errorf("unexpected field %q", k)
		}
	}
	buf, _ := json.Marshal(own)
	if err := strictJSON(buf, dst); err != nil {
		return nil, err
	}
	return values, nil
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) && len(s) > len(p) && len(s) <= len(p)+80 {
			return true
		}
	}
	return false
}

// jsonFields lists the JSON names of a struct's fields.
func jsonFields(v any) map[string]bool {
	out := map[string]bool{}
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return out
	}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name == "" {
			name = t.Field(i).Name
		}
		if name != "-" {
			out[name] = true
		}
	}
	return out
}
