package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/tillhq/till"
)

// The catalogue's fixed queries. Upserts use INSERT … ON CONFLICT, which
// SQLite and PostgreSQL spell the same.
const (
	upsertRetailer = `INSERT INTO retailers (id, name, alias, logo_url, country, tax_ids, phones, name_variants)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, alias = excluded.alias,
			logo_url = excluded.logo_url, country = excluded.country, tax_ids = excluded.tax_ids,
			phones = excluded.phones, name_variants = excluded.name_variants`
	upsertOutlet = `INSERT INTO outlets (retailer_id, store_id, name, address, postcode, latitude, longitude)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (retailer_id, store_id) DO UPDATE SET name = excluded.name, address = excluded.address,
			postcode = excluded.postcode, latitude = excluded.latitude, longitude = excluded.longitude`
	upsertBrand = `INSERT INTO brands (id, name, partner, item_coins, spend_coins) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, partner = excluded.partner,
			item_coins = excluded.item_coins, spend_coins = excluded.spend_coins`
	insertBrandIfMissing = `INSERT INTO brands (id, name, partner, item_coins, spend_coins) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (id) DO NOTHING`
	upsertProduct = `INSERT INTO products (gtin, name, brand_id, size, unit) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (gtin) DO UPDATE SET name = excluded.name, brand_id = excluded.brand_id,
			size = excluded.size, unit = excluded.unit`
	deleteAliases = `DELETE FROM product_aliases WHERE gtin = $1`
	upsertAlias   = `INSERT INTO product_aliases (retailer_id, text, gtin) VALUES ($1, $2, $3)
		ON CONFLICT (retailer_id, text) DO UPDATE SET gtin = excluded.gtin`

	retailerColumns = `id, name, alias, logo_url, country, tax_ids, phones, name_variants`
	outletColumns   = `retailer_id, store_id, name, address, postcode, latitude, longitude`
	brandColumns    = `id, name, partner, item_coins, spend_coins`
	productColumns  = `gtin, name, brand_id, size, unit`
)

// pageOffset returns p's offset, 0 when it is negative.
func pageOffset(p till.Page) int {
	return max(p.Offset, 0)
}

// pageLimit returns p's limit within its bounds.
func pageLimit(p till.Page) int {
	switch {
	case p.Limit <= 0:
		return till.DefaultPageLimit
	case p.Limit > till.MaxPageLimit:
		return till.MaxPageLimit
	}
	return p.Limit
}

// exists reports whether query, a SELECT EXISTS, finds a row.
func (s *Store) exists(ctx context.Context, q querier, query string, args ...any) (bool, error) {
	var ok bool
	err := s.queryRow(ctx, q, query, args...).Scan(&ok)
	return ok, err
}

// put runs an upsert in a transaction and reports whether the row was new,
// as told by existsQuery run first with the key args.
func (s *Store) put(ctx context.Context, op, existsQuery string, key []any, f func(tx *sql.Tx) error) (bool, error) {
	var existed bool
	err := s.inTx(ctx, op, func(tx *sql.Tx) error {
		var err error
		if existed, err = s.exists(ctx, tx, existsQuery, key...); err != nil {
			return s.fail(op, err)
		}
		return f(tx)
	}, existsQuery)
	return !existed && err == nil, err
}

// PutRetailer inserts or replaces r.
func (s *Store) PutRetailer(ctx context.Context, r *till.Retailer) (bool, error) {
	return s.put(ctx, "put retailer", `SELECT EXISTS (SELECT 1 FROM retailers WHERE id = $1)`, []any{r.ID},
		func(tx *sql.Tx) error { return s.putRetailer(ctx, tx, r) })
}

func (s *Store) putRetailer(ctx context.Context, q querier, r *till.Retailer) error {
	_, err := s.exec(ctx, q, upsertRetailer, r.ID, r.Name, r.Alias, r.LogoURL, r.Country,
		jsonList(r.TaxIDs), jsonList(r.Phones), jsonList(r.NameVariants))
	if err != nil {
		return s.fail("put retailer", err)
	}
	return nil
}

// Retailer returns the retailer with the given id.
func (s *Store) Retailer(ctx context.Context, id string) (*till.Retailer, error) {
	rows, err := s.query(ctx, s.r, `SELECT `+retailerColumns+` FROM retailers WHERE id = $1`, id)
	if err != nil {
		return nil, s.fail("retailer", err)
	}
	list, err := scanRetailers(rows)
	if err != nil {
		return nil, s.fail("retailer", err)
	}
	if len(list) == 0 {
		return nil, till.NotFound("retailer")
	}
	return &list[0], nil
}

