package coins

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/tillhq/till"
)

// BenchmarkReceiptBalances measures what search adds per page: the coins
// of ten random receipts out of a ledger of 50,000 receipts of four lines
// each. Setting the ledger up takes a while; run it on its own with
// -run XXX -bench ReceiptBalances.
// bulkCreator is the stores' optional capability of creating receipts in
// bulk.
type bulkCreator interface {
	CreateReceipts(ctx context.Context, receipts []*till.Receipt) error
}

func BenchmarkReceiptBalances(b *testing.B) {
	for name, open := range backends() {
		b.Run(name, func(b *testing.B) {
			s := open(b)
			const receipts, lines = 50_000, 4
			u := newUser(b, s, "alice", t0)
			ids := make([]string, receipts)
			rs := make([]*till.Receipt, receipts)
			for i := range rs {
				rs[i] = &till.Receipt{ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), UserID: u.ID,
					Status: till.StatusCompleted, CreatedAt: t0, UpdatedAt: t0}
				ids[i] = rs[i].ID
			}
			if err := s.(bulkCreator).CreateReceipts(b.Context(), rs); err != nil {
				b.Fatal(err)
			}
			err := s.UpdateLedger(b.Context(), u.ID, func(tx till.LedgerTx) error {
				var entries []till.LedgerEntry
				for _, r := range rs {
					for l := range lines {
						entries = append(entries, till.LedgerEntry{UserID: u.ID, ReceiptID: r.ID, ItemKey: fmt.Sprint(l),
							Kind: till.EntryPending, Amount: mustCoins("41220000000000000000"), Partner: l == 0, CreatedAt: t0.Add(time.Duration(l))})
					}
				}
				return tx.Append(b.Context(), entries)
			})
			if err != nil {
				b.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(1, 2))
			page := make([]string, 10)
			b.ResetTimer()
			for b.Loop() {
				for i := range page {
					page[i] = ids[rng.IntN(receipts)]
				}
				got, err := s.ReceiptBalances(b.Context(), page)
				if err != nil || len(got) == 0 {
					b.Fatalf("ReceiptBalances = %d receipts, %v", len(got), err)
				}
			}
		})
	}
}
