package handbook

import (
	"bufio"
	"fmt"
	"html"
	"io"
)

// style is the page's whole styling: no external style sheet, font or script.
const style = `body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;line-height:1.5;color:#111;margin:0 auto;max-width:72rem;padding:1rem 1.5rem}
table{border-collapse:collapse;margin:0 0 1.5rem;font-size:.95rem}
th,td{border:1px solid #999;padding:.3rem .5rem;text-align:left;vertical-align:top}
thead th{background:#e8eef5}
caption{text-align:left;font-weight:bold;padding:.3rem 0}
code{font-size:.85em;background:#f3f3f3;padding:0 .2em}
figure{margin:1rem 0}
svg{max-width:100%;height:auto}
a{color:#0b4f8a}`

// HTML writes the handbook as one self-contained HTML page, the process diagram as inline SVG.
func (d *Doc) HTML(w io.Writer) error {
	bw := bufio.NewWriter(w)
	esc := html.EscapeString
	fmt.Fprintf(bw, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\"/>\n", esc(d.Lang))
	fmt.Fprintf(bw, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>%s</title>\n", esc(d.Title))
	fmt.Fprintf(bw, "<style>\n%s\n</style>\n</head>\n<body>\n<!-- %s -->\n<main>\n<h1>%s</h1>\n", style, esc(GeneratedNote), esc(d.Title))
	for _, p := range d.Lead {
		fmt.Fprintf(bw, "<p>%s</p>\n", htmlPara(p))
	}
	bw.WriteString("<nav>\n<ul>\n")
	for _, s := range d.Sections {
		fmt.Fprintf(bw, "<li><a href=\"#%s\">%s</a></li>\n", esc(s.ID), esc(s.Title))
	}
	bw.WriteString("</ul>\n</nav>\n")
	for _, s := range d.Sections {
		fmt.Fprintf(bw, "<section id=\"%s\">\n<h2>%s</h2>\n", esc(s.ID), esc(s.Title))
		for _, blk := range s.Blocks {
			htmlBlock(bw, blk, s.ID)
		}
		bw.WriteString("</section>\n")
	}
	bw.WriteString("</main>\n</body>\n</html>\n")
	return bw.Flush()
}

func htmlBlock(w *bufio.Writer, blk Block, sectionID string) {
	switch v := blk.(type) {
	case Para:
		fmt.Fprintf(w, "<p>%s</p>\n", htmlPara(v))
	case List:
		tag := "ul"
		if v.Ordered {
			tag = "ol"
		}
		fmt.Fprintf(w, "<%s>\n", tag)
		for _, it := range v.Items {
			fmt.Fprintf(w, "<li>%s</li>\n", htmlPara(it))
		}
		fmt.Fprintf(w, "</%s>\n", tag)
	case Table:
		htmlTable(w, v)
	case Diagram:
		fmt.Fprintf(w, "<figure>\n%s<figcaption>%s</figcaption>\n</figure>\n", svg(v, sectionID+"-diagram"), html.EscapeString(v.Title))
	}
}

// htmlTable writes a table whose first column heads its row, for screen readers.
func htmlTable(w *bufio.Writer, t Table) {
	w.WriteString("<table>\n")
	if t.Caption != "" {
		fmt.Fprintf(w, "<caption>%s</caption>\n", html.EscapeString(t.Caption))
	}
	w.WriteString("<thead>\n<tr>")
	for _, h := range t.Head {
		fmt.Fprintf(w, "<th scope=\"col\">%s</th>", html.EscapeString(h))
	}
	w.WriteString("</tr>\n</thead>\n<tbody>\n")
	for _, r := range t.Rows {
		w.WriteString("<tr>")
		for i, c := range r {
			if i == 0 {
				fmt.Fprintf(w, "<th scope=\"row\">%s</th>", htmlPara(c))
			} else {
				fmt.Fprintf(w, "<td>%s</td>", htmlPara(c))
			}
		}
		w.WriteString("</tr>\n")
	}
	w.WriteString("</tbody>\n</table>\n")
}

func htmlPara(p Para) string {
	var out string
	for _, s := range p {
		t := html.EscapeString(s.Text)
		switch {
		case s.Code:
			out += "<code>" + t + "</code>"
		case s.Link != "":
			out += fmt.Sprintf("<a href=\"%s\">%s</a>", html.EscapeString(s.Link), t)
		case s.Bold:
			out += "<strong>" + t + "</strong>"
		default:
			out += t
		}
	}
	return out
}