// Retailers lists retailers by id.
func (s *Store) Retailers(ctx context.Context, p till.Page) ([]till.Retailer, error) {
	rows, err := s.query(ctx, s.r, `SELECT `+retailerColumns+` FROM retailers WHERE id > $1 ORDER BY id LIMIT $2 OFFSET $3`,
		p.After, pageLimit(p), pageOffset(p))
	if err != nil {
		return nil, s.fail("retailers", err)
	}
	list, err := scanRetailers(rows)
	if err != nil {
		return nil, s.fail("retailers", err)
	}
	return list, nil
}

func scanRetailers(rows *sql.Rows) ([]till.Retailer, error) {
	defer rows.Close()
	var list []till.Retailer
	for rows.Next() {
		var r till.Retailer
		var taxIDs, phones, variants string
		if err := rows.Scan(&r.ID, &r.Name, &r.Alias, &r.LogoURL, &r.Country, &taxIDs, &phones, &variants); err != nil {
			return nil, err
		}
		for _, f := range []struct {
			dst *[]string
			src string
		}{{&r.TaxIDs, taxIDs}, {&r.Phones, phones}, {&r.NameVariants, variants}} {
			var err error
			if *f.dst, err = parseList(f.src); err != nil {
				return nil, fmt.Errorf("retailer %s: %w", r.ID, err)
			}
		}
		list = append(list, r)
	}
	return list, rows.Err()
}

// DeleteRetailer deletes the retailer, its outlets and its aliases.
func (s *Store) DeleteRetailer(ctx context.Context, id string) error {
	return s.delete(ctx, "retailer", `DELETE FROM retailers WHERE id = $1`, id)
}

