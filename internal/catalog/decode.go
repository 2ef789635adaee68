package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// fileSpec describes one catalog file: its name and which top-level keys hold lists of entries (key → the word
// used for one entry in messages, e.g. "themes" → "theme"). A file without list sections, like organisation.yaml,
// names its problems after the top-level key.
type fileSpec struct {
	name     string
	sections map[string]string
}

// yamlDoc is a parsed catalog file kept for line numbers. root is the top-level mapping node, nil when the file
// could not be parsed.
type yamlDoc struct {
	spec fileSpec
	root *yaml.Node
}

// decodeFile reads spec.name from fsys and decodes it into out, rejecting unknown fields. Every problem is added to
// r. ok reports whether out holds usable data: false when the file is missing, empty or not valid YAML.
func decodeFile(fsys fs.FS, spec fileSpec, out any, r *reporter) (doc yamlDoc, ok bool) {
	doc.spec = spec
	b, err := fs.ReadFile(fsys, spec.name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			r.add(spec.name, 0, "", "file is missing")
		} else {
			r.add(spec.name, 0, "", "cannot read the file: %v", err)
		}
		return doc, false
	}

	// First pass: the node tree, for syntax errors and line numbers.
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var node yaml.Node
	if err := dec.Decode(&node); err != nil {
		if errors.Is(err, io.EOF) {
			r.add(spec.name, 0, "", "file is empty")
		} else {
			doc.addYAMLError(r, err)
		}
		return doc, false
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		doc.addYAMLError(r, err)
		return doc, false
	default:
		r.add(spec.name, extra.Line, "", "only one YAML document is allowed (remove the \"---\" separator)")
	}
	if len(node.Content) == 0 || node.Content[0].Kind != yaml.MappingNode {
		r.add(spec.name, 0, "", "the top level must be a mapping of keys to values")
		return doc, false
	}
	doc.root = node.Content[0]

	// Second pass: the typed values. Unknown fields and wrong types come back together in one *yaml.TypeError,
	// and the rest of the data is still decoded, so validation can go on and report everything at once.
	tdec := yaml.NewDecoder(bytes.NewReader(b))
	tdec.KnownFields(true)
	if err := tdec.Decode(out); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			doc.addYAMLError(r, err) // e.g. a duplicate key: decoding stopped
			return doc, false
		}
		ok = true
		for _, msg := range te.Errors {
			doc.addYAMLMessage(r, msg)
			// A repeated key makes yaml.v3 skip the whole mapping that holds it, so the data is incomplete and
			// checking it would only add noise.
			if strings.Contains(msg, " already defined at line ") {
				ok = false
			}
		}
		return doc, ok
	}
	return doc, true
}

func (d yamlDoc) addYAMLError(r *reporter, err error) {
	d.addYAMLMessage(r, strings.TrimPrefix(err.Error(), "yaml: "))
}

// addYAMLMessage turns one yaml.v3 message ("line 12: field foo not found in type domain.Theme") into a Problem
// pointing at the entry that holds the line, in words an editor of the catalog understands.
func (d yamlDoc) addYAMLMessage(r *reporter, msg string) {
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, text, ok := strings.Cut(rest, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil {
				line, msg = n, text
			}
		}
	}
	if field, ok := strings.CutPrefix(msg, "field "); ok {
		if name, _, ok := strings.Cut(field, " not found in type "); ok {
			msg = fmt.Sprintf("unknown field %q", name)
		}
	}
	r.add(d.spec.name, line, d.entryAt(line), "%s", msg)
}

// entryAt names the entry that contains line: the list item (`theme "vero-veroasiat"`) in a list section, else the
// top-level key. It returns "" when line is unknown.
func (d yamlDoc) entryAt(line int) string {
	if d.root == nil || line <= 0 {
		return ""
	}
	kv := d.root.Content
	for i := 0; i+1 < len(kv); i += 2 {
		key, val := kv[i], kv[i+1]
		end := math.MaxInt
		if i+2 < len(kv) {
			end = kv[i+2].Line
		}
		if line < key.Line || line >= end {
			continue
		}
		kind, isList := d.spec.sections[key.Value]
		if !isList || val.Kind != yaml.SequenceNode {
			return key.Value
		}
		for j, item := range val.Content {
			itemEnd := end
			if j+1 < len(val.Content) {
				itemEnd = val.Content[j+1].Line
			}
			if line >= item.Line && line < itemEnd {
				return entryName(kind, scalarField(item, "id"), j)
			}
		}
		return key.Value
	}
	return ""
}

// value returns the value node of a top-level key, or nil.
func (d yamlDoc) value(key string) *yaml.Node {
	if d.root == nil {
		return nil
	}
	for i := 0; i+1 < len(d.root.Content); i += 2 {
		if d.root.Content[i].Value == key {
			return d.root.Content[i+1]
		}
	}
	return nil
}

// keyLine is the line of a top-level key, 0 when absent.
func (d yamlDoc) keyLine(key string) int {
	if d.root == nil {
		return 0
	}
	for i := 0; i+1 < len(d.root.Content); i += 2 {
		if d.root.Content[i].Value == key {
			return d.root.Content[i].Line
		}
	}
	return 0
}

// itemLine is the line of the i-th item of the list under a top-level key, falling back to the key's line.
func (d yamlDoc) itemLine(key string, i int) int {
	if v := d.value(key); v != nil && v.Kind == yaml.SequenceNode && i < len(v.Content) {
		return v.Content[i].Line
	}
	return d.keyLine(key)
}

// mapKeyLine is the line of key inside the mapping under a top-level key, falling back to the top-level key's line.
func (d yamlDoc) mapKeyLine(top, key string) int {
	if v := d.value(top); v != nil && v.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(v.Content); i += 2 {
			if v.Content[i].Value == key {
				return v.Content[i].Line
			}
		}
	}
	return d.keyLine(top)
}

// scalarField returns the scalar value of key in a mapping node, "" when absent or not a scalar.
func scalarField(n *yaml.Node, key string) string {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key && n.Content[i+1].Kind == yaml.ScalarNode {
			return n.Content[i+1].Value
		}
	}
	return ""
}

// entryName names a list entry by its id, or by its 1-based position when it has none.
func entryName(kind, id string, index int) string {
	if strings.TrimSpace(id) == "" {
		return fmt.Sprintf("%s #%d", kind, index+1)
	}
	return fmt.Sprintf("%s %q", kind, id)
}
