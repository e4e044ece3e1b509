package storetest

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/tillhq/till"
)

// testCatalog checks the catalogue: puts that insert then replace, reads,
// listings by page, deletes that cascade, aliases, and imports that apply
// entirely or not at all.
func testCatalog(t *testing.T, f *fixture) {
	ctx := t.Context()
	s := f.s
	mustPut := func(created bool, err error) bool {
		t.Helper()
		if err != nil {
			t.Fatalf("put: %v", err)
		}
		return created
	}
	valid := func(v interface{ Validate() error }) {
		t.Helper()
		if err := v.Validate(); err != nil {
			t.Fatal(err)
		}
	}

	coles := till.Retailer{ID: "coles", Name: "Coles", Alias: "Coles", LogoURL: "https://cdn.example.com/coles.png",
		Country: "AU", TaxIDs: []string{"45 004 189 708"}, Phones: []string{"1800 061 562"},
		NameVariants: []string{"COLES SUPERMARKETS", "COLES"}}
	valid(&coles)
	if !mustPut(s.PutRetailer(ctx, &coles)) {
		t.Error("PutRetailer of a new retailer reported no creation")
	}
	coles.Alias = "Coles Group"
	if mustPut(s.PutRetailer(ctx, &coles)) {
		t.Error("PutRetailer of an existing retailer reported a creation")
	}
	got, err := s.Retailer(ctx, "coles")
	if err != nil || !reflect.DeepEqual(*got, coles) {
		t.Errorf("Retailer = %+v, %v; want %+v", got, err, coles)
	}
	aldi := till.Retailer{ID: "aldi", Name: "ALDI"}
	valid(&aldi)
	mustPut(s.PutRetailer(ctx, &aldi))

	o := till.Outlet{RetailerID: "coles", StoreID: "0421", Name: "Coles Richmond", Address: "Victoria Gardens",
		Postcode: "3121", Latitude: -37.8265, Longitude: 145.0014}
	if !mustPut(s.PutOutlet(ctx, &o)) {
		t.Error("PutOutlet of a new outlet reported no creation")
	}
	if got, err := s.Outlet(ctx, "coles", "0421"); err != nil || *got != o {
		t.Errorf("Outlet = %+v, %v; want %+v", got, err, o)
	}
	o2 := till.Outlet{RetailerID: "aldi", StoreID: "7"}
	mustPut(s.PutOutlet(ctx, &o2))
	_, err = s.PutOutlet(ctx, &till.Outlet{RetailerID: "woolworths", StoreID: "1"})
	wantError(t, err, till.KindNotFound, "", `retailer "woolworths" not found`)
	if all, err := s.Outlets(ctx, "", till.Page{}); err != nil || len(all) != 2 || all[0].RetailerID != "aldi" {
		t.Errorf("Outlets(all) = %+v, %v; want aldi's then coles'", all, err)
	}
	if page, err := s.Outlets(ctx, "", till.Page{After: "aldi/7"}); err != nil || len(page) != 1 || page[0].StoreID != "0421" {
		t.Errorf("Outlets(after aldi/7) = %+v, %v; want coles' only", page, err)
	}

	nestle := till.Brand{ID: "nestle", Name: "Nestlé", Partner: true, ItemCoins: "410000000000000000",
		SpendCoins: till.MaxEarningRate.String()}
	valid(&nestle)
	mustPut(s.PutBrand(ctx, &nestle))
	if got, err := s.Brand(ctx, "nestle"); err != nil || *got != nestle {
		t.Errorf("Brand = %+v, %v; want %+v", got, err, nestle)
	}

	p := till.Product{GTIN: "9311995843710", Name: "KitKat 4 Finger", BrandID: "nestle", Size: "45", Unit: "g",
		Aliases: []till.ProductAlias{{RetailerID: "coles", Text: "KITKAT 4F 45G"}}}
	valid(&p)
	if !mustPut(s.PutProduct(ctx, &p)) {
		t.Error("PutProduct of a new product reported no creation")
	}
	gotP, err := s.Product(ctx, p.GTIN)
	if err != nil || !reflect.DeepEqual(*gotP, p) {
		t.Errorf("Product = %+v, %v; want %+v", gotP, err, p)
	}

	t.Run("nil aliases keep the stored ones", func(t *testing.T) {
		q := p
		q.Aliases, q.Name = nil, "Kit Kat 4 Finger"
		if mustPut(s.PutProduct(ctx, &q)) {
			t.Error("PutProduct of an existing product reported a creation")
		}
		got, err := s.Product(ctx, p.GTIN)
		if err != nil || got.Name != q.Name || !reflect.DeepEqual(got.Aliases, p.Aliases) {
			t.Errorf("Product = %+v, %v; want the new name and the old aliases", got, err)
		}
	})

	t.Run("learnt alias", func(t *testing.T) {
		a := till.ProductAlias{RetailerID: "aldi", Text: "Kit-Kat 45g", GTIN: "9311995843710"}
		valid(&a)
		if err := s.AddProductAlias(ctx, a); err != nil {
			t.Fatal(err)
		}
		got, err := s.Product(ctx, p.GTIN)
		if err != nil || len(got.Aliases) != 2 || got.Aliases[0] != a {
			t.Errorf("Product aliases = %+v, %v; want aldi's first", got.Aliases, err)
		}
		err = s.AddProductAlias(ctx, till.ProductAlias{RetailerID: "nobody", Text: "X", GTIN: p.GTIN})
		wantError(t, err, till.KindNotFound, "", "not found")
	})

	t.Run("pages", func(t *testing.T) {
		for i := range 5 {
			b := till.Brand{ID: fmt.Sprintf("b%d", i), Name: "B"}
			valid(&b)
			mustPut(s.PutBrand(ctx, &b))
		}
		var ids []string
		after := ""
		for {
			page, err := s.Brands(ctx, till.Page{After: after, Limit: 2})
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, b := range page {
				ids = append(ids, b.ID)
			}
			after = page[len(page)-1].ID
		}
		if want := []string{"b0", "b1", "b2", "b3", "b4", "nestle"}; !reflect.DeepEqual(ids, want) {
			t.Errorf("brands by page = %v, want %v", ids, want)
		}
		if list, err := s.Retailers(ctx, till.Page{Limit: 1}); err != nil || len(list) != 1 || list[0].ID != "aldi" {
			t.Errorf("Retailers(limit 1) = %+v, %v", list, err)
		}
		if list, err := s.Brands(ctx, till.Page{Offset: 2, Limit: 3}); err != nil || len(list) != 3 || list[0].ID != "b2" || list[2].ID != "b4" {
			t.Errorf("Brands(offset 2, limit 3) = %+v, %v; want b2 to b4", list, err)
		}
		if list, err := s.Brands(ctx, till.Page{After: "b0", Offset: 4, Limit: 3}); err != nil || len(list) != 1 || list[0].ID != "nestle" {
			t.Errorf("Brands(after b0, offset 4) = %+v, %v; want nestle only", list, err)
		}
		if list, err := s.Retailers(ctx, till.Page{Offset: 1}); err != nil || len(list) != 1 || list[0].ID != "coles" {
			t.Errorf("Retailers(offset 1) = %+v, %v; want coles only", list, err)
		}
		if list, err := s.Outlets(ctx, "", till.Page{Offset: 1}); err != nil || len(list) != 1 || list[0].RetailerID != "coles" {
			t.Errorf("Outlets(all, offset 1) = %+v, %v; want coles' only", list, err)
		}
		if list, err := s.Outlets(ctx, "coles", till.Page{Offset: 1}); err != nil || len(list) != 0 {
			t.Errorf("Outlets(coles, offset 1) = %+v, %v; want none", list, err)
		}
		if list, err := s.Products(ctx, till.Page{Offset: 1}); err != nil || len(list) != 0 {
			t.Errorf("Products(offset 1) = %+v, %v; want none", list, err)
		}
		if list, err := s.Products(ctx, till.Page{Offset: 0}); err != nil || len(list) != 1 || len(list[0].Aliases) != 2 {
			t.Errorf("Products(offset 0) = %+v, %v; want the one product with its aliases", list, err)
		}
	})

	t.Run("import applies all or nothing", func(t *testing.T) {
		b := till.CatalogBatch{
			Retailers: []till.Retailer{{ID: "lidl", Name: "Lidl"}},
			NewBrands: []till.Brand{{ID: "nestle", Name: "Nestle from a file"}, {ID: "mars", Name: "Mars"}},
			Products: []till.Product{
				{GTIN: "00040000050533", Name: "Snickers", BrandID: "mars"},
				{GTIN: "00012000104510", Name: "Frappuccino", Aliases: []till.ProductAlias{{RetailerID: "lidl", Text: "FRAP"}}},
			},
		}
		if err := s.ImportCatalog(ctx, &b); err != nil {
			t.Fatalf("ImportCatalog: %v", err)
		}
		if got, err := s.Brand(ctx, "nestle"); err != nil || *got != nestle {
			t.Errorf("a new brand of an import replaced a stored brand: %+v, %v", got, err)
		}
		if got, err := s.Brand(ctx, "mars"); err != nil || got.ItemCoins != "0" {
			t.Errorf("Brand(mars) = %+v, %v; want it created with no coins", got, err)
		}
		// Importing again changes nothing and fails nothing.
		if err := s.ImportCatalog(ctx, &b); err != nil {
			t.Fatalf("ImportCatalog again: %v", err)
		}
		bad := till.CatalogBatch{
			Retailers: []till.Retailer{{ID: "spar", Name: "SPAR"}},
			Products:  []till.Product{{GTIN: "00036000291452", Name: "X", Aliases: []till.ProductAlias{{RetailerID: "nobody", Text: "X"}}}},
		}
		err := s.ImportCatalog(ctx, &bad)
		wantError(t, err, till.KindNotFound, "", "not found")
		if _, err := s.Retailer(ctx, "spar"); till.ErrorKind(err) != till.KindNotFound {
			t.Errorf("a failed import left its retailer behind: %v", err)
		}
		if _, err := s.Product(ctx, "00036000291452"); till.ErrorKind(err) != till.KindNotFound {
			t.Errorf("a failed import left its product behind: %v", err)
		}
	})

	t.Run("deletes cascade", func(t *testing.T) {
		if err := s.DeleteRetailer(ctx, "coles"); err != nil {
			t.Fatal(err)
		}
		_, err := s.Outlet(ctx, "coles", "0421")
		wantError(t, err, till.KindNotFound, "", "outlet not found")
		got, err := s.Product(ctx, p.GTIN)
		if err != nil || len(got.Aliases) != 1 || got.Aliases[0].RetailerID != "aldi" {
			t.Errorf("after deleting coles, aliases = %+v, %v; want aldi's only", got, err)
		}
		if err := s.DeleteProduct(ctx, p.GTIN); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteOutlet(ctx, "aldi", "7"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteBrand(ctx, "nestle"); err != nil {
			t.Fatal(err)
		}
		for name, err := range map[string]error{
			"retailer": s.DeleteRetailer(ctx, "coles"),
			"product":  s.DeleteProduct(ctx, p.GTIN),
			"outlet":   s.DeleteOutlet(ctx, "aldi", "7"),
			"brand":    s.DeleteBrand(ctx, "nestle"),
		} {
			wantError(t, err, till.KindNotFound, "", name+" not found")
		}
		_, err = s.Product(ctx, p.GTIN)
		wantError(t, err, till.KindNotFound, "", "product not found")
	})
}
