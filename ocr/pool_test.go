package ocr

import (
	"context"
	"errors"
	"image"
	"image/draw"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tillhq/till"
	"github.com/tillhq/till/internal/testreceipt"
)

func newTestPool(t testing.TB, cfg Config) *Pool {
	t.Helper()
	p, err := NewPool(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func TestPoolRecognize(t *testing.T) {
	p := newTestPool(t, Config{Size: 1})
	gray, lines := testreceipt.Render(t, 40, "FRESH MART SDN BHD", "MILK 1L 4.50", "TOTAL 12.34")

	// The same picture in colour, and placed inside a larger canvas whose
	// origin is not (0, 0), must give the same words in its own coordinates.
	rgba := image.NewRGBA(gray.Rect)
	draw.Draw(rgba, rgba.Rect, gray, image.Point{}, draw.Src)
	off := image.Pt(100, 50)
	big := image.NewGray(image.Rect(0, 0, gray.Rect.Dx()+200, gray.Rect.Dy()+100))
	draw.Draw(big, big.Rect, image.White, image.Point{}, draw.Src)
	draw.Draw(big, gray.Rect.Add(off), gray, image.Point{}, draw.Src)
	sub := big.SubImage(gray.Rect.Add(off))

	tests := []struct {
		name      string
		img       image.Image
		opt       Options
		want      []string // lines of text, in order
		notWant   []string // words that must not appear
		withinBox image.Rectangle
	}{
		{name: "whole grey image", img: gray,
			want: []string{"FRESH MART SDN BHD", "MILK 1L 4.50", "TOTAL 12.34"}},
		{name: "colour image", img: rgba,
			want: []string{"FRESH MART SDN BHD", "MILK 1L 4.50", "TOTAL 12.34"}},
		{name: "single block", img: gray, opt: Options{PSM: 6},
			want: []string{"FRESH MART SDN BHD", "MILK 1L 4.50", "TOTAL 12.34"}},
		{name: "region of the last line", img: gray, opt: Options{Rect: lines[2], PSM: 7},
			want: []string{"TOTAL 12.34"}, notWant: []string{"MILK"}, withinBox: lines[2]},
		{name: "digits only", img: gray, opt: Options{Rect: lines[2], PSM: 7, Whitelist: "0123456789."},
			want: []string{"12.34"}, notWant: []string{"TOTAL"}, withinBox: lines[2]},
		{name: "sub-image with an offset origin", img: sub,
			want:      []string{"FRESH MART SDN BHD", "MILK 1L 4.50", "TOTAL 12.34"},
			withinBox: sub.Bounds()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			page, err := p.Recognize(context.Background(), tc.img, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if page.Width != tc.img.Bounds().Dx() || page.Height != tc.img.Bounds().Dy() {
				t.Errorf("page size %dx%d, want the image's %v", page.Width, page.Height, tc.img.Bounds())
			}
			text := page.Text()
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("text %q lacks %q", text, w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(text, w) {
					t.Errorf("text %q has %q", text, w)
				}
			}
			for _, w := range page.Words {
				if w.Conf <= 0 || w.Conf > 100 {
					t.Errorf("word %q has confidence %v", w.Text, w.Conf)
				}
				within := tc.withinBox
				if within.Empty() {
					within = tc.img.Bounds()
				}
				if !w.Box.In(within) || w.Box.Empty() {
					t.Errorf("word %q box %v outside %v", w.Text, w.Box, within)
				}
			}
		})
	}
}

func TestRecognizeErrors(t *testing.T) {
	p := newTestPool(t, Config{Size: 1})
	img, _ := testreceipt.Render(t, 30, "TOTAL 1.00")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()

	tests := []struct {
		name string
		ctx  context.Context
		img  image.Image
		opt  Options
		is   error
	}{
		{name: "empty image", img: image.NewGray(image.Rect(0, 0, 0, 0))},
		{name: "region outside the image", img: img, opt: Options{Rect: image.Rect(5000, 5000, 5100, 5100)}},
		{name: "page segmentation mode out of range", img: img, opt: Options{PSM: 99}},
		{name: "cancelled context", ctx: cancelled, img: img, is: context.Canceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := tc.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			_, err := p.Recognize(ctx, tc.img, tc.opt)
			if err == nil {
				t.Fatal("no error")
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v, want %v", err, tc.is)
			}
		})
	}
}

func TestNewPoolModels(t *testing.T) {
	tests := []struct {
		name       string
		cfg        Config
		wantErr    bool
		wantModels string
	}{
		{name: "defaults", cfg: Config{Size: 1}, wantModels: "installed"},
		{name: "English and German", cfg: Config{Size: 1, Langs: "eng+deu"}, wantModels: "installed"},
		{name: "tessdata folder without the model falls back", cfg: Config{Size: 1, TessdataDir: t.TempDir()}, wantModels: "installed"},
		{name: "unknown language", cfg: Config{Size: 1, Langs: "xxq"}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := NewPool(tc.cfg)
			if tc.wantErr {
				if err == nil {
					p.Close()
					t.Fatal("no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			if p.Models() != tc.wantModels {
				t.Errorf("Models() = %q, want %q", p.Models(), tc.wantModels)
			}
			if p.Size() != 1 {
				t.Errorf("Size() = %d, want 1", p.Size())
			}
		})
	}
}

func TestPoolConcurrent(t *testing.T) {
	p := newTestPool(t, Config{Size: 2})
	img, _ := testreceipt.Render(t, 32, "CASH 20.00", "CHANGE 7.66")
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for range 6 {
		wg.Go(func() {
			page, err := p.Recognize(context.Background(), img, Options{})
			if err == nil && !strings.Contains(page.Text(), "CHANGE 7.66") {
				err = errors.New("unexpected text " + page.Text())
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func TestPoolClosed(t *testing.T) {
	p, err := NewPool(Config{Size: 1})
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	p.Close()
	img, _ := testreceipt.Render(t, 30, "TOTAL")
	_, err = p.Recognize(context.Background(), img, Options{})
	if till.ErrorKind(err) != till.KindUnavailable {
		t.Fatalf("Recognize after Close: %v, want a KindUnavailable error", err)
	}
}

// TestPoolDeadline checks that a caller whose deadline passes gets its
// answer at once and that the engine it used comes back to the pool.
func TestPoolDeadline(t *testing.T) {
	p := newTestPool(t, Config{Size: 1})
	// A long page of small text takes Tesseract well over a second.
	var lines []string
	for range 120 {
		lines = append(lines, "ITEM 0123456789 QTY 1 x 4.50 SUBTOTAL 4.50 TAX 0.27")
	}
	img, _ := testreceipt.Render(t, 18, lines...)

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := p.Recognize(ctx, img, Options{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 300*time.Millisecond {
		t.Errorf("Recognize returned %v after its deadline of 100ms", d)
	}

	// The next page, read without a deadline, must not inherit the last.
	small, _ := testreceipt.Render(t, 30, "TOTAL 9.00")
	page, err := p.Recognize(context.Background(), small, Options{})
	if err != nil {
		t.Fatalf("engine did not come back: %v", err)
	}
	if !strings.Contains(page.Text(), "9.00") {
		t.Errorf("text after a cancelled page: %q", page.Text())
	}
}

var _ Engine = (*Pool)(nil)
var _ Engine = (*Tesseract)(nil)
