package catalog

import (
	"strings"
	"testing"

	"github.com/tillhq/till"
)

func TestReadFile(t *testing.T) {
	tests := []struct {
		name     string
		kind     Kind
		in       string
		wantKind Kind
		good     int
		rejects  []string
	}{
		{"products CSV", "", "gtin,name,brand_id,size,unit,aliases\n" +
			"012000104510,Frappuccino,starbucks,281,ml,walmart:FRAP\n" +
			"012000104511,Bad check digit,,,,\n" +
			"0012000104510,Same GTIN again,,,,\n" +
			"9311995843710,\"Quoted, name\",,,,\n",
			KindProducts, 2, []string{"row 3: gtin: gtin must be", "row 4: gtin: GTIN 00012000104510 is also on row 2"}},
		{"Open Food Facts TSV", "", "code\tproduct_name\tbrands\tquantity\n" +
			"3017620422003\tNutella\tFerrero,Nutella\t400 g\n" +
			"3017620425035\tNutella\tFerrero\t1 kg\n" +
			"20123\tShort code\t\t\n" +
			"3017620422003\tNutella again\tFerrero\t\n",
			KindProducts, 2, []string{"row 4: gtin: gtin must be", "row 5: gtin: GTIN 03017620422003 is also on row 2"}},
		{"brands CSV", "", "id,name,partner,item_coins,spend_coins\n" +
			"nestle,Nestlé,true,410000000000000000,0\n" +
			"mars,Mars,yes,1,1\n" +
			"neg,Neg,false,-1,0\n" +
			"big,Big,false,1000000000000000000000001,0\n" +
			"nestle,Again,true,0,0\n",
			KindBrands, 1, []string{"row 3: partner:", "row 4: item_coins: item_coins must not be negative", "row 5: item_coins: item_coins must be at most 1000000000000000000000000 units", "row 6: id: brand \"nestle\" is also on row 2"}},
		{"malformed CSV row", KindRetailers, "id,name\ncoles,Coles\naldi,\"ALDI\" x\n",
			KindRetailers, 1, []string{"row 3: malformed CSV"}},
		{"outlets JSON Lines", "", `{"retailer_id":"coles","store_id":"0421","postcode":"3121","latitude":-37.8}` + "\n\n" +
			`{"retailer_id":"coles","store_id":"0422","latitude":"north"}` + "\n" +
			`{"retailer_id":"coles",` + "\n",
			KindOutlets, 1, []string{"row 3: latitude:", "row 4: malformed JSON"}},
		{"brands JSON Lines with string rates", KindBrands, `{"id":"b","name":"B","item_coins":"5","spend_coins":7}` + "\n" +
			`{"id":"c","name":"C","item_coins":"1e18"}` + "\n",
			KindBrands, 1, []string{"row 2: item_coins: item_coins must be an integer number of units"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ReadFile(strings.NewReader(tt.in), tt.kind, nil)
			if err != nil {
				t.Fatal(err)
			}
			good := len(f.Batch.Retailers) + len(f.Batch.Outlets) + len(f.Batch.Brands) + len(f.Batch.Products)
			if f.Kind != tt.wantKind || good != tt.good {
				t.Errorf("kind %s with %d good rows, want %s with %d", f.Kind, good, tt.wantKind, tt.good)
			}
			if len(f.Rejects) != len(tt.rejects) {
				t.Fatalf("rejects = %v, want %v", f.Rejects, tt.rejects)
			}
			for i, r := range f.Rejects {
				if !strings.HasPrefix(r.String(), tt.rejects[i]) {
					t.Errorf("reject %d = %q, want it to start %q", i, r, tt.rejects[i])
				}
			}
		})
	}
}

func TestReadFileOpenFoodFacts(t *testing.T) {
	f, err := ReadFile(strings.NewReader("code\tproduct_name\tbrands\tquantity\n3017620422003\tNutella\tFerrero, Nutella\t400 g\n"), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := till.Product{GTIN: "03017620422003", Name: "Nutella", BrandID: "ferrero", Size: "400", Unit: "g"}
	if len(f.Batch.Products) != 1 || f.Batch.Products[0].GTIN != want.GTIN || f.Batch.Products[0].BrandID != want.BrandID ||
		f.Batch.Products[0].Size != want.Size || f.Batch.Products[0].Aliases != nil {
		t.Errorf("products = %+v, want %+v", f.Batch.Products, want)
	}
	if len(f.Batch.NewBrands) != 1 || f.Batch.NewBrands[0] != (till.Brand{ID: "ferrero", Name: "Ferrero", ItemCoins: "0", SpendCoins: "0"}) {
		t.Errorf("new brands = %+v, want Ferrero", f.Batch.NewBrands)
	}
}

func TestReadFileKindUnknown(t *testing.T) {
	_, err := ReadFile(strings.NewReader("a,b\n1,2\n"), "", nil)
	if till.ErrorKind(err) != till.KindInvalid {
		t.Errorf("ReadFile of an unknown header = %v, want invalid", err)
	}
}

// FuzzReadFile feeds arbitrary files to ReadFile of every kind: it must
// not panic, and every row it accepts must pass validation again.
func FuzzReadFile(f *testing.F) {
	f.Add("gtin,name,aliases\n012000104510,Frap,walmart:FRAP|x\n", "")
	f.Add("code\tproduct_name\tbrands\tquantity\n3017620422003\tNutella\tFerrero\t1,5 kg\n", "")
	f.Add(`{"id":"b","name":"B","item_coins":"99999999999999999999999999999999999999999"}`+"\n", "brands")
	f.Add(`{"retailer_id":"x","store_id":"1","latitude":1e400}`, "outlets")
	f.Add("id,name,tax_ids\n\"a\nb\",c,d\n", "retailers")
	f.Fuzz(func(t *testing.T, in, kind string) {
		k, err := ParseKind(kind)
		if err != nil {
			k = ""
		}
		file, err := ReadFile(strings.NewReader(in), k, nil)
		if err != nil {
			return
		}
		for _, p := range file.Batch.Products {
			if err := p.Validate(); err != nil {
				t.Errorf("accepted product %+v fails Validate: %v", p, err)
			}
		}
		for _, b := range file.Batch.Brands {
			if err := b.Validate(); err != nil {
				t.Errorf("accepted brand %+v fails Validate: %v", b, err)
			}
		}
		for _, o := range file.Batch.Outlets {
			if err := o.Validate(); err != nil {
				t.Errorf("accepted outlet %+v fails Validate: %v", o, err)
			}
		}
		for _, r := range file.Rejects {
			if r.Row < 1 || r.Reason == "" {
				t.Errorf("reject %+v has no row or reason", r)
			}
		}
	})
}
