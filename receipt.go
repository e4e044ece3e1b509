package till

import (
	"context"
	"regexp"
	"time"
)

// Status is where a receipt is on its way through Till. The names and their
// order are the spec's; the order gives each status its numeric code.
type Status string

// The spec's nine statuses.
const (
	StatusInitial             Status = "INITIAL"
	StatusSetRetailers        Status = "SET_RETAILERS"
	StatusSetRetailersPending Status = "SET_RETAILERS_PENDING"
	StatusSetProducts         Status = "SET_PRODUCTS"
	StatusSetProductsPending  Status = "SET_PRODUCTS_PENDING"
	StatusCompleted           Status = "COMPLETED"
	StatusFailed              Status = "FAILED"
	StatusUnrecognized        Status = "UNRECOGNIZED"
	StatusHidden              Status = "HIDDEN"
)

// Statuses lists every status in the spec's order.
var Statuses = []Status{
	StatusInitial, StatusSetRetailers, StatusSetRetailersPending,
	StatusSetProducts, StatusSetProductsPending, StatusCompleted,
	StatusFailed, StatusUnrecognized, StatusHidden,
}

// Code is the status's position in the spec's list (INITIAL is 0, HIDDEN 8),
// the number the analysed receipt's "receipt.status" carries.
func (s Status) Code() int {
	for i, st := range Statuses {
		if st == s {
			return i
		}
	}
	return -1
}

// NeedsAttention reports whether the user must act on a receipt in status s.
func (s Status) NeedsAttention() bool {
	return s == StatusSetRetailers || s == StatusSetProducts
}

// ParseStatus returns the status named s, or a KindInvalid error for field.
func ParseStatus(field, s string) (Status, error) {
	st := Status(s)
	if st.Code() < 0 {
		return "", Invalid(field, "%s: unknown status %q; expected one of INITIAL, SET_RETAILERS, SET_RETAILERS_PENDING, SET_PRODUCTS, SET_PRODUCTS_PENDING, COMPLETED, FAILED, UNRECOGNIZED, HIDDEN", field, s)
	}
	return st, nil
}

// RetailerIDRE is the form of a retailer id: a lower-case slug such as "coles".
var RetailerIDRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// Receipt is one upload of a till receipt by a user: what the client sent,
// and what Till has learnt from it so far.
type Receipt struct {
	ID     string // UUID
	UserID string
	Seq    int64 // assigned by the store; orders a user's receipts

	// As sent by the client.
	Accuracy     string
	Latitude     string
	Longitude    string
	Images       []string // image URLs, in the client's order
	StoreID      string
	LocationName string
	CountryISO   string
	ClientIP     string

	// As learnt by processing.
	Status            Status
	StatusReason      string // why it is FAILED or UNRECOGNIZED
	RetailerID        string
	RetailerName      string
	ReceiptCode       string     // the receipt number printed on it
	IssuedAt          *time.Time // the date and time printed on it
	Total             string     // the printed total, as a decimal string
	OCRDone           bool
	RecognizedItems   int
	UnrecognizedItems int

	CreatedAt time.Time  // upload time, the spec's "ts"
	UpdatedAt time.Time  //
	DeletedAt *time.Time // when the user deleted it; nil while live
}

// ReceiptGroups counts a user's receipts for the groups screen. The groups
// partition the receipts: one needing attention is counted there only.
type ReceiptGroups struct {
	NeedAttention int
	Retailers     []RetailerCount // by retailer id
	Other         int             // no retailer known yet
}

// RetailerCount is one retailer group.
type RetailerCount struct {
	RetailerID   string
	RetailerName string
	Count        int
}

// ReceiptQuery selects a user's receipts for search.
type ReceiptQuery struct {
	UserID   string
	Text     string   // matched, case-insensitively, against names and codes
	Statuses []Status // any of; empty means every status but HIDDEN
	Retailer string   // "" or "*": every receipt; otherwise that retailer id
	Page     int      // from 0
	PageSize int      // at least 1
}

// ReceiptStore keeps receipts.
type ReceiptStore interface {
	// CreateReceipt stores r with its status, linking the stored images
	// whose keys are given (in r.Images order; "" for an image not stored
	// here), and sets r.Seq. It fails with KindConflict if r.ID exists.
	CreateReceipt(ctx context.Context, r *Receipt, imageKeys []string) error
	// Receipt returns the receipt with the given id, or KindNotFound.
	Receipt(ctx context.Context, id string) (*Receipt, error)
	// UserReceipts returns up to limit of the user's receipts but the
	// HIDDEN ones, newest first,
	// starting after the receipt with id after ("" for the newest). An
	// unknown or foreign after id is KindInvalid for field chunk_id.
	UserReceipts(ctx context.Context, userID, after string, limit int) ([]Receipt, error)
	// DeleteReceipt removes the user's receipt from every listing. It fails
	// with KindNotFound when the receipt is not the user's.
	DeleteReceipt(ctx context.Context, userID, id string, now time.Time) error
	// UserReceiptGroups counts the user's receipts but the HIDDEN ones per
	// group.
	UserReceiptGroups(ctx context.Context, userID string) (ReceiptGroups, error)
	// ReceiptImageKeys returns the keys of the receipt's images stored by
	// Till, in the order of its image list; KindNotFound for no receipt.
	ReceiptImageKeys(ctx context.Context, receiptID string) ([]string, error)
	// SearchReceipts returns one page of the user's matching receipts,
	// newest first, and how many match in all.
	SearchReceipts(ctx context.Context, q ReceiptQuery) ([]Receipt, int, error)
}
