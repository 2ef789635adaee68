package fakegraph

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// The fake's GET /users/delta, as Microsoft Graph v1.0 answers it:
//
//   - the first request (no token) is a full round: every user with the $select'ed properties, and with
//     "manager" in $select the manager as a "manager@delta" annotation ([{"@odata.type", "id"}]);
//   - a round is paged (SetPageSize) with @odata.nextLink ($skiptoken) and ends with @odata.deltaLink
//     ($deltatoken), which carries the $select of the first request, as Graph encodes it into its tokens;
//   - a tracked round (the delta link) holds each user changed since, with only the properties that changed (Graph
//     promises "at least the properties that have been updated"); a manager taken away comes as the old manager
//     with "@removed"; a deleted user as {"id", "@removed": {"reason": "deleted"}};
//   - ExpireDeltaTokens makes every delta link issued so far fail, as an expired token does (Graph: 410 Gone, or a
//     40X error with the code syncStateNotFound), so the client must start a full round again.
type deltaState struct {
	seq      int // the change log's last sequence number
	log      []deltaChange
	tokens   map[string]deltaToken
	pages    map[string]deltaPage
	issued   int // tokens and pages issued, for their names
	expireTo int // delta tokens numbered below this are expired
	status   int // what an expired token is answered with
}

type deltaChange struct {
	seq         int
	id          string
	fields      []string // Graph property names that changed
	prevManager string   // the manager before the change
	removed     bool
}

type deltaToken struct {
	n   int
	seq int
	sel string
}

type deltaPage struct {
	items  []map[string]any
	offset int
	seq    int
	sel    string
}

// deltaProps are the user properties a tracked round compares, by Graph name.
var deltaProps = []string{"displayName", "mail", "userPrincipalName", "department", "companyName", "jobTitle",
	"accountEnabled", "employeeLeaveDateTime", "userType", "manager"}

// track records a change of a user for later tracked rounds; old is nil for a new user. Called with s.mu held.
func (s *Server) track(id string, old, cur *User) {
	var fields []string
	prev := ""
	if old == nil {
		fields = deltaProps
	} else {
		prev = old.ManagerID
		for _, f := range deltaProps {
			if propValue(old, f) != propValue(cur, f) {
				fields = append(fields, f)
			}
		}
		if len(fields) == 0 {
			return
		}
	}
	s.delta.seq++
	s.delta.log = append(s.delta.log, deltaChange{seq: s.delta.seq, id: id, fields: fields, prevManager: prev})
}

