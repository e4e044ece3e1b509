package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tillhq/till"
)

// Amounts are NUMERIC(78,0) in PostgreSQL and decimal TEXT in SQLite; both
// are read as text (CAST … AS TEXT gives the digits alone in either) and
// summed in Go, since SQLite's sum of such text would be a float.

// entryColumns are the columns scanEntries reads.
const entryColumns = `id, user_id, receipt_id, item_key, kind, from_kind, CAST(amount AS TEXT), partner, created_us`

// The fixed statements of the ledger.
const (
	ledgerUserSQL  = `SELECT id FROM users WHERE id = $1`
	insertEntrySQL = `INSERT INTO coin_entries (user_id, receipt_id, item_key, kind, from_kind, amount, partner, created_us)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`
	receiptEntriesSQL = `SELECT ` + entryColumns + ` FROM coin_entries WHERE receipt_id = $1 AND user_id = $2 ORDER BY id`
	awardedSQL        = `SELECT CAST(amount AS TEXT) FROM coin_entries
		WHERE user_id = $1 AND from_kind = '' AND created_us >= $2 AND created_us < $3`
	accountSQL    = `SELECT time_zone, CAST(daily_limit AS TEXT) FROM coin_accounts WHERE user_id = $1`
	setAccountSQL = `INSERT INTO coin_accounts (user_id, time_zone, daily_limit) VALUES ($1, $2, $3)
		ON CONFLICT (user_id) DO UPDATE SET time_zone = excluded.time_zone, daily_limit = excluded.daily_limit`
	userBalanceSQL = `SELECT kind, from_kind, partner, CAST(amount AS TEXT) FROM coin_entries WHERE user_id = $1`
)

// UpdateLedger runs f in a transaction on the writer. Where the Dialect
// has a UserLock it is taken first, so that transactions of the same user
// run one after the other; elsewhere the transaction excludes every other
// writer already. It fails with KindNotFound when the user does not exist,
// and otherwise returns f's error unchanged.
func (s *Store) UpdateLedger(ctx context.Context, userID string, f func(tx till.LedgerTx) error) error {
	return s.inTx(ctx, "update ledger", func(tx *sql.Tx) error {
		if s.d.UserLock != "" {
			if _, err := tx.ExecContext(ctx, s.d.UserLock, userID); err != nil {
				return s.fail("lock ledger", err)
			}
		}
		var id string
		err := s.queryRow(ctx, tx, ledgerUserSQL, userID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return till.NotFound("user")
		}
		if err != nil {
			return s.fail("update ledger", err)
		}
		return f(&ledgerTx{s: s, tx: tx, userID: userID})
	}, ledgerUserSQL, insertEntrySQL, receiptEntriesSQL, awardedSQL, accountSQL, setAccountSQL)
}

// ledgerTx is till.LedgerTx over one transaction.
type ledgerTx struct {
	s      *Store
	tx     *sql.Tx
	userID string
}

func (l *ledgerTx) Account(ctx context.Context) (till.CoinAccount, error) {
	return l.s.account(ctx, l.tx, l.userID)
}

func (l *ledgerTx) SetAccount(ctx context.Context, a till.CoinAccount) error {
	if a.UserID != l.userID {
		return till.Invalid("user_id", "the account of %s cannot be set in the ledger of %s", a.UserID, l.userID)
	}
	return l.s.setAccount(ctx, l.tx, a)
}

func (l *ledgerTx) Awarded(ctx context.Context, from, to time.Time) (till.Coins, error) {
	return l.s.awarded(ctx, l.tx, l.userID, from, to)
}

func (l *ledgerTx) ReceiptEntries(ctx context.Context, receiptID string) ([]till.LedgerEntry, error) {
	rows, err := l.s.query(ctx, l.tx, receiptEntriesSQL, receiptID, l.userID)
	if err != nil {
		return nil, l.s.fail("receipt entries", err)
	}
	list, err := scanEntries(rows)
	if err != nil {
		return nil, l.s.fail("receipt entries", err)
	}
	return list, nil
}

