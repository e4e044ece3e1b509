package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"time"

	"github.com/tillhq/till"
	"github.com/tillhq/till/catalog"
	"github.com/tillhq/till/coins"
	"github.com/tillhq/till/imaging"
	"github.com/tillhq/till/ocr"
	"github.com/tillhq/till/pipeline"
)

// workerConfig says how receipts are processed: how many at once, and with
// which Tesseract models. serve and worker share it.
type workerConfig struct {
	workers  int
	langs    string
	tessdata string
	match    matchConfig
}

func (c *workerConfig) register(fs *flag.FlagSet, defWorkers int) {
	fs.IntVar(&c.workers, "workers", int(envInt("TILL_WORKERS", int64(defWorkers))),
		"receipts processed at once, one OCR engine each (env TILL_WORKERS)")
	fs.StringVar(&c.langs, "langs", envOr("TILL_OCR_LANGS", ocr.DefaultLangs), "Tesseract `languages`, such as eng or eng+deu (env TILL_OCR_LANGS)")
	fs.StringVar(&c.tessdata, "tessdata", os.Getenv("TILL_TESSDATA"), "`folder` of Tesseract models to prefer, such as the best_int ones from scripts/tessdata.sh (env TILL_TESSDATA)")
	c.match.register(fs)
}

// matchConfig holds the thresholds that split item matches into accepted,
// asked of the user and unmatched.
type matchConfig struct{ accept, validate float64 }

func (c *matchConfig) register(fs *flag.FlagSet) {
	fs.Float64Var(&c.accept, "match-accept", envFloat("TILL_MATCH_ACCEPT", catalog.DefaultAutoAccept),
		"`confidence` from which an item's product is accepted without asking (env TILL_MATCH_ACCEPT)")
	fs.Float64Var(&c.validate, "match-validate", envFloat("TILL_MATCH_VALIDATE", catalog.DefaultNeedsValidation),
		"`confidence` from which an item's likely product is asked of the user; below it the item is unmatched (env TILL_MATCH_VALIDATE)")
}

// config checks the thresholds and returns them as the catalogue's.
func (c matchConfig) config() (catalog.Config, error) {
	if !(c.validate > 0 && c.validate <= c.accept && c.accept <= 1) {
		return catalog.Config{}, till.Invalid("match-validate", "want 0 < --match-validate <= --match-accept <= 1; got %g and %g", c.validate, c.accept)
	}
	return catalog.Config{AutoAccept: c.accept, NeedsValidation: c.validate}, nil
}

// coinConfig says how coins are earned: serve reports the daily limit the
// workers award under, so both take the same settings.
type coinConfig struct {
	dailyLimit      coinsFlag
	itemCoins       coinsFlag
	catalogueMaxAge time.Duration
}

func (c *coinConfig) register(fs *flag.FlagSet) {
	c.dailyLimit.setDefault("daily-coin-limit", os.Getenv("TILL_DAILY_COIN_LIMIT"))
	fs.Var(&c.dailyLimit, "daily-coin-limit", "most `coins` a user earns in one local day, such as 100 or 2.5, unless the user has a limit of their own; 0 means none (env TILL_DAILY_COIN_LIMIT)")
	c.itemCoins.setDefault("item-coins", os.Getenv("TILL_ITEM_COINS"))
	fs.Var(&c.itemCoins, "item-coins", "`coins` each matched line earns when its product's brand has no rates of its own; 0 means nothing (env TILL_ITEM_COINS)")
	fs.DurationVar(&c.catalogueMaxAge, "catalogue-refresh", envDuration("TILL_CATALOGUE_REFRESH", pipeline.DefaultCatalogueMaxAge),
		"how soon catalogue changes reach processing: the index is rebuilt when older (env TILL_CATALOGUE_REFRESH)")
}

// rules are the default earning rules the settings give.
func (c *coinConfig) rules() []till.EarningRule {
	if c.itemCoins.v.IsZero() {
		return nil
	}
	return []till.EarningRule{{Basis: till.PerItem, Rate: c.itemCoins.v}}
}

// coinsFlag is a number of coins, such as 100 or 0.25, held in units.
type coinsFlag struct{ v till.Coins }

func (f *coinsFlag) String() string { return formatCoins(f.v) }

func (f *coinsFlag) Set(s string) error {
	v, err := parseCoins(s)
	if err != nil {
		return err
	}
	f.v = v
	return nil
}

