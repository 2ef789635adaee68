package catalog

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/worktime"
)

// maxValidityMonths is the longest mandate Suomi.fi allows: 25 years.
const maxValidityMonths = 25 * 12

// loadedFiles holds each file's parse result. A file that failed to parse is not validated, and references into
// it are not checked, so one syntax error does not bury the real problems under "unknown id" noise.
type loadedFiles struct {
	themes, tasks, roles, org         yamlDoc
	themesOK, tasksOK, rolesOK, orgOK bool
	checked                           []string // each theme's "checked" date as written
}

// refs is the set of usable ids of one kind; nil means "unknown: the file did not load", and then references are
// not checked.
type refs map[string]bool

func (s refs) unknown(id string) bool { return s != nil && !s[id] }

// validate checks every rule of the catalog and adds each problem to r.
func validate(c *Catalog, f loadedFiles, r *reporter) {
	var themeIDs, hiddenThemes, taskIDs refs
	if f.themesOK {
		themeIDs, hiddenThemes = validateThemes(c.Themes, f.checked, f.themes, r)
	}
	if f.tasksOK {
		taskIDs = validateTasks(c.Areas, c.Tasks, f.tasks, themeIDs, hiddenThemes, r)
	}
	if f.rolesOK {
		validateRoles(c.Roles, f.roles, taskIDs, r)
	}
	if f.orgOK {
		validateOrg(&c.Org, f.org, themeIDs, r)
	}
}

func validateThemes(themes []domain.Theme, checked []string, doc yamlDoc, r *reporter) (ids, hidden refs) {
	file := doc.spec.name
	if len(themes) == 0 {
		r.add(file, doc.keyLine("themes"), "", "no themes: the file needs a non-empty \"themes\" list")
	}
	ids = checkIDs(doc, "themes", "theme", themes, func(t domain.Theme) string { return t.ID }, r)
	checkSynonyms(themes, doc, r)
	hidden = refs{}
	names := map[string]string{} // language + lower-cased name → id of the theme that uses it
	for i, t := range themes {
		line, entry := doc.itemLine("themes", i), entryName("theme", t.ID, i)
		add := func(format string, args ...any) { r.add(file, line, entry, format, args...) }
		hidden[t.ID] = t.Hidden

		checkNames(add, t)
		checkText(add, "agency", t.Agency, true)
		checkText(add, "description", t.Description, true)
		for _, lang := range domain.Langs {
			name := strings.TrimSpace(textIn(t.Name, lang))
			if name == "" {
				continue
			}
			key := string(lang) + "\x00" + strings.ToLower(name)
			if other, dup := names[key]; dup {
				add("name.%s %q is also the name of theme %q", lang, name, other)
			} else {
				names[key] = t.ID
			}
		}

		switch {
		case t.Type == "":
			add("type is missing: give the mandate type employees receive, one of %s", mandateTypeList())
		case !t.Type.Valid():
			add("type %q is not a mandate type: use one of %s", t.Type, mandateTypeList())
		}

		if t.SuomiFiURL == "" {
			add("suomi_fi_url is missing")
		} else if p := urlProblem(t.SuomiFiURL); p != "" {
			add("suomi_fi_url %q %s", t.SuomiFiURL, p)
		}
		for j, u := range t.Sources {
			if p := urlProblem(u); p != "" {
				add("sources[%d] %q %s", j, u, p)
			}
		}
		switch {
		case checked[i] == "":
			add("checked is missing: give the day the theme was last checked against its sources, as YYYY-MM-DD")
		case t.Checked.IsZero():
			add("checked %q is not a date: write it as YYYY-MM-DD", checked[i])
		}
		checkValidity(add, t)

		seen := map[string]bool{}
		for _, la := range t.LookAlikes {
			switch {
			case la == t.ID:
				add("look_alikes lists the theme itself")
			case seen[la]:
				add("look_alikes lists %q twice", la)
			case ids.unknown(la):
				add("look_alikes: unknown theme %q", la)
			}
			seen[la] = true
		}
		if len(t.LookAlikes) > 0 {
			checkText(add, "look_alike_warning", t.LookAlikeWarning, true)
		} else if len(missingLangs(t.LookAlikeWarning)) < len(domain.Langs) {
			add("look_alike_warning is set but look_alikes is empty")
		}
		checkText(add, "specifier_hint", t.SpecifierHint, false)
	}
	return ids, hidden
}

