package main

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tillhq/till"
	"github.com/tillhq/till/internal/testreceipt"
	"github.com/tillhq/till/ocr"
)

func TestMain(m *testing.M) {
	if err := ocr.EnsureThreadLimit(); err != nil {
		os.Stderr.WriteString("cmd/till tests: " + err.Error() + "\n")
	}
	os.Exit(m.Run())
}

// runCapture runs a till command line and returns what it printed on
// standard output.
func runCapture(t *testing.T, args ...string) (string, error) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	defer func() { os.Stdout = stdout }()
	out := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		out <- string(b)
	}()
	runErr := run(t.Context(), args)
	w.Close()
	return <-out, runErr
}

func TestUsersCommand(t *testing.T) {
	data := t.TempDir()
	out, err := runCapture(t, "users", "add", "alice", "--role", "user", "--data", data)
	if err != nil {
		t.Fatalf("users add: %v", err)
	}
	var added issuedTicket
	if err := json.Unmarshal([]byte(out), &added); err != nil || added.ID != "urn:authenticateit:user:username:alice" || len(added.Ticket) != 43 {
		t.Fatalf("users add printed %q (%v); want one JSON line with the URN and a 256-bit ticket", out, err)
	}

	out, err = runCapture(t, "users", "ticket", "alice", "--data", data)
	var again issuedTicket
	if err != nil || json.Unmarshal([]byte(out), &again) != nil || again.Ticket == added.Ticket {
		t.Fatalf("users ticket printed %q (%v); want a new ticket", out, err)
	}

	// Both tickets work until revoked.
	sc := storeConfig{dataDir: data}
	st, err := sc.openStore(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range []string{added.Ticket, again.Ticket} {
		if _, err := st.UserByTicket(t.Context(), till.HashTicket(tk), time.Now()); err != nil {
			t.Errorf("ticket does not authenticate: %v", err)
		}
	}
	st.Close()
	out, err = runCapture(t, "users", "revoke", "alice", "--data", data)
	if err != nil || !strings.Contains(out, `"revoked":2`) {
		t.Errorf("users revoke printed %q (%v); want 2 revoked", out, err)
	}

	for _, tt := range []struct {
		name string
		args []string
		kind till.Kind
	}{
		{"taken name", []string{"users", "add", "alice"}, till.KindConflict},
		{"bad role", []string{"users", "add", "bob", "--role", "boss"}, till.KindInvalid},
		{"system user without retailer", []string{"users", "add", "pos", "--role", "system"}, till.KindInvalid},
		{"unknown user", []string{"users", "ticket", "nobody"}, till.KindNotFound},
		{"no name", []string{"users", "add"}, till.KindInvalid},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runCapture(t, append(tt.args, "--data", data)...)
			if till.ErrorKind(err) != tt.kind {
				t.Errorf("error %v (%s), want %s", err, till.ErrorKind(err), tt.kind)
			}
		})
	}
}

func TestScanCommand(t *testing.T) {
	dir := t.TempDir()
	receipt := filepath.Join(dir, "receipt.png")
	junk := filepath.Join(dir, "notes.png")
	if err := os.WriteFile(receipt, testreceipt.PNG(t, testreceipt.Lines...), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(junk, []byte("not an image at all"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runCapture(t, "scan", "--json", "--workers", "1", junk, receipt)
	if err == nil {
		t.Error("scan of an unreadable file succeeded; want it to fail at the end")
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	var lines []map[string]any
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("scan printed a line that is not JSON: %q", sc.Text())
		}
		lines = append(lines, m)
	}
	if len(lines) != 1 {
		t.Fatalf("scan printed %d JSON lines, want 1 (the unreadable file is reported on stderr): %s", len(lines), out)
	}
	got := lines[0]
	data, _ := got["data"].(map[string]any)
	if got["file"] != receipt || data["total"] != "7.70" || got["receipt_date"] == nil || got["ocr_hash"] == nil {
		t.Errorf("scan = %v; want the file, total 7.70, a date and an ocr_hash", got)
	}
}

func TestParseCoins(t *testing.T) {
	for in, want := range map[string]string{
		"0": "0", "100": "100000000000000000000", "2.5": "2500000000000000000",
		"0.000000000000000001": "1", " 41.22 ": "41220000000000000000",
	} {
		got, err := parseCoins(in)
		if err != nil || got.String() != want {
			t.Errorf("parseCoins(%q) = %s, %v; want %s", in, got, err, want)
		}
		if back, _ := parseCoins(formatCoins(got)); back.Cmp(got) != 0 {
			t.Errorf("formatCoins(%s) = %q does not read back", got, formatCoins(got))
		}
	}
	for _, in := range []string{"", "-1", "1e3", "0.0000000000000000001", "1,5", ".5", "ten", "999999999999999999999999999999999999999"} {
		if _, err := parseCoins(in); err == nil {
			t.Errorf("parseCoins(%q) succeeded; want an error", in)
		}
	}
	if got := formatCoins(till.Units(2500000000000000000)); got != "2.5" {
		t.Errorf("formatCoins(2.5 coins) = %q", got)
	}
}
