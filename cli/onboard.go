package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/transfer"
	"github.com/spf13/cobra"
)

func init() {
	register(func(env *Env) *cobra.Command {
		cmd := &cobra.Command{Use: "onboard", Short: "Walk a new hire in from a role profile: accounts, a laptop built to the baseline, template steps, with a record"}
		cmd.AddCommand(onboardStart(env), onboardActivate(env))
		cmd.AddCommand(checklistVerbs(env, ops.OnboardingKind, "onboarding")...)
		return cmd
	})
}

func onboardStart(env *Env) *cobra.Command {
	var h model.Hire
	var from string
	var dry, asJSON bool
	c := &cobra.Command{
		Use:   "start [EMAIL] --profile P --start DATE | --from hires.csv",
		Short: "Start onboarding a hire (joining until the start date: no SSH access yet), or a batch from a CSV (dry run first)",
		Long: `Start onboarding a hire from a role profile: the person is added (joining
until their start date, when they become active), and a checklist lists one
step per account of the profile (with the service's provisioning procedure),
the device to assign and build to the baseline, and the profile's template
steps. The ledger's planned "onboarding" timer starts for the hire.

--from FILE starts several hires at once, all or nothing, from a CSV with the
columns email, name, profile, start, laptop, manager (name, laptop and manager
may be empty). Run it with --dry-run first: every bad row is listed with why.

  opsdeck onboard start kim@example.com --profile developer --start 2026-12-07 --laptop LT-020
  opsdeck onboard start --from hires.csv --dry-run`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			e, err := env.ops()
			if err != nil {
				return err
			}
			if from != "" {
				if len(args) > 0 {
					return model.Invalid("from", from, "starts a batch; give no EMAIL with it")
				}
				return onboardBatch(c, env, e, from, dry, asJSON)
			}
			if len(args) != 1 {
				return model.Invalid("email", "", "is required (or --from FILE for a batch)")
			}
			h.Email = args[0]
			cl, err := ops.Onboard(c.Context(), e, h, dry)
			if err != nil {
				return err
			}
			if asJSON {
				return env.printJSON(cl)
			}
			verb := "started"
			if dry {
				verb = "dry run: would start"
			}
			fmt.Fprintf(env.Stdout, "onboarding %s for %s <%s>: profile %s, start %s, %d steps\n", verb, cl.SubjectName, h.Email,
				cl.Param(ops.ParamProfile), cl.Param(ops.ParamStart), len(cl.Steps))
			return printChecklist(env, cl)
		},
	}
	f := c.Flags()
	f.StringVar(&h.Profile, "profile", "", "role profile (see 'opsdeck profiles list')")
	f.StringVar(&h.Start, "start", "", "first day, YYYY-MM-DD")
	f.StringVar(&h.Laptop, "laptop", "", "asset tag of the device to give them (optional; chosen at the assign step otherwise)")
	f.StringVar(&h.Manager, "manager", "", "their manager (email)")
	f.StringVar(&h.Name, "name", "", "full name (default: from the email)")
	f.StringVar(&from, "from", "", "CSV of hires (email, name, profile, start, laptop, manager)")
	f.BoolVar(&dry, "dry-run", false, "show what would be started and every problem; write nothing")
	f.BoolVar(&asJSON, "json", false, "print the checklist(s) as JSON")
	return c
}

// hireColumns maps CSV headers to a hire's fields.
var hireColumns = map[string]string{"email": "email", "name": "name", "full_name": "name", "profile": "profile", "role": "profile",
	"start": "start", "start_date": "start", "laptop": "laptop", "asset_tag": "laptop", "manager": "manager", "manager_email": "manager"}

