package model

import (
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ChannelKinds are the notifiers opsdeck speaks.
var (
	ChannelKinds = []string{"webhook", "slack", "ntfy", "email"}
	SMTPTLSModes = []string{"none", "opportunistic", "required"}
)

// Channel is where notifications go: a webhook (JSON), a Slack-compatible
// webhook, an ntfy topic URL, or email over SMTP. A channel with a service
// serves only that service's alerts; without one it serves all.
type Channel struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Kind      string    `json:"kind"`
	URL       string    `json:"url"`
	SMTPAddr  string    `json:"smtp_addr"`
	SMTPFrom  string    `json:"smtp_from"`
	SMTPUser  string    `json:"smtp_user"`
	SMTPPass  string    `json:"smtp_pass,omitempty"`
	SMTPTLS   string    `json:"smtp_tls"`
	ExtraTo   string    `json:"extra_to"` // comma-separated addresses
	ServiceID *int64    `json:"service_id"`
	Enabled   bool      `json:"enabled"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func (c *Channel) Normalize() {
	c.Name = Sanitize(c.Name)
	c.Kind = strings.ToLower(strings.TrimSpace(c.Kind))
	c.URL = Sanitize(c.URL)
	c.SMTPAddr = Sanitize(c.SMTPAddr)
	c.SMTPFrom = Sanitize(c.SMTPFrom)
	c.SMTPUser = Sanitize(c.SMTPUser)
	c.ExtraTo = strings.ReplaceAll(Sanitize(c.ExtraTo), " ", "")
	c.SMTPTLS = keyword(c.SMTPTLS, "opportunistic")
}

func (c *Channel) Validate() error {
	if err := firstErr(required("name", c.Name), oneOf("kind", c.Kind, ChannelKinds...), oneOf("smtp_tls", c.SMTPTLS, SMTPTLSModes...)); err != nil {
		return err
	}
	if c.Kind == "email" {
		if _, _, err := net.SplitHostPort(c.SMTPAddr); err != nil {
			return Invalid("smtp_addr", c.SMTPAddr, "is not host:port")
		}
		if err := ValidateEmail("smtp_from", c.SMTPFrom); err != nil {
			return err
		}
		for _, a := range strings.Split(c.ExtraTo, ",") {
			if a != "" {
				if err := ValidateEmail("extra_to", a); err != nil {
					return err
				}
			}
		}
		return nil
	}
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Invalid("url", c.URL, "is not an http:// or https:// URL")
	}
	return nil
}

// Notification is what every notifier renders: the webhook body as is,
// the other kinds as text built from it.
type Notification struct {
	// DeliveryID is the queued delivery's id: the same on every attempt
	// and on whichever host of a pair sends it, so a receiver can drop a
	// page sent twice (a host killed between sending and recording it).
	DeliveryID int64     `json:"delivery_id,omitempty"`
	Event      string    `json:"event"` // fired, repeat, flapping, resolved, test
	Title      string    `json:"title"`
	AlertID    int64     `json:"alert_id"`
	State      string    `json:"state"`
	Severity   string    `json:"severity"`
	Check      string    `json:"check"`
	Service    string    `json:"service"`
	Summary    string    `json:"summary"`
	CausedBy   string    `json:"caused_by,omitempty"`
	Flapping   bool      `json:"flapping"`
	Owner      string    `json:"owner"`
	OnCall     []string  `json:"on_call"`
	Recipients []string  `json:"recipients"`
	Runbook    string    `json:"runbook_url,omitempty"`
	OpenedAt   time.Time `json:"opened_at"`
	At         time.Time `json:"at"`
}

// Text is the plain-text body (email, ntfy, Slack).
func (n Notification) Text() string {
	if n.Event == "handover" { // a shift summary, not an alert
		return n.Summary
	}
	var b strings.Builder
	b.WriteString(n.Title + "\n\n")
	line := func(k, v string) {
		if v != "" {
			b.WriteString(k + ": " + v + "\n")
		}
	}
	line("Check", n.Check)
	line("Service", n.Service)
	line("Severity", n.Severity)
	line("State", n.State)
	line("Since", n.OpenedAt.UTC().Format(time.RFC3339))
	line("Owner", n.Owner)
	line("On call", strings.Join(n.OnCall, ", "))
	line("Runbook", n.Runbook)
	if n.Flapping {
		b.WriteString("This check is flapping; you will be told once, not on every change.\n")
	}
	b.WriteString("\nAcknowledge: opsdeck alerts ack " + strconv.FormatInt(n.AlertID, 10) + " --reason \"...\"\n")
	return b.String()
}

// StillWanted says why a queued page should be dropped at delivery time
// ("" to send): the alert was acknowledged, resolved, or is now silenced,
// snoozed or explained by a down device.
func StillWanted(a *Alert, event string, now time.Time) string {
	if event == "resolved" || event == "test" {
		return ""
	}
	if a.State != "firing" {
		return "alert is " + a.State
	}
	return a.Suppressed(now)
}
