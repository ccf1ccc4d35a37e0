package cli

import (
	"fmt"
	"strings"

	"github.com/opsdeck/opsdeck/checks"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

func init() {
	register(func(env *Env) *cobra.Command {
		cmd := &cobra.Command{Use: "channels", Short: "Where alert notifications go (webhook, slack, ntfy, email)"}
		var ch model.Channel
		fields := tableFields(model.ChannelFields)
		var asJSON bool
		var pw passwordFlags
		add := &cobra.Command{Use: "add", Short: "Add a notification channel, global or for one service", Args: cobra.NoArgs,
			Example: `  opsdeck channels add --name ops-hook --kind webhook --url https://hooks.example.com/opsdeck
  opsdeck channels add --name ops-slack --kind slack --url https://hooks.slack.com/services/T000/B000/XXX
  opsdeck channels add --name ops-ntfy --kind ntfy --url https://ntfy.sh/example-ops
  opsdeck channels add --name ops-mail --kind email --smtp-addr smtp.example.com:587 --smtp-from opsdeck@example.com \
      --smtp-user opsdeck --password-file ~/.config/opsdeck/smtp.pass --service "Production App"
The SMTP password comes from --password-file, --password-env NAME, $OPSDECK_SMTP_PASSWORD,
or a prompt on the terminal; never from the command line. Stored encrypted (docs/secrets.md).`,
			RunE: func(c *cobra.Command, _ []string) error {
				// The password is read before the write begins (a prompt
				// must not hold the writer), so it looks at the flags.
				kind, _ := c.Flags().GetString("kind")
				user, _ := c.Flags().GetString("smtp-user")
				prompt := ""
				if strings.EqualFold(kind, "email") && user != "" {
					prompt = "SMTP password for " + user + " (empty for none): "
				}
				pass, err := pw.password(env, prompt)
				if err != nil {
					return err
				}
				if pass != "" && user == "" {
					return model.Invalid("smtp_user", "", "is required with a password")
				}
				s, err := env.Open()
				if err != nil {
					return err
				}
				err = s.Write(c.Context(), env.Actor, func(t *store.Tx) error {
					if err := applyFields(c, t, &ch, fields); err != nil {
						return err
					}
					ch.SMTPPass, ch.Enabled = pass, true
					return t.AddChannel(&ch)
				})
				if err != nil {
					return err
				}
				s.Redact(&ch)
				if asJSON {
					return env.printJSON(ch)
				}
				fmt.Fprintf(env.Stdout, "added channel %d: %s (%s)\n", ch.ID, ch.Name, ch.Kind)
				return nil
			}}
		addFlags(add, fields)
		f := add.Flags()
		pw.register(add, "email: SMTP")
		refuseValueFlag(add, "smtp_pass", "use --password-file FILE, --password-env NAME or $"+SMTPPasswordEnv+", or type it at the prompt")
		refuseValueFlag(add, "password", "use --password-file FILE, --password-env NAME or $"+SMTPPasswordEnv+", or type it at the prompt")
		f.BoolVar(&asJSON, "json", false, "print the channel as JSON")

		list := lister[model.Channel]{short: "List notification channels",
			query: func(c *cobra.Command, _ []string, s *store.Store) ([]model.Channel, error) {
				return s.ListChannels(c.Context())
			},
			header: []string{"id", "name", "kind", "destination", "for"},
			row: func(ch model.Channel, nm *names) []string {
				scope := "all services"
				if ch.ServiceID != nil {
					if sv, err := nm.s.GetService(nm.ctx, *ch.ServiceID); err == nil {
						scope = sv.Name
					}
				}
				dest := ch.URL
				if ch.Kind == "email" {
					dest = ch.SMTPAddr
				}
				return []string{fmt.Sprint(ch.ID), ch.Name, ch.Kind, dest, scope}
			}}.command(env)

		del := &cobra.Command{Use: "delete NAME", Short: "Delete a channel", Args: cobra.ExactArgs(1),
			RunE: func(c *cobra.Command, args []string) error {
				s, err := env.Open()
				if err != nil {
					return err
				}
				var gone model.Channel
				if err := s.Write(c.Context(), env.Actor, func(t *store.Tx) error { gone, err = t.DeleteChannel(args[0]); return err }); err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "deleted channel %s\n", gone.Name)
				return nil
			}}
		test := &cobra.Command{Use: "test NAME", Short: "Send a test notification through a channel now (to whoever is on call)", Args: cobra.ExactArgs(1),
			RunE: func(c *cobra.Command, args []string) error {
				s, err := env.Open()
				if err != nil {
					return err
				}
				// Sending uses the channel's credentials.
				ch, err := s.WithCredentials().FindChannel(c.Context(), args[0])
				if err != nil {
					return err
				}
				now := env.now()
				oc, err := s.OnCallAt(c.Context(), now)
				if err != nil {
					return err
				}
				n := model.Notification{Event: "test", Title: "[TEST] opsdeck channel " + ch.Name, Check: "-", State: "test", Severity: "info",
					Summary: "a test from opsdeck channels test", OpenedAt: now, At: now}
				for _, o := range oc {
					n.OnCall = append(n.OnCall, o.Email)
					n.Recipients = append(n.Recipients, o.Email)
				}
				if err := checks.NewNotifier().Send(c.Context(), store.Queued{Channel: ch, Payload: n, Recipients: n.Recipients}); err != nil {
					return fmt.Errorf("channel %s: %w", ch.Name, err)
				}
				fmt.Fprintf(env.Stdout, "sent a test notification via %s (%s)\n", ch.Name, ch.Kind)
				return nil
			}}
		cmd.AddCommand(add, list, del, test)
		return cmd
	})
}