// Append inserts the entries in order and sets their IDs. Within the
// transaction a failing entry fails the whole call, and the caller's
// UpdateLedger rolls every entry back.
func (l *ledgerTx) Append(ctx context.Context, entries []till.LedgerEntry) error {
	for i := range entries {
		e := &entries[i]
		if e.UserID != l.userID {
			return till.Invalid("user_id", "an entry of %s cannot go in the ledger of %s", e.UserID, l.userID)
		}
		if err := e.Validate(); err != nil {
			return err
		}
		err := l.s.queryRow(ctx, l.tx, insertEntrySQL, e.UserID, e.ReceiptID, e.ItemKey, string(e.Kind),
			string(e.From), e.Amount.String(), e.Partner, us(e.CreatedAt)).Scan(&e.ID)
		switch l.s.class(err) {
		case ClassUnique:
			return till.Errorf(till.KindConflict, "receipt %s item %s has a %s entry already", e.ReceiptID, e.ItemKey, e.Kind)
		case ClassForeignKey:
			return till.NotFound("receipt")
		}
		if err != nil {
			return l.s.fail("append ledger entry", err)
		}
	}
	return nil
}

// CoinAccount returns the user's coin settings, or an account with only
// UserID set when the user has none, known user or not.
func (s *Store) CoinAccount(ctx context.Context, userID string) (till.CoinAccount, error) {
	return s.account(ctx, s.r, userID)
}

func (s *Store) account(ctx context.Context, q querier, userID string) (till.CoinAccount, error) {
	a := till.CoinAccount{UserID: userID}
	var limit sql.NullString
	err := s.queryRow(ctx, q, accountSQL, userID).Scan(&a.TimeZone, &limit)
	if errors.Is(err, sql.ErrNoRows) {
		return a, nil
	}
	if err != nil {
		return a, s.fail("coin account", err)
	}
	if limit.Valid {
		c, err := till.ParseCoins("daily_limit", limit.String)
		if err != nil {
			return a, s.fail("coin account", err)
		}
		a.DailyLimit = &c
	}
	return a, nil
}

// SetCoinAccount stores a's settings, replacing any earlier ones. It fails
// with KindInvalid when a fails Validate, and KindNotFound when the user
// does not exist.
func (s *Store) SetCoinAccount(ctx context.Context, a till.CoinAccount) error {
	return s.setAccount(ctx, s.w, a)
}

func (s *Store) setAccount(ctx context.Context, q querier, a till.CoinAccount) error {
	if err := a.Validate(); err != nil {
		return err
	}
	var limit sql.NullString
	if a.DailyLimit != nil {
		limit = sql.NullString{String: a.DailyLimit.String(), Valid: true}
	}
	_, err := s.exec(ctx, q, setAccountSQL, a.UserID, a.TimeZone, limit)
	if s.class(err) == ClassForeignKey {
		return till.NotFound("user")
	}
	if err != nil {
		return s.fail("set coin account", err)
	}
	return nil
}

// CoinsAwarded returns the sum of the user's pending entries (the coins
// newly awarded) created from from until before to.
func (s *Store) CoinsAwarded(ctx context.Context, userID string, from, to time.Time) (till.Coins, error) {
	return s.awarded(ctx, s.r, userID, from, to)
}

func (s *Store) awarded(ctx context.Context, q querier, userID string, from, to time.Time) (till.Coins, error) {
	var sum till.Coins
	rows, err := s.query(ctx, q, awardedSQL, userID, us(from), us(to))
	if err != nil {
		return sum, s.fail("coins awarded", err)
	}
	defer rows.Close()
	for rows.Next() {
		var amount string
		if err := rows.Scan(&amount); err != nil {
			return sum, s.fail("coins awarded", err)
		}
		c, err := till.ParseCoins("amount", amount)
		if err != nil {
			return sum, s.fail("coins awarded", err)
		}
		sum = sum.Add(c)
	}
	if err := rows.Err(); err != nil {
		return sum, s.fail("coins awarded", err)
	}
	return sum, nil
}

// UserBalance sums all the user's entries.
func (s *Store) UserBalance(ctx context.Context, userID string) (till.Balance, error) {
	var b till.Balance
	rows, err := s.query(ctx, s.r, userBalanceSQL, userID)
	if err != nil {
		return b, s.fail("user balance", err)
	}
	err = scanBalances(rows, func(_ string, e till.LedgerEntry) { b.Add(e) })
	if err != nil {
		return b, s.fail("user balance", err)
	}
	return b, nil
}

