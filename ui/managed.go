package ui

import "github.com/opsdeck/opsdeck/ui/components/detail"

// Records `opsdeck apply` manages (checks, on-call rotations) have a
// checks file as their source: the console says so on their page and on
// their edit form, before the change is made, since the next apply puts
// the file's values back.

// managedNote is the edit form's warning for a managed record ("" if not).
func managedNote(managed bool) string {
	if !managed {
		return ""
	}
	return "managed by a checks file: the next opsdeck apply overwrites changes made here; change the file instead"
}

// managedSection is the page's warning for a managed record.
func managedSection(managed bool) []detail.Section {
	if !managed {
		return nil
	}
	return []detail.Section{{Title: "Managed by a checks file", Rows: []detail.Row{
		{Text: "the next opsdeck apply overwrites changes made here; change the file instead", Warn: true}}}}
}
