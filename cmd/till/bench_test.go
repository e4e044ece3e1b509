package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tillhq/till"
	"github.com/tillhq/till/httpapi"
	"github.com/tillhq/till/storetest"
)

// The benchmarks below measure Till as "till serve --workers 0" runs it:
// the store, the image folder, the HTTP API and the job queue in
// insert-only mode, so that every receipt added also enqueues its
// processing in the same transaction. They talk to a real http.Server on
// a loopback port, each for SQLite and, when TILL_TEST_DATABASE_URL is
// set, PostgreSQL. "make bench" runs them; by hand:
//
//	go test -run '^$' -bench . ./cmd/till/

// benchBackend is a database the benchmarks run on.
type benchBackend struct {
	name string
	// fresh returns the settings of an empty store that lives as long as
	// the benchmark.
	fresh func(b *testing.B) storeConfig
}

var benchBackends = []benchBackend{
	{"sqlite", func(b *testing.B) storeConfig {
		return storeConfig{dataDir: b.TempDir()}
	}},
	{"postgres", func(b *testing.B) storeConfig {
		return storeConfig{dataDir: b.TempDir(), databaseURL: storetest.PostgresURL(b)}
	}},
}

// benchServer is Till serving on a loopback port, and a client for it
// that keeps connections alive.
type benchServer struct {
	st     store
	base   string // http://127.0.0.1:port/receipts-service
	client *http.Client
}

// startServer wires Till on sc as runServe does, without OCR workers, and
// stops it when b ends.
func startServer(b *testing.B, sc storeConfig) *benchServer {
	b.Helper()
	// The server outlives b.Context, which ends before the cleanups run.
	ctx := context.Background()
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	svc, err := startService(ctx, sc, workerConfig{workers: 0}, coinConfig{}, log)
	if err != nil {
		b.Fatal(err)
	}
	handler, err := httpapi.New(httpapi.Config{Store: svc, Blobs: svc.blobs, Logger: log})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	go func() { _ = srv.Serve(ln) }()
	transport := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}
	b.Cleanup(func() {
		transport.CloseIdleConnections()
		_ = srv.Shutdown(ctx)
		svc.stop()
	})
	return &benchServer{
		st:     svc.store,
		base:   "http://" + ln.Addr().String() + "/receipts-service",
		client: &http.Client{Transport: transport, Timeout: time.Minute},
	}
}

// do sends a request as the holder of ticket and decodes a 200 or 201
// answer into out, if out is not nil. Any other answer is an error.
func (s *benchServer) do(method, path, ticket, contentType string, body []byte, out any) error {
	req, err := http.NewRequest(method, s.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("authenticateit_identity_ticket", ticket)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, data)
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// addUsers creates n users named prefix-0 … and a ticket for each, through
// the store as "till users add" does, and returns the tickets.
func addUsers(b *testing.B, st store, prefix string, n int) []string {
	b.Helper()
	ctx, now := context.Background(), time.Now()
	tickets := make([]string, n)
	for i := range tickets {
		u, err := till.NewUser(seedUserName(prefix, i), till.RoleUser, nil, now)
		if err != nil {
			b.Fatal(err)
		}
		if err := st.CreateUser(ctx, u); err != nil {
			b.Fatal(err)
		}
		t, err := issueTicket(ctx, st, u.ID, now, time.Hour)
		if err != nil {
			b.Fatal(err)
		}
		tickets[i] = t.Ticket
	}
	return tickets
}

// count returns the number of rows of a table.
func count(b *testing.B, st store, table string) int {
	b.Helper()
	var n int
	if err := st.Writer().QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		b.Fatalf("count %s: %v", table, err)
	}
	return n
}

// percentile returns the p-th percentile of sorted durations in
// milliseconds.
func percentile(sorted []time.Duration, p int) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return float64(sorted[min(len(sorted)*p/100, len(sorted)-1)].Microseconds()) / 1000
}

