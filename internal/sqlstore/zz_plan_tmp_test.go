package sqlstore_test

import (
	"database/sql"
	"fmt"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
)

func TestZZPlanTmp(t *testing.T) {
	if os.Getenv("ZZ_PLAN") == "" {
		t.Skip()
	}
	dsn := sqltest.PostgresDSN(t)
	db := sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clock.NewManual(registerToday.Add(9*time.Hour)).Now))
	seedRegister(t, db, 100000)
	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec("VACUUM ANALYZE mandates"); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`SELECT COUNT(*) FROM mandates WHERE state = 'active' AND valid_from <= '2026-12-03' AND valid_until >= '2026-12-03'`,
		`SELECT department, COUNT(*) AS n FROM mandates WHERE state = 'active' AND valid_from <= '2026-12-03' AND valid_until >= '2026-12-03' GROUP BY department ORDER BY n DESC, department LIMIT 5`,
		`SELECT * FROM mandates WHERE state = 'active' AND valid_until >= '2026-12-03' AND valid_until <= '2051-12-03' ORDER BY valid_until, id LIMIT 5`,
		`SELECT * FROM mandates ORDER BY holder_name, holder_id, theme_id, valid_until, id LIMIT 1`,
		`SELECT * FROM mandates WHERE theme_id IN ('omavero') AND state = 'active' AND valid_until >= '2026-12-03' AND valid_until < '2027-12-03' ORDER BY holder_name, holder_id, theme_id, valid_until, id`,
	} {
		rows, err := raw.Query("EXPLAIN (ANALYZE, BUFFERS) " + q)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println("----", q)
		for rows.Next() {
			var l string
			rows.Scan(&l)
			fmt.Println(l)
		}
		rows.Close()
	}
}
