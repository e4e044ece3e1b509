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
	return ix.matchText(retailerID, it.Name, it.Line)
}

// MatchText matches a product name as a receipt prints it, by the
// retailer's aliases and then by its words.
func (ix *Index) MatchText(retailerID, name string) Match {
	return ix.matchText(retailerID, name, "")
}

// matchText is MatchText with the whole line the name was read from, or
// "".
func (ix *Index) matchText(retailerID, name, line string) Match {
	if retailerID != "" {
		if p, ok := ix.aliases[retailerID+"\x00"+till.AliasKey(name)]; ok {
			return ix.match(int(p), MethodAlias, aliasConfidence)
		}
	}
	return ix.fuzzy(ix.lineWords(name, line))
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
	chosen   []uint32
	words    idTable   // catalogue word → its row in sims
	sims     []float32 // row*len(line) + k: the word's similarity to the line's word k
	fits     []fit
	best     []float64 // by line word: its similarity to the product compared
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
	simPlural = 0.95 // "SPREADS" for "SPREAD", "LINER" for "LINERS"
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

// simMisread is the similarity of a word to one it is a misreading of.
const simMisread = 0.9

// misread are the letters OCR and worn print heads read one for another,
// both ways.
var misread = [][2]string{{"LI", "U"}, {"RN", "M"}, {"CL", "D"}, {"VV", "W"}, {"II", "U"}}

// misreadings returns the words w may be read from: each with one of its
// misread letters put back ("SALICE" is "SAUCE").
func misreadings(w string) []string {
	var out []string
	for _, m := range misread {
		for _, pair := range [2][2]string{m, {m[1], m[0]}} {
			for i := 0; ; {
				at := strings.Index(w[i:], pair[0])
				if at < 0 {
					break
				}
				at += i
				out = append(out, w[:at]+pair[1]+w[at+len(pair[0]):])
				i = at + 1
			}
		}
	}
	return out
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
	} else if len(q) >= 4 && q[len(q)-1] == 'S' && !isSize(q) {
		// The plural of a catalogue word.
		if id, ok := ix.wordID[q[:len(q)-1]]; ok {
			out = append(out, expansion{id, simPlural})
		} else if id, ok := ix.wordID[q[:len(q)-2]]; ok && q[len(q)-2] == 'E' {
			out = append(out, expansion{id, simPlural})
		}
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
				if w := ix.words[id]; w != q && !isSize(w) {
					sim := float32(simPrefix)
					if w[len(q):] == "S" || w[len(q):] == "ES" {
						sim = simPlural
					}
					out = append(out, expansion{uint32(id), sim})
				}
			}
		}
	}
	if len(out) == 0 && len(q) >= 3 && !allDigits(q) {
		// Words with the same consonants, no shorter than q: an
		// abbreviation is never longer than its word ("BANANAS" is not
		// "BEANS").
		if s := skeleton(q); s != "" {
			for _, id := range ix.skeleton[s] {
				if len(ix.words[id]) >= len(q) {
					out = append(out, expansion{id, simFor(q, simAbbrev)})
				}
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
	if len(out) == 0 && len(q) >= 4 {
		for _, w := range misreadings(q) {
			if id, ok := ix.wordID[w]; ok {
				out = append(out, expansion{id, simMisread})
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

// lineWord is a word of an item line and what it counts for when it is
// found among a product's words and when it is not.
type lineWord struct {
	text           string
	found, missing float64
}

// The weights of a line's words. A word counts for 1 whether or not it is
// found. A size counts for less, as a size also tells products of one kind
// apart less than a name does. A single letter or a number on its own may
// be an initial or a count, when it is found, but is more often a tax flag
// or a quantity, so it counts for little when it is not; a price counts
// for nothing.
const (
	weightSize     = 0.6
	weightShort    = 0.3 // a letter or a number alone, found
	weightNoise    = 0.1 // a letter or a number alone, not found
	weightAttached = 0.6 // a number printed onto a word: "ROLLER2"
)

// lineWords returns the words of name, with the sizes printed elsewhere
// on the line when name holds none: tills print a size after the name,
// and reading the line may leave it out of the name ("SPAR COOKING OIL
// 375ML 14.99"). A number printed onto a word the catalogue does not hold
// is split off it ("LINT ROLLER2").
func (ix *Index) lineWords(name, line string) []lineWord {
	q := tokens(name)
	out := make([]lineWord, 0, len(q)+1)
	hasSize := false
	for _, w := range q {
		switch {
		case isPrice(w):
			out = append(out, lineWord{w, 0, 0})
		case len(w) == 1 || allDigits(w):
			out = append(out, lineWord{w, weightShort, weightNoise})
		case isSize(w):
			hasSize = true
			out = append(out, lineWord{w, weightSize, weightSize})
		default:
			if word, num, ok := attachedNumber(w); ok && len(ix.expansions(w)) == 0 {
				out = append(out, lineWord{word, 1, 1}, lineWord{num, weightAttached, weightAttached})
				continue
			}
			out = append(out, lineWord{w, 1, 1})
		}
	}
	if !hasSize && line != "" {
		for _, w := range tokens(line) {
			if isPackSize(w) && !slices.ContainsFunc(out, func(l lineWord) bool { return l.text == w }) {
				out = append(out, lineWord{w, weightSize, weightSize})
			}
		}
	}
	return out
}

// isPrice reports whether w is a number with a decimal point and no unit.
func isPrice(w string) bool { return isNumber(w) && strings.Contains(w, ".") }

// isPackSize reports whether w is a number and a unit ("375ML") or a size
// in two dimensions ("15X20").
func isPackSize(w string) bool {
	if _, _, ok := splitSize(w); ok {
		return true
	}
	a, b, ok := strings.Cut(w, "X")
	return ok && isNumber(a) && isNumber(b)
}

// attachedNumber splits a word of three letters or more followed by one
// or two digits, such as "ROLLER2".
func attachedNumber(w string) (word, num string, ok bool) {
	i := len(w)
	for i > 0 && isDigit(rune(w[i-1])) {
		i--
	}
	if i < 3 || len(w)-i < 1 || len(w)-i > 2 {
		return "", "", false
	}
	for k := range i {
		if w[k] < 'A' || w[k] > 'Z' {
			return "", "", false
		}
	}
	return w[:i], w[i:], true
}

// fuzzy matches an item line by its words.
func (ix *Index) fuzzy(line []lineWord) Match {
	if len(line) == 0 || len(ix.gtins) == 0 {
		return Match{Status: StatusUnmatched}
	}
	sc := ix.scratch.Get().(*scratch)
	defer ix.scratch.Put(sc)
	q := make([]string, len(line))
	for i := range line {
		q[i] = line[i].text
	}

	// Candidates come from the rarest words first, until the budget of
	// postings is spent: rare words say most about which product is meant,
	// and common ones would touch much of the catalogue. A product gains
	// from a line word by how rare the word is: by how few products hold
	// any of the words it may stand for, not by the rarity of each, so
	// that a prefix of dozens of rare words ("SUNB") counts for no more
	// than it says.
	lists := sc.lists[:0]
	exp := make([][]expansion, len(q))
	union := make([]int, len(q))
	for i, w := range q {
		exp[i] = ix.expansions(w)
		for _, e := range exp[i] {
			union[i] += int(ix.postOff[e.word+1] - ix.postOff[e.word])
		}
		idf := float32(math.Log(1 + float64(len(ix.gtins))/float64(max(union[i], 1))))
		for _, e := range exp[i] {
			post := ix.post[ix.postOff[e.word]:ix.postOff[e.word+1]]
			lists = append(lists, postingList{post, e.sim * idf})
		}
	}
	if len(lists) > 1<<16 {
		lists = lists[:1<<16] // a line of noise; the keys below hold no more
	}
	sc.lists = lists
	// The lists of the rarest line word first, and each word's shortest
	// first, taken while they fit the budget: a word whose every list is
	// read gives every product holding it its due, where the shortest lists
	// of all words would give a little to many. Sorted as keys packed in
	// one word, which moves less memory than sorting the lists.
	order := sc.order[:0]
	for i, k := 0, 0; k < len(exp) && i < len(lists); k++ {
		for range exp[k] {
			if i == len(lists) {
				break
			}
			order = append(order, uint64(min(union[k], 1<<20-1))<<44|uint64(min(k, 255))<<36|uint64(min(len(lists[i].post), 1<<20-1))<<16|uint64(i))
			i++
		}
	}
	sc.order = order
	slices.Sort(order)
	chosen := sc.chosen[:0]
	spent := 0
	// read has bit k set when every list of line word k was read: every
	// product holding the word was scored.
	var read uint64 = 1<<min(len(q), 64) - 1
	for _, o := range order {
		l := int(o & 0xffff)
		if n := len(lists[l].post); spent+n <= postingBudget || len(chosen) == 0 {
			spent += n
			chosen = append(chosen, uint32(l))
		} else {
			read &^= 1 << (o >> 36 & 0xff & 63)
		}
	}
	sc.chosen = chosen
	sc.products.reset(spent)
	sc.touched, sc.score = sc.touched[:0], sc.score[:0]
	for _, c := range chosen {
		l := lists[c]
		for _, p := range l.post {
			sc.add(p, l.weight)
		}
	}
	if len(sc.touched) == 0 {
		return Match{Status: StatusUnmatched}
	}
	top := ix.top(sc, ix.cfg.Candidates)
	ix.lineSims(sc, exp)
	joined := ix.joined(q, exp)
	fits := sc.fits[:0]
	for _, t := range top {
		fits = append(fits, ix.compare(sc, line, joined, int(sc.touched[t])))
	}
	sc.fits = fits
	best := 0
	for i := range fits {
		if fits[i].score > fits[best].score {
			best = i
		}
	}
	b := fits[best]
	if b.score <= 0 {
		return Match{Status: StatusUnmatched}
	}
	rivals := ix.rivals(fits, best)
	if b.found&read == 0 || len(sc.touched) > len(top) && sc.score[top[len(top)-1]] >= unseenRival*sc.score[top[best]] {
		// Products as like the line as the best may not have been
		// compared: no word of the line that the best holds was read in
		// full, so they may not have been scored at all, or products
		// that scored about as well as the best were left out of the
		// comparison.
		rivals = max(rivals, 1)
	}
	conf := b.score - rivalPenalty*rivals
	conf = min(max(conf, 0), nameCeiling)
	return ix.match(b.p, MethodName, conf)
}

// How other products that account for a line about as well as the best
// lower its confidence. A product is a rival to the degree that its
// account of the line is within closeAccount of the best's; each full
// rival costs rivalPenalty, so that a tie of two is offered to a person
// rather than accepted and a tie of several is left unmatched. A product
// is no rival when it leaves out a word clearly rarer than any the best
// leaves out: "CADBURY DAIRY MI" is Dairy Milk Chocolate rather than
// Dairy Milk Top Deck, which a till would have called TOP DECK, while
// "TASTIC RICE" may be Basmati or Long Grain alike.
const (
	unseenRival  = 0.9 // of the best's score, what a product left uncompared may have
	closeAccount = 0.1
	rivalPenalty = 0.2
	rarerLeftOut = 0.25
)

// rivals returns how many of fits rival fits[best], in part or in full.
func (ix *Index) rivals(fits []fit, best int) float64 {
	b := fits[best]
	n := 0.0
	for i, f := range fits {
		if i == best || f.p == b.p || f.leftOut >= b.leftOut+rarerLeftOut {
			continue
		}
		n += min(1, max(0, 1-(b.account-f.account)/closeAccount))
	}
	return n
}

// joined returns, for each word of q but the last, the word and the next
// run together when a catalogue word the first is a prefix of starts so
// ("MILKY BAR" for "MILKYBAR"), else "". exp holds the expansions of q.
func (ix *Index) joined(q []string, exp [][]expansion) []string {
	var out []string
	for k := 0; k+1 < len(q); k++ {
		if isSize(q[k+1]) || allDigits(q[k+1]) {
			continue
		}
		a, b := q[k], q[k+1]
		for _, e := range exp[k] {
			if w := ix.words[e.word]; len(w) > len(a) && w[len(a)] == b[0] && strings.HasPrefix(w[len(a):], b) && strings.HasPrefix(w, a) {
				if out == nil {
					out = make([]string, len(q)-1)
				}
				out[k] = a + b
				break
			}
		}
	}
	return out
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

// fit is how well a product's words match a line's.
type fit struct {
	p int
	// account is how well the product's words account for the line's,
	// 0-1: the weighted mean of each line word's similarity to the
	// product word most like it.
	account float64
	// score is account scaled down a little for the product words the
	// line leaves out.
	score float64
	// leftOut is the rarity, 0-1, of the rarest word of the product,
	// not a size, that the line leaves out.
	leftOut float64
	// found has bit k set when line word k is one of the catalogue words
	// the product holds, or stands for one.
	found uint64
}

// The similarities of a line word to product words found only when the
// product is compared word by word.
const (
	simRunPrefix = 0.9  // "VFUS" for "V FUSION"
	simRunAbbrev = 0.85 // "PKGTAPE" for "PACKAGING TAPE"; simAbbrevLong from four letters
	simLoose     = 0.8  // "ENG" for "ENERGY": first letter kept, last not
	simLooseTwo  = 0.6  // "PM" for "PAJAMA"
	simCount     = 0.8  // "2" for "2PK"
)

// compare matches the words of a line against product p's.
func (ix *Index) compare(sc *scratch, line []lineWord, joined []string, p int) fit {
	words := ix.tok[ix.tokOff[p]:ix.tokOff[p+1]]
	if len(words) > 64 {
		words = words[:64]
	}
	var rows [64]int32
	for i, id := range words {
		rows[i] = sc.words.get(id)
	}
	var used [64]bool
	var found uint64
	sims := sc.best[:0]
	for k := range line {
		w := line[k].text
		bestSim, bestAt, bestLen := 0.0, -1, 1
		for i, r := range rows[:len(words)] {
			if r < 0 {
				continue
			}
			if s := float64(sc.sims[int(r)*len(line)+k]); s > bestSim {
				bestSim, bestAt = s, i
				found |= 1 << (k & 63)
			}
		}
		if bestSim < simInitials {
			if at := ix.initials(w, words); at >= 0 {
				bestSim, bestAt, bestLen = simInitials, at, len(w)
			}
		}
		if bestSim < simLoose {
			if s, at, n := ix.spelled(w, words); s > bestSim {
				bestSim, bestAt, bestLen = s, at, n
			}
		}
		if bestSim == 0 && allDigits(w) {
			if at := ix.countOf(w, words); at >= 0 {
				bestSim, bestAt = simCount, at
			}
		}
		for i := bestAt; i >= 0 && i < bestAt+bestLen; i++ {
			used[i] = true
		}
		sims = append(sims, bestSim)
	}
	for k, j := range joined {
		if j == "" {
			continue
		}
		for i, id := range words {
			s := 0.0
			switch w := ix.words[id]; {
			case w == j:
				s = simExact
			case strings.HasPrefix(w, j):
				s = simPrefix
			}
			if s > sims[k] || s > sims[k+1] {
				sims[k], sims[k+1] = max(sims[k], s), max(sims[k+1], s)
				used[i] = true
			}
		}
	}
	sc.best = sims
	var got, total float64
	for k, s := range sims {
		weight := line[k].missing
		if s > 0 {
			weight = line[k].found
		}
		got += weight * s
		total += weight
	}
	if total == 0 {
		return fit{p: p}
	}
	// The brand's name is often left off a line ("EGGS 6CT" for Great
	// Value Large White Eggs) and tells no product of the brand from
	// another: left out, it counts for nothing.
	brand := int(ix.brandWords[p])
	covered, countable, leftOut := 0, 0, float32(0)
	for i, id := range words {
		if ix.size[id] || i < brand && !used[i] {
			continue
		}
		countable++
		if used[i] {
			covered++
		} else {
			leftOut = max(leftOut, ix.idf[id])
		}
	}
	cover := 1.0
	if countable > 0 {
		cover = float64(covered) / float64(countable)
	}
	account := got / total
	return fit{
		p:       p,
		found:   found,
		account: account,
		score:   account * (0.85 + 0.15*cover),
		leftOut: float64(leftOut / ix.maxIDF),
	}
}

// spelled returns how closely w spells product words it is no plain
// abbreviation of: two or three words run together ("VFUS" for "V
// FUSION", "PKGTAPE" for "PACKAGING TAPE"), or one word with its last
// letter left off ("ENG" for "ENERGY"); and the first word and how many.
func (ix *Index) spelled(w string, words []uint32) (sim float64, at, n int) {
	if len(w) < 2 || isSize(w) || allDigits(w) {
		return 0, -1, 0
	}
	for i, id := range words {
		first := ix.words[id]
		if first[0] != w[0] {
			continue
		}
		if s := simLoose; len(w) >= 3 && s > sim && abbreviates(w, first) {
			sim, at, n = s, i, 1
		} else if s := simLooseTwo; len(w) == 2 && s > sim && abbreviates(w, first) {
			sim, at, n = s, i, 1
		}
		if i+1 == len(words) || len(w) < 3 {
			continue
		}
		run := words[i:min(i+3, len(words))]
		if k, prefix := ix.spellsRun(w, run); k >= 2 {
			s := float64(simFor(w, simRunAbbrev))
			if prefix {
				s = simRunPrefix
			}
			if s > sim {
				sim, at, n = s, i, k
			}
		}
	}
	return sim, at, n
}

// spellsRun reports how many of the words run together w reaches into
// when it spells them, every letter from the first in order and each word
// it reaches from its first letter (an abbreviation), and whether it
// spells them as a prefix. It returns 0 when w does not spell them.
func (ix *Index) spellsRun(w string, run []uint32) (n int, prefix bool) {
	j, k := 0, 0 // the letter of w to find; the word of run
	prefix = true
	for _, id := range run {
		word := ix.words[id]
		if word[0] != w[j] {
			return 0, false
		}
		k++
		for i := 0; i < len(word) && j < len(w); i++ {
			if word[i] == w[j] {
				j++
			} else {
				prefix = false
			}
		}
		if j == len(w) {
			return k, prefix
		}
	}
	return 0, false
}

// countOf returns where among words is a size whose number is w ("2" in
// "2PK"), or -1.
func (ix *Index) countOf(w string, words []uint32) int {
	for i, id := range words {
		if s := ix.words[id]; ix.size[id] && len(s) > len(w) && s[:len(w)] == w && !isDigit(rune(s[len(w)])) && s[len(w)] != '.' {
			return i
		}
	}
	return -1
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
