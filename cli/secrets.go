package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

func init() {
	register(func(env *Env) *cobra.Command {
		cmd := &cobra.Command{Use: "secrets", Short: "Shared secrets: where they are kept, who knows them, when they were rotated (never their values)"}
		cmd.AddCommand(secretsAdd(env), secretsList(env), secretsShow(env), secretsRotated(env), secretsEdit(env))
		return cmd
	})
}

// secretView is a secret with its rotation state worked out, for output.
type secretView struct {
	model.Secret
	NextRotationAt *time.Time `json:"next_rotation_at"`
	Overdue        bool       `json:"overdue"`
	RotationStatus string     `json:"rotation_status"`
}

func viewSecret(x model.Secret, now time.Time) secretView {
	v := secretView{Secret: x, Overdue: x.Overdue(now), RotationStatus: x.RotationStatus(now)}
	if due, ok := x.RotationDue(); ok && !due.IsZero() {
		v.NextRotationAt = &due
	}
	return v
}

// holderIDs resolves a comma-separated list of people.
func holderIDs(t *store.Tx, list string) ([]int64, error) {
	ids := []int64{}
	for _, ref := range strings.Split(list, ",") {
		if ref = strings.TrimSpace(ref); ref == "" {
			continue
		}
		p, err := ops.PersonTx(t, "holders", ref)
		if err != nil {
			return nil, err
		}
		ids = append(ids, p.ID)
	}
	return ids, nil
}

func parseRotatedAt(field, v string, now time.Time) (time.Time, error) {
	if v == "" || v == "now" {
		return now, nil
	}
	return model.ParseTime(field, v, time.Local)
}

func secretsAdd(env *Env) *cobra.Command {
	var x model.Secret
	var holders, rotated string
	fields := tableFields(model.SharedSecretFields)
	var asJSON bool
	c := &cobra.Command{
		Use:   "add",
		Short: "Record a shared secret and who knows it (never its value)",
		Long: `Record a shared secret. opsdeck keeps where it lives and who knows it, never
the value. Example:
  opsdeck secrets add --name "AWS root credentials" --location "1Password: Ops vault" \
    --service AWS --holders oscar@example.com,bill@example.com --rotation-days 90 --last-rotated-at 2026-03-02`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if rotated != "" {
				at, err := parseRotatedAt("last_rotated_at", rotated, env.now())
				if err != nil {
					return err
				}
				x.LastRotatedAt = &at
			}
			_, err := env.write(c.Context(), func(t *store.Tx) error {
				if err := applyFields(c, t, &x, fields); err != nil {
					return err
				}
				ids, err := holderIDs(t, holders)
				if err != nil {
					return err
				}
				return t.AddSecret(&x, ids)
			})
			if err != nil {
				return err
			}
			if asJSON {
				return env.printJSON(viewSecret(x, env.now()))
			}
			fmt.Fprintf(env.Stdout, "added secret %d: %s, known by %s\n", x.ID, x.Name, orDash(x.HolderNames()))
			return nil
		},
	}
	addFlags(c, fields)
	c.Flags().StringVar(&holders, "holders", "", "who knows it (comma-separated emails)")
	c.Flags().StringVar(&rotated, "last-rotated-at", "", "when it was last rotated (RFC 3339, YYYY-MM-DD HH:MM, YYYY-MM-DD or 'now')")
	c.Flags().BoolVar(&asJSON, "json", false, "print the secret as JSON")
	return c
}

func secretsList(env *Env) *cobra.Command {
	var overdue bool
	c := lister[secretView]{short: "List shared secrets; overdue rotations are flagged",
		query: func(c *cobra.Command, _ []string, s *store.Store) ([]secretView, error) {
			list, err := s.ListSecrets(c.Context())
			now := env.now()
			views := []secretView{}
			for _, x := range list {
				if v := viewSecret(x, now); !overdue || v.Overdue {
					views = append(views, v)
				}
			}
			return views, err
		},
		header: []string{"id", "name", "service", "location", "holders", "rotated", "period", "rotation", ""},
		row: func(v secretView, _ *names) []string {
			flag := ""
			if v.Overdue {
				flag = "OVERDUE"
			}
			return []string{strconv.FormatInt(v.ID, 10), v.Name, orDash(v.ServiceName), orDash(v.Location), orDash(v.HolderNames()),
				env.ago(v.LastRotatedAt), rotationPeriod(v.RotationDays), v.RotationStatus, flag}
		}}.command(env)
	c.Flags().BoolVar(&overdue, "overdue", false, "only secrets whose rotation is overdue")
	return c
}

