// Command till is the receipt-scanning loyalty service: one binary that
// serves the HTTP APIs, runs the processing workers and manages users.
//
// Run "till help" for the subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/tillhq/till"
	"github.com/tillhq/till/ocr"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// command is one subcommand. run gets the arguments after the command name.
type command struct {
	name    string
	args    string // usage after the name
	summary string
	run     func(ctx context.Context, args []string) error
}

// commands lists every subcommand, in the order "till help" shows them.
var commands []*command

func init() {
	commands = []*command{
		{"serve", "[flags]", "run the HTTP API and the processing workers", runServe},
		{"worker", "[flags]", "process receipts without serving HTTP (scale-out)", runWorker},
		{"migrate", "[flags]", "apply the embedded database migrations and exit", runMigrate},
		{"users", "add|ticket|revoke ...", "create users and issue or revoke their tickets", runUsers},
		{"scan", "[--json] IMAGE...", "read receipt images and print what is extracted", runScan},
		{"eval", "DIR...", "score extraction against labelled receipt folders", runEval},
		{"catalog", "import|eval ...", "load the catalogue from CSV or JSON Lines, or measure item matching", runCatalog},
		{"dev", "seed [flags]", "fill a database with made-up users and receipts", runDev},
		{"version", "", "print the version", runVersion},
		{"help", "[command]", "show help", runHelp},
	}
}

func main() {
	if err := ocr.EnsureThreadLimit(); err != nil {
		fmt.Fprintln(os.Stderr, "till: OCR will be slow:", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "till:", errorText(err))
		os.Exit(exitCode(err))
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		usage(os.Stderr)
		return errors.New("no command given")
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(ctx, args[1:])
		}
	}
	if args[0] == "-h" || args[0] == "--help" {
		usage(os.Stdout)
		return nil
	}
	usage(os.Stderr)
	return fmt.Errorf("unknown command %q", args[0])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Till: receipt-scanning loyalty service.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: till <command> [arguments]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-32s %s\n", strings.TrimSpace(c.name+" "+c.args), c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, `Run "till help <command>" or "till <command> -h" for a command's flags.`)
}

func runHelp(ctx context.Context, args []string) error {
	if len(args) == 0 {
		usage(os.Stdout)
		return nil
	}
	for _, c := range commands {
		if c.name == args[0] && c.name != "help" {
			return c.run(ctx, []string{"-h"})
		}
	}
	return fmt.Errorf("unknown command %q", args[0])
}

func runVersion(context.Context, []string) error {
	fmt.Println("till", version)
	return nil
}

// errorText renders err for a terminal: the client message of a classified
// error, or the whole chain otherwise.
func errorText(err error) string {
	if k := till.ErrorKind(err); k != till.KindInternal {
		msg, _ := till.ErrorMessage(err)
		return msg
	}
	return err.Error()
}

// exitCode is 2 for usage errors and 1 for everything else.
func exitCode(err error) int {
	if till.ErrorKind(err) == till.KindInvalid {
		return 2
	}
	return 1
}
