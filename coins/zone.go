package coins

import (
	"strings"
	"time"
)

// zones maps an ISO 3166-1 country code, numeric, alpha-2 or alpha-3, to
// the time zone most of its people live in. A country spanning zones gets
// its most populous one: the day boundary is then right for most users,
// and a user elsewhere can be given a zone of their own.
var zones = map[string]string{}

func init() {
	for _, c := range []struct{ numeric, alpha2, alpha3, zone string }{
		{"036", "AU", "AUS", "Australia/Sydney"},
		{"554", "NZ", "NZL", "Pacific/Auckland"},
		{"840", "US", "USA", "America/New_York"},
		{"124", "CA", "CAN", "America/Toronto"},
		{"484", "MX", "MEX", "America/Mexico_City"},
		{"076", "BR", "BRA", "America/Sao_Paulo"},
		{"032", "AR", "ARG", "America/Argentina/Buenos_Aires"},
		{"152", "CL", "CHL", "America/Santiago"},
		{"170", "CO", "COL", "America/Bogota"},
		{"604", "PE", "PER", "America/Lima"},
		{"826", "GB", "GBR", "Europe/London"},
		{"372", "IE", "IRL", "Europe/Dublin"},
		{"620", "PT", "PRT", "Europe/Lisbon"},
		{"724", "ES", "ESP", "Europe/Madrid"},
		{"250", "FR", "FRA", "Europe/Paris"},
		{"056", "BE", "BEL", "Europe/Brussels"},
		{"528", "NL", "NLD", "Europe/Amsterdam"},
		{"276", "DE", "DEU", "Europe/Berlin"},
		{"040", "AT", "AUT", "Europe/Vienna"},
		{"756", "CH", "CHE", "Europe/Zurich"},
		{"380", "IT", "ITA", "Europe/Rome"},
		{"208", "DK", "DNK", "Europe/Copenhagen"},
		{"578", "NO", "NOR", "Europe/Oslo"},
		{"752", "SE", "SWE", "Europe/Stockholm"},
		{"246", "FI", "FIN", "Europe/Helsinki"},
		{"616", "PL", "POL", "Europe/Warsaw"},
		{"203", "CZ", "CZE", "Europe/Prague"},
		{"348", "HU", "HUN", "Europe/Budapest"},
		{"642", "RO", "ROU", "Europe/Bucharest"},
		{"300", "GR", "GRC", "Europe/Athens"},
		{"792", "TR", "TUR", "Europe/Istanbul"},
		{"804", "UA", "UKR", "Europe/Kyiv"},
		{"643", "RU", "RUS", "Europe/Moscow"},
		{"376", "IL", "ISR", "Asia/Jerusalem"},
		{"784", "AE", "ARE", "Asia/Dubai"},
		{"682", "SA", "SAU", "Asia/Riyadh"},
		{"818", "EG", "EGY", "Africa/Cairo"},
		{"710", "ZA", "ZAF", "Africa/Johannesburg"},
		{"566", "NG", "NGA", "Africa/Lagos"},
		{"404", "KE", "KEN", "Africa/Nairobi"},
		{"356", "IN", "IND", "Asia/Kolkata"},
		{"702", "SG", "SGP", "Asia/Singapore"},
		{"458", "MY", "MYS", "Asia/Kuala_Lumpur"},
		{"360", "ID", "IDN", "Asia/Jakarta"},
		{"608", "PH", "PHL", "Asia/Manila"},
		{"764", "TH", "THA", "Asia/Bangkok"},
		{"704", "VN", "VNM", "Asia/Ho_Chi_Minh"},
		{"156", "CN", "CHN", "Asia/Shanghai"},
		{"344", "HK", "HKG", "Asia/Hong_Kong"},
		{"158", "TW", "TWN", "Asia/Taipei"},
		{"410", "KR", "KOR", "Asia/Seoul"},
		{"392", "JP", "JPN", "Asia/Tokyo"},
	} {
		zones[c.numeric], zones[c.alpha2], zones[c.alpha3] = c.zone, c.zone, c.zone
	}
}

// CountryZone returns the IANA time zone of a country, given by its ISO
// 3166-1 numeric, alpha-2 or alpha-3 code in any case, or "UTC" for a
// country Till has no zone for.
func CountryZone(country string) string {
	if z, ok := zones[strings.ToUpper(strings.TrimSpace(country))]; ok {
		return z
	}
	return "UTC"
}

// Day returns the local day in loc that holds t: from its midnight until
// before the next one, 23 or 25 hours later on the days clocks change.
func Day(t time.Time, loc *time.Location) (from, to time.Time) {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc), time.Date(y, m, d+1, 0, 0, 0, 0, loc)
}