func rotationPeriod(days int) string {
	if days == 0 {
		return "-"
	}
	return fmt.Sprintf("%dd", days)
}

func secretsShow(env *Env) *cobra.Command {
	return showCommand(env, "show NAME", "Show one secret: where it is kept, who knows it, its rotation",
		func(c *cobra.Command, s *store.Store, ref string) (view, error) {
			x, err := s.FindSecret(c.Context(), ref)
			if err != nil {
				return nil, model.Invalid("secret", ref, "is not a known secret")
			}
			return viewSecret(x, env.now()), nil
		})
}

func (v secretView) print(env *Env) error {
	x := v.Secret
	rotated := "never"
	if x.LastRotatedAt != nil {
		rotated = x.LastRotatedAt.Local().Format("2006-01-02 15:04") + " (" + env.ago(x.LastRotatedAt) + ") by " + orDash(x.LastRotatedBy)
	}
	if err := env.printKV([][2]string{
		{"id", strconv.FormatInt(x.ID, 10)}, {"name", x.Name}, {"location", orDash(x.Location)}, {"service", orDash(x.ServiceName)},
		{"rotation_days", rotationPeriod(x.RotationDays)}, {"last_rotated", rotated}, {"rotation", v.RotationStatus}, {"notes", orDash(x.Notes)},
	}); err != nil {
		return err
	}
	return section(env, "Known by", []string{"name", "email", "status"}, x.Holders, func(h model.SecretHolder) []string {
		return []string{h.Name, h.Email, h.Status}
	})
}

func secretsRotated(env *Env) *cobra.Command {
	var at, holders string
	var asJSON bool
	c := &cobra.Command{
		Use:   "rotated NAME",
		Short: "Record that a secret was rotated (optionally: who knows the new value)",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			when, err := parseRotatedAt("at", at, env.now())
			if err != nil {
				return err
			}
			var after model.Secret
			_, err = env.write(c.Context(), func(t *store.Tx) error {
				x, err := t.FindSecret(args[0])
				if err != nil {
					return model.Invalid("secret", args[0], "is not a known secret")
				}
				var ids []int64
				if c.Flags().Changed("holders") {
					if ids, err = holderIDs(t, holders); err != nil {
						return err
					}
				}
				_, after, err = t.RotateSecret(x.ID, when, ids, 0)
				return err
			})
			if err != nil {
				return err
			}
			if asJSON {
				return env.printJSON(viewSecret(after, env.now()))
			}
			fmt.Fprintf(env.Stdout, "secret %s rotated at %s; known by %s; %s\n", after.Name, after.LastRotatedAt.Local().Format("2006-01-02 15:04"),
				orDash(after.HolderNames()), after.RotationStatus(env.now()))
			return nil
		},
	}
	c.Flags().StringVar(&at, "at", "now", "when it was rotated (RFC 3339, YYYY-MM-DD HH:MM, YYYY-MM-DD or 'now')")
	c.Flags().StringVar(&holders, "holders", "", "who knows the new value (comma-separated emails; default: the current holders)")
	c.Flags().BoolVar(&asJSON, "json", false, "print the secret as JSON")
	return c
}

func secretsEdit(env *Env) *cobra.Command {
	var asJSON bool
	fields := tableFields(model.SharedSecretFields)
	c := &cobra.Command{
		Use:   "edit NAME",
		Short: "Change a secret's name, location, service, rotation period, notes or holders (only the flags given)",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			f := c.Flags()
			var after model.Secret
			_, err := env.write(c.Context(), func(t *store.Tx) error {
				cur, err := t.FindSecret(args[0])
				if err != nil {
					return model.Invalid("secret", args[0], "is not a known secret")
				}
				var ids []int64
				if f.Changed("holders") {
					v, _ := f.GetString("holders")
					if ids, err = holderIDs(t, v); err != nil {
						return err
					}
				}
				_, after, err = t.UpdateSecret(cur.ID, func(x *model.Secret) error {
					return applyFields(c, t, x, fields)
				}, ids)
				return err
			})
			if err != nil {
				return err
			}
			if asJSON {
				return env.printJSON(viewSecret(after, env.now()))
			}
			fmt.Fprintf(env.Stdout, "updated secret %d: %s, known by %s\n", after.ID, after.Name, orDash(after.HolderNames()))
			return nil
		},
	}
	addFlags(c, fields)
	c.Flags().String("holders", "", "who knows it (comma-separated emails; replaces the list)")
	c.Flags().BoolVar(&asJSON, "json", false, "print the secret as JSON")
	return c
}
