package transfer

import (
	"context"
	"errors"
	"fmt"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// planSoftware reads toolchain reports (scripts/collect-toolchain.sh
// output, or osquery JSON with opts.Device) and matches each to a device.
func planSoftware(ctx context.Context, s *store.Store, r *Report, data []byte, opts Options) error {
	base, err := s.ListBaseline(ctx)
	if err != nil {
		return err
	}
	inBaseline := map[string]bool{}
	for _, b := range base {
		inBaseline[b.Name] = true
	}
	reports, err := model.ParseSoftware(data, func(name string) bool { return inBaseline[name] })
	if err != nil {
		return fmt.Errorf("import %s: %w", r.File, err)
	}
	r.Dialect = reports[0].Source
	for _, rep := range reports {
		ref, col := rep.DeviceRef()
		if opts.Device != "" {
			ref, col = opts.Device, "--device"
		}
		it := Item{Row: rep.Item, Key: ref, dep: -1}
		if rep.Ignored > 0 {
			r.Notes = append(r.Notes, fmt.Sprintf("%d packages are not toolchain tools and were left out (tools kept: %d)", rep.Ignored, len(rep.Tools)))
		}
		if ref == "" {
			it.Problems = append(it.Problems, model.ImportProblem{Row: rep.Item, Column: "--device",
				Reason: "is required: osquery output does not say which device it describes"})
			r.Items = append(r.Items, it)
			continue
		}
		d, err := s.FindDevice(ctx, ref)
		if err != nil {
			why := "is not a known device (serial, asset tag or name)"
			if !errors.Is(err, model.ErrNotFound) {
				why = err.Error()
			}
			it.Problems = append(it.Problems, model.ImportProblem{Row: rep.Item, Column: col, Value: ref, Reason: why})
			r.Items = append(r.Items, it)
			continue
		}
		it.Key = d.AssetTag
		have, err := s.Software(ctx, d.ID)
		if err != nil {
			return err
		}
		old := map[string]string{}
		for _, o := range have {
			old[o.Name] = o.Version
		}
		for _, o := range rep.Tools {
			switch prev, ok := old[o.Name]; {
			case !ok:
				it.Changes = append(it.Changes, fmt.Sprintf("%s: %s (new)", o.Name, o.Version))
			case prev != o.Version:
				it.Changes = append(it.Changes, fmt.Sprintf("%s: %s → %s", o.Name, prev, o.Version))
			}
		}
		switch {
		case len(have) == 0:
			it.Action = ActionNew
		case len(it.Changes) > 0:
			it.Action = ActionUpdate
		default:
			it.Action = ActionVerify // same versions, reported again: "reported" becomes now
		}
		obs := make([]model.SWObservation, len(rep.Tools))
		for i, o := range rep.Tools {
			obs[i] = o
			if rep.ReportedAt != nil {
				obs[i].ObservedAt = *rep.ReportedAt
			}
		}
		id := d.ID
		it.run = func(t *store.Tx, _ *commitState) error { return t.SetSoftware(id, obs) }
		r.Items = append(r.Items, it)
	}
	r.finish()
	return nil
}
