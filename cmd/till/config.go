package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tillhq/till"
	"github.com/tillhq/till/blob"
	"github.com/tillhq/till/postgres"
	"github.com/tillhq/till/sqlite"
	"github.com/tillhq/till/sqlstore"
)

// storeConfig says where Till keeps its state. Every subcommand that touches
// the store takes the same flags and environment variables, so a command
// run beside a server works on the server's data.
type storeConfig struct {
	dataDir     string // TILL_DATA_DIR: SQLite file and image folder
	databaseURL string // TILL_DATABASE_URL: PostgreSQL instead of SQLite
}

func (c *storeConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.dataDir, "data", envOr("TILL_DATA_DIR", "till-data"),
		"`directory` for the SQLite database and images (env TILL_DATA_DIR)")
	fs.StringVar(&c.databaseURL, "database-url", os.Getenv("TILL_DATABASE_URL"),
		"PostgreSQL `URL` (postgres://…); empty means SQLite in the data directory (env TILL_DATABASE_URL)")
}

// backend names the database in use, for logs.
func (c *storeConfig) backend() string {
	if c.usePostgres() {
		return "postgres"
	}
	return "sqlite"
}

func (c *storeConfig) usePostgres() bool {
	return strings.HasPrefix(c.databaseURL, "postgres://") || strings.HasPrefix(c.databaseURL, "postgresql://")
}

// store is an open database: the storage contract, and on PostgreSQL the
// pgx pool the job queue listens on.
type store struct {
	*sqlstore.Store
	pg *postgres.Store // nil on SQLite
}

// Close closes the database and, on PostgreSQL, its pool.
func (s store) Close() error {
	if s.pg != nil {
		return s.pg.Close()
	}
	return s.Store.Close()
}

// openStore opens the database, applying any pending migrations.
func (c *storeConfig) openStore(ctx context.Context) (store, error) {
	if c.databaseURL != "" && !c.usePostgres() {
		return store{}, till.Invalid("database-url", "TILL_DATABASE_URL must start with postgres:// or postgresql://")
	}
	if c.usePostgres() {
		pg, err := postgres.Open(ctx, c.databaseURL)
		if err != nil {
			return store{}, err
		}
		return store{Store: pg.Store, pg: pg}, nil
	}
	if err := os.MkdirAll(c.dataDir, 0o750); err != nil {
		return store{}, fmt.Errorf("create data directory: %w", err)
	}
	st, err := sqlite.Open(ctx, filepath.Join(c.dataDir, "till.db"))
	return store{Store: st}, err
}

// openBlobs opens the image store: a folder in the data directory.
func (c *storeConfig) openBlobs() (*blob.Dir, error) {
	return blob.NewDir(filepath.Join(c.dataDir, "images"))
}

// parseInterspersed parses fs allowing flags after positional arguments
// ("till users add alice --role user"), and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		fmt.Fprintf(os.Stderr, "till: ignoring %s=%q: want a positive duration such as 720h\n", name, v)
		return def
	}
	return d
}

func envInt(name string, def int64) int64 {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		fmt.Fprintf(os.Stderr, "till: ignoring %s=%q: want a positive integer\n", name, v)
		return def
	}
	return n
}

func envFloat(name string, def float64) float64 {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f <= 0 || f > 1 {
		fmt.Fprintf(os.Stderr, "till: ignoring %s=%q: want a number above 0 and at most 1\n", name, v)
		return def
	}
	return f
}

// listFlag collects a repeatable or comma-separated flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// parseCoins reads a number of coins written as a decimal, such as 100 or
// 0.25, into units (1 coin is 10^18 units).
func parseCoins(s string) (till.Coins, error) {
	s = strings.TrimSpace(s)
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 18 || strings.Trim(whole, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" {
		return till.Coins{}, fmt.Errorf("want a number of coins such as 100 or 0.25 (at most 18 decimals); got %q", s)
	}
	return till.ParseCoins("coins", whole+frac+strings.Repeat("0", 18-len(frac)))
}

// formatCoins writes units as a decimal number of coins.
func formatCoins(c till.Coins) string {
	u := c.String()
	if len(u) <= 18 {
		u = strings.Repeat("0", 19-len(u)) + u
	}
	whole, frac := u[:len(u)-18], strings.TrimRight(u[len(u)-18:], "0")
	if frac == "" {
		return whole
	}
	return whole + "." + frac
}
