package main

import (
	"context"
	"flag"
	"fmt"
)

// runMigrate applies the embedded migrations. Opening the store applies
// them, so this is for deployments that migrate before rolling out servers.
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
	fmt.Printf("%s database is up to date\n", sc.backend())
	return nil
}
