package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tillhq/till/pipeline"
)

// runMigrate applies the embedded migrations, Till's and the job queue's.
// Opening the store and starting the queue apply them too, so this is for
// deployments that migrate before rolling out servers.
func runMigrate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	var sc storeConfig
	sc.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := sc.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	var listener *pgxpool.Pool
	if st.pg != nil {
		listener = st.pg.Pool()
	}
	if err := pipeline.Migrate(ctx, st.Writer(), listener, nil); err != nil {
		return err
	}
	fmt.Printf("%s database is up to date\n", sc.backend())
	return nil
}
