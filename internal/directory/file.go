package directory

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

//go:embed demo.yaml
var demoYAML []byte

// Entry is one person of a File: the user and the object id of their manager ("" when they have none).
type Entry struct {
	User      domain.User
	ManagerID string
}

// File is a Directory read from a YAML or JSON file: the demo organisation, or a small organisation without
// Graph access. It is immutable after loading and safe for concurrent use.
type File struct {
	name    string
	entries []Entry
	byID    map[string]int   // object id → index in entries
	byMail  map[string]int   // lower-case mail → index in entries
	reports map[string][]int // manager id → indexes of the direct reports, in file order
}

var (
	_ Directory = (*File)(nil)
	_ Finder    = (*File)(nil)
)

// fileUser is one entry as written in the file.
type fileUser struct {
	ID             string `yaml:"id" json:"id"`
	DisplayName    string `yaml:"display_name" json:"display_name"`
	Mail           string `yaml:"mail" json:"mail"`
	Department     string `yaml:"department" json:"department"`
	CompanyName    string `yaml:"company_name" json:"company_name"`
	JobTitle       string `yaml:"job_title" json:"job_title"`
	AccountEnabled *bool  `yaml:"account_enabled" json:"account_enabled"` // omitted = true
	LeaveDate      string `yaml:"leave_date" json:"leave_date"`           // YYYY-MM-DD or RFC 3339
	Manager        string `yaml:"manager" json:"manager"`

	line int // YAML line of the entry; 0 for JSON
}

var fileUserFields = map[string]bool{
	"id": true, "display_name": true, "mail": true, "department": true, "company_name": true, "job_title": true,
	"account_enabled": true, "leave_date": true, "manager": true,
}

// UnmarshalYAML rejects unknown fields (a misspelt "manger" must not silently drop a manager) and remembers the
// line of the entry for error messages.
func (u *fileUser) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: a person must be a mapping of fields", n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; !fileUserFields[k.Value] {
			return fmt.Errorf("line %d: unknown field %q", k.Line, k.Value)
		}
	}
	type plain fileUser
	if err := n.Decode((*plain)(u)); err != nil {
		return err
	}
	u.line = n.Line
	return nil
}

// LoadFile reads a directory file: a YAML list of people (JSON when the name ends in .json) with the fields id,
// display_name, mail, department, company_name (Entra's companyName, optional), job_title, account_enabled (default
// true), leave_date and manager. Errors are domain.EInvalid and name the file and each bad entry.
func LoadFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &domain.Error{Code: domain.EInternal, Op: "directory.LoadFile", Message: fmt.Sprintf("cannot read directory file %s", path), Err: err}
	}
	f, err := parse(path, data, strings.EqualFold(filepath.Ext(path), ".json"))
	if err != nil {
		return nil, domain.Wrap("directory.LoadFile", err)
	}
	return f, nil
}

// LoadDemo returns the embedded demo directory: the people of docs/demo-people.md.
func LoadDemo() (*File, error) {
	f, err := parse("demo.yaml", demoYAML, false)
	if err != nil {
		return nil, domain.Wrap("directory.LoadDemo", err)
	}
	return f, nil
}

