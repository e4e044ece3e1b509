// Package storetest is the conformance suite of till.Store: every backend
// runs it, so that all of them keep the same contract.
package storetest

import (
	"context"
	"crypto/rand"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tillhq/till"
)

// Run runs the suite as parallel subtests of t. open must return a new,
// empty, migrated store for the test it is given and arrange to close it
// when that test ends.
//
// Stores with a CreateReceipts(ctx, []*till.Receipt) error method have it
// checked too.
func Run(t *testing.T, open func(t *testing.T) till.Store) {
	tests := []struct {
		name string
		test func(t *testing.T, f *fixture)
	}{
		{"Users", testUsers},
		{"Tickets", testTickets},
		{"RevokeTickets", testRevokeTickets},
		{"CreateReceipt", testCreateReceipt},
		{"UserReceipts", testUserReceipts},
		{"DeleteReceipt", testDeleteReceipt},
		{"UserReceiptGroups", testUserReceiptGroups},
		{"SearchReceipts", testSearchReceipts},
		{"Images", testImages},
		{"ImageRetailers", testImageRetailers},
		{"CreateReceipts", testCreateReceipts},
		{"Processing", testProcessing},
		{"ResumeReceipt", testResumeReceipt},
		{"HiddenReceipts", testHiddenReceipts},
		{"ConcurrentCreates", testConcurrentCreates},
		{"Catalog", testCatalog},
		{"Ledger", testLedger},
		{"Ping", testPing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.test(t, &fixture{t: t, s: open(t), now: t0})
		})
	}
}

// t0 is when every test's clock starts; its whole microseconds survive
// storage exactly.
var t0 = time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)

// fixture builds a test's data through the store under test.
type fixture struct {
	t   *testing.T
	s   till.Store
	now time.Time
}

// tick advances the fixture's clock by a second and returns it.
func (f *fixture) tick() time.Time {
	f.now = f.now.Add(time.Second)
	return f.now
}

// user creates and returns a user with the role user.
func (f *fixture) user(name string) *till.User {
	f.t.Helper()
	u, err := till.NewUser(name, till.RoleUser, nil, f.tick())
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.s.CreateUser(f.t.Context(), u); err != nil {
		f.t.Fatalf("CreateUser(%s): %v", name, err)
	}
	return u
}

// newReceipt returns an unstored receipt of u, changed by the edits.
func (f *fixture) newReceipt(u *till.User, edits ...func(*till.Receipt)) *till.Receipt {
	r := newReceipt(u, f.tick())
	for _, edit := range edits {
		edit(r)
	}
	return r
}

// newReceipt returns an unstored receipt of u uploaded at now.
func newReceipt(u *till.User, now time.Time) *till.Receipt {
	return &till.Receipt{
		ID:           newUUID(),
		UserID:       u.ID,
		Accuracy:     "14,4549999237061",
		Latitude:     "-37838094",
		Longitude:    "144974757",
		Images:       []string{"https://cdn.example.com/2026/3/14/" + newUUID() + ".jpg"},
		StoreID:      "53ehdb5e67e67",
		LocationName: "Store name",
		CountryISO:   "036",
		ClientIP:     "127.0.0.1",
		Status:       till.StatusInitial,
		CreatedAt:    now,
		UpdatedAt:    now,
	}
}

// receipt creates and returns a receipt of u, changed by the edits.
func (f *fixture) receipt(u *till.User, edits ...func(*till.Receipt)) *till.Receipt {
	f.t.Helper()
	r := f.newReceipt(u, edits...)
	if err := f.s.CreateReceipt(f.t.Context(), r, nil); err != nil {
		f.t.Fatalf("CreateReceipt: %v", err)
	}
	return r
}

// receipts creates n receipts of u, oldest first.
func (f *fixture) receipts(u *till.User, n int) []*till.Receipt {
	f.t.Helper()
	list := make([]*till.Receipt, n)
	for i := range list {
		list[i] = f.receipt(u)
	}
	return list
}

// deleteReceipt deletes r.
func (f *fixture) deleteReceipt(r *till.Receipt) {
	f.t.Helper()
	if err := f.s.DeleteReceipt(f.t.Context(), r.UserID, r.ID, f.tick()); err != nil {
		f.t.Fatalf("DeleteReceipt: %v", err)
	}
}

func status(st till.Status) func(*till.Receipt) {
	return func(r *till.Receipt) { r.Status = st }
}

func retailer(id, name string) func(*till.Receipt) {
	return func(r *till.Receipt) { r.RetailerID, r.RetailerName = id, name }
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// wantError fails t unless err is a till error of kind whose message
// contains msg and whose field is field.
func wantError(t *testing.T, err error, kind till.Kind, field, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", kind)
	}
	if got := till.ErrorKind(err); got != kind {
		t.Fatalf("got %s error %q, want %s", got, err, kind)
	}
	gotMsg, gotField := till.ErrorMessage(err)
	if gotField != field {
		t.Errorf("error %q names field %q, want %q", err, gotField, field)
	}
	if !strings.Contains(gotMsg, msg) {
		t.Errorf("error message %q does not contain %q", gotMsg, msg)
	}
}

// ids returns the ids of the receipts.
func ids[R till.Receipt | *till.Receipt](list []R) []string {
	out := make([]string, len(list))
	for i, r := range list {
		switch r := any(r).(type) {
		case till.Receipt:
			out[i] = r.ID
		case *till.Receipt:
			out[i] = r.ID
		}
	}
	return out
}

// newestFirst returns the ids of the receipts in reverse.
func newestFirst(list ...*till.Receipt) []string {
	out := ids(list)
	slices.Reverse(out)
	return out
}

// sameReceipt reports whether a and b hold the same data.
func sameReceipt(a, b till.Receipt) bool {
	if !a.CreatedAt.Equal(b.CreatedAt) || !a.UpdatedAt.Equal(b.UpdatedAt) ||
		(a.IssuedAt == nil) != (b.IssuedAt == nil) ||
		a.IssuedAt != nil && !a.IssuedAt.Equal(*b.IssuedAt) ||
		(a.DeletedAt == nil) != (b.DeletedAt == nil) ||
		a.DeletedAt != nil && !a.DeletedAt.Equal(*b.DeletedAt) ||
		!slices.Equal(a.Images, b.Images) {
		return false
	}
	a.CreatedAt, a.UpdatedAt, a.IssuedAt, a.DeletedAt, a.Images = time.Time{}, time.Time{}, nil, nil, nil
	b.CreatedAt, b.UpdatedAt, b.IssuedAt, b.DeletedAt, b.Images = time.Time{}, time.Time{}, nil, nil, nil
	return reflect.DeepEqual(a, b)
}

func testPing(t *testing.T, f *fixture) {
	if err := f.s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

// bulkStore is the optional capability of loading receipts in bulk.
type bulkStore interface {
	CreateReceipts(ctx context.Context, receipts []*till.Receipt) error
}
