package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// User is a person as the directory (Entra ID) knows them. It holds only what the work needs: never a personal
// identity code (henkilötunnus).
type User struct {
	ID             string     `json:"id" yaml:"id"` // Entra object id
	DisplayName    string     `json:"display_name" yaml:"display_name"`
	Mail           string     `json:"mail" yaml:"mail"` // mail, or the UPN when there is no mail
	Department     string     `json:"department" yaml:"department"`
	CompanyName    string     `json:"company_name,omitempty" yaml:"company_name,omitempty"` // companyName: the employer
	JobTitle       string     `json:"job_title" yaml:"job_title"`
	AccountEnabled bool       `json:"account_enabled" yaml:"account_enabled"`
	LeaveDate      *time.Time `json:"leave_date,omitempty" yaml:"leave_date,omitempty"` // employeeLeaveDateTime
}

// ConversationRef is what the bot needs to message a person proactively: the 1:1 conversation with them and where
// to reach it. It is stored from every activity the person sends.
type ConversationRef struct {
	AADObjectID      string // Entra object id: the key
	UserID           string // the per-bot "29:..." id
	UserName         string // display name as Teams sent it
	BotID            string // "28:<app id>"
	ConversationID   string // the personal conversation id ("a:...")
	ConversationType string // personal | groupChat | channel
	ServiceURL       string // regional connector endpoint
	TenantID         string
	ChannelID        string // "msteams"
	Locale           string // last locale the client sent
	Language         Lang   // language the person chose; empty = follow Locale
	UpdatedAt        time.Time
}

// Pseudonym lets log lines about one person be correlated without writing their Entra object id.
func Pseudonym(id string) string {
	if id == "" {
		return ""
	}
	sum := sha256.Sum256([]byte("valtuusbotti:" + id))
	return hex.EncodeToString(sum[:6])
}
