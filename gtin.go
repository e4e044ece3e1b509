package till

// ValidGTIN reports whether s is a GTIN-8, -12, -13 or -14 (digits only)
// whose check digit is right.
func ValidGTIN(s string) bool {
	switch len(s) {
	case 8, 12, 13, 14:
	default:
		return false
	}
	sum := 0
	for i := 0; i < len(s); i++ {
		c := s[len(s)-1-i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if i > 0 && i%2 == 1 {
			d *= 3
		}
		if i > 0 {
			sum += d
		}
	}
	return (10-sum%10)%10 == int(s[len(s)-1]-'0')
}

// NormalizeGTIN returns the GTIN-14 form of a valid GTIN (left-padded with
// zeros), or "" when s is not a valid GTIN.
func NormalizeGTIN(s string) string {
	if !ValidGTIN(s) {
		return ""
	}
	return "00000000000000"[:14-len(s)] + s
}
