package catalog

import (
	"math"
	"slices"
	"strings"

	"github.com/tillhq/till"
	"github.com/tillhq/till/extract"
)

// Detection is the retailer found for a receipt. RetailerID is empty when
// none is likely; Outlet is set when the receipt also names one of the
// retailer's shops.
type Detection struct {
	RetailerID string       `json:"retailer_id,omitempty"`
	Confidence float64      `json:"confidence"`
	Evidence   []string     `json:"evidence,omitempty"`
	Outlet     *till.Outlet `json:"outlet,omitempty"`
}

// retailerKeys are the normalised forms of what gives a retailer away.
type retailerKeys struct {
	id     string
	taxIDs []string // letters and digits
	phones []string // digits, the last nine at most
	names  []string // AliasKey without spaces
}

// The weights of each kind of evidence, as the chance it is right alone.
const (
	taxIDWeight    = 0.97
	phoneWeight    = 0.9
	nameWeight     = 0.9 // times the name's similarity
	postcodeWeight = 0.4
	addressWeight  = 0.6
	// minNameSim is the least similarity of names taken as evidence.
	minNameSim = 0.75
	// minDetection is the least confidence Detection reports a retailer at.
	minDetection = 0.5
)

func (ix *Index) indexRetailers(retailers []till.Retailer, outlets []till.Outlet) {
	for _, r := range retailers {
		k := retailerKeys{id: r.ID}
		for _, t := range r.TaxIDs {
			if t = compact(t); len(t) >= 5 {
				k.taxIDs = append(k.taxIDs, t)
			}
		}
		for _, p := range r.Phones {
			if p = phoneKey(p); p != "" {
				k.phones = append(k.phones, p)
			}
		}
		for _, n := range append([]string{r.Name, r.Alias}, r.NameVariants...) {
			if n = compact(n); len(n) >= 3 && !slices.Contains(k.names, n) {
				k.names = append(k.names, n)
			}
		}
		ix.retailers = append(ix.retailers, k)
	}
	ix.outlets = map[string][]till.Outlet{}
	for _, o := range outlets {
		if pc := compact(o.Postcode); pc != "" {
			ix.outlets[pc] = append(ix.outlets[pc], o)
		}
	}
}

// compact is AliasKey without its spaces.
func compact(s string) string { return strings.ReplaceAll(till.AliasKey(s), " ", "") }

// phoneKey is the last nine digits of a phone number, or "" when it has
// fewer than six.
func phoneKey(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b = append(b, s[i])
		}
	}
	if len(b) < 6 {
		return ""
	}
	return string(b[max(0, len(b)-9):])
}

// nameSim is the similarity of a receipt's merchant name to a retailer's
// name, 0-1, tolerant of OCR noise: 1 when either contains the other (a
// name within a longer line), else one less the edit distance over the
// longer length.
func nameSim(got, name string) float64 {
	if got == "" || name == "" {
		return 0
	}
	if strings.Contains(got, name) || len(got) >= 4 && strings.Contains(name, got) {
		return 1
	}
	best := 1 - float64(extract.EditDistance(got, name))/float64(max(len(got), len(name)))
	// A name at the start of a longer line, misread.
	if len(got) > len(name) {
		head := got[:len(name)]
		best = max(best, 1-float64(extract.EditDistance(head, name))/float64(len(name)))
	}
	return best
}

// DetectRetailer finds the retailer that issued r by its tax id, phone
// number and name, and the outlet by its postcode and address. Each kind of
// evidence counts as an independent chance of being right; the retailer
// with the highest combined chance wins when it is at least 0.5.
func (ix *Index) DetectRetailer(r *extract.Receipt) Detection {
	tax := compact(r.Merchant.TaxID)
	phone := phoneKey(r.Merchant.Phone)
	name := compact(r.Merchant.Name)
	pc := compact(r.Postcode)
	addr := till.AliasKey(r.Merchant.Address)

	var best Detection
	for _, k := range ix.retailers {
		miss := 1.0 // the chance that every piece of evidence is wrong
		var ev []string
		if tax != "" && slices.ContainsFunc(k.taxIDs, func(t string) bool { return strings.Contains(tax, t) || strings.Contains(t, tax) && len(tax) >= 8 }) {
			miss *= 1 - taxIDWeight
			ev = append(ev, "tax id "+r.Merchant.TaxID)
		}
		if phone != "" && slices.Contains(k.phones, phone) {
			miss *= 1 - phoneWeight
			ev = append(ev, "phone "+r.Merchant.Phone)
		}
		if name != "" {
			sim, which := 0.0, ""
			for _, n := range k.names {
				if s := nameSim(name, n); s > sim {
					sim, which = s, n
				}
			}
			if sim >= minNameSim {
				miss *= 1 - nameWeight*sim
				ev = append(ev, "name "+r.Merchant.Name+" ~ "+which)
			}
		}
		var outlet *till.Outlet
		for _, o := range ix.outlets[pc] {
			if o.RetailerID != k.id {
				continue
			}
			o := o
			if outlet == nil {
				outlet = &o
				miss *= 1 - postcodeWeight
				ev = append(ev, "postcode "+r.Postcode+" of store "+o.StoreID)
			}
			if addr != "" && o.Address != "" && nameSim(compact(addr), compact(o.Address)) >= 0.8 {
				outlet = &o
				miss *= 1 - addressWeight
				ev = append(ev, "address of store "+o.StoreID)
				break
			}
		}
		conf := math.Round((1-miss)*1000) / 1000
		if conf > best.Confidence {
			best = Detection{RetailerID: k.id, Confidence: conf, Evidence: ev, Outlet: outlet}
		}
	}
	if best.Confidence < minDetection {
		return Detection{Confidence: best.Confidence}
	}
	return best
}
