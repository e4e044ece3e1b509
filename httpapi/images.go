package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/tillhq/till"
)

// imagePath starts the path of every image URL on this server; the image's
// key follows it.
const imagePath = svc + "/images/"

// multipartSlack is what a multipart upload may carry besides the image:
// boundaries, part headers and small form fields.
const multipartSlack = 64 << 10

// The image types Till accepts, by the extension of their keys.
var imageExts = map[string]string{
	"image/jpeg": "jpg",
	"image/png":  "png",
	"image/webp": "webp",
}

// sniffImage returns the media type of data from its first bytes, whatever
// any header claims: one of the keys of imageExts for the supported types,
// else the best name for what was found (image/heic, image/gif,
// application/pdf, …).
func sniffImage(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		return "image/jpeg"
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return "image/webp"
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return "image/gif"
	case len(data) >= 12 && string(data[4:8]) == "ftyp":
		switch string(data[8:12]) {
		case "heic", "heix", "hevc", "hevx", "heim", "heis", "hevm", "hevs":
			return "image/heic"
		case "mif1", "msf1":
			return "image/heif"
		case "avif", "avis":
			return "image/avif"
		}
		return "video/mp4"
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return "application/pdf"
	case bytes.HasPrefix(data, []byte("II*\x00")), bytes.HasPrefix(data, []byte("MM\x00*")):
		return "image/tiff"
	case bytes.HasPrefix(data, []byte("BM")):
		return "image/bmp"
	}
	ct, _, _ := mime.ParseMediaType(http.DetectContentType(data))
	return ct
}

// storeImage keeps data as an image of ownerID: the bytes in the blob store
// under a fresh key "YYYY/MM/DD/<uuid>.<ext>", then the record. It fails
// with KindUnsupported, naming field, when data is not a JPEG, PNG or WebP
// image. When the record cannot be stored the bytes are removed again.
func (s *server) storeImage(ctx context.Context, ownerID string, data []byte, sourceURL, field string) (*till.Image, error) {
	ct := sniffImage(data)
	ext, ok := imageExts[ct]
	if !ok {
		return nil, &till.Error{Kind: till.KindUnsupported, Field: field,
			Message: fmt.Sprintf("%s is %s; Till accepts image/jpeg, image/png and image/webp", field, ct)}
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, fmt.Errorf("image key: %w", err)
	}
	now := s.now().UTC()
	sum := sha256.Sum256(data)
	img := &till.Image{
		Key:         fmt.Sprintf("%04d/%02d/%02d/%s.%s", now.Year(), now.Month(), now.Day(), id, ext),
		OwnerID:     ownerID,
		ContentType: ct,
		Size:        int64(len(data)),
		SHA256:      hex.EncodeToString(sum[:]),
		SourceURL:   sourceURL,
		CreatedAt:   now,
	}
	if err := s.blobs.Put(ctx, img.Key, bytes.NewReader(data), img.Size, ct); err != nil {
		return nil, fmt.Errorf("store image bytes: %w", err)
	}
	if err := s.store.CreateImage(ctx, img); err != nil {
		if derr := s.blobs.Delete(context.WithoutCancel(ctx), img.Key); derr != nil {
			s.logger.Warn("orphaned image bytes", "key", img.Key, "error", derr.Error())
		}
		return nil, err
	}
	return img, nil
}

