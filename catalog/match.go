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

// scratch is one matcher's working memory. Its tables are sized to one
// line rather than to the catalogue, so that scoring reads and writes
// memory that stays in the cache.
type scratch struct {
	products idTable   // product → its place in touched
	touched  []uint32  // products, in the order first scored
	score    []float32 // by place in touched
	heap     []int32
	lists    []postingList
	order    []uint64
	words    idTable   // catalogue word → its row in sims
	sims     []float32 // row*len(line) + k: the word's similarity to the line's word k
}

// postingList is the products holding one expansion of a line's word and
// what each gains from it.
type postingList struct {
	post   []uint32
	weight float32
}

// idTable maps ids to places: a hash table with open addressing.
type idTable struct {
	slots []uint32 // id+1, 0 when the slot is empty
	at    []int32  // by slot
	shift uint8    // 32 - log2(len(slots))
}

// reset empties t and sizes it for n ids.
func (t *idTable) reset(n int) {
	size, shift := 64, uint8(32-6)
	for size < 2*n {
		size *= 2
		shift--
	}
	if cap(t.slots) < size {
		t.slots = make([]uint32, size)
		t.at = make([]int32, size)
	}
	t.slots = t.slots[:size]
	t.at = t.at[:size]
	t.shift = shift
	clear(t.slots)
}

// slot returns the slot of id and whether id is in it; when it is not,
// the slot is where id goes.
func (t *idTable) slot(id uint32) (int, bool) {
	mask := uint32(len(t.slots) - 1)
	for s := (id * 0x9E3779B1) >> t.shift; ; s = (s + 1) & mask {
		switch t.slots[s] {
		case id + 1:
			return int(s), true
		case 0:
			return int(s), false
		}
	}
}

// put puts id at place at into slot s, as returned by slot.
func (t *idTable) put(s int, id uint32, at int32) {
	t.slots[s] = id + 1
	t.at[s] = at
}

// get returns the place of id, or -1.
func (t *idTable) get(id uint32) int32 {
	if s, ok := t.slot(id); ok {
		return t.at[s]
	}
	return -1
}

// add adds w to the score of product p.
func (sc *scratch) add(p uint32, w float32) {
	s, ok := sc.products.slot(p)
	if ok {
		sc.score[sc.products.at[s]] += w
		return
	}
	sc.products.put(s, p, int32(len(sc.touched)))
	sc.touched = append(sc.touched, p)
	sc.score = append(sc.score, w)
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
		qletters := letters(q)
		for n := len(q) + 1; n <= 3*len(q) && n <= 40; n++ {
			for _, bw := range ix.bucket[bucketKey(q[0], q[len(q)-1], n)] {
				if bw.letters&qletters == qletters && abbreviates(q, ix.words[bw.id]) && !has(bw.id) {
					out = append(out, expansion{bw.id, simFor(q, simAbbrev)})
				}
			}
		}
		// Misreadings: one or two letters wrong, missing or extra, most
		// often neither the first nor the last.
		for n := len(q) - 2; n <= len(q)+2; n++ {
			for _, bw := range ix.bucket[bucketKey(q[0], q[len(q)-1], n)] {
				if has(bw.id) {
					continue
				}
				if s := jaroWinkler(q, ix.words[bw.id]); s >= simFuzzy {
					out = append(out, expansion{bw.id, float32(s) * 0.95})
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

// top returns the places in sc.touched of the k products with the highest
// scores, best first, ties to the lower position in the catalogue.
func (ix *Index) top(sc *scratch, k int) []int32 {
	better := func(a, b int32) bool {
		sa, sb := sc.score[a], sc.score[b]
		return sa > sb || sa == sb && sc.touched[a] < sc.touched[b]
	}
	// A min-heap of the best k seen, its worst at the root.
	h := sc.heap[:0]
	for p := range int32(len(sc.touched)) {
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
	slices.SortFunc(h, func(a, b int32) int {
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
	defer ix.scratch.Put(sc)

	// Candidates come from the rarest words first, until the budget of
	// postings is spent: rare words say most about which product is meant,
	// and common ones would touch much of the catalogue.
	lists := sc.lists[:0]
	exp := make([][]expansion, len(q))
	for i, w := range q {
		exp[i] = ix.expansions(w)
		for _, e := range exp[i] {
			post := ix.post[ix.postOff[e.word]:ix.postOff[e.word+1]]
			lists = append(lists, postingList{post, e.sim * ix.idf[e.word]})
		}
	}
	sc.lists = lists
	// The lists shortest first, sorted as their lengths and places packed
	// in one word, which moves less memory than sorting the lists.
	order := sc.order[:0]
	for i, l := range lists {
		order = append(order, uint64(len(l.post))<<32|uint64(i))
	}
	sc.order = order
	slices.SortFunc(order, func(a, b uint64) int { return int(a>>32) - int(b>>32) })
	spent, taken := 0, 0
	for i, o := range order {
		n := int(o >> 32)
		if i > 0 && spent+n > postingBudget {
			break
		}
		spent += n
		taken++
	}
	sc.products.reset(spent)
	sc.touched, sc.score = sc.touched[:0], sc.score[:0]
	for _, o := range order[:taken] {
		l := lists[uint32(o)]
		for _, p := range l.post {
			sc.add(p, l.weight)
		}
	}
	if len(sc.touched) == 0 {
		return Match{Status: StatusUnmatched}
	}
	top := ix.top(sc, ix.cfg.Candidates)
	ix.lineSims(sc, exp)
	best, second := -1, 0.0
	bestScore := 0.0
	for _, t := range top {
		p := int(sc.touched[t])
		s := ix.compare(sc, q, p)
		if s > bestScore {
			best, second, bestScore = p, bestScore, s
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

// lineSims fills sc.words and sc.sims from the expansions of each word of
// a line: the best similarity of each catalogue word to each line word.
func (ix *Index) lineSims(sc *scratch, exp [][]expansion) {
	n := 0
	for _, es := range exp {
		n += len(es)
	}
	sc.words.reset(n)
	sc.sims = sc.sims[:0]
	for k, es := range exp {
		for _, e := range es {
			s, ok := sc.words.slot(e.word)
			if !ok {
				sc.words.put(s, e.word, int32(len(sc.sims)/len(exp)))
				sc.sims = append(sc.sims, make([]float32, len(exp))...)
			}
			at := int(sc.words.at[s])*len(exp) + k
			sc.sims[at] = max(sc.sims[at], e.sim)
		}
	}
}

// compare scores the words of a line against product p's, 0-1: how well
// each line word is found among the product's, scaled down a little for
// the product words the line leaves out.
func (ix *Index) compare(sc *scratch, q []string, p int) float64 {
	words := ix.tok[ix.tokOff[p]:ix.tokOff[p+1]]
	if len(words) > 64 {
		words = words[:64]
	}
	var rows [64]int32
	for i, id := range words {
		rows[i] = sc.words.get(id)
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
		for i, r := range rows[:len(words)] {
			if r < 0 {
				continue
			}
			if s := float64(sc.sims[int(r)*len(q)+k]); s > bestSim {
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
		if ix.size[id] {
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
			if ix.initial[words[i+k]] != w[k] {
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
