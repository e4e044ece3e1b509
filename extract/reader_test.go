package extract

import (
	"image"
	"image/color"
	"testing"
)

// withConf sets the confidence of every word of p.
func withConf(text string, conf float64) []row {
	p := textPage(text)
	for i := range p.Words {
		p.Words[i].Conf = conf
	}
	return buildRows(p)
}

func TestMergeHeaderPrefersSurerReading(t *testing.T) {
	const page = "URBAN 1DEA SON BUD\nNO 5 JALAN SS6/5A\n47301 PETALING JAYA\nTAX INVOICE\nTOTAL 9.00\n"
	rows := withConf(page, 60)
	head := withConf("URBAN IDEA SDN BHD\nNO 5 JALAN SS6/5A\n47301 PETALING JAYA\n", 95)
	r := extractRows(rows, textPage(page), Hints{}, nil, head)
	if r.Merchant.Name != "URBAN IDEA SDN BHD" {
		t.Errorf("name = %q, want the header re-read's URBAN IDEA SDN BHD", r.Merchant.Name)
	}

	// A re-read less sure than the page keeps the page's reading.
	rows = withConf(page, 95)
	head = withConf("URBAN IOEA SDN BHD\n", 50)
	r = extractRows(rows, textPage(page), Hints{}, nil, head)
	if r.Merchant.Name != "URBAN IDEA SDN BHD" {
		// The page's "1DEA", spelt with the letter its digit resembles.
		t.Errorf("name = %q, want the page's URBAN IDEA SDN BHD", r.Merchant.Name)
	}
}

func TestMerchantAddressRows(t *testing.T) {
	tests := []struct {
		name, page, company, address string
	}{
		{"date under the name",
			"UNIHAKKA INTERNATIONAL SDN BHD\n11 Apr 2018 18:13\n(867388-U)\n12, Jalan Tampoi 7/4,Kawasan Perindustrian\nTampoi,81200 Johor Bahru,Johor\nTAX INVOICE\n",
			"UNIHAKKA INTERNATIONAL SDN BHD", "12, Jalan Tampoi 7/4,Kawasan Perindustrian Tampoi,81200 Johor Bahru,Johor"},
		{"branch after the postcode",
			"99 SPEED MART S/B (519537-X)\nLOT P.T. 2811, JALAN ANGSA,\nTAMAN BERKELEY\n41150 KLANG, SELANGOR\n1249-TMN PANDAN CAHAYA\nGST ID. NO : 000181747712\n",
			"99 SPEED MART S/B", "LOT P.T. 2811, JALAN ANGSA, TAMAN BERKELEY 41150 KLANG, SELANGOR 1249-TMN PANDAN CAHAYA"},
		{"brand line above the street",
			"IKANO HANDEL SDN BHD\n(1074617K)\nIKEA Cheras\nNo 2A Jalan Cochrane\nTaman Maluri\n55100 KUALA LUMPUR\nGST No.: 000115154944\n",
			"IKANO HANDEL SDN BHD", "No 2A Jalan Cochrane Taman Maluri 55100 KUALA LUMPUR"},
		{"name on two rows",
			"POPULAR BOOK\nCO. (M) SDN BHD\n(Co. No. 113825-W)\nNo 8, Jalan 7/118B, Desa Tun Razak\n56000 Kuala Lumpur, Malaysia\nTel 03-42601064\n",
			"POPULAR BOOK CO. (M) SDN BHD", "No 8, Jalan 7/118B, Desa Tun Razak 56000 Kuala Lumpur, Malaysia"},
		{"other text after the postcode",
			"BHPetrol Palekbang\nLot 1626, Mukim Kampung Laut\nTumpat\n16200 Palekbang, Kelantan\nPREPAY CHIT NUMBER\n29721\n",
			"BHPetrol Palekbang", "Lot 1626, Mukim Kampung Laut Tumpat 16200 Palekbang, Kelantan"},
		{"tax number past its label",
			"KEDAI RUNCIT ZBH\nNO. 17, JALAN PERMAS 1/7,\nBANDAR BARU PERMAS JAYA,\n81750, MASAI\n(6ST:001019043840)\n",
			"KEDAI RUNCIT ZBH", "NO. 17, JALAN PERMAS 1/7, BANDAR BARU PERMAS JAYA, 81750, MASAI"},
		{"state and country after the postcode",
			"LIGHTROOM GALLERY SDN BHD\nNo: 28, JALAN ASTANA 1C\nBANDAR BUKIT RAJA, 41050\nKLANG SELANGOR D.E, MALAYSTA\nGST No. : 000584089600\n",
			"LIGHTROOM GALLERY SDN BHD", "No: 28, JALAN ASTANA 1C BANDAR BUKIT RAJA, 41050 KLANG SELANGOR D.E, MALAYSTA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Extract(textPage(tt.page), Hints{})
			if r.Merchant.Name != tt.company {
				t.Errorf("name = %q, want %q", r.Merchant.Name, tt.company)
			}
			if r.Merchant.Address != tt.address {
				t.Errorf("address = %q, want %q", r.Merchant.Address, tt.address)
			}
		})
	}
}

