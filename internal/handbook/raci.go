package handbook

import (
	"slices"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// The roles of the RACI table, in column order. Each is a message key handbook.role.<id>.
var raciRoles = []string{"employee", "supervisor", "department_head", "main_user", "holder", "digital_support", "it"}

// raciRow is one activity: its message key (handbook.raci.<key>) and a letter set per role ("" = no part).
type raciRow struct {
	key     string
	letters map[string]string
}

// raciRows are the activities from need to invalidation and around them. Which rows appear, and some letters,
// follow the configuration: the valtuuspyyntö row only where the employee files one, the identity code row only
// where a direct grant is possible, the head of department only where the organisation names department heads.
func (b *builder) raciRows() []raciRow {
	o := b.c.Org
	head := ""
	if len(o.DepartmentHeads) > 0 {
		head = "R"
	}
	rows := []raciRow{
		{"need", map[string]string{"employee": "A/R", "supervisor": "C", "digital_support": "C"}},
		{"approve", map[string]string{"employee": "I", "supervisor": "A/R", "department_head": head, "main_user": "R"}},
		{"right", map[string]string{"main_user": "A/R", "holder": "C", "employee": "I"}},
	}
	if o.Grant.DefaultPath() == domain.PathRequest {
		rows = append(rows, raciRow{"file", map[string]string{"employee": "A/R", "main_user": "I", "digital_support": "C"}})
	}
	if o.Grant.DirectAllowed() {
		rows = append(rows, raciRow{"identity", map[string]string{"main_user": "A", "holder": "R", "employee": "I"}})
	}
	rows = append(rows,
		raciRow{"grant", map[string]string{"holder": "R", "main_user": "A", "employee": "I", "supervisor": "I"}},
		raciRow{"record", map[string]string{"main_user": "A/R", "employee": "I", "supervisor": "I"}},
		raciRow{"follow", map[string]string{"main_user": "A/R", "supervisor": "R", "department_head": head}},
		raciRow{"review", map[string]string{"supervisor": "R", "main_user": "A", "employee": "C"}},
		raciRow{"invalidate", map[string]string{"supervisor": "R", "holder": "R", "main_user": "A", "employee": "I", "it": "C"}},
		raciRow{"questions", map[string]string{"digital_support": "A/R", "main_user": "C"}},
		raciRow{"catalog", map[string]string{"main_user": "A/R", "it": "R", "digital_support": "C"}},
		raciRow{"operate", map[string]string{"it": "A/R", "main_user": "C"}},
	)
	return rows
}

// responsibilities is the RACI table with its legend.
func (b *builder) responsibilities() Section {
	head := []string{b.p.Get("handbook.raci.activity")}
	for _, r := range raciRoles {
		head = append(head, b.p.Get("handbook.role."+r))
	}
	var rows [][]Para
	for _, row := range b.raciRows() {
		cells := []Para{P(b.p.Get("handbook.raci." + row.key))}
		for _, r := range raciRoles {
			l := row.letters[r]
			if l == "" {
				l = "–"
			}
			cells = append(cells, P(l))
		}
		rows = append(rows, cells)
	}
	return Section{ID: "vastuut", Title: b.p.Get("handbook.raci.title"), Blocks: []Block{
		P(b.p.Get("handbook.raci.legend")),
		Table{Caption: b.p.Get("handbook.raci.caption"), Head: head, Rows: rows},
		P(b.p.Get("handbook.raci.approver")),
		P(b.p.Get("handbook.raci.holders")),
	}}
}

// contacts names the people the configuration names, and where the others come from.
func (b *builder) contacts() Section {
	o := b.c.Org
	rows := [][]Para{
		{P(b.p.Get("handbook.role.main_user")), b.persons(o.MainUsers), Para{C("main_users")}},
	}
	depts := make([]string, 0, len(o.DepartmentHeads))
	for d := range o.DepartmentHeads {
		depts = append(depts, d)
	}
	slices.Sort(depts)
	for _, d := range depts {
		rows = append(rows, []Para{P(b.p.Format("handbook.contacts.head", "department", d)),
			b.person(o.DepartmentHeads[d]), Para{C("department_heads")}})
	}
	if len(depts) == 0 {
		rows = append(rows, []Para{P(b.p.Get("handbook.role.department_head")), P(b.p.Get("handbook.contacts.no_heads")),
			Para{C("department_heads")}})
	}
	rows = append(rows,
		[]Para{P(b.p.Get("handbook.role.supervisor")), P(b.p.Get("handbook.contacts.supervisor")), P("–")},
		[]Para{P(b.p.Get("handbook.role.digital_support")), b.supportCell(),
			Para{C("support"), T(", "), C("digituki.channel_id"), T(", "), C("digituki.team_id")}},
		[]Para{P(b.p.Get("handbook.role.it")), P(b.p.Get("handbook.contacts.it")), P("–")},
	)
	help := P(b.p.Get("handbook.contacts.help"))
	if o.Digituki.Enabled() {
		help = P(b.p.Format("handbook.contacts.handoff", "n", itoa(len(b.c.FAQ))))
	}
	return Section{ID: "yhteystiedot", Title: b.p.Get("handbook.contacts.title"), Blocks: []Block{
		P(b.p.Get("handbook.contacts.intro")),
		Table{Head: b.heads("handbook.col.role", "handbook.col.who", "handbook.col.key"), Rows: rows},
		help,
	}}
}

// supportCell is the support contact and, where one is set, the digital-support network's Teams channel.
func (b *builder) supportCell() Para {
	d := b.c.Org.Digituki
	out := Para{T(b.c.Org.Support.In(b.lang) + "; ")}
	if !d.Enabled() {
		return append(out, T(b.p.Get("handbook.contacts.no_channel")))
	}
	out = append(out, T(b.p.Get("handbook.contacts.channel")+" "), C(d.ChannelID))
	if d.TeamID != "" {
		out = append(out, T(" ("+b.p.Get("handbook.contacts.team")+" "), C(d.TeamID), T(")"))
	}
	return out
}
