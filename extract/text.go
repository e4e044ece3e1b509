package extract

import (
	"image"
	"sort"
	"strings"
	"unicode"

	"github.com/tillhq/till/ocr"
)

// row is one printed line of the receipt as the eye sees it: the words of
// every Tesseract line whose boxes sit at the same height, left to right.
// Tesseract's automatic segmentation often splits a row into columns (the
// label "TOTAL" in one block, its amount in another); rows join them again.
type row struct {
	Words []ocr.Word
	Box   image.Rectangle
	Text  string
	Conf  float64 // mean word confidence, 0-100
	Index int     // position in the page's rows, top to bottom
}

// buildRows groups the page's lines into rows. Two lines belong to the same
// row when their vertical extents overlap by more than half of the shorter
// one and they do not overlap horizontally.
func buildRows(p ocr.Page) []row {
	lines := p.Lines()
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].Box.Min.Y < lines[j].Box.Min.Y })
	var rows []row
	used := make([]bool, len(lines))
	for i, l := range lines {
		if used[i] {
			continue
		}
		used[i] = true
		r := row{Words: append([]ocr.Word(nil), l.Words...), Box: l.Box}
		for j := i + 1; j < len(lines); j++ {
			if used[j] {
				continue
			}
			m := lines[j]
			if m.Box.Min.Y > r.Box.Max.Y {
				break
			}
			if !sameRow(r, m) {
				continue
			}
			used[j] = true
			r.Words = append(r.Words, m.Words...)
			r.Box = r.Box.Union(m.Box)
		}
		sort.SliceStable(r.Words, func(a, b int) bool { return r.Words[a].Box.Min.X < r.Words[b].Box.Min.X })
		rows = append(rows, r)
	}
	kept := rows[:0]
	for _, r := range rows {
		if r.Words = denoise(r.Words); len(r.Words) > 0 {
			kept = append(kept, r)
		}
	}
	rows = kept
	for i := range rows {
		r := &rows[i]
		r.Box = image.Rectangle{}
		for _, w := range r.Words {
			r.Box = r.Box.Union(w.Box)
		}
		r.Index = i
		parts := make([]string, len(r.Words))
		var sum float64
		for k, w := range r.Words {
			parts[k] = w.Text
			sum += w.Conf
		}
		r.Text = strings.Join(parts, " ")
		if len(r.Words) > 0 {
			r.Conf = sum / float64(len(r.Words))
		}
	}
	return rows
}

// denoise drops the words of a row that are specks rather than print:
// short words at either end of the row standing apart from the rest, as
// marks on the paper's edge or on the table beside a photographed receipt
// do. Low confidence alone is no reason: Tesseract gives some words it
// read right a confidence of 0.
func denoise(ws []ocr.Word) []ocr.Word {
	if len(ws) < 2 {
		return ws
	}
	h := 0
	for _, w := range ws {
		h = max(h, w.Box.Dy())
	}
	stray := func(w ocr.Word, gap int) bool {
		n := len(alnum(w.Text))
		if n == 0 {
			return true
		}
		if countDigits(w.Text) > 1 {
			// Figures are never dropped, however poorly read.
			return false
		}
		return (n <= 2 || (n <= 3 && w.Conf < 50)) && (gap > 2*h || (w.Conf < 50 && gap > h))
	}
	for len(ws) > 1 && stray(ws[0], ws[1].Box.Min.X-ws[0].Box.Max.X) {
		ws = ws[1:]
	}
	for n := len(ws); n > 1 && stray(ws[n-1], ws[n-1].Box.Min.X-ws[n-2].Box.Max.X); n = len(ws) {
		ws = ws[:n-1]
	}
	return ws
}

func sameRow(r row, l ocr.Line) bool {
	// Compare with the row's words nearest in x, not the whole row box,
	// which grows as lines join.
	top, bot := r.Box.Min.Y, r.Box.Max.Y
	h := min(bot-top, l.Box.Dy())
	ov := min(bot, l.Box.Max.Y) - max(top, l.Box.Min.Y)
	if h <= 0 || ov*2 <= h {
		return false
	}
	for _, w := range r.Words {
		if w.Box.Min.X < l.Box.Max.X && l.Box.Min.X < w.Box.Max.X {
			return false
		}
	}
	return true
}