func propValue(u *User, f string) string {
	switch f {
	case "manager":
		return u.ManagerID
	case "employeeLeaveDateTime":
		if u.LeaveDate == nil {
			return ""
		}
		return u.LeaveDate.UTC().Format(time.RFC3339)
	}
	v := userJSON(u, []string{f})[f]
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// Remove deletes a person from the directory; a tracked round reports them with @removed.
func (s *Server) Remove(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id = strings.ToLower(id)
	u, ok := s.users[id]
	if !ok {
		return
	}
	delete(s.users, id)
	s.order = slices.DeleteFunc(s.order, func(o string) bool { return o == id })
	s.delta.seq++
	s.delta.log = append(s.delta.log, deltaChange{seq: s.delta.seq, id: id, prevManager: u.ManagerID, removed: true})
}

// ExpireDeltaTokens makes every delta link issued so far fail with status (410 Gone, or e.g. 400) and the error
// code syncStateNotFound, as Graph answers a token past its lifetime.
func (s *Server) ExpireDeltaTokens(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delta.expireTo = s.delta.issued + 1
	s.delta.status = status
}

func (s *Server) serveDelta(a *answer, rec Request) {
	d := &s.delta
	if d.tokens == nil {
		d.tokens, d.pages = map[string]deltaToken{}, map[string]deltaPage{}
	}
	q := rec.Query
	if tok := q.Get("$skiptoken"); tok != "" {
		p, ok := d.pages[tok]
		if !ok {
			a.error(http.StatusBadRequest, "Request_BadRequest", "Invalid skip token.")
			return
		}
		delete(d.pages, tok)
		s.deltaPage(a, p)
		return
	}
	if tok := q.Get("$deltatoken"); tok != "" {
		t, ok := d.tokens[tok]
		switch {
		case !ok:
			a.error(http.StatusBadRequest, "Request_BadRequest", "Invalid delta token.")
		case t.n < d.expireTo:
			if d.status == http.StatusGone {
				a.w.Header().Set("Location", s.URL()+"/users/delta?$deltatoken=")
			}
			a.error(d.status, "syncStateNotFound", "The delta token has expired; start a new sync.")
		default:
			s.deltaPage(a, deltaPage{items: s.trackedItems(t), seq: d.seq, sel: t.sel})
		}
		return
	}
	sel := q.Get("$select")
	fields, manager, unknown := deltaSelected(sel)
	if unknown != "" {
		a.error(http.StatusBadRequest, "Request_BadRequest",
			fmt.Sprintf("Could not find a property named '%s' on type 'microsoft.graph.user'.", unknown))
		return
	}
	var items []map[string]any
	for _, id := range s.order {
		u := s.users[id]
		o := userJSON(u, fields)
		if manager && u.ManagerID != "" {
			o["manager@delta"] = []map[string]any{{"@odata.type": "#microsoft.graph.user", "id": u.ManagerID}}
		}
		items = append(items, o)
	}
	s.deltaPage(a, deltaPage{items: items, seq: d.seq, sel: sel})
}

// deltaSelected splits a delta $select into user properties and the manager relation.
func deltaSelected(sel string) (fields []string, manager bool, unknown string) {
	var rest []string
	for _, p := range strings.Split(sel, ",") {
		if strings.EqualFold(strings.TrimSpace(p), "manager") {
			manager = true
			continue
		}
		rest = append(rest, p)
	}
	fields, unknown = selected(strings.Join(rest, ","))
	return fields, manager, unknown
}

// trackedItems are the users changed since the token's round, each with only its changed properties.
func (s *Server) trackedItems(t deltaToken) []map[string]any {
	fields, manager, _ := deltaSelected(t.sel)
	changed := map[string][]string{}
	prev := map[string]string{}
	var ids []string
	for _, c := range s.delta.log {
		if c.seq <= t.seq {
			continue
		}
		if _, seen := changed[c.id]; !seen {
			ids = append(ids, c.id)
			prev[c.id] = c.prevManager
			changed[c.id] = []string{}
		}
		changed[c.id] = append(changed[c.id], c.fields...)
	}
	var items []map[string]any
	for _, id := range ids {
		u, ok := s.users[id]
		if !ok {
			items = append(items, map[string]any{"id": id, "@removed": map[string]any{"reason": "deleted"}})
			continue
		}
		var props []string
		for _, f := range fields {
			if slices.Contains(changed[id], f) {
				props = append(props, f)
			}
		}
		o := userJSON(u, props)
		if manager && slices.Contains(changed[id], "manager") {
			switch {
			case u.ManagerID != "":
				o["manager@delta"] = []map[string]any{{"@odata.type": "#microsoft.graph.user", "id": u.ManagerID}}
			case prev[id] != "":
				o["manager@delta"] = []map[string]any{{"@odata.type": "#microsoft.graph.user", "id": prev[id],
					"@removed": map[string]any{"reason": "deleted"}}}
			}
		}
		items = append(items, o)
	}
	return items
}

// deltaPage answers one page of a round: a next link while items remain, else the delta link of the round.
func (s *Server) deltaPage(a *answer, p deltaPage) {
	d := &s.delta
	end := min(p.offset+s.pageSize, len(p.items))
	body := map[string]any{
		"@odata.context": s.URL() + "/$metadata#users" + selectSuffix(p.sel),
		"value":          append([]map[string]any{}, p.items[p.offset:end]...),
	}
	d.issued++
	if end < len(p.items) {
		name := fmt.Sprintf("fake-page-%d", d.issued)
		d.pages[name] = deltaPage{items: p.items, offset: end, seq: p.seq, sel: p.sel}
		body["@odata.nextLink"] = s.URL() + "/users/delta?$skiptoken=" + name
	} else {
		name := fmt.Sprintf("fake-delta-%d", d.issued)
		d.tokens[name] = deltaToken{n: d.issued, seq: p.seq, sel: p.sel}
		body["@odata.deltaLink"] = s.URL() + "/users/delta?$deltatoken=" + name
	}
	a.json(body)
}
