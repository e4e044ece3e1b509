package till

import (
	"strings"
	"testing"
)

func TestBrandValidateRates(t *testing.T) {
	tests := []struct {
		name, in, want, err string
	}{
		{"empty is zero", "", "0", ""},
		{"spec example", "410000000000000000", "410000000000000000", ""},
		{"spaces", " 5 ", "5", ""},
		{"the earning rate bound", MaxEarningRate.String(), MaxEarningRate.String(), ""},
		{"over the earning rate bound", MaxEarningRate.Add(Units(1)).String(), "", "at most 1000000000000000000000000 units"},
		{"2^127-1", "170141183460469231731687303715884105727", "", "at most"},
		{"2^127", "170141183460469231731687303715884105728", "", "below 2^127"},
		{"negative", "-1", "", "must not be negative"},
		{"decimal point", "1.5", "", "integer number of units"},
		{"exponent", "1e18", "", "integer number of units"},
		{"leading zeros", "007", "7", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, field := range []string{"item_coins", "spend_coins"} {
				b := Brand{ID: "nestle", Name: "Nestlé"}
				if field == "item_coins" {
					b.ItemCoins = tt.in
				} else {
					b.SpendCoins = tt.in
				}
				err := b.Validate()
				if tt.err != "" {
					if err == nil || !strings.Contains(err.Error(), tt.err) || ErrorKind(err) != KindInvalid {
						t.Fatalf("%s %q: Validate = %v; want invalid %q", field, tt.in, err, tt.err)
					}
					if _, f := ErrorMessage(err); f != field {
						t.Errorf("%s %q: error names field %q", field, tt.in, f)
					}
					continue
				}
				got := b.ItemCoins
				if field == "spend_coins" {
					got = b.SpendCoins
				}
				if err != nil || got != tt.want {
					t.Fatalf("%s %q: Validate = %v, rate %q; want %s", field, tt.in, err, got, tt.want)
				}
			}
		})
	}
}

func TestAliasKey(t *testing.T) {
	for in, want := range map[string]string{
		"Chkn-Brst  500g":      "CHKN BRST 500G",
		"  KF MODELLING CLAY ": "KF MODELLING CLAY",
		"Crème brûlée":         "CRÈME BRÛLÉE",
		"--":                   "",
	} {
		if got := AliasKey(in); got != want {
			t.Errorf("AliasKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Nestlé Kit Kat":          "nestle-kit-kat",
		"  Coca-Cola ":            "coca-cola",
		"Ben & Jerry's":           "ben-jerry-s",
		"日本":                      "",
		strings.Repeat("ab ", 40): strings.TrimRight(strings.Repeat("ab-", 22)[:64], "-"),
	} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestProductValidate(t *testing.T) {
	p := Product{GTIN: " 012000104510 ", Name: " Frappuccino ", Size: "281", Unit: "ML",
		Aliases: []ProductAlias{{RetailerID: "walmart", Text: "frap"}, {RetailerID: "walmart", Text: "FRAP!"}}}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if p.GTIN != "00012000104510" || p.Name != "Frappuccino" || p.Unit != "ml" {
		t.Errorf("Validate left %+v", p)
	}
	if len(p.Aliases) != 1 || p.Aliases[0] != (ProductAlias{"walmart", "FRAP", "00012000104510"}) {
		t.Errorf("aliases = %+v, want one FRAP alias", p.Aliases)
	}

	bad := []struct {
		name  string
		edit  func(*Product)
		field string
	}{
		{"check digit", func(p *Product) { p.GTIN = "012000104511" }, "gtin"},
		{"no name", func(p *Product) { p.Name = " " }, "name"},
		{"size without unit", func(p *Product) { p.Size, p.Unit = "5", "" }, "unit"},
		{"bad size", func(p *Product) { p.Size = "-5" }, "size"},
		{"bad brand", func(p *Product) { p.BrandID = "Nestlé" }, "brand_id"},
		{"bad alias", func(p *Product) { p.Aliases = []ProductAlias{{RetailerID: "walmart", Text: "%%"}} }, "aliases[0].text"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			p := Product{GTIN: "012000104510", Name: "Frappuccino"}
			tt.edit(&p)
			err := p.Validate()
			if _, field := ErrorMessage(err); ErrorKind(err) != KindInvalid || field != tt.field {
				t.Errorf("Validate = %v (field %q), want invalid %s", err, field, tt.field)
			}
		})
	}
}

func TestBrandRetailerOutletValidate(t *testing.T) {
	b := Brand{ID: "nestle", Name: "Nestlé", Partner: true, ItemCoins: "", SpendCoins: "0010"}
	if err := b.Validate(); err != nil || b.ItemCoins != "0" || b.SpendCoins != "10" {
		t.Errorf("Brand.Validate = %v, %+v", err, b)
	}
	b.SpendCoins = "-3"
	if err := b.Validate(); ErrorKind(err) != KindInvalid {
		t.Errorf("negative rate: %v", err)
	}
	r := Retailer{ID: "coles", Name: "Coles", Country: "au", Phones: []string{" 1800 061 562", "", "1800 061 562"}}
	if err := r.Validate(); err != nil || r.Country != "AU" || len(r.Phones) != 1 {
		t.Errorf("Retailer.Validate = %v, %+v", err, r)
	}
	r.LogoURL = "javascript:alert(1)"
	if err := r.Validate(); ErrorKind(err) != KindInvalid {
		t.Errorf("bad logo url: %v", err)
	}
	o := Outlet{RetailerID: "coles", StoreID: "0421", Latitude: -37.8, Longitude: 144.9}
	if err := o.Validate(); err != nil {
		t.Errorf("Outlet.Validate = %v", err)
	}
	o.StoreID = "a/b"
	if err := o.Validate(); ErrorKind(err) != KindInvalid {
		t.Errorf("store id with slash: %v", err)
	}
}