// fold returns s in upper case with the OCR's usual letter–digit confusions
// mapped to letters, for keyword matching: "T0TAL" folds to "TOTAL".
func fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch r {
		case '0':
			r = 'O'
		case '1', '|', '!':
			r = 'I'
		case '5', '$':
			r = 'S'
		case '8':
			r = 'B'
		case 'Ä':
			r = 'A'
		case 'Ö':
			r = 'O'
		case 'Ü':
			r = 'U'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// alnum keeps the letters and digits of s, upper-cased; labels and
// predictions of names and addresses are compared in this form.
func alnum(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// tokens splits s into upper-case words of letters and digits.
func tokens(s string) []string {
	return strings.FieldsFunc(strings.ToUpper(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// EditDistance is the Levenshtein distance between a and b, counted in
// runes: how many single-rune insertions, deletions and substitutions turn
// one into the other.
func EditDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			c := prev[j-1]
			if ra[i-1] != rb[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// fuzzyEq reports whether an OCR'd word matches a keyword, allowing one
// edit per four letters of the keyword (none for words under four letters,
// and none to the first letter of words under seven) after folding digit
// look-alikes, unless the word is another word of the header vocabulary.
func fuzzyEq(word, kw string) bool {
	w := fold(word)
	if w == kw {
		return true
	}
	if headerWords[w] || amountWords[w] {
		// A word of the header vocabulary spelt right is that word:
		// "BOOK" is not a misread "BLOK".
		return false
	}
	allowed := len(kw) / 4
	if allowed == 0 {
		return false
	}
	if d := len(w) - len(kw); d > allowed || -d > allowed {
		return false
	}
	if len(kw) <= 6 && w[0] != kw[0] {
		// Short words keep their first letter: "BORONG" is not
		// "LORONG".
		return false
	}
	return EditDistance(w, kw) <= allowed
}

// amountWords are words of amount rows one letter from a keyword of
// another meaning: "NETT" (the Malaysian nett total) is no misread "NETTO"
// (the German net amount).
var amountWords = wordSet("NETT")

// phrase is a keyword of one or more words.
type phrase []string

// matchPhrase finds the phrase in the row's tokens and returns the index of
// its first token, or -1. A phrase written without spaces ("SUBTOTAL")
// also matches when the OCR split it, and the other way round.
func matchPhrase(toks []string, p phrase) int {
	for i := 0; i+len(p) <= len(toks); i++ {
		ok := true
		for k, kw := range p {
			if !fuzzyEq(toks[i+k], kw) {
				ok = false
				break
			}
		}
		if ok {
			return i
		}
	}
	joined := strings.Join(p, "")
	if len(p) > 1 {
		// The run-together word must keep some of the phrase's last
		// word: "COMPANY" is not "COMPANY NO".
		// A short phrase run together loses no letter at all: "COO"
		// is not "CO NO".
		least := max(len(joined)-len(p[len(p)-1])+1, len(joined)-len(joined)/8)
		for i := range toks {
			if len(toks[i]) >= least && fuzzyEq(toks[i], joined) {
				return i
			}
		}
		// One letter misread in a word too short to tolerate it on
		// its own: "IU ZAHLEN" is "ZU ZAHLEN".
		if len(joined) >= 6 {
			for i := 0; i+len(p) <= len(toks); i++ {
				if w := fold(strings.Join(toks[i:i+len(p)], "")); len(w) == len(joined) && EditDistance(w, joined) <= 1 {
					return i
				}
			}
		}
	}
	if len(p) == 1 && len(joined) >= 6 {
		for i := 0; i+1 < len(toks); i++ {
			if fuzzyEq(toks[i]+toks[i+1], joined) {
				return i
			}
		}
	}
	return -1
}

// hasAny reports whether any phrase matches.
func hasAny(toks []string, ps []phrase) bool {
	for _, p := range ps {
		if matchPhrase(toks, p) >= 0 {
			return true
		}
	}
	return false
}

func phrases(ss ...string) []phrase {
	out := make([]phrase, len(ss))
	for i, s := range ss {
		out[i] = strings.Fields(s)
	}
	return out
}