// checkValidity checks a theme's validity policy: a default and a maximum, each within Suomi.fi's 25 years, and the
// default no longer than the maximum.
func checkValidity(add func(string, ...any), t domain.Theme) {
	def, longest := t.DefaultValidityMonths, t.MaxValidityMonths
	if def < 1 || def > maxValidityMonths {
		add("default_validity_months %d is out of range 1..%d (Suomi.fi allows at most 25 years)", def, maxValidityMonths)
	}
	switch {
	case longest == 0:
		add("max_validity_months is missing: give the longest validity the organisation grants, 1..%d months", maxValidityMonths)
	case longest < 1 || longest > maxValidityMonths:
		add("max_validity_months %d is out of range 1..%d (Suomi.fi allows at most 25 years)", longest, maxValidityMonths)
	case def >= 1 && def <= maxValidityMonths && def > longest:
		add("default_validity_months %d is longer than max_validity_months %d", def, longest)
	}
}

// checkNames checks a theme's names. Each language has either Suomi.fi's name (official_name) or one of our own
// (own_name), never both, so a card can always tell which is which. The Finnish official name is required: only
// where it could not be confirmed may own_name.fi stand in, and then the data says so. Official names are copied
// exactly, so surrounding spaces are a copying mistake.
func checkNames(add func(string, ...any), t domain.Theme) {
	for _, lang := range domain.Langs {
		official, own := t.OfficialName.Exact(lang), t.OwnName.Exact(lang)
		if official != "" && strings.TrimSpace(official) != official {
			add("official_name.%s %q has surrounding spaces: copy the name exactly as Suomi.fi shows it", lang, official)
		}
		if strings.TrimSpace(official) != "" && strings.TrimSpace(own) != "" {
			add("own_name.%s is set beside official_name.%s: give a language either Suomi.fi's name or our own, not both", lang, lang)
		}
	}
	var missing []string
	for _, lang := range missingLangs(t.Name) {
		if lang == string(domain.Finnish) {
			add("official_name.fi is missing: give the Finnish name exactly as Suomi.fi shows it (own_name.fi only when it cannot be confirmed)")
			continue
		}
		missing = append(missing, lang)
	}
	if len(missing) > 0 {
		add("name is missing in %s: give official_name (as Suomi.fi shows it) or own_name (ours)", strings.Join(missing, ", "))
	}
}

func validateTasks(areas []domain.Area, tasks []domain.Task, doc yamlDoc, themeIDs, hidden refs, r *reporter) refs {
	file := doc.spec.name
	if len(areas) == 0 {
		r.add(file, doc.keyLine("areas"), "", "no areas: the file needs a non-empty \"areas\" list")
	}
	areaIDs := checkIDs(doc, "areas", "area", areas, func(a domain.Area) string { return a.ID }, r)
	for i, a := range areas {
		line, entry := doc.itemLine("areas", i), entryName("area", a.ID, i)
		checkText(func(format string, args ...any) { r.add(file, line, entry, format, args...) }, "name", a.Name, true)
	}

	if len(tasks) == 0 {
		r.add(file, doc.keyLine("tasks"), "", "no tasks: the file needs a non-empty \"tasks\" list")
	}
	taskIDs := checkIDs(doc, "tasks", "task", tasks, func(t domain.Task) string { return t.ID }, r)
	for i, t := range tasks {
		line, entry := doc.itemLine("tasks", i), entryName("task", t.ID, i)
		add := func(format string, args ...any) { r.add(file, line, entry, format, args...) }
		switch {
		case t.Area == "":
			add("area is missing")
		case areaIDs.unknown(t.Area):
			add("unknown area %q", t.Area)
		}
		checkText(add, "name", t.Name, true)
		checkText(add, "name_for_approver", t.NameForApprover, true)
		checkApproverWording(add, t.NameForApprover)
		checkText(add, "example", t.Example, false)
		checkExampleWording(add, t.Example)
		if len(t.Themes) == 0 {
			add("has no themes: every task must name the themes the work needs")
		}
		checkRefList(add, "themes", "theme", t.Themes, themeIDs, func(id string) {
			if hidden[id] {
				add("theme %q is hidden (no longer offered); remove it from the task", id)
			}
		})
	}
	return taskIDs
}

