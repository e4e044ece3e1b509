package extract

import "testing"

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
	if r.Merchant.Name != "URBAN 1DEA SDN BHD" {
		t.Errorf("name = %q, want the page's URBAN 1DEA SDN BHD", r.Merchant.Name)
	}
}
