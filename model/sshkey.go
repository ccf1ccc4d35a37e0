package model

import (
	"strings"

	gossh "golang.org/x/crypto/ssh"
)

// SSHKey is a public key registered to a person; it is how people enter
// the console over SSH. Only the public half is ever stored.
type SSHKey struct {
	ID          int64  `json:"id"`
	PersonID    int64  `json:"person_id"`
	Fingerprint string `json:"fingerprint"` // SHA256:..., as ssh-keygen -l prints it
	Type        string `json:"type"`
	PublicKey   string `json:"public_key"` // authorized_keys form, without comment
	Comment     string `json:"comment"`
	AddedAt     string `json:"added_at"`
}

// ParseSSHKey reads one authorized_keys line (or a .pub file's content).
// Options before the key type are refused: opsdeck decides access itself.
func ParseSSHKey(text string) (SSHKey, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return SSHKey{}, Invalid("key", "", "is empty (want the content of a .pub file)")
	}
	pub, comment, options, rest, err := gossh.ParseAuthorizedKey([]byte(text))
	if err != nil {
		return SSHKey{}, Invalid("key", Truncate(text, 40), "is not an SSH public key (want e.g. ssh-ed25519 AAAA... comment)")
	}
	if len(options) > 0 {
		return SSHKey{}, Invalid("key", Truncate(text, 40), "carries authorized_keys options; give the bare key")
	}
	if len(strings.TrimSpace(string(rest))) > 0 {
		return SSHKey{}, Invalid("key", Truncate(text, 40), "holds more than one key; add them one at a time")
	}
	return SSHKey{
		Fingerprint: gossh.FingerprintSHA256(pub),
		Type:        pub.Type(),
		PublicKey:   strings.TrimSpace(string(gossh.MarshalAuthorizedKey(pub))),
		Comment:     SanitizeN(comment, 128),
	}, nil
}
