package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	"github.com/tillhq/till"
)

// ProcessArgs is the job that processes one receipt. At most one such job
// per receipt and Resumed is waiting or running at a time.
type ProcessArgs struct {
	ReceiptID string `json:"receipt_id"`
	// Resumed is the _PENDING status of a receipt sent back to processing
	// with a user's answer, empty for a new receipt. It keeps the answer's
	// job apart from the receipt's first one, which may still be running
	// for the moment after it stored the question.
	Resumed till.Status `json:"resumed,omitempty"`
}

// Kind names the job in River's tables.
func (ProcessArgs) Kind() string { return "process_receipt" }

// MaxAttempts is how often a receipt's processing is tried before it is
// settled as FAILED.
const MaxAttempts = 5

// InsertOpts makes the job unique per receipt while it waits or runs, so a
// receipt enqueued twice is still processed once at a time.
func (ProcessArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		MaxAttempts: MaxAttempts,
		UniqueOpts: river.UniqueOpts{
			ByArgs: true,
			ByState: []rivertype.JobState{
				rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
				rivertype.JobStateRunning, rivertype.JobStateScheduled,
			},
		},
	}
}

// worker runs ProcessArgs jobs with a Processor.
type worker struct {
	river.WorkerDefaults[ProcessArgs]
	p       *Processor
	timeout time.Duration
}

func (w *worker) Timeout(*river.Job[ProcessArgs]) time.Duration { return w.timeout }

func (w *worker) Work(ctx context.Context, job *river.Job[ProcessArgs]) error {
	return w.p.Process(ctx, job.Args.ReceiptID, job.Attempt, job.Attempt >= job.MaxAttempts)
}

// QueueConfig configures a Queue.
type QueueConfig struct {
	// DB is the database the receipts are in. On SQLite it must be the
	// store's single writer connection; on PostgreSQL any pool.
	DB *sql.DB
	// Listener, on PostgreSQL, is the pgx pool River listens for new jobs
	// on; nil means SQLite.
	Listener *pgxpool.Pool
	// Processor runs the jobs; nil makes an insert-only queue (for
	// processes that add receipts but do not work them).
	Processor *Processor
	// Workers is how many receipts are processed at once, normally the
	// size of the OCR pool.
	Workers int
	// JobTimeout bounds one attempt (default 3 minutes).
	JobTimeout time.Duration
	Log        *slog.Logger
}

// Queue is the receipt job queue on River, in the receipts' own database,
// so that adding a receipt and enqueueing its processing commit together.
type Queue struct {
	client *river.Client[*sql.Tx]
}

// NewQueue migrates River's tables and returns a queue. Call Start to work
// jobs; an insert-only queue needs no Start.
func NewQueue(ctx context.Context, cfg QueueConfig) (*Queue, error) {
	driver := newDriver(cfg.DB, cfg.Listener)
	if err := migrate(ctx, driver, cfg.Log); err != nil {
		return nil, err
	}

	rc := &river.Config{Logger: quiet(cfg.Log)}
	if cfg.Processor != nil {
		workers := river.NewWorkers()
		timeout := cfg.JobTimeout
		if timeout <= 0 {
			timeout = 3 * time.Minute
		}
		river.AddWorker(workers, &worker{p: cfg.Processor, timeout: timeout})
		rc.Workers = workers
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: max(cfg.Workers, 1)}}
		// River's producer fetches at most once per FetchCooldown; with
		// receipts taking hundreds of milliseconds each, the defaults
		// leave the engines idle between fetches. Poll a little faster.
		rc.FetchCooldown = 50 * time.Millisecond
		rc.FetchPollInterval = 500 * time.Millisecond
	}
	client, err := river.NewClient(driver, rc)
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	return &Queue{client: client}, nil
}

// Migrate applies the job queue's own migrations (River's tables) to db;
// listener is the PostgreSQL pool, nil on SQLite, as in QueueConfig.
// NewQueue does it too; this is for "till migrate".
func Migrate(ctx context.Context, db *sql.DB, listener *pgxpool.Pool, log *slog.Logger) error {
	return migrate(ctx, newDriver(db, listener), log)
}

func newDriver(db *sql.DB, listener *pgxpool.Pool) riverdriver.Driver[*sql.Tx] {
	if listener != nil {
		return riverdatabasesql.NewWithPgxListener(db, listener)
	}
	return riversqlite.New(db)
}

func migrate(ctx context.Context, driver riverdriver.Driver[*sql.Tx], log *slog.Logger) error {
	mig, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: quiet(log)})
	if err != nil {
		return fmt.Errorf("job queue migrations: %w", err)
	}
	if _, err := mig.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate job queue: %w", err)
	}
	return nil
}

// Enqueue adds the processing of receipts to the queue inside tx, the
// transaction that stores them or sends them back with a user's answer, in
// one batch. It has the signature of sqlstore's receipt hook.
func (q *Queue) Enqueue(ctx context.Context, tx *sql.Tx, receipts []*till.Receipt) error {
	params := make([]river.InsertManyParams, len(receipts))
	for i, r := range receipts {
		args := ProcessArgs{ReceiptID: r.ID}
		if r.Status == till.StatusSetRetailersPending || r.Status == till.StatusSetProductsPending {
			args.Resumed = r.Status
		}
		params[i] = river.InsertManyParams{Args: args}
	}
	if _, err := q.client.InsertManyTx(ctx, tx, params); err != nil {
		return fmt.Errorf("enqueue %d receipt(s): %w", len(receipts), err)
	}
	return nil
}

// EnqueueAgain adds the processing of an existing receipt on its own, out
// of any transaction. A job already waiting for it absorbs the new one.
func (q *Queue) EnqueueAgain(ctx context.Context, receiptID string) error {
	if _, err := q.client.Insert(ctx, ProcessArgs{ReceiptID: receiptID}, nil); err != nil {
		return fmt.Errorf("enqueue receipt %s: %w", receiptID, err)
	}
	return nil
}

// Start starts working jobs until Stop.
func (q *Queue) Start(ctx context.Context) error { return q.client.Start(ctx) }

// Stop stops fetching jobs and waits for those running to finish, until ctx
// is done; then it cancels them (they are retried later).
func (q *Queue) Stop(ctx context.Context) error {
	if err := q.client.Stop(ctx); err != nil {
		return q.client.StopAndCancel(context.Background())
	}
	return nil
}

// quiet keeps River's own logging at warnings and above.
func quiet(l *slog.Logger) *slog.Logger {
	if l == nil {
		l = slog.Default()
	}
	return slog.New(levelHandler{slog.LevelWarn, l.Handler()})
}

type levelHandler struct {
	min slog.Level
	slog.Handler
}

func (h levelHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h levelHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return levelHandler{h.min, h.Handler.WithAttrs(attrs)}
}

func (h levelHandler) WithGroup(name string) slog.Handler {
	return levelHandler{h.min, h.Handler.WithGroup(name)}
}
