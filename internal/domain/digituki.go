package domain

import "time"

// Digituki is where the support network takes questions in Teams: a channel of a team the bot is installed in. The
// bot learns how to post there when it receives any activity from the team (its installation, a message).
type Digituki struct {
	TeamID    string `json:"team_id" yaml:"team_id"`
	ChannelID string `json:"channel_id" yaml:"channel_id"` // the channel's conversation id, 19:…@thread.tacv2
	// ReminderMinutes is how many working minutes a hand-off may wait unclaimed before the channel is reminded;
	// zero means DefaultReminderMinutes.
	ReminderMinutes int `json:"reminder_minutes" yaml:"reminder_minutes"`
	// Reminders is how many reminders an unclaimed hand-off gets at most; zero means DefaultHandoffReminders.
	Reminders int `json:"reminders" yaml:"reminders"`
}

// Defaults of the hand-off's reminders.
const (
	DefaultReminderMinutes  = 30
	DefaultHandoffReminders = 3
)

// Enabled reports whether a digituki channel is configured.
func (d Digituki) Enabled() bool { return d.ChannelID != "" }

// ReminderAfter is the working time an unclaimed hand-off waits before each reminder.
func (d Digituki) ReminderAfter() time.Duration {
	if d.ReminderMinutes <= 0 {
		return DefaultReminderMinutes * time.Minute
	}
	return time.Duration(d.ReminderMinutes) * time.Minute
}

// MaxReminders is how many reminders an unclaimed hand-off gets.
func (d Digituki) MaxReminders() int {
	if d.Reminders <= 0 {
		return DefaultHandoffReminders
	}
	return d.Reminders
}
