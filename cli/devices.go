package cli

import (
	"context"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ops"
	"github.com/opsdeck/opsdeck/store"
	"github.com/spf13/cobra"
)

func init() { register(devicesResource().command) }

func devicesResource() resource[model.Device] {
	var q store.DeviceQuery
	var holder string
	type D = model.Device
	enums := []enumFilter{{"kind", &q.Kind, model.DeviceKinds}, {"status", &q.Status, model.DeviceStatuses}}
	return resource[D]{
		noun: "devices", one: "device",
		addHelp: `Add a device. Example:
  opsdeck devices add --asset-tag LT-031 --name kristen-mbp --kind laptop --serial C02XK1 --holder kristen@example.com`,
		table: model.DeviceFields,
		listFlags: func(c *cobra.Command) {
			enumFlags(c, enums)
			c.Flags().StringVar(&holder, "holder", "", "only devices held by this person")
		},
		list: func(ctx context.Context, s *store.Store) ([]D, error) {
			if err := checkEnums(enums); err != nil {
				return nil, err
			}
			if holder != "" {
				p, err := ops.Person(ctx, s, "holder", holder)
				if err != nil {
					return nil, err
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
		view:       loadDevice,
		extra:      deviceExtras, // toolchain drift: cli/drift.go
	}
}

// deviceView is a device with everything linked to it: its holder, the
// services it hosts, the checks that watch it and its reported toolchain.
type deviceView struct {
	model.Device
	Holder    string                `json:"holder"`
	Services  []model.Service       `json:"services_hosted"`
	Checks    []model.Check         `json:"checks"`
	Toolchain []model.SWObservation `json:"toolchain"`
	fields    [][2]string           // the device's own fields, from the table
	ago       func(*time.Time) string
}

func loadDevice(ctx context.Context, env *Env, s *store.Store, d model.Device, fields [][2]string) (view, error) {
	v := &deviceView{Device: d, Holder: (&names{ctx: ctx, s: s}).person(d.HolderID), fields: fields, ago: env.ago}
	var err error
	if v.Services, err = s.HostedServices(ctx, d.ID); err != nil {
		return nil, err
	}
	if v.Checks, err = s.ListChecks(ctx, store.CheckQuery{DeviceID: d.ID}); err != nil {
		return nil, err
	}
	if v.Toolchain, err = s.Software(ctx, d.ID); err != nil {
		return nil, err
	}
	v.Services, v.Checks, v.Toolchain = nonNil(v.Services), nonNil(v.Checks), nonNil(v.Toolchain)
	return v, nil
}

func (v *deviceView) print(env *Env) error {
	env.printKV(v.fields)
	section(env, "Services hosted", []string{"name", "kind", "criticality"}, v.Services, func(sv model.Service) []string {
		return []string{sv.Name, sv.Kind, sv.Criticality}
	})
	section(env, "Checks", []string{"name", "kind", "target"}, v.Checks, func(c model.Check) []string {
		return []string{c.Name, c.Kind, orDash(model.Truncate(c.Target, 50))}
	})
	return section(env, "Toolchain", []string{"tool", "version", "reported"}, v.Toolchain, func(o model.SWObservation) []string {
		at := o.ObservedAt
		return []string{o.Name, o.Version, "reported " + v.ago(&at)}
	})
}