// setDefault sets the flag from its environment variable, when set; a bad
// value is reported and ignored, as for the other variables.
func (f *coinsFlag) setDefault(name, env string) {
	if env == "" {
		return
	}
	if err := f.Set(env); err != nil {
		fmt.Fprintf(os.Stderr, "till: ignoring the environment's %s: %v\n", name, err)
	}
}

// service is what serve and worker both run on: the database, the image
// folder and the job queue.
type service struct {
	store
	blobs till.BlobStore
	stop  func() // stops the queue, letting running receipts finish, then closes the store
}

// startService opens the store and the image folder and starts the job
// queue on them (see startQueue).
func startService(ctx context.Context, sc storeConfig, wc workerConfig, cc coinConfig, log *slog.Logger) (*service, error) {
	st, err := sc.openStore(ctx)
	if err != nil {
		return nil, err
	}
	blobs, err := sc.openBlobs()
	if err != nil {
		st.Close()
		return nil, err
	}
	stopQueue, err := startQueue(ctx, st, blobs, wc, cc, log)
	if err != nil {
		st.Close()
		return nil, err
	}
	return &service{store: st, blobs: blobs, stop: func() {
		stopQueue()
		st.Close()
	}}, nil
}

// startQueue opens the job queue on st. With workers > 0 it loads that many
// OCR engines and starts processing; with none it only enqueues, for
// servers whose receipts other processes ("till worker") work. Either way
// CreateReceipt enqueues each new receipt in its own transaction. stop
// drains the running jobs, then frees the engines.
func startQueue(ctx context.Context, st store, blobs till.BlobStore, wc workerConfig, cc coinConfig, log *slog.Logger) (stop func(), err error) {
	cfg := pipeline.QueueConfig{DB: st.Writer(), Workers: wc.workers, Log: log}
	if st.pg != nil {
		cfg.Listener = st.pg.Pool()
	}
	var pool *ocr.Pool
	if wc.workers > 0 {
		match, err := wc.match.config()
		if err != nil {
			return nil, err
		}
		pool, err = ocr.NewPool(ocr.Config{Size: wc.workers, Langs: wc.langs, TessdataDir: wc.tessdata})
		if err != nil {
			return nil, fmt.Errorf("OCR engines: %w", err)
		}
		cfg.Processor = &pipeline.Processor{
			Store:  st,
			Blobs:  blobs,
			Reader: pipeline.NewReader(pool),
			Decode: imaging.DecodeOptions{},
			Catalogue: &pipeline.Catalogue{
				Store: st, Config: match, DefaultRules: cc.rules(), MaxAge: cc.catalogueMaxAge, Log: log,
			},
			Ledger: &coins.Ledger{Store: st, DailyLimit: cc.dailyLimit.v},
			Now:    time.Now,
			Log:    log,
		}
	}
	q, err := pipeline.NewQueue(ctx, cfg)
	if err != nil {
		if pool != nil {
			pool.Close()
		}
		return nil, err
	}
	st.OnProcess(q.Enqueue)
	if pool == nil {
		return func() {}, nil
	}
	// Jobs run on their own context: a signal stops the queue through
	// stop, which lets the running receipts finish first.
	if err := q.Start(context.WithoutCancel(ctx)); err != nil {
		pool.Close()
		return nil, fmt.Errorf("start job queue: %w", err)
	}
	log.Info("processing receipts", "workers", wc.workers, "ocr_models", pool.Models())
	return func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if err := q.Stop(stopCtx); err != nil {
			log.Warn("job queue stop", "err", err)
		}
		pool.Close()
	}, nil
}

// runWorker processes receipts without serving HTTP: the scale-out shape,
// with servers started with --workers 0 and as many workers as there are
// machines to read receipts on.
func runWorker(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	var sc storeConfig
	sc.register(fs)
	var wc workerConfig
	wc.register(fs, runtime.NumCPU())
	var cc coinConfig
	cc.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if wc.workers < 1 {
		return fmt.Errorf("worker: --workers must be at least 1")
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	svc, err := startService(ctx, sc, wc, cc, log)
	if err != nil {
		return err
	}
	log.Info("till worker running", "backend", sc.backend())
	<-ctx.Done()
	log.Info("till worker stopping")
	svc.stop()
	return nil
}
