// Package hetu recognises Finnish personal identity codes (henkilötunnus) in free text so the bot can refuse them.
//
// The bot never needs a personal identity code: granting uses the HR system or the employee's own mandate request
// in Suomi.fi. When someone types one into the chat anyway, the message must be neither stored nor logged, and the
// person is told why. Only checksum-valid codes with a real date count, so ordinary numbers do not trigger it.
package hetu

import (
	"regexp"
	"time"
)

// candidate matches DDMMYY, a century sign, a three-digit individual number and a check character, standing alone
// (not glued to other letters or digits). Century signs: + (1800s), - U V W X Y (1900s), A B C D E F (2000s).
var candidate = regexp.MustCompile(`(?i)(?:^|[^0-9A-Za-z])([0-9]{6}[-+ABCDEFUVWXY][0-9]{3}[0-9A-Y])(?:$|[^0-9A-Za-z])`)

const checkChars = "0123456789ABCDEFHJKLMNPRSTUVWXY"

// Valid reports whether s is exactly one checksum-valid personal identity code with a real date of birth.
func Valid(s string) bool {
	if len(s) != 11 {
		return false
	}
	for i := 0; i < 6; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	for i := 7; i < 10; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	var century int
	switch upper(s[6]) {
	case '+':
		century = 1800
	case '-', 'U', 'V', 'W', 'X', 'Y':
		century = 1900
	case 'A', 'B', 'C', 'D', 'E', 'F':
		century = 2000
	default:
		return false
	}
	day := atoi(s[0:2])
	month := atoi(s[2:4])
	year := century + atoi(s[4:6])
	d := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if d.Day() != day || int(d.Month()) != month || d.Year() != year {
		return false
	}
	n := atoi(s[0:6])*1000 + atoi(s[7:10])
	return checkChars[n%31] == upper(s[10])
}

// Contains reports whether text holds a checksum-valid personal identity code anywhere.
func Contains(text string) bool {
	for _, m := range candidate.FindAllStringSubmatch(text, -1) {
		if Valid(m[1]) {
			return true
		}
	}
	// FindAll does not report overlapping matches; codes separated by a single character are rare enough that a
	// second pass over the text from each match start is not worth it.
	return false
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}
