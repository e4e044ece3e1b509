package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/tillhq/till"
	"github.com/tillhq/till/coins"
)

// limitsLayout renders the limits' times as the spec's example does: UTC,
// whole seconds, "Z".
const limitsLayout = "2006-01-02T15:04:05Z"

// limitsBody is the spec's "limits" object. Its amounts are strings, as
// the spec's example shows them ("limit_coins": "0"), unlike the bare
// numbers of the other coin fields. to_ts is the day's last second.
type limitsBody struct {
	FromTS     string `json:"from_ts"`
	LimitCoins string `json:"limit_coins"`
	SumCoins   string `json:"sum_coins"`
	ToTS       string `json:"to_ts"`
}

func newLimitsBody(l coins.Limits) limitsBody {
	return limitsBody{
		FromTS:     l.From.UTC().Format(limitsLayout),
		LimitCoins: l.Limit.String(),
		SumCoins:   l.Sum.String(),
		ToTS:       l.To.Add(-time.Second).UTC().Format(limitsLayout),
	}
}

// coinsBody is the answer of GET /user/coins. Amounts are bare integers of
// units of 10^-18 coin.
type coinsBody struct {
	Balance till.Coins `json:"balance"` // released and not reversed: what the user has
	Pending till.Coins `json:"pending"` // awarded, waiting for moderation
	Earned  till.Coins `json:"earned"`  // ever released, reversals notwithstanding
	Limits  limitsBody `json:"limits"`
}

// userCoins answers the caller's coin balance and today's daily limit.
func (s *server) userCoins(w http.ResponseWriter, r *http.Request, u *till.User) error {
	sm, err := s.ledger.Summary(r.Context(), u.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, coinsBody{
		Balance: sm.Balance.Earned(),
		Pending: sm.Balance.Pending(),
		Earned:  sm.Balance.Released(),
		Limits:  newLimitsBody(sm.Limits),
	})
}

// ledgerEntryBody is one entry of GET /user/coins/history.
type ledgerEntryBody struct {
	ID        int64      `json:"id"`
	ReceiptID string     `json:"receipt_id"`
	Item      string     `json:"item"`
	Kind      string     `json:"kind"`
	From      string     `json:"from,omitempty"`
	Amount    till.Coins `json:"amount"`
	Partner   bool       `json:"partner"`
	TS        string     `json:"ts"`
}

// coinHistory answers one page of the caller's ledger entries, newest
// first, and how many there are in all.
func (s *server) coinHistory(w http.ResponseWriter, r *http.Request, u *till.User) error {
	page, err := queryInt(r, "page", 0, 0, maxPage)
	if err != nil {
		return err
	}
	size, err := queryInt(r, "page_size", defaultPageSize, 1, maxPageSize)
	if err != nil {
		return err
	}
	list, total, err := s.store.LedgerEntries(r.Context(), till.LedgerQuery{UserID: u.ID, Page: page, PageSize: size})
	if err != nil {
		return err
	}
	out := make([]ledgerEntryBody, len(list))
	for i, e := range list {
		out[i] = ledgerEntryBody{
			ID:        e.ID,
			ReceiptID: e.ReceiptID,
			Item:      e.ItemKey,
			Kind:      string(e.Kind),
			From:      string(e.From),
			Amount:    e.Amount,
			Partner:   e.Partner,
			TS:        formatTS(e.CreatedAt),
		}
	}
	return writeJSON(w, http.StatusOK, struct {
		Entries []ledgerEntryBody `json:"entries"`
		Total   int               `json:"total"`
	}{out, total})
}

// queryInt returns the integer query parameter name, def when it is
// absent, or a KindInvalid error naming it when it is not an integer from
// lo to hi.
func queryInt(r *http.Request, name string, def, lo, hi int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, till.Invalid(name, "%s must be an integer from %d to %d; got %q", name, lo, hi, clipQuery(v))
	}
	return n, nil
}

func clipQuery(v string) string {
	if len(v) > 32 {
		return v[:32] + "…"
	}
	return v
}

// receiptCoins is the coin fields of a receipt in search results: per
// brand kind, what the receipt was awarded and not reversed, and of that
// what was released; and what is still pending. The spec's examples show
// pending_coins equal to the non-partner amount; Till counts every pending
// coin of the receipt, partner or not.
type receiptCoins struct {
	NonPartner, NonPartnerEarned, Partner, PartnerEarned, Pending till.Coins
}

func newReceiptCoins(b till.Balance) receiptCoins {
	return receiptCoins{
		NonPartner:       b.NonPartner.Pending.Add(b.NonPartner.Earned),
		NonPartnerEarned: b.NonPartner.Earned,
		Partner:          b.Partner.Pending.Add(b.Partner.Earned),
		PartnerEarned:    b.Partner.Earned,
		Pending:          b.Pending(),
	}
}
