package flows

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/valtuusbotti/valtuusbotti/cards"
)

// decodeAction splits an Action.Execute data object (Teams merges the card's input values into it) into the
// typed data the bot put on the card and the named inputs. Anything else — a field the bot never writes, an input
// that is not a string, a value of the wrong type — is refused: it is tampering or a card from another version.
func decodeAction(raw json.RawMessage, dst any, inputs []string, prefixes []string) (map[string]string, error) {
	fields := map[string]json.RawMessage{}
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &fields); err != nil {
			return nil, err
		}
	}
	known := jsonFields(dst)
	own := map[string]json.RawMessage{}
	values := map[string]string{}
	for k, v := range fields {
		switch {
		case known[k]:
			own[k] = v
		case slices.Contains(inputs, k) || hasAnyPrefix(k, prefixes):
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return nil, fmt.Errorf("input %q is not text", k)
			}
			values[k] = s
		default:
			return nil, fmt.Errorf("unexpected field")
		}
	}
	buf, _ := json.Marshal(own)
	if err := strictJSON(buf, dst); err != nil {
		return nil, err
	}
	return values, nil
}

// decode is decodeAction for handlers: any refusal is errBadAction.
func decode(raw json.RawMessage, dst any, inputs []string, prefixes ...string) (map[string]string, error) {
	in, err := decodeAction(raw, dst, inputs, prefixes)
	if err != nil {
		return nil, errBadAction
	}
	return in, nil
}

// decodeRequest decodes the data of a verb that names a request, with its inputs.
func decodeRequest(raw json.RawMessage, inputs []string, prefixes ...string) (cards.RequestData, map[string]string, error) {
	var d cards.RequestData
	in, err := decode(raw, &d, inputs, prefixes...)
	if err == nil && d.RequestID <= 0 {
		err = errBadAction
	}
	return d, in, err
}

// strictJSON decodes card data refusing unknown fields: data the bot did not put on a card is tampering or an old card.
func strictJSON(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) && len(s) > len(p) && len(s) <= len(p)+80 {
			return true
		}
	}
	return false
}

// jsonFields lists the JSON names of a struct's fields.
func jsonFields(v any) map[string]bool {
	out := map[string]bool{}
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return out
	}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name == "" {
			name = t.Field(i).Name
		}
		if name != "-" {
			out[name] = true
		}
	}
	return out
}

// toggles reads "item_<id>" inputs ("true"/"false").
func toggles(inputs map[string]string) (map[int64]bool, error) {
	out := map[int64]bool{}
	for k, v := range inputs {
		rest, ok := strings.CutPrefix(k, cards.ItemInputPrefix)
		if !ok {
			continue
		}
		id, err := strconv.ParseInt(rest, 10, 64)
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("bad item input")
		}
		switch v {
		case "true":
			out[id] = true
		case "false", "":
			out[id] = false
		default:
			return nil, fmt.Errorf("bad toggle value")
		}
	}
	return out, nil
}

// selected lists the ids whose toggle is on, in order.
func selected(sel map[int64]bool) []int64 {
	var ids []int64
	for id, on := range sel {
		if on {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}
