package handbook

// reviewRows are the alerts table's rows of reviews (issue 10): the review after a move, the periodic campaign and
// its deadline report, with the organisation's review settings.
func (b *builder) reviewRows() [][]Para {
	row := func(label string, value Para, to string, keys ...string) []Para {
		r := b.settingRow(label, value, keys...)
		return []Para{r[0], r[1], P(b.p.Get(to)), r[2]}
	}
	pol, rev := b.pol, b.c.Org.Review
	campaign := P(b.p.Format("review.handbook.on_demand", "n", itoa(rev.AnswerDays())))
	if rev.EveryMonths > 0 {
		campaign = P(b.p.Format("review.handbook.every", "months", itoa(rev.EveryMonths), "first", rev.FirstOn,
			"n", itoa(rev.AnswerDays())))
	}
	return [][]Para{
		row("review.handbook.mover", P(b.p.Format("review.handbook.mover_when", "n", itoa(pol.ApprovalReminderDays),
			"m", itoa(pol.ApprovalEscalationDays))), "review.handbook.to.new_supervisor",
			"alerts.approval_reminder_days", "alerts.approval_escalation_days"),
		row("review.handbook.campaign", campaign, "review.handbook.to.supervisors",
			"review.every_months", "review.first_on", "review.answer_working_days"),
		row("review.handbook.deadline", P(b.p.Get("review.handbook.deadline_when")), "handbook.alerts.to.main_users"),
	}
}
