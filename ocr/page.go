// Package ocr turns images into words with boxes and confidences using
// Tesseract 5.
package ocr

import (
	"bufio"
	"context"
	"fmt"
	"image"
	"io"
	"sort"
	"strconv"
	"strings"
)

// Word is one recognised word.
type Word struct {
	Text string
	Conf float64         // Tesseract's confidence, 0-100
	Box  image.Rectangle // in the pixels of the image that was recognised
	// Position in Tesseract's layout: block, paragraph, line within the
	// paragraph, and word within the line.
	Block, Par, Line, Num int
}

// Line is the words of one text line, left to right.
type Line struct {
	Words []Word
	Box   image.Rectangle
}

// Text joins the line's words with single spaces.
func (l Line) Text() string {
	parts := make([]string, len(l.Words))
	for i, w := range l.Words {
		parts[i] = w.Text
	}
	return strings.Join(parts, " ")
}

// Conf is the mean confidence of the line's words.
func (l Line) Conf() float64 {
	if len(l.Words) == 0 {
		return 0
	}
	var sum float64
	for _, w := range l.Words {
		sum += w.Conf
	}
	return sum / float64(len(l.Words))
}

// Page is the result of recognising one image.
type Page struct {
	Width, Height int
	Words         []Word
}

// Lines groups the page's words into Tesseract's lines, in reading order.
func (p Page) Lines() []Line {
	type key struct{ b, p, l int }
	var order []key
	byKey := map[key]*Line{}
	for _, w := range p.Words {
		k := key{w.Block, w.Par, w.Line}
		ln, ok := byKey[k]
		if !ok {
			ln = &Line{}
			byKey[k] = ln
			order = append(order, k)
		}
		ln.Words = append(ln.Words, w)
		ln.Box = ln.Box.Union(w.Box)
	}
	lines := make([]Line, 0, len(order))
	for _, k := range order {
		ln := byKey[k]
		sort.SliceStable(ln.Words, func(i, j int) bool { return ln.Words[i].Box.Min.X < ln.Words[j].Box.Min.X })
		lines = append(lines, *ln)
	}
	return lines
}

// Text returns the page's text, one line per Tesseract line.
func (p Page) Text() string {
	var b strings.Builder
	for _, l := range p.Lines() {
		b.WriteString(l.Text())
		b.WriteByte('\n')
	}
	return b.String()
}

// ParseTSV reads Tesseract's TSV output (the "tsv" config, level 5 rows are
// words) into a page. Rows of other levels give the page size; empty words
// are skipped.
func ParseTSV(r io.Reader) (Page, error) {
	var p Page
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		f := strings.Split(sc.Text(), "\t")
		if n == 1 && len(f) > 0 && f[0] == "level" {
			continue
		}
		if len(f) < 12 {
			if strings.TrimSpace(sc.Text()) == "" {
				continue
			}
			return Page{}, fmt.Errorf("tsv line %d: %d fields, want 12", n, len(f))
		}
		var v [10]int
		for i := range 10 {
			x, err := strconv.Atoi(f[i])
			if err != nil {
				return Page{}, fmt.Errorf("tsv line %d field %d: %w", n, i+1, err)
			}
			v[i] = x
		}
		conf, err := strconv.ParseFloat(f[10], 64)
		if err != nil {
			return Page{}, fmt.Errorf("tsv line %d conf: %w", n, err)
		}
		left, top, width, height := v[6], v[7], v[8], v[9]
		switch v[0] {
		case 1:
			p.Width, p.Height = width, height
		case 5:
			text := strings.TrimSpace(f[11])
			if text == "" {
				continue
			}
			p.Words = append(p.Words, Word{
				Text: text, Conf: conf,
				Box:   image.Rect(left, top, left+width, top+height),
				Block: v[2], Par: v[3], Line: v[4], Num: v[5],
			})
		}
	}
	return p, sc.Err()
}

// Options tune one recognition.
type Options struct {
	// PSM is Tesseract's page segmentation mode; 0 means the engine's
	// default (3, fully automatic).
	PSM int
	// Rect limits recognition to a region of the image; the zero value
	// means the whole image. Word boxes stay in whole-image pixels.
	Rect image.Rectangle
	// Whitelist, when set, restricts the characters Tesseract may output.
	Whitelist string
}

// Engine recognises text. Implementations say whether they are safe for
// concurrent use; a Pool is.
type Engine interface {
	Recognize(ctx context.Context, img image.Image, opt Options) (Page, error)
}
