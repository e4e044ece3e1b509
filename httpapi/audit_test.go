package httpapi

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/tillhq/till"
)

func TestReceiptAudit(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", till.RoleUser)
	mod := e.user("mo", till.RoleModerator)
	admin := e.user("root", till.RoleAdmin)
	sys := e.user("coles-pos", till.RoleSystem, "coles")
	ids := e.addReceipts("alice", 2, till.StatusInitial, "")
	processed, fresh := ids[0], ids[1]

	started := e.now()
	err := e.store.SaveResult(t.Context(), till.ReceiptResult{
		ReceiptID: processed, Status: till.StatusUnrecognized, Reason: "no total, date or item line could be read (3 words)",
		Analysis: &till.Analysis{Data: json.RawMessage(`{"words_count":3}`), OCRText: "Dear Sir\n", OCRHash: "h"},
		Events: []till.Event{
			{Attempt: 1, Step: "decode", Outcome: till.OutcomeOK, Detail: "PNG 700x300", StartedAt: started, Duration: 2500 * time.Microsecond},
			{Attempt: 1, Step: "ocr+extract", Outcome: till.OutcomeOK, Detail: "3 words", StartedAt: started, Duration: 400 * time.Millisecond},
		},
	}, e.now())
	if err != nil {
		t.Fatal(err)
	}

	for _, ticket := range []string{mod, admin} {
		got := decode[audit](t, e.call("GET", "/receipts-service/receipts/"+processed+"/audit", ticket, ""), 200)
		if got.ReceiptID != processed || got.UserID != till.UserIDFromRef("alice") || got.Status != till.StatusUnrecognized ||
			got.StatusReason == "" || !got.OCRDone || got.OCRText != "Dear Sir\n" || string(got.AnalyzedReceipt) != `{"words_count":3}` {
			t.Errorf("audit = %+v", got)
		}
		if len(got.Events) != 2 || got.Events[1].Step != "ocr+extract" || got.Events[1].DurationMS != 400 || got.Events[0].Detail != "PNG 700x300" {
			t.Errorf("events = %+v", got.Events)
		}
	}

	// Before processing: no analysis, no events, and a deleted receipt
	// still shows, marked as such.
	if err := e.store.DeleteReceipt(t.Context(), till.UserIDFromRef("alice"), fresh, e.now()); err != nil {
		t.Fatal(err)
	}
	got := decode[audit](t, e.call("GET", "/receipts-service/receipts/"+fresh+"/audit", mod, ""), 200)
	if string(got.AnalyzedReceipt) != "null" || len(got.Events) != 0 || !got.Deleted || got.Status != till.StatusInitial {
		t.Errorf("audit of an unprocessed, deleted receipt = %+v", got)
	}

	wantError(t, e.call("GET", "/receipts-service/receipts/"+processed+"/audit", alice, ""), 403, "", "moderator or admin")
	wantError(t, e.call("GET", "/receipts-service/receipts/"+processed+"/audit", sys, ""), 403, "", "moderator or admin")
	wantError(t, e.call("GET", "/receipts-service/receipts/"+processed+"/audit", "", ""), 401, "", "missing")
	wantError(t, e.call("GET", "/receipts-service/receipts/0190a000-0000-7000-8000-000000000000/audit", mod, ""), 404, "", "receipt not found")
}
