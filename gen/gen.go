// Package gen fills a database with a realistic company at scale, for
// benchmarks, soak tests and trying the console on 100,000 rows. Output is
// reproducible: the same seed and sizes give the same records. Records go
// through the same audited store path as the CLI, in batches.
package gen

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/opsdeck/opsdeck/model"
	"github.com/opsdeck/opsdeck/store"
)

// Sizes says how much to generate.
type Sizes struct {
	People, Devices, Services int
	AccountsPerPerson         int
	Checks                    int // checks bound to generated services (see checks.go)
	HistoryDays               int // days of results history for every check
	Seed                      uint64
	Batch                     int // records per transaction (default 1000)
}

// Progress is called after each committed batch with what exists so far;
// the crash-safety harness relies on it being reported only after commit.
type Progress func(kind string, committed int)

var (
	firstNames = []string{"Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jon", "Kira", "Liam", "Maya", "Noah", "Olga", "Pavel", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera", "Wen", "Xavi", "Yara", "Zoe"}
	lastNames  = []string{"Abe", "Bauer", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ivanova", "Jensen", "Kowalski", "Lopez", "Moreau", "Nakamura", "Okafor", "Petrov", "Quintero", "Rossi", "Schmidt", "Tanaka", "Usman", "Varga", "Wong", "Xu", "Yilmaz", "Zimmer"}
	depts      = []string{"Engineering", "Engineering", "Engineering", "Sales", "Support", "Operations", "Product", "Finance", "People", "Marketing"}
	titles     = map[string][]string{"Engineering": {"Developer", "Senior Developer", "QA Engineer", "SRE"}, "Sales": {"Account Executive", "SDR"}, "Support": {"Support Engineer", "Support Lead"}, "Operations": {"Operations Engineer"}, "Product": {"Product Manager", "Designer"}, "Finance": {"Accountant"}, "People": {"HR Partner", "Recruiter"}, "Marketing": {"Marketing Manager"}}
	svcKinds   = []string{"saas", "saas", "saas", "app", "database", "infra", "internal"}
	crits      = []string{"low", "medium", "medium", "high", "critical"}
)

// Run generates the records in s.
func Run(ctx context.Context, s *store.Store, z Sizes, progress Progress) error {
	if z.Batch <= 0 {
		z.Batch = 1000
	}
	if progress == nil {
		progress = func(string, int) {}
	}
	r := rand.New(rand.NewPCG(z.Seed, z.Seed^0x9e3779b97f4a7c15))
	actor := model.SystemActor("gen")
	now := s.Now()
	var personIDs, serviceIDs []int64

	err := batches(ctx, s, actor, z.People, z.Batch, func(t *store.Tx, i int) error {
		d := depts[r.IntN(len(depts))]
		status := "active"
		if x := r.IntN(100); x < 3 {
			status = "leaving"
		} else if x < 12 {
			status = "departed"
		}
		p := model.Person{
			Name:  fmt.Sprintf("%s %s", firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]),
			Email: fmt.Sprintf("user%07d@gen.example.com", i), Department: d,
			Title: titles[d][r.IntN(len(titles[d]))], Status: status, Role: "viewer",
			StartDate: now.AddDate(0, 0, -r.IntN(3000)).Format(model.DateLayout),
		}
		if err := t.AddPerson(&p); err != nil {
			return err
		}
		personIDs = append(personIDs, p.ID)
		return nil
	}, func(n int) { progress("people", n) })
	if err != nil {
		return err
	}

	err = batches(ctx, s, actor, z.Services, z.Batch, func(t *store.Tx, i int) error {
		sv := model.Service{Name: fmt.Sprintf("svc-%05d", i), Kind: svcKinds[r.IntN(len(svcKinds))], Criticality: crits[r.IntN(len(crits))]}
		if len(personIDs) > 0 {
			o := personIDs[r.IntN(len(personIDs))]
			sv.OwnerID = &o
		}
		if err := t.AddService(&sv); err != nil {
			return err
		}
		serviceIDs = append(serviceIDs, sv.ID)
		return nil
	}, func(n int) { progress("services", n) })
	if err != nil {
		return err
	}

	err = batches(ctx, s, actor, z.Devices, z.Batch, func(t *store.Tx, i int) error {
		kind := "laptop"
		if i%10 == 9 {
			kind = "server"
		}
		enc := r.IntN(20) != 0
		seen := now.Add(-time.Duration(r.IntN(30*24)) * time.Hour)
		d := model.Device{AssetTag: fmt.Sprintf("GEN-%07d", i), Name: fmt.Sprintf("%s-%05d", kind, i), Kind: kind,
			Serial: fmt.Sprintf("GS%09d", i), Model: "ThinkPad X1", OS: "Ubuntu", OSVersion: "24.04", Status: "in_use",
			DiskEncrypted: &enc, PatchLevel: "2026-1" + fmt.Sprint(r.IntN(2)), LastSeenAt: &seen}
		if kind == "laptop" && len(personIDs) > 0 {
			h := personIDs[i%len(personIDs)]
			d.HolderID = &h
		}
		if err := t.AddDevice(&d); err != nil {
			return err
		}
		if kind == "server" && len(serviceIDs) > 0 {
			return t.AddServiceHost(serviceIDs[r.IntN(len(serviceIDs))], d.ID)
		}
		return nil
	}, func(n int) { progress("devices", n) })
	if err != nil {
		return err
	}

	if len(serviceIDs) == 0 {
		return nil
	}
	total := len(personIDs) * z.AccountsPerPerson
	err = batches(ctx, s, actor, total, z.Batch, func(t *store.Tx, i int) error {
		pid := personIDs[i/z.AccountsPerPerson]
		sid := serviceIDs[(i*7919+i/z.AccountsPerPerson)%len(serviceIDs)]
		ent := "member"
		if r.IntN(10) == 0 {
			ent = "admin"
		}
		v := now.Add(-time.Duration(r.IntN(90*24)) * time.Hour)
		a := model.Account{PersonID: pid, ServiceID: sid, Username: fmt.Sprintf("u%07d-%d", pid, i%z.AccountsPerPerson), Entitlement: ent, LastVerifiedAt: &v}
		return t.AddAccount(&a)
	}, func(n int) { progress("accounts", n) })
	if err != nil {
		return err
	}
	checks, err := genChecks(ctx, s, actor, r, z, serviceIDs, progress)
	if err != nil {
		return err
	}
	return genHistory(ctx, s, actor, r, z.HistoryDays, checks, progress)
}

// batches runs fn for 0..n-1, committing every size records and reporting
// the committed count after each commit.
func batches(ctx context.Context, s *store.Store, actor model.Actor, n, size int, fn func(t *store.Tx, i int) error, done func(int)) error {
	for start := 0; start < n; start += size {
		end := min(n, start+size)
		err := s.Write(ctx, actor, func(t *store.Tx) error {
			for i := start; i < end; i++ {
				if err := fn(t, i); err != nil {
					return fmt.Errorf("record %d: %w", i, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		done(end)
	}
	return nil
}
