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
		refs := rep.DeviceRefs()
		if opts.Device != "" {
			refs = [][2]string{{opts.Device, "--device"}}
		}
		it := Item{Row: rep.Item, dep: -1}
		if rep.Ignored > 0 {
			r.Notes = append(r.Notes, fmt.Sprintf("%d packages are not toolchain tools and were left out (tools kept: %d)", rep.Ignored, len(rep.Tools)))
		}
		if len(refs) == 0 {
			it.Problems = append(it.Problems, model.ImportProblem{Row: rep.Item, Column: "--device",
				Reason: "is required: osquery output does not say which device it describes"})
			r.Items = append(r.Items, it)
			continue
		}
		// The first reference that names a device wins: a serial opsdeck
		// does not know yet may come with a hostname it does.
		var d model.Device
		err := model.ErrNotFound
		for _, ref := range refs {
			if d, err = s.FindDevice(ctx, ref[0]); err == nil || !errors.Is(err, model.ErrNotFound) {
				break
			}
		}
		if err != nil {
			why := "is not a known device (serial, asset tag or name)"
			if !errors.Is(err, model.ErrNotFound) {
				why = err.Error()
			}
			it.Key = refs[0][0]
			it.Problems = append(it.Problems, model.ImportProblem{Row: rep.Item, Column: refs[0][1], Value: refs[0][0], Reason: why})
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