// benchJPEG is a small receipt-like JPEG to upload.
func benchJPEG(b *testing.B) []byte {
	img := image.NewGray(image.Rect(0, 0, 120, 320))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for y := 20; y < 300; y += 12 {
		for x := 10; x < 110; x++ {
			img.SetGray(x, y, color.Gray{})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// envCount returns the positive number in the environment variable name,
// or def when it is not set.
func envCount(b *testing.B, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		b.Fatalf("%s=%q: want a positive number", name, s)
	}
	return n
}

// BenchmarkAddReceipt measures POST /user/receipt: 500 users, each with a
// ticket and one uploaded image, add TILL_BENCH_ADDS receipts (20,000 by
// default) an op from 64 clients at once over kept-alive connections. It
// reports the throughput (receipts/s) and the latency of one request
// (p50-ms, p99-ms), checks that every answer is 200 and that every
// receipt and its job are stored.
func BenchmarkAddReceipt(b *testing.B) {
	const users, clients = 500, 64
	adds := envCount(b, "TILL_BENCH_ADDS", 20_000)
	photo := benchJPEG(b)
	for _, be := range benchBackends {
		b.Run(be.name, func(b *testing.B) {
			s := startServer(b, be.fresh(b))
			tickets := addUsers(b, s.st, "adder", users)
			bodies := make([][]byte, users)
			for i, t := range tickets {
				var up struct{ URL string }
				if err := s.do("POST", "/user/receipt/images", t, "image/jpeg", photo, &up); err != nil {
					b.Fatal(err)
				}
				bodies[i], _ = json.Marshal(map[string]any{
					"accuracy": "14,45", "longitude": "144974757", "latitude": "-37838094",
					"receipt": []string{up.URL}, "store_id": "53ehdb5e67e67",
					"location_name": "Coles Richmond", "country_iso": "036",
				})
			}

			var took []time.Duration
			var elapsed time.Duration
			total := 0
			for b.Loop() {
				var next atomic.Int64
				var mu sync.Mutex
				var wg sync.WaitGroup
				errs := make(chan error, clients)
				start := time.Now()
				for range clients {
					wg.Go(func() {
						mine := make([]time.Duration, 0, adds/clients+1)
						defer func() {
							mu.Lock()
							took = append(took, mine...)
							mu.Unlock()
						}()
						for {
							i := int(next.Add(1)) - 1
							if i >= adds {
								return
							}
							var out struct{ ID string }
							t := time.Now()
							err := s.do("POST", "/user/receipt", tickets[i%users], "application/json", bodies[i%users], &out)
							mine = append(mine, time.Since(t))
							if err == nil && out.ID == "" {
								err = errors.New("POST /user/receipt answered no id")
							}
							if err != nil {
								errs <- err
								return
							}
						}
					})
				}
				wg.Wait()
				elapsed += time.Since(start)
				close(errs)
				if err := <-errs; err != nil {
					b.Fatal(err)
				}
				total += adds
			}

			if n := count(b, s.st, "receipts"); n != total {
				b.Errorf("%d receipts stored, want %d", n, total)
			}
			if n := count(b, s.st, "river_job"); n != total {
				b.Errorf("%d jobs queued, want %d", n, total)
			}
			slices.Sort(took)
			b.ReportMetric(float64(total)/elapsed.Seconds(), "receipts/s")
			b.ReportMetric(percentile(took, 50), "p50-ms")
			b.ReportMetric(percentile(took, 99), "p99-ms")
		})
	}
}

// BenchmarkUserReads measures a user's reads over HTTP among
// TILL_BENCH_RECEIPTS receipts of TILL_BENCH_USERS users (by default
// 1,000,000 of 10,000), each op for a user drawn at random: the first
// chunk of GET /user/receipt, the chunk after it, and POST /user/search
// with no filter, with a text query and with statuses and a retailer. It
// reports each one's p50-ms and p99-ms.
//
// The receipts are seeded once, by the code of "till dev seed", into a
// database kept for later runs: on SQLite a file under TILL_BENCH_DIR
// (default $TMPDIR/till-bench), on PostgreSQL the schema till_bench of
// TILL_TEST_DATABASE_URL. It is seeded again only when its numbers of
// users and receipts differ from those wanted.
func BenchmarkUserReads(b *testing.B) {
	receipts := envCount(b, "TILL_BENCH_RECEIPTS", 1_000_000)
	users := envCount(b, "TILL_BENCH_USERS", 10_000)
	for _, be := range []struct {
		name   string
		cached func(b *testing.B, receipts, users int) storeConfig
	}{{"sqlite", cachedSQLite}, {"postgres", cachedPostgres}} {
		b.Run(be.name, func(b *testing.B) {
			sc := be.cached(b, receipts, users)
			s := startServer(b, sc)
			if n, m := count(b, s.st, "users"), count(b, s.st, "receipts"); n < users || m != receipts {
				seedCached(b, s.st, receipts, users)
			}
			benchReads(b, s, users)
		})
	}
}

// cachedSQLite returns the settings of the kept SQLite database for the
// given scale.
func cachedSQLite(b *testing.B, receipts, users int) storeConfig {
	dir := os.Getenv("TILL_BENCH_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "till-bench")
	}
	dir = filepath.Join(dir, fmt.Sprintf("sqlite-%d-%d", receipts, users))
	sc := storeConfig{dataDir: dir}
	if st, err := sc.openStore(context.Background()); err == nil {
		var n, m int
		err1 := st.Writer().QueryRow("SELECT count(*) FROM users").Scan(&n)
		err2 := st.Writer().QueryRow("SELECT count(*) FROM receipts").Scan(&m)
		st.Close()
		if err1 == nil && err2 == nil && n >= users && m == receipts {
			return sc
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		b.Fatal(err)
	}
	return sc
}

// benchSchema is the PostgreSQL schema BenchmarkUserReads keeps its
// receipts in.
const benchSchema = "till_bench"

// cachedPostgres returns the settings of the kept PostgreSQL schema,
// emptied first when it does not hold the given scale.
func cachedPostgres(b *testing.B, receipts, users int) storeConfig {
	base := os.Getenv("TILL_TEST_DATABASE_URL")
	if base == "" {
		b.Skip("TILL_TEST_DATABASE_URL is not set; set it to a postgres:// URL to benchmark PostgreSQL")
	}
	ctx := context.Background()
	admin, err := pgxpool.New(ctx, base)
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	var n, m int
	err1 := admin.QueryRow(ctx, "SELECT count(*) FROM "+benchSchema+".users").Scan(&n)
	err2 := admin.QueryRow(ctx, "SELECT count(*) FROM "+benchSchema+".receipts").Scan(&m)
	if err1 != nil || err2 != nil || n < users || m != receipts {
		if _, err := admin.Exec(ctx, "DROP SCHEMA IF EXISTS "+benchSchema+" CASCADE"); err != nil {
			b.Fatal(err)
		}
		if _, err := admin.Exec(ctx, "CREATE SCHEMA "+benchSchema); err != nil {
			b.Fatal(err)
		}
	}
	u, err := url.Parse(base)
	if err != nil {
		b.Fatalf("TILL_TEST_DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", benchSchema)
	u.RawQuery = q.Encode()
	return storeConfig{dataDir: b.TempDir(), databaseURL: u.String()}
}

// seedCached seeds an empty store with the benchmark's users and receipts.
func seedCached(b *testing.B, st store, receipts, users int) {
	b.Helper()
	opts := seedOptions{Users: users, Receipts: receipts, Prefix: "shopper", Now: time.Now(), Rand: rand.New(rand.NewPCG(1, 1))}
	res, err := seedStore(context.Background(), st, opts, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d users in %v and %d receipts in %v (%.0f receipts/s)",
		res.Users, res.UsersTook.Round(time.Millisecond), res.Receipts,
		res.ReceiptsTook.Round(time.Millisecond), res.ReceiptsPerSecond())
}

// benchReads runs the read sub-benchmarks on s for readers picked at
// random among the seeded users.
func benchReads(b *testing.B, s *benchServer, users int) {
	const readers = 200
	ctx, now := context.Background(), time.Now()
	r := rand.New(rand.NewPCG(uint64(now.UnixNano()), 2))
	var tickets, nexts []string // of readers with a second chunk
	for range readers {
		id := till.UserIDFromRef(seedUserName("shopper", r.IntN(users)))
		t, err := issueTicket(ctx, s.st, id, now, time.Hour)
		if err != nil {
			b.Fatal(err)
		}
		var chunk struct{ Next string }
		if err := s.do("GET", "/user/receipt", t.Ticket, "", nil, &chunk); err != nil {
			b.Fatal(err)
		}
		if chunk.Next != "" {
			tickets, nexts = append(tickets, t.Ticket), append(nexts, chunk.Next)
		}
	}
	if len(tickets) == 0 {
		b.Skip("no user has more than one chunk of receipts at this scale")
	}
	search := func(q string) func(i int) error {
		return func(i int) error {
			return s.do("POST", "/user/search", tickets[i], "application/json", []byte(q), nil)
		}
	}
	for _, rd := range []struct {
		name string
		read func(i int) error
	}{
		{"first-chunk", func(i int) error {
			return s.do("GET", "/user/receipt", tickets[i], "", nil, nil)
		}},
		{"next-chunk", func(i int) error {
			return s.do("GET", "/user/receipt?chunk_id="+url.QueryEscape(nexts[i]), tickets[i], "", nil, nil)
		}},
		{"search", search(`{}`)},
		{"search-text", search(`{"search_query":"richmond"}`)},
		{"search-status-retailer", search(`{"status":["COMPLETED","SET_PRODUCTS"],"retailer":"coles","page":1}`)},
	} {
		b.Run(rd.name, func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				t := time.Now()
				if err := rd.read(r.IntN(len(tickets))); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(t))
			}
			slices.Sort(took)
			b.ReportMetric(percentile(took, 50), "p50-ms")
			b.ReportMetric(percentile(took, 99), "p99-ms")
		})
	}
}
