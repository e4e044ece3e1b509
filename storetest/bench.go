package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/tillhq/till"
)

// BenchmarkCreateReceipt measures CreateReceipt on s, one receipt an op,
// spread over 100 users: "bare" links no stored image, "image" links one,
// as an upload does, and "parallel" does that from GOMAXPROCS goroutines at
// once, as the HTTP server would.
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
