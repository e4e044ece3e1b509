package catalog

import (
	"math"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/tillhq/till"
	"github.com/tillhq/till/extract"
)

// Status says what to do with a match.
type Status string

// The statuses of a match.
const (
	StatusAuto            Status = "auto"             // accept the product
	StatusNeedsValidation Status = "needs_validation" // ask a person
	StatusUnmatched       Status = "unmatched"        // no product is likely enough
)

// Method says how a product was found.
type Method string

// The methods of matching, most certain first.
const (
	MethodGTIN      Method = "gtin"           // a printed GTIN with a right check digit
	MethodCompleted Method = "gtin_completed" // a code printed without its check digit, completed
	MethodAlias     Method = "alias"          // the retailer's known text for the product
	MethodName      Method = "name"           // fuzzy comparison of words
)

// The confidences of the exact methods. A fuzzy match is never above
// nameCeiling, so that an exact method always wins.
const (
	gtinConfidence      = 1.0
	completedConfidence = 0.97
	aliasConfidence     = 0.95
	nameCeiling         = 0.94
)

// Match is the product found for one item line. GTIN, BrandID and Partner
// are empty when Status is StatusUnmatched and no candidate was found.
type Match struct {
	Status     Status  `json:"status"`
	GTIN       string  `json:"gtin,omitempty"` // GTIN-14
	BrandID    string  `json:"brand_id,omitempty"`
	Partner    bool    `json:"partner"`
	Confidence float64 `json:"confidence"`
	Method     Method  `json:"method,omitempty"`
	// Product is the catalogue's words for the product, for people to
	// check the match against the line.
	Product string `json:"product,omitempty"`
}

// MatchItems matches each item of a receipt from the retailer (its id, or
// "" when unknown) and returns one Match per item, in order.
func (ix *Index) MatchItems(retailerID string, items []extract.Item) []Match {
	out := make([]Match, len(items))
	for i := range items {
		out[i] = ix.MatchItem(retailerID, &items[i])
	}
	return out
}

// MatchItem matches one item line: its GTIN, the codes in its line, its
// name.
func (ix *Index) MatchItem(retailerID string, it *extract.Item) Match {
	if it.GTIN != "" {
		if m, ok := ix.byGTIN(till.NormalizeGTIN(it.GTIN), MethodGTIN, gtinConfidence); ok {
			return m
		}
	}
	if !ix.cfg.NoCompletion {
		for _, g := range completions(it.Line) {
			if m, ok := ix.byGTIN(g, MethodCompleted, completedConfidence); ok {
				return m
			}
		}
	}
	return ix.MatchText(retailerID, it.Name)
}

// MatchText matches a product name as a receipt prints it, by the
// retailer's aliases and then by its words.
func (ix *Index) MatchText(retailerID, name string) Match {
	if retailerID != "" {
		if p, ok := ix.aliases[retailerID+"\x00"+till.AliasKey(name)]; ok {
			return ix.match(int(p), MethodAlias, aliasConfidence)
		}
	}
	return ix.fuzzy(name)
}

// byGTIN matches the product with GTIN-14 g.
func (ix *Index) byGTIN(g string, method Method, conf float64) (Match, bool) {
	if g == "" {
		return Match{}, false
	}
	i, ok := ix.find(g)
	if !ok {
		return Match{}, false
	}
	return ix.match(i, method, conf), true
}

// match returns the match of product i with the confidence, its status
// from the thresholds.
func (ix *Index) match(i int, method Method, conf float64) Match {
	b := ix.brand[i]
	return Match{
		Status:     ix.status(conf),
		GTIN:       ix.gtin(i),
		BrandID:    ix.brands[b],
		Partner:    ix.partner[b],
		Confidence: math.Round(conf*1000) / 1000,
		Method:     method,
		Product:    ix.text(i),
	}
}

func (ix *Index) status(conf float64) Status {
	switch {
	case conf >= ix.cfg.AutoAccept:
		return StatusAuto
	case conf >= ix.cfg.NeedsValidation:
		return StatusNeedsValidation
	}
	return StatusUnmatched
}

// codeRE finds the digit runs of a line that may be item codes.
var codeRE = regexp.MustCompile(`[0-9]{11,14}`)

// completions returns the GTIN-14s that the codes printed in line may be
// when their check digit was left off, as Walmart prints UPCs: the 12
// digits "001200010451" are the UPC-A "01200010451" and its check digit,
// 012000104510; 11 digits are a UPC-A without its check digit, 12 or 13
// digits an EAN-13 or GTIN-14 without it. Codes that are valid as printed
// come first, as themselves.
func completions(line string) []string {
	var out []string
	for _, c := range codeRE.FindAllString(line, 4) {
		if g := till.NormalizeGTIN(c); g != "" {
			out = append(out, g)
		}
		body := c
		if len(c) == 12 && c[0] == '0' {
			body = c[1:]
		}
		if len(body) <= 13 {
			if g := till.NormalizeGTIN(body + string(upcCheck(body))); g != "" && !slices.Contains(out, g) {
				out = append(out, g)
			}
		}
	}
	return out
}

