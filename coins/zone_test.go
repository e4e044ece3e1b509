package coins

import (
	"testing"
	"time"
)

func TestCountryZone(t *testing.T) {
	for in, want := range map[string]string{
		"036": "Australia/Sydney", "AU": "Australia/Sydney", "aus": "Australia/Sydney",
		"276": "Europe/Berlin", "us": "America/New_York", "": "UTC", "999": "UTC", "XX": "UTC",
	} {
		if got := CountryZone(in); got != want {
			t.Errorf("CountryZone(%q) = %q, want %q", in, got, want)
		}
		if _, err := time.LoadLocation(CountryZone(in)); err != nil {
			t.Errorf("CountryZone(%q) is not a zone: %v", in, err)
		}
	}
	for code, zone := range zones {
		if _, err := time.LoadLocation(zone); err != nil {
			t.Errorf("zone of %s, %q, does not load: %v", code, zone, err)
		}
	}
}

func TestDay(t *testing.T) {
	load := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	tests := []struct {
		name     string
		t        time.Time
		zone     string
		from, to string // UTC
	}{
		// The spec's example limits: a day two hours ahead of UTC.
		{"spec example", time.Date(2022, 9, 15, 5, 52, 46, 0, time.UTC), "Europe/Berlin", "2022-09-14T22:00:00Z", "2022-09-15T22:00:00Z"},
		{"already tomorrow in Sydney", time.Date(2026, 3, 14, 13, 30, 0, 0, time.UTC), "Australia/Sydney", "2026-03-14T13:00:00Z", "2026-03-15T13:00:00Z"},
		{"Sydney's clocks go back: 25 hours", time.Date(2026, 4, 5, 1, 0, 0, 0, time.UTC), "Australia/Sydney", "2026-04-04T13:00:00Z", "2026-04-05T14:00:00Z"},
		{"New York's clocks go forward: 23 hours", time.Date(2026, 3, 8, 12, 0, 0, 0, time.UTC), "America/New_York", "2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z"},
		{"UTC midnight belongs to the new day", time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC), "UTC", "2026-03-14T00:00:00Z", "2026-03-15T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, to := Day(tt.t, load(tt.zone))
			if got := from.UTC().Format(time.RFC3339); got != tt.from {
				t.Errorf("from = %s, want %s", got, tt.from)
			}
			if got := to.UTC().Format(time.RFC3339); got != tt.to {
				t.Errorf("to = %s, want %s", got, tt.to)
			}
		})
	}
}
