package exporter

import (
	"context"
	"io"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sheet"
)

// ReviewStore reads review campaigns (sqlstore.Register).
type ReviewStore interface {
	Campaign(ctx context.Context, id int64) (domain.Campaign, error)
	LatestCampaign(ctx context.Context) (domain.Campaign, error)
	CampaignReviews(ctx context.Context, campaignID int64) ([]domain.Review, error)
}

var reviewColumns = map[domain.Lang][]any{
	domain.Finnish: {"Katselmointi", "Katselmoija", "Katselmoijan Entra ID", "Nimi", "Entra ID", "Valtuusasia",
		"Voimassa asti", "Päätös", "Päättäjä", "Päätetty", "Valtuus"},
	domain.Swedish: {"Granskning", "Granskare", "Granskarens Entra ID", "Namn", "Entra ID", "Fullmaktsärende",
		"Giltig till", "Beslut", "Beslutad av", "Beslutad", "Fullmakt"},
	domain.English: {"Review", "Reviewer", "Reviewer's Entra ID", "Name", "Entra ID", "Theme", "Valid until",
		"Decision", "Decided by", "Decided", "Mandate"},
}

// reviewWords are the decisions as the report writes them: kept, invalidate, no answer.
var reviewWords = map[domain.Lang][3]string{
	domain.Finnish: {"säilytetään", "mitätöidään", "ei vastausta"},
	domain.Swedish: {"behålls", "annulleras", "inget svar"},
	domain.English: {"keep", "invalidate", "no answer"},
}

var reviewSheet = map[domain.Lang]string{domain.Finnish: "Katselmointi", domain.Swedish: "Granskning", domain.English: "Review"}

// Review writes the report of review campaign id (the newest when id is 0): one row per mandate reviewed, with
// the reviewer, the decision (or no answer), who decided and when. It returns how many rows it wrote.
func (x *Exporter) Review(ctx context.Context, w io.Writer, format sheet.Format, lang domain.Lang, id int64) (int, error) {
	lang = known(lang)
	if x.Reviews == nil {
		return 0, domain.Errorf(domain.EInvalid, "no review store")
	}
	var c domain.Campaign
	var err error
	if id == 0 {
		c, err = x.Reviews.LatestCampaign(ctx)
	} else {
		c, err = x.Reviews.Campaign(ctx, id)
	}
	if err != nil {
		return 0, err
	}
	rs, err := x.Reviews.CampaignReviews(ctx, c.ID)
	if err != nil {
		return 0, err
	}
	sw, err := NewWriter(w, format, reviewSheet[lang])
	if err != nil {
		return 0, err
	}
	n := 0
	err = sw.Row(reviewColumns[lang]...)
	for _, r := range rs {
		for _, it := range r.Items {
			if err != nil {
				break
			}
			n++
			err = sw.Row(x.reviewRow(c, r, it, lang)...)
		}
	}
	if cerr := sw.Close(); err == nil {
		err = cerr
	}
	return n, err
}

func (x *Exporter) reviewRow(c domain.Campaign, r domain.Review, it domain.ReviewItem, lang domain.Lang) []any {
	theme := it.ThemeID
	if th, ok := x.Catalog.Theme(it.ThemeID); ok {
		theme = th.Name.In(lang)
	}
	decision := reviewWords[lang][2]
	switch it.Decision {
	case domain.ReviewKeep:
		decision = reviewWords[lang][0]
	case domain.ReviewInvalidate:
		decision = reviewWords[lang][1]
	}
	decided := ""
	if !it.DecidedAt.IsZero() {
		decided = it.DecidedAt.In(domain.OrgLocation).Format(time.RFC3339)
	}
	return []any{c.StartedAt.In(domain.OrgLocation).Format(time.DateOnly), r.ReviewerName, r.ReviewerID, it.HolderName,
		it.HolderID, theme, it.ValidUntil, decision, it.DecidedBy, decided, it.MandateID}
}