// scratch is one matcher's working memory: a score per product and the
// products touched.
type scratch struct {
	score   []float32
	touched []uint32
	heap    []uint32
}

// expansion is a catalogue word a line's word may stand for.
type expansion struct {
	word uint32
	sim  float32
}

// The similarities of a line's word to a catalogue word.
const (
	simExact  = 1.0
	simPrefix = 0.9  // "VEG" for "VEGETABLE"
	simAbbrev = 0.85 // "CKN" for "CHICKEN"
	// simAbbrevLong is simAbbrev for four letters or more, which seldom
	// abbreviate a word by chance: "CHKN" for "CHICKEN", "CRNBRY" for
	// "CRANBERRY".
	simAbbrevLong = 0.9
	simFuzzy      = 0.88 // the least Jaro-Winkler similarity taken as the same word misread
)

// simFor returns sim for an abbreviation of four letters or more raised to
// simAbbrevLong.
func simFor(q string, sim float32) float32 {
	if len(q) >= 4 {
		return simAbbrevLong
	}
	return sim
}

// maxExpandCache bounds the cache of word expansions.
const maxExpandCache = 1 << 18

// expansions returns the catalogue words q may stand for.
func (ix *Index) expansions(q string) []expansion {
	if v, ok := ix.expand.Load(q); ok {
		return v.([]expansion)
	}
	var out []expansion
	if id, ok := ix.wordID[q]; ok {
		out = append(out, expansion{id, simExact})
	}
	if len(q) >= 2 && !isSize(q) && !allDigits(q) {
		// Words q is a prefix of: a range of the sorted vocabulary.
		lo, _ := slices.BinarySearch(ix.words, q)
		hi := lo
		for hi < len(ix.words) && hi-lo < 64 && strings.HasPrefix(ix.words[hi], q) {
			hi++
		}
		if hi-lo < 64 || len(q) >= 4 {
			for id := lo; id < hi; id++ {
				if ix.words[id] != q && !isSize(ix.words[id]) {
					out = append(out, expansion{uint32(id), simPrefix})
				}
			}
		}
	}
	if len(out) == 0 && len(q) >= 3 && !allDigits(q) {
		if s := skeleton(q); s != "" {
			for _, id := range ix.skeleton[s] {
				out = append(out, expansion{id, simFor(q, simAbbrev)})
			}
		}
		has := func(id uint32) bool {
			return slices.ContainsFunc(out, func(e expansion) bool { return e.word == id })
		}
		// Abbreviations keep the first letter and mostly the last.
		for n := len(q) + 1; n <= 3*len(q) && n <= 40; n++ {
			for _, id := range ix.bucket[bucketKey(q[0], q[len(q)-1], n)] {
				if !has(id) && abbreviates(q, ix.words[id]) {
					out = append(out, expansion{id, simFor(q, simAbbrev)})
				}
			}
		}
		// Misreadings: one or two letters wrong, missing or extra, most
		// often neither the first nor the last.
		for n := len(q) - 2; n <= len(q)+2; n++ {
			for _, id := range ix.bucket[bucketKey(q[0], q[len(q)-1], n)] {
				if has(id) {
					continue
				}
				if s := jaroWinkler(q, ix.words[id]); s >= simFuzzy {
					out = append(out, expansion{id, float32(s) * 0.95})
				}
			}
		}
	}
	if atomic.AddInt64(&ix.nexpand, 1) < maxExpandCache {
		ix.expand.Store(q, out)
	}
	return out
}

// postingBudget is how many postings the fuzzy matcher reads per line to
// find candidates.
const postingBudget = 1000

// top returns the k touched products of sc with the highest scores, best
// first, ties to the lower position.
func (ix *Index) top(sc *scratch, k int) []uint32 {
	better := func(a, b uint32) bool {
		sa, sb := sc.score[a], sc.score[b]
		return sa > sb || sa == sb && a < b
	}
	// A min-heap of the best k seen, its worst at the root.
	h := sc.heap[:0]
	for _, p := range sc.touched {
		if len(h) < k {
			h = append(h, p)
			for i := len(h) - 1; i > 0; {
				parent := (i - 1) / 2
				if !better(h[parent], h[i]) {
					break
				}
				h[parent], h[i] = h[i], h[parent]
				i = parent
			}
			continue
		}
		if !better(p, h[0]) {
			continue
		}
		h[0] = p
		for i := 0; ; {
			l, r, worst := 2*i+1, 2*i+2, i
			if l < len(h) && better(h[worst], h[l]) {
				worst = l
			}
			if r < len(h) && better(h[worst], h[r]) {
				worst = r
			}
			if worst == i {
				break
			}
			h[i], h[worst] = h[worst], h[i]
			i = worst
		}
	}
	sc.heap = h
	slices.SortFunc(h, func(a, b uint32) int {
		if better(a, b) {
			return -1
		}
		return 1
	})
	return h
}

