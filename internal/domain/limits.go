package domain

// Limits of the mandate flow. The cards tell people about them and validate on the client; the workflow enforces
// them on the server. Keeping them here keeps the two in step.
const (
	MaxMandateYears  = 25   // Suomi.fi's longest mandate
	LateGrantDays    = 30   // how far back a main user may date a grant they confirm late
	MaxJustification = 1000 // characters in a request's justification
	MaxReason        = 500  // characters in a rejection or could-not-grant reason
)
