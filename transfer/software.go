package transfer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

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
		listsSoftware := rep.Source != "osquery" || rep.Packages > 0
		if !listsSoftware {
			it.Changes = nil // posture only: the toolchain on record stays
		}
		posture := postureChanges(d, rep)
		it.Changes = append(it.Changes, posture...)
		switch {
		case len(have) == 0 && listsSoftware:
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
		id, p, reported := d.ID, rep.Posture, rep.ReportedAt
		it.run = func(t *store.Tx, _ *commitState) error {
			if listsSoftware {
				if err := t.SetSoftware(id, obs); err != nil {
					return err
				}
			}
			return applyPosture(t, id, p, reported)
		}
		r.Items = append(r.Items, it)
	}
	r.finish()
	return nil
}

// postureChanges says what the osquery posture rows change on the device
// (disk encryption, OS, patch date, endpoint protection), for the dry run.
func postureChanges(d model.Device, rep model.SoftwareReport) []string {
	p := rep.Posture
	if p == nil {
		return nil
	}
	var out []string
	if p.DiskEncrypted != nil && (d.DiskEncrypted == nil || *d.DiskEncrypted != *p.DiskEncrypted) {
		out = append(out, "disk_encrypted: "+model.YesNo(d.DiskEncrypted)+" → "+model.YesNo(p.DiskEncrypted))
	}
	if p.OSVersion != "" && (p.OSName != d.OS || p.OSVersion != d.OSVersion) {
		out = append(out, "os: "+strings.TrimSpace(d.OS+" "+d.OSVersion)+" → "+p.OSName+" "+p.OSVersion)
	}
	if p.PatchDate != "" && p.PatchDate != d.PatchLevel {
		out = append(out, "patch_level: "+d.PatchLevel+" → "+p.PatchDate)
	}
	if p.Endpoint != "" && p.Endpoint != d.EndpointProtection {
		out = append(out, "endpoint_protection: "+d.EndpointProtection+" → "+p.Endpoint)
	}
	return out
}

// applyPosture writes what osquery reported about the device: its
// posture fields and, as last seen, when the results were taken (the
// import's time when the file does not say).
func applyPosture(t *store.Tx, id int64, p *model.Posture, reported *time.Time) error {
	_, _, err := t.UpdateDevice(id, func(d *model.Device) error {
		seen := t.At()
		if reported != nil && !model.FromFuture(*reported, t.At()) {
			seen = *reported
		}
		if d.LastSeenAt == nil || seen.After(*d.LastSeenAt) {
			d.LastSeenAt = &seen
		}
		if p == nil {
			return nil
		}
		if p.DiskEncrypted != nil {
			v := *p.DiskEncrypted
			d.DiskEncrypted = &v
		}
		if p.OSVersion != "" {
			d.OS, d.OSVersion = p.OSName, p.OSVersion
		}
		if p.PatchDate != "" {
			d.PatchLevel = p.PatchDate
		}
		if p.Endpoint != "" {
			d.EndpointProtection = p.Endpoint
		}
		return nil
	})
	return err
}
