package cli

import (
	"context"
	"fmt"
	"strings"
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
	return resource[D]{
		noun: "devices", one: "device",
		addHelp: `Add a device. Example:
  opsdeck devices add --asset-tag LT-031 --name kristen-mbp --kind laptop --serial C02XK1 --holder kristen@example.com`,
		fields: []field[D]{
			reqStr("asset_tag", "asset tag (unique)", func(d *D) *string { return &d.AssetTag }),
			reqStr("name", "hostname or label", func(d *D) *string { return &d.Name }),
			enum("kind", model.DeviceKinds, func(d *D) *string { return &d.Kind }),
			optStr("serial", "serial number (unique)", func(d *D) *string { return &d.Serial }),
			optStr("model", "hardware model", func(d *D) *string { return &d.Model }),
			optStr("os", "operating system", func(d *D) *string { return &d.OS }),
			optStr("os_version", "OS version", func(d *D) *string { return &d.OSVersion }),
			personRef("holder", "who holds it", func(d *D) **int64 { return &d.HolderID }),
			optStr("location", "where it is", func(d *D) *string { return &d.Location }),
			enum("status", model.DeviceStatuses, func(d *D) *string { return &d.Status }),
			boolField("disk_encrypted", "full-disk encryption on", func(d *D) **bool { return &d.DiskEncrypted }),
			optStr("endpoint_protection", "endpoint protection product, or empty for none", func(d *D) *string { return &d.EndpointProtection }),
			optStr("patch_level", "OS patch level", func(d *D) *string { return &d.PatchLevel }),
			{name: "last_seen_at", usage: "when it was last seen (RFC 3339 or YYYY-MM-DD HH:MM)", apply: func(_ *store.Tx, d *D, v string) error {
				if v == "" {
					d.LastSeenAt = nil
					return nil
				}
				t, err := model.ParseTime("last_seen_at", v, time.Local)
				d.LastSeenAt = &t
				return err
			}},
			date("purchase_date", "bought on", func(d *D) *string { return &d.PurchaseDate }),
			optStr("notes", "free text", func(d *D) *string { return &d.Notes }),
		},
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
		header:     []string{"id", "asset_tag", "name", "kind", "holder", "os", "status", "encrypted", "last_seen"},
		row: func(d D, nm *names) []string {
			return []string{fmt.Sprint(d.ID), d.AssetTag, d.Name, d.Kind, nm.person(d.HolderID),
				strings.TrimSpace(d.OS + " " + d.OSVersion), d.Status, boolStr(d.DiskEncrypted), nm.ago(d.LastSeenAt)}
		},
		view:  loadDevice,
		extra: deviceExtras, // toolchain drift: cli/drift.go
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
	ago       func(*time.Time) string
}

func loadDevice(ctx context.Context, env *Env, s *store.Store, d model.Device) (view, error) {
	v := &deviceView{Device: d, Holder: (&names{ctx: ctx, s: s}).person(d.HolderID), ago: env.ago}
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
	d := v.Device
	env.printKV([][2]string{
		{"id", fmt.Sprint(d.ID)}, {"asset_tag", d.AssetTag}, {"name", d.Name}, {"kind", d.Kind},
		{"serial", orDash(d.Serial)}, {"model", orDash(d.Model)}, {"os", orDash(strings.TrimSpace(d.OS + " " + d.OSVersion))},
		{"holder", v.Holder}, {"location", orDash(d.Location)}, {"status", d.Status},
		{"disk_encrypted", boolStr(d.DiskEncrypted)}, {"endpoint_protection", orDash(d.EndpointProtection)},
		{"patch_level", orDash(d.PatchLevel)}, {"last_seen", v.ago(d.LastSeenAt)}, {"purchase_date", orDash(d.PurchaseDate)},
		{"notes", orDash(d.Notes)},
	})
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
