package catalog

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"

	"github.com/tillhq/till"
	"github.com/tillhq/till/extract"
)

// Case is one labelled item line of a matching set: the line as the
// receipt prints it, the retailer that printed it, and the GTIN of the
// product it is, or nil when the product is not in the catalogue.
type Case struct {
	Line     string  `json:"line"`
	Retailer string  `json:"retailer,omitempty"`
	GTIN     *string `json:"gtin"`
}

// ReadCases reads a matching set in JSON Lines. It fails with KindInvalid
// naming the line of a case that is malformed or whose GTIN is not valid.
func ReadCases(r io.Reader) ([]Case, error) {
	var cases []Case
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var c Case
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return nil, till.Errorf(till.KindInvalid, "line %d: %v", n, err)
		}
		if c.GTIN != nil {
			g := till.NormalizeGTIN(*c.GTIN)
			if g == "" {
				return nil, till.Errorf(till.KindInvalid, "line %d: gtin %q is not a valid GTIN", n, *c.GTIN)
			}
			c.GTIN = &g
		}
		cases = append(cases, c)
	}
	return cases, sc.Err()
}

// Outcome is what matching made of one Case.
type Outcome struct {
	Case
	Match Match `json:"match"`
	// Right is whether the match is the labelled product; for a line
	// whose product is not in the catalogue, whether it was left
	// unmatched.
	Right bool `json:"right"`
}

// Result scores a matching set. A line is auto-accepted when its status
// is auto; precision is the share of auto-accepted lines whose product is
// right, recall the share of lines with a product in the catalogue that
// were auto-accepted with the right one. The same two are given counting
// needs-validation matches as accepted, as a person would see them.
type Result struct {
	Lines     int `json:"lines"`
	Labelled  int `json:"labelled"`   // lines whose product is in the catalogue
	Auto      int `json:"auto"`       // lines matched with status auto
	AutoRight int `json:"auto_right"` // of them, to the labelled product
	Review    int `json:"review"`     // lines matched with status needs_validation
	// ReviewRight counts the needs_validation matches to the labelled
	// product.
	ReviewRight int `json:"review_right"`
	// ByMethod counts the auto matches by method, right and wrong.
	ByMethod map[Method][2]int `json:"by_method"`

	Precision       float64   `json:"precision"`
	Recall          float64   `json:"recall"`
	ReviewPrecision float64   `json:"review_precision"`
	ReviewRecall    float64   `json:"review_recall"`
	Outcomes        []Outcome `json:"outcomes"`
}

// Evaluate matches every case against ix and scores the matches. Lines
// are read into items with extract.ParseLine, as the pipeline reads them;
// a line ParseLine refuses is matched by its whole text.
func Evaluate(ix *Index, cases []Case) Result {
	res := Result{ByMethod: map[Method][2]int{}}
	for _, c := range cases {
		it, ok := extract.ParseLine(c.Line)
		if !ok {
			it = extract.Item{Name: c.Line, Line: c.Line}
		}
		m := ix.MatchItem(c.Retailer, &it)
		right := c.GTIN != nil && m.GTIN == *c.GTIN
		res.Lines++
		if c.GTIN != nil {
			res.Labelled++
		}
		switch m.Status {
		case StatusAuto:
			res.Auto++
			bm := res.ByMethod[m.Method]
			if right {
				res.AutoRight++
				bm[0]++
			} else {
				bm[1]++
			}
			res.ByMethod[m.Method] = bm
		case StatusNeedsValidation:
			res.Review++
			if right {
				res.ReviewRight++
			}
		}
		if c.GTIN == nil {
			right = m.Status == StatusUnmatched
		}
		res.Outcomes = append(res.Outcomes, Outcome{Case: c, Match: m, Right: right})
	}
	res.Precision = ratio(res.AutoRight, res.Auto)
	res.Recall = ratio(res.AutoRight, res.Labelled)
	res.ReviewPrecision = ratio(res.AutoRight+res.ReviewRight, res.Auto+res.Review)
	res.ReviewRecall = ratio(res.AutoRight+res.ReviewRight, res.Labelled)
	return res
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// String summarises r in a few lines.
func (r Result) String() string {
	return fmt.Sprintf("lines %d, with a catalogued product %d\n"+
		"auto-accepted %d, right %d: precision %.1f%%, recall %.1f%%\n"+
		"needs validation %d, right %d; auto or validation: precision %.1f%%, recall %.1f%%\n"+
		"auto by method (right/wrong): %v",
		r.Lines, r.Labelled, r.Auto, r.AutoRight, 100*r.Precision, 100*r.Recall,
		r.Review, r.ReviewRight, 100*r.ReviewPrecision, 100*r.ReviewRecall, r.ByMethod)
}
