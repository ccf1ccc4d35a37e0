package checks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	neturl "net/url"
	"strconv"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/wneessen/go-mail"
)

// Notifier delivers one queued notification over its channel.
type Notifier struct {
	Client  *http.Client
	Timeout time.Duration // per delivery (default 15 s)
}

// NewNotifier returns a notifier with its own HTTP client, separate from
// the checks' pools so a slow receiver cannot starve probes.
func NewNotifier() *Notifier {
	return &Notifier{Client: &http.Client{Transport: &http.Transport{Proxy: http.ProxyFromEnvironment, MaxIdleConnsPerHost: 4}}, Timeout: 15 * time.Second}
}

// Send delivers q. The error says what went wrong, for the alert timeline.
func (n *Notifier) Send(ctx context.Context, q store.Queued) error {
	timeout := n.Timeout
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	p := q.Payload
	p.DeliveryID = q.ID
	// One key per delivery, the same on a retry and across a takeover:
	// delivery is at least once, and this is what lets a receiver make it
	// once (the Idempotency-Key header; the email's Message-ID).
	key := map[string]string{"Idempotency-Key": DeliveryKey(q.ID)}
	switch q.Channel.Kind {
	case "webhook":
		body, err := json.Marshal(p)
		if err != nil {
			return err
		}
		return n.post(ctx, q.Channel.URL, "application/json", body, key)
	case "slack":
		body, _ := json.Marshal(map[string]string{"text": p.Text()})
		return n.post(ctx, q.Channel.URL, "application/json", body, key)
	case "ntfy":
		prio := "5"
		if p.Event == "resolved" || p.Severity == "warning" {
			prio = "3"
		}
		return n.post(ctx, q.Channel.URL, "text/plain; charset=utf-8", []byte(p.Text()), map[string]string{
			"Title": p.Title, "Priority": prio, "Tags": "opsdeck," + p.Event, "Idempotency-Key": DeliveryKey(q.ID),
		})
	case "email":
		return sendMail(ctx, q.Channel, q.Recipients, p)
	}
	return fmt.Errorf("unknown channel kind %q", q.Channel.Kind)
}

// DeliveryKey is how receivers see a delivery id: "opsdeck-delivery-42".
func DeliveryKey(id int64) string { return "opsdeck-delivery-" + strconv.FormatInt(id, 10) }

func (n *Notifier) post(ctx context.Context, url, ctype string, body []byte, hdr map[string]string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return errors.New("the channel's URL is not valid")
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("User-Agent", "opsdeck-notify")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := n.Client.Do(req)
	if err != nil {
		// The URL's path is the channel's credential (Slack, webhook,
		// ntfy topic) and this error lands in the alert timeline: name
		// the host only.
		var ue *neturl.Error
		if errors.As(err, &ue) {
			return fmt.Errorf("%s %s: %w", ue.Op, req.URL.Host, ue.Err)
		}
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s answered HTTP %d", req.URL.Host, resp.StatusCode)
	}
	return nil
}

// sendMail sends the notification as plain text to the recipients (owner,
// on call) plus the channel's extra addresses.
func sendMail(ctx context.Context, ch model.Channel, recipients []string, p model.Notification) error {
	to := recipients
	for _, a := range strings.Split(ch.ExtraTo, ",") {
		if a != "" {
			to = append(to, a)
		}
	}
	if len(to) == 0 {
		return fmt.Errorf("no recipients: the service has no owner, nobody is on call and the channel has no extra_to")
	}
	host, portS, err := net.SplitHostPort(ch.SMTPAddr)
	if err != nil {
		return fmt.Errorf("smtp_addr %q: %w", ch.SMTPAddr, err)
	}
	port, _ := strconv.Atoi(portS)
	policy := map[string]mail.TLSPolicy{"none": mail.NoTLS, "opportunistic": mail.TLSOpportunistic, "required": mail.TLSMandatory}[ch.SMTPTLS]
	opts := []mail.Option{mail.WithPort(port), mail.WithTLSPolicy(policy), mail.WithTimeout(15 * time.Second), mail.WithHELO("opsdeck")}
	if ch.SMTPUser != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername(ch.SMTPUser), mail.WithPassword(ch.SMTPPass))
	}
	c, err := mail.NewClient(host, opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	m := mail.NewMsg()
	if err := m.From(ch.SMTPFrom); err != nil {
		return fmt.Errorf("from %q: %w", ch.SMTPFrom, err)
	}
	if err := m.To(to...); err != nil {
		return fmt.Errorf("to %v: %w", to, err)
	}
	m.Subject(p.Title)
	m.SetDate()
	if p.DeliveryID != 0 {
		// The same Message-ID on a second send: mail clients show one.
		m.SetMessageIDWithValue(DeliveryKey(p.DeliveryID) + "@opsdeck")
	} else {
		m.SetMessageID()
	}
	m.SetBodyString(mail.TypeTextPlain, p.Text())
	if err := c.DialAndSendWithContext(ctx, m); err != nil {
		return fmt.Errorf("smtp %s: %w", ch.SMTPAddr, err)
	}
	return nil
}
