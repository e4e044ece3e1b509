package ocr

/*
#cgo pkg-config: tesseract lept
#include <stdlib.h>
#include <stdbool.h>
#include <tesseract/capi.h>
#include <leptonica/allheaders.h>

// tillCancel is Tesseract's cancel callback: it reports whether the flag
// that cancel_this points to has been raised from Go.
static bool tillCancel(void *flag, int words) {
	(void)words;
	return __atomic_load_n((int *)flag, __ATOMIC_RELAXED) != 0;
}

static void tillSetCancel(ETEXT_DESC *m, int *flag) {
	TessMonitorSetCancelFunc(m, (TessCancelFunc)tillCancel);
	TessMonitorSetCancelThis(m, flag);
}
*/
import "C"

import (
	"context"
	"fmt"
	"image"
	"image/draw"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

// DefaultLangs is the language set used when a Config names none.
const DefaultLangs = "eng"

// Tesseract is one in-process Tesseract 5 engine. It holds a loaded model
// (tens of megabytes) and is not safe for concurrent use: give each worker
// its own, or share a Pool.
type Tesseract struct {
	api     *C.TessBaseAPI
	monitor *C.ETEXT_DESC
	cancel  *C.int // raised by Go to stop a running Recognize
	langs   string
}

// NewTesseract loads the models for langs ("eng", or several joined with
// '+', such as "eng+deu") from tessdataDir, or from the installed
// tessdata when tessdataDir is empty. The process must have been started
// with OMP_THREAD_LIMIT=1 in its environment, or the library's OpenMP
// threads make every page several times slower; cmd/till re-executes
// itself to set it, and the Makefile exports it for tests.
// It fails when a model cannot be found or loaded; the message names the
// languages and the directory.
func NewTesseract(langs, tessdataDir string) (*Tesseract, error) {
	if langs == "" {
		langs = DefaultLangs
	}
	quietLeptonica.Do(func() { C.setMsgSeverity(C.L_SEVERITY_NONE) })
	api := C.TessBaseAPICreate()
	if api == nil {
		return nil, fmt.Errorf("ocr: cannot create a Tesseract engine")
	}
	clangs := C.CString(langs)
	defer C.free(unsafe.Pointer(clangs))
	var cdir *C.char
	if tessdataDir != "" {
		cdir = C.CString(tessdataDir)
		defer C.free(unsafe.Pointer(cdir))
	}
	if C.TessBaseAPIInit3(api, cdir, clangs) != 0 {
		C.TessBaseAPIDelete(api)
		where := tessdataDir
		if where == "" {
			where = "the installed tessdata"
		}
		return nil, fmt.Errorf("ocr: cannot load Tesseract models %q from %s", langs, where)
	}
	t := &Tesseract{
		api:     api,
		monitor: C.TessMonitorCreate(),
		cancel:  (*C.int)(C.calloc(1, C.sizeof_int)),
		langs:   langs,
	}
	C.tillSetCancel(t.monitor, t.cancel)
	// Tesseract's diagnostics ("Detected 24 diacritics", "Line cannot be
	// recognized") go to stderr, one batch per page; Till reports failures
	// through errors instead.
	if err := t.setVariable("debug_file", os.DevNull); err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

// quietLeptonica silences the image library under Tesseract, which
// otherwise prints messages such as "Error in pixScanForForeground: invalid
// box" to stderr for blank regions of ordinary pages. The setting is
// process-wide and Till does not use Leptonica otherwise.
var quietLeptonica sync.Once

// Langs returns the language set the engine was loaded with.
func (t *Tesseract) Langs() string { return t.langs }

// Close frees the engine. It must not be called while Recognize runs, and
// the engine must not be used afterwards.
func (t *Tesseract) Close() {
	if t.api == nil {
		return
	}
	C.TessBaseAPIEnd(t.api)
	C.TessBaseAPIDelete(t.api)
	C.TessMonitorDelete(t.monitor)
	C.free(unsafe.Pointer(t.cancel))
	t.api = nil
}

// Recognize reads the text of img. Colour images are converted to grey
// first; pass an *image.Gray to avoid the copy. Word boxes are in img's
// pixels, counted from img.Bounds().Min, even when opt.Rect restricts the
// region read. A whitelist always admits the space, which the LSTM models
// need to separate words.
//
// Cancelling ctx, or reaching its deadline, stops Tesseract at the next
// word it recognises (layout analysis, which comes first, cannot be
// interrupted) and Recognize returns ctx.Err(). It fails with an error
// when the image or the region is empty, or when Tesseract fails.
func (t *Tesseract) Recognize(ctx context.Context, img image.Image, opt Options) (Page, error) {
	if err := ctx.Err(); err != nil {
		return Page{}, err
	}
	g := toGray(img)
	if g.Rect.Empty() {
		return Page{}, fmt.Errorf("ocr: empty image")
	}
	// A region is read by handing Tesseract the region's pixels, which
	// costs no copy for a grey image; Tesseract's own SetRectangle misreads
	// text with the LSTM models.
	region := g
	if !opt.Rect.Empty() {
		r := opt.Rect.Sub(img.Bounds().Min).Add(g.Rect.Min).Intersect(g.Rect)
		if r.Empty() {
			return Page{}, fmt.Errorf("ocr: region %v lies outside the image %v", opt.Rect, img.Bounds())
		}
		region = g.SubImage(r).(*image.Gray)
	}
	w, h := region.Rect.Dx(), region.Rect.Dy()
	psm := opt.PSM
	if psm == 0 {
		psm = int(C.PSM_AUTO)
	}
	if psm < 0 || psm >= int(C.PSM_COUNT) {
		return Page{}, fmt.Errorf("ocr: page segmentation mode %d out of range", opt.PSM)
	}

	defer C.TessBaseAPIClear(t.api)
	C.TessBaseAPISetPageSegMode(t.api, C.TessPageSegMode(psm))
	// Set on every call, so that an earlier call's whitelist never leaks.
	// The LSTM models need the space in it, or they run words together and
	// report zero confidence.
	wl := opt.Whitelist
	if wl != "" && !strings.Contains(wl, " ") {
		wl += " "
	}
	if err := t.setVariable("tessedit_char_whitelist", wl); err != nil {
		return Page{}, err
	}
	// Tesseract copies the pixels into its own image, so the Go slice is
	// only borrowed for the duration of the call.
	C.TessBaseAPISetImage(t.api, (*C.uchar)(unsafe.Pointer(&region.Pix[0])), C.int(w), C.int(h), 1, C.int(region.Stride))
	// Scans and photos rarely carry a trustworthy resolution; 300 dpi is
	// what Tesseract's models were trained on and silences its warning.
	C.TessBaseAPISetSourceResolution(t.api, 300)

	// Cancellation, deadlines included, reaches Tesseract through the flag
	// its cancel callback reads. The monitor's own deadline is not used:
	// Tesseract never clears it, so it would also cut short every later
	// page read without one.
	atomic.StoreInt32((*int32)(unsafe.Pointer(t.cancel)), 0)
	stop := context.AfterFunc(ctx, func() {
		atomic.StoreInt32((*int32)(unsafe.Pointer(t.cancel)), 1)
	})
	rc := C.TessBaseAPIRecognize(t.api, t.monitor)
	stop()
	if err := ctx.Err(); err != nil {
		return Page{}, err
	}
	if rc != 0 {
		return Page{}, fmt.Errorf("ocr: Tesseract failed to recognise the image")
	}
	ctsv := C.TessBaseAPIGetTsvText(t.api, 0)
	if ctsv == nil {
		return Page{}, fmt.Errorf("ocr: Tesseract returned no result")
	}
	tsv := C.GoString(ctsv)
	C.TessDeleteText(ctsv)
	p, err := ParseTSV(strings.NewReader(tsv))
	if err != nil {
		return Page{}, fmt.Errorf("ocr: reading Tesseract's result: %w", err)
	}
	// The page is the whole image, and boxes go back into img's coordinates.
	p.Width, p.Height = img.Bounds().Dx(), img.Bounds().Dy()
	if off := region.Rect.Min.Sub(g.Rect.Min).Add(img.Bounds().Min); off != (image.Point{}) {
		for i := range p.Words {
			p.Words[i].Box = p.Words[i].Box.Add(off)
		}
	}
	return p, nil
}

func (t *Tesseract) setVariable(name, value string) error {
	cn, cv := C.CString(name), C.CString(value)
	defer C.free(unsafe.Pointer(cn))
	defer C.free(unsafe.Pointer(cv))
	if C.TessBaseAPISetVariable(t.api, cn, cv) == 0 {
		return fmt.Errorf("ocr: Tesseract rejected %s=%q", name, value)
	}
	return nil
}

// toGray returns img as 8-bit grey, without copying when it already is.
func toGray(img image.Image) *image.Gray {
	if g, ok := img.(*image.Gray); ok {
		return g
	}
	b := img.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(g, g.Rect, img, b.Min, draw.Src)
	return g
}
