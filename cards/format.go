package cards

import (
	"strconv"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// Date formats a civil date the way people write it in each language: 25.11.2026 in Finnish and Swedish
// (Finland-Swedish usage), 25 Nov 2026 in English. The zero time gives "".
func Date(lang domain.Lang, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if lang == domain.English {
		return t.Format("2 Jan 2006")
	}
	return t.Format("2.1.2006")
}

// InputDate is the value format of Input.Date (YYYY-MM-DD).
func InputDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// Input is an Adaptive Card input element (Input.Text, Input.Date, Input.Toggle, Input.ChoiceSet). Fields that do
// not apply to a type stay empty and are omitted.
type Input struct {
	Type          string   `json:"type"`
	ID            string   `json:"id"`
	Label         string   `json:"label,omitempty"`
	Placeholder   string   `json:"placeholder,omitempty"`
	Value         string   `json:"value,omitempty"`
	IsRequired    bool     `json:"isRequired,omitempty"`
	ErrorMessage  string   `json:"errorMessage,omitempty"`
	IsMultiline   bool     `json:"isMultiline,omitempty"`
	MaxLength     int      `json:"maxLength,omitempty"`
	Regex         string   `json:"regex,omitempty"`
	Min           string   `json:"min,omitempty"` // Input.Date
	Max           string   `json:"max,omitempty"`
	Title         string   `json:"title,omitempty"` // Input.Toggle
	ValueOn       string   `json:"valueOn,omitempty"`
	ValueOff      string   `json:"valueOff,omitempty"`
	Choices       []Choice `json:"choices,omitempty"` // Input.ChoiceSet
	IsMultiSelect bool     `json:"isMultiSelect,omitempty"`
	Style         string   `json:"style,omitempty"` // ChoiceSet: compact | expanded
	Wrap          bool     `json:"wrap,omitempty"`
	Spacing       string   `json:"spacing,omitempty"`
}

func (i Input) elementType() string { return i.Type }

// itemToggle is the Input.Toggle of one request item (ItemInputPrefix + the item's id), titled by its theme's name
// and on or off when the card opens.
func itemToggle(it domain.RequestItem, title string, on bool) Input {
	value := "false"
	if on {
		value = "true"
	}
	return Input{Type: "Input.Toggle", ID: ItemInputPrefix + strconv.FormatInt(it.ID, 10), Title: title,
		Value: value, ValueOn: "true", ValueOff: "false", Wrap: true}
}

// reasonInput is the optional reason of a decision or a grant (ReasonInput, at most MaxReason characters), with
// the label key+".label" and the placeholder key+".placeholder".
func reasonInput(p i18n.Printer, key string) Input {
	return Input{Type: "Input.Text", ID: ReasonInput, Label: p.Get(key + ".label"),
		Placeholder: p.Get(key + ".placeholder"), IsMultiline: true, MaxLength: MaxReason,
		ErrorMessage: p.Format("admin.reason.too_long", "max", strconv.Itoa(MaxReason))}
}

// Choice is one option of an Input.ChoiceSet.
type Choice struct {
	Title string `json:"title"`
	Value string `json:"value"`
}

// Column and ColumnSet lay elements side by side.
type Column struct {
	Type  string    `json:"type"`
	Width string    `json:"width,omitempty"` // auto | stretch | weighted "2"
	Items []Element `json:"items"`
}

// ColumnSet lays columns side by side.
type ColumnSet struct {
	Type    string   `json:"type"`
	Columns []Column `json:"columns"`
	Spacing string   `json:"spacing,omitempty"`
}

func (ColumnSet) elementType() string { return "ColumnSet" }
