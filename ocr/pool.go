package ocr

import (
	"context"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/tillhq/till"
)

// Config sets up a Pool.
type Config struct {
	// Size is the number of engines, and so the number of pages read at
	// once. Zero means one per CPU. Each engine holds its own models (about
	// 30 MB with the fast English model).
	Size int
	// Langs is the Tesseract language set, such as "eng" or "eng+deu";
	// empty means DefaultLangs.
	Langs string
	// TessdataDir is a directory of .traineddata files to prefer, such as
	// the tessdata "best_int" models fetched by scripts/tessdata.sh. When it
	// is empty, or lacks a model for one of the languages, the installed
	// models are used instead; Pool.Models says which.
	TessdataDir string
}

// Pool is a fixed set of Tesseract engines, one per concurrent
// recognition. It implements Engine and is safe for concurrent use.
//
// Tesseract runs in cgo calls, which Go cannot interrupt. When a caller's
// context is cancelled, or its deadline passes, Recognize returns
// ctx.Err() at once; the engine's recognition is asked to stop (Tesseract
// checks between words, after layout analysis) and the engine goes back to
// the pool as soon as it has stopped, its partial result discarded. So the
// pool never runs more than Size recognitions at a time, even when callers
// give up.
type Pool struct {
	engines chan *Tesseract
	size    int
	models  string
	langs   string

	quit      chan struct{} // closed by Close
	closeOnce sync.Once
}

// NewPool loads cfg.Size engines. It fails, having freed whatever it
// loaded, when a model cannot be loaded.
func NewPool(cfg Config) (*Pool, error) {
	size := cfg.Size
	if size <= 0 {
		size = runtime.NumCPU()
	}
	langs := cfg.Langs
	if langs == "" {
		langs = DefaultLangs
	}
	dir := cfg.TessdataDir
	if dir != "" && !hasModels(dir, langs) {
		dir = ""
	}
	p := &Pool{engines: make(chan *Tesseract, size), size: size, langs: langs, models: dir, quit: make(chan struct{})}
	if dir == "" {
		p.models = "installed"
	}
	for range size {
		t, err := NewTesseract(langs, dir)
		if err != nil {
			p.closeEngines(len(p.engines))
			return nil, err
		}
		p.engines <- t
	}
	return p, nil
}

// hasModels reports whether dir holds a .traineddata file for every
// language of langs.
func hasModels(dir, langs string) bool {
	for _, l := range strings.Split(langs, "+") {
		if _, err := os.Stat(filepath.Join(dir, l+".traineddata")); err != nil {
			return false
		}
	}
	return true
}

// Size returns the number of engines.
func (p *Pool) Size() int { return p.size }

// Langs returns the language set the engines were loaded with.
func (p *Pool) Langs() string { return p.langs }

// Models returns the tessdata directory the models were loaded from, or
// "installed" for the system's models.
func (p *Pool) Models() string { return p.models }

// Recognize waits for a free engine and reads img with it (see
// Tesseract.Recognize for the result). It returns ctx.Err() if ctx ends
// first, and a KindUnavailable error once the pool is closed.
func (p *Pool) Recognize(ctx context.Context, img image.Image, opt Options) (Page, error) {
	select {
	case <-p.quit:
		return Page{}, errClosed
	default:
	}
	var t *Tesseract
	select {
	case t = <-p.engines:
	case <-ctx.Done():
		return Page{}, ctx.Err()
	case <-p.quit:
		return Page{}, errClosed
	}
	type result struct {
		page Page
		err  error
	}
	done := make(chan result, 1)
	go func() {
		defer func() { p.engines <- t }()
		page, err := t.Recognize(ctx, img, opt)
		done <- result{page, err}
	}()
	select {
	case r := <-done:
		return r.page, r.err
	case <-ctx.Done():
		return Page{}, ctx.Err()
	}
}

var errClosed = till.Errorf(till.KindUnavailable, "ocr: the engine pool is closed")

// Close waits for running recognitions to finish and frees the engines.
// Recognize calls after Close fail; a second Close does nothing.
func (p *Pool) Close() error {
	p.closeOnce.Do(func() {
		close(p.quit)
		p.closeEngines(p.size)
	})
	return nil
}

// closeEngines takes n engines back from the channel, waiting for busy
// ones, and frees them.
func (p *Pool) closeEngines(n int) {
	for range n {
		(<-p.engines).Close()
	}
}

// String describes the pool for logs, such as "3 × eng (installed)".
func (p *Pool) String() string {
	return fmt.Sprintf("%d × %s (%s)", p.size, p.langs, p.models)
}
