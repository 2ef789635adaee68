package exporter_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/exporter"
	"github.com/valtuusbotti/valtuusbotti/internal/sheet"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
)

// The report of a review campaign has one row per mandate reviewed: kept, to invalidate and unanswered, with the
// reviewer and who decided, in CSV and XLSX and every language; on SQLite and PostgreSQL.
func TestExportReview(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		db := sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clock.NewManual(now).Now))
		ctx := context.Background()
		cat, err := catalog.Default()
		if err != nil {
			t.Fatal(err)
		}
		err = db.Register.InTx(ctx, func(tx domain.Tx) error {
			rt, err := domain.ReviewTxOf(tx)
			if err != nil {
				return err
			}
			c := domain.Campaign{StartedBy: "system", Deadline: now.AddDate(0, 0, 21)}
			if err := rt.CreateCampaign(ctx, &c); err != nil {
				return err
			}
			r := domain.Review{Kind: domain.ReviewCampaign, CampaignID: c.ID, ReviewerID: sami, ReviewerName: "Sami Virtanen"}
			for _, th := range []string{"vero-veroasiat", "tulorekisteri-palkkatiedot-ilmoittaminen", "vero-veroilmoittaminen"} {
				m := domain.Mandate{HolderID: elina, HolderName: "Elina Lindholm", ThemeID: th, State: domain.MandateActive,
					ValidFrom: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), ValidUntil: time.Date(2027, 12, 31, 0, 0, 0, 0, time.UTC)}
				if err := rt.CreateMandate(ctx, &m); err != nil {
					return err
				}
				r.Items = append(r.Items, domain.ReviewItem{MandateID: m.ID, HolderID: elina, HolderName: m.HolderName,
					ThemeID: th, ValidUntil: m.ValidUntil})
			}
			if err := rt.CreateReview(ctx, &r); err != nil {
				return err
			}
			for i, d := range []domain.ReviewDecision{domain.ReviewKeep, domain.ReviewInvalidate} {
				it := r.Items[i]
				it.Decision, it.DecidedBy = d, sami
				if err := rt.DecideReviewItem(ctx, it); err != nil {
					return err
				}
			}
			it := r.Items[0]
			it.Decision, it.DecidedBy = domain.ReviewInvalidate, sami
			if err := rt.DecideReviewItem(ctx, it); !domain.IsCode(err, domain.EConflict) {
				t.Errorf("an item decided twice: %v", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		x := &exporter.Exporter{Store: db.Register, Catalog: cat, Reviews: db.Register}
		var buf bytes.Buffer
		n, err := x.Review(ctx, &buf, sheet.CSV, domain.Finnish, 0)
		if err != nil || n != 3 {
			t.Fatalf("%d rows, %v", n, err)
		}
		got := strings.ReplaceAll(strings.TrimPrefix(buf.String(), "\xEF\xBB\xBF"), "\r\n", "\n")
		for _, want := range []string{
			"Katselmointi;Katselmoija;Katselmoijan Entra ID;Nimi;Entra ID;Valtuusasia;Voimassa asti;Päätös;Päättäjä;Päätetty;Valtuus\n",
			"2026-12-03;Sami Virtanen;" + sami + ";Elina Lindholm;" + elina + ";Veroasioiden hoitaminen;2027-12-31;säilytetään;" + sami + ";2026-12-03T10:00:00+02:00;",
			";mitätöidään;" + sami + ";",
			";ei vastausta;;;",
		} {
			if !strings.Contains(got, want) {
				t.Errorf("the report lacks %q:\n%s", want, got)
			}
		}
		for _, lang := range domain.Langs {
			var xl bytes.Buffer
			if n, err := x.Review(ctx, &xl, sheet.XLSX, lang, 0); err != nil || n != 3 {
				t.Fatalf("%s xlsx: %d rows, %v", lang, n, err)
			}
			f, err := sheet.Read(xl.Bytes())
			if err != nil || len(f.Sheets) != 1 || len(f.Sheets[0].Rows) != 4 {
				t.Fatalf("%s xlsx read back: %v", lang, err)
			}
		}
		if _, err := x.Review(ctx, &bytes.Buffer{}, sheet.CSV, domain.Finnish, 999); !domain.IsCode(err, domain.ENotFound) {
			t.Errorf("an unknown campaign: %v", err)
		}
	})
}