func parse(name string, data []byte, isJSON bool) (*File, error) {
	var raw []fileUser
	if isJSON {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&raw); err != nil {
			return nil, domain.Errorf(domain.EInvalid, "%s: %v", name, err)
		}
	} else if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, domain.Errorf(domain.EInvalid, "%s: %v", name, err)
	}
	if len(raw) == 0 {
		return nil, domain.Errorf(domain.EInvalid, "%s: no people in the file", name)
	}

	var problems []string
	bad := func(i int, format string, args ...any) {
		var at []string
		if raw[i].line > 0 {
			at = append(at, fmt.Sprintf("line %d", raw[i].line))
		}
		if raw[i].ID != "" {
			at = append(at, "id "+raw[i].ID)
		}
		where := fmt.Sprintf("entry %d", i+1)
		if len(at) > 0 {
			where += " (" + strings.Join(at, ", ") + ")"
		}
		problems = append(problems, where+": "+fmt.Sprintf(format, args...))
	}

	f := &File{name: name, byID: make(map[string]int, len(raw)), byMail: make(map[string]int, len(raw)),
		reports: make(map[string][]int)}
	seen := make(map[string]int, len(raw)) // every well-formed id → its first entry, usable or not
	for i, u := range raw {
		e, msgs := u.entry()
		for _, m := range msgs {
			bad(i, "%s", m)
		}
		id, ok := CanonicalID(u.ID)
		if !ok {
			continue
		}
		if j, dup := seen[id]; dup {
			bad(i, "duplicate id (also entry %d)", j+1)
			continue
		}
		seen[id] = i
		if len(msgs) == 0 {
			mail := strings.ToLower(e.User.Mail)
			if _, dup := f.byMail[mail]; dup {
				f.byMail[mail] = -1 // two people: UserByMail cannot say which
			} else {
				f.byMail[mail] = len(f.entries)
			}
			f.byID[id] = len(f.entries)
			f.entries = append(f.entries, e)
		}
	}
	for i, u := range raw {
		id, _ := CanonicalID(u.ID)
		m, ok := CanonicalID(u.Manager)
		switch {
		case !ok: // no manager, or already reported as malformed
		case m == id:
			bad(i, "is their own manager")
		default:
			if _, known := seen[m]; !known {
				bad(i, "manager %s is not in the file", u.Manager)
			}
		}
	}
	if len(problems) == 0 {
		for k, e := range f.entries {
			if e.ManagerID != "" {
				f.reports[e.ManagerID] = append(f.reports[e.ManagerID], k)
			}
		}
		for _, id := range f.cycle() {
			bad(seen[id], "manager chain loops back to this person")
		}
	}
	if len(problems) > 0 {
		return nil, domain.Errorf(domain.EInvalid, "%s: %s", name, strings.Join(problems, "; "))
	}
	return f, nil
}

// entry validates one person and converts it; the Entry is usable only when there are no problems.
func (u fileUser) entry() (Entry, []string) {
	var msgs []string
	id, ok := CanonicalID(u.ID)
	switch {
	case u.ID == "":
		msgs = append(msgs, "missing id")
	case !ok:
		msgs = append(msgs, "id is not a GUID (Entra object id)")
	}
	if strings.TrimSpace(u.DisplayName) == "" {
		msgs = append(msgs, "missing display_name")
	}
	if strings.TrimSpace(u.Mail) == "" {
		msgs = append(msgs, "missing mail")
	} else if !strings.Contains(u.Mail, "@") {
		msgs = append(msgs, "mail is not an e-mail address")
	}
	var managerID string
	if u.Manager != "" {
		if managerID, ok = CanonicalID(u.Manager); !ok {
			msgs = append(msgs, fmt.Sprintf("manager %q is not a GUID (Entra object id)", u.Manager))
		}
	}
	var leave *time.Time
	if u.LeaveDate != "" {
		t, err := parseDate(u.LeaveDate)
		if err != nil {
			msgs = append(msgs, fmt.Sprintf("leave_date %q is not a date (YYYY-MM-DD or RFC 3339)", u.LeaveDate))
		} else {
			leave = &t
		}
	}
	enabled := true
	if u.AccountEnabled != nil {
		enabled = *u.AccountEnabled
	}
	if len(msgs) > 0 {
		return Entry{}, msgs
	}
	return Entry{
		User: domain.User{
			ID:             id,
			DisplayName:    strings.TrimSpace(u.DisplayName),
			Mail:           strings.TrimSpace(u.Mail),
			Department:     strings.TrimSpace(u.Department),
			CompanyName:    strings.TrimSpace(u.CompanyName),
			JobTitle:       strings.TrimSpace(u.JobTitle),
			AccountEnabled: enabled,
			LeaveDate:      leave,
		},
		ManagerID: managerID,
	}, nil
}

