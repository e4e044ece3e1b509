package storetest

import (
	"slices"
	"testing"

	"github.com/tillhq/till"
)

func testImages(t *testing.T, f *fixture) {
	ctx := t.Context()
	alice := f.user("alice")
	want := &till.Image{
		Key:         "2026/3/14/" + newUUID() + ".jpg",
		OwnerID:     alice.ID,
		ContentType: "image/jpeg",
		Size:        1 << 20,
		SHA256:      "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		SourceURL:   "https://cdn.example.com/receipt.jpg",
		CreatedAt:   f.tick(),
	}
	if err := f.s.CreateImage(ctx, want); err != nil {
		t.Fatalf("CreateImage: %v", err)
	}
	t.Run("round trip", func(t *testing.T) {
		got, err := f.s.Image(ctx, want.Key)
		if err != nil {
			t.Fatalf("Image: %v", err)
		}
		g := *got
		if !g.CreatedAt.Equal(want.CreatedAt) {
			t.Errorf("CreatedAt = %v, want %v", g.CreatedAt, want.CreatedAt)
		}
		g.CreatedAt = want.CreatedAt
		if g != *want {
			t.Errorf("Image = %+v, want %+v", g, *want)
		}
	})
	t.Run("existing key", func(t *testing.T) {
		dup := *want
		dup.OwnerID = f.user("bob").ID
		wantError(t, f.s.CreateImage(ctx, &dup), till.KindConflict, "", "already exists")
	})
	t.Run("unknown key", func(t *testing.T) {
		_, err := f.s.Image(ctx, "2026/3/14/missing.jpg")
		wantError(t, err, till.KindNotFound, "", "image not found")
	})
}

func testImageRetailers(t *testing.T, f *fixture) {
	ctx := t.Context()
	alice, bob := f.user("alice"), f.user("bob")
	shared, other, lone := "2026/3/14/shared.jpg", "2026/3/14/other.png", "2026/3/14/lone.jpg"
	for _, key := range []string{shared, other, lone} {
		if err := f.s.CreateImage(ctx, &till.Image{Key: key, OwnerID: alice.ID, ContentType: "image/jpeg", CreatedAt: f.tick()}); err != nil {
			t.Fatalf("CreateImage: %v", err)
		}
	}
	withImages := func(u *till.User, keys []string, edits ...func(*till.Receipt)) *till.Receipt {
		t.Helper()
		r := f.newReceipt(u, edits...)
		r.Images = make([]string, len(keys)+1) // the last one is not stored here
		for i := range r.Images {
			r.Images[i] = "https://cdn.example.com/" + newUUID() + ".jpg"
		}
		if err := f.s.CreateReceipt(ctx, r, keys); err != nil {
			t.Fatalf("CreateReceipt: %v", err)
		}
		return r
	}
	withImages(alice, []string{shared}, retailer("woolworths", "Woolworths"))
	withImages(bob, []string{"", shared}, retailer("coles", "Coles"))
	withImages(bob, []string{other, shared}, retailer("coles", "Coles"))
	withImages(alice, []string{shared}) // no retailer yet
	f.deleteReceipt(withImages(alice, []string{shared}, retailer("aldi", "ALDI")))
	withImages(alice, []string{other}, retailer("iga", "IGA"))

	tests := []struct {
		name, key string
		want      []string
	}{
		{"several receipts", shared, []string{"coles", "woolworths"}},
		{"second image", other, []string{"coles", "iga"}},
		{"no receipt", lone, nil},
		{"unknown image", "2026/3/14/missing.jpg", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.s.ImageRetailers(ctx, tt.key)
			if err != nil {
				t.Fatalf("ImageRetailers: %v", err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ImageRetailers = %q, want %q", got, tt.want)
			}
		})
	}
}
