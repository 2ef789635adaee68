package catalog

import (
	"net/url"
	"strings"
)

// maxIDLength bounds catalog ids so that they fit comfortably in card data and database keys.
const maxIDLength = 80

// ValidID reports whether id is a valid catalog id: lower-case kebab-case ASCII letters and digits separated by
// single hyphens, e.g. "tulorekisteri-palkkatiedot-ilmoittaminen", at most 80 characters.
func ValidID(id string) bool {
	if id == "" || len(id) > maxIDLength || id[0] == '-' || id[len(id)-1] == '-' {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' && id[i-1] != '-':
		default:
			return false
		}
	}
	return true
}

// ValidBusinessID reports whether s is a well-formed Finnish business ID (Y-tunnus), "NNNNNNN-C": seven digits, a
// hyphen and the check digit. The digits are multiplied by 7, 9, 10, 5, 8, 4, 2 and summed; with r = sum mod 11 the
// check digit is 0 when r is 0, 11−r when r is 2..10, and remainder 1 is never issued. Old six-digit ids must be
// written with a leading zero.
func ValidBusinessID(s string) bool {
	if len(s) != 9 || s[7] != '-' {
		return false
	}
	weights := [7]int{7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		sum += int(c-'0') * w
	}
	c := s[8]
	if c < '0' || c > '9' {
		return false
	}
	var want int
	switch r := sum % 11; r {
	case 0:
		want = 0
	case 1:
		return false
	default:
		want = 11 - r
	}
	return int(c-'0') == want
}

// validGUID reports whether s has the 8-4-4-4-12 hexadecimal form of an Entra object id.
func validGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// urlProblem explains why u is not an acceptable catalog link, or returns "" when it is: an absolute https URL
// with a host and no credentials.
func urlProblem(u string) string {
	if strings.TrimSpace(u) != u || u == "" {
		return "is empty or has surrounding spaces"
	}
	p, err := url.Parse(u)
	switch {
	case err != nil:
		return "is not a valid URL"
	case p.Scheme != "https":
		return "must use https"
	case p.Host == "":
		return "has no host"
	case p.User != nil:
		return "must not contain a user name or password"
	}
	return ""
}
