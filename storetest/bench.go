package storetest

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/tillhq/till"
)

// BenchmarkCreateReceipt measures CreateReceipt on s, one receipt an op,
// spread over 100 users: "bare" links no stored image, "image" links one,
// as an upload does, and "parallel" does that from 16 goroutines a CPU at
// once, as the HTTP server's concurrent requests would.
func BenchmarkCreateReceipt(b *testing.B, s till.Store) {
	ctx := b.Context()
	users := make([]*till.User, 100)
	for i := range users {
		u, err := till.NewUser(fmt.Sprintf("bench-%d", i), till.RoleUser, nil, t0)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.CreateUser(ctx, u); err != nil {
			b.Fatal(err)
		}
		users[i] = u
	}
	// receipt returns the i-th receipt and the key of its stored image.
	receipt := func(i int) (*till.Receipt, []string) {
		r := newReceipt(users[i%len(users)], t0.Add(time.Duration(i)*time.Millisecond))
		key := fmt.Sprintf("2026/3/14/%s.jpg", r.ID)
		r.Images = []string{"https://till.example.com/images/" + key}
		return r, []string{key}
	}

	b.Run("bare", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			r, _ := receipt(i)
			if err := s.CreateReceipt(ctx, r, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("image", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			r, keys := receipt(i)
			if err := s.CreateReceipt(ctx, r, keys); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.SetParallelism(16)
		b.RunParallel(func(pb *testing.PB) {
			for i := 0; pb.Next(); i++ {
				r, keys := receipt(i)
				if err := s.CreateReceipt(ctx, r, keys); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkReads seeds s, which must be empty and have CreateReceipts, with
// receipts spread evenly over users, and then measures a user's chunk
// listing, search and groups, each op for a user picked at random. Besides
// the mean it reports each read's 99th percentile latency as p99-ms.
func BenchmarkReads(b *testing.B, s till.Store, receipts, users int) {
	bulk, ok := s.(bulkStore)
	if !ok {
		b.Skip("the store has no CreateReceipts")
	}
	ctx := b.Context()
	ids := make([]string, users)    // user ids
	middle := make([]string, users) // the id of a receipt halfway down each user's list
	for i := range ids {
		u, err := till.NewUser(fmt.Sprintf("reader-%d", i), till.RoleUser, nil, t0)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.CreateUser(ctx, u); err != nil {
			b.Fatal(err)
		}
		ids[i] = u.ID
	}
	retailers := []struct{ id, name string }{{"coles", "Coles"}, {"woolworths", "Woolworths"}, {"aldi", "ALDI"}, {"", ""}}
	statuses := []till.Status{till.StatusCompleted, till.StatusCompleted, till.StatusSetProducts, till.StatusFailed, till.StatusHidden}
	start := time.Now()
	const batch = 5000
	for n := 0; n < receipts; n += batch {
		list := make([]*till.Receipt, 0, batch)
		for i := n; i < min(n+batch, receipts); i++ {
			u := i % users
			r := newReceipt(&till.User{ID: ids[u]}, t0.Add(time.Duration(i)*time.Second))
			rt := retailers[i%len(retailers)]
			r.RetailerID, r.RetailerName = rt.id, rt.name
			r.Status = statuses[i%len(statuses)]
			r.LocationName = fmt.Sprintf("Store %d, Suburb %d", i%997, i%89)
			r.ReceiptCode = fmt.Sprintf("INV-%07d", i)
			if i/users == receipts/users/2 {
				middle[u] = r.ID
			}
			list = append(list, r)
		}
		if err := bulk.CreateReceipts(ctx, list); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("seeded %d receipts of %d users in %v", receipts, users, time.Since(start).Round(time.Millisecond))

	reads := []struct {
		name string
		read func(user int) error
	}{
		{"first chunk", func(u int) error {
			_, err := s.UserReceipts(ctx, ids[u], "", 20)
			return err
		}},
		{"middle chunk", func(u int) error {
			_, err := s.UserReceipts(ctx, ids[u], middle[u], 20)
			return err
		}},
		{"search text", func(u int) error {
			_, _, err := s.SearchReceipts(ctx, till.ReceiptQuery{UserID: ids[u], Text: "suburb 1", PageSize: 10})
			return err
		}},
		{"search status and retailer", func(u int) error {
			_, _, err := s.SearchReceipts(ctx, till.ReceiptQuery{UserID: ids[u], Statuses: []till.Status{till.StatusCompleted}, Retailer: "coles", Page: 1, PageSize: 10})
			return err
		}},
		{"groups", func(u int) error {
			_, err := s.UserReceiptGroups(ctx, ids[u])
			return err
		}},
	}
	for _, rd := range reads {
		b.Run(rd.name, func(b *testing.B) {
			var took []time.Duration
			for i := 0; b.Loop(); i++ {
				t := time.Now()
				if err := rd.read((i * 7919) % users); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(t))
			}
			slices.Sort(took)
			p99 := took[len(took)*99/100]
			b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
		})
	}
}

// ReadsScale returns how many receipts and users BenchmarkReads should
// seed: TILL_BENCH_RECEIPTS and TILL_BENCH_USERS, by default 100,000 and
// 1,000.
func ReadsScale(b *testing.B) (receipts, users int) {
	receipts, users = 100_000, 1_000
	for _, v := range []struct {
		name string
		n    *int
	}{{"TILL_BENCH_RECEIPTS", &receipts}, {"TILL_BENCH_USERS", &users}} {
		if s := os.Getenv(v.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 {
				b.Fatalf("%s=%q: want a positive number", v.name, s)
			}
			*v.n = n
		}
	}
	return receipts, users
}
