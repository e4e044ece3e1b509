package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/tillhq/till"
	"github.com/tillhq/till/coins"
)

// coinRules pay the spec's example amounts: 41.22 coins for a partner
// line, 0.41 for any other.
var coinRules = coins.Rules{
	Brands:  map[string][]till.EarningRule{"nestle": {{BrandID: "nestle", Partner: true, Basis: till.PerItem, Rate: mustUnits("41220000000000000000")}}},
	Default: []till.EarningRule{{Basis: till.PerItem, Rate: mustUnits("410000000000000000")}},
}

func mustUnits(s string) till.Coins {
	c, err := till.ParseCoins("amount", s)
	if err != nil {
		panic(err)
	}
	return c
}

// receiptOf stores a receipt of the named user and returns it.
func (e *env) receiptOf(name, country string) *till.Receipt {
	e.t.Helper()
	now := e.now()
	r := &till.Receipt{ID: uuid.NewString(), UserID: till.UserIDFromRef(name), Images: []string{"https://cdn.example.com/r.jpg"},
		StoreID: "1", LocationName: "Store", CountryISO: country, Status: till.StatusCompleted, CreatedAt: now, UpdatedAt: now}
	if err := e.store.CreateReceipt(context.Background(), r, nil); err != nil {
		e.t.Fatal(err)
	}
	return r
}

type coinsResponse struct {
	Balance json.Number `json:"balance"`
	Pending json.Number `json:"pending"`
	Earned  json.Number `json:"earned"`
	Limits  limitsBody  `json:"limits"`
}

