package handbook

import (
	"fmt"
	"html"
	"strings"
	"unicode/utf8"
)

// The SVG grid: boxes of a fixed size on columns and rows, with room between them for arrows and their labels, and
// a lane on the left for arrows that go back up.
const (
	nodeW, nodeH   = 220, 64
	colGap, rowGap = 170, 40
	lane           = 40 // left of the leftmost column: where arrows back up run
	margin         = 16
	lineH          = 15
	nodeChars      = 30 // characters per line of a box's label
	labelChars     = 22 // characters per line of an arrow's label
	charW          = 6.6
)

type point struct{ x, y int }

// layout places a diagram's nodes on the grid.
type layout struct {
	minCol int
	pos    map[string]Node
}

func newLayout(d Diagram) layout {
	l := layout{pos: map[string]Node{}}
	for i, n := range d.Nodes {
		if i == 0 || n.Col < l.minCol {
			l.minCol = n.Col
		}
		l.pos[n.ID] = n
	}
	return l
}

func (l layout) x(n Node) int  { return margin + lane + (n.Col-l.minCol)*(nodeW+colGap) }
func (l layout) y(n Node) int  { return margin + n.Row*(nodeH+rowGap) }
func (l layout) cx(n Node) int { return l.x(n) + nodeW/2 }
func (l layout) cy(n Node) int { return l.y(n) + nodeH/2 }

// route is the polyline of an edge: straight down in a column, sideways in a row, back up through the lane, and
// otherwise first sideways then down when the arrow goes right, first down then sideways when it goes left.
func (l layout) route(e Edge) []point {
	a, b := l.pos[e.From], l.pos[e.To]
	switch {
	case a.Col == b.Col && b.Row > a.Row:
		return []point{{l.cx(a), l.y(a) + nodeH}, {l.cx(b), l.y(b)}}
	case a.Col == b.Col:
		laneX := margin + lane/2
		return []point{{l.x(a), l.cy(a)}, {laneX, l.cy(a)}, {laneX, l.cy(b)}, {l.x(b), l.cy(b)}}
	case a.Row == b.Row && b.Col > a.Col:
		return []point{{l.x(a) + nodeW, l.cy(a)}, {l.x(b), l.cy(b)}}
	case a.Row == b.Row:
		return []point{{l.x(a), l.cy(a)}, {l.x(b) + nodeW, l.cy(b)}}
	case b.Col > a.Col:
		return []point{{l.x(a) + nodeW, l.cy(a)}, {l.cx(b), l.cy(a)}, {l.cx(b), l.y(b)}}
	default:
		return []point{{l.cx(a), l.y(a) + nodeH}, {l.cx(a), l.cy(b)}, {l.x(b) + nodeW, l.cy(b)}}
	}
}

// svg draws the diagram as an accessible inline SVG image (its title is the diagram's name; the steps follow in
// words in the handbook).
func svg(d Diagram, id string) string {
	l := newLayout(d)
	maxCol, maxRow := 0, 0
	for _, n := range d.Nodes {
		maxCol, maxRow = max(maxCol, n.Col-l.minCol), max(maxRow, n.Row)
	}
	width := 2*margin + lane + (maxCol+1)*nodeW + maxCol*colGap
	height := 2*margin + (maxRow+1)*nodeH + maxRow*rowGap
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="%s-title" font-family="system-ui, sans-serif" font-size="13">`+"\n",
		width, height, width, height, id)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title>`+"\n", id, html.EscapeString(d.Title))
	fmt.Fprintf(&b, `<defs><marker id="%s-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>`+"\n", id)
	for _, e := range d.Edges {
		svgEdge(&b, l, e, id)
	}
	for _, n := range d.Nodes {
		svgNode(&b, l, n)
	}
	b.WriteString("</svg>\n")
	return b.String()
}

func svgNode(b *strings.Builder, l layout, n Node) {
	rx, fill, dash := 4, "#e8eef5", ""
	if n.Terminal {
		rx = nodeH / 2
	}
	if n.Planned {
		fill, dash = "#ffffff", ` stroke-dasharray="6 4"`
	}
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" rx="%d" fill="%s" stroke="#1f4e79" stroke-width="1.5"%s/>`+"\n",
		l.x(n), l.y(n), nodeW, nodeH, rx, fill, dash)
	lines := wrap(n.Label, nodeChars)
	top := l.cy(n) - (len(lines)-1)*lineH/2 + 4
	for i, s := range lines {
		fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="middle" fill="#111">%s</text>`+"\n", l.cx(n), top+i*lineH, html.EscapeString(s))
	}
}

func svgEdge(b *strings.Builder, l layout, e Edge, id string) {
	pts := l.route(e)
	var d strings.Builder
	for i, p := range pts {
		cmd := "L"
		if i == 0 {
			cmd = "M"
		}
		fmt.Fprintf(&d, "%s%d,%d ", cmd, p.x, p.y)
	}
	fmt.Fprintf(b, `<path d="%s" fill="none" stroke="#333" stroke-width="1.3" marker-end="url(#%s-arrow)"/>`+"\n", strings.TrimSpace(d.String()), id)
	if e.Label == "" {
		return
	}
	// The label sits on the longest segment: above a horizontal one, beside a vertical one, on a white ground.
	best := 0
	for i := 1; i < len(pts)-1; i++ {
		if segLen(pts[i], pts[i+1]) > segLen(pts[best], pts[best+1]) {
			best = i
		}
	}
	p, q := pts[best], pts[best+1]
	lines := wrap(e.Label, labelChars)
	w := 0
	for _, s := range lines {
		w = max(w, int(float64(utf8.RuneCountInString(s))*charW))
	}
	x, y := (p.x+q.x)/2-w/2, (p.y+q.y)/2-len(lines)*lineH-3
	if p.x == q.x {
		x, y = p.x+6, (p.y+q.y)/2-len(lines)*lineH/2
	}
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" fill="#ffffff"/>`+"\n", x-2, y, w+4, len(lines)*lineH+2)
	for i, s := range lines {
		fmt.Fprintf(b, `<text x="%d" y="%d" font-size="12" fill="#333">%s</text>`+"\n", x, y+(i+1)*lineH-3, html.EscapeString(s))
	}
}

func segLen(p, q point) int { return abs(p.x-q.x) + abs(p.y-q.y) }

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// wrap breaks text into lines of at most n characters, at spaces (a longer word stands on its own line).
func wrap(text string, n int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		switch {
		case line == "":
			line = w
		case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(w) <= n:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
