package handbook

import (
	"io"
	"slices"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
	"github.com/valtuusbotti/valtuusbotti/internal/sheet"
)

// Matrix writes the role → task → theme matrix as an XLSX workbook in lang: one row per role, task and theme, then
// the tasks no role includes (role columns empty), so the sheet can be filtered by any column. Each row carries the
// theme's agency, mandate type, validity policy and whether the organisation's valtuutusoikeus covers it.
func Matrix(w io.Writer, c *catalog.Catalog, msgs *i18n.Bundle, lang domain.Lang) error {
	if !lang.Valid() {
		lang = c.Org.DefaultLanguage
	}
	p := msgs.WithSupport(c.Org.Support).Printer(lang)
	head := []string{"handbook.col.role", "handbook.col.role_id", "handbook.col.area", "handbook.col.task", "handbook.col.task_id",
		"handbook.col.theme", "handbook.col.theme_id", "handbook.col.agency", "handbook.col.type", "handbook.col.covered",
		"handbook.col.default_months", "handbook.col.max_months"}
	xw, err := sheet.NewXLSX(w, p.Get("handbook.xlsx.sheet"), []float64{28, 22, 24, 50, 28, 50, 36, 36, 18, 14, 10, 10})
	if err != nil {
		return err
	}
	m := matrixWriter{c: c, p: p, lang: lang, w: xw}
	cells := make([]any, len(head))
	for i, k := range head {
		cells[i] = p.Get(k)
	}
	err = xw.Row(cells...)
	for _, r := range c.Roles {
		for _, id := range r.Tasks {
			if err == nil {
				err = m.task(r.Name.In(lang), r.ID, id)
			}
		}
	}
	for _, t := range c.Tasks {
		if err == nil && !slices.ContainsFunc(c.Roles, func(r domain.RoleProfile) bool { return slices.Contains(r.Tasks, t.ID) }) {
			err = m.task("", "", t.ID)
		}
	}
	if cerr := xw.Close(); err == nil {
		err = cerr
	}
	return err
}

type matrixWriter struct {
	c    *catalog.Catalog
	p    i18n.Printer
	lang domain.Lang
	w    sheet.Writer
}

// task writes one row per theme of the task, under the given role ("" for none).
func (m matrixWriter) task(role, roleID, taskID string) error {
	t, ok := m.c.Task(taskID)
	if !ok {
		return nil // validation refuses unknown tasks
	}
	area, _ := m.c.Area(t.Area)
	for _, id := range t.Themes {
		th, ok := m.c.Theme(id)
		if !ok {
			continue
		}
		covered := m.p.Get("handbook.yes")
		if !m.c.Org.Covers(th.ID) {
			covered = m.p.Get("handbook.no")
		}
		err := m.w.Row(role, roleID, area.Name.In(m.lang), t.Name.In(m.lang), t.ID, th.Name.In(m.lang), th.ID,
			th.Agency.In(m.lang), m.p.Get("mandatetype."+string(th.Type)), covered,
			int64(th.DefaultValidityMonths), int64(th.MaxValidityMonths))
		if err != nil {
			return err
		}
	}
	return nil
}
