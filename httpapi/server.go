// Package httpapi serves Till's receipts-service API over net/http: the
// user endpoints of spec/receipts-service-api.txt, image upload and
// download, user administration, and the operational endpoints (/healthz,
// /readyz, /metrics, /openapi.json).
//
// Every route is registered in one table, in routes.go; every error is
// turned into a status code in one table, in errors.go. docs/api.md is the
// reference for clients, and httpapi/openapi.json describes the same API.
package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tillhq/till"
	"github.com/tillhq/till/coins"
)

// The defaults New applies to zero Config fields.
const (
	DefaultTicketTTL     = 30 * 24 * time.Hour
	DefaultMaxBodyBytes  = 1 << 20
	DefaultMaxImageBytes = 20 << 20
)

// Config configures the API. Store and Blobs are required; every other
// field has a default.
type Config struct {
	// Store keeps users, tickets, receipts and image records.
	Store till.Store
	// Blobs keeps image bytes, under the keys of the image records.
	Blobs till.BlobStore
	// DailyCoinLimit is the daily coin limit the user coin endpoints
	// report for users without a limit of their own; zero means none. It
	// should be the limit the awards are made under (coins.Ledger).
	DailyCoinLimit till.Coins
	// Logger receives one access-log record per request, every record
	// carrying the request id, and the cause of every 5xx answer. Give it
	// a slog.JSONHandler for JSON lines. Default: slog.Default().
	Logger *slog.Logger
	// Now tells the time for tickets, receipts and image keys. Default:
	// time.Now.
	Now func() time.Time
	// TicketTTL is the lifetime of the tickets the admin endpoints issue.
	// Default: DefaultTicketTTL.
	TicketTTL time.Duration
	// MaxBodyBytes caps JSON request bodies; a larger body is answered 413.
	// Default: DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxImageBytes caps an uploaded or fetched image; a larger one is
	// answered 413. Default: DefaultMaxImageBytes.
	MaxImageBytes int64
	// ImageHosts lists the hosts ("cdn.example.com", or "host:port" to pin
	// a port) whose image URLs a new receipt may carry. Till fetches such
	// an image when the receipt is added and keeps a copy. Image URLs on
	// any other host, except this server's own image URLs, are refused.
	ImageHosts []string
	// PublicURL is the base URL clients reach this server at, such as
	// "https://till.example.com"; image URLs are built on it. Empty means
	// each request's own scheme and Host header, which is fine behind no
	// proxy but lets a client choose the host of its image URLs.
	PublicURL string
	// TrustProxy makes Till believe X-Forwarded-For (its last address is
	// the client IP) and X-Forwarded-Proto and X-Forwarded-Host (for image
	// URLs when PublicURL is empty). Set it only behind a proxy that
	// overwrites those headers.
	TrustProxy bool
	// DialControl vets every address Till connects to when it fetches a
	// remote image, after name resolution. Default: refuse loopback,
	// private, link-local, unspecified, multicast and other non-public
	// addresses. Tests replace it to reach servers on 127.0.0.1.
	DialControl func(network, address string, c syscall.RawConn) error
}

// server holds the configuration with its defaults applied and the state
// shared by all requests.
type server struct {
	store       till.Store
	blobs       till.BlobStore
	logger      *slog.Logger
	now         func() time.Time
	ticketTTL   time.Duration
	maxBody     int64
	maxImage    int64
	imageHosts  []string
	publicURL   *url.URL // nil: derive from the request
	trustProxy  bool
	fetchClient *http.Client
	mux         *http.ServeMux
	metrics     *metrics
	methods     []string // the methods some route serves
	ledger      *coins.Ledger
}

