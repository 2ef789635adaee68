// Package catalog owns the organisation's catalog of Suomi.fi mandate themes (valtuusasiat), the "what I do" tasks
// and role profiles that imply them, and the organisation itself (the assignor, its main users and the themes its
// valtuutusoikeus covers).
//
// The catalog is data, not code: four YAML files (themes.yaml, tasks.yaml, roles.yaml, organisation.yaml) that the
// main user edits as Suomi.fi adds and hides themes. The City of Porvoo's catalog is embedded (Default); an
// operator can point the service at their own directory (LoadDir). Loading validates everything and reports every
// problem at once, each pointing at its file, line and entry, so a broken edit never reaches users.
package catalog

import (
	"embed"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// The embedded default catalog: the City of Porvoo.
//
//go:embed data/*.yaml
var embedded embed.FS

// Catalog is a loaded, validated catalog. Treat it as read-only: it is then safe for concurrent use. Slices are in
// file order.
type Catalog struct {
	Org    domain.Organisation
	Themes []domain.Theme
	Areas  []domain.Area
	Tasks  []domain.Task
	Roles  []domain.RoleProfile
	// FAQ are the answers to free-text questions (faq.yaml), in file order.
	FAQ []domain.FAQEntry

	themeIdx map[string]int
	areaIdx  map[string]int
	taskIdx  map[string]int
	roleIdx  map[string]int
}

// ThemeNeed is a theme some selected tasks need, with those tasks as the reason ("why"), and whether the
// organisation's valtuutusoikeus covers it. When Covered is false, a main user cannot grant the theme before the
// organisation has applied to DVV for it.
type ThemeNeed struct {
	Theme   domain.Theme
	Tasks   []domain.Task
	Covered bool
}

// AreaTasks is an area with its tasks, for the intake card.
type AreaTasks struct {
	Area  domain.Area
	Tasks []domain.Task
}

// The file layouts. organisation.yaml decodes straight into domain.Organisation.
type themesFile struct {
	Themes []themeEntry `yaml:"themes"`
}

// themeEntry is a theme as themes.yaml writes it: the domain theme and its checked date as written, which
// validation parses so that a bad date is reported together with every other problem.
type themeEntry struct {
	domain.Theme `yaml:",inline"`
	Checked      string `yaml:"checked"`
}

type tasksFile struct {
	Areas []domain.Area `yaml:"areas"`
	Tasks []domain.Task `yaml:"tasks"`
}

type rolesFile struct {
	Roles []domain.RoleProfile `yaml:"roles"`
}

// Load reads themes.yaml, tasks.yaml, roles.yaml and organisation.yaml from the root of fsys and validates them
// together. On any problem it returns a domain.Error of kind EInvalid wrapping a *LoadError that lists every
// problem found.
func Load(fsys fs.FS) (*Catalog, error) {
	var (
		r     reporter
		tf    themesFile
		kf    tasksFile
		rf    rolesFile
		org   domain.Organisation
		files loadedFiles
	)
	files.themes, files.themesOK = decodeFile(fsys, fileSpec{name: "themes.yaml", sections: map[string]string{"themes": "theme"}}, &tf, &r)
	files.tasks, files.tasksOK = decodeFile(fsys, fileSpec{name: "tasks.yaml", sections: map[string]string{"areas": "area", "tasks": "task"}}, &kf, &r)
	files.roles, files.rolesOK = decodeFile(fsys, fileSpec{name: "roles.yaml", sections: map[string]string{"roles": "role"}}, &rf, &r)
	files.org, files.orgOK = decodeFile(fsys, fileSpec{name: "organisation.yaml"}, &org, &r)

	themes := make([]domain.Theme, len(tf.Themes))
	files.checked = make([]string, len(tf.Themes))
	for i, e := range tf.Themes {
		themes[i] = e.Theme.WithDisplayName()
		if d, err := domain.ParseDate(e.Checked); err == nil {
			themes[i].Checked = d
		}
		files.checked[i] = e.Checked
	}
	c := &Catalog{Org: org, Themes: themes, Areas: kf.Areas, Tasks: kf.Tasks, Roles: rf.Roles}
	validate(c, files, &r)
	if files.orgOK {
		validateDigituki(c.Org, files.org, &r)
	}
	loadFAQ(fsys, c, &r)
	if len(r.problems) > 0 {
		le := &LoadError{Problems: r.problems}
		return nil, &domain.Error{Code: domain.EInvalid, Op: "catalog.Load", Message: le.Error(), Err: le}
	}
	c.themeIdx = index(c.Themes, func(t domain.Theme) string { return t.ID })
	c.areaIdx = index(c.Areas, func(a domain.Area) string { return a.ID })
	c.taskIdx = index(c.Tasks, func(t domain.Task) string { return t.ID })
	c.roleIdx = index(c.Roles, func(r domain.RoleProfile) string { return r.ID })
	return c, nil
}

// LoadDir loads the catalog from a directory, for an operator who keeps their own catalog outside the binary.
func LoadDir(dir string) (*Catalog, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, &domain.Error{Code: domain.EInvalid, Op: "catalog.LoadDir", Message: "catalog directory: " + err.Error(), Err: err}
	}
	c, err := Load(os.DirFS(dir))
	if err != nil {
		return nil, domain.Wrap("catalog.LoadDir", err)
	}
	return c, nil
}

