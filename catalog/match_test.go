package catalog

import (
	"slices"
	"testing"

	"github.com/tillhq/till"
	"github.com/tillhq/till/extract"
)

// testContents is a small catalogue with near neighbours for every product
// the tests look for.
func testContents(t testing.TB) *Contents {
	c := &Contents{
		Retailers: []till.Retailer{
			{ID: "walmart", Name: "Walmart", NameVariants: []string{"WAL MART", "WALMART SUPERCENTER"}, Phones: []string{"(479) 273-4000"}},
			{ID: "coles", Name: "Coles", TaxIDs: []string{"45 004 189 708"}, NameVariants: []string{"COLES SUPERMARKETS"}},
			{ID: "spar", Name: "SPAR"},
		},
		Outlets: []till.Outlet{{RetailerID: "coles", StoreID: "0421", Address: "Victoria Gardens 620 Victoria St", Postcode: "3121"}},
		Brands:  []till.Brand{{ID: "great-value", Name: "Great Value"}, {ID: "mars", Name: "Mars", Partner: true}},
		Products: []till.Product{
			{GTIN: "012000104510", Name: "Starbucks Frappuccino Mocha 4 Pack"},
			{GTIN: "078742210001", Name: "Vegetable Oil", BrandID: "great-value", Size: "1.42", Unit: "l"},
			{GTIN: "078742210018", Name: "Canola Oil", BrandID: "great-value", Size: "1.42", Unit: "l"},
			{GTIN: "040000505334", Name: "Snickers Fun Size", BrandID: "mars"},
			{GTIN: "040000505341", Name: "Snickers Full Size Bar", BrandID: "mars"},
			{GTIN: "9300633111113", Name: "Chicken Breast Fillets", Size: "500", Unit: "g"},
			{GTIN: "9300633111120", Name: "Chicken Thigh Fillets", Size: "500", Unit: "g"},
			{GTIN: "9300633111137", Name: "Kmart Funtastic Modelling Clay"},
			{GTIN: "9300633111144", Name: "Ocean Spray Cranberry Sauce", Size: "250", Unit: "g",
				Aliases: []till.ProductAlias{{RetailerID: "walmart", Text: "DEPT 12 SAUCE"}}},
			{GTIN: "9300633110154", Name: "Acme Penne Pasta", Size: "500", Unit: "g"},
			{GTIN: "9300633110161", Name: "Acme Fusilli Pasta", Size: "500", Unit: "g"},
			{GTIN: "9300633110178", Name: "Acme Kitchen Towel 2 Pack"},
			{GTIN: "9300633110185", Name: "Acme Kitchen Towel Refill"},
			{GTIN: "9300633110192", Name: "Sunny Crunchybar", Size: "45", Unit: "g"},
			{GTIN: "9300633110208", Name: "Acme Cooking Oil", Size: "375", Unit: "ml"},
			{GTIN: "9300633110215", Name: "Acme Cooking Oil", Size: "750", Unit: "ml"},
			{GTIN: "9300633110222", Name: "Acme Packaging Tape 50 yd"},
			{GTIN: "9300633110239", Name: "Acme Masking Tape 50 yd"},
			{GTIN: "9300633110246", Name: "Cocoa Dairy Milk Chocolate"},
			{GTIN: "9300633110253", Name: "Cocoa Dairy Milk Top Deck"},
			{GTIN: "9300633110260", Name: "Zeta Dark Chocolate"},
			{GTIN: "9300633110277", Name: "Zeta White Chocolate"},
		},
	}
	for i := range c.Products {
		if err := c.Products[i].Validate(); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func TestMatchItem(t *testing.T) {
	ix := New(testContents(t), Config{})
	tests := []struct {
		name     string
		retailer string
		line     string
		gtin     string
		method   Method
		status   Status
	}{
		{"printed GTIN", "", "CHKN BRST 9300633111113 7.00", "09300633111113", MethodGTIN, StatusAuto},
		{"walmart code without check digit", "walmart", "FRAP 001200010451 F 5.48 N", "00012000104510", MethodCompleted, StatusAuto},
		{"alias of the retailer", "walmart", "DEPT 12 SAUCE 1.58", "09300633111144", MethodAlias, StatusAuto},
		{"alias of another retailer", "coles", "DEPT 12 SAUCE 1.58", "", MethodName, StatusUnmatched},
		{"abbreviated name", "coles", "CHKN BRST 500G 7.00", "09300633111113", MethodName, StatusAuto},
		{"abbreviated with brand", "walmart", "GV VEG OIL 7.82 N", "00078742210001", MethodName, StatusAuto},
		{"vowels dropped", "walmart", "CRNBRY SAUCE 1.58 N", "09300633111144", MethodName, StatusAuto},
		{"modelling clay", "", "KF MODELLING CLAY 3.00", "09300633111137", MethodName, StatusAuto},
		{"plural of a catalogue word", "", "MODELLING CLAYS 3.00", "09300633111137", MethodName, StatusAuto},
		{"two products alike", "", "ACME PASTA 500G 2.99", "", MethodName, StatusNeedsValidation},
		{"count printed onto a word", "", "KITCHEN TOWEL2 4.99", "09300633110178", MethodName, StatusAuto},
		{"one word printed as two", "", "CRUNCHY BAR 1.99", "09300633110192", MethodName, StatusAuto},
		{"size after the name", "", "ACME COOKING OIL 750ML 14.99", "09300633110215", MethodName, StatusAuto},
		{"two words run together", "", "ACME PKGTAPE 1.12", "09300633110222", MethodName, StatusAuto},
		{"alike but for a rare word left out", "", "COCOA DAIRY MI 1.99", "09300633110246", MethodName, StatusAuto},
		{"nothing alike", "", "CARRIER BAG 24L 0.75", "", "", StatusUnmatched},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it, ok := extract.ParseLine(tt.line)
			if !ok {
				t.Fatalf("ParseLine(%q) failed", tt.line)
			}
			m := ix.MatchItem(tt.retailer, &it)
			if m.Status != tt.status || tt.gtin != "" && (m.GTIN != tt.gtin || m.Method != tt.method) {
				t.Errorf("MatchItem(%q) = %+v; want %s %s by %s", tt.line, m, tt.status, tt.gtin, tt.method)
			}
		})
	}
}

