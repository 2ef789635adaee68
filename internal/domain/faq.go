package domain

import (
	"strconv"
	"time"
)

// FAQEntry is one answer the bot gives to free-text questions: a question and its answer in each language, with
// links to official pages. Entries come from the catalog (faq.yaml, edited by main users) and from the support
// network's proposals that a main user approved (stored in the register); retrieval treats both alike.
type FAQEntry struct {
	ID       string `json:"id" yaml:"id"`
	Question Text   `json:"question" yaml:"question"`
	Answer   Text   `json:"answer" yaml:"answer"`
	// Keywords are other words people use for the same thing (synonyms, agency and service names), per language;
	// they help retrieval and are never shown.
	Keywords Text      `json:"keywords" yaml:"keywords"`
	Links    []FAQLink `json:"links,omitempty" yaml:"links"`
}

// FAQLink is a link an answer offers: an official page, always https.
type FAQLink struct {
	Title Text   `json:"title" yaml:"title"`
	URL   string `json:"url" yaml:"url"`
}

// ProposalEntryPrefix starts the id of an FAQ entry made from an approved proposal ("proposal-7"), so it can never
// collide with a catalog id (catalog ids are kebab-case words, validated at load).
const ProposalEntryPrefix = "proposal-"

// ProposalEntryID is the FAQ entry id of approved proposal id.
func ProposalEntryID(id int64) string { return ProposalEntryPrefix + strconv.FormatInt(id, 10) }

// The free-text fields of the answers and the hand-off: what an employee asks, what is relayed, how a hand-off
// was resolved, and a proposed FAQ entry. Each refuses a personal identity code.
var (
	QuestionText = FreeText{Max: MaxQuestion, Required: true, MissingKey: "faq.err.question_required",
		TooLongKey: "faq.err.question_too_long", HetuKey: "hetu.refused"}
	RelayText = FreeText{Max: MaxRelay, Required: true, MissingKey: "handoff.err.empty",
		TooLongKey: "handoff.err.too_long", HetuKey: "hetu.refused"}
	ResolutionText = FreeText{Max: MaxReason, Required: true, MissingKey: "handoff.err.resolution_required",
		TooLongKey: "handoff.err.resolution_too_long", HetuKey: "hetu.refused"}
	AnswerText = FreeText{Max: MaxAnswer, Required: true, MissingKey: "faq.err.answer_required",
		TooLongKey: "faq.err.answer_too_long", HetuKey: "hetu.refused"}
)

// Limits of the answers' and hand-off's free text, in characters.
const (
	MaxQuestion = 1000
	MaxRelay    = 4000
	MaxAnswer   = 3000
)

// ProposalState is where a proposed FAQ entry stands.
type ProposalState string

// Proposal states: a main user approves or rejects a proposal once.
const (
	ProposalPending  ProposalState = "pending"
	ProposalApproved ProposalState = "approved"
	ProposalRejected ProposalState = "rejected"
)

// FAQProposal is an FAQ entry a supporter proposed when closing a hand-off; the bot uses it only once a main user
// has approved it. The approver may add the other languages.
type FAQProposal struct {
	ID         int64
	HandoffID  int64 // 0 when not made from a hand-off
	Lang       Lang  // the language it was written in
	Question   Text
	Answer     Text
	State      ProposalState
	ProposedBy string
	ProposedAt time.Time
	DecidedBy  string
	DecidedAt  time.Time
	Version    int
}

// Entry is the FAQ entry an approved proposal stands for.
func (p FAQProposal) Entry() FAQEntry {
	return FAQEntry{ID: ProposalEntryID(p.ID), Question: p.Question, Answer: p.Answer}
}

// FAQAsk is one free-text question the FAQ answered, for the measures: who asked (only they may say whether it
// helped), when, which entries were shown, and their feedback. The question itself is not kept.
type FAQAsk struct {
	ID        int64
	AskerID   string
	Lang      Lang
	EntryIDs  []string
	AskedAt   time.Time
	Helpful   *bool // nil until the asker says
	HandoffID int64 // the hand-off it led to, if any
}

// SupportMeasures are the main users' figures on answers and the hand-off, over a period.
type SupportMeasures struct {
	Since          time.Time
	Asked          int // questions the FAQ answered
	Helpful        int // of which the asker said the answer helped
	NotHelpful     int
	Handoffs       int // hand-offs created
	Taken          int
	Closed         int
	Cancelled      int
	Open           int           // waiting for someone to take them now
	MedianTake     time.Duration // from creation to take, of those taken
	MedianClose    time.Duration // from creation to close, of those closed
	PendingReviews int           // proposals waiting for a main user
}
