package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

func init() { register(devicesResource().command) }

func devicesResource() resource[model.Device] {
	var q store.DeviceQuery
	var holder string
	type D = model.Device
	return resource[D]{
		noun: "devices", one: "device",
		addHelp: `Add a device. Example:
  opsdeck devices add --asset-tag LT-031 --name kristen-mbp --kind laptop --serial C02XK1 --holder kristen@example.com`,
		table: model.DeviceFields,
		listFlags: func(c *cobra.Command) {
			c.Flags().StringVar(&q.Kind, "kind", "", "only this kind ("+strings.Join(model.DeviceKinds, "|")+")")
			c.Flags().StringVar(&q.Status, "status", "", "only this status ("+strings.Join(model.DeviceStatuses, "|")+")")
			c.Flags().StringVar(&holder, "holder", "", "only devices held by this person")
		},
		list: func(ctx context.Context, s *store.Store) ([]D, error) {
			if q.Kind != "" {
				if err := model.ValidateEnum("kind", q.Kind, model.DeviceKinds); err != nil {
					return nil, err
				}
			}
			if q.Status != "" {
				if err := model.ValidateEnum("status", q.Status, model.DeviceStatuses); err != nil {
					return nil, err
				}
			}
			if holder != "" {
				p, err := s.FindPerson(ctx, holder)
				if err != nil {
					return nil, model.Invalid("holder", holder, "is not a known person")
				}
				q.HolderID = p.ID
			}
			return s.ListDevices(ctx, q)
		},
		find:       (*store.Store).FindDevice,
		findTx:     (*store.Tx).FindDevice,
		id:         func(d D) int64 { return d.ID },
		add:        (*store.Tx).AddDevice,
		update:     (*store.Tx).UpdateDevice,
		deactivate: (*store.Tx).DeactivateDevice,
		linked:     deviceLinks,
		extra:      deviceExtras, // toolchain drift: cli/drift.go
	}
}

// deviceLinks prints what show lists under a device's fields.
func deviceLinks(ctx context.Context, env *Env, s *store.Store, d model.Device) error {
	svcs, err := s.HostedServices(ctx, d.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "\nServices hosted (%d):\n", len(svcs))
	rows := [][]string{}
	for _, sv := range svcs {
		rows = append(rows, []string{sv.Name, sv.Kind, sv.Criticality})
	}
	env.printTable([]string{"name", "kind", "criticality"}, rows)
	sw, err := s.Software(ctx, d.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "\nToolchain (%d):\n", len(sw))
	rows = [][]string{}
	for _, o := range sw {
		at := o.ObservedAt
		rows = append(rows, []string{o.Name, o.Version, "reported " + env.ago(&at)})
	}
	return env.printTable([]string{"tool", "version", "reported"}, rows)
}
