package catalog

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong in a catalog, pointing at the file, line and entry so that the person editing the
// catalog can find it.
type Problem struct {
	File    string // file name relative to the catalog root, e.g. "tasks.yaml"
	Line    int    // 1-based line of the entry or field; 0 when unknown
	Entry   string // e.g. `task "palkkatietojen-ilmoittaminen"` or "business_id"; empty for file-level problems
	Message string
}

// String formats the problem as `tasks.yaml:42: task "x": unknown theme "foo"`.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Entry != "" {
		b.WriteString(p.Entry)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// LoadError lists every problem found while loading a catalog. Load returns it wrapped in a domain.Error of kind
// EInvalid; get it back with errors.As.
type LoadError struct {
	Problems []Problem
}

func (e *LoadError) Error() string {
	lines := make([]string, 0, len(e.Problems)+1)
	if len(e.Problems) == 1 {
		lines = append(lines, "1 problem in the catalog:")
	} else {
		lines = append(lines, fmt.Sprintf("%d problems in the catalog:", len(e.Problems)))
	}
	for _, p := range e.Problems {
		lines = append(lines, p.String())
	}
	return strings.Join(lines, "\n")
}

// reporter collects problems for one load.
type reporter struct {
	problems []Problem
}

func (r *reporter) add(file string, line int, entry, format string, args ...any) {
	r.problems = append(r.problems, Problem{File: file, Line: line, Entry: entry, Message: fmt.Sprintf(format, args...)})
}
