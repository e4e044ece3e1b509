package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/tillhq/till/httpapi"
)

func runServe(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var sc storeConfig
	sc.register(fs)
	addr := fs.String("addr", envOr("TILL_ADDR", "127.0.0.1:8080"), "`host:port` to listen on (env TILL_ADDR)")
	var wc workerConfig
	wc.register(fs, runtime.NumCPU())
	var cc coinConfig
	cc.register(fs)
	publicURL := fs.String("public-url", os.Getenv("TILL_PUBLIC_URL"), "base `URL` clients reach this server at, for image links (env TILL_PUBLIC_URL; default: from each request)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))

	svc, err := startService(ctx, sc, wc, cc, log)
	if err != nil {
		return err
	}
	defer svc.stop()

	handler, err := httpapi.New(httpapi.Config{
		Store:          svc,
		Blobs:          svc.blobs,
		DailyCoinLimit: cc.dailyLimit.v,
		Logger:         log,
		PublicURL:      *publicURL,
		TicketTTL:      envDuration("TILL_TICKET_TTL", defaultTicketTTL),
		MaxImageBytes:  envInt("TILL_MAX_IMAGE_BYTES", 20<<20),
		ImageHosts:     splitList(os.Getenv("TILL_IMAGE_HOSTS")),
	})
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("till serving", "addr", ln.Addr().String(), "backend", sc.backend(), "data", sc.dataDir, "version", version)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}

	// SIGTERM or SIGINT: stop taking connections, let requests in flight
	// finish, then let the receipts being read finish and close the store
	// (svc.stop).
	log.Info("till shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("till stopped")
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		out = append(out, strings.ToLower(f))
	}
	return out
}