// fuzzy matches name by its words.
func (ix *Index) fuzzy(name string) Match {
	q := tokens(name)
	if len(q) == 0 || len(ix.gtins) == 0 {
		return Match{Status: StatusUnmatched}
	}
	sc := ix.scratch.Get().(*scratch)
	defer func() {
		for _, p := range sc.touched {
			sc.score[p] = 0
		}
		sc.touched = sc.touched[:0]
		ix.scratch.Put(sc)
	}()

	// Candidates come from the rarest words first, until the budget of
	// postings is spent: rare words say most about which product is meant,
	// and common ones would touch much of the catalogue.
	type list struct {
		post   []uint32
		weight float32
	}
	var lists []list
	exp := make([][]expansion, len(q))
	for i, w := range q {
		exp[i] = ix.expansions(w)
		for _, e := range exp[i] {
			post := ix.post[ix.postOff[e.word]:ix.postOff[e.word+1]]
			lists = append(lists, list{post, e.sim * ix.idf[e.word]})
		}
	}
	slices.SortFunc(lists, func(a, b list) int { return len(a.post) - len(b.post) })
	spent := 0
	for i, l := range lists {
		if i > 0 && spent+len(l.post) > postingBudget {
			break
		}
		spent += len(l.post)
		for _, p := range l.post {
			if sc.score[p] == 0 {
				sc.touched = append(sc.touched, p)
			}
			sc.score[p] += l.weight
		}
	}
	if len(sc.touched) == 0 {
		return Match{Status: StatusUnmatched}
	}
	top := ix.top(sc, ix.cfg.Candidates)
	sims := make([]map[uint32]float32, len(q))
	for k, es := range exp {
		sims[k] = make(map[uint32]float32, len(es))
		for _, e := range es {
			sims[k][e.word] = max(sims[k][e.word], e.sim)
		}
	}
	best, second := -1, 0.0
	bestScore := 0.0
	for _, p := range top {
		s := ix.compare(q, sims, int(p))
		if s > bestScore {
			best, second, bestScore = int(p), bestScore, s
		} else if s > second {
			second = s
		}
	}
	if best < 0 {
		return Match{Status: StatusUnmatched}
	}
	conf := bestScore
	if margin := bestScore - second; margin < 0.05 {
		conf -= 2 * (0.05 - margin) // a near tie: either may be meant
	}
	conf = min(max(conf, 0), nameCeiling)
	return ix.match(best, MethodName, conf)
}

// compare scores the words of a line against product p's, 0-1: how well
// each line word is found among the product's, scaled down a little for
// the product words the line leaves out.
func (ix *Index) compare(q []string, sims []map[uint32]float32, p int) float64 {
	words := ix.tok[ix.tokOff[p]:ix.tokOff[p+1]]
	if len(words) > 64 {
		words = words[:64]
	}
	var used [64]bool
	var got, total float64
	for k, w := range q {
		weight := 1.0
		switch {
		case len(w) == 1:
			weight = 0.3
		case isSize(w):
			weight = 0.6
		}
		total += weight
		bestSim, bestAt, bestLen := 0.0, -1, 1
		for i, id := range words {
			if s := float64(sims[k][id]); s > bestSim {
				bestSim, bestAt = s, i
			}
		}
		if bestSim < simInitials {
			if at := ix.initials(w, words); at >= 0 {
				bestSim, bestAt, bestLen = simInitials, at, len(w)
			}
		}
		for i := bestAt; i >= 0 && i < bestAt+bestLen; i++ {
			used[i] = true
		}
		got += weight * bestSim
	}
	covered, countable := 0, 0
	for i, id := range words {
		if isSize(ix.words[id]) {
			continue
		}
		countable++
		if used[i] {
			covered++
		}
	}
	cover := 1.0
	if countable > 0 {
		cover = float64(covered) / float64(countable)
	}
	return got / total * (0.85 + 0.15*cover)
}

// simInitials is the similarity of a word to the run of words it is the
// initials of: "GV" for "GREAT VALUE".
const simInitials = 0.9

// initials returns where the run of words whose initials are w starts, or
// -1. Only words of two to four letters are taken as initials.
func (ix *Index) initials(w string, words []uint32) int {
	if len(w) < 2 || len(w) > 4 || len(words) < len(w) {
		return -1
	}
	for i := range w {
		if w[i] < 'A' || w[i] > 'Z' {
			return -1
		}
	}
next:
	for i := 0; i+len(w) <= len(words); i++ {
		for k := range len(w) {
			if ix.words[words[i+k]][0] != w[k] {
				continue next
			}
		}
		return i
	}
	return -1
}

// isSize reports whether w is a size such as "500G".
func isSize(w string) bool {
	return len(w) > 1 && w[0] >= '0' && w[0] <= '9' && !allDigits(w)
}
