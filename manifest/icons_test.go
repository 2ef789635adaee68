package manifest

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The icons are drawn here, once, and committed as assets/color.png and assets/outline.png:
//
//	go test ./manifest/ -run TestIcons -update
//
// The glyph is a shield with a key in it: a mandate is a key that the city hands out, guarded.
// Shapes are defined in a unit box (x right, y down) and rasterised with 8×8 supersampling for anti-aliasing.

const iconSupersample = 8

// shieldPath returns the shield outline as a closed polygon in the unit box.
func shieldPath() [][2]float64 {
	quad := func(p0, c, p1 [2]float64, n int) [][2]float64 {
		pts := make([][2]float64, 0, n)
		for i := 1; i <= n; i++ {
			t := float64(i) / float64(n)
			u := 1 - t
			pts = append(pts, [2]float64{
				u*u*p0[0] + 2*u*t*c[0] + t*t*p1[0],
				u*u*p0[1] + 2*u*t*c[1] + t*t*p1[1],
			})
		}
		return pts
	}
	top := [2]float64{0.5, 0.04}
	shoulderR, waistR := [2]float64{0.88, 0.15}, [2]float64{0.88, 0.48}
	shoulderL, waistL := [2]float64{0.12, 0.15}, [2]float64{0.12, 0.48}
	bottom := [2]float64{0.5, 0.97}
	pts := [][2]float64{top}
	pts = append(pts, quad(top, [2]float64{0.70, 0.13}, shoulderR, 24)...)
	pts = append(pts, waistR)
	pts = append(pts, quad(waistR, [2]float64{0.86, 0.80}, bottom, 48)...)
	pts = append(pts, quad(bottom, [2]float64{0.14, 0.80}, waistL, 48)...)
	pts = append(pts, shoulderL)
	pts = append(pts, quad(shoulderL, [2]float64{0.30, 0.13}, top, 24)[:23]...) // the last point is top again
	return pts
}

// insidePolygon is the even-odd rule.
func insidePolygon(poly [][2]float64, x, y float64) bool {
	in := false
	for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
		xi, yi, xj, yj := poly[i][0], poly[i][1], poly[j][0], poly[j][1]
		if (yi > y) != (yj > y) && x < (xj-xi)*(y-yi)/(yj-yi)+xi {
			in = !in
		}
	}
	return in
}

// distToPolygon is the distance from (x, y) to the nearest edge of poly.
func distToPolygon(poly [][2]float64, x, y float64) float64 {
	best := math.Inf(1)
	for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
		ax, ay, bx, by := poly[j][0], poly[j][1], poly[i][0], poly[i][1]
		dx, dy := bx-ax, by-ay
		t := ((x-ax)*dx + (y-ay)*dy) / (dx*dx + dy*dy)
		t = math.Max(0, math.Min(1, t))
		best = math.Min(best, math.Hypot(x-(ax+t*dx), y-(ay+t*dy)))
	}
	return best
}

// inKey reports whether (x, y) is on the key: a ring-shaped bow, a shaft and two teeth.
func inKey(x, y float64) bool {
	d := math.Hypot(x-0.5, y-0.35)
	inRect := func(x0, y0, x1, y1 float64) bool { return x >= x0 && x <= x1 && y >= y0 && y <= y1 }
	return (d <= 0.14 && d >= 0.06) ||
		inRect(0.455, 0.46, 0.545, 0.76) ||
		inRect(0.545, 0.60, 0.625, 0.65) ||
		inRect(0.545, 0.69, 0.625, 0.76)
}

// coverage returns, for the pixel (px, py) of a glyph drawn into the square [off, off+size) of the image, the
// fraction of its samples for which inside holds.
func coverage(px, py int, off, size float64, inside func(x, y float64) bool) float64 {
	n := 0
	for sy := 0; sy < iconSupersample; sy++ {
		for sx := 0; sx < iconSupersample; sx++ {
			x := (float64(px) + (float64(sx)+0.5)/iconSupersample - off) / size
			y := (float64(py) + (float64(sy)+0.5)/iconSupersample - off) / size
			if inside(x, y) {
				n++
			}
		}
	}
	return float64(n) / (iconSupersample * iconSupersample)
}

// accentRGBA parses the manifest's accentColor, "#rrggbb".
func accentRGBA(t testing.TB) color.NRGBA {
	t.Helper()
	v, err := strconv.ParseUint(strings.TrimPrefix(accentColor, "#"), 16, 32)
	if err != nil || len(accentColor) != 7 {
		t.Fatalf("accent colour %q is not #rrggbb: %v", accentColor, err)
	}
	return color.NRGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 255}
}

// drawColorIcon is the 192×192 full-colour icon: a white shield on the accent colour, the key cut out of it.
func drawColorIcon(accent color.NRGBA) *image.NRGBA {
	const size, glyph = 192, 128
	const off = (size - glyph) / 2
	shield := shieldPath()
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			white := coverage(px, py, off, glyph, func(x, y float64) bool {
				return insidePolygon(shield, x, y) && !inKey(x, y)
			})
			mix := func(a uint8) uint8 { return uint8(math.Round(float64(a)*(1-white) + 255*white)) }
			img.SetNRGBA(px, py, color.NRGBA{mix(accent.R), mix(accent.G), mix(accent.B), 255})
		}
	}
	return img
}

