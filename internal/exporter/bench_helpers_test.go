package exporter_test

import (
	"context"
	"fmt"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
)

// seed100k writes 100,000 mandates: 10,000 people with ten themes each, in five departments, some open-ended,
// some invalidated, with end dates spread over the years around now.
func seed100k(tb testing.TB, db *sqlstore.DB) {
	tb.Helper()
	cat, err := catalog.Default()
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	depts := []string{"Talous- ja henkilöstöpalvelut", "Sivistyspalvelut", "Tietohallinto", "Kaupunkikehitys", "Sosiaalipalvelut"}
	err = db.Register.InTx(ctx, func(tx domain.Tx) error {
		for p := 0; p < 10000; p++ {
			for k := 0; k < 10; k++ {
				i := p*10 + k
				from := day(2020, 1, 1).AddDate(0, 0, i%2000)
				m := domain.Mandate{HolderID: fmt.Sprintf("00000000-0000-4000-8000-%012d", p),
					HolderName: fmt.Sprintf("Henkilö %05d", p), HolderMail: fmt.Sprintf("henkilo.%05d@porvoo.example", p),
					Department: depts[p%len(depts)], ThemeID: cat.Themes[(p+k)%len(cat.Themes)].ID,
					ValidFrom: from, ValidUntil: from.AddDate(2+i%4, 0, 0), State: domain.MandateActive,
					GrantedBy: "Mikael Nordström", Notes: "tuotu"}
				switch i % 10 {
				case 3:
					m.OpenEnded, m.ValidUntil = true, domain.OpenEndedUntil(domain.DateOf(from)).Time()
				case 7:
					m.State, m.RevokedOn = domain.MandateRevoked, from.AddDate(1, 0, 0)
				}
				if err := tx.CreateMandate(ctx, &m); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// watchHeap samples the live heap until the returned function is called, which gives the largest seen.
func watchHeap() func() uint64 {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak.Load()
	}
}

// countingWriter counts what is written and keeps none of it.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}