func TestLineWords(t *testing.T) {
	ix := New(testContents(t), Config{})
	tests := []struct {
		name, item, line string
		want             []string
	}{
		{"size after the name", "ACME COOKING OIL", "ACME COOKING OIL 750ML 14.99", []string{"ACME", "COOKING", "OIL", "750ML"}},
		{"size in the name", "ACME OIL 375ML", "ACME OIL 375ML 750ML", []string{"ACME", "OIL", "375ML"}},
		{"count printed onto a word", "KITCHEN TOWEL2", "", []string{"KITCHEN", "TOWEL", "2"}},
		{"price", "EGGS 6CT F 0.9 0", "", []string{"EGGS", "6CT", "F", "0.9", "0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, w := range ix.lineWords(tt.item, tt.line) {
				got = append(got, w.text)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("lineWords(%q, %q) = %q, want %q", tt.item, tt.line, got, tt.want)
			}
		})
	}
}

func TestSpellsRun(t *testing.T) {
	ix := New(&Contents{Products: []till.Product{
		{GTIN: "09300633110154", Name: "Packaging Tape V Fusion Rustic Leg"},
	}}, Config{})
	id := func(w string) uint32 { return ix.wordID[w] }
	tests := []struct {
		w      string
		run    []string
		n      int
		prefix bool
	}{
		{"PKGTAPE", []string{"PACKAGING", "TAPE"}, 2, false},
		{"VFUS", []string{"V", "FUSION"}, 2, true},
		{"RSTLEG", []string{"RUSTIC", "LEG"}, 2, false},
		{"PKG", []string{"PACKAGING", "TAPE"}, 1, false},
		{"PKGX", []string{"PACKAGING", "TAPE"}, 0, false},
		{"PKGAPE", []string{"PACKAGING", "TAPE"}, 0, false},
	}
	for _, tt := range tests {
		var run []uint32
		for _, w := range tt.run {
			run = append(run, id(w))
		}
		if n, prefix := ix.spellsRun(tt.w, run); n != tt.n || prefix != tt.prefix {
			t.Errorf("spellsRun(%q, %q) = %d, %v; want %d, %v", tt.w, tt.run, n, prefix, tt.n, tt.prefix)
		}
	}
}

func TestMatchItemsBrand(t *testing.T) {
	ix := New(testContents(t), Config{})
	got := ix.MatchItems("walmart", []extract.Item{{Name: "SNICKER FS", Line: "SNICKER FS 004000050533 F 3.78 X"}, {Name: "ZZZ"}})
	if len(got) != 2 || got[0].GTIN != "00040000505334" || got[0].BrandID != "mars" || !got[0].Partner {
		t.Errorf("MatchItems[0] = %+v; want Snickers Fun Size of partner brand mars", got[0])
	}
	if got[1].Status != StatusUnmatched {
		t.Errorf("MatchItems[1] = %+v; want unmatched", got[1])
	}
}

func TestCompletions(t *testing.T) {
	tests := []struct {
		line string
		want []string
	}{
		{"FRAP 001200010451 F 5.48 N", []string{"00012000104510"}},
		{"HY RSTLEG PM 035497333521H 9.97 N", []string{"00354973335219"}},
		{"EAN 9311995843710", []string{"09311995843710", "93119958437100"}},
		{"BANANAS 000000004011KF 0.41", []string{"00000000040112"}},
		{"no code 1234", nil},
	}
	for _, tt := range tests {
		got := completions(tt.line)
		if len(got) != len(tt.want) {
			t.Errorf("completions(%q) = %v, want %v", tt.line, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("completions(%q) = %v, want %v", tt.line, got, tt.want)
			}
		}
	}
}

