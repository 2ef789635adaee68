package connector

import (
	"encoding/json"

	"github.com/infracloudio/msbotbuilder-go/schema"
)

// adaptiveCardType is the content type of an Adaptive Card attachment.
const adaptiveCardType = "application/vnd.microsoft.card.adaptive"

// stampActivity adds the keys of stamp to the data of every Action.Execute and Action.Submit in a's Adaptive Cards
// (nested cards, show-card actions and refresh actions included), so that a tap on the card comes back with them:
// a deployment of several organisations in one tenant routes the tap to the organisation that sent the card. A
// card's own keys win over the stamp. An attachment that cannot be read as JSON is left as it is.
func stampActivity(a schema.Activity, stamp map[string]string) schema.Activity {
	if len(stamp) == 0 || len(a.Attachments) == 0 {
		return a
	}
	atts := make([]schema.Attachment, len(a.Attachments))
	copy(atts, a.Attachments)
	for i, at := range atts {
		if at.ContentType != adaptiveCardType || at.Content == nil {
			continue
		}
		raw, err := json.Marshal(at.Content)
		if err != nil {
			continue
		}
		var card any
		if err := json.Unmarshal(raw, &card); err != nil {
			continue
		}
		stampNode(card, stamp)
		if out, err := json.Marshal(card); err == nil {
			atts[i].Content = json.RawMessage(out)
		}
	}
	a.Attachments = atts
	return a
}

func stampNode(n any, stamp map[string]string) {
	switch v := n.(type) {
	case map[string]any:
		if t, _ := v["type"].(string); t == "Action.Execute" || t == "Action.Submit" {
			data, ok := v["data"].(map[string]any)
			if v["data"] == nil {
				data, ok = map[string]any{}, true
				v["data"] = data
			}
			if ok {
				for k, s := range stamp {
					if _, own := data[k]; !own {
						data[k] = s
					}
				}
			}
		}
		for _, c := range v {
			stampNode(c, stamp)
		}
	case []any:
		for _, c := range v {
			stampNode(c, stamp)
		}
	}
}
