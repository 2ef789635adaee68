package sqlstore_test

import (
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// MandatesGrantedBy counts the mandates one person recorded, in any state, and nobody else's.
func TestMandatesGrantedBy(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		if n, err := db.Register.MandatesGrantedBy(ctx, "main-user-1"); err != nil || n != 0 {
			t.Fatalf("before any grant: %d, %v", n, err)
		}
		mk := func(holder, theme, by string, state domain.MandateState) domain.Mandate {
			return domain.Mandate{HolderID: holder, ThemeID: theme, ValidFrom: day(2026, 1, 1), ValidUntil: day(2026, 12, 31),
				State: state, GrantedBy: by}
		}
		inTx(t, db, func(tx workflow.Tx) error {
			for _, m := range []domain.Mandate{
				mk("holder-1", "theme-a", "main-user-1", domain.MandateActive),
				mk("holder-2", "theme-a", "main-user-1", domain.MandateRevoked),
				mk("holder-1", "theme-b", "main-user-2", domain.MandateActive),
				mk("holder-3", "theme-c", "", domain.MandateActive), // imported: nobody recorded it here
			} {
				if err := tx.CreateMandate(ctx, &m); err != nil {
					return err
				}
			}
			return nil
		})
		for who, want := range map[string]int{"main-user-1": 2, "main-user-2": 1, "MAIN-USER-1": 0, "holder-1": 0, "": 0} {
			if n, err := db.Register.MandatesGrantedBy(ctx, who); err != nil || n != want {
				t.Errorf("MandatesGrantedBy(%q) = %d, %v; want %d", who, n, err, want)
			}
		}
	})
}