func TestDetectRetailer(t *testing.T) {
	ix := New(testContents(t), Config{})
	tests := []struct {
		name    string
		m       extract.Merchant
		pc      string
		want    string
		outlet  string
		minConf float64
	}{
		{"name misread", extract.Merchant{Name: "Waalmart"}, "", "walmart", "", 0.7},
		{"name in a longer line", extract.Merchant{Name: "WAL*MART SUPERCENTER #1234"}, "", "walmart", "", 0.85},
		{"tax id only", extract.Merchant{Name: "Receipt", TaxID: "ABN 45004189708"}, "", "coles", "", 0.95},
		{"phone only", extract.Merchant{Phone: "479-273-4000"}, "", "walmart", "", 0.85},
		{"name and outlet", extract.Merchant{Name: "COLES", Address: "Victoria Gardens, 620 Victoria St"}, "3121", "coles", "0421", 0.95},
		{"nobody", extract.Merchant{Name: "MOMI TOY'S CREPERIE"}, "", "", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := ix.DetectRetailer(&extract.Receipt{Merchant: tt.m, Postcode: tt.pc})
			if d.RetailerID != tt.want || d.Confidence < tt.minConf {
				t.Fatalf("DetectRetailer = %+v; want %q at %v or more", d, tt.want, tt.minConf)
			}
			if got := ""; d.Outlet != nil {
				got = d.Outlet.StoreID
				if got != tt.outlet {
					t.Errorf("outlet = %q, want %q", got, tt.outlet)
				}
			} else if tt.outlet != "" {
				t.Errorf("no outlet, want %q", tt.outlet)
			}
			if tt.want != "" && len(d.Evidence) == 0 {
				t.Error("no evidence given")
			}
		})
	}
}

func TestIDTable(t *testing.T) {
	for _, n := range []int{0, 1, 63, 64, 1000} {
		var tab idTable
		tab.reset(n)
		// Ids a multiple of the table's size apart collide on purpose.
		id := func(i int) uint32 { return uint32(i * len(tab.slots)) }
		for i := range n {
			s, ok := tab.slot(id(i))
			if ok {
				t.Fatalf("n=%d: id %d found before it was put", n, id(i))
			}
			tab.put(s, id(i), int32(i))
		}
		for i := range n {
			if got := tab.get(id(i)); got != int32(i) {
				t.Errorf("n=%d: get(%d) = %d, want %d", n, id(i), got, i)
			}
		}
		if got := tab.get(7); n > 0 && got != -1 {
			t.Errorf("n=%d: get of an absent id = %d, want -1", n, got)
		}
		tab.reset(n)
		if n > 0 && tab.get(id(0)) != -1 {
			t.Errorf("n=%d: reset left an id behind", n)
		}
	}
}

func TestMisreadings(t *testing.T) {
	tests := []struct{ w, want string }{
		{"SALICE", "SAUCE"},
		{"SAUCE", "SALICE"},
		{"CORNFLAKES", "COMFLAKES"},
		{"CLICED", "DICED"},
	}
	for _, tt := range tests {
		if got := misreadings(tt.w); !slices.Contains(got, tt.want) {
			t.Errorf("misreadings(%q) = %q, want %q among them", tt.w, got, tt.want)
		}
	}
}

func TestProductWords(t *testing.T) {
	tests := []struct {
		name  string
		p     till.Product
		brand string
		want  []string
		nb    int
	}{
		{"brand name put first", till.Product{Name: "Vegetable Oil", BrandID: "great-value"}, "Great Value", []string{"GREAT", "VALUE", "VEGETABLE", "OIL"}, 2},
		{"name starts with the brand", till.Product{Name: "Great Value Oil", BrandID: "great-value"}, "Great Value", []string{"GREAT", "VALUE", "OIL"}, 2},
		{"brand known by its id", till.Product{Name: "Great Value Oil 48 fl oz", BrandID: "great-value"}, "", []string{"GREAT", "VALUE", "OIL", "48FLOZ"}, 2},
		{"id not in the name", till.Product{Name: "Tide Original", BrandID: "gain"}, "", []string{"TIDE", "ORIGINAL"}, 0},
		{"no brand", till.Product{Name: "Fresh Cherries Bag"}, "", []string{"FRESH", "CHERRIES", "BAG"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, nb := productWords(nil, &tt.p, tt.brand)
			if !slices.Equal(got, tt.want) || nb != tt.nb {
				t.Errorf("productWords = %q, %d; want %q, %d", got, nb, tt.want, tt.nb)
			}
		})
	}
}

// FuzzMatchItem matches arbitrary item names and lines: matching must not
// fail, and a confidence stays within 0-1.
func FuzzMatchItem(f *testing.F) {
	for _, s := range []string{"GV VEG OIL F 7.82 N", "LINT ROLLER2 5.78 X", "5OYD PKGTAPE", "MILKY BAR 80GR", "E 6333561 KS DICED TOM 6.49 E", "15 X 20", "SALICE"} {
		f.Add(s, s)
	}
	ix := New(testContents(f), Config{})
	f.Fuzz(func(t *testing.T, name, line string) {
		m := ix.MatchItem("walmart", &extract.Item{Name: name, Line: line})
		if m.Confidence < 0 || m.Confidence > 1 {
			t.Errorf("MatchItem(%q, %q) confidence %v", name, line, m.Confidence)
		}
	})
}
