package handbook

import (
	"slices"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// roleMatrix is the role → task → theme matrix: one row per task of each role profile.
func (b *builder) roleMatrix() Section {
	var rows [][]Para
	for _, r := range b.c.Roles {
		for i, id := range r.Tasks {
			t, ok := b.c.Task(id)
			if !ok {
				continue // validation refuses unknown tasks
			}
			role := P("")
			if i == 0 {
				role = Para{T(r.Name.In(b.lang) + " "), C(r.ID)}
			}
			rows = append(rows, []Para{role, P(t.Name.In(b.lang)), b.themeList(t.Themes)})
		}
	}
	return Section{ID: "roolit", Title: b.p.Get("handbook.roles.title"), Blocks: []Block{
		P(b.p.Get("handbook.roles.intro")),
		Table{Head: b.heads("handbook.col.role", "handbook.col.task", "handbook.col.themes"), Rows: rows},
	}}
}

// taskMatrix is every task by area, with its themes and the roles that include it: tasks no role includes appear
// here too.
func (b *builder) taskMatrix() Section {
	var rows [][]Para
	for _, at := range b.c.TasksByArea() {
		for i, t := range at.Tasks {
			area := P("")
			if i == 0 {
				area = P(at.Area.Name.In(b.lang))
			}
			var roles Para
			for _, r := range b.c.Roles {
				if slices.Contains(r.Tasks, t.ID) {
					if len(roles) > 0 {
						roles = append(roles, T("; "))
					}
					roles = append(roles, T(r.Name.In(b.lang)))
				}
			}
			if len(roles) == 0 {
				roles = P(b.p.Get("handbook.none"))
			}
			rows = append(rows, []Para{area, Para{T(t.Name.In(b.lang) + " "), C(t.ID)}, b.themeList(t.Themes), roles})
		}
	}
	return Section{ID: "tehtavat", Title: b.p.Get("handbook.tasks.title"), Blocks: []Block{
		P(b.p.Get("handbook.tasks.intro")),
		Table{Head: b.heads("handbook.col.area", "handbook.col.task", "handbook.col.themes", "handbook.col.roles"), Rows: rows},
	}}
}

// themes is every theme with its agency, mandate type, validity policy and whether the valtuutusoikeus covers it.
func (b *builder) themes() Section {
	var rows [][]Para
	for _, t := range b.c.Themes {
		covered := b.p.Get("handbook.yes")
		if !b.c.Org.Covers(t.ID) {
			covered = b.p.Get("handbook.no")
		}
		rows = append(rows, []Para{
			append(b.themeName(t), T(" "), C(t.ID)),
			P(t.Agency.In(b.lang)),
			P(b.p.Get("mandatetype." + string(t.Type))),
			P(itoa(t.DefaultValidityMonths)),
			P(itoa(t.MaxValidityMonths)),
			P(covered),
		})
	}
	return Section{ID: "valtuusasiat", Title: b.p.Get("handbook.themes.title"), Blocks: []Block{
		Para{T(b.p.Format("handbook.themes.intro", "years", itoa(domain.MaxMandateYears)) + " "),
			C("default_validity_months"), T(", "), C("max_validity_months")},
		Table{Head: b.heads("handbook.col.theme", "handbook.col.agency", "handbook.col.type", "handbook.col.default_months",
			"handbook.col.max_months", "handbook.col.covered"), Rows: rows},
	}}
}
