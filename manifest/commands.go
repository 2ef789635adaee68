package manifest

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// Command is one entry of the bot's command menu as Teams shows it in one language. When a user picks it, Teams
// puts Title in the compose box and sends it as the message text (after the @mention in a team or group chat), so
// the bot's command parser must understand every Title in every language.
type Command struct {
	Title       string
	Description string
	// Scopes lists where the command is offered: "personal", "team", "groupChat".
	Scopes []string
}

// Commands returns the command menu in lang, one entry per distinct title, in the order of first appearance
// (personal list first). It reads the embedded manifest template and localisation files, so it always matches the
// package that Build writes. An unsupported lang is a domain.EInvalid error.
func Commands(lang domain.Lang) (cmds []Command, err error) {
	defer func() { err = domain.Wrap("manifest.Commands", err) }()
	var locFile string
	switch lang {
	case domain.English:
	case domain.Finnish:
		locFile = finnishFile
	case domain.Swedish:
		locFile = swedishFile
	default:
		return nil, invalid("unsupported language %q", lang)
	}
	raw, err := render(Params{AppID: "00000000-0000-4000-8000-000000000000"}.withDefaults())
	if err != nil {
		return nil, err
	}
	var m struct {
		Bots []struct {
			CommandLists []struct {
				Scopes   []string `json:"scopes"`
				Commands []struct {
					Title       string `json:"title"`
					Description string `json:"description"`
				} `json:"commands"`
			} `json:"commandLists"`
		} `json:"bots"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("decode manifest: %w", err)
	}
	loc := map[string]string{}
	if locFile != "" {
		if err := json.Unmarshal(mustAsset(locFile), &loc); err != nil {
			return nil, fmt.Errorf("decode %s: %w", locFile, err)
		}
	}
	index := map[string]int{}
	for _, bot := range m.Bots {
		for i, list := range bot.CommandLists {
			for j, c := range list.Commands {
				key := fmt.Sprintf("bots[0].commandLists[%d].commands[%d].", i, j)
				title, desc := c.Title, c.Description
				if t, ok := loc[key+"title"]; ok {
					title = t
				}
				if d, ok := loc[key+"description"]; ok {
					desc = d
				}
				k, ok := index[title]
				if !ok {
					index[title] = len(cmds)
					cmds = append(cmds, Command{Title: title, Description: desc})
					k = len(cmds) - 1
				}
				for _, s := range list.Scopes {
					if !slices.Contains(cmds[k].Scopes, s) {
						cmds[k].Scopes = append(cmds[k].Scopes, s)
					}
				}
			}
		}
	}
	return cmds, nil
}