func TestUserCoins(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.DailyCoinLimit = till.WholeCoins(100) })
	alice := e.user("alice", till.RoleUser)
	bob := e.user("bob", till.RoleUser)
	get := func(ticket string) (coinsResponse, string) {
		t.Helper()
		w := e.call("GET", "/receipts-service/user/coins", ticket, "")
		raw := w.Body.String()
		dec := json.NewDecoder(strings.NewReader(raw))
		dec.UseNumber()
		var v coinsResponse
		if w.Code != 200 {
			t.Fatalf("GET /user/coins = %d %s", w.Code, raw)
		}
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		return v, raw
	}

	// A new user: nothing yet, and a UTC day until a receipt gives a zone.
	v, raw := get(alice)
	if v.Balance != "0" || v.Pending != "0" || v.Earned != "0" {
		t.Errorf("new user's coins = %s", raw)
	}
	want := limitsBody{FromTS: "2026-11-23T00:00:00Z", LimitCoins: "100000000000000000000", SumCoins: "0", ToTS: "2026-11-23T23:59:59Z"}
	if v.Limits != want {
		t.Errorf("limits = %+v, want %+v", v.Limits, want)
	}
	// The limits have the spec's keys, with the amounts as strings.
	var shape struct{ Limits json.RawMessage }
	json.Unmarshal([]byte(raw), &shape)
	if k := keysOf(t, shape.Limits); !slices.Equal(k, []string{"from_ts", "limit_coins", "sum_coins", "to_ts"}) {
		t.Errorf("limits keys %v", k)
	}
	if !strings.Contains(raw, `"limit_coins":"100000000000000000000"`) || !strings.Contains(raw, `"balance":0`) {
		t.Errorf("amounts are not in the spec's forms: %s", raw)
	}

	l := &coins.Ledger{Store: e.store, Now: e.now, DailyLimit: till.WholeCoins(100)}
	ctx := context.Background()
	r1, r2 := e.receiptOf("alice", "036"), e.receiptOf("alice", "036")
	for _, r := range []*till.Receipt{r1, r2} {
		if _, err := l.Award(ctx, r, []coins.Item{{Key: "0", BrandID: "nestle"}, {Key: "1"}}, coinRules); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.Release(ctx, r1.ID); err != nil {
		t.Fatal(err)
	}
	v, raw = get(alice)
	if v.Balance != "41630000000000000000" || v.Pending != "41630000000000000000" || v.Earned != "41630000000000000000" {
		t.Errorf("coins after two awards and one release = %s", raw)
	}
	// The first award set alice's zone from the receipt: Sydney's day.
	if v.Limits.FromTS != "2026-11-22T13:00:00Z" || v.Limits.ToTS != "2026-11-23T12:59:59Z" || v.Limits.SumCoins != "83260000000000000000" {
		t.Errorf("limits after the awards = %+v", v.Limits)
	}
	if v, raw := get(bob); v.Balance != "0" || v.Pending != "0" {
		t.Errorf("bob sees coins: %s", raw)
	}

	t.Run("search shows each receipt's coins", func(t *testing.T) {
		w := e.call("POST", "/receipts-service/user/search", alice, `{}`)
		var res struct{ Receipts []json.RawMessage }
		json.Unmarshal(w.Body.Bytes(), &res)
		want := map[string][]string{
			r1.ID: {`"partner_brand_product_coins":41220000000000000000`, `"partner_brand_product_coins_earned":41220000000000000000`,
				`"non_partner_brand_product_coins":410000000000000000`, `"non_partner_brand_product_coins_earned":410000000000000000`, `"pending_coins":0`},
			r2.ID: {`"partner_brand_product_coins":41220000000000000000`, `"partner_brand_product_coins_earned":0`,
				`"non_partner_brand_product_coins":410000000000000000`, `"non_partner_brand_product_coins_earned":0`, `"pending_coins":41630000000000000000`},
		}
		if len(res.Receipts) != 2 {
			t.Fatalf("search found %d receipts: %s", len(res.Receipts), w.Body)
		}
		for _, raw := range res.Receipts {
			var x struct{ ID string }
			json.Unmarshal(raw, &x)
			for _, f := range want[x.ID] {
				if !strings.Contains(string(raw), f) {
					t.Errorf("receipt %s lacks %s: %s", x.ID, f, raw)
				}
			}
		}
	})

	t.Run("history", func(t *testing.T) {
		type page struct {
			Entries []struct {
				ID        int64           `json:"id"`
				ReceiptID string          `json:"receipt_id"`
				Item      string          `json:"item"`
				Kind      string          `json:"kind"`
				From      *string         `json:"from"`
				Amount    json.RawMessage `json:"amount"`
				Partner   bool            `json:"partner"`
				TS        string          `json:"ts"`
			} `json:"entries"`
			Total int `json:"total"`
		}
		all := decode[page](t, e.call("GET", "/receipts-service/user/coins/history?page_size=100", alice, ""), 200)
		if all.Total != 6 || len(all.Entries) != 6 {
			t.Fatalf("history has %d of %d entries, want 6 (4 awarded, 2 released)", len(all.Entries), all.Total)
		}
		first := all.Entries[0]
		if first.Kind != "earned" || first.From == nil || *first.From != "pending" || first.ReceiptID != r1.ID {
			t.Errorf("newest entry = %+v, want a release of r1", first)
		}
		if last := all.Entries[5]; last.From != nil || last.Kind != "pending" || string(last.Amount) != "41220000000000000000" || !last.Partner {
			t.Errorf("oldest entry = %+v, want r1's partner line awarded", last)
		}
		if !tsRE.MatchString(first.TS) {
			t.Errorf("ts %q is not the API's form", first.TS)
		}
		p := decode[page](t, e.call("GET", "/receipts-service/user/coins/history?page=1&page_size=4", alice, ""), 200)
		if p.Total != 6 || len(p.Entries) != 2 || p.Entries[0].ID != all.Entries[4].ID {
			t.Errorf("page 1 of 4 = %+v", p)
		}
		if p := decode[page](t, e.call("GET", "/receipts-service/user/coins/history", bob, ""), 200); p.Total != 0 || p.Entries == nil {
			t.Errorf("bob's history = %+v, want an empty list", p)
		}
	})

	t.Run("bad paging", func(t *testing.T) {
		for _, tt := range []struct{ query, field, msg string }{
			{"page=-1", "page", "from 0 to"},
			{"page=x", "page", `got "x"`},
			{"page_size=0", "page_size", "from 1 to 100"},
			{"page_size=101", "page_size", "from 1 to 100"},
			{"page_size=1.5", "page_size", "integer"},
			{fmt.Sprintf("page=%d", maxPage+1), "page", "from 0 to"},
		} {
			wantError(t, e.call("GET", "/receipts-service/user/coins/history?"+tt.query, alice, ""), 400, tt.field, tt.msg)
		}
	})
	t.Run("users only", func(t *testing.T) {
		sys := e.user("sys", till.RoleSystem, "coles")
		wantError(t, e.call("GET", "/receipts-service/user/coins", sys, ""), 403, "", "role user")
		wantError(t, e.call("GET", "/receipts-service/user/coins", "", ""), 401, "", "missing")
	})
}
