package domain

// Limits of the mandate flow. The cards tell people about them and validate on the client; the rules below enforce
// them on the server. Keeping them here keeps the two in step.
const (
	MaxMandateYears      = 25   // Suomi.fi's longest mandate
	LateGrantDays        = 30   // how far back a main user may date a grant they confirm late
	MaxJustification     = 1000 // characters in a request's justification
	MaxReason            = 500  // characters in a rejection or could-not-grant reason
	DefaultValidityMonth = 24   // a request's end date when no theme's policy says otherwise
)

// Validity is the range of end dates a new request may ask for, and the one it proposes.
type Validity struct {
	Min, Max, Default Date
	// CappedBy names the limit that set Max when it is earlier than Suomi.fi's 25 years (CapNone otherwise);
	// CapTheme is the theme whose policy it was (CapThemePolicy).
	CappedBy ValidityCap
	CapTheme string
}

// Capped applies each requested theme's longest validity and the end of the person's fixed-term employment
// (contractEnd, zero when permanent or unknown) to v: Max becomes the earliest of them, with the reason, and the
// proposed Default never passes it. When the employment ends before the earliest end date, Max is before Min and
// no end date is allowed (Open reports it).
func (v Validity) Capped(today Date, themes []Theme, contractEnd Date) Validity {
	for _, t := range themes {
		end, by := t.CapValidity(today, v.Max, contractEnd)
		if by != CapNone && end.Before(v.Max) {
			v.Max, v.CappedBy, v.CapTheme = end, by, ""
			if by == CapThemePolicy {
				v.CapTheme = t.ID
			}
		}
	}
	if len(themes) == 0 && !contractEnd.IsZero() && contractEnd.Before(v.Max) {
		v.Max, v.CappedBy = contractEnd, CapContractEnd
	}
	if v.Default.After(v.Max) {
		v.Default = v.Max
	}
	return v
}

// Open reports whether any end date is allowed.
func (v Validity) Open() bool { return !v.Max.Before(v.Min) }

// RequestValidity is the validity a request made today may have. policyMonths is the shortest default validity of
// the themes it asks for (least privilege: one end date for the whole request); 0 means no policy.
func RequestValidity(today Date, policyMonths int) Validity {
	v := Validity{Min: today.AddDays(1), Max: today.AddYears(MaxMandateYears)}
	if policyMonths <= 0 {
		policyMonths = DefaultValidityMonth
	}
	v.Default = today.AddMonths(policyMonths)
	if v.Default.After(v.Max) {
		v.Default = v.Max
	}
	return v
}

// Allows reports whether until is an end date the request may ask for.
func (v Validity) Allows(until Date) bool {
	return !until.IsZero() && !until.Before(v.Min) && !until.After(v.Max)
}

// CheckGrantDates validates the dates a main user records for a grant made in Suomi.fi: both given, the start at
// most LateGrantDays in the past, the end after the start and within Suomi.fi's longest validity.
func CheckGrantDates(today, from, until Date) error {
	switch {
	case from.IsZero() || until.IsZero():
		return Errorf(EInvalid, "err.dates_required")
	case from.Before(today.AddDays(-LateGrantDays)):
		return Errorf(EInvalid, "err.valid_from_past")
	case !until.After(from):
		return Errorf(EInvalid, "err.valid_until_before_from")
	case until.After(from.AddYears(MaxMandateYears)):
		return Errorf(EInvalid, "err.valid_until_range")
	}
	return nil
}

// GrantDefaults are the dates the grant task proposes: from today until the requested end, kept within Suomi.fi's
// limits, and the latest end Suomi.fi accepts. until is zero when the request has no usable end date, so that the
// main user must choose one.
func GrantDefaults(today, requested Date) (from, until, latest Date) {
	latest = today.AddYears(MaxMandateYears)
	switch {
	case requested.IsZero() || !requested.After(today): // an end today or earlier is no usable validity
	case requested.After(latest):
		until = latest
	default:
		until = requested
	}
	return today, until, latest
}

// CheckGrantDates validates the dates of a grant recorded on request r: the general limits (CheckGrantDates),
// then the approval's: the mandate cannot start before the request was approved, cannot end after the end date
// that was approved, and cannot have ended already (an expired grant is no grant).
func (r *Request) CheckGrantDates(today, from, until Date) error {
	if err := CheckGrantDates(today, from, until); err != nil {
		return err
	}
	switch {
	case !r.DecidedAt.IsZero() && from.Before(Today(r.DecidedAt)):
		return Errorf(EInvalid, "err.valid_from_before_approval")
	case !r.ValidUntil.IsZero() && until.After(DateOf(r.ValidUntil)):
		return Errorf(EInvalid, "err.valid_until_after_approved")
	case until.Before(today):
		return Errorf(EInvalid, "err.valid_until_past")
	}
	return nil
}

// ValidityCap names the limit that shortened a requested end date in CapValidity.
type ValidityCap string

// The limits CapValidity applies, the earliest winning; on a tie the first of these is named.
const (
	CapNone        ValidityCap = ""               // the requested end date stands
	CapContractEnd ValidityCap = "contract_end"   // the person's fixed-term employment ends earlier
	CapThemePolicy ValidityCap = "theme_policy"   // the theme's max_validity_months, the organisation's policy
	CapSuomiFi     ValidityCap = "suomi_fi_limit" // Suomi.fi's longest mandate, 25 years from the start
)

// CapValidity returns the end date a mandate of theme t starting on from may have when requested is asked for:
// the earliest of requested, the theme's longest validity (MaxValidityMonths after from, when the theme has one),
// Suomi.fi's 25 years after from, and contractEnd, the last day of the person's fixed-term employment (zero when the
// employment is permanent or unknown). A zero requested asks for the theme's default validity. by names the limit
// that shortened the request, CapNone when it stands. CapValidity only shortens: it does not check that the end
// is after the start (CheckGrantDates does), so a contract that ends before from yields an end before from.
func (t Theme) CapValidity(from, requested, contractEnd Date) (until Date, by ValidityCap) {
	until = requested
	if until.IsZero() {
		months := t.DefaultValidityMonths
		if months <= 0 {
			months = DefaultValidityMonth
		}
		until = from.AddMonths(months)
	}
	type limit struct {
		end Date
		cap ValidityCap
	}
	limits := []limit{{contractEnd, CapContractEnd}}
	if t.MaxValidityMonths > 0 {
		limits = append(limits, limit{from.AddMonths(t.MaxValidityMonths), CapThemePolicy})
	}
	limits = append(limits, limit{from.AddYears(MaxMandateYears), CapSuomiFi})
	for _, l := range limits {
		if !l.end.IsZero() && l.end.Before(until) {
			until, by = l.end, l.cap
		}
	}
	return until, by
}
