package catalog

import (
	"strings"
	"unicode"
)

// tokens splits text into the upper-case words matching compares: runs
// of letters and digits, where a point or comma between two digits stays
// ("1.5L"); a size such as "500 G" or "24 FL OZ" is joined into one word,
// and unit spellings are made one ("500GR" is "500G", "6 COUNT" is "6CT"),
// so that a size counts as a size however it is written; "15 X 20" is
// "15X20", as tills print it. Runs of four or more digits alone (article
// numbers) are dropped.
func tokens(text string) []string {
	var f []string
	var b strings.Builder
	rs := []rune(text)
	for i, r := range rs {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(foldAccent(unicode.ToUpper(r)))
			continue
		case (r == '.' || r == ',') && i > 0 && i+1 < len(rs) && isDigit(rs[i-1]) && isDigit(rs[i+1]):
			b.WriteByte('.')
			continue
		}
		if b.Len() > 0 {
			f = append(f, b.String())
			b.Reset()
		}
	}
	if b.Len() > 0 {
		f = append(f, b.String())
	}
	out := f[:0]
	for i := 0; i < len(f); i++ {
		t := f[i]
		if isNumber(t) {
			if i+2 < len(f) && f[i+1] == "FL" && f[i+2] == "OZ" {
				out = append(out, t+"FLOZ")
				i += 2
				continue
			}
			if i+1 < len(f) && isUnit(f[i+1]) {
				out = append(out, t+unitOf(f[i+1]))
				i++
				continue
			}
			if i+2 < len(f) && f[i+1] == "X" && isNumber(f[i+2]) && (i+3 == len(f) || !isUnit(f[i+3])) {
				out = append(out, t+"X"+f[i+2]) // "15 x 20", a size in two dimensions
				i += 2
				continue
			}
			if allDigits(t) && len(t) >= 4 {
				continue
			}
		}
		if n, u, ok := splitSize(t); ok {
			t = n + unitOf(u)
		} else if n, u, ok := misreadSize(t); ok {
			t = n + unitOf(u)
		}
		out = append(out, t)
	}
	return out
}

// accented maps the upper-case Latin letters with accents to the letters
// tills print for them: "NESTLÉ" is printed "NESTLE".
var accented = map[rune]rune{}

func init() {
	for plain, letters := range map[rune]string{
		'A': "ÁÀÂÄÃÅ", 'E': "ÉÈÊË", 'I': "ÍÌÎÏ", 'O': "ÓÒÔÖÕØ", 'U': "ÚÙÛÜ",
		'C': "Ç", 'N': "Ñ", 'Y': "ÝŸ",
	} {
		for _, r := range letters {
			accented[r] = plain
		}
	}
}

// foldAccent returns the letter r is printed as without its accent.
func foldAccent(r rune) rune {
	if r < 0xC0 {
		return r
	}
	if p, ok := accented[r]; ok {
		return p
	}
	return r
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// isNumber reports whether s is digits with at most one point among them.
func isNumber(s string) bool {
	return s != "" && isDigit(rune(s[0])) && strings.Count(s, ".") <= 1 && allDigits(strings.Replace(s, ".", "", 1))
}

// units maps the unit spellings on receipts and labels to one form.
var units = map[string]string{
	"G": "G", "GR": "G", "GRM": "G", "GRAM": "G", "GRAMS": "G",
	"KG": "KG", "KGS": "KG", "MG": "MG",
	"ML": "ML", "L": "L", "LT": "L", "LTR": "L", "LITRE": "L", "LITER": "L", "CL": "CL",
	"OZ": "OZ", "FLOZ": "FLOZ", "LB": "LB", "LBS": "LB",
	"GAL": "GAL", "GALLON": "GAL", "YD": "YD", "YDS": "YD",
	"PK": "PK", "PACK": "PK", "CT": "CT", "COUNT": "CT", "S": "S",
}

func isUnit(s string) bool { _, ok := units[s]; return ok }

func unitOf(s string) string { return units[s] }

// splitSize splits a token such as "500GR" into "500" and "GR" when the
// tail is a unit.
func splitSize(t string) (num, unit string, ok bool) {
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	if i == 0 || i == len(t) || !isUnit(t[i:]) {
		return "", "", false
	}
	return t[:i], t[i:], true
}

// misreadSize splits a token that is a size but for an O read as a zero
// or a zero read as an O where the number meets the unit, as OCR and
// tills do: "200Z" is "20" and "OZ", "5OYD" is "50" and "YD".
func misreadSize(t string) (num, unit string, ok bool) {
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	if i == 0 || i == len(t) {
		return "", "", false
	}
	num, tail := t[:i], t[i:]
	switch {
	case len(num) > 1 && num[len(num)-1] == '0' && isUnit("O"+tail):
		return num[:len(num)-1], "O" + tail, true
	case tail[0] == 'O' && isUnit(tail[1:]):
		return num + "0", tail[1:], true
	}
	return "", "", false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// skeleton is a word's first letter followed by its other consonants,
// doubled letters once: the way tills abbreviate ("CRANBERRY" and
// "CRNBRY" are both "CRNBRY").
func skeleton(w string) string {
	if len(w) < 3 {
		return ""
	}
	b := make([]byte, 0, len(w))
	b = append(b, w[0])
	for i := 1; i < len(w); i++ {
		c := w[i]
		if strings.IndexByte("AEIOUY", c) >= 0 || c == b[len(b)-1] {
			continue
		}
		b = append(b, c)
	}
	if len(b) < 2 {
		return ""
	}
	return string(b)
}

// abbreviates reports whether q can be an abbreviation of w: same first
// letter and q's letters in order within w.
func abbreviates(q, w string) bool {
	if len(q) < 2 || len(q) >= len(w) || q[0] != w[0] {
		return false
	}
	j := 1
	for i := 1; i < len(q); i++ {
		for j < len(w) && w[j] != q[i] {
			j++
		}
		if j == len(w) {
			return false
		}
		j++
	}
	return true
}

// jaroWinkler is the Jaro-Winkler similarity of a and b, 0-1, over bytes.
func jaroWinkler(a, b string) float64 {
	if a == b {
		return 1
	}
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return 0
	}
	window := max(la, lb)/2 - 1
	window = max(window, 0)
	var ma, mb [64]bool
	if la > 64 || lb > 64 {
		return 0
	}
	m := 0
	for i := 0; i < la; i++ {
		lo, hi := max(0, i-window), min(lb-1, i+window)
		for j := lo; j <= hi; j++ {
			if !mb[j] && a[i] == b[j] {
				ma[i], mb[j] = true, true
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	t, j := 0, 0
	for i := 0; i < la; i++ {
		if !ma[i] {
			continue
		}
		for !mb[j] {
			j++
		}
		if a[i] != b[j] {
			t++
		}
		j++
	}
	fm := float64(m)
	jaro := (fm/float64(la) + fm/float64(lb) + (fm-float64(t)/2)/fm) / 3
	p := 0
	for p < min(4, la, lb) && a[p] == b[p] {
		p++
	}
	return jaro + float64(p)*0.1*(1-jaro)
}

// upcCheck returns the check digit of the digits of s, GS1's way.
func upcCheck(s string) byte {
	sum := 0
	for i := 0; i < len(s); i++ {
		d := int(s[len(s)-1-i] - '0')
		if i%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}
