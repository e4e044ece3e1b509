package ocr

import (
	"context"
	"errors"
	"image"
	"strings"
	"testing"

	"github.com/tillhq/till/internal/testreceipt"
)

// countingEngine counts the recognitions it passes on.
type countingEngine struct {
	Engine
	calls int
}

func (c *countingEngine) Recognize(ctx context.Context, img image.Image, opt Options) (Page, error) {
	c.calls++
	return c.Engine.Recognize(ctx, img, opt)
}

func TestRecognizeUpright(t *testing.T) {
	p := newTestPool(t, Config{Size: 1})
	upright, _ := testreceipt.Render(t, 32, "FRESH MART SDN BHD", "BREAD WHOLEMEAL 3.20", "TOTAL 12.34", "CASH 20.00")
	tests := []struct {
		name      string
		img       image.Image
		opt       Options
		wantTurn  bool
		wantCalls int
	}{
		{name: "upright page", img: upright, wantTurn: false, wantCalls: 1},
		{name: "upside-down page", img: halfTurn(upright), wantTurn: true, wantCalls: 2},
		{name: "upside-down region", img: halfTurn(upright), opt: Options{Rect: image.Rect(0, 0, upright.Rect.Dx(), upright.Rect.Dy()/2)}, wantTurn: true, wantCalls: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := &countingEngine{Engine: p}
			page, turned, err := RecognizeUpright(context.Background(), e, tc.img, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if turned != tc.wantTurn || e.calls != tc.wantCalls {
				t.Errorf("turned %v after %d recognitions, want %v after %d", turned, e.calls, tc.wantTurn, tc.wantCalls)
			}
			if !strings.Contains(page.Text(), "TOTAL 12.34") {
				t.Errorf("text %q lacks the total", page.Text())
			}
			if page.Conf() < UprightConf {
				t.Errorf("kept a reading of confidence %.0f", page.Conf())
			}
		})
	}
}

func TestRecognizeUprightError(t *testing.T) {
	p := newTestPool(t, Config{Size: 1})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	img, _ := testreceipt.Render(t, 20, "TOTAL")
	if _, _, err := RecognizeUpright(ctx, p, img, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

func TestPageConf(t *testing.T) {
	tests := []struct {
		name string
		page Page
		want float64
	}{
		{name: "no words", page: Page{}, want: 0},
		{name: "mean of the words", page: Page{Words: []Word{{Text: "A", Conf: 90}, {Text: "B", Conf: 60}}}, want: 75},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.page.Conf(); got != tc.want {
				t.Errorf("Conf() = %v, want %v", got, tc.want)
			}
		})
	}
}
