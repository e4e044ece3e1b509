package extract

import (
	"strings"
	"unicode"
)

// headerWords are words that receipts' headers print again and again:
// legal forms and business nouns of company names, and the street types,
// place words, states and larger towns of addresses, in the languages of
// the receipts Till reads. A poorly recognised header word one or two
// edits away from exactly one of them is taken to be that word.
var headerWords = union(companyWords, placeWords)

// companyWords are the legal forms and business nouns of company names.
var companyWords = wordSet(
	"SDN BHD BERHAD ENTERPRISE ENTERPRISES TRADING TRADERS COMPANY CORPORATION INTERNATIONAL INDUSTRIES HOLDINGS " +
		"SERVICES SERVICE CENTRE CENTER GROUP GLOBAL RETAIL MARKETING MANAGEMENT DEVELOPMENT ENGINEERING CONSTRUCTION " +
		"RESTORAN RESTAURANT MARKET SUPERMARKET HYPERMARKET MINIMARKET HARDWARE STATIONERY STATIONER BOOK BOOKS " +
		"BOOKSTORE ELECTRICAL ELECTRONICS FURNITURE PHARMACY BAKERY BAKERIES CAFE KOPITIAM FOOD FOODS BEVERAGE " +
		"KITCHEN STORE STORES SHOP PETROL STATION PRINT PRINTING TRAVEL HOTEL MEDICAL CLINIC OPTICAL TEXTILE " +
		"FASHION BEAUTY SALON CONVENIENCE GROCERY FRESH KEDAI RUNCIT MAKANAN PERNIAGAAN TAILORING HANDICRAFT " +
		"SUPERCENTER WHOLESALE PHARMACIE APOTHEKE BAUMARKT GETRANKE BACKEREI METZGEREI",
)

// placeWords are the street types, place words, states and larger towns
// of addresses.
var placeWords = wordSet(
	// Malaysian addresses.
	"JALAN TAMAN LORONG PERSIARAN LEBUH LEBUHRAYA LINTANG BANDAR KAMPUNG BATU BLOK BLOCK LEVEL FLOOR GROUND "+
		"SEKSYEN SECTION PUSAT PERINDUSTRIAN KAWASAN INDUSTRI PLAZA WISMA MENARA BANGUNAN KOMPLEKS DESA UTAMA "+
		"UTARA SELATAN TIMUR BARAT BARU JAYA INDAH PERDANA MUKIM DARUL EHSAN TAKZIM MAKMUR RIDZUAN KHUSUS TENGAH "+
		"SHOPPING DATARAN MEDAN NIAGA SUNGAI BUKIT MAHKOTA RAYA BESAR LAMA SATU "+
		"JOHOR KEDAH KELANTAN MELAKA MALACCA NEGERI SEMBILAN PAHANG PERAK PERLIS PULAU PINANG PENANG SABAH SARAWAK "+
		"SELANGOR TERENGGANU KUALA LUMPUR LABUAN PUTRAJAYA MALAYSIA PETALING KLANG SUBANG CHERAS KAJANG AMPANG "+
		"PUCHONG SEREMBAN BAHRU SKUDAI KULAI PASIR GUDANG SEMENYIH BANGI RAWANG SELAYANG KEPONG SETAPAK DAMANSARA "+
		"BALAKONG KEMBANGAN SERDANG CYBERJAYA SEPANG NILAI KUANTAN BENTONG GENTING KOTA BHARU KINABALU KUCHING "+
		"SETAR BUTTERWORTH TAIPING TELUK PAHAT KLUANG SEGAMAT DICKSON KANGAR TUMPAT PLENTONG TEBRAU GOMBAK KELANA",
	// German and US addresses.
	"STRASSE PLATZ ALLEE DEUTSCHLAND STREET AVENUE BOULEVARD DRIVE SUITE HIGHWAY PARKWAY",
)

func union(sets ...map[string]bool) map[string]bool {
	m := map[string]bool{}
	for _, set := range sets {
		for w := range set {
			m[w] = true
		}
	}
	return m
}

