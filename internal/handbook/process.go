package handbook

import "github.com/valtuusbotti/valtuusbotti/internal/domain"

// step is one step of the process: its id (message keys handbook.step.<id>.label and .text), its place on the
// diagram's grid, and whether the service does not carry it out yet (planned).
type step struct {
	id       string
	col, row int
	planned  bool
	terminal bool
}

// steps are the process from need to invalidation as this organisation runs it: the valtuuspyyntö step only where
// the employee files one.
func (b *builder) steps() []step {
	out := []step{
		{id: "need", row: 0, terminal: true},
		{id: "request", row: 1},
		{id: "approve", row: 2},
		{id: "rejected", col: -1, row: 2, terminal: true},
		{id: "right", col: 1, row: 2},
	}
	if b.filing() {
		out = append(out, step{id: "file", row: 3})
	}
	return append(out,
		step{id: "grant", row: 4},
		step{id: "record", row: 5},
		step{id: "inforce", row: 6},
		step{id: "expiry", row: 7},
		step{id: "invalidate", col: 1, row: 6},
		step{id: "end", row: 8, terminal: true},
	)
}

// filing reports whether approved requests go through the employee's valtuuspyyntö by default.
func (b *builder) filing() bool { return b.c.Org.Grant.DefaultPath() == domain.PathRequest }

// diagram is the process as boxes and arrows.
func (b *builder) diagram() Diagram {
	d := Diagram{Title: b.p.Get("handbook.process.diagram")}
	for _, s := range b.steps() {
		label := b.p.Get("handbook.step." + s.id + ".label")
		if s.planned {
			label += " " + b.p.Get("handbook.planned")
		}
		d.Nodes = append(d.Nodes, Node{ID: s.id, Label: label, Col: s.col, Row: s.row, Planned: s.planned, Terminal: s.terminal})
	}
	afterApproval := "grant"
	if b.filing() {
		afterApproval = "file"
	}
	edge := func(from, to, labelKey string) Edge {
		e := Edge{From: from, To: to}
		if labelKey != "" {
			e.Label = b.p.Get("handbook.edge." + labelKey)
		}
		return e
	}
	d.Edges = append(d.Edges,
		edge("need", "request", ""),
		edge("request", "approve", ""),
		edge("approve", "rejected", "rejected"),
		edge("approve", "right", "not_covered"),
		edge("approve", afterApproval, "approved"),
		edge("right", afterApproval, "registered"),
	)
	if b.filing() {
		d.Edges = append(d.Edges, edge("file", "grant", ""))
	}
	d.Edges = append(d.Edges,
		edge("grant", "record", ""),
		edge("record", "inforce", ""),
		edge("inforce", "invalidate", "changes"),
		edge("inforce", "expiry", ""),
		edge("expiry", "request", "renew"),
		edge("expiry", "end", ""),
		edge("invalidate", "end", ""),
	)
	return d
}

// process is the diagram and, for reading and for screen readers, the same steps in words with this
// organisation's times.
func (b *builder) process() Section {
	pol := b.pol
	o := b.c.Org
	vars := []string{
		"reminder", itoa(pol.ApprovalReminderDays), "escalation", itoa(pol.ApprovalEscalationDays),
		"expiry", itoa(pol.ApprovalExpiryDays), "grant", itoa(pol.GrantReminderDays),
		"filing", itoa(pol.FilingReminderDays), "offsets", days(pol.ExpiryNoticeDays),
		"business_id", o.BusinessID, "horizon", itoa(digestHorizonDays), "years", itoa(domain.MaxMandateYears),
	}
	var items []Para
	for _, s := range b.steps() {
		if s.id == "end" || s.id == "rejected" {
			continue
		}
		text := b.p.Format("handbook.step."+s.id+".text", vars...)
		if s.planned {
			text = b.p.Get("handbook.planned") + " " + text
		}
		items = append(items, Para{{Text: b.p.Get("handbook.step."+s.id+".label") + ".", Bold: true}, T(" " + text)})
		if s.id == "approve" && !b.filing() {
			items = append(items, Para{{Text: b.p.Get("handbook.step.direct.label") + ".", Bold: true},
				T(" " + b.p.Get("handbook.step.direct.text"))})
		}
	}
	intro := b.p.Get("handbook.process.intro")
	if b.anyPlanned() {
		intro += " " + b.p.Get("handbook.process.planned")
	}
	return Section{ID: "prosessi", Title: b.p.Get("handbook.process.title"), Blocks: []Block{
		P(intro),
		b.diagram(),
		List{Ordered: true, Items: items},
	}}
}

// anyPlanned reports whether the process has a step the service does not carry out yet.
func (b *builder) anyPlanned() bool {
	for _, s := range b.steps() {
		if s.planned {
			return true
		}
	}
	return false
}
