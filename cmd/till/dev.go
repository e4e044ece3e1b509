package main

import (
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tillhq/till"
)

// runDev runs the tools for developing Till: for now, seeding a database
// with made-up users and receipts for trying the service out and for
// measuring it at scale.
func runDev(ctx context.Context, args []string) error {
	usage := func() {
		fmt.Fprint(os.Stderr, `Usage:
  till dev seed --users N --receipts N [--prefix NAME] [--data DIR | --database-url URL]

seed creates N users (role user) named PREFIX-0, PREFIX-1, … and N receipts
spread over them, already processed, with a mix of statuses and retailers
and upload times over the past year. It is for development and benchmarks:
the receipts queue no processing.
`)
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		usage()
		if len(args) == 0 {
			return till.Invalid("command", "dev needs a subcommand: seed")
		}
		return flag.ErrHelp
	}
	if args[0] != "seed" {
		usage()
		return till.Invalid("command", "unknown dev subcommand %q", args[0])
	}
	fs := flag.NewFlagSet("dev seed", flag.ContinueOnError)
	var sc storeConfig
	sc.register(fs)
	opts := seedOptions{Now: time.Now()}
	fs.IntVar(&opts.Users, "users", 1000, "how many users to create")
	fs.IntVar(&opts.Receipts, "receipts", 100_000, "how many receipts to create, spread over the users")
	fs.StringVar(&opts.Prefix, "prefix", "shopper", "start of the users' names; each is followed by -<number>")
	seed := fs.Uint64("seed", 1, "seed of the random field values, for repeatable data")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		usage()
		return till.Invalid("args", "dev seed takes no arguments; got %q", fs.Args())
	}
	opts.Rand = rand.New(rand.NewPCG(*seed, *seed))

	st, err := sc.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := seedStore(ctx, st, opts, os.Stderr)
	if err != nil {
		return err
	}
	fmt.Printf("seeded %s: %d users in %v, %d receipts in %v (%.0f receipts/s)\n",
		sc.backend(), res.Users, res.UsersTook.Round(time.Millisecond),
		res.Receipts, res.ReceiptsTook.Round(time.Millisecond), res.ReceiptsPerSecond())
	return nil
}

// seedOptions says what seedStore creates.
type seedOptions struct {
	Users    int    // at least 1
	Receipts int    // 0 or more
	Prefix   string // users are named Prefix-0, Prefix-1, …
	Now      time.Time
	Rand     *rand.Rand // the field values' randomness
}

// seedUserName returns the name of the i-th seeded user.
func seedUserName(prefix string, i int) string {
	return fmt.Sprintf("%s-%d", prefix, i)
}

// seedResult is what seedStore did and how long it took.
type seedResult struct {
	Users, Receipts         int
	UsersTook, ReceiptsTook time.Duration
}

// ReceiptsPerSecond is the rate at which the receipts were stored.
func (r seedResult) ReceiptsPerSecond() float64 {
	if r.ReceiptsTook <= 0 {
		return 0
	}
	return float64(r.Receipts) / r.ReceiptsTook.Seconds()
}

// seeder is what seeding needs of a store: users one by one, receipts in
// bulk.
type seeder interface {
	CreateUser(ctx context.Context, u *till.User) error
	CreateReceipts(ctx context.Context, receipts []*till.Receipt) error
}

// seedBatch is how many receipts go into one CreateReceipts transaction:
// enough that the commit's wait for the disk is a small share of it, few
// enough that one batch holds the writer for well under a second.
const seedBatch = 5000