// readHires parses the batch CSV: a header row, then one hire a row.
func readHires(data []byte) ([]model.Hire, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		return nil, model.Invalid("from", "", "has no header row (email, name, profile, start, laptop, manager)")
	}
	cols := make([]string, len(head))
	have := map[string]bool{}
	for i, h := range head {
		k := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")), " ", "_"))
		cols[i] = hireColumns[k]
		if cols[i] == "" {
			return nil, model.Invalid("from", model.Sanitize(h), "is not a hire column (email, name, profile, start, laptop, manager)")
		}
		have[cols[i]] = true
	}
	for _, need := range []string{"email", "profile", "start"} {
		if !have[need] {
			return nil, model.Invalid("from", strings.Join(head, ","), "lacks the "+need+" column")
		}
	}
	var out []model.Hire
	for row := 2; ; row++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, model.Invalid("from", "row "+strconv.Itoa(row), "is not CSV: "+err.Error())
		}
		h := model.Hire{Row: row}
		for i, v := range rec {
			if i >= len(cols) {
				break
			}
			switch cols[i] {
			case "email":
				h.Email = v
			case "name":
				h.Name = v
			case "profile":
				h.Profile = v
			case "start":
				h.Start = v
			case "laptop":
				h.Laptop = v
			case "manager":
				h.Manager = v
			}
		}
		out = append(out, h)
	}
	if len(out) == 0 {
		return nil, model.Invalid("from", "", "has no hires after the header")
	}
	return out, nil
}

func onboardBatch(c *cobra.Command, env *Env, e ops.Env, file string, dry, asJSON bool) error {
	if env.ReadOnly {
		return fmt.Errorf("over SSH, onboard --from reads no file on the server: %w", model.ErrForbidden)
	}
	data, err := transfer.ReadFile(c.Context(), file, 0)
	if err != nil {
		return err
	}
	hires, err := readHires(data)
	if err != nil {
		return err
	}
	res, err := ops.OnboardBatch(c.Context(), e, hires, dry)
	if asJSON {
		if jerr := env.printJSON(res); jerr != nil {
			return jerr
		}
		return err
	}
	bad := 0
	rows := make([][]string, len(res))
	for i, r := range res {
		outcome := fmt.Sprintf("%d steps", len(r.Checklist.Steps))
		if r.Error != "" {
			outcome, bad = "ERROR "+r.Error, bad+1
		}
		rows[i] = []string{strconv.Itoa(r.Hire.Row), r.Hire.Email, r.Hire.Profile, r.Hire.Start, orDash(r.Hire.Laptop), outcome}
	}
	if perr := env.printTable([]string{"row", "email", "profile", "start", "laptop", "checklist"}, rows); perr != nil {
		return perr
	}
	switch {
	case err != nil:
		return err
	case dry && bad > 0:
		return fmt.Errorf("dry run: %d of %d hire(s) have problems; nothing written", bad, len(res))
	case dry:
		fmt.Fprintf(env.Stdout, "dry run: %d hire(s) would start; nothing written\n", len(res))
	default:
		fmt.Fprintf(env.Stdout, "%d onboarding(s) started\n", len(res))
	}
	return nil
}

func onboardActivate(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:   "activate",
		Short: "Make joining people whose start date has come active (the scheduler does this every minute)",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			e, err := env.ops()
			if err != nil {
				return err
			}
			done, err := ops.ActivateJoiners(c.Context(), e)
			if err != nil {
				return err
			}
			for _, p := range done {
				fmt.Fprintf(env.Stdout, "%s <%s> is active (start date %s)\n", p.Name, p.Email, p.StartDate)
			}
			if len(done) == 0 {
				fmt.Fprintln(env.Stdout, "nobody is due to start")
			}
			return nil
		},
	}
}

// activateJoiners is the scheduler's job: on their start date a joining
// person becomes active (as the scheduler's own actor).
func activateJoiners(ctx context.Context, s *store.Store, logf func(string, ...any)) {
	actor := model.SystemActor("joiners")
	done, err := ops.ActivateJoiners(ctx, ops.Env{Store: s.For(actor), Actor: actor, Clock: s.Clock()})
	if err != nil && ctx.Err() == nil {
		logf("joiners: %v", err)
	}
	for _, p := range done {
		logf("%s <%s> started today: now active", p.Name, p.Email)
	}
}