// ReceiptBalances sums the entries of each of the receipts, in one query
// over the receipts' entries alone, so that a page of search results costs
// one indexed lookup per receipt. Receipts without entries are left out.
func (s *Store) ReceiptBalances(ctx context.Context, receiptIDs []string) (map[string]till.Balance, error) {
	out := make(map[string]till.Balance, len(receiptIDs))
	if len(receiptIDs) == 0 {
		return out, nil
	}
	var in strings.Builder
	args := make([]any, len(receiptIDs))
	for i, id := range receiptIDs {
		if i > 0 {
			in.WriteString(", ")
		}
		in.WriteString("$" + strconv.Itoa(i+1))
		args[i] = id
	}
	rows, err := s.r.QueryContext(ctx, s.rebind(`SELECT receipt_id, kind, from_kind, partner, CAST(amount AS TEXT)
		FROM coin_entries WHERE receipt_id IN (`+in.String()+`)`), args...)
	if err != nil {
		return nil, s.fail("receipt balances", err)
	}
	err = scanBalances(rows, func(id string, e till.LedgerEntry) {
		b := out[id]
		b.Add(e)
		out[id] = b
	})
	if err != nil {
		return nil, s.fail("receipt balances", err)
	}
	return out, nil
}

// scanBalances reads and closes rows of kind, from_kind, partner and
// amount, preceded by a receipt id when the rows have five columns, and
// hands each to add.
func scanBalances(rows *sql.Rows, add func(receiptID string, e till.LedgerEntry)) error {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	for rows.Next() {
		var e till.LedgerEntry
		var id, kind, from, amount string
		dest := []any{&kind, &from, &e.Partner, &amount}
		if len(cols) == 5 {
			dest = append([]any{&id}, dest...)
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		if e.Amount, err = till.ParseCoins("amount", amount); err != nil {
			return err
		}
		e.Kind, e.From = till.EntryKind(kind), till.EntryKind(from)
		add(id, e)
	}
	return rows.Err()
}

// LedgerEntries returns page q.Page of the user's entries, newest first,
// q.PageSize to a page, and how many there are in all. It fails with
// KindInvalid for field page when q.Page is negative, and for field
// page_size when q.PageSize is less than 1; either must be less than 2³¹.
func (s *Store) LedgerEntries(ctx context.Context, q till.LedgerQuery) ([]till.LedgerEntry, int, error) {
	if q.Page < 0 || q.Page > math.MaxInt32 {
		return nil, 0, till.Invalid("page", "page must be from 0 to %d; got %d", math.MaxInt32, q.Page)
	}
	if q.PageSize < 1 || q.PageSize > math.MaxInt32 {
		return nil, 0, till.Invalid("page_size", "page_size must be from 1 to %d; got %d", math.MaxInt32, q.PageSize)
	}
	rows, err := s.query(ctx, s.r, `SELECT `+entryColumns+`, count(*) OVER () FROM coin_entries
		WHERE user_id = $1 ORDER BY created_us DESC, id DESC LIMIT $2 OFFSET $3`,
		q.UserID, q.PageSize, int64(q.Page)*int64(q.PageSize))
	if err != nil {
		return nil, 0, s.fail("ledger entries", err)
	}
	var total int
	list, err := scanEntries(rows, &total)
	if err != nil {
		return nil, 0, s.fail("ledger entries", err)
	}
	// A page past the last has no row to carry the count.
	if len(list) == 0 && q.Page > 0 {
		err := s.queryRow(ctx, s.r, `SELECT count(*) FROM coin_entries WHERE user_id = $1`, q.UserID).Scan(&total)
		if err != nil {
			return nil, 0, s.fail("ledger entries", err)
		}
	}
	return list, total, nil
}

// scanEntries reads and closes rows of entryColumns, which may have extra
// columns scanned into extra, the same for every row. It returns an empty,
// non-nil slice when there is no row.
func scanEntries(rows *sql.Rows, extra ...any) ([]till.LedgerEntry, error) {
	defer rows.Close()
	list := []till.LedgerEntry{}
	for rows.Next() {
		var e till.LedgerEntry
		var kind, from, amount string
		var created int64
		dest := append([]any{&e.ID, &e.UserID, &e.ReceiptID, &e.ItemKey, &kind, &from, &amount, &e.Partner, &created}, extra...)
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		var err error
		if e.Amount, err = till.ParseCoins("amount", amount); err != nil {
			return nil, err
		}
		e.Kind, e.From = till.EntryKind(kind), till.EntryKind(from)
		e.CreatedAt = fromUS(created)
		list = append(list, e)
	}
	return list, rows.Err()
}