// seedStore creates opts.Users users and opts.Receipts receipts in st,
// drawing a progress bar on progress. Receipts are created in the order of
// their upload times, which run from a year before opts.Now to opts.Now,
// so that their seq, their time and their UUIDv7 id all grow together, as
// they do for receipts added over the API. It fails with KindConflict when
// a user of the same name exists.
func seedStore(ctx context.Context, st seeder, opts seedOptions, progress io.Writer) (seedResult, error) {
	if opts.Users < 1 || opts.Receipts < 0 {
		return seedResult{}, till.Invalid("users", "seeding needs at least one user and no negative number of receipts")
	}
	var res seedResult
	start := time.Now()
	bar := newProgressBar(progress, "users", opts.Users)
	ids := make([]string, opts.Users)
	for i := range ids {
		u, err := till.NewUser(seedUserName(opts.Prefix, i), till.RoleUser, nil, opts.Now.AddDate(-1, 0, 0))
		if err != nil {
			return res, err
		}
		if err := st.CreateUser(ctx, u); err != nil {
			return res, fmt.Errorf("seed user %s: %w", u.Name, err)
		}
		ids[i] = u.ID
		bar.set(i + 1)
	}
	bar.done()
	res.Users, res.UsersTook = opts.Users, time.Since(start)

	// One goroutine makes the batches while this one stores them; the
	// store has a single writer on SQLite, and writing batches from
	// several would break the order of seq and time anyway.
	start = time.Now()
	bar = newProgressBar(progress, "receipts", opts.Receipts)
	gen := receiptGen{rand: opts.Rand, userIDs: ids, from: opts.Now.AddDate(-1, 0, 0), to: opts.Now, n: opts.Receipts}
	batches := make(chan []*till.Receipt, 2)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer close(batches)
		for n := 0; n < opts.Receipts; n += seedBatch {
			batch := make([]*till.Receipt, min(seedBatch, opts.Receipts-n))
			for i := range batch {
				batch[i] = gen.receipt(n + i)
			}
			select {
			case batches <- batch:
			case <-ctx.Done():
				return
			}
		}
	}()
	for batch := range batches {
		if err := st.CreateReceipts(ctx, batch); err != nil {
			return res, fmt.Errorf("seed receipts: %w", err)
		}
		res.Receipts += len(batch)
		bar.set(res.Receipts)
	}
	bar.done()
	res.ReceiptsTook = time.Since(start)
	return res, ctx.Err()
}

// receiptGen makes plausible receipts: Australian shops, mostly processed
// to the end, some waiting for the user or failed.
type receiptGen struct {
	rand     *rand.Rand
	userIDs  []string
	from, to time.Time
	n        int // receipts in all, to spread the times
}

// seedRetailer is a chain receipts may come from, with its weight.
type seedRetailer struct {
	id, name string
	weight   int
}

var seedRetailers = []seedRetailer{
	{"woolworths", "Woolworths", 30}, {"coles", "Coles", 28}, {"aldi", "ALDI", 15},
	{"iga", "IGA", 8}, {"kmart", "Kmart", 6}, {"bunnings", "Bunnings Warehouse", 5},
	{"chemist-warehouse", "Chemist Warehouse", 5}, {"dan-murphys", "Dan Murphy's", 3},
}

var seedSuburbs = []struct {
	name     string
	lat, lon float64
}{
	{"Richmond", -37.8182, 144.9983}, {"Fitzroy", -37.7998, 144.9784}, {"Carlton", -37.8001, 144.9671},
	{"St Kilda", -37.8676, 144.9801}, {"Brunswick", -37.7670, 144.9620}, {"Footscray", -37.8000, 144.9000},
	{"Bondi Junction", -33.8914, 151.2478}, {"Parramatta", -33.8150, 151.0011}, {"Newtown", -33.8981, 151.1749},
	{"Chatswood", -33.7967, 151.1800}, {"Fortitude Valley", -27.4570, 153.0340}, {"Toowong", -27.4848, 152.9925},
	{"Fremantle", -32.0569, 115.7439}, {"Subiaco", -31.9485, 115.8268}, {"Glenelg", -34.9800, 138.5150},
	{"Norwood", -34.9213, 138.6312}, {"Hobart", -42.8821, 147.3272}, {"Belconnen", -35.2383, 149.0658},
}

// seedStatuses are the statuses of seeded receipts with their weights: no
// receipt is left INITIAL or pending, since no job is queued for them.
var seedStatuses = []struct {
	status till.Status
	weight int
}{
	{till.StatusCompleted, 72}, {till.StatusSetRetailers, 5}, {till.StatusSetProducts, 6},
	{till.StatusUnrecognized, 8}, {till.StatusFailed, 5}, {till.StatusHidden, 4},
}

// pick returns an index into a list whose weights w returns, drawn in
// proportion to them.
func pick(r *rand.Rand, n int, w func(i int) int) int {
	total := 0
	for i := range n {
		total += w(i)
	}
	x := r.IntN(total)
	for i := range n {
		if x -= w(i); x < 0 {
			return i
		}
	}
	return n - 1
}

