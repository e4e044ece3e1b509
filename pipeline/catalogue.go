package pipeline

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/tillhq/till"
	"github.com/tillhq/till/catalog"
	"github.com/tillhq/till/coins"
)

// DefaultCatalogueMaxAge is how old a catalogue index may grow before it is
// rebuilt from the store.
const DefaultCatalogueMaxAge = time.Minute

// Catalogue keeps the catalogue that processing detects retailers and
// matches items against, and the earning rules of its brands. Building an
// index of a large catalogue takes seconds, so it is built once and then
// rebuilt in the background when it is older than MaxAge, the old one
// serving meanwhile: a change to the catalogue reaches processing within
// about MaxAge. A Catalogue is safe for concurrent use.
type Catalogue struct {
	Store till.CatalogStore
	// Config holds the matching thresholds.
	Config catalog.Config
	// DefaultRules are the earning rules of matched products whose brand
	// has no rates of its own, or no brand (see coins.Rules).
	DefaultRules []till.EarningRule
	// MaxAge bounds the age of the index; 0 means DefaultCatalogueMaxAge.
	// A negative MaxAge rebuilds it on every use.
	MaxAge time.Duration
	Log    *slog.Logger

	mu       sync.Mutex
	cur      *snapshot
	building bool
}

// snapshot is one build of the catalogue.
type snapshot struct {
	index *catalog.Index
	rules coins.Rules
	// retailers says whether the catalogue lists any retailer; until it
	// does, receipts are not asked for one.
	retailers bool
	built     time.Time
}

// get returns the current snapshot: built now when there is none (or
// MaxAge is negative), otherwise the one there is, starting a rebuild in
// the background when it is stale.
func (c *Catalogue) get(ctx context.Context) (*snapshot, error) {
	c.mu.Lock()
	cur := c.cur
	maxAge := c.MaxAge
	if maxAge == 0 {
		maxAge = DefaultCatalogueMaxAge
	}
	if cur != nil && maxAge > 0 {
		if time.Since(cur.built) > maxAge && !c.building {
			c.building = true
			go c.refresh(context.WithoutCancel(ctx))
		}
		c.mu.Unlock()
		return cur, nil
	}
	c.mu.Unlock()
	snap, err := c.build(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.cur = snap
	c.mu.Unlock()
	return snap, nil
}

// refresh rebuilds the snapshot in the background; on failure the old one
// stays and the next use tries again.
func (c *Catalogue) refresh(ctx context.Context) {
	snap, err := c.build(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.building = false
	if err != nil {
		if c.Log != nil {
			c.Log.Warn("catalogue not rebuilt; the previous one stays in use", "err", err)
		}
		c.cur.built = time.Now() // try again after MaxAge, not at once
		return
	}
	c.cur = snap
}

func (c *Catalogue) build(ctx context.Context) (*snapshot, error) {
	start := time.Now()
	ix, err := catalog.Build(ctx, c.Store, c.Config)
	if err != nil {
		return nil, err
	}
	var brands []till.Brand
	for after := ""; ; {
		page, err := c.Store.Brands(ctx, till.Page{After: after, Limit: till.MaxPageLimit})
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			break
		}
		brands = append(brands, page...)
		after = page[len(page)-1].ID
	}
	rules, err := coins.BrandRules(brands, c.DefaultRules)
	if err != nil {
		return nil, err
	}
	some, err := c.Store.Retailers(ctx, till.Page{Limit: 1})
	if err != nil {
		return nil, err
	}
	if c.Log != nil && time.Since(start) > time.Second {
		c.Log.Info("catalogue indexed", "brands", len(brands), "seconds", time.Since(start).Seconds())
	}
	return &snapshot{index: ix, rules: rules, retailers: len(some) > 0, built: time.Now()}, nil
}

// earns reports whether a matched product of the brand would earn coins
// under the rules: only then is a person asked to confirm a doubtful match.
func (s *snapshot) earns(brandID string) bool {
	list := s.rules.Brands[brandID]
	if brandID == "" || len(list) == 0 {
		list = s.rules.Default
	}
	for _, r := range list {
		if r.Rate.Sign() > 0 {
			return true
		}
	}
	return false
}