// Default loads the embedded catalog of the City of Porvoo.
func Default() (*Catalog, error) {
	c, err := Load(DefaultFS())
	if err != nil {
		return nil, domain.Wrap("catalog.Default", err)
	}
	return c, nil
}

// DefaultFS returns the embedded catalog files, e.g. for exporting them as a starting point for another
// organisation's own catalog.
func DefaultFS() fs.FS {
	sub, err := fs.Sub(embedded, "data")
	if err != nil {
		panic("catalog: embedded data directory: " + err.Error()) // cannot happen: the path is a constant
	}
	return sub
}

// Theme returns the theme with the given id.
func (c *Catalog) Theme(id string) (domain.Theme, bool) { return lookup(c.Themes, c.themeIdx, id) }

// Area returns the area with the given id.
func (c *Catalog) Area(id string) (domain.Area, bool) { return lookup(c.Areas, c.areaIdx, id) }

// Task returns the task with the given id.
func (c *Catalog) Task(id string) (domain.Task, bool) { return lookup(c.Tasks, c.taskIdx, id) }

// Role returns the role profile with the given id.
func (c *Catalog) Role(id string) (domain.RoleProfile, bool) { return lookup(c.Roles, c.roleIdx, id) }

// TasksByArea groups the tasks by area, both in file order. Areas without tasks are left out.
func (c *Catalog) TasksByArea() []AreaTasks {
	out := make([]AreaTasks, 0, len(c.Areas))
	for _, a := range c.Areas {
		var tasks []domain.Task
		for _, t := range c.Tasks {
			if t.Area == a.ID {
				tasks = append(tasks, t)
			}
		}
		if len(tasks) > 0 {
			out = append(out, AreaTasks{Area: a, Tasks: tasks})
		}
	}
	return out
}

// LookAlikes returns the themes that are easily confused with the given one, in the order the theme lists them.
func (c *Catalog) LookAlikes(themeID string) []domain.Theme {
	t, ok := c.Theme(themeID)
	if !ok {
		return nil
	}
	out := make([]domain.Theme, 0, len(t.LookAlikes))
	for _, id := range t.LookAlikes {
		if la, ok := c.Theme(id); ok {
			out = append(out, la)
		}
	}
	return out
}

// ThemesFor returns the themes the given tasks need, each once, with the tasks that need it. The order is stable
// and does not depend on the order of taskIDs: themes in catalog order, and each theme's tasks in catalog order.
// Unknown and repeated task ids are ignored, so a card built from an older catalog cannot break the flow.
func (c *Catalog) ThemesFor(taskIDs []string) []ThemeNeed {
	selected := make([]bool, len(c.Tasks))
	for _, id := range taskIDs {
		if i, ok := c.taskIdx[id]; ok {
			selected[i] = true
		}
	}
	var out []ThemeNeed
	for _, th := range c.Themes {
		var need *ThemeNeed
		for i, task := range c.Tasks {
			if !selected[i] || !slices.Contains(task.Themes, th.ID) {
				continue
			}
			if need == nil {
				out = append(out, ThemeNeed{Theme: th, Covered: c.Org.Covers(th.ID)})
				need = &out[len(out)-1]
			}
			need.Tasks = append(need.Tasks, task)
		}
	}
	return out
}

func index[T any](items []T, id func(T) string) map[string]int {
	m := make(map[string]int, len(items))
	for i, it := range items {
		m[id(it)] = i
	}
	return m
}

func lookup[T any](items []T, idx map[string]int, id string) (T, bool) {
	if i, ok := idx[id]; ok {
		return items[i], true
	}
	var zero T
	return zero, false
}

// SelectTasks keeps the known tasks among ids, in catalog order, without duplicates. An unknown id is refused
// (err.unknown_task), and so is a choice with nothing in it (err.no_tasks).
func (c *Catalog) SelectTasks(ids []string) ([]string, error) {
	seen := map[string]bool{}
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		if _, ok := c.Task(id); !ok {
			return nil, domain.Errorf(domain.EInvalid, "err.unknown_task")
		}
		seen[id] = true
	}
	if len(seen) == 0 {
		return nil, domain.Errorf(domain.EInvalid, "err.no_tasks")
	}
	var out []string
	for _, t := range c.Tasks {
		if seen[t.ID] {
			out = append(out, t.ID)
		}
	}
	return out, nil
}