// drawOutlineIcon is the 32×32 outline icon: white on transparent, the shield's border and the key.
func drawOutlineIcon() *image.NRGBA {
	const size, glyph = 32, 30
	const off = (size - glyph) / 2
	const stroke = 0.075 // of the glyph box: about 2.25 px
	shield := shieldPath()
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			a := coverage(px, py, off, glyph, func(x, y float64) bool {
				return inKey(x, y) || (insidePolygon(shield, x, y) && distToPolygon(shield, x, y) <= stroke)
			})
			if a > 0 {
				img.SetNRGBA(px, py, color.NRGBA{255, 255, 255, uint8(math.Round(255 * a))})
			}
		}
	}
	return img
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func decodePNG(t testing.TB, name string) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(mustAsset(name)))
	if err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	return img
}

// TestIconsMatchGenerator regenerates the icons with -update and otherwise checks that the committed files are what
// the generator draws (per channel within a small tolerance: floating point may differ slightly between CPUs).
func TestIconsMatchGenerator(t *testing.T) {
	want := map[string]*image.NRGBA{colorIcon: drawColorIcon(accentRGBA(t)), outlineIcon: drawOutlineIcon()}
	if *update {
		for name, img := range want {
			if err := os.WriteFile(filepath.Join("assets", name), encodePNG(t, img), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Log("icons written; rebuild to embed them")
		return
	}
	for name, img := range want {
		got := decodePNG(t, name)
		if got.Bounds() != img.Bounds() {
			t.Fatalf("%s: bounds %v, generator draws %v", name, got.Bounds(), img.Bounds())
		}
		bad := 0
		for y := 0; y < img.Bounds().Dy(); y++ {
			for x := 0; x < img.Bounds().Dx(); x++ {
				g := color.NRGBAModel.Convert(got.At(x, y)).(color.NRGBA)
				w := img.NRGBAAt(x, y)
				if absDiff(g.A, w.A) > 8 || (w.A > 0 && (absDiff(g.R, w.R) > 8 || absDiff(g.G, w.G) > 8 || absDiff(g.B, w.B) > 8)) {
					bad++
				}
			}
		}
		if bad > 0 {
			t.Errorf("%s: %d pixels differ from the generator; run go test ./manifest/ -run TestIcons -update", name, bad)
		}
	}
}

func absDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

func TestColorIcon(t *testing.T) {
	img := decodePNG(t, colorIcon)
	if b := img.Bounds(); b.Dx() != 192 || b.Dy() != 192 {
		t.Fatalf("color.png is %dx%d, Teams wants 192x192", b.Dx(), b.Dy())
	}
	accent := accentRGBA(t)
	white := 0
	for y := 0; y < 192; y++ {
		for x := 0; x < 192; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			if c.A != 255 {
				t.Fatalf("color.png pixel (%d,%d) has alpha %d; the full-colour icon must be opaque", x, y, c.A)
			}
			if c == (color.NRGBA{255, 255, 255, 255}) {
				white++
			}
		}
	}
	if corner := color.NRGBAModel.Convert(img.At(0, 0)).(color.NRGBA); corner != accent {
		t.Errorf("color.png background %v, want the manifest's accentColor %s", corner, accentColor)
	}
	// The shield covers a good part of the icon: catches an empty or solid image.
	if white < 192*192/8 || white > 192*192/2 {
		t.Errorf("color.png has %d white pixels, want a shield of 1/8 to 1/2 of the icon", white)
	}
	if c := color.NRGBAModel.Convert(img.At(96, 67)).(color.NRGBA); c != accent {
		// (96, 67) is in the key's bow ring, which is cut out of the shield.
		t.Errorf("color.png pixel on the key = %v, want the accent colour", c)
	}
}

func TestOutlineIcon(t *testing.T) {
	img := decodePNG(t, outlineIcon)
	if b := img.Bounds(); b.Dx() != 32 || b.Dy() != 32 {
		t.Fatalf("outline.png is %dx%d, Teams wants 32x32", b.Dx(), b.Dy())
	}
	transparent, opaque := 0, 0
	for y := 0; y < 32; y++ {
		for x := 0; x < 32; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			switch {
			case c.A == 0:
				transparent++
			case c.R != 255 || c.G != 255 || c.B != 255:
				t.Fatalf("outline.png pixel (%d,%d) = %v; the outline icon must be white on transparent", x, y, c)
			case c.A == 255:
				opaque++
			}
		}
	}
	for _, corner := range []image.Point{{0, 0}, {31, 0}, {0, 31}, {31, 31}} {
		if a := color.NRGBAModel.Convert(img.At(corner.X, corner.Y)).(color.NRGBA).A; a != 0 {
			t.Errorf("outline.png corner %v has alpha %d, want transparent", corner, a)
		}
	}
	if transparent < 32*32/2 || opaque < 60 {
		t.Errorf("outline.png has %d transparent and %d opaque pixels; want a thin white glyph", transparent, opaque)
	}
}
