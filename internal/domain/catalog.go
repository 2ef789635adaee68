package domain

// Theme is a Suomi.fi mandate theme (valtuusasia) as the organisation's catalog describes it. ID is our own stable
// identifier: the codes Suomi.fi uses internally are not public, so SuomiFiURL keeps the public page as reference.
type Theme struct {
	ID          string   `json:"id" yaml:"id"`
	Name        Text     `json:"name" yaml:"name"` // as Suomi.fi shows it, per language
	Agency      Text     `json:"agency" yaml:"agency"`
	Description Text     `json:"description" yaml:"description"`
	SuomiFiURL  string   `json:"suomi_fi_url" yaml:"suomi_fi_url"`
	Sources     []string `json:"sources,omitempty" yaml:"sources,omitempty"`
	// DefaultValidityMonths is the organisation's policy for how long a mandate of this theme is granted for.
	DefaultValidityMonths int `json:"default_validity_months" yaml:"default_validity_months"`
	// LookAlikes names themes that are easily confused with this one; LookAlikeWarning explains the difference.
	LookAlikes       []string `json:"look_alikes,omitempty" yaml:"look_alikes,omitempty"`
	LookAlikeWarning Text     `json:"look_alike_warning,omitempty" yaml:"look_alike_warning,omitempty"`
	// SpecifierHint tells what tarkenne (specifier) the theme may need, e.g. an Incomes Register sub-organisation.
	SpecifierHint Text `json:"specifier_hint,omitempty" yaml:"specifier_hint,omitempty"`
	// Hidden themes are kept for existing mandates but no longer offered for new requests.
	Hidden bool `json:"hidden,omitempty" yaml:"hidden,omitempty"`
}

// Area groups tasks on the intake card (e.g. payroll, tax, social and health services).
type Area struct {
	ID   string `json:"id" yaml:"id"`
	Name Text   `json:"name" yaml:"name"`
}

// Task is a "what I do" item an employee can pick; each implies the themes the work needs.
type Task struct {
	ID   string `json:"id" yaml:"id"`
	Area string `json:"area" yaml:"area"`
	// Name is the task in the employee's own words, first person: "Ilmoitan palkkatiedot tulorekisteriin".
	Name Text `json:"name" yaml:"name"`
	// NameForApprover is the same task as the approver reads it after the requester's name: third person, lower
	// case at the start ("ilmoittaa palkkatiedot tulorekisteriin").
	NameForApprover Text     `json:"name_for_approver" yaml:"name_for_approver"`
	Themes          []string `json:"themes" yaml:"themes"`
}

// RoleProfile bundles the tasks of a typical job, e.g. a payroll clerk.
type RoleProfile struct {
	ID    string   `json:"id" yaml:"id"`
	Name  Text     `json:"name" yaml:"name"`
	Tasks []string `json:"tasks" yaml:"tasks"`
}

// Organisation is the assignor (valtuuttaja): the municipality or wellbeing services county running the bot.
type Organisation struct {
	Name            Text   `json:"name" yaml:"name"`
	BusinessID      string `json:"business_id" yaml:"business_id"` // Y-tunnus, e.g. 1061512-1
	DefaultLanguage Lang   `json:"default_language" yaml:"default_language"`
	// MainUsers are the Entra object ids of the pääkäyttäjät who hold the valtuutusoikeus and grant mandates.
	MainUsers []string `json:"main_users" yaml:"main_users"`
	// DepartmentHeads maps a department name as the directory spells it to the Entra object id of its head.
	DepartmentHeads map[string]string `json:"department_heads" yaml:"department_heads"`
	// CoveredThemes are the themes the organisation's valtuutusoikeus covers; anything else needs a new DVV application.
	CoveredThemes []string `json:"covered_themes" yaml:"covered_themes"`
}

// IsMainUser reports whether the Entra object id belongs to a main user.
func (o *Organisation) IsMainUser(id string) bool { return contains(o.MainUsers, id) }

// Covers reports whether the organisation's valtuutusoikeus covers the theme.
func (o *Organisation) Covers(themeID string) bool { return contains(o.CoveredThemes, themeID) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