// parseDate accepts a date (midnight UTC, as Graph stores a date-only employeeLeaveDateTime) or an RFC 3339 time.
func parseDate(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// cycle returns the ids of the people whose manager chain loops, each loop reported once (by its members).
func (f *File) cycle() []string {
	const (
		unvisited = iota
		inProgress
		done
	)
	state := make([]int, len(f.entries))
	var out []string
	for start := range f.entries {
		var path []int
		i := start
		for i >= 0 && state[i] == unvisited {
			state[i] = inProgress
			path = append(path, i)
			next := -1
			if m := f.entries[i].ManagerID; m != "" {
				next = f.byID[m]
			}
			i = next
		}
		if i >= 0 && state[i] == inProgress {
			// i is on the current path: the loop is path[from i on].
			for k := len(path) - 1; k >= 0; k-- {
				out = append(out, f.entries[path[k]].User.ID)
				if path[k] == i {
					break
				}
			}
		}
		for _, p := range path {
			state[p] = done
		}
	}
	return out
}

// Name returns the file name the directory was loaded from.
func (f *File) Name() string { return f.name }

// Entries returns every person with their manager's id, in file order; the slice is a copy.
func (f *File) Entries() []Entry {
	out := make([]Entry, len(f.entries))
	for i, e := range f.entries {
		out[i] = Entry{User: CloneUser(e.User), ManagerID: e.ManagerID}
	}
	return out
}

// User implements Directory.
func (f *File) User(ctx context.Context, id string) (domain.User, error) {
	const op = "directory.File.User"
	i, err := f.find(op, id)
	if err != nil {
		return domain.User{}, err
	}
	return CloneUser(f.entries[i].User), nil
}

// Manager implements Directory.
func (f *File) Manager(ctx context.Context, id string) (domain.User, error) {
	const op = "directory.File.Manager"
	i, err := f.find(op, id)
	if err != nil {
		return domain.User{}, err
	}
	m := f.entries[i].ManagerID
	if m == "" {
		return domain.User{}, NoManager(op)
	}
	return CloneUser(f.entries[f.byID[m]].User), nil
}

// DirectReports implements Directory.
func (f *File) DirectReports(ctx context.Context, id string) ([]domain.User, error) {
	const op = "directory.File.DirectReports"
	i, err := f.find(op, id)
	if err != nil {
		return nil, err
	}
	idx := f.reports[f.entries[i].User.ID]
	out := make([]domain.User, 0, len(idx))
	for _, k := range idx {
		out = append(out, CloneUser(f.entries[k].User))
	}
	return out, nil
}

// UserByMail implements Finder; an address two people of the file have is domain.EConflict.
func (f *File) UserByMail(ctx context.Context, mail string) (domain.User, error) {
	const op = "directory.File.UserByMail"
	i, ok := f.byMail[strings.ToLower(strings.TrimSpace(mail))]
	switch {
	case !ok:
		return domain.User{}, UserNotFound(op)
	case i < 0:
		return domain.User{}, MailNotUnique(op)
	}
	return CloneUser(f.entries[i].User), nil
}

// UsersByName implements Finder.
func (f *File) UsersByName(ctx context.Context, name string) ([]domain.User, error) {
	key := NameKey(name)
	out := []domain.User{}
	if key == "" {
		return out, nil
	}
	for _, e := range f.entries {
		if NameKey(e.User.DisplayName) == key {
			out = append(out, CloneUser(e.User))
		}
	}
	return out, nil
}

func (f *File) find(op, id string) (int, error) {
	cid, ok := CanonicalID(id)
	if !ok {
		return 0, InvalidID(op)
	}
	i, ok := f.byID[cid]
	if !ok {
		return 0, UserNotFound(op)
	}
	return i, nil
}

// UserNotFound is the error for an object id the directory does not know.
func UserNotFound(op string) error {
	return &domain.Error{Code: domain.ENotFound, Op: op, Message: "user not found in the directory"}
}

// MailNotUnique is the error for an e-mail address more than one person of the directory has (domain.EConflict).
func MailNotUnique(op string) error {
	return &domain.Error{Code: domain.EConflict, Op: op, Message: "more than one person in the directory has this e-mail address"}
}

// NoManager is the error every implementation returns when the person has no manager (domain.ENotFound).
func NoManager(op string) error {
	return &domain.Error{Code: domain.ENotFound, Op: op, Message: "the user has no manager"}
}
