package handbook

import (
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// grant is the grant path policy and the rules that always hold around it.
func (b *builder) grant() Section {
	g := b.c.Org.Grant
	path := b.p.Get("handbook.grant.path." + string(g.DefaultPath()))
	if g.Path == "" {
		path += " " + b.p.Get("handbook.default")
	}
	fallback := "handbook.grant.fallback.no"
	switch {
	case g.DefaultPath() == domain.PathDirect:
		fallback = "handbook.grant.fallback.moot"
	case g.DirectFallback:
		fallback = "handbook.grant.fallback.yes"
	}
	identity := P(g.IdentityCodeFrom.In(b.lang))
	if g.IdentityCodeFrom.In(b.lang) == "" {
		identity = P(b.p.Get("handbook.grant.identity.none"))
	}
	rows := [][]Para{
		b.settingRow("handbook.grant.path", P(path), "grant.path"),
		b.settingRow("handbook.grant.fallback", P(b.p.Get(fallback)), "grant.direct_fallback"),
		b.settingRow("handbook.grant.identity", identity, "grant.identity_code_from"),
	}
	return Section{ID: "myontotapa", Title: b.p.Get("handbook.grant.title"), Blocks: []Block{
		Table{Head: b.heads("handbook.col.setting", "handbook.col.value", "handbook.col.key"), Rows: rows},
		P(b.p.Get("handbook.grant.never")),
		P(b.p.Get("handbook.grant.self")),
		P(b.p.Format("handbook.grant.dates", "late", itoa(domain.LateGrantDays))),
	}}
}

// right is the organisation's valtuutusoikeus: the themes it covers, the catalog's themes it does not, and the
// continuity rule (at least two holders).
func (b *builder) right() Section {
	o := b.c.Org
	var covered, uncovered []Para
	for _, t := range b.c.Themes {
		if o.Covers(t.ID) {
			covered = append(covered, append(b.themeName(t), T(" "), C(t.ID)))
		} else {
			uncovered = append(uncovered, append(b.themeName(t), T(" "), C(t.ID)))
		}
	}
	// With holders, the covered themes are the holders' themes (granting_right_holders); else covered_themes.
	blocks := []Block{Para{T(b.p.Format("handbook.right.covered", "n", itoa(len(covered))) + " ("), C("granting_right_holders"),
		T(" / "), C("covered_themes"), T("):")}}
	if len(covered) > 0 {
		blocks = append(blocks, List{Items: covered})
	}
	if len(uncovered) == 0 {
		blocks = append(blocks, P(b.p.Get("handbook.right.all")))
	} else {
		blocks = append(blocks, P(b.p.Get("handbook.right.uncovered")), List{Items: uncovered})
	}
	continuity := "handbook.right.continuity.ok"
	if len(o.MainUsers) < 2 {
		continuity = "handbook.right.continuity.warn"
	}
	blocks = append(blocks, P(b.p.Format(continuity, "n", itoa(len(o.MainUsers)))))
	return Section{ID: "valtuutusoikeus", Title: b.p.Get("handbook.right.title"), Blocks: blocks}
}

// alerts is the alert policy: working hours and how long things may wait, with the organisation's values (marked
// where the default applies because organisation.yaml does not set them).
func (b *builder) alerts() Section {
	raw, pol := b.c.Org.Alerts, b.pol
	val := func(set bool, text string) Para {
		if !set {
			text += " " + b.p.Get("handbook.default")
		}
		return P(text)
	}
	row := func(what string, value Para, to string, keys ...string) []Para {
		r := b.settingRow("handbook.alerts."+what, value, keys...)
		return []Para{r[0], r[1], P(b.p.Get("handbook.alerts.to." + to)), r[2]}
	}
	workdays := func(key string, n, rawN int) Para {
		return val(rawN > 0, b.p.Format(key, "n", itoa(n)))
	}
	filing := workdays("handbook.alerts.workdays", pol.FilingReminderDays, raw.FilingReminderDays)
	if !b.filing() {
		filing = P(b.p.Get("handbook.alerts.unused_direct")) // nobody files a valtuuspyyntö
	}
	rows := [][]Para{
		row("hours", val(raw.WorkStart != "" && raw.WorkEnd != "", pol.WorkStart+"–"+pol.WorkEnd+" (Europe/Helsinki)"),
			"nobody", "alerts.work_start", "alerts.work_end"),
		row("approval_reminder", workdays("handbook.alerts.workdays", pol.ApprovalReminderDays, raw.ApprovalReminderDays),
			"approver", "alerts.approval_reminder_days"),
		row("approval_escalation", workdays("handbook.alerts.workdays", pol.ApprovalEscalationDays, raw.ApprovalEscalationDays),
			"alternate", "alerts.approval_escalation_days"),
		row("approval_expiry", workdays("handbook.alerts.workdays_filed", pol.ApprovalExpiryDays, raw.ApprovalExpiryDays),
			"requester", "alerts.approval_expiry_days"),
		row("grant_reminder", workdays("handbook.alerts.workdays_daily", pol.GrantReminderDays, raw.GrantReminderDays),
			"main_users", "alerts.grant_reminder_days"),
		row("filing_reminder", filing, "requester", "alerts.filing_reminder_days"),
		row("expiry_notice", val(len(raw.ExpiryNoticeDays) > 0, b.p.Format("handbook.alerts.calendar_days", "n", days(pol.ExpiryNoticeDays))),
			"holder", "alerts.expiry_notice_days"),
		row("expired_notice", P(b.p.Get("handbook.alerts.day_after")), "assignee"),
		row("invalidation_reminder", workdays("handbook.alerts.workdays_daily", pol.GrantReminderDays, raw.GrantReminderDays),
			"main_users", "alerts.grant_reminder_days"),
		row("digest", P(b.p.Format("handbook.alerts.digest_when", "n", itoa(digestHorizonDays))), "main_users"),
		row("handoff_reminder", b.handoffReminders(), "channel", "digituki.reminder_minutes", "digituki.reminders"),
		// The directory's joiners and leavers, and the continuity of the right to grant (issue 10).
		row("joiner", P(b.p.Get("handbook.alerts.joiner_when")), "joiner"),
		row("leaver", P(b.p.Format("handbook.alerts.leaver_when", "n", itoa(pol.GrantReminderDays))), "main_users",
			"alerts.grant_reminder_days"),
		row("continuity", P(b.p.Get("handbook.alerts.continuity_when")), "main_users", "granting_right_holders"),
	}
	rows = append(rows, b.reviewRows()...) // reviews of mandates: review.go
	return Section{ID: "herateet", Title: b.p.Get("handbook.alerts.title"), Blocks: []Block{
		P(b.p.Get("handbook.alerts.intro")),
		Table{Head: b.heads("handbook.col.alert", "handbook.col.when", "handbook.col.to", "handbook.col.key"), Rows: rows},
	}}
}

// handoffReminders says how often the digital-support channel is reminded of a question nobody has taken.
func (b *builder) handoffReminders() Para {
	d := b.c.Org.Digituki
	if !d.Enabled() {
		return P(b.p.Get("handbook.alerts.unused_channel"))
	}
	text := b.p.Format("handbook.alerts.handoff_every", "n", itoa(int(d.ReminderAfter()/time.Minute)), "m", itoa(d.MaxReminders()))
	if d.ReminderMinutes <= 0 || d.Reminders <= 0 {
		text += " " + b.p.Get("handbook.default")
	}
	return P(text)
}