func validateRoles(roles []domain.RoleProfile, doc yamlDoc, taskIDs refs, r *reporter) {
	file := doc.spec.name
	checkIDs(doc, "roles", "role", roles, func(p domain.RoleProfile) string { return p.ID }, r)
	for i, p := range roles {
		line, entry := doc.itemLine("roles", i), entryName("role", p.ID, i)
		add := func(format string, args ...any) { r.add(file, line, entry, format, args...) }
		checkText(add, "name", p.Name, true)
		if len(p.Tasks) == 0 {
			add("has no tasks")
		}
		checkRefList(add, "tasks", "task", p.Tasks, taskIDs, nil)
	}
}

func validateOrg(o *domain.Organisation, doc yamlDoc, themeIDs refs, r *reporter) {
	file := doc.spec.name
	at := func(line int, entry string) func(string, ...any) {
		return func(format string, args ...any) { r.add(file, line, entry, format, args...) }
	}

	checkText(at(doc.keyLine("name"), ""), "name", o.Name, true)

	add := at(doc.keyLine("business_id"), "business_id")
	switch {
	case o.BusinessID == "":
		add("is missing")
	case !ValidBusinessID(o.BusinessID):
		add("%q is not a valid Y-tunnus: expected seven digits, a hyphen and a correct check digit (e.g. 1061512-1)", o.BusinessID)
	}

	add = at(doc.keyLine("default_language"), "default_language")
	switch {
	case o.DefaultLanguage == "":
		add("is missing")
	case !o.DefaultLanguage.Valid():
		add("%q must be fi, sv or en", o.DefaultLanguage)
	}

	if len(o.MainUsers) == 0 {
		at(doc.keyLine("main_users"), "main_users")("is empty: at least one main user must hold the valtuutusoikeus")
	}
	checkGUIDs(doc, "main_users", o.MainUsers, r)

	depts := make([]string, 0, len(o.DepartmentHeads))
	for d := range o.DepartmentHeads {
		depts = append(depts, d)
	}
	slices.Sort(depts)
	for _, d := range depts {
		add := at(doc.mapKeyLine("department_heads", d), "department_heads")
		if strings.TrimSpace(d) == "" {
			add("has an empty department name")
			continue
		}
		if id := o.DepartmentHeads[d]; !validGUID(id) {
			add("head of %q: %q is not an Entra object id (GUID)", d, id)
		}
	}

	seen := map[string]bool{}
	for i, id := range o.CoveredThemes {
		add := at(doc.itemLine("covered_themes", i), "covered_themes")
		switch {
		case seen[id]:
			add("lists %q twice", id)
		case themeIDs.unknown(id):
			add("unknown theme %q", id)
		}
		seen[id] = true
	}
	validateHolders(o, doc, themeIDs, r)
	checkGrantPolicy(at(doc.keyLine("grant"), "grant"), o.Grant)
	checkAlertPolicy(at(doc.keyLine("alerts"), "alerts"), o.Alerts)
	if err := o.Review.Validate(); err != nil {
		at(doc.keyLine("review"), "review")("%v", err)
	}
}