// New returns the API as an http.Handler. It fails with KindInvalid when
// Store or Blobs is missing or PublicURL is not an absolute http(s) URL.
//
// The handler starts no goroutines and holds nothing that needs closing:
// http.Server.Shutdown drains the requests in flight (a remote image fetch
// ends with its request's context), after which the caller closes Store.
func New(cfg Config) (http.Handler, error) {
	if cfg.Store == nil {
		return nil, till.Invalid("Store", "httpapi: Config.Store is required")
	}
	if cfg.Blobs == nil {
		return nil, till.Invalid("Blobs", "httpapi: Config.Blobs is required")
	}
	s := &server{
		store:      cfg.Store,
		blobs:      cfg.Blobs,
		logger:     cfg.Logger,
		now:        cfg.Now,
		ticketTTL:  cfg.TicketTTL,
		maxBody:    cfg.MaxBodyBytes,
		maxImage:   cfg.MaxImageBytes,
		trustProxy: cfg.TrustProxy,
	}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.ticketTTL <= 0 {
		s.ticketTTL = DefaultTicketTTL
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	if s.maxImage <= 0 {
		s.maxImage = DefaultMaxImageBytes
	}
	for _, h := range cfg.ImageHosts {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			s.imageHosts = append(s.imageHosts, h)
		}
	}
	if cfg.PublicURL != "" {
		u, err := url.Parse(strings.TrimRight(cfg.PublicURL, "/"))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			return nil, till.Invalid("PublicURL", "httpapi: PublicURL must be an absolute http or https URL without query, such as https://till.example.com; got %q", cfg.PublicURL)
		}
		s.publicURL = u
	}
	control := cfg.DialControl
	if control == nil {
		control = refuseNonPublic
	}
	s.fetchClient = s.newFetchClient(control)
	s.metrics = newMetrics()
	s.ledger = &coins.Ledger{Store: s.store, DailyLimit: cfg.DailyCoinLimit, Now: s.now}
	s.mux = http.NewServeMux()
	s.register()
	return s, nil
}

// requestInfo follows a request through the handlers, so that the access
// log can name the user that the route's authentication found.
type requestInfo struct {
	id     string
	userID string
}

type requestInfoKey struct{}

// info returns the requestInfo ServeHTTP put in ctx, or an empty one.
func info(ctx context.Context) *requestInfo {
	if ri, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		return ri
	}
	return &requestInfo{}
}

// log returns the logger for r's handling, carrying its request id.
func (s *server) log(r *http.Request) *slog.Logger {
	return s.logger.With("request_id", info(r.Context()).id)
}

// requestIDRE is what an X-Request-Id from a client must look like for Till
// to adopt it; anything else is replaced by a fresh id.
var requestIDRE = regexp.MustCompile(`^[A-Za-z0-9._:+=/-]{1,128}$`)

// ServeHTTP is the outermost layer: it assigns the request id, recovers
// panics as 500s, and writes the access log and the metrics once the
// route's handler is done.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	ri := &requestInfo{id: r.Header.Get("X-Request-Id")}
	if !requestIDRE.MatchString(ri.id) {
		ri.id = uuid.NewString()
	}
	w.Header().Set("X-Request-Id", ri.id)
	r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, ri))
	sw := &statusWriter{ResponseWriter: w}

	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.log(r).Error("panic", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if !sw.wroteHeader {
				s.writeError(sw, r, errors.New("panic"))
			}
		}
		status := sw.status
		if !sw.wroteHeader {
			status = http.StatusOK
		}
		route := routeLabel(r.Pattern)
		elapsed := time.Since(start)
		method := r.Method
		if !slices.Contains(s.methods, method) {
			method = "OTHER" // keeps made-up methods out of the metric labels
		}
		s.metrics.observe(route, method, status, elapsed)
		s.logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("request_id", ri.id),
			slog.String("method", r.Method),
			slog.String("route", route),
			slog.Int("status", status),
			slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
			slog.Int64("bytes", sw.bytes),
			slog.String("user_id", ri.userID),
		)
	}()
	s.mux.ServeHTTP(sw, r)
}

// routeLabel turns a ServeMux pattern such as "GET /receipts-service/user/
// receipt/{id}" into its path part, the route label of logs and metrics.
// Requests that matched no route share the label "unmatched".
func routeLabel(pattern string) string {
	if pattern == "" || pattern == "/" {
		return "unmatched"
	}
	if _, path, ok := strings.Cut(pattern, " "); ok {
		return path
	}
	return pattern
}

// statusWriter records the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
	bytes       int64
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.status, w.wroteHeader = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.status, w.wroteHeader = http.StatusOK, true
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// metrics are the API's Prometheus series, on a registry of their own so
// that several handlers (as in tests) never clash.
type metrics struct {
	handler  http.Handler // serves the registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics() *metrics {
	registry := prometheus.NewRegistry()
	m := &metrics{
		handler: promhttp.HandlerFor(registry, promhttp.HandlerOpts{}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "till_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "till_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by route pattern, method and status code.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route", "method", "code"}),
	}
	registry.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) observe(route, method string, status int, elapsed time.Duration) {
	code := fmt.Sprint(status)
	m.requests.WithLabelValues(route, method, code).Inc()
	m.duration.WithLabelValues(route, method, code).Observe(elapsed.Seconds())
}
