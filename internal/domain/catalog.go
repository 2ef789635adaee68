package domain

// Theme is a Suomi.fi mandate theme (valtuusasia) as the organisation's catalog describes it. ID is our own stable
// identifier: the codes Suomi.fi uses internally are not public, so SuomiFiURL keeps the public page as reference.
type Theme struct {
	ID string `json:"id" yaml:"id"`
	// OfficialName is the theme's name exactly as Suomi.fi shows it, in each language where that name is confirmed
	// (Finnish always, unless it could not be confirmed; Swedish and English where Suomi.fi publishes them). Cards
	// that tell someone what to pick in Suomi.fi present only these as Suomi.fi's names.
	OfficialName Text `json:"official_name" yaml:"official_name"`
	// OwnName is a name of the organisation's own (a translation, or an agency's wording) for each language that
	// has no confirmed official name. It is never presented as the name to search for in Suomi.fi.
	OwnName Text `json:"own_name,omitempty" yaml:"own_name,omitempty"`
	// Name is the display name per language: the official name where there is one, else the own name. The catalog
	// loader fills it from OfficialName and OwnName (WithDisplayName); it is not written in the catalog files.
	Name        Text     `json:"name" yaml:"-"`
	Agency      Text     `json:"agency" yaml:"agency"`
	Description Text     `json:"description" yaml:"description"`
	SuomiFiURL  string   `json:"suomi_fi_url" yaml:"suomi_fi_url"`
	Sources     []string `json:"sources,omitempty" yaml:"sources,omitempty"`
	// Checked is the day the theme's names, agency and description were last checked against its sources. The
	// catalog files write it as YYYY-MM-DD under "checked".
	Checked Date `json:"checked" yaml:"-"`
	// Type is the kind of mandate an employee receives for this theme (asiointivaltuus for most themes). Cards name
	// it from here, never on their own.
	Type MandateType `json:"type" yaml:"type"`
	// DefaultValidityMonths is the organisation's policy for how long a mandate of this theme is granted for.
	DefaultValidityMonths int `json:"default_validity_months" yaml:"default_validity_months"`
	// MaxValidityMonths is the longest the organisation grants a mandate of this theme for (at least the default,
	// at most Suomi.fi's 25 years); see CapValidity.
	MaxValidityMonths int `json:"max_validity_months" yaml:"max_validity_months"`
	// LookAlikes names themes that are easily confused with this one; LookAlikeWarning explains the difference.
	LookAlikes       []string `json:"look_alikes,omitempty" yaml:"look_alikes,omitempty"`
	LookAlikeWarning Text     `json:"look_alike_warning,omitempty" yaml:"look_alike_warning,omitempty"`
	// SpecifierHint tells what tarkenne (specifier) the theme may need, e.g. an Incomes Register sub-organisation.
	SpecifierHint Text `json:"specifier_hint,omitempty" yaml:"specifier_hint,omitempty"`
	// Hidden themes are kept for existing mandates but no longer offered for new requests.
	Hidden bool `json:"hidden,omitempty" yaml:"hidden,omitempty"`
	// Synonyms are the names people use for the theme in their own lists ("Kelmu", "Veroasiat"), which an import
	// matches as the theme. Main users add to them; they are never shown as the theme's name.
	Synonyms []string `json:"synonyms,omitempty" yaml:"synonyms,omitempty"`
}

// WithDisplayName returns the theme with Name filled in: per language the official name, else the own name.
func (t Theme) WithDisplayName() Theme {
	pick := func(official, own string) string {
		if official != "" {
			return official
		}
		return own
	}
	t.Name = Text{
		FI: pick(t.OfficialName.FI, t.OwnName.FI),
		SV: pick(t.OfficialName.SV, t.OwnName.SV),
		EN: pick(t.OfficialName.EN, t.OwnName.EN),
	}
	return t
}

// SuomiFiName is the name to look for in Suomi.fi for a reader of lang: the official name in lang when Suomi.fi
// has one, else the official Finnish name (Suomi.fi finds a theme by its Finnish name whatever the reader's
// language), else any official name. ok is false when no official name is known at all.
func (t Theme) SuomiFiName(lang Lang) (name string, nameLang Lang, ok bool) {
	for _, l := range []Lang{lang, Finnish, Swedish, English} {
		if s := t.OfficialName.Exact(l); s != "" {
			return s, l, true
		}
	}
	return "", "", false
}

// MandateType is the kind of Suomi.fi mandate a theme is granted as. The values are the Finnish terms Suomi.fi uses,
// so the catalog reads like Suomi.fi's own instructions.
type MandateType string

const (
	// Asiointivaltuus (ärendefullmakt, mandate for transactions): the person acts for the organisation that granted
	// it. This is what employees get for almost every theme.
	Asiointivaltuus MandateType = "asiointivaltuus"
	// Edustamisvaltuus (representationsfullmakt, mandate to represent): the person acts in the organisation's name
	// for a party that has authorised the organisation. Someone holding an edustajan valtuutusoikeus (representative's
	// right to grant mandates) grants it; some services, such as Luvat ja valvonta's authority-side handling, use it.
	Edustamisvaltuus MandateType = "edustamisvaltuus"
)