// uploadResponse answers an image upload.
type uploadResponse struct {
	URL         string `json:"url"`
	Key         string `json:"key"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
}

// uploadImage stores the image in the request body, raw or as a multipart
// form, and answers 201 with its URL on this server, to be put in a new
// receipt.
func (s *server) uploadImage(w http.ResponseWriter, r *http.Request, u *till.User) error {
	data, err := s.readUpload(w, r)
	if err != nil {
		return err
	}
	img, err := s.storeImage(r.Context(), u.ID, data, "", "image")
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, uploadResponse{
		URL:         s.imageURL(r, img.Key),
		Key:         img.Key,
		ContentType: img.ContentType,
		Size:        img.Size,
		SHA256:      img.SHA256,
	})
}

// readUpload returns the uploaded image's bytes. A multipart/form-data body
// yields its first part named "image" or carrying a file name; any other
// body is the image itself, whatever its Content-Type says (storeImage
// looks at the bytes). It fails with KindTooLarge over s.maxImage bytes and
// KindInvalid for an empty image or a malformed multipart body.
func (s *server) readUpload(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var src io.Reader
	if mt == "multipart/form-data" {
		body := http.MaxBytesReader(w, r.Body, s.maxImage+multipartSlack)
		part, err := imagePart(multipart.NewReader(body, params["boundary"]))
		if err != nil {
			return nil, s.uploadError(err)
		}
		src = part
	} else {
		src = http.MaxBytesReader(w, r.Body, s.maxImage)
	}
	data, err := io.ReadAll(io.LimitReader(src, s.maxImage+1))
	if err != nil {
		return nil, s.uploadError(err)
	}
	if int64(len(data)) > s.maxImage {
		return nil, s.uploadError(&http.MaxBytesError{Limit: s.maxImage})
	}
	if len(data) == 0 {
		return nil, till.Invalid("image", "image is empty")
	}
	return data, nil
}

// imagePart returns the first part named "image" or carrying a file name.
func imagePart(mr *multipart.Reader) (*multipart.Part, error) {
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return nil, till.Invalid("image", "the multipart body has no part named image and no file")
		}
		if err != nil {
			return nil, err
		}
		if p.FormName() == "image" || p.FileName() != "" {
			return p, nil
		}
	}
}

func (s *server) uploadError(err error) error {
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return &till.Error{Kind: till.KindTooLarge, Field: "image", Err: err,
			Message: fmt.Sprintf("image is over %d bytes", s.maxImage)}
	}
	if till.ErrorKind(err) != till.KindInternal {
		return err
	}
	return till.Wrap(till.KindInvalid, err, "malformed multipart body")
}

// serveImage answers an image's bytes to those who may see it: its owner,
// moderators and admins, and system users acting for a retailer of a live
// receipt showing it. Anyone else gets the same 404 as for a missing image,
// so that keys cannot be probed.
func (s *server) serveImage(w http.ResponseWriter, r *http.Request, u *till.User) error {
	key := r.PathValue("key")
	img, err := s.store.Image(r.Context(), key)
	if err != nil {
		return err
	}
	ok, err := s.maySeeImage(r.Context(), u, img)
	if err != nil {
		return err
	}
	if !ok {
		return till.NotFound("image")
	}
	etag := `"` + img.SHA256 + `"`
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "private, max-age=86400")
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	rc, err := s.blobs.Get(r.Context(), img.Key)
	if err != nil {
		return till.Wrap(till.KindInternal, err, "image %s has a record but its bytes cannot be read", img.Key)
	}
	defer rc.Close()
	h.Set("Content-Type", img.ContentType)
	h.Set("Content-Length", strconv.FormatInt(img.Size, 10))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, rc); err != nil {
		s.log(r).Warn("image not fully sent", "key", img.Key, "error", err.Error())
	}
	return nil
}

// maySeeImage applies serveImage's access rule.
func (s *server) maySeeImage(ctx context.Context, u *till.User, img *till.Image) (bool, error) {
	if img.OwnerID == u.ID || u.Staff() {
		return true, nil
	}
	if u.Role != till.RoleSystem {
		return false, nil
	}
	retailers, err := s.store.ImageRetailers(ctx, img.Key)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(retailers, u.ActsFor), nil
}

// etagMatches reports whether an If-None-Match header names etag.
func etagMatches(header, etag string) bool {
	for c := range strings.SplitSeq(header, ",") {
		c = strings.TrimPrefix(strings.TrimSpace(c), "W/")
		if c == etag || c == "*" {
			return true
		}
	}
	return false
}

// base returns the URL this server is reached at for r: PublicURL, or the
// request's scheme and host (believing X-Forwarded-Proto and
// X-Forwarded-Host when TrustProxy is set).
func (s *server) base(r *http.Request) *url.URL {
	if s.publicURL != nil {
		return s.publicURL
	}
	u := &url.URL{Scheme: "http", Host: r.Host}
	if r.TLS != nil {
		u.Scheme = "https"
	}
	if s.trustProxy {
		if p := r.Header.Get("X-Forwarded-Proto"); p == "http" || p == "https" {
			u.Scheme = p
		}
		if h := r.Header.Get("X-Forwarded-Host"); h != "" && !strings.ContainsAny(h, "/?#@ ,") {
			u.Host = h
		}
	}
	return u
}

// imageURL returns the absolute URL of the image with the given key.
func (s *server) imageURL(r *http.Request, key string) string {
	return s.base(r).JoinPath(imagePath, key).String()
}

// localImageKey returns the key of an image URL on this server: one on
// base(r)'s host or the request's own host, under base(r)'s path.
func (s *server) localImageKey(r *http.Request, u *url.URL) (string, bool) {
	b := s.base(r)
	if !strings.EqualFold(u.Host, b.Host) && !strings.EqualFold(u.Host, r.Host) {
		return "", false
	}
	key, ok := strings.CutPrefix(u.Path, b.Path+imagePath)
	return key, ok && key != ""
}