// receipt returns the i-th receipt of g.n, uploaded at the i-th of g.n
// evenly spaced moments between g.from and g.to, give or take some jitter
// that keeps the order.
func (g *receiptGen) receipt(i int) *till.Receipt {
	r := g.rand
	step := g.to.Sub(g.from) / time.Duration(max(g.n, 1))
	created := g.from.Add(step * time.Duration(i))
	if step > time.Millisecond {
		created = created.Add(time.Duration(r.Int64N(int64(step))))
	}
	created = created.UTC().Truncate(time.Microsecond)
	sub := seedSuburbs[r.IntN(len(seedSuburbs))]
	rec := &till.Receipt{
		ID:         uuidV7At(r, created, i).String(),
		UserID:     g.userIDs[r.IntN(len(g.userIDs))],
		Accuracy:   strings.Replace(fmt.Sprintf("%.10f", 3+r.Float64()*30), ".", ",", 1),
		Latitude:   fmt.Sprint(int64((sub.lat + (r.Float64()-0.5)/50) * 1e6)),
		Longitude:  fmt.Sprint(int64((sub.lon + (r.Float64()-0.5)/50) * 1e6)),
		StoreID:    fmt.Sprintf("%013x", r.Uint64()>>12),
		CountryISO: "036",
		ClientIP:   fmt.Sprintf("203.%d.%d.%d", r.IntN(256), r.IntN(256), 1+r.IntN(254)),
		CreatedAt:  created,
		UpdatedAt:  created.Add(time.Duration(1+r.IntN(30)) * time.Second),
	}
	rec.Images = []string{fmt.Sprintf("https://till.example.com/receipts-service/images/%s/%s.jpg", created.Format("2006/01/02"), rec.ID)}
	rec.Status = seedStatuses[pick(r, len(seedStatuses), func(i int) int { return seedStatuses[i].weight })].status
	rt := seedRetailers[pick(r, len(seedRetailers), func(i int) int { return seedRetailers[i].weight })]
	rec.LocationName = rt.name + " " + sub.name
	rec.OCRDone = true
	switch rec.Status {
	case till.StatusFailed:
		rec.OCRDone = false
		rec.StatusReason = "the image could not be decoded"
		return rec
	case till.StatusUnrecognized:
		rec.StatusReason = "no receipt was found in the image"
		return rec
	case till.StatusSetRetailers:
		return rec // the user is asked for the retailer
	}
	rec.RetailerID, rec.RetailerName = rt.id, rt.name
	rec.ReceiptCode = fmt.Sprintf("%04d-%03d-%06d", r.IntN(10000), r.IntN(100), r.IntN(1_000_000))
	issued := created.Add(-time.Duration(r.IntN(3*24*60)) * time.Minute).Truncate(time.Minute)
	rec.IssuedAt = &issued
	rec.Total = fmt.Sprintf("%d.%02d", 2+r.IntN(250), r.IntN(100))
	rec.RecognizedItems = 1 + r.IntN(25)
	if rec.Status == till.StatusSetProducts {
		rec.UnrecognizedItems = 1 + r.IntN(4)
	}
	return rec
}

// uuidV7At returns a version 7 UUID whose timestamp is t and whose next
// twelve bits are the low bits of i, so that ids of receipts made in the
// same millisecond still sort in the order they were made in; the rest is
// random.
func uuidV7At(r *rand.Rand, t time.Time, i int) uuid.UUID {
	var u uuid.UUID
	binary.BigEndian.PutUint64(u[8:], r.Uint64())
	ms := uint64(t.UnixMilli())
	binary.BigEndian.PutUint64(u[0:8], ms<<16|uint64(i&0xfff))
	u[6] = 0x70 | u[6]&0x0f // version 7
	u[8] = 0x80 | u[8]&0x3f // RFC 9562 variant
	return u
}

// progressBar draws "label [#####.....] 50% 500/1000 1234/s" on one line of
// a terminal, at most a few times a second.
type progressBar struct {
	w      io.Writer
	label  string
	total  int
	start  time.Time
	last   time.Time
	finish int
}

func newProgressBar(w io.Writer, label string, total int) *progressBar {
	return &progressBar{w: w, label: label, total: total, start: time.Now()}
}

// set records that n of the total are done, redrawing when the last
// drawing is old enough.
func (p *progressBar) set(n int) {
	p.finish = n
	if now := time.Now(); now.Sub(p.last) >= 200*time.Millisecond || n == p.total {
		p.last = now
		p.draw(n)
	}
}

func (p *progressBar) draw(n int) {
	const width = 30
	frac := 1.0
	if p.total > 0 {
		frac = float64(n) / float64(p.total)
	}
	filled := int(frac * width)
	rate := float64(n) / max(time.Since(p.start).Seconds(), 1e-9)
	fmt.Fprintf(p.w, "\r%-8s [%s%s] %3.0f%% %d/%d %.0f/s ", p.label,
		strings.Repeat("#", filled), strings.Repeat(".", width-filled), frac*100, n, p.total, rate)
}

// done draws the final state and ends the line.
func (p *progressBar) done() {
	p.draw(p.finish)
	fmt.Fprintln(p.w)
}