// MandateTypes lists the known mandate types.
var MandateTypes = []MandateType{Asiointivaltuus, Edustamisvaltuus}

// Valid reports whether t is a known mandate type.
func (t MandateType) Valid() bool { return t == Asiointivaltuus || t == Edustamisvaltuus }

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
	NameForApprover Text `json:"name_for_approver" yaml:"name_for_approver"`
	// Example is an everyday moment of the task, shown after its name on the intake card only ("kuukauden
	// palkka-ajon jälkeen"): it helps a newcomer recognise their work. Optional; when given, in every language.
	Example Text     `json:"example,omitzero" yaml:"example"`
	Themes  []string `json:"themes" yaml:"themes"`
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
	// With RightHolders the catalog loader derives it from them (the union of their themes), so there is one truth.
	CoveredThemes []string `json:"covered_themes" yaml:"covered_themes"`
	// RightHolders are the people DVV registered as holding the organisation's valtuutusoikeus, each with the themes
	// and the end of their right (continuity.go).
	RightHolders []RightHolder `json:"granting_right_holders,omitempty" yaml:"granting_right_holders"`
	// Grant is the organisation's policy on how approved mandates are granted in Suomi.fi.
	Grant GrantPolicy `json:"grant" yaml:"grant"`
	// Alerts is the organisation's policy for herätteet: working hours and how long things may wait.
	Alerts AlertPolicy `json:"alerts" yaml:"alerts"`
	// Review is the periodic review of mandates (katselmointi): how often and how long supervisors have to answer.
	Review ReviewPolicy `json:"review" yaml:"review"`
	// Support is where people get help the bot cannot give (e.g. the digituki network's channel or address), per
	// language.
	Support Text `json:"support" yaml:"support"`
	// Digituki is the digital-support network's channel in Teams, where questions the bot cannot answer are handed
	// to people; without it the bot names the Support contact instead.
	Digituki Digituki `json:"digituki" yaml:"digituki"`
}

// GrantPolicy is the organisation's choice of grant path.
type GrantPolicy struct {
	// Path is the path every approved request takes by default; empty means PathRequest (the valtuuspyyntö).
	Path GrantPath `json:"path" yaml:"path"`
	// DirectFallback lets a request switch to the direct grant when the employee cannot file a valtuuspyyntö.
	DirectFallback bool `json:"direct_fallback" yaml:"direct_fallback"`
	// IdentityCodeFrom says who gives the main user the person's henkilötunnus for a direct grant, and how (never
	// through the bot); required when the direct grant is possible.
	IdentityCodeFrom Text `json:"identity_code_from" yaml:"identity_code_from"`
}

// DefaultPath is the grant path of a newly approved request.
func (g GrantPolicy) DefaultPath() GrantPath {
	if g.Path == "" {
		return PathRequest
	}
	return g.Path
}

// DirectAllowed reports whether a request may be granted directly.
func (g GrantPolicy) DirectAllowed() bool { return g.DefaultPath() == PathDirect || g.DirectFallback }

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

// AlertPolicy says when the bot reminds, escalates and warns. Days are working days (weekends and Finnish public
// holidays do not count) unless the name says otherwise; zero values take the defaults (Defaults).
type AlertPolicy struct {
	// WorkStart and WorkEnd are the working hours ("08:00", "16:00", Europe/Helsinki): alerts wait outside them.
	WorkStart string `json:"work_start" yaml:"work_start"`
	WorkEnd   string `json:"work_end" yaml:"work_end"`
	// Approvals: the approver is reminded after ApprovalReminderDays, the request moves to the alternate approver
	// after ApprovalEscalationDays, and an undecided request expires after ApprovalExpiryDays.
	ApprovalReminderDays   int `json:"approval_reminder_days" yaml:"approval_reminder_days"`
	ApprovalEscalationDays int `json:"approval_escalation_days" yaml:"approval_escalation_days"`
	ApprovalExpiryDays     int `json:"approval_expiry_days" yaml:"approval_expiry_days"`
	// GrantReminderDays: an open grant task reminds the main users after this, then every working day.
	GrantReminderDays int `json:"grant_reminder_days" yaml:"grant_reminder_days"`
	// FilingReminderDays: an employee who has not said they sent their valtuuspyyntö is reminded after this.
	FilingReminderDays int `json:"filing_reminder_days" yaml:"filing_reminder_days"`
	// ExpiryNoticeDays are the calendar days before a mandate's end when its holder and their supervisor are told.
	ExpiryNoticeDays []int `json:"expiry_notice_days" yaml:"expiry_notice_days"`
}

// Defaults returns the policy with every zero value replaced by its default.
func (a AlertPolicy) Defaults() AlertPolicy {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	if a.WorkStart == "" {
		a.WorkStart = "08:00"
	}
	if a.WorkEnd == "" {
		a.WorkEnd = "16:00"
	}
	def(&a.ApprovalReminderDays, 3)
	def(&a.ApprovalEscalationDays, 7)
	def(&a.ApprovalExpiryDays, 20)
	def(&a.GrantReminderDays, 3)
	def(&a.FilingReminderDays, 2)
	if len(a.ExpiryNoticeDays) == 0 {
		a.ExpiryNoticeDays = []int{60, 30, 7}
	}
	return a
}
