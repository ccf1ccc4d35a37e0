package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/ui/components/detail"
)

// Toolchain drift in the console: a worst-of status per device for the
// devices tab, and per tool on a device's page. Both read the same
// baseline and reports as `opsdeck devices drift` and use model.Drift.

// driftRank orders statuses from fine to worst; a device shows its worst.
var driftRank = []string{model.DriftOK, model.DriftUnknown, model.DriftMissing, model.DriftOutdated, model.DriftAhead}

// deviceDrift maps device id to its worst drift status. Devices that never
// reported software (or any device, with no baseline) are absent.
func deviceDrift(env TabEnv) (map[int64]string, error) {
	base, err := env.Store.ListBaseline(env.Ctx)
	if err != nil {
		return nil, fmt.Errorf("read the toolchain baseline: %w", err)
	}
	if len(base) == 0 {
		return nil, nil
	}
	devs, err := env.Store.AllSoftware(env.Ctx)
	if err != nil {
		return nil, fmt.Errorf("read software reports: %w", err)
	}
	worst := map[int64]string{}
	for _, r := range model.Drift(base, devs, env.now()) {
		if cur, ok := worst[r.DeviceID]; !ok || slices.Index(driftRank, r.Status) > slices.Index(driftRank, cur) {
			worst[r.DeviceID] = r.Status
		}
	}
	return worst, nil
}

// driftCell is the devices tab's drift column: the worst status, or "-"
// when the device never reported (or there is no baseline).
func driftCell(m map[int64]string, id int64) string {
	if s, ok := m[id]; ok {
		return driftLabel(s)
	}
	return "-"
}

// driftLabel shouts what needs a look (AHEAD, OUTDATED…) and keeps ok
// quiet, as `opsdeck devices drift` does; it reads without colour.
func driftLabel(status string) string {
	if status == model.DriftOK {
		return status
	}
	return strings.ToUpper(status)
}

// toolchainSection lists a device's reported tools against the baseline:
// every baseline tool with its status (missing ones too), then tools the
// baseline does not name, each with how long ago it was reported.
func toolchainSection(env TabEnv, id int64, now time.Time) (detail.Section, error) {
	sw, err := env.Store.Software(env.Ctx, id)
	if err != nil {
		return detail.Section{}, err
	}
	base, err := env.Store.ListBaseline(env.Ctx)
	if err != nil {
		return detail.Section{}, err
	}
	sec := detail.Section{Title: fmt.Sprintf("Toolchain (%d reported, %d in the baseline)", len(sw), len(base)),
		Empty: "no versions reported (scripts/collect-toolchain.sh, then opsdeck import software FILE)"}
	if len(sw) == 0 {
		return sec, nil
	}
	inBase := map[string]bool{}
	for _, r := range model.Drift(base, []model.DeviceSoftware{{DeviceID: id, Tools: sw}}, now) {
		inBase[r.Tool] = true
		sec.Rows = append(sec.Rows, detail.Row{Text: fmt.Sprintf("%-10s %-9s %-14s baseline %-14s reported %s",
			r.Tool, driftLabel(r.Status), dash(r.Version), r.Constraint, r.Reported), Warn: r.Status != model.DriftOK})
	}
	for _, o := range sw {
		if !inBase[o.Name] {
			sec.Rows = append(sec.Rows, detail.Row{Text: fmt.Sprintf("%-10s %-9s %-14s %-23s reported %s",
				o.Name, "-", o.Version, "not in the baseline", model.Ago(&o.ObservedAt, now))})
		}
	}
	return sec, nil
}
