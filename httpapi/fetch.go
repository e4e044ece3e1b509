package httpapi

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/tillhq/till"
)

// Limits of fetching a remote image.
const (
	fetchTimeout = 10 * time.Second // the whole fetch, redirects and body included
	maxRedirects = 3
)

// refusedAddrError is DialControl's refusal of an address.
type refusedAddrError struct{ addr netip.Addr }

func (e *refusedAddrError) Error() string {
	return fmt.Sprintf("refusing to connect to %s: not a public address", e.addr)
}

// nonPublic lists the ranges, beyond those netip.Addr classifies, that a
// fetch must not reach: shared address space (carrier NAT, some clouds'
// metadata services), "this network", benchmarking, reserved, and NAT64,
// which would reach any IPv4 address through a translator.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
}

// refuseNonPublic is the default Config.DialControl: it refuses loopback,
// private, link-local, unspecified, multicast and the nonPublic addresses,
// so that a remote image URL cannot reach Till's own network, whatever its
// host name resolves to and wherever it redirects.
func refuseNonPublic(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("refusing to connect to %q: %w", address, err)
	}
	a := ap.Addr().Unmap()
	if !a.IsGlobalUnicast() || a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() ||
		a.IsUnspecified() || a.IsMulticast() {
		return &refusedAddrError{a}
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return &refusedAddrError{a}
		}
	}
	return nil
}

// newFetchClient returns the client for remote images: every connection
// vetted by control, no proxy (a proxy would connect for us, unvetted), a
// time limit on the whole fetch, and redirects only to ImageHosts.
func (s *server) newFetchClient(control func(network, address string, c syscall.RawConn) error) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second, Control: control}
	return &http.Client{
		Timeout: fetchTimeout,
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           dialer.DialContext,
			ForceAttemptHTTP2:     true,
			TLSHandshakeTimeout:   5 * time.Second,
			ResponseHeaderTimeout: fetchTimeout,
			MaxIdleConns:          16,
			IdleConnTimeout:       30 * time.Second,
		},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > maxRedirects {
				return errTooManyRedirects
			}
			if (req.URL.Scheme != "http" && req.URL.Scheme != "https") || !s.imageHostAllowed(req.URL) {
				return &redirectError{req.URL.Host}
			}
			return nil
		},
	}
}

var errTooManyRedirects = errors.New("too many redirects")

// redirectError is the refusal of a redirect to a host not in ImageHosts.
type redirectError struct{ host string }

func (e *redirectError) Error() string {
	return fmt.Sprintf("redirected to %s, which is not an image host Till accepts", e.host)
}

// imageHostAllowed reports whether u's host is in ImageHosts: an entry with
// a port matches that host and port, an entry without one matches the host
// on any port.
func (s *server) imageHostAllowed(u *url.URL) bool {
	for _, h := range s.imageHosts {
		if strings.Contains(h, ":") {
			if strings.EqualFold(u.Host, h) {
				return true
			}
		} else if strings.EqualFold(u.Hostname(), h) {
			return true
		}
	}
	return false
}

// fetchImage fetches the image at u for a receipt of user owner and keeps
// it, with u as its source. Errors name field: KindInvalid for a refused
// address or redirect and for a 4xx answer, KindTooLarge over
// MaxImageBytes, KindUnsupported for what is not a JPEG, PNG or WebP, and
// KindUnavailable for a network failure, a timeout or a 5xx answer, which
// may pass.
func (s *server) fetchImage(r *http.Request, owner *till.User, u *url.URL, field string) (*till.Image, error) {
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, till.Wrap(till.KindInvalid, err, "%s is not a URL Till can fetch", field)
	}
	req.Header.Set("Accept", "image/jpeg, image/png, image/webp")
	resp, err := s.fetchClient.Do(req)
	if err != nil {
		return nil, fetchError(field, u, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode >= 500:
		return nil, &till.Error{Kind: till.KindUnavailable, Field: field,
			Message: fmt.Sprintf("%s: %s answered %d; try again later", field, u.Host, resp.StatusCode)}
	case resp.StatusCode != http.StatusOK:
		return nil, till.Invalid(field, "%s: %s answered %d, not an image", field, u.Host, resp.StatusCode)
	}
	tooLarge := &till.Error{Kind: till.KindTooLarge, Field: field,
		Message: fmt.Sprintf("%s: the image is over %d bytes", field, s.maxImage)}
	if resp.ContentLength > s.maxImage {
		return nil, tooLarge
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, s.maxImage+1))
	if err != nil {
		return nil, fetchError(field, u, err)
	}
	if int64(len(data)) > s.maxImage {
		return nil, tooLarge
	}
	if len(data) == 0 {
		return nil, till.Invalid(field, "%s: %s answered an empty body", field, u.Host)
	}
	return s.storeImage(r.Context(), owner.ID, data, u.String(), field)
}

// fetchError classifies a failed fetch. Its message names the host but not
// the resolver's or the network's details, which are Till's own.
func fetchError(field string, u *url.URL, err error) error {
	var (
		refused  *refusedAddrError
		redirect *redirectError
		dnsErr   *net.DNSError
	)
	switch {
	case errors.As(err, &refused):
		return &till.Error{Kind: till.KindInvalid, Field: field, Err: err,
			Message: fmt.Sprintf("%s: %s resolves to an address Till does not connect to", field, u.Host)}
	case errors.As(err, &redirect):
		return &till.Error{Kind: till.KindInvalid, Field: field, Err: err,
			Message: fmt.Sprintf("%s: %s", field, redirect.Error())}
	case errors.Is(err, errTooManyRedirects):
		return &till.Error{Kind: till.KindInvalid, Field: field, Err: err,
			Message: fmt.Sprintf("%s: more than %d redirects", field, maxRedirects)}
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return &till.Error{Kind: till.KindInvalid, Field: field, Err: err,
			Message: fmt.Sprintf("%s: no such host %s", field, u.Hostname())}
	}
	return &till.Error{Kind: till.KindUnavailable, Field: field, Err: err,
		Message: fmt.Sprintf("%s: could not fetch the image from %s; try again later", field, u.Host)}
}
