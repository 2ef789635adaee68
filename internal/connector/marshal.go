package connector

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
)

// zeroTime is how encoding/json writes time.Time{}; the schema's omitempty does not drop it.
const zeroTime = `"0001-01-01T00:00:00Z"`

// isTimeKey reports whether key is the JSON name of a time.Time field in msbotbuilder-go's
// schema.
func isTimeKey(key string) bool {
	switch key {
	case "timestamp", "localTimestamp", "expiration":
		return true
	}
	return false
}

// isOpaqueKey reports whether key is the JSON name of one of the schema's free-form fields
// (interface{} and map[string]interface{}): card content, channelData, values. Their
// contents belong to the caller and pass through byte for byte, so an Adaptive Card's
// "data": {} survives.
func isOpaqueKey(key string) bool {
	switch key {
	case "content", "channelData", "value", "body", "cardValue",
		"data", "details", "address", "geo", "hasMap", "settings":
		return true
	}
	return false
}

// Marshal encodes a msbotbuilder-go schema value (an Activity, ConversationParameters, …) as
// JSON without the noise its struct tags let through: zero timestamps
// ("0001-01-01T00:00:00Z") and objects that are empty once their own noise is gone (from,
// recipient, conversation, relatesTo, suggestedActions, semanticAction, a zero activity
// inside ConversationParameters). Free-form fields (attachment content, channelData, value)
// are copied verbatim. Keys of pruned objects come out sorted.
func Marshal(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	out, keep, err := prune("", raw)
	if err != nil {
		return nil, fmt.Errorf("prune JSON: %w", err)
	}
	if !keep {
		return []byte("{}"), nil
	}
	return out, nil
}

// prune returns raw without noise and whether the value should be kept under key.
func prune(key string, raw json.RawMessage) (json.RawMessage, bool, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return raw, false, nil
	}
	if isOpaqueKey(key) {
		return raw, true, nil
	}
	switch raw[0] {
	case '"':
		if isTimeKey(key) && string(raw) == zeroTime {
			return nil, false, nil
		}
		return raw, true, nil
	case '[':
		var elems []json.RawMessage
		if err := json.Unmarshal(raw, &elems); err != nil {
			return nil, false, err
		}
		var b bytes.Buffer
		b.WriteByte('[')
		for i, e := range elems {
			// Elements are kept even when empty: dropping one would shift the others.
			pe, keep, err := prune(key, e)
			if err != nil {
				return nil, false, err
			}
			if !keep {
				pe = json.RawMessage("{}")
			}
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(pe)
		}
		b.WriteByte(']')
		return b.Bytes(), true, nil
	case '{':
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(raw, &fields); err != nil {
			return nil, false, err
		}
		keys := make([]string, 0, len(fields))
		for k := range fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b bytes.Buffer
		b.WriteByte('{')
		n := 0
		for _, k := range keys {
			pv, keep, err := prune(k, fields[k])
			if err != nil {
				return nil, false, err
			}
			if !keep {
				continue
			}
			if n > 0 {
				b.WriteByte(',')
			}
			kb, _ := json.Marshal(k)
			b.Write(kb)
			b.WriteByte(':')
			b.Write(pv)
			n++
		}
		b.WriteByte('}')
		return b.Bytes(), n > 0, nil
	default:
		return raw, true, nil
	}
}