// delete runs a DELETE and fails with KindNotFound naming what when it
// deleted nothing.
func (s *Store) delete(ctx context.Context, what, query string, args ...any) error {
	res, err := s.exec(ctx, s.w, query, args...)
	if err != nil {
		return s.fail("delete "+what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return s.fail("delete "+what, err)
	}
	if n == 0 {
		return till.NotFound(what)
	}
	return nil
}

// PutOutlet inserts or replaces o.
func (s *Store) PutOutlet(ctx context.Context, o *till.Outlet) (bool, error) {
	return s.put(ctx, "put outlet", `SELECT EXISTS (SELECT 1 FROM outlets WHERE retailer_id = $1 AND store_id = $2)`,
		[]any{o.RetailerID, o.StoreID}, func(tx *sql.Tx) error { return s.putOutlet(ctx, tx, o) })
}

func (s *Store) putOutlet(ctx context.Context, q querier, o *till.Outlet) error {
	_, err := s.exec(ctx, q, upsertOutlet, o.RetailerID, o.StoreID, o.Name, o.Address, o.Postcode, o.Latitude, o.Longitude)
	if s.class(err) == ClassForeignKey {
		return till.NotFound(fmt.Sprintf("retailer %q", o.RetailerID))
	}
	if err != nil {
		return s.fail("put outlet", err)
	}
	return nil
}

// Outlet returns one outlet of a retailer.
func (s *Store) Outlet(ctx context.Context, retailerID, storeID string) (*till.Outlet, error) {
	rows, err := s.query(ctx, s.r, `SELECT `+outletColumns+` FROM outlets WHERE retailer_id = $1 AND store_id = $2`,
		retailerID, storeID)
	if err != nil {
		return nil, s.fail("outlet", err)
	}
	list, err := scanOutlets(rows)
	if err != nil {
		return nil, s.fail("outlet", err)
	}
	if len(list) == 0 {
		return nil, till.NotFound("outlet")
	}
	return &list[0], nil
}

// Outlets lists the outlets of one retailer, or of all.
func (s *Store) Outlets(ctx context.Context, retailerID string, p till.Page) ([]till.Outlet, error) {
	var rows *sql.Rows
	var err error
	if retailerID != "" {
		rows, err = s.query(ctx, s.r, `SELECT `+outletColumns+` FROM outlets
			WHERE retailer_id = $1 AND store_id > $2 ORDER BY store_id LIMIT $3 OFFSET $4`,
			retailerID, p.After, pageLimit(p), pageOffset(p))
	} else {
		afterRetailer, afterStore, _ := strings.Cut(p.After, "/")
		rows, err = s.query(ctx, s.r, `SELECT `+outletColumns+` FROM outlets
			WHERE retailer_id > $1 OR (retailer_id = $1 AND store_id > $2)
			ORDER BY retailer_id, store_id LIMIT $3 OFFSET $4`, afterRetailer, afterStore, pageLimit(p), pageOffset(p))
	}
	if err != nil {
		return nil, s.fail("outlets", err)
	}
	list, err := scanOutlets(rows)
	if err != nil {
		return nil, s.fail("outlets", err)
	}
	return list, nil
}

func scanOutlets(rows *sql.Rows) ([]till.Outlet, error) {
	defer rows.Close()
	var list []till.Outlet
	for rows.Next() {
		var o till.Outlet
		if err := rows.Scan(&o.RetailerID, &o.StoreID, &o.Name, &o.Address, &o.Postcode, &o.Latitude, &o.Longitude); err != nil {
			return nil, err
		}
		list = append(list, o)
	}
	return list, rows.Err()
}

// DeleteOutlet deletes one outlet of a retailer.
func (s *Store) DeleteOutlet(ctx context.Context, retailerID, storeID string) error {
	return s.delete(ctx, "outlet", `DELETE FROM outlets WHERE retailer_id = $1 AND store_id = $2`, retailerID, storeID)
}

// PutBrand inserts or replaces b.
func (s *Store) PutBrand(ctx context.Context, b *till.Brand) (bool, error) {
	return s.put(ctx, "put brand", `SELECT EXISTS (SELECT 1 FROM brands WHERE id = $1)`, []any{b.ID},
		func(tx *sql.Tx) error { return s.putBrand(ctx, tx, upsertBrand, b) })
}

func (s *Store) putBrand(ctx context.Context, q querier, query string, b *till.Brand) error {
	if _, err := s.exec(ctx, q, query, b.ID, b.Name, b.Partner, zero(b.ItemCoins), zero(b.SpendCoins)); err != nil {
		return s.fail("put brand", err)
	}
	return nil
}

// zero returns s, or "0" when it is empty.
func zero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

// Brand returns the brand with the given id.
func (s *Store) Brand(ctx context.Context, id string) (*till.Brand, error) {
	rows, err := s.query(ctx, s.r, `SELECT `+brandColumns+` FROM brands WHERE id = $1`, id)
	if err != nil {
		return nil, s.fail("brand", err)
	}
	list, err := scanBrands(rows)
	if err != nil {
		return nil, s.fail("brand", err)
	}
	if len(list) == 0 {
		return nil, till.NotFound("brand")
	}
	return &list[0], nil
}

// Brands lists brands by id.
func (s *Store) Brands(ctx context.Context, p till.Page) ([]till.Brand, error) {
	rows, err := s.query(ctx, s.r, `SELECT `+brandColumns+` FROM brands WHERE id > $1 ORDER BY id LIMIT $2 OFFSET $3`,
		p.After, pageLimit(p), pageOffset(p))
	if err != nil {
		return nil, s.fail("brands", err)
	}
	list, err := scanBrands(rows)
	if err != nil {
		return nil, s.fail("brands", err)
	}
	return list, nil
}

func scanBrands(rows *sql.Rows) ([]till.Brand, error) {
	defer rows.Close()
	var list []till.Brand
	for rows.Next() {
		var b till.Brand
		if err := rows.Scan(&b.ID, &b.Name, &b.Partner, &b.ItemCoins, &b.SpendCoins); err != nil {
			return nil, err
		}
		list = append(list, b)
	}
	return list, rows.Err()
}

// DeleteBrand deletes a brand. Its products keep their brand id and earn
// as non-partner products.
func (s *Store) DeleteBrand(ctx context.Context, id string) error {
	return s.delete(ctx, "brand", `DELETE FROM brands WHERE id = $1`, id)
}

// PutProduct inserts or replaces p, and replaces its aliases when
// p.Aliases is not nil.
func (s *Store) PutProduct(ctx context.Context, p *till.Product) (bool, error) {
	return s.put(ctx, "put product", `SELECT EXISTS (SELECT 1 FROM products WHERE gtin = $1)`, []any{p.GTIN},
		func(tx *sql.Tx) error { return s.putProduct(ctx, tx, p) })
}

func (s *Store) putProduct(ctx context.Context, q querier, p *till.Product) error {
	if _, err := s.exec(ctx, q, upsertProduct, p.GTIN, p.Name, p.BrandID, p.Size, p.Unit); err != nil {
		return s.fail("put product", err)
	}
	if p.Aliases == nil {
		return nil
	}
	if _, err := s.exec(ctx, q, deleteAliases, p.GTIN); err != nil {
		return s.fail("put product", err)
	}
	for _, a := range p.Aliases {
		if err := s.putAlias(ctx, q, till.ProductAlias{RetailerID: a.RetailerID, Text: a.Text, GTIN: p.GTIN}); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) putAlias(ctx context.Context, q querier, a till.ProductAlias) error {
	_, err := s.exec(ctx, q, upsertAlias, a.RetailerID, a.Text, a.GTIN)
	if s.class(err) == ClassForeignKey {
		return till.NotFound(fmt.Sprintf("retailer %q or product %s", a.RetailerID, a.GTIN))
	}
	if err != nil {
		return s.fail("put alias", err)
	}
	return nil
}

// Product returns the product with the given GTIN-14 and its aliases.
func (s *Store) Product(ctx context.Context, gtin string) (*till.Product, error) {
	list, err := s.products(ctx, `SELECT `+productColumns+` FROM products WHERE gtin = $1`, gtin)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, till.NotFound("product")
	}
	return &list[0], nil
}

// Products lists products by GTIN, each with its aliases.
func (s *Store) Products(ctx context.Context, p till.Page) ([]till.Product, error) {
	return s.products(ctx, `SELECT `+productColumns+` FROM products WHERE gtin > $1 ORDER BY gtin LIMIT $2 OFFSET $3`,
		p.After, pageLimit(p), pageOffset(p))
}

// products runs query, which selects productColumns ordered by GTIN, and
// adds the aliases of the products found.
func (s *Store) products(ctx context.Context, query string, args ...any) ([]till.Product, error) {
	rows, err := s.query(ctx, s.r, query, args...)
	if err != nil {
		return nil, s.fail("products", err)
	}
	defer rows.Close()
	var list []till.Product
	for rows.Next() {
		var p till.Product
		if err := rows.Scan(&p.GTIN, &p.Name, &p.BrandID, &p.Size, &p.Unit); err != nil {
			return nil, s.fail("products", err)
		}
		list = append(list, p)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail("products", err)
	}
	rows.Close()
	if len(list) == 0 {
		return nil, nil
	}
	at := make(map[string]int, len(list))
	for i := range list {
		at[list[i].GTIN] = i
	}
	arows, err := s.query(ctx, s.r, `SELECT retailer_id, text, gtin FROM product_aliases
		WHERE gtin >= $1 AND gtin <= $2 ORDER BY gtin, retailer_id, text`, list[0].GTIN, list[len(list)-1].GTIN)
	if err != nil {
		return nil, s.fail("products", err)
	}
	defer arows.Close()
	for arows.Next() {
		var a till.ProductAlias
		if err := arows.Scan(&a.RetailerID, &a.Text, &a.GTIN); err != nil {
			return nil, s.fail("products", err)
		}
		if i, ok := at[a.GTIN]; ok {
			list[i].Aliases = append(list[i].Aliases, a)
		}
	}
	if err := arows.Err(); err != nil {
		return nil, s.fail("products", err)
	}
	return list, nil
}

// DeleteProduct deletes a product and its aliases.
func (s *Store) DeleteProduct(ctx context.Context, gtin string) error {
	return s.delete(ctx, "product", `DELETE FROM products WHERE gtin = $1`, gtin)
}

// AddProductAlias records a, replacing what the retailer's text named
// before.
func (s *Store) AddProductAlias(ctx context.Context, a till.ProductAlias) error {
	return s.putAlias(ctx, s.w, a)
}

// ImportCatalog applies b in one transaction. Outlets and aliases that
// name a missing retailer fail it with KindNotFound.
func (s *Store) ImportCatalog(ctx context.Context, b *till.CatalogBatch) error {
	return s.inTx(ctx, "import catalog", func(tx *sql.Tx) error {
		for i := range b.Retailers {
			if err := s.putRetailer(ctx, tx, &b.Retailers[i]); err != nil {
				return err
			}
		}
		for i := range b.Outlets {
			if err := s.putOutlet(ctx, tx, &b.Outlets[i]); err != nil {
				return err
			}
		}
		for i := range b.Brands {
			if err := s.putBrand(ctx, tx, upsertBrand, &b.Brands[i]); err != nil {
				return err
			}
		}
		for i := range b.NewBrands {
			if err := s.putBrand(ctx, tx, insertBrandIfMissing, &b.NewBrands[i]); err != nil {
				return err
			}
		}
		for i := range b.Products {
			if err := s.putProduct(ctx, tx, &b.Products[i]); err != nil {
				return err
			}
		}
		return nil
	}, upsertRetailer, upsertOutlet, upsertBrand, insertBrandIfMissing, upsertProduct, deleteAliases, upsertAlias)
}