// validateHolders checks the holders of the right to grant (granting_right_holders): an Entra object id each, listed
// once, known themes each listed once, and the last day of the right as YYYY-MM-DD. With holders, the covered themes
// are derived from them, so covered_themes must not be written as well (two lists would drift apart).
func validateHolders(o *domain.Organisation, doc yamlDoc, themeIDs refs, r *reporter) {
	if len(o.RightHolders) == 0 {
		return
	}
	const key = "granting_right_holders"
	if len(o.CoveredThemes) > 0 {
		r.add(doc.spec.name, doc.keyLine("covered_themes"), "covered_themes",
			"must not be written together with %s: the covered themes are the holders' themes", key)
	}
	seen := map[string]bool{}
	for i := range o.RightHolders {
		h := &o.RightHolders[i]
		add := func(format string, args ...any) { r.add(doc.spec.name, doc.itemLine(key, i), key, format, args...) }
		switch {
		case !validGUID(h.ID):
			add("%q is not an Entra object id (GUID)", h.ID)
		case seen[strings.ToLower(h.ID)]:
			add("lists %q twice", h.ID)
		}
		seen[strings.ToLower(h.ID)] = true
		if len(h.Themes) == 0 {
			add("holder %s names no themes", h.ID)
		}
		checkRefList(add, "themes", "theme", h.Themes, themeIDs, nil)
		d, err := domain.ParseDate(h.UntilText)
		if err != nil {
			add("holder %s: until %q must be the last day of the right as YYYY-MM-DD", h.ID, h.UntilText)
		}
		h.Until = d
	}
	o.CoveredThemes = domain.HolderCoverage(o.RightHolders)
}

// checkAlertPolicy checks the alert policy: working hours as HH:MM with the start before the end, escalation after
// the reminder and expiry after the escalation, and positive notice days before a mandate ends.
func checkAlertPolicy(add func(string, ...any), a domain.AlertPolicy) {
	a = a.Defaults()
	start, err1 := worktime.ParseClock(a.WorkStart)
	end, err2 := worktime.ParseClock(a.WorkEnd)
	switch {
	case err1 != nil:
		add("work_start: %v", err1)
	case err2 != nil:
		add("work_end: %v", err2)
	case start >= end:
		add("work_start %s must be before work_end %s", a.WorkStart, a.WorkEnd)
	}
	if !(a.ApprovalReminderDays < a.ApprovalEscalationDays && a.ApprovalEscalationDays < a.ApprovalExpiryDays) {
		add("approval_reminder_days (%d) < approval_escalation_days (%d) < approval_expiry_days (%d) must hold",
			a.ApprovalReminderDays, a.ApprovalEscalationDays, a.ApprovalExpiryDays)
	}
	for _, d := range a.ExpiryNoticeDays {
		if d <= 0 || d > 365 {
			add("expiry_notice_days: %d is not a number of days between 1 and 365", d)
		}
	}
}

// checkGrantPolicy checks the organisation's grant path: a known path, and where the direct grant is possible, who
// gives the main user the identity code, in every language.
func checkGrantPolicy(add func(string, ...any), g domain.GrantPolicy) {
	if g.Path != "" && !g.Path.Valid() {
		add("path %q must be %s or %s", g.Path, domain.PathRequest, domain.PathDirect)
	}
	if g.DirectAllowed() {
		if missing := g.IdentityCodeFrom.Missing(); len(missing) > 0 {
			add("identity_code_from is missing %v: with the direct grant, say who gives the main user the identity code and how", missing)
		}
	}
}

// checkRefList reports each id of the list field that is listed twice or is not a known id of kind, and hands
// every other id to more, when not nil, for checks of its own.
func checkRefList(add func(string, ...any), field, kind string, ids []string, known refs, more func(id string)) {
	seen := map[string]bool{}
	for _, id := range ids {
		switch {
		case seen[id]:
			add("%s lists %q twice", field, id)
		case known.unknown(id):
			add("unknown %s %q", kind, id)
		case more != nil:
			more(id)
		}
		seen[id] = true
	}
}

