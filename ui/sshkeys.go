package ui

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
	"github.com/opsdeck/opsdeck/ui/components/detail"
	"github.com/opsdeck/opsdeck/ui/components/form"
)

// SSH keys decide who may open this console over SSH, so they are managed
// where the person is: the person page lists them, K adds one (paste the
// .pub line), enter opens one and d removes it after a preview.

var addKeyKey = key.NewBinding(key.WithKeys("K"), key.WithHelp("K", "add an SSH key to the person"))

func init() {
	editSpecs["sshkey"] = sshKeyEdit()
	registerDetail(detailDef{kind: "sshkey", load: sshKeyDetail})
	// K works anywhere outside a screen and says what it needs; it is
	// listed where a person is selected.
	registerActions(action{key: addKeyKey, write: true,
		on:    func(c actx) bool { return !c.screen || (c.hasSel && c.sel.Kind == "person") },
		shown: func(c actx) bool { return c.hasSel && c.sel.Kind == "person" },
		run:   func(a *app, _ actx) tea.Cmd { return a.addSSHKey() }})
}

// sshKeysSection lists a person's keys on their page.
func sshKeysSection(env TabEnv, personID int64) (detail.Section, error) {
	keys, err := env.Store.SSHKeys(env.Ctx, personID)
	sec := detail.Section{Title: fmt.Sprintf("SSH keys (%d)", len(keys)), Empty: "none · K adds one (they open the console over SSH)"}
	for _, k := range keys {
		sec.Rows = append(sec.Rows, detail.Row{Text: fmt.Sprintf("%-12s %s  %s", k.Type, k.Fingerprint, k.Comment), Link: link("sshkey", k.ID)})
	}
	return sec, err
}

func sshKeyDetail(env TabEnv, id int64) (detail.Data, error) {
	k, err := env.Store.GetSSHKey(env.Ctx, id)
	if err != nil {
		return detail.Data{}, err
	}
	p, err := env.Store.GetPerson(env.Ctx, k.PersonID)
	if err != nil {
		return detail.Data{}, err
	}
	owner := detail.Section{Title: "Opens the console as", Rows: []detail.Row{{
		Text: fmt.Sprintf("%s · %s · role %s", p.Name, p.Status, p.Role), Link: link("person", p.ID), Warn: p.Status != "active"}}}
	return detail.Data{Title: k.Fingerprint, Subtitle: "ssh key · " + k.Type + " · d removes it", Fields: [][2]string{
		{"comment", dash(k.Comment)}, {"added", k.AddedAt}, {"key", model.Truncate(k.PublicKey, 60)},
	}, Sections: []detail.Section{owner}}, nil
}

func sshKeyEdit() editSpec {
	return editSpec{
		kind: "sshkey", verb: "Remove", gone: "removed",
		// id is the person the key is for: keys are only ever added.
		fields: func(env TabEnv, id int64) (string, []form.Field, error) {
			p, err := env.Store.GetPerson(env.Ctx, id)
			if err != nil {
				return "", nil, err
			}
			return "Add an SSH key for " + p.Name, []form.Field{
				text("key", "public key", "", "ssh-ed25519 AAAA… comment (the line in the .pub file)"),
			}, nil
		},
		check: func(v map[string]string) error {
			_, err := model.ParseSSHKey(v["key"])
			return err
		},
		save: func(t *store.Tx, personID int64, v map[string]string) (int64, string, error) {
			k, err := model.ParseSSHKey(v["key"])
			if err != nil {
				return 0, "", err
			}
			err = t.AddSSHKey(personID, &k)
			return k.ID, k.Fingerprint, err
		},
		deactivate: func(t *store.Tx, id int64) (any, any, string, error) {
			k, err := t.GetSSHKey(id)
			if err != nil {
				return nil, nil, "", err
			}
			removed, err := t.RemoveSSHKey(k.PersonID, k.Fingerprint)
			return removed, nil, k.Fingerprint, err
		},
	}
}

// addSSHKey opens the key form for the person on screen (row or page).
func (a *app) addSSHKey() tea.Cmd {
	l, ok := a.current()
	if !ok || l.Kind != "person" {
		a.setFlash("K adds an SSH key: select a person first", true)
		return nil
	}
	return a.loadForm("sshkey", l.ID)
}
