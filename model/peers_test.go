package model

import (
	"strings"
	"testing"
)

// Every Gatus condition form the README shows either translates into a
// condition that compiles for the kind, or says why it cannot.
func TestTranslateGatusCondition(t *testing.T) {
	for _, c := range []struct{ kind, in, want, why string }{
		{"http", "[STATUS] == 200", "status == 200", ""},
		{"http", "[STATUS] == any(200, 201)", "status in [200, 201]", ""},
		{"http", "[RESPONSE_TIME] < 300", "latency < 300", ""},
		{"http", "[BODY].status == UP", `json.status == "UP"`, ""},
		{"http", "[BODY].data.count > 5", `json.data.count > 5`, ""},
		{"http", "[BODY].items[0].ok == true", `json.items[0].ok == true`, ""},
		{"http", "len([BODY].items) == 3", `len(json.items) == 3`, ""},
		{"http", "has([BODY].errors) == false", `json.errors == nil`, ""},
		{"http", "[BODY] == pat(*healthy*)", `body matches "^.*healthy.*$"`, ""},
		{"http", "[CERTIFICATE_EXPIRATION] > 48h", "cert_days > 2", ""},
		{"tls", "[CERTIFICATE_EXPIRATION] > 720h", "cert_days > 30", ""},
		{"tcp", "[CONNECTED] == true", "", ""},
		{"http", "[CONNECTED] == false", "", "does not see connected"},
		{"dns", "[DNS_RCODE] == NOERROR", `rcode == "NOERROR"`, ""},
		{"dns", "[BODY] == 93.184.216.34", `"93.184.216.34" in answers`, ""},
		{"dns", "[BODY] == pat(*.*.*.*)", `any(answers, # matches "^.*\\..*\\..*\\..*$")`, ""},
		{"http", "[IP] == 127.0.0.1", "", "[IP]"},
		{"http", "[DOMAIN_EXPIRATION] > 720h", "", "WHOIS"},
		{"tcp", "[STATUS] == 200", "", "does not see status"},
		{"http", "[STATUS] == pat(2*)", "", "not a number"},
		{"http", "what is this", "", "is not of the form"},
	} {
		got, why := TranslateGatusCondition(c.kind, c.in)
		if got != c.want || (c.why == "") != (why == "") || (c.why != "" && !strings.Contains(why, c.why)) {
			t.Errorf("%s %q: got %q (why %q), want %q (why ~%q)", c.kind, c.in, got, why, c.want, c.why)
			continue
		}
		if got != "" {
			if _, err := CompileCondition("condition", got); err != nil {
				t.Errorf("%s %q → %q does not compile: %v", c.kind, c.in, got, err)
			}
		}
	}
}

func TestParseKumaTypes(t *testing.T) {
	doc := `{"version":"1.23.16","notificationList":[],"monitorList":[
	{"id":1,"name":"Web group","type":"group","active":1,"interval":60},
	{"id":2,"name":"Main site","type":"keyword","url":"https://example.com","method":"GET","keyword":"Welcome","invertKeyword":false,"interval":60,"timeout":48,"maxretries":2,"active":1,"accepted_statuscodes":["200-299"],"parent":1},
	{"id":3,"name":"DB port","type":"port","hostname":"db.internal","port":5432,"interval":30,"timeout":24,"maxretries":0,"active":0},
	{"id":4,"name":"Router","type":"ping","hostname":"10.0.0.1","interval":60,"maxretries":1,"active":1},
	{"id":5,"name":"Nightly job","type":"push","pushToken":"abc","interval":86400,"retryInterval":3600,"maxretries":0,"active":1},
	{"id":6,"name":"Redis","type":"redis","interval":60,"active":1}
	]}`
	if DetectPeer(doc) != PeerUptimeKuma {
		t.Fatal("not detected as Uptime Kuma")
	}
	cs, err := ParsePeer(PeerUptimeKuma, doc)
	if err != nil {
		t.Fatal(err)
	}
	if cs[0].Skip == "" || cs[3].Skip == "" || cs[5].Skip == "" {
		t.Errorf("group, port-less ping and redis must be skipped with a reason: %q %q %q", cs[0].Skip, cs[3].Skip, cs[5].Skip)
	}
	site := cs[1]
	if site.Name != "main-site" || site.Group != "Web group" || site.Vals["fail_threshold"] != "3" ||
		site.Vals["condition"] != `(status >= 200 && status <= 299) && body contains "Welcome"` {
		t.Errorf("keyword monitor: %+v", site)
	}
	if db := cs[2]; db.Vals["kind"] != "tcp" || db.Vals["target"] != "db.internal:5432" || !db.Paused {
		t.Errorf("port monitor: %+v", db)
	}
	if hb := cs[4]; hb.Vals["kind"] != "heartbeat" || hb.Vals["grace_s"] != "3600" || len(hb.Untranslated) != 1 {
		t.Errorf("push monitor: %+v", hb)
	}
}
