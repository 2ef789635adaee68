package domain

// One Suomi.fi session: the grants a main user can do in one visit to Suomi.fi e-Authorizations, several people or
// themes at once, because they take the same grant path (accepting the valtuuspyynnöt that have arrived, or
// granting directly).

// Path is the request's grant path; a request approved before paths existed takes the valtuuspyyntö path.
func (r *Request) Path() GrantPath {
	if r.GrantPath == PathDirect {
		return PathDirect
	}
	return PathRequest
}

// SessionItems are the items of r a main user can grant in a Suomi.fi session on the given path: approved items
// the organisation's right to grant covers, on an approved request of that path; on the valtuuspyyntö path only
// those whose request the employee has said they sent (there is nothing to accept before).
func (r *Request) SessionItems(path GrantPath) []RequestItem {
	if r.State != RequestApproved || r.Path() != path {
		return nil
	}
	var out []RequestItem
	for _, it := range r.Items {
		if it.Grantable() && (path == PathDirect || !it.FiledAt.IsZero()) {
			out = append(out, it)
		}
	}
	return out
}

// InSession reports whether the item with the given id is one of r's SessionItems on path.
func (r *Request) InSession(path GrantPath, itemID int64) bool {
	for _, it := range r.SessionItems(path) {
		if it.ID == itemID {
			return true
		}
	}
	return false
}

// Session lists the requests among rs that have items for a Suomi.fi session on the given path, in their order.
func Session(rs []Request, path GrantPath) []Request {
	var out []Request
	for i := range rs {
		if len(rs[i].SessionItems(path)) > 0 {
			out = append(out, rs[i])
		}
	}
	return out
}
