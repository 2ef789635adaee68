// Package cards builds the Adaptive Cards the bot sends, as pure functions from data to JSON-ready structs.
//
// Teams renders Adaptive Card schema 1.5 and never translates cards, so every builder takes the reader's
// language (an i18n.Printer) and everything that varies (names, dates, the current time) as arguments. Each card
// has a golden JSON file per language under testdata/ (go test ./cards -update rewrites them) and stays under
// MaxBytes. Decisions use Action.Execute (Universal Actions): Teams sends them to the bot as an
// adaptiveCard/action invoke carrying the verb and data defined here.
package cards

import (
	"encoding/json"
	"fmt"

	"github.com/infracloudio/msbotbuilder-go/schema"
)

// SchemaVersion is the newest Adaptive Card schema Teams renders.
const SchemaVersion = "1.5"

// MaxBytes is our ceiling for one card's JSON. Teams' own limit has moved between about 28 KB and 100 KB; staying
// under 25 KB keeps every card deliverable.
const MaxBytes = 25 << 10

// ContentType is the attachment content type of an Adaptive Card.
const ContentType = "application/vnd.microsoft.card.adaptive"

// Card is an Adaptive Card.
type Card struct {
	Type         string    `json:"type"`
	Schema       string    `json:"$schema"`
	Version      string    `json:"version"`
	Lang         string    `json:"lang,omitempty"`
	FallbackText string    `json:"fallbackText,omitempty"`
	Refresh      *Refresh  `json:"refresh,omitempty"`
	MSTeams      *MSTeams  `json:"msteams,omitempty"`
	Body         []Element `json:"body"`
	Actions      []Action  `json:"actions,omitempty"`
}

// MSTeams holds Teams-specific card settings.
type MSTeams struct {
	Width string `json:"width,omitempty"` // "Full" uses the whole message width
}

// Refresh makes Teams ask the bot for a user-specific view of the card (only the listed users, at most 60).
type Refresh struct {
	Action  Action   `json:"action"`
	UserIDs []string `json:"userIds,omitempty"`
}

// Element is any card element (TextBlock, Container, FactSet, inputs…). The method only marks the types that may
// stand in a card's body; each returns the element's "type".
type Element interface{ elementType() string }

func (TextBlock) elementType() string { return "TextBlock" }
func (Container) elementType() string { return "Container" }
func (FactSet) elementType() string   { return "FactSet" }
func (ActionSet) elementType() string { return "ActionSet" }

// TextBlock shows text, read as a markdown subset: names and directory data go in through escapeMarkdown, text
// people typed never goes in (see typedText).
type TextBlock struct {
	Type     string `json:"type"`
	ID       string `json:"id,omitempty"`
	Text     string `json:"text"`
	Wrap     bool   `json:"wrap,omitempty"`
	Size     string `json:"size,omitempty"`
	Weight   string `json:"weight,omitempty"`
	Color    string `json:"color,omitempty"`
	IsSubtle bool   `json:"isSubtle,omitempty"`
	Spacing  string `json:"spacing,omitempty"`
	Style    string `json:"style,omitempty"` // "heading" for accessibility
	// IsVisible false hides the block until an Action.ToggleVisibility shows it; nil (omitted) means visible.
	IsVisible *bool `json:"isVisible,omitempty"`
}

// Text returns a wrapping TextBlock.
func Text(s string) TextBlock { return TextBlock{Type: "TextBlock", Text: s, Wrap: true} }

// Heading returns a TextBlock marked as a heading (screen readers announce it as one).
func Heading(s string) TextBlock {
	return TextBlock{Type: "TextBlock", Text: s, Wrap: true, Size: "Large", Weight: "Bolder", Style: "heading"}
}

// Container groups elements.
type Container struct {
	Type    string `json:"type"`
	ID      string `json:"id,omitempty"`
	Style   string `json:"style,omitempty"` // default | emphasis | good | attention | warning | accent
	Spacing string `json:"spacing,omitempty"`
	// SelectAction makes the whole container tappable, e.g. an Action.ToggleVisibility that unfolds a section.
	SelectAction *Action `json:"selectAction,omitempty"`
	// IsVisible false hides the container until an Action.ToggleVisibility shows it; nil (omitted) means visible.
	IsVisible *bool     `json:"isVisible,omitempty"`
	Items     []Element `json:"items"`
}

// Fact is one row of a FactSet.
type Fact struct {
	Title string `json:"title"`
	Value string `json:"value"`
}

// FactSet shows label/value rows.
type FactSet struct {
	Type  string `json:"type"`
	Facts []Fact `json:"facts"`
}

// ActionSet places actions inside the body.
type ActionSet struct {
	Type    string   `json:"type"`
	Actions []Action `json:"actions"`
}

// Action is Action.Execute (decisions and anything the bot must answer), Action.OpenUrl or Action.ToggleVisibility
// (shows and hides parts of the card in the client, without asking the bot).
type Action struct {
	Type  string `json:"type"`
	ID    string `json:"id,omitempty"`
	Title string `json:"title,omitempty"`
	Verb  string `json:"verb,omitempty"`
	Data  any    `json:"data,omitempty"`
	URL   string `json:"url,omitempty"`
	Style string `json:"style,omitempty"` // positive | destructive
	// AssociatedInputs "none" skips input validation, e.g. for Cancel.
	AssociatedInputs string `json:"associatedInputs,omitempty"`
	// TargetElements are the ids of the elements an Action.ToggleVisibility shows or hides.
	TargetElements []string `json:"targetElements,omitempty"`
}

// Execute returns an Action.Execute with the given verb and data.
func Execute(title, verb string, data any) Action {
	return Action{Type: "Action.Execute", Title: title, Verb: verb, Data: data}
}

// ToggleVisibility returns an Action.ToggleVisibility that flips the visibility of the elements with the given ids.
// The title is what screen readers announce for it.
func ToggleVisibility(title string, ids ...string) Action {
	return Action{Type: "Action.ToggleVisibility", Title: title, TargetElements: ids}
}

// hiddenUnless is the IsVisible of an element that starts hidden unless visible is true (nil: visible, the default).
func hiddenUnless(visible bool) *bool {
	if visible {
		return nil
	}
	return &visible
}

// OpenURL returns an Action.OpenUrl.
func OpenURL(title, url string) Action { return Action{Type: "Action.OpenUrl", Title: title, URL: url} }

// New returns an empty schema-1.5 card in the given language.
func New(lang string) *Card {
	return &Card{Type: "AdaptiveCard", Schema: "http://adaptivecards.io/schemas/adaptive-card.json",
		Version: SchemaVersion, Lang: lang, MSTeams: &MSTeams{Width: "Full"}}
}

// JSON encodes the card and enforces MaxBytes.
func (c *Card) JSON() ([]byte, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	if len(b) > MaxBytes {
		return nil, fmt.Errorf("cards: card is %d bytes, over the %d byte limit", len(b), MaxBytes)
	}
	return b, nil
}

// Activity is a message activity carrying the card, with its fallback text as the summary.
func (c *Card) Activity() schema.Activity {
	return schema.Activity{
		Type:        schema.Message,
		Summary:     c.FallbackText,
		Attachments: []schema.Attachment{{ContentType: ContentType, Content: c}},
	}
}