func TestStretchDarkensFaintPrint(t *testing.T) {
	// Paper at 240, faint print at 200, a black border.
	g := image.NewGray(image.Rect(10, 20, 110, 120))
	for i := range g.Pix {
		g.Pix[i] = 240
	}
	for y := 20; y < 25; y++ {
		for x := 10; x < 110; x++ {
			g.SetGray(x, y, color.Gray{0})
		}
	}
	for y := 60; y < 80; y++ {
		for x := 40; x < 60; x++ {
			g.SetGray(x, y, color.Gray{200})
		}
	}
	s := stretch(g)
	if s.Bounds() != g.Bounds() {
		t.Fatalf("bounds = %v, want %v", s.Bounds(), g.Bounds())
	}
	if ink, paper := s.GrayAt(50, 70).Y, s.GrayAt(80, 90).Y; paper != 255 || ink > 60 {
		t.Errorf("ink %d and paper %d, want the ink dark and the paper white", ink, paper)
	}
}

func TestMergeRowsWordByWord(t *testing.T) {
	page := withConf("AEON CO. (M) BHD\n3RD FLR, AEON TAMAN MALURT SC\n", 80)
	page[1].Words[4].Conf = 40 // MALURT
	head := withConf("AEON CO. (M) BHD\nJRD FLR, AEON TAMAN MALURI SC\n", 70)
	got := mergeRows(page, head)
	if len(got) != 2 || got[1].Text != "3RD FLR, AEON TAMAN MALURI SC" {
		for _, r := range got {
			t.Logf("row %q", r.Text)
		}
		t.Errorf("want the surer word of each reading: 3RD FLR, AEON TAMAN MALURI SC")
	}
}

func TestGapRegions(t *testing.T) {
	p := textPage("LIDL\nzu zahlen 19,58\nBar 20,00\n\n\n\n\n\n\nUST-ID-NR: DE814689550\n")
	rows := buildRows(p)
	got := gapRegions(rows, p, Hints{})
	if len(got) != 2 {
		t.Fatalf("gap regions = %v, want the bottom and top strips of one gap", got)
	}
	if bottom := rows[3].Box.Min.Y; got[0].Max.Y != bottom || got[0].Min.Y >= bottom {
		t.Errorf("first strip %v, want one ending at the row below the gap (y %d)", got[0], bottom)
	}
	dated := textPage("LIDL\nBar 20,00\n\n\n\n\n\n\n30.04.20 09:58\n")
	if got := gapRegions(buildRows(dated), dated, Hints{}); len(got) != 0 {
		t.Errorf("gap regions of a dated page = %v, want none", got)
	}
}
