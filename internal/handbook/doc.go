// Package handbook writes an organisation's management model for Suomi.fi mandates (its hallintamalli) from the
// configuration the service runs: the loaded catalog (organisation.yaml, themes.yaml, tasks.yaml, roles.yaml). The
// handbook says who does what (a RACI table), the process from need to invalidation (a diagram: Mermaid in
// Markdown, inline SVG in HTML), which roles and tasks need which themes, the validity, grant and alert policies,
// the themes the organisation's valtuutusoikeus covers and whom to contact, in Finnish, Swedish or English.
//
// Build turns a catalog into a Doc, a format-neutral tree of sections, paragraphs, tables and one diagram; Markdown
// and HTML render it. The handbook stays true because it is generated: nothing in it is written by hand except the
// texts in internal/i18n/messages/handbook.*.json, and a test fails when a setting of the configuration is missing
// from it.
package handbook

// Doc is a handbook in one language, ready to render.
type Doc struct {
	Lang     string // "fi", "sv" or "en": the lang attribute of HTML
	Title    string
	Lead     []Para
	Sections []Section
}

// Section is a titled part of the handbook. ID is its anchor, the same in every language.
type Section struct {
	ID     string
	Title  string
	Blocks []Block
}

// Block is a paragraph, a list, a table or a diagram.
type Block interface{ block() }

// Span is a run of text: plain, code (an id or a setting's key) or a link.
type Span struct {
	Text string
	Code bool
	Link string // when set, the span links to this https address
	Bold bool
}

// Para is a paragraph (or a table cell): spans in a row.
type Para []Span

// List is a bulleted list, or a numbered one when Ordered.
type List struct {
	Ordered bool
	Items   []Para
}

// Table has a header row and rows of cells. Caption names it (HTML's caption; a bold line before it in Markdown).
type Table struct {
	Caption string
	Head    []string
	Rows    [][]Para
}

// Diagram is a flow of steps: boxes at grid positions, joined by labelled arrows. Markdown renders it as a Mermaid
// flowchart, HTML as inline SVG.
type Diagram struct {
	Title string // the diagram's accessible name
	Nodes []Node
	Edges []Edge
}

// Node is one box of a diagram. Col and Row place it on the SVG grid (Mermaid lays it out itself). A planned node
// is a step the service does not carry out yet: drawn dashed.
type Node struct {
	ID       string
	Label    string
	Col, Row int
	Planned  bool
	Terminal bool // a start or an end: drawn rounded
}

// Edge is an arrow from one node to another, with an optional label.
type Edge struct {
	From, To string
	Label    string
}

func (Para) block()    {}
func (List) block()    {}
func (Table) block()   {}
func (Diagram) block() {}

// T is a plain text span.
func T(s string) Span { return Span{Text: s} }

// C is a code span: an id or a setting's key.
func C(s string) Span { return Span{Text: s, Code: true} }

// P is a paragraph of one plain text.
func P(s string) Para { return Para{T(s)} }

// text is the paragraph's words without formatting, e.g. for the completeness test and SVG labels.
func (p Para) text() string {
	var s string
	for _, sp := range p {
		s += sp.Text
	}
	return s
}