func wordSet(groups ...string) map[string]bool {
	m := map[string]bool{}
	for _, g := range groups {
		for _, w := range strings.Fields(g) {
			m[w] = true
		}
	}
	return m
}

// maxFixConf is the OCR confidence (0-100) below which a header word may
// be corrected; words read surer than that are taken as printed, so that
// rarer names a letter away from a common word ("JASA", "PERMAS") stay.
const maxFixConf = 85

// fixWord returns the header word w spells, when OCR probably misread it:
// a word of four or more letters, not itself a header word, read with
// confidence under maxFixConf, one edit from exactly one header word (two
// for words of seven letters or more, and with the same first letter for
// words of four) after folding digit look-alikes.
// It keeps w's letter case and the punctuation around it.
func fixWord(w string, conf float64) string {
	if conf >= maxFixConf {
		return w
	}
	start := strings.IndexFunc(w, isAlnum)
	end := strings.LastIndexFunc(w, isAlnum)
	if start < 0 {
		return w
	}
	_, size := firstRune(w[end:])
	core := w[start : end+size]
	if strings.IndexFunc(core, func(r rune) bool { return !isAlnum(r) }) >= 0 {
		return w
	}
	up := fold(core)
	n := len([]rune(up))
	if n < 4 || countDigits(core) == len(core) {
		return w
	}
	if headerWords[up] {
		// Right once digit look-alikes are read as letters.
		return w[:start] + matchCase(up, core) + w[end+size:]
	}
	allowed := 1
	if n >= 7 {
		allowed = 2
	}
	best, bestD, ties := "", allowed+1, 0
	for kw := range headerWords {
		if d := len(kw) - n; d > allowed || -d > allowed {
			continue
		}
		if n <= 4 && kw[0] != up[0] {
			// Short words keep their first letter: "DAMA" is no "LAMA".
			continue
		}
		d := EditDistance(up, kw)
		switch {
		case d < bestD:
			best, bestD, ties = kw, d, 1
		case d == bestD:
			ties++
		}
	}
	if best == "" || ties > 1 {
		return w
	}
	return w[:start] + matchCase(best, core) + w[end+size:]
}

// fixText corrects the words of a header row (see fixWord), given with
// their confidences, and joins them with single spaces.
func fixText(words []string, confs []float64) string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = fixWord(w, confs[i])
	}
	return strings.Join(out, " ")
}

// matchCase spells upper-case word in the case of like: lower, capitalised
// or upper.
func matchCase(word, like string) string {
	switch {
	case strings.ToLower(like) == like:
		return strings.ToLower(word)
	case strings.ToUpper(like) != like:
		return word[:1] + strings.ToLower(word[1:])
	}
	return word
}

func isAlnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func firstRune(s string) (rune, int) {
	for _, r := range s {
		return r, len(string(r))
	}
	return 0, 0
}

// addressAbbrevs are the abbreviations addresses print for street and
// place words (jalan, taman, lorong) and the honorific sri of place
// names. Rarer ones stay out: "KPB" is no misread "KPG".
var addressAbbrevs = wordSet("JLN TMN LRG SRI")

// fixAbbrevs spells the three-letter parts of an address word w (split at
// dashes and slashes, "1181-THN") as the abbreviation they are one letter
// from, when w was read with confidence under maxFixConf: same first
// letter, one letter changed, exactly one abbreviation that near.
func fixAbbrevs(w string, conf float64) string {
	if conf >= maxFixConf {
		return w
	}
	parts := strings.FieldsFunc(w, func(r rune) bool { return !isAlnum(r) })
	for _, p := range parts {
		up := strings.ToUpper(p)
		if len(up) != 3 || countDigits(up) > 0 || addressAbbrevs[up] || placeWords[up] {
			continue
		}
		best, n := "", 0
		for a := range addressAbbrevs {
			if a[0] == up[0] && EditDistance(a, up) == 1 {
				best, n = a, n+1
			}
		}
		if n == 1 {
			w = strings.Replace(w, p, matchCase(best, p), 1)
		}
	}
	return w
}