// checkGUIDs checks a list of Entra object ids under a top-level key of organisation.yaml.
func checkGUIDs(doc yamlDoc, key string, ids []string, r *reporter) {
	seen := map[string]bool{}
	for i, id := range ids {
		line := doc.itemLine(key, i)
		switch {
		case !validGUID(id):
			r.add(doc.spec.name, line, key, "%q is not an Entra object id (GUID)", id)
		case seen[strings.ToLower(id)]:
			r.add(doc.spec.name, line, key, "lists %q twice", id)
		}
		seen[strings.ToLower(id)] = true
	}
}

// checkIDs checks the ids of one list (present, kebab-case, unique) and returns the usable ones: valid and the
// first of their kind.
func checkIDs[T any](doc yamlDoc, section, kind string, items []T, idOf func(T) string, r *reporter) refs {
	ids := refs{}
	first := map[string]int{}
	for i, it := range items {
		id := idOf(it)
		line, entry := doc.itemLine(section, i), entryName(kind, id, i)
		switch {
		case strings.TrimSpace(id) == "":
			r.add(doc.spec.name, line, entry, "id is missing")
		case !ValidID(id):
			r.add(doc.spec.name, line, entry, "id %q is not lower-case kebab-case (a-z, 0-9 and single hyphens, at most %d characters)", id, maxIDLength)
		default:
			if l, dup := first[id]; dup {
				r.add(doc.spec.name, line, entry, "duplicate id, first defined at line %d", l)
				continue
			}
			first[id] = line
			ids[id] = true
		}
	}
	return ids
}

// checkText reports a text that is missing (when required) or lacks some of the languages.
// checkApproverWording catches the employee's first-person wording copied into name_for_approver, where the approval
// card puts it after the requester's name ("Anna Virtanen I report…"). Only Swedish and English show it by a word;
// Finnish first-person verbs have no such mark.
func checkApproverWording(add func(string, ...any), t domain.Text) {
	for _, c := range []struct{ lang, text, pronoun string }{{"sv", t.SV, "jag"}, {"en", t.EN, "i"}} {
		first, _, _ := strings.Cut(strings.TrimSpace(c.text), " ")
		if strings.EqualFold(first, c.pronoun) {
			add("name_for_approver in %s starts with %q: write it in the third person without a subject, as it follows the requester's name", c.lang, first)
		}
	}
}

// checkExampleWording refuses an example that starts in upper case: the intake card shows it after the task's name
// ("… – esim. kuukauden palkka-ajon jälkeen"), mid-sentence.
func checkExampleWording(add func(string, ...any), t domain.Text) {
	for _, lang := range domain.Langs {
		s := strings.TrimSpace(textIn(t, lang))
		if r, _ := utf8.DecodeRuneInString(s); s != "" && unicode.IsUpper(r) {
			add("example.%s %q starts in upper case: it follows the task's name (\"… – e.g. %s\"), so start it in lower case", lang, s, s)
		}
	}
}

func checkText(add func(string, ...any), field string, t domain.Text, required bool) {
	missing := missingLangs(t)
	switch {
	case len(missing) == 0:
	case len(missing) == len(domain.Langs):
		if required {
			add("%s is missing", field)
		}
	default:
		add("%s is missing in %s", field, strings.Join(missing, ", "))
	}
}

// missingLangs lists the languages of t that are empty or blank, in canonical order.
func missingLangs(t domain.Text) []string {
	var out []string
	for _, lang := range domain.Langs {
		if strings.TrimSpace(textIn(t, lang)) == "" {
			out = append(out, string(lang))
		}
	}
	return out
}

// textIn returns the text in exactly lang, without the fallback of domain.Text.In.
func textIn(t domain.Text, lang domain.Lang) string {
	switch lang {
	case domain.Finnish:
		return t.FI
	case domain.Swedish:
		return t.SV
	case domain.English:
		return t.EN
	}
	return ""
}

// mandateTypeList names the valid mandate types for a message, e.g. "asiointivaltuus, edustamisvaltuus".
func mandateTypeList() string {
	names := make([]string, 0, len(domain.MandateTypes))
	for _, t := range domain.MandateTypes {
		names = append(names, string(t))
	}
	return strings.Join(names, ", ")
}
