package exporter_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/exporter"
	"github.com/valtuusbotti/valtuusbotti/internal/sheet"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
)

// heapProbe is an export's writer that keeps nothing and, every `every` bytes, measures the live heap after a
// collection: what the export holds at that moment, garbage aside.
type heapProbe struct {
	every, written, next int64
	live                 []uint64
}

func (p *heapProbe) Write(b []byte) (int, error) {
	p.written += int64(len(b))
	if p.written >= p.next {
		p.next = p.written + p.every
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		p.live = append(p.live, ms.HeapAlloc)
	}
	return len(b), nil
}

// An export streams: what it holds does not grow with the rows it has written. The live heap after the first
// hundreds of rows and at every 128 KB written after it differ by far less than the rows would take in memory
// (6,000 mandates are about 3.5 MB as values, 1.7 MB as CSV).
func TestExportHoldsNoRegisterInMemory(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		const n = 6000
		err := db.Register.InTx(t.Context(), func(tx domain.Tx) error {
			for i := range n {
				from := day(2024, 1, 1).AddDate(0, 0, i%700)
				m := domain.Mandate{HolderID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i/10),
					HolderName: fmt.Sprintf("Henkilö %05d", i/10), HolderMail: fmt.Sprintf("henkilo.%05d@porvoo.example", i/10),
					Department: "Talous- ja henkilöstöpalvelut", ThemeID: f.cat.Themes[i%len(f.cat.Themes)].ID,
					ValidFrom: from, ValidUntil: from.AddDate(3, 0, 0), State: domain.MandateActive,
					GrantedBy: "Mikael Nordström", Notes: "tuotu vanhasta listasta"}
				if err := tx.CreateMandate(t.Context(), &m); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		p := &heapProbe{every: 128 << 10}
		p.next = p.every
		rows, err := f.exp.Mandates(t.Context(), p, sheet.CSV, domain.Finnish, exporter.Filter{})
		if err != nil || rows != n {
			t.Fatalf("%d rows, %v", rows, err)
		}
		if len(p.live) < 10 {
			t.Fatalf("only %d samples of %d bytes", len(p.live), p.written)
		}
		base, peak := p.live[0], p.live[0]
		for _, v := range p.live {
			peak = max(peak, v)
		}
		t.Logf("%d rows, %d bytes: live heap %d KB after the first 128 KB, at most %d KB later (%d samples)",
			rows, p.written, base>>10, peak>>10, len(p.live))
		if growth := int64(peak) - int64(base); growth > 1<<20 {
			t.Fatalf("the live heap grew by %d KB while the export ran: it holds rows", growth>>10)
		}
	})
}
