package pipeline

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/tillhq/till"
	"github.com/tillhq/till/internal/testreceipt"
	"github.com/tillhq/till/postgres"
	"github.com/tillhq/till/storetest"
)

// TestQueue adds receipts through the store, as the API does, and waits for
// River to process them: the hook enqueued each in its creating
// transaction, and workers settled every one.
func TestQueue(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		e := newEnv(t)
		runQueue(t, e, QueueConfig{DB: e.store.Writer()})
	})
	t.Run("postgres", func(t *testing.T) {
		pg, err := postgres.Open(t.Context(), storetest.PostgresURL(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { pg.Close() })
		e := setupEnv(t, pg.Store, t.TempDir())
		runQueue(t, e, QueueConfig{DB: e.store.Writer(), Listener: pg.Pool()})
	})
}

func runQueue(t *testing.T, e *env, cfg QueueConfig) {
	ctx := t.Context()
	// The retailer's receipts do not print its listed name: the user must
	// name it, and the answer's job finishes the receipt.
	e.withCatalogue(till.Retailer{ID: "freshmart", Name: "Corner Grocer"})
	e.p.Catalogue.Config.AutoAccept = 0.5
	cfg.Processor, cfg.Workers, cfg.Log = e.p, 2, slog.New(slog.DiscardHandler)
	q, err := NewQueue(ctx, cfg)
	if err != nil {
		t.Fatalf("NewQueue: %v", err)
	}
	e.store.OnProcess(q.Enqueue)
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := q.Stop(stopCtx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	}()

	good := e.receipt(testreceipt.PNG(t, testreceipt.Lines...))
	bad := e.receipt([]byte("GIF89a not a receipt"))
	// Enqueueing a receipt again while its job waits or runs adds nothing.
	if err := q.EnqueueAgain(ctx, good.ID); err != nil {
		t.Fatal(err)
	}

	e.await(good.ID, till.StatusSetRetailers, till.StatusInitial)
	e.await(bad.ID, till.StatusFailed, till.StatusInitial)

	err = e.store.ResumeReceipt(ctx, till.Resume{UserID: e.user.ID, ReceiptID: good.ID,
		From: till.StatusSetRetailers, To: till.StatusSetRetailersPending, RetailerID: "freshmart", RetailerName: "Corner Grocer"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	e.await(good.ID, till.StatusCompleted, till.StatusSetRetailersPending)
	if earned, _ := e.balance(); earned != "2000000000000000000" {
		t.Errorf("earned %s; want 2 coins", earned)
	}
}

// await waits for the receipt to reach status, failing when it leaves the
// status it waits in or a minute passes.
func (e *env) await(id string, status, waiting till.Status) {
	e.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		r := e.get(id)
		if r.Status == status {
			return
		}
		if r.Status != waiting || time.Now().After(deadline) {
			e.t.Fatalf("receipt %s: status %s (reason %q), want %s", id, r.Status, r.StatusReason, status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
