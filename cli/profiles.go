package cli

import (
	"fmt"
	"sort"
	"strings"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

func init() {
	register(func(env *Env) *cobra.Command {
		cmd := &cobra.Command{Use: "profiles", Short: "Role profiles: what a new hire in a role gets (accounts, device, toolchain, template steps)"}
		cmd.AddCommand(profilesList(env), profilesShow(env), profilesSave(env, "add"), profilesSave(env, "edit"))
		return cmd
	})
}

func profilesList(env *Env) *cobra.Command {
	return lister[model.RoleProfile]{short: "List role profiles",
		query: func(c *cobra.Command, _ []string, s *store.Store) ([]model.RoleProfile, error) {
			return s.ListProfiles(c.Context())
		},
		header: []string{"name", "extends", "device", "services", "tools", "steps", "description"},
		empty:  "no role profiles yet: opsdeck profiles add --name developer --service GitHub=member --device-kind laptop",
		row: func(p model.RoleProfile, _ *names) []string {
			return []string{p.Name, orDash(p.Extends), orDash(p.DeviceKind), profileServicesText(p.Services), toolsText(p.Tools),
				fmt.Sprint(len(p.Steps)), orDash(p.Description)}
		}}.command(env)
}

func profileServicesText(ss []model.ProfileService) string {
	var out []string
	for _, s := range ss {
		out = append(out, s.ServiceName+"="+s.Entitlement)
	}
	return orDash(strings.Join(out, ", "))
}

func toolsText(t map[string]string) string {
	var out []string
	for k, v := range t {
		out = append(out, k+" "+v)
	}
	sort.Strings(out)
	return orDash(strings.Join(out, ", "))
}

// profileView is a profile as defined and as a hire gets it (merged with
// the profiles it extends).
type profileView struct {
	Profile   model.RoleProfile `json:"profile"`
	Effective model.RoleProfile `json:"effective"`
	Chain     []string          `json:"chain"`
}

func (v profileView) print(env *Env) error {
	p, e := v.Profile, v.Effective
	if err := env.printKV([][2]string{{"name", p.Name}, {"description", orDash(p.Description)}, {"extends", orDash(strings.Join(v.Chain[:len(v.Chain)-1], " → "))},
		{"device kind", orDash(e.DeviceKind)}, {"toolchain", toolsText(e.Tools) + map[bool]string{true: " (company baseline)", false: ""}[len(e.Tools) == 0]}}); err != nil {
		return err
	}
	if err := section(env, "Accounts a hire gets", []string{"service", "entitlement"}, e.Services, func(s model.ProfileService) []string {
		return []string{s.ServiceName, s.Entitlement}
	}); err != nil {
		return err
	}
	return section(env, "Template steps", []string{"title", "detail"}, e.Steps, func(s model.ProfileStep) []string { return []string{s.Title, orDash(s.Detail)} })
}

func profilesShow(env *Env) *cobra.Command {
	return showCommand(env, "show NAME", "Show a role profile, merged with the profiles it extends",
		func(c *cobra.Command, s *store.Store, ref string) (view, error) {
			chain, err := s.ProfileChain(c.Context(), ref)
			if err != nil {
				return nil, err
			}
			v := profileView{Profile: chain[len(chain)-1], Effective: model.Effective(chain)}
			for _, p := range chain {
				v.Chain = append(v.Chain, p.Name)
			}
			return v, nil
		})
}

// profilesSave is add (a new profile, --name) and edit NAME (only the
// flags given change; a list flag replaces the list).
func profilesSave(env *Env, verb string) *cobra.Command {
	var p model.RoleProfile
	var services, tools, steps []string
	use, short, args := "add", "Add a role profile", cobra.NoArgs
	if verb == "edit" {
		use, short, args = "edit NAME", "Change a role profile (a list flag replaces that list)", cobra.ExactArgs(1)
	}
	c := &cobra.Command{
		Use: use, Short: short, Args: args,
		Long: short + `.

  --service GitHub=member   an account the hire gets (repeat; entitlement admin or member)
  --tool "go=>=1.25 <1.27"  the laptop's toolchain (repeat; default: the company baseline)
  --step "Badge: ask reception"  a template step, title and optional detail (repeat)`,
		RunE: func(c *cobra.Command, args []string) error {
			s, err := env.Open()
			if err != nil {
				return err
			}
			var saved model.RoleProfile
			err = s.Write(c.Context(), env.Actor, func(t *store.Tx) error {
				rec := model.RoleProfile{}
				if verb == "edit" {
					if rec, err = t.FindProfile(args[0]); err != nil {
						return err
					}
				}
				fl := c.Flags()
				if fl.Changed("name") || verb == "add" {
					rec.Name = p.Name
				}
				if fl.Changed("description") {
					rec.Description = p.Description
				}
				if fl.Changed("extends") {
					rec.Extends = p.Extends
				}
				if fl.Changed("device-kind") {
					rec.DeviceKind = p.DeviceKind
				}
				if fl.Changed("service") {
					rec.Services = nil
					for _, sv := range services {
						name, ent, _ := strings.Cut(sv, "=")
						svc, err := ops.ServiceTx(t, "service", strings.TrimSpace(name))
						if err != nil {
							return err
						}
						rec.Services = append(rec.Services, model.ProfileService{ServiceID: svc.ID, ServiceName: svc.Name, Entitlement: ent})
					}
				}
				if fl.Changed("tool") {
					rec.Tools = map[string]string{}
					for _, tl := range tools {
						name, rng, ok := strings.Cut(tl, "=")
						if !ok || strings.TrimSpace(name) == "" {
							return model.Invalid("tool", tl, `is not TOOL=RANGE (e.g. "go=>=1.25 <1.27")`)
						}
						rec.Tools[strings.TrimSpace(name)] = rng
					}
				}
				if fl.Changed("step") {
					rec.Steps = nil
					for _, st := range steps {
						title, detail, _ := strings.Cut(st, ":")
						rec.Steps = append(rec.Steps, model.ProfileStep{Title: strings.TrimSpace(title), Detail: strings.TrimSpace(detail)})
					}
				}
				if err := t.SaveProfile(&rec); err != nil {
					return err
				}
				saved = rec
				return nil
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "profile %s %s: %d service(s), device %s, %d step(s)\n", saved.Name, map[string]string{"add": "added", "edit": "changed"}[verb], len(saved.Services), orDash(saved.DeviceKind), len(saved.Steps))
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&p.Name, "name", "", "profile name, one word (e.g. developer)")
	f.StringVar(&p.Description, "description", "", "what the role is")
	f.StringVar(&p.Extends, "extends", "", "a profile this one builds on (its accounts, tools and steps come too)")
	f.StringVar(&p.DeviceKind, "device-kind", "", "the device a hire gets ("+strings.Join(model.DeviceKinds, "|")+"; empty: none)")
	f.StringArrayVar(&services, "service", nil, "SERVICE=ENTITLEMENT an account the hire gets (repeat)")
	f.StringArrayVar(&tools, "tool", nil, "TOOL=RANGE the laptop's toolchain (repeat)")
	f.StringArrayVar(&steps, "step", nil, "TITLE[: DETAIL] a template step (repeat)")
	return c
}
